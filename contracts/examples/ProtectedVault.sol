// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Breakable} from "../breaker/Breakable.sol";
import {Scopes} from "../breaker/Scopes.sol";

/// @title ProtectedVault
/// @notice The reference integration: an ERC-4626 vault guarded by the inline breaker.
/// Copy this shape:
///  - deposit / mint are ENTRIES: `_guardInflow(DEPOSIT, ...)` blocks them while paused or
///    while the caller or the receiver is quarantined, and credits the limiter (flash-loan
///    round trips net out within the transaction);
///  - withdraw / redeem are EXITS: `_guardOutflow(WITHDRAW, ...)` checks pauses, freezes,
///    quarantines and the outflow limit; in Queue mode the excess waits for delayed settlement;
///  - the shares are the vault's own transferable claim: `transfer` / `transferFrom` call `_guardClaimTransfer`,
///    so a quarantined holder cannot move its shares to a fresh address that redeems;
///  - the queued excess moves to `outflowEscrow` at once, so `totalAssets()` stays a plain balance;
///    a fast veto re-mints the receiver's shares for it (`_restoreVetoedOutflow`): it delays, it
///    never confiscates;
///  - the migrator (set by the slow path) may move a user's position out while paused, within
///    the outflow limit and never for a quarantined owner (`_guardMigration`).
contract ProtectedVault is ERC4626, Breakable {
    using SafeERC20 for IERC20;

    address private _migrator;

    event MigratorSet(address indexed migrator);
    event PositionMigrated(address indexed owner, address indexed migrator, uint256 shares, uint256 assets);
    /// @notice A vetoed queued withdrawal came back: `shares` re-minted to `receiver` for `assets`.
    event WithdrawalRestored(uint256 indexed queueId, address indexed receiver, uint256 assets, uint256 shares);

    error NotMigrator(address caller);

    constructor(IERC20 asset_, string memory name_, string memory symbol_, address admin, uint64 maxPause, uint64 grace)
        ERC20(name_, symbol_)
        ERC4626(asset_)
        Breakable(admin, maxPause, grace)
    {}

    /// @notice The contract allowed to move positions out with the owner's consent.
    function migrator() external view returns (address) {
        return _migrator;
    }

    /// @notice Set the migrator (slow path). Zero disables migration.
    function setMigrator(address newMigrator) external onlyRole(RECOVERY_ROLE) {
        if (newMigrator != address(0) && newMigrator.code.length == 0) revert NotAContract(newMigrator);
        _migrator = newMigrator;
        emit MigratorSet(newMigrator);
    }

    /// @notice Burn `shares` of `owner` and send the assets to the migrator, which deposits
    /// them into the new vault for `owner`. Works while paused (that is its purpose) but not
    /// while the asset is frozen or the owner quarantined, and it counts against the outflow
    /// limit (above it: revert, migrate in parts). The migrator is responsible for consent.
    function migratePosition(address owner, uint256 shares) external returns (uint256 assets) {
        if (msg.sender != _migrator || msg.sender == address(0)) revert NotMigrator(msg.sender);
        address token = asset();
        assets = previewRedeem(shares);
        _guardMigration(token, assets, owner, msg.sender, address(this));
        _burn(owner, shares);
        emit PositionMigrated(owner, msg.sender, shares, assets);
        IERC20(token).safeTransfer(msg.sender, assets);
    }

    /// @dev Entry: blocked while paused; the inflow credits the limiter if so configured.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        _guardInflow(Scopes.DEPOSIT, asset(), assets, receiver); // and the caller (msg.sender)
        super._deposit(caller, receiver, assets, shares);
    }

    /// @dev Exit: pause / freeze / quarantine / limiter. In Queue mode the shares are burned in
    /// full, the headroom is paid now and the rest becomes a claim of `receiver`.
    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        if (caller != owner) _spendAllowance(owner, caller, shares);
        IERC20 token = IERC20(asset());
        (uint256 payNow, uint256 queueId) =
            _guardOutflow(Scopes.WITHDRAW, address(token), assets, owner, receiver, address(this));
        _burn(owner, shares);
        if (payNow != 0) token.safeTransfer(receiver, payNow);
        if (queueId != 0) _escrowQueued(address(token), assets - payNow);
        emit Withdraw(caller, receiver, owner, assets, shares);
    }

    /// @notice ERC-20 transfer of shares: refused while the sender or the receiver is
    /// quarantined (shares are the vault's own claim). Mints and burns are guarded by the
    /// deposit / withdrawal they belong to, so they skip this check.
    function transfer(address to, uint256 value) public override(ERC20, IERC20) returns (bool) {
        _guardClaimTransfer(msg.sender, msg.sender, to);
        return super.transfer(to, value);
    }

    /// @notice ERC-20 transferFrom of shares: refused while the spender, the owner or the
    /// receiver is quarantined.
    function transferFrom(address from, address to, uint256 value) public override(ERC20, IERC20) returns (bool) {
        _guardClaimTransfer(msg.sender, from, to);
        return super.transferFrom(from, to, value);
    }

    /// @dev A vetoed queued withdrawal: its assets are back in the vault; re-mint the receiver
    /// the shares they buy at the price before they came back (as a deposit of them would).
    function _restoreVetoedOutflow(uint256 id, QueuedOutflow memory q) internal override returns (bool) {
        uint256 assetsBefore = totalAssets() - q.amount;
        uint256 shares = Math.mulDiv(q.amount, totalSupply() + 10 ** _decimalsOffset(), assetsBefore + 1);
        _mint(q.recipient, shares);
        emit WithdrawalRestored(id, q.recipient, q.amount, shares);
        return true;
    }

    function _transferOutAsset(address token, address to, uint256 amount) internal override {
        IERC20(token).safeTransfer(to, amount);
    }
}
