// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title PriceFeed
/// @notice A push oracle: one reporter key posts the collateral's price (8 decimals). The pool
/// trusts it, which is exactly what the incident drill attacks (a compromised reporter key).
contract PriceFeed is Ownable {
    address public reporter;
    uint256 private _price;
    uint256 private _updatedAt;

    event PriceUpdated(uint256 price, uint256 previous, address indexed reporter);
    event ReporterChanged(address indexed reporter);

    error NotReporter(address caller);
    error ZeroPrice();

    constructor(address owner_, address reporter_, uint256 price_) Ownable(owner_) {
        reporter = reporter_;
        _setPrice(price_);
    }

    /// @notice Post a new price (reporter only).
    function setPrice(uint256 price_) external {
        if (msg.sender != reporter) revert NotReporter(msg.sender);
        _setPrice(price_);
    }

    /// @notice Replace the reporter key (owner only).
    function setReporter(address reporter_) external onlyOwner {
        reporter = reporter_;
        emit ReporterChanged(reporter_);
    }

    /// @notice The last posted price and when it was posted.
    function latestPrice() external view returns (uint256 price, uint256 updatedAt) {
        return (_price, _updatedAt);
    }

    function _setPrice(uint256 price_) private {
        if (price_ == 0) revert ZeroPrice();
        emit PriceUpdated(price_, _price, msg.sender);
        _price = price_;
        _updatedAt = block.timestamp;
    }
}
