// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Scopes} from "../breaker/Scopes.sol";
import {ProtectedVault} from "./ProtectedVault.sol";

/// @title VulnerableVault
/// @notice DELIBERATELY BROKEN: a ProtectedVault with an exploitable "emergency" exit, for keeper
/// drills and end-to-end tests (test/keeper/exploit.test.ts). NEVER DEPLOY IT.
///
/// The shape of a real "broken accounting" drain: an extra exit path written in a hurry that
///  1. has no allowance check: anyone may exit any owner's position, to any receiver;
///  2. never burns the owner's shares (the author meant a later `settle()` that was never
///     written): the assets leave while `totalSupply` stays, so every holder's share price drops
///     and the same position can be "exited" again and again.
/// It still goes through the breaker (`_guardOutflow(WITHDRAW, ...)`): a WITHDRAW (or GLOBAL)
/// pause stops it with ScopePaused, and each call must fit the outflow limit, so a drain split in
/// transactions under the limit passes the limiter: only the keeper's pause stops it.
contract VulnerableVault is ProtectedVault {
    using SafeERC20 for IERC20;

    constructor(IERC20 asset_, string memory name_, string memory symbol_, address admin, uint64 maxPause, uint64 grace)
        ProtectedVault(asset_, name_, symbol_, admin, maxPause, grace)
    {}

    /// @notice "Emergency" exit of `assets` from `owner`'s position to `receiver`. VULNERABLE (see above).
    function emergencyWithdraw(address owner, address receiver, uint256 assets) external returns (uint256 shares) {
        uint256 max = maxWithdraw(owner);
        if (assets > max) revert ERC4626ExceededMaxWithdraw(owner, assets, max);
        shares = previewWithdraw(assets);
        // BUG 1: no `_spendAllowance(owner, msg.sender, shares)` when msg.sender != owner.
        IERC20 token = IERC20(asset());
        (uint256 payNow, uint256 queueId) =
            _guardOutflow(Scopes.WITHDRAW, address(token), assets, owner, receiver, address(this));
        // BUG 2: no `_burn(owner, shares)`.
        if (payNow != 0) token.safeTransfer(receiver, payNow);
        if (queueId != 0) token.safeTransfer(address(outflowEscrow), assets - payNow);
        emit Withdraw(msg.sender, receiver, owner, assets, shares);
    }
}
