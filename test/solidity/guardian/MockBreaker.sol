// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICircuitBreaker} from "../../../contracts/breaker/ICircuitBreaker.sol";

/// @notice Recording breaker for the guardian unit/invariant tests: every admin call
/// succeeds and is counted by selector; limitOf returns what setLimit stored.
contract MockBreaker is ICircuitBreaker {
    mapping(bytes4 => uint256) public calls;
    mapping(address => LimitConfig) private _limits;
    mapping(address => bool) public known;

    function _rec() private {
        calls[msg.sig] += 1;
    }

    function pause(bytes32, uint64) external { _rec(); }
    function freezeAsset(address) external { _rec(); }
    function quarantine(address) external { _rec(); }
    function lowerLimit(address asset, uint256 cap) external { _rec(); _limits[asset].maxCapacity = cap; }
    function vetoQueuedOutflow(uint256) external { _rec(); }
    function unpause(bytes32) external { _rec(); }
    function extendPause(bytes32, uint64) external { _rec(); }
    function unfreezeAsset(address) external { _rec(); }
    function release(address) external { _rec(); }
    function extendFreeze(address, uint64) external { _rec(); }
    function extendQuarantine(address, uint64) external { _rec(); }
    /// @dev Every restriction looks active and started at time 1, so restorative actions queue.
    function restrictionOf(uint8, bytes32) external pure returns (uint64, uint64) { return (type(uint64).max, 1); }
    function setLimit(address asset, LimitConfig calldata c) external { _rec(); _limits[asset] = c; known[asset] = true; }
    function setSentinel(address, uint64, uint64) external { _rec(); }
    function armSentinel() external { _rec(); }
    function setPauseBounds(uint64, uint64) external { _rec(); }
    function sentinelPause(bytes32, uint64) external { _rec(); }
    function claimQueuedOutflow(uint256) external { _rec(); }
    function refreshAlarm() external { _rec(); }
    function isPaused(bytes32) external pure returns (bool) { return false; }
    function pausedUntil(bytes32) external pure returns (uint64) { return 0; }
    function inGracePeriod(bytes32) external pure returns (bool) { return false; }
    function isFrozen(address) external pure returns (bool) { return false; }
    function isQuarantined(address) external pure returns (bool) { return false; }
    function limitOf(address asset) external view returns (LimitConfig memory) {
        require(known[asset], "unknown asset");
        return _limits[asset];
    }
    function availableCapacity(address) external pure returns (uint256) { return 0; }
    function queuedOutflow(uint256) external pure returns (QueuedOutflow memory q) { return q; }
    function queuedTotal(address) external pure returns (uint256) { return 0; }
    function assets() external pure returns (address[] memory a) { return a; }
    function sentinelState() external pure returns (address, bool, uint64, uint64, uint64) { return (address(0), false, 0, 0, 0); }
    function pauseBounds() external pure returns (uint64, uint64) { return (0, 0); }
}
