// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Breakable} from "../breaker/Breakable.sol";
import {Scopes} from "../breaker/Scopes.sol";

/// @notice Test-only: a user's own protocol contract that inlines the breaker, as a protocol team
/// would write it before running `breakwater deploy` on it. Any number of ERC-20s; each account's
/// balance per token; deposits are entries, withdrawals exits.
contract TestBreakableTreasury is Breakable {
    using SafeERC20 for IERC20;

    mapping(address token => mapping(address account => uint256)) public balanceOf;

    event Deposited(address indexed token, address indexed account, uint256 amount);
    event Withdrawn(address indexed token, address indexed account, uint256 amount, uint256 queueId);

    error InsufficientBalance(address token, address account, uint256 balance, uint256 amount);

    /// @param admin the deploying key: it wires the breaker, then hands every role to the multisig.
    constructor(address admin, uint64 maxPause, uint64 grace) Breakable(admin, maxPause, grace) {}

    /// @notice Deposit `amount` of `token` (an entry: blocked while DEPOSIT or GLOBAL is paused).
    function deposit(address token, uint256 amount) external {
        _guardInflow(Scopes.DEPOSIT, token, amount, msg.sender);
        balanceOf[token][msg.sender] += amount;
        emit Deposited(token, msg.sender, amount);
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Withdraw `amount` of `token` (an exit: pause, freeze, quarantine and outflow limit).
    function withdraw(address token, uint256 amount) external {
        uint256 bal = balanceOf[token][msg.sender];
        if (bal < amount) revert InsufficientBalance(token, msg.sender, bal, amount);
        balanceOf[token][msg.sender] = bal - amount;
        (uint256 payNow, uint256 queueId) =
            _guardOutflow(Scopes.WITHDRAW, token, amount, msg.sender, msg.sender, address(this));
        emit Withdrawn(token, msg.sender, amount, queueId);
        if (payNow != 0) IERC20(token).safeTransfer(msg.sender, payNow);
        if (queueId != 0) IERC20(token).safeTransfer(address(outflowEscrow), amount - payNow);
    }

    function _transferOutAsset(address token, address to, uint256 amount) internal override {
        IERC20(token).safeTransfer(to, amount);
    }
}
