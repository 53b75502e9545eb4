// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMigratableVault} from "../IMigratableVault.sol";

/// @notice TEST ONLY. Stand-in for the example ProtectedVault: an OpenZeppelin
/// ERC-4626 vault with a pause flag and `migratePosition` for the migrator.
/// No access control on the setters beyond a single admin.
contract MockMigratableVault is ERC4626, IMigratableVault {
    using SafeERC20 for IERC20;

    address public immutable admin;
    address public migrator;
    bool public paused;

    error NotAdmin(address caller);
    error NotMigrator(address caller);
    error VaultPaused();

    constructor(IERC20 asset_, string memory name_, string memory symbol_) ERC20(name_, symbol_) ERC4626(asset_) {
        admin = msg.sender;
    }

    /// @notice Set the migrator (RECOVERY_ROLE in the real vault).
    function setMigrator(address m) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        migrator = m;
    }

    /// @notice Pause or unpause deposits and withdrawals.
    function setPaused(bool p) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        paused = p;
    }

    /// @notice Model an exploit: `amount` of the underlying leaves the vault.
    function simulateLoss(uint256 amount) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        IERC20(asset()).safeTransfer(admin, amount);
    }

    /// @inheritdoc IMigratableVault
    function migratePosition(address owner, uint256 shares) external returns (uint256 assets) {
        if (msg.sender != migrator) revert NotMigrator(msg.sender);
        // Works while paused on purpose: migration is the way out.
        assets = previewRedeem(shares);
        _burn(owner, shares);
        IERC20(asset()).safeTransfer(msg.sender, assets);
        emit Withdraw(msg.sender, msg.sender, owner, assets, shares);
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        if (paused) revert VaultPaused();
        super._deposit(caller, receiver, assets, shares);
    }

    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        if (paused) revert VaultPaused();
        super._withdraw(caller, receiver, owner, assets, shares);
    }
}
