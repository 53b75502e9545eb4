// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IPauseGate
/// @notice A PauseGate holds a deployed protocol's pause permission (OpenZeppelin `Pausable`
/// with a PAUSER role, an OpenZeppelin `AccessManager` admin role for `setTargetClosed`, Aave V3's
/// EMERGENCY_ADMIN, a bespoke `setPaused(bool)`...) so that the keeper's hot key never does.
/// Lido GateSeal's idea made general:
///  - the **admin** (the GuardianMultisig, through its slow-path `Call` kind with the gate's
///    selectors allow-listed) registers targets, sets and arms the sentinel, extends a pause or
///    ends it early;
///  - the **sentinel** (the keeper's hot key) may trigger ONE pause per arming, of a registered
///    target, for at most that target's `maxDuration`, and not again before the cooldown since
///    its last pause has passed;
///  - every gate pause carries an expiry; once it has passed **anyone** may `release()` it, when
///    the gate also holds the unpause permission (`canRelease`). When it does not, the gate says
///    so in `canRelease()` and in a `ReleaseUnavailable` event at pause time: only the protocol's
///    own admin can lift such a pause.
interface IPauseGate {
    /// @notice How the gate pauses and unpauses a target.
    enum Adapter {
        None, // not registered
        Pausable, // target.pause() / target.unpause(); state: target.paused()
        AccessManager, // manager.setTargetClosed(target, true/false); state: manager.isTargetClosed(target)
        SelectorPair // target.call(pauseCall) / target.call(unpauseCall); no state view
    }

    /// @notice A registered target. `callee` is the contract the gate calls (the target itself,
    /// or its AccessManager).
    struct TargetConfig {
        Adapter adapter;
        address callee;
        uint64 maxDuration;
        bool canRelease;
        bytes pauseCall;
        bytes unpauseCall;
        bytes stateCall;
    }

    /// @notice A pause the gate caused (expiry 0 = none active).
    struct GatePause {
        uint64 pausedAt;
        uint64 expiry;
        bool extended;
    }

    // ----------------------------------------------------------------- events

    event AdminChanged(address indexed previousAdmin, address indexed newAdmin);
    event SentinelSet(address indexed sentinel, uint64 cooldown);
    event SentinelArmed(address indexed sentinel);
    event SentinelDisarmed(address indexed sentinel);
    event TargetRegistered(
        address indexed target, Adapter adapter, address callee, uint64 maxDuration, bool canRelease
    );
    event TargetDeregistered(address indexed target);
    /// @notice The sentinel paused `target` until `expiry` (its arming is used up).
    event SentinelPaused(address indexed target, address indexed sentinel, uint64 expiry);
    /// @notice Emitted with a pause the gate cannot undo: it lacks the unpause permission, so
    /// after `expiry` only the protocol's own admin can unpause `target`.
    event ReleaseUnavailable(address indexed target, uint64 expiry);
    event PauseExtended(address indexed target, uint64 previousExpiry, uint64 newExpiry);
    /// @notice A gate pause ended: `byExpiry` = released by anyone after expiry, else ended
    /// early by the admin; `unpauseCalled` = the gate called the target's unpause.
    event PauseEnded(address indexed target, address indexed caller, bool byExpiry, bool unpauseCalled);

    // ----------------------------------------------------------------- errors

    error NotAdmin(address caller);
    error NotSentinel(address caller, address sentinel);
    error ZeroAddress(string field);
    /// @notice `field` may not be the gate itself (it would let the gate call its own admin functions).
    error GateItself(string field);
    error SentinelNotArmed();
    error SentinelAlreadyArmed();
    error SentinelCoolingDown(uint64 readyAt, uint64 nowTime);
    error CooldownOutOfBounds(uint64 cooldown, uint64 max);
    error TargetNotRegistered(address target);
    error TargetAlreadyRegistered(address target);
    error TargetHasActivePause(address target, uint64 expiry);
    error MaxDurationOutOfBounds(address target, uint64 maxDuration, uint64 max);
    error DurationOutOfBounds(address target, uint64 duration, uint64 maxDuration);
    error AlreadyPausedByGate(address target, uint64 expiry);
    error NoGatePause(address target);
    error PauseNotExpired(address target, uint64 expiry, uint64 nowTime);
    error CannotRelease(address target);
    error ExpiryOutOfBounds(address target, uint64 newExpiry, uint64 min, uint64 max);
    error EmptyPauseCall(address target);
    error TargetCallFailed(address callee, bytes4 selector, bytes reason);

    // -------------------------------------------------------------- admin (slow path)

    /// @notice Hand the admin role to `newAdmin` (e.g. a new multisig). Admin only.
    function setAdmin(address newAdmin) external;

    /// @notice Set the sentinel (the keeper's hot key) and the minimum time between two of its
    /// pauses. Disarms the gate: a new sentinel starts unarmed. Admin only.
    function setSentinel(address sentinel, uint64 cooldown) external;

    /// @notice Arm the sentinel for exactly one pause. Admin only.
    function armSentinel() external;

    /// @notice Take the sentinel's unused arming away. Admin only.
    function disarmSentinel() external;

    /// @notice Register an OpenZeppelin `Pausable` target: the gate calls `target.pause()` and,
    /// if `holdsUnpause`, `target.unpause()`. Admin only.
    /// @param holdsUnpause the gate was granted the role that may call `unpause()` as well
    function registerPausable(address target, uint64 maxDuration, bool holdsUnpause) external;

    /// @notice Register a target governed by an OpenZeppelin `AccessManager`: the gate calls
    /// `manager.setTargetClosed(target, true)` (and `false` to release, if `holdsUnpause`). The
    /// gate must be granted a role allowed to call `setTargetClosed` on the manager. Admin only.
    function registerAccessManaged(address manager, address target, uint64 maxDuration, bool holdsUnpause)
        external;

    /// @notice Register any pause / unpause pair of calls on `target` (e.g. Aave V3
    /// `PoolConfigurator.setPoolPause(true)` / `(false)`, Compound-style `_setPauseGuardian`
    /// flags, a bespoke `setPaused(bool)`). An empty `unpauseCall` means the gate cannot release.
    /// Admin only.
    function registerSelectorPair(address target, bytes calldata pauseCall, bytes calldata unpauseCall, uint64 maxDuration)
        external;

    /// @notice Forget `target`. Refused while a gate pause of it is active. Admin only.
    function deregister(address target) external;

    /// @notice Move the expiry of the active gate pause of `target` to `newExpiry`, later than
    /// the current one and at most MAX_EXTENSION from now. Admin only.
    function extendPause(address target, uint64 newExpiry) external;

    /// @notice End the active gate pause of `target` before its expiry; calls the target's
    /// unpause if the gate holds it and the target is still paused. Admin only.
    function endPause(address target) external;

    // ---------------------------------------------------------------- sentinel (fast path)

    /// @notice Pause `target` for `duration` seconds (1..maxDuration). Uses up the arming.
    function sentinelPause(address target, uint64 duration) external;

    // ---------------------------------------------------------------------- anyone

    /// @notice After its expiry, undo the gate's pause of `target` (when `canRelease(target)`).
    function release(address target) external;

    // ----------------------------------------------------------------------- views

    /// @notice The account allowed to manage the gate (the guardian multisig).
    function admin() external view returns (address);

    /// @notice Sentinel, whether it is armed, its cooldown, its last pause time, and when it may
    /// pause again (0 = now, if armed).
    function sentinelState()
        external
        view
        returns (address sentinel, bool armed, uint64 cooldown, uint64 lastPauseAt, uint64 readyAt);

    /// @notice The registration of `target` (adapter None = not registered).
    function targetConfig(address target) external view returns (TargetConfig memory);

    /// @notice Every registered target.
    function targets() external view returns (address[] memory);

    /// @notice The gate's pause of `target` (expiry 0 = none).
    function gatePause(address target) external view returns (GatePause memory);

    /// @notice Whether the gate can undo its pauses of `target` (it holds the unpause permission).
    function canRelease(address target) external view returns (bool);

    /// @notice Whether `release(target)` would be accepted now (active, expired, releasable).
    function isReleasable(address target) external view returns (bool);

    /// @notice The target's own pause state read through its adapter's view: `known` is false
    /// for adapters without one (SelectorPair) or when the view call fails.
    function targetPaused(address target) external view returns (bool known, bool paused);
}
