// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMigratableVault} from "./IMigratableVault.sol";

/// @title PositionMigrator
/// @notice Opt-in, one-call move of a user's position from an old (possibly
/// paused) vault to a new vault: the old vault burns the shares and hands the
/// assets to this contract, which deposits them into the new vault for the user.
/// The user calls `migrate` themself, or anyone submits the user's EIP-712
/// signature (EOA or EIP-1271 contract wallet such as a Safe) via `migrateWithSig`.
/// @dev Only routes (old -> new) enabled by the owner (the guardian multisig)
/// can be used: a phished signature can then at worst move a position to a
/// vault the guardians vetted, never to an attacker's "vault".
/// Invariant: this contract holds no assets between transactions; every unit
/// received from the old vault is deposited for the same owner in the same call.
contract PositionMigrator is Ownable2Step, EIP712, Nonces, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Pass as `shares` to migrate the owner's whole balance.
    uint256 public constant ALL_SHARES = type(uint256).max;

    bytes32 public constant MIGRATE_TYPEHASH = keccak256(
        "Migrate(address account,address oldVault,address newVault,uint256 shares,uint256 minSharesOut,uint256 nonce,uint256 deadline)"
    );

    /// @notice Enabled routes: oldVault => newVault => enabled.
    mapping(address oldVault => mapping(address newVault => bool)) public isRoute;

    /// @notice A route was enabled or disabled.
    event RouteSet(address indexed oldVault, address indexed newVault, bool enabled);
    /// @notice A position moved.
    event PositionMigrated(
        address indexed account,
        address indexed oldVault,
        address indexed newVault,
        uint256 sharesBurned,
        uint256 assets,
        uint256 sharesMinted,
        address submitter
    );

    error ZeroAddress();
    error ZeroShares();
    error SameVault(address vault);
    error AssetMismatch(address oldAsset, address newAsset);
    error RouteNotEnabled(address oldVault, address newVault);
    error NothingMigrated(address oldVault, address account, uint256 shares);
    error SlippageExceeded(uint256 sharesMinted, uint256 minSharesOut);
    error SignatureExpired(uint256 deadline, uint256 nowTs);
    error InvalidSignature(address account);

    /// @param initialOwner The guardian multisig.
    constructor(address initialOwner) Ownable(initialOwner) EIP712("Breakwater PositionMigrator", "1") {}

    // ---------------------------------------------------------------- admin

    /// @notice Enable or disable the route `oldVault -> newVault`.
    /// @dev Checks that both vaults hold the same underlying asset.
    function setRoute(address oldVault, address newVault, bool enabled) external onlyOwner {
        if (oldVault == address(0) || newVault == address(0)) revert ZeroAddress();
        if (oldVault == newVault) revert SameVault(oldVault);
        if (enabled) {
            address oldAsset = IERC4626(oldVault).asset();
            address newAsset = IERC4626(newVault).asset();
            if (oldAsset != newAsset) revert AssetMismatch(oldAsset, newAsset);
        }
        isRoute[oldVault][newVault] = enabled;
        emit RouteSet(oldVault, newVault, enabled);
    }

    // ---------------------------------------------------------------- users

    /// @notice Move `shares` of the caller's position (ALL_SHARES = all).
    /// @param minSharesOut Minimum new-vault shares the caller must receive.
    /// @return sharesMinted New-vault shares credited to the caller.
    function migrate(address oldVault, address newVault, uint256 shares, uint256 minSharesOut)
        external
        nonReentrant
        returns (uint256 sharesMinted)
    {
        return _migrate(msg.sender, oldVault, newVault, shares, minSharesOut);
    }

    /// @notice Move `account`'s position on their EIP-712 signature (EOA or EIP-1271).
    /// @dev Anyone may submit; the nonce makes each signature single-use, the
    /// domain binds it to this chain and contract.
    function migrateWithSig(
        address account,
        address oldVault,
        address newVault,
        uint256 shares,
        uint256 minSharesOut,
        uint256 deadline,
        bytes calldata signature
    ) external nonReentrant returns (uint256 sharesMinted) {
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
        // Consuming the nonce first: a reverting migration also reverts this.
        uint256 nonce = _useNonce(account);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(MIGRATE_TYPEHASH, account, oldVault, newVault, shares, minSharesOut, nonce, deadline))
        );
        if (!SignatureChecker.isValidSignatureNowCalldata(account, digest, signature)) revert InvalidSignature(account);
        return _migrate(account, oldVault, newVault, shares, minSharesOut);
    }

    /// @notice The EIP-712 digest `account` signs for `migrateWithSig` with their current nonce.
    function migrateDigest(
        address account,
        address oldVault,
        address newVault,
        uint256 shares,
        uint256 minSharesOut,
        uint256 deadline
    ) external view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(MIGRATE_TYPEHASH, account, oldVault, newVault, shares, minSharesOut, nonces(account), deadline)
            )
        );
    }

    /// @notice The EIP-712 domain separator.
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internal

    function _migrate(address account, address oldVault, address newVault, uint256 shares, uint256 minSharesOut)
        private
        returns (uint256 sharesMinted)
    {
        if (!isRoute[oldVault][newVault]) revert RouteNotEnabled(oldVault, newVault);
        if (shares == ALL_SHARES) shares = IERC20(oldVault).balanceOf(account);
        if (shares == 0) revert ZeroShares();

        IERC20 asset = IERC20(IERC4626(newVault).asset());
        // Measure what actually arrived: fee-on-transfer assets or a vault that
        // misreports its return value must not make us deposit more than we hold.
        uint256 before = asset.balanceOf(address(this));
        IMigratableVault(oldVault).migratePosition(account, shares);
        uint256 received = asset.balanceOf(address(this)) - before;
        if (received == 0) revert NothingMigrated(oldVault, account, shares);

        // Check the owner's balance, not the return value, for the slippage bound.
        uint256 sharesBefore = IERC20(newVault).balanceOf(account);
        asset.forceApprove(newVault, received);
        IERC4626(newVault).deposit(received, account);
        sharesMinted = IERC20(newVault).balanceOf(account) - sharesBefore;
        if (sharesMinted < minSharesOut || sharesMinted == 0) revert SlippageExceeded(sharesMinted, minSharesOut);
        // A vault that pulled less than approved must not keep a dangling allowance.
        if (asset.allowance(address(this), newVault) != 0) asset.forceApprove(newVault, 0);

        emit PositionMigrated(account, oldVault, newVault, shares, received, sharesMinted, msg.sender);
    }
}
