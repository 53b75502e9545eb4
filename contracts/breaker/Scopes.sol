// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Scopes
/// @notice The one place where pause scopes are named. A scope is a `bytes32`:
/// the global scope, a function group, or an asset. Function-group scopes are
/// hashes of their names; an asset scope is the asset address left-padded, so
/// the two families can never collide.
library Scopes {
    bytes32 internal constant GLOBAL = keccak256("breakwater.scope.GLOBAL");
    bytes32 internal constant DEPOSIT = keccak256("breakwater.scope.DEPOSIT");
    bytes32 internal constant WITHDRAW = keccak256("breakwater.scope.WITHDRAW");
    bytes32 internal constant BORROW = keccak256("breakwater.scope.BORROW");
    bytes32 internal constant LIQUIDATION = keccak256("breakwater.scope.LIQUIDATION");
    bytes32 internal constant TRADE = keccak256("breakwater.scope.TRADE");

    /// @notice The scope that pauses one asset.
    function asset(address token) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(token)));
    }

    /// @notice True if `scope` is an asset scope (an address left-padded with zeros).
    function isAsset(bytes32 scope) internal pure returns (bool) {
        return uint256(scope) >> 160 == 0 && scope != bytes32(0);
    }
}
