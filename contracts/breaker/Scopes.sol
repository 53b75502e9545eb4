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
    /// @dev Not pausable: the scope a migration's outflow is guarded under (pauses do not hold
    /// a migration; freezes, quarantines and the limiter do).
    bytes32 internal constant MIGRATION = keccak256("breakwater.scope.MIGRATION");

    /// @notice True for GLOBAL and the named function groups: the only non-asset scopes a
    /// breaker accepts for a pause (a pause of a scope nothing checks would be a wasted shot).
    function isKnown(bytes32 scope) internal pure returns (bool) {
        return scope == GLOBAL || scope == DEPOSIT || scope == WITHDRAW || scope == BORROW || scope == LIQUIDATION
            || scope == TRADE;
    }

    /// @notice The scope that pauses one asset.
    function asset(address token) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(token)));
    }

    /// @notice True if `scope` is an asset scope (an address left-padded with zeros).
    function isAsset(bytes32 scope) internal pure returns (bool) {
        return uint256(scope) >> 160 == 0 && scope != bytes32(0);
    }
}
