// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title IMigratableVault
/// @notice What an ERC-4626 vault must expose so `PositionMigrator` can move
/// users' positions out of it, even while it is paused.
interface IMigratableVault is IERC4626 {
    /// @notice Burn `shares` of `owner` and transfer the underlying assets to
    /// `msg.sender`. Callable only by `migrator()`; works while paused and
    /// bypasses the outflow limiter (the assets go straight into a new vault).
    /// @return assets Underlying assets sent to the caller.
    function migratePosition(address owner, uint256 shares) external returns (uint256 assets);

    /// @notice The only address allowed to call `migratePosition` (set by RECOVERY_ROLE).
    function migrator() external view returns (address);
}
