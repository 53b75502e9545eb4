// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPriceOracle} from "../ProtectedLendingMarket.sol";

/// @notice The part of a Uniswap V2 pair the oracle and the swapper read.
interface IUniswapV2PairLike {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

/// @title UniV2SpotOracle
/// @notice DRILL ONLY — deliberately vulnerable. Do not price real loans with it.
///
/// The price of `base` in `quote` units (1e18-scaled) read from a Uniswap V2 pair's CURRENT
/// reserves. THE BUG: a spot price is whatever the last swap left behind — one large swap moves
/// it arbitrarily, and the lending market that trusts it lends against the inflated value.
/// This is the oracle class behind Mango Markets (2022-10-11: MNGO pumped on thin spot markets,
/// then borrowed against) and many AMM-spot-oracle exploits. A safe oracle uses a TWAP over
/// `price{0,1}CumulativeLast` (or an external feed) and bounds its rate of change.
/// Both tokens must have the same decimals (the drill uses 18 and 18).
contract UniV2SpotOracle is IPriceOracle {
    IUniswapV2PairLike public immutable pair;
    address public immutable base;
    bool private immutable _baseIsToken0;

    error NotInPair(address token);
    error EmptyPair();

    constructor(IUniswapV2PairLike pair_, address base_) {
        pair = pair_;
        base = base_;
        if (pair_.token0() == base_) _baseIsToken0 = true;
        else if (pair_.token1() == base_) _baseIsToken0 = false;
        else revert NotInPair(base_);
    }

    /// @inheritdoc IPriceOracle
    /// @dev Spot: quote reserve / base reserve, 1e18-scaled. Manipulable within one transaction.
    function price() external view returns (uint256) {
        (uint112 r0, uint112 r1,) = pair.getReserves();
        (uint256 rb, uint256 rq) = _baseIsToken0 ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        if (rb == 0) revert EmptyPair();
        return rq * 1e18 / rb;
    }
}
