// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Breakable} from "../../breaker/Breakable.sol";
import {Scopes} from "../../breaker/Scopes.sol";

/// @title DrillRewardsDistributor — DELIBERATELY VULNERABLE, for the `slow-drip-under-thresholds` drill only.
/// @notice A rewards reservoir modelled on Compound's Proposal 062 bug (2021-09-29, ~$80M of COMP
/// distributed in error): eligible accounts claim a small entitlement, but a comparison bug
/// (`>` instead of `>=`) never marks a claim for the current epoch as spent, so every eligible
/// account can claim again, block after block. Every single claim is small and ordinary-looking
/// (below any per-transaction threshold); only the sustained outflow gives it away.
contract DrillRewardsDistributor is Breakable {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    uint64 public epoch = 1;
    mapping(address => uint256) public entitlement;
    mapping(address => uint64) public claimedEpoch;

    event Claimed(address indexed account, uint256 amount, uint64 epoch);

    error NothingToClaim(address account);
    error AlreadyClaimed(address account, uint64 epoch);

    constructor(IERC20 token_, address admin, uint64 maxPause, uint64 grace) Breakable(admin, maxPause, grace) {
        token = token_;
    }

    function setEntitlement(address account, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        entitlement[account] = amount;
    }

    /// @notice Claim this epoch's entitlement (an exit: pause + limiter).
    function claim() external returns (uint256 amount) {
        amount = entitlement[msg.sender];
        if (amount == 0) revert NothingToClaim(msg.sender);
        // THE BUG: should be `claimedEpoch[msg.sender] >= epoch`.
        if (claimedEpoch[msg.sender] > epoch) revert AlreadyClaimed(msg.sender, epoch);
        claimedEpoch[msg.sender] = epoch;
        (uint256 payNow, uint256 queueId) =
            _guardOutflow(Scopes.WITHDRAW, address(token), amount, msg.sender, msg.sender, address(this));
        if (payNow != 0) token.safeTransfer(msg.sender, payNow);
        if (queueId != 0) token.safeTransfer(address(outflowEscrow), amount - payNow);
        emit Claimed(msg.sender, amount, epoch);
    }

    function _transferOutAsset(address asset, address to, uint256 amount) internal override {
        IERC20(asset).safeTransfer(to, amount);
    }
}
