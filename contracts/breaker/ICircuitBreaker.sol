// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICircuitBreaker
/// @notice The administrative surface shared by the `Breakable` mixin and the
/// standalone `CircuitBreaker`. The guardian multisig, the keeper's sentinel key
/// and the operator tasks talk to a breaker only through this interface.
///
/// Roles: EMERGENCY_ROLE (fast, safe direction: pause, freeze, quarantine,
/// lower a limit, veto a queued outflow); RECOVERY_ROLE (slow, risky direction:
/// unpause early, extend, unfreeze, release, set/raise limits, sentinel and
/// bounds); the sentinel address may make one bounded pause per arming.
/// Every fast-path restriction (pause, freeze, quarantine) expires within
/// maxPauseDuration; only RECOVERY_ROLE extends one. A fast veto of a queued
/// outflow restores the recipient's entitlement in the protected contract.
interface ICircuitBreaker {
    /// @notice What happens when an outflow exceeds the remaining capacity.
    enum BreachMode {
        Revert, // the whole outflow reverts
        Queue // the allowed part is paid now, the excess is queued for delayed settlement
    }

    /// @notice Outflow limit of one asset. Capacity refills continuously:
    /// `maxCapacity / window` per second, up to `maxCapacity`.
    struct LimitConfig {
        uint256 maxCapacity; // token units, 0 < maxCapacity <= 2^96-1
        uint64 window; // seconds for a full refill, MIN_WINDOW..MAX_WINDOW
        uint256 minTvl; // below this TVL the limit does not apply (0 = always applies)
        BreachMode mode;
        uint64 settlementDelay; // Queue mode: delay before a queued outflow is claimable
        bool inflowCredit; // inflows restore capacity (up to maxCapacity)
    }

    /// @notice An outflow held back by the limiter.
    struct QueuedOutflow {
        address source; // the protected contract that owes the tokens
        bytes32 scope; // the function group it left through: its pause also holds the claim
        address asset;
        address recipient;
        uint96 amount;
        uint40 claimableAt;
        bool settled; // claimed or vetoed
        bool vetoed;
    }

    // ---- fast path (EMERGENCY_ROLE) ----
    function pause(bytes32 scope, uint64 duration) external;
    function freezeAsset(address asset) external;
    function quarantine(address account) external;
    function lowerLimit(address asset, uint256 newMaxCapacity) external;
    function vetoQueuedOutflow(uint256 id) external;

    // ---- slow path (RECOVERY_ROLE) ----
    function unpause(bytes32 scope) external;
    function extendPause(bytes32 scope, uint64 duration) external;
    function unfreezeAsset(address asset) external;
    function release(address account) external;
    function extendFreeze(address asset, uint64 duration) external;
    function extendQuarantine(address account, uint64 duration) external;
    function setLimit(address asset, LimitConfig calldata config) external;
    function setSentinel(address sentinel, uint64 maxDuration, uint64 cooldown) external;
    function armSentinel() external;
    function setPauseBounds(uint64 maxPauseDuration, uint64 gracePeriod) external;

    // ---- sentinel ----
    function sentinelPause(bytes32 scope, uint64 duration) external;

    // ---- anyone ----
    function claimQueuedOutflow(uint256 id) external;
    function refreshAlarm() external;

    // ---- views ----
    function isPaused(bytes32 scope) external view returns (bool);
    function pausedUntil(bytes32 scope) external view returns (uint64);
    /// @notice Restrictions carry (until, since); `since` identifies one, so the multisig binds
    /// a queued Unpause / UnfreezeAsset / Release to the restriction it was queued against.
    /// kind: 0 = pause (key = scope), 1 = freeze (key = asset), 2 = quarantine (key = account).
    function restrictionOf(uint8 kind, bytes32 key) external view returns (uint64 until, uint64 since);
    function inGracePeriod(bytes32 scope) external view returns (bool);
    function isFrozen(address asset) external view returns (bool);
    function isQuarantined(address account) external view returns (bool);
    function limitOf(address asset) external view returns (LimitConfig memory);
    function availableCapacity(address asset) external view returns (uint256);
    function queuedOutflow(uint256 id) external view returns (QueuedOutflow memory);
    function queuedTotal(address asset) external view returns (uint256);
    function assets() external view returns (address[] memory);
    function sentinelState()
        external
        view
        returns (address sentinel, bool armed, uint64 maxDuration, uint64 cooldown, uint64 lastPauseAt);
    function pauseBounds() external view returns (uint64 maxPauseDuration, uint64 gracePeriod);
}

/// @title IBreakableRescue
/// @notice Exposed by protected contracts that inherit `Breakable`: during an
/// incident the slow path moves a *frozen* asset out to the pre-set RescueVault.
interface IBreakableRescue {
    /// @notice Move `amount` of frozen `asset` to `rescueVault()`. RECOVERY_ROLE only.
    function rescueFrozen(address asset, uint256 amount) external;
    /// @notice Set the only address rescued funds may go to. RECOVERY_ROLE only.
    function setRescueVault(address vault) external;
    function rescueVault() external view returns (address);
}
