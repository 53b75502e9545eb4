// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IPauseGate} from "./IPauseGate.sol";
import {PauseAdapters} from "./PauseAdapters.sol";

/// @title PauseGate
/// @notice Holds a deployed protocol's pause permission; the keeper's sentinel key can trigger
/// one bounded, expiring pause of a registered target through it, never more. See IPauseGate.
///
/// Wiring: deploy with `admin` = the GuardianMultisig; on the multisig allow-list (SetCallAllowed)
/// the gate's admin selectors for the `Call` kind; grant the gate the protocol's pause role
/// (PAUSER_ROLE, an AccessManager role for setTargetClosed, Aave's EMERGENCY_ADMIN...).
///
/// Invariants: the sentinel causes at most one pause per arming; a gate pause lasts at most its
/// target's maxDuration unless the admin extends it; once expired, `release()` by anyone
/// succeeds when the gate holds the unpause permission.
contract PauseGate is IPauseGate {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Longest a target's sentinel pause may be registered for.
    uint64 public constant MAX_PAUSE_DURATION = 30 days;
    /// @notice The admin may extend a pause to at most this far from now.
    uint64 public constant MAX_EXTENSION = 30 days;
    /// @notice Longest cooldown between two sentinel pauses.
    uint64 public constant MAX_COOLDOWN = 30 days;

    // Packed so that a sentinel pause writes one slot for its own state: (sentinel, lastPauseAt, armed).
    address private _admin;
    uint64 private _cooldown;
    address private _sentinel;
    uint64 private _lastPauseAt;
    bool private _armed;

    EnumerableSet.AddressSet private _targetSet;
    mapping(address => TargetConfig) private _targets;
    mapping(address => GatePause) private _pauses;

    modifier onlyAdmin() {
        if (msg.sender != _admin) revert NotAdmin(msg.sender);
        _;
    }

    /// @param admin_ the guardian multisig (or any account the protocol trusts with the slow path)
    /// @param sentinel_ the keeper's hot key (may be zero: set it later with setSentinel)
    /// @param cooldown_ minimum time between two sentinel pauses
    constructor(address admin_, address sentinel_, uint64 cooldown_) {
        if (admin_ == address(0)) revert ZeroAddress("admin");
        if (cooldown_ > MAX_COOLDOWN) revert CooldownOutOfBounds(cooldown_, MAX_COOLDOWN);
        _admin = admin_;
        _sentinel = sentinel_;
        _cooldown = cooldown_;
        emit AdminChanged(address(0), admin_);
        emit SentinelSet(sentinel_, cooldown_);
    }

    // ================================================================ admin (slow path)

    /// @inheritdoc IPauseGate
    function setAdmin(address newAdmin) external onlyAdmin {
        if (newAdmin == address(0)) revert ZeroAddress("newAdmin");
        if (newAdmin == address(this)) revert GateItself("newAdmin");
        emit AdminChanged(_admin, newAdmin);
        _admin = newAdmin;
    }

    /// @inheritdoc IPauseGate
    function setSentinel(address sentinel_, uint64 cooldown_) external onlyAdmin {
        if (cooldown_ > MAX_COOLDOWN) revert CooldownOutOfBounds(cooldown_, MAX_COOLDOWN);
        if (_armed) {
            _armed = false;
            emit SentinelDisarmed(_sentinel);
        }
        _sentinel = sentinel_;
        _cooldown = cooldown_;
        emit SentinelSet(sentinel_, cooldown_);
    }

    /// @inheritdoc IPauseGate
    function armSentinel() external onlyAdmin {
        if (_sentinel == address(0)) revert ZeroAddress("sentinel");
        if (_armed) revert SentinelAlreadyArmed();
        _armed = true;
        emit SentinelArmed(_sentinel);
    }

    /// @inheritdoc IPauseGate
    function disarmSentinel() external onlyAdmin {
        if (!_armed) revert SentinelNotArmed();
        _armed = false;
        emit SentinelDisarmed(_sentinel);
    }

    /// @inheritdoc IPauseGate
    function registerPausable(address target, uint64 maxDuration, bool holdsUnpause) external onlyAdmin {
        (bytes memory p, bytes memory u, bytes memory s) = PauseAdapters.pausable();
        _register(target, Adapter.Pausable, target, maxDuration, holdsUnpause, p, u, s);
    }

    /// @inheritdoc IPauseGate
    function registerAccessManaged(address manager, address target, uint64 maxDuration, bool holdsUnpause)
        external
        onlyAdmin
    {
        if (manager == address(0)) revert ZeroAddress("manager");
        (bytes memory p, bytes memory u, bytes memory s) = PauseAdapters.accessManaged(target);
        _register(target, Adapter.AccessManager, manager, maxDuration, holdsUnpause, p, u, s);
    }

    /// @inheritdoc IPauseGate
    function registerSelectorPair(address target, bytes calldata pauseCall, bytes calldata unpauseCall, uint64 maxDuration)
        external
        onlyAdmin
    {
        if (pauseCall.length < 4) revert EmptyPauseCall(target);
        bool holdsUnpause = unpauseCall.length >= 4;
        _register(target, Adapter.SelectorPair, target, maxDuration, holdsUnpause, pauseCall, holdsUnpause ? unpauseCall : bytes(""), "");
    }

    /// @inheritdoc IPauseGate
    function deregister(address target) external onlyAdmin {
        if (_targets[target].adapter == Adapter.None) revert TargetNotRegistered(target);
        uint64 expiry = _pauses[target].expiry;
        if (expiry != 0) revert TargetHasActivePause(target, expiry);
        delete _targets[target];
        _targetSet.remove(target);
        emit TargetDeregistered(target);
    }

    /// @inheritdoc IPauseGate
    function extendPause(address target, uint64 newExpiry) external onlyAdmin {
        GatePause storage p = _pauses[target];
        uint64 previous = p.expiry;
        if (previous == 0) revert NoGatePause(target);
        uint64 max = uint64(block.timestamp) + MAX_EXTENSION;
        if (newExpiry <= previous || newExpiry > max) revert ExpiryOutOfBounds(target, newExpiry, previous + 1, max);
        p.expiry = newExpiry;
        p.extended = true;
        emit PauseExtended(target, previous, newExpiry);
    }

    /// @inheritdoc IPauseGate
    function endPause(address target) external onlyAdmin {
        if (_pauses[target].expiry == 0) revert NoGatePause(target);
        _end(target, false);
    }

    // ================================================================ sentinel (fast path)

    /// @inheritdoc IPauseGate
    function sentinelPause(address target, uint64 duration) external {
        address sentinel = _sentinel;
        if (msg.sender != sentinel || sentinel == address(0)) revert NotSentinel(msg.sender, sentinel);
        if (!_armed) revert SentinelNotArmed();
        uint64 nowTime = uint64(block.timestamp);
        uint64 readyAt = _readyAt();
        if (nowTime < readyAt) revert SentinelCoolingDown(readyAt, nowTime);
        TargetConfig storage t = _targets[target];
        if (t.adapter == Adapter.None) revert TargetNotRegistered(target);
        if (duration == 0 || duration > t.maxDuration) revert DurationOutOfBounds(target, duration, t.maxDuration);
        uint64 active = _pauses[target].expiry;
        if (active != 0) revert AlreadyPausedByGate(target, active);

        uint64 expiry = nowTime + duration;
        _armed = false;
        _lastPauseAt = nowTime;
        _pauses[target] = GatePause({pausedAt: nowTime, expiry: expiry, extended: false});
        emit SentinelPaused(target, sentinel, expiry);
        if (!t.canRelease) emit ReleaseUnavailable(target, expiry);

        PauseAdapters.callTarget(t.callee, t.pauseCall);
    }

    // ======================================================================= anyone

    /// @inheritdoc IPauseGate
    function release(address target) external {
        uint64 expiry = _pauses[target].expiry;
        if (expiry == 0) revert NoGatePause(target);
        if (block.timestamp < expiry) revert PauseNotExpired(target, expiry, uint64(block.timestamp));
        if (!_targets[target].canRelease) revert CannotRelease(target);
        _end(target, true);
    }

    // ======================================================================== views

    /// @inheritdoc IPauseGate
    function admin() external view returns (address) {
        return _admin;
    }

    /// @inheritdoc IPauseGate
    function sentinelState()
        external
        view
        returns (address sentinel, bool armed, uint64 cooldown, uint64 lastPauseAt, uint64 readyAt)
    {
        return (_sentinel, _armed, _cooldown, _lastPauseAt, _readyAt());
    }

    /// @inheritdoc IPauseGate
    function targetConfig(address target) external view returns (TargetConfig memory) {
        return _targets[target];
    }

    /// @inheritdoc IPauseGate
    function targets() external view returns (address[] memory) {
        return _targetSet.values();
    }

    /// @inheritdoc IPauseGate
    function gatePause(address target) external view returns (GatePause memory) {
        return _pauses[target];
    }

    /// @inheritdoc IPauseGate
    function canRelease(address target) external view returns (bool) {
        return _targets[target].canRelease;
    }

    /// @inheritdoc IPauseGate
    function isReleasable(address target) external view returns (bool) {
        uint64 expiry = _pauses[target].expiry;
        return expiry != 0 && block.timestamp >= expiry && _targets[target].canRelease;
    }

    /// @inheritdoc IPauseGate
    function targetPaused(address target) external view returns (bool known, bool paused) {
        TargetConfig storage t = _targets[target];
        return PauseAdapters.readState(t.callee, t.stateCall);
    }

    // ===================================================================== internals

    function _readyAt() private view returns (uint64) {
        return _lastPauseAt == 0 ? 0 : _lastPauseAt + _cooldown;
    }

    function _register(
        address target,
        Adapter adapter,
        address callee,
        uint64 maxDuration,
        bool holdsUnpause,
        bytes memory pauseCall,
        bytes memory unpauseCall,
        bytes memory stateCall
    ) private {
        if (target == address(0)) revert ZeroAddress("target");
        if (target == address(this) || callee == address(this)) revert GateItself("target");
        if (_targets[target].adapter != Adapter.None) revert TargetAlreadyRegistered(target);
        if (maxDuration == 0 || maxDuration > MAX_PAUSE_DURATION) {
            revert MaxDurationOutOfBounds(target, maxDuration, MAX_PAUSE_DURATION);
        }
        _targets[target] = TargetConfig({
            adapter: adapter,
            callee: callee,
            maxDuration: maxDuration,
            canRelease: holdsUnpause,
            pauseCall: pauseCall,
            unpauseCall: holdsUnpause ? unpauseCall : bytes(""),
            stateCall: stateCall
        });
        _targetSet.add(target);
        emit TargetRegistered(target, adapter, callee, maxDuration, holdsUnpause);
    }

    /// @dev Clear the record, then unpause if the gate can and the target is not already unpaused
    /// (the protocol's admin may have lifted it: OZ `unpause()` would revert on an unpaused target).
    function _end(address target, bool byExpiry) private {
        delete _pauses[target];
        TargetConfig storage t = _targets[target];
        bool call = t.canRelease;
        if (call) {
            (bool known, bool paused) = PauseAdapters.readState(t.callee, t.stateCall);
            if (known && !paused) call = false;
        }
        emit PauseEnded(target, msg.sender, byExpiry, call);
        if (call) PauseAdapters.callTarget(t.callee, t.unpauseCall);
    }
}
