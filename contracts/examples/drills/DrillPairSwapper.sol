// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IUniswapV2PairLike} from "./UniV2SpotOracle.sol";

/// @title DrillPairSwapper
/// @notice DRILL ONLY. The one router function the drill needs: an exact-input swap on a
/// Uniswap V2 pair (the pair itself is the real Uniswap v2-core contract), with the V2 fee
/// formula (0.3%) and a minimum output. Holds nothing between calls.
contract DrillPairSwapper {
    using SafeERC20 for IERC20;

    error NotInPair(address token);
    error InsufficientOutput(uint256 amountOut, uint256 minOut);

    /// @notice Swap `amountIn` of `tokenIn` (pulled from the caller) for the pair's other token,
    /// sent to `to`; reverts below `minOut`.
    function swapExactIn(IUniswapV2PairLike pair, address tokenIn, uint256 amountIn, uint256 minOut, address to)
        external
        returns (uint256 amountOut)
    {
        address t0 = pair.token0();
        bool zeroForOne = tokenIn == t0;
        if (!zeroForOne && tokenIn != pair.token1()) revert NotInPair(tokenIn);
        (uint112 r0, uint112 r1,) = pair.getReserves();
        (uint256 rIn, uint256 rOut) = zeroForOne ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        uint256 inWithFee = amountIn * 997;
        amountOut = inWithFee * rOut / (rIn * 1000 + inWithFee);
        if (amountOut < minOut) revert InsufficientOutput(amountOut, minOut);
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(pair), amountIn);
        pair.swap(zeroForOne ? 0 : amountOut, zeroForOne ? amountOut : 0, to, "");
    }
}
