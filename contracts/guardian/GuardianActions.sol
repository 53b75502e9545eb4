// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title GuardianActions
/// @notice Action kinds of the GuardianMultisig and the strict word-level
/// decoding of their arguments. Every kind's `data` is `abi.encode(args...)`
/// of the arguments listed below (except `Call`, whose `data` is the raw calldata
/// forwarded to `target`). Decoding is done word by word so malformed data is
/// reported with a custom error instead of an empty `abi.decode` revert.
///
/// | kind | name                | data                                                  | target      | default |
/// |------|---------------------|-------------------------------------------------------|-------------|---------|
/// | 0    | Pause               | (bytes32 scope, uint64 duration)                      | breaker     | fast    |
/// | 1    | FreezeAsset         | (address asset)                                       | breaker     | fast    |
/// | 2    | Quarantine          | (address account)                                     | breaker     | fast    |
/// | 3    | VetoOutflow         | (uint256 queuedOutflowId)                             | breaker     | fast    |
/// | 4    | LowerLimit          | policy slot only: a SetLimit that is strictly tighter | -           | fast    |
/// | 5    | Unpause             | (bytes32 scope)                                       | breaker     | slow    |
/// | 6    | ExtendPause         | (bytes32 scope, uint64 duration)                      | breaker     | slow    |
/// | 7    | UnfreezeAsset       | (address asset)                                       | breaker     | slow    |
/// | 8    | Release             | (address account)                                     | breaker     | slow    |
/// | 9    | SetLimit            | (address asset, LimitConfig config)                   | breaker     | slow*   |
/// | 10   | ArmSentinel         | () (empty)                                            | breaker     | slow    |
/// | 11   | SetSentinel         | (address sentinel, uint64 maxDuration, uint64 cooldown)| breaker    | slow    |
/// | 12   | SetPauseBounds      | (uint64 maxPauseDuration, uint64 gracePeriod)         | breaker     | slow    |
/// | 13   | Rescue              | (address asset, uint256 amount)                       | protected   | slow    |
/// | 14   | Call                | raw calldata (selector + args)                        | allow-listed| slow    |
/// | 15   | ChangeGuardians     | (address[] guardians)                                 | multisig    | slow    |
/// | 16   | ChangeThreshold     | (uint8 kind, uint16 threshold, uint64 delay)          | multisig    | slow    |
/// | 17   | ChangeVetoThreshold | (uint16 threshold)                                    | multisig    | slow    |
/// | 18   | SetHeartbeat        | (uint64 period)                                       | multisig    | slow    |
/// | 19   | SetCallAllowed      | (address target, bytes4 selector, bool allowed)       | multisig    | slow    |
/// | 20   | SetManaged          | (address target, bool managed)                        | multisig    | slow    |
///
/// *SetLimit runs under the LowerLimit policy (fast) when the contract finds the new
/// config strictly tighter than `breaker.limitOf(asset)`; otherwise under SetLimit. If the
/// LowerLimit policy has a delay, the check is repeated when the queued action executes.
///
/// Unpause, UnfreezeAsset and Release are bound when queued to the `since` of the restriction
/// active then (`breaker.restrictionOf`); they can be queued only while it
/// is active and revert RestrictionReplaced if a different one holds at execution.
/// A veto of ChangeGuardians does not count the guardians the change would remove.
library GuardianActions {
    uint8 internal constant PAUSE = 0;
    uint8 internal constant FREEZE_ASSET = 1;
    uint8 internal constant QUARANTINE = 2;
    uint8 internal constant VETO_OUTFLOW = 3;
    uint8 internal constant LOWER_LIMIT = 4;
    uint8 internal constant UNPAUSE = 5;
    uint8 internal constant EXTEND_PAUSE = 6;
    uint8 internal constant UNFREEZE_ASSET = 7;
    uint8 internal constant RELEASE = 8;
    uint8 internal constant SET_LIMIT = 9;
    uint8 internal constant ARM_SENTINEL = 10;
    uint8 internal constant SET_SENTINEL = 11;
    uint8 internal constant SET_PAUSE_BOUNDS = 12;
    uint8 internal constant RESCUE = 13;
    uint8 internal constant CALL = 14;
    uint8 internal constant CHANGE_GUARDIANS = 15;
    uint8 internal constant CHANGE_THRESHOLD = 16;
    uint8 internal constant CHANGE_VETO_THRESHOLD = 17;
    uint8 internal constant SET_HEARTBEAT = 18;
    uint8 internal constant SET_CALL_ALLOWED = 19;
    uint8 internal constant SET_MANAGED = 20;
    /// @dev Number of policy slots (kinds 0..KIND_COUNT-1).
    uint8 internal constant KIND_COUNT = 21;
    /// @dev Pseudo-kind naming the veto quorum in errors and events.
    uint8 internal constant VETO = 255;

    /// @notice Emergency (safe-direction) kinds: immediate, low threshold by default.
    function isEmergency(uint8 kind) internal pure returns (bool) {
        return kind <= LOWER_LIMIT;
    }

    /// @notice Restorative kinds: each ends one restriction, the one active when it was queued.
    function isRestorative(uint8 kind) internal pure returns (bool) {
        return kind == UNPAUSE || kind == UNFREEZE_ASSET || kind == RELEASE;
    }

    /// @notice Kinds acting on a breaker (target must be a managed breaker).
    function isBreakerKind(uint8 kind) internal pure returns (bool) {
        return kind <= SET_PAUSE_BOUNDS && kind != LOWER_LIMIT;
    }

    /// @notice Kinds that reconfigure the multisig itself (target must be the multisig).
    /// Their delay can never drop below MIN_ADMIN_DELAY, so a veto is always possible.
    function isAdmin(uint8 kind) internal pure returns (bool) {
        return kind >= CHANGE_GUARDIANS && kind < KIND_COUNT;
    }

    /// @notice Expected `data` length in words of a kind with static arguments
    /// (type(uint256).max for the dynamic ones: Call, ChangeGuardians).
    function staticWords(uint8 kind) internal pure returns (uint256) {
        if (kind == ARM_SENTINEL) return 0;
        if (kind == PAUSE || kind == EXTEND_PAUSE || kind == SET_PAUSE_BOUNDS || kind == RESCUE) return 2;
        if (kind == SET_MANAGED) return 2;
        if (kind == SET_LIMIT) return 7;
        if (kind == SET_SENTINEL || kind == CHANGE_THRESHOLD || kind == SET_CALL_ALLOWED) return 3;
        if (kind == CALL || kind == CHANGE_GUARDIANS) return type(uint256).max;
        return 1;
    }

    /// @notice Word `i` of `data` (caller checked the length).
    function word(bytes memory data, uint256 i) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(data, add(0x20, mul(i, 0x20))))
        }
    }

    /// @notice True if `w` fits in `bits` bits (the ABI's clean-high-bits rule).
    function fits(uint256 w, uint256 bits) internal pure returns (bool) {
        return w >> bits == 0;
    }
}
