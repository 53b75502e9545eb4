// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPriceOracle} from "../ProtectedLendingMarket.sol";

/// @title DrillPriceFeed
/// @notice DRILL ONLY. A push oracle (one reporter, Chainlink-like heartbeat) that can FAIL the
/// way real feeds do: the reporter stops pushing and the last price goes stale while the market
/// moves. `price()` refuses a price older than `maxAge` — but inside that window a stale price
/// is served as if it were current, which is the window an opportunist exploits (borrowing
/// against collateral the feed still values at the pre-crash price). The keeper watches
/// `updatedAt()` against the reporter's heartbeat, far tighter than `maxAge`.
contract DrillPriceFeed is IPriceOracle {
    address public immutable reporter;
    /// @notice The oldest price `price()` still serves, in seconds.
    uint256 public immutable maxAge;
    /// @notice The last reported price (1e18-scaled), whatever its age.
    uint256 public latestPrice;
    /// @notice When it was reported.
    uint256 public updatedAt;

    event PriceReported(uint256 price, uint256 updatedAt);

    error NotReporter(address caller);
    error StalePrice(uint256 updatedAt, uint256 maxAge);
    error InvalidPrice(uint256 price);

    constructor(address reporter_, uint256 maxAge_, uint256 initialPrice) {
        reporter = reporter_;
        maxAge = maxAge_;
        _report(initialPrice);
    }

    /// @notice Push a new price (the reporter only).
    function report(uint256 newPrice) external {
        if (msg.sender != reporter) revert NotReporter(msg.sender);
        _report(newPrice);
    }

    /// @inheritdoc IPriceOracle
    function price() external view returns (uint256) {
        if (block.timestamp - updatedAt > maxAge) revert StalePrice(updatedAt, maxAge);
        return latestPrice;
    }

    /// @notice Seconds since the last report.
    function age() external view returns (uint256) {
        return block.timestamp - updatedAt;
    }

    function _report(uint256 newPrice) private {
        if (newPrice == 0) revert InvalidPrice(newPrice);
        latestPrice = newPrice;
        updatedAt = block.timestamp;
        emit PriceReported(newPrice, block.timestamp);
    }
}
