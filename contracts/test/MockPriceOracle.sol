// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPriceOracle} from "../examples/ProtectedLendingMarket.sol";

/// @notice Test-only oracle with a settable price (debt per collateral, 1e18-scaled).
contract MockPriceOracle is IPriceOracle {
    uint256 public price;

    event PriceSet(uint256 price);

    constructor(uint256 price_) {
        price = price_;
    }

    /// @notice Set the price anyone reads. Test-only: no access control.
    function setPrice(uint256 price_) external {
        price = price_;
        emit PriceSet(price_);
    }
}
