// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICircuitBreaker} from "./ICircuitBreaker.sol";
import {Scopes} from "./Scopes.sol";

/// @title BreakerCore
/// @notice All circuit-breaker logic, shared by the `Breakable` mixin (inline in
/// the protected contract, cheapest) and the standalone `CircuitBreaker` (one
/// breaker for several protected contracts).
///
/// Invariants a reviewer should be able to hold in their head:
///  I1. A pause always has an expiry `until` <= pause time + maxPauseDuration;
///      only RECOVERY_ROLE moves it later (extendPause) or earlier (unpause).
///  I2. The sentinel pauses at most once per arming, for at most its own
///      maxDuration, and never twice within its cooldown. It can do nothing else.
///  I3. Within any interval, the outflow of an asset that the limiter allowed is
///      <= available capacity at its start + refill (maxCapacity/window per second)
///      + inflows credited in between.
///  I4. While an asset is frozen or its scope (or the global scope) is paused,
///      no outflow of it passes `_guardOutflow` and no queued outflow is paid.
///  I5. A queued outflow is settled (paid or vetoed) at most once.
///
/// Gas design: everything a guarded call reads in peace time sits in ONE slot
/// per asset (`AssetState`): capacity, limit, refill window, flags. Pauses and
/// quarantines raise an ALARM bit in every asset slot (and in the control
/// word); only when that bit is set does a guarded call read pause expiries
/// and quarantine flags. `refreshAlarm()` lowers the bit once nothing is paused.
abstract contract BreakerCore is ICircuitBreaker, AccessControl {
    bytes32 public constant EMERGENCY_ROLE = keccak256("EMERGENCY_ROLE");
    bytes32 public constant RECOVERY_ROLE = keccak256("RECOVERY_ROLE");

    /// @notice Absolute bounds on configuration, so no single bad value can
    /// make a pause eternal or a limit meaningless.
    uint64 public constant MAX_PAUSE_CAP = 30 days;
    uint64 public constant MIN_PAUSE = 1 minutes;
    uint64 public constant MAX_GRACE_PERIOD = 7 days;
    uint64 public constant MIN_WINDOW = 1 minutes;
    uint64 public constant MAX_WINDOW = 30 days;
    uint64 public constant MIN_SETTLEMENT_DELAY = 1 hours;
    uint64 public constant MAX_SETTLEMENT_DELAY = 30 days;
    uint64 public constant MAX_SENTINEL_COOLDOWN = 30 days;
    uint256 public constant MAX_ASSETS = 32;

    uint256 private constant MAX_U96 = 0xffffffffffffffffffffffff; // type(uint96).max
    uint8 private constant F_CONFIGURED = 1;
    uint8 private constant F_FROZEN = 2;
    uint8 private constant F_ALARM = 4;
    uint8 private constant F_INFLOW_CREDIT = 8;
    uint8 private constant F_QUEUED = 16; // some outflow of the asset is queued (saves a cold read)

    /// @dev Transient-storage base for the per-transaction flow ledger.
    /// keccak256(abi.encode(uint256(keccak256("breakwater.transient.ledger")) - 1))
    uint256 private constant LEDGER_TSLOT = 0x8d3dbc3b2b3e23e36e1cb51eda40a3c31260b6ed75adf9470035dbba2df7f74f;

    /// @dev The one slot a guarded call reads (and writes) in peace time.
    struct AssetState {
        uint96 available; // capacity left at `lastUpdate`
        uint96 maxCapacity;
        uint32 lastUpdate; // uint32 seconds: good until 2106
        uint24 window; // seconds for a full refill, <= MAX_WINDOW
        uint8 flags;
    }

    /// @dev Read only when an outflow breaches the limit.
    struct AssetPolicy {
        uint256 minTvl;
        uint64 settlementDelay;
        BreachMode mode;
    }

    struct PauseState {
        uint40 until;
        uint40 since;
        bool listed; // in `pausedScopes`, so the alarm knows what to re-check
    }

    /// @dev A freeze or a quarantine: like a pause, it ends at `until` unless the slow path
    /// extends it. `since` identifies it, so a restorative action ends only this one.
    struct Restriction {
        uint40 until;
        uint40 since;
    }

    struct Control {
        bool alarm;
        uint40 maxPauseDuration;
        uint40 gracePeriod;
        uint32 quarantineCount;
    }

    /// @dev One slot: what a sentinel pause reads and writes.
    struct SentinelState {
        address account;
        uint32 maxDuration;
        uint24 cooldown; // <= MAX_SENTINEL_COOLDOWN (30 days)
        bool armed;
        uint32 lastPauseAt; // uint32 seconds: good until 2106
    }

    /// @custom:storage-location erc7201:breakwater.storage.Breaker
    struct BreakerStorage {
        Control control;
        mapping(bytes32 => PauseState) pauses;
        bytes32[] pausedScopes; // scopes paused since the alarm was last cleared (some may have expired)
        mapping(address => AssetState) assetState;
        mapping(address => AssetPolicy) assetPolicy;
        address[] assetList;
        mapping(address => Restriction) quarantines;
        SentinelState sentinel;
        uint256 queueLength;
        mapping(uint256 => QueuedOutflow) queue;
        mapping(address => uint256) queuedTotal;
        mapping(address => Restriction) freezes;
        mapping(address source => mapping(address asset => uint256)) queuedBySource;
    }

    // keccak256(abi.encode(uint256(keccak256("breakwater.storage.Breaker")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant BREAKER_STORAGE =
        0x2dcdf25c17e4bf548adba8f5b86489871ff2b8c77eed59bca637aef757b31f00;

    // ---------------------------------------------------------------- events
    event Paused(bytes32 indexed scope, uint64 until, address indexed by);
    event PauseExtended(bytes32 indexed scope, uint64 until, address indexed by);
    event Unpaused(bytes32 indexed scope, address indexed by);
    event AssetFrozen(address indexed asset, uint64 until, address indexed by);
    event FreezeExtended(address indexed asset, uint64 until, address indexed by);
    event AssetUnfrozen(address indexed asset, address indexed by);
    event AccountQuarantined(address indexed account, uint64 until, address indexed by);
    event QuarantineExtended(address indexed account, uint64 until, address indexed by);
    event AccountReleased(address indexed account, address indexed by);
    event LimitSet(address indexed asset, LimitConfig config);
    event LimitLowered(address indexed asset, uint256 oldMaxCapacity, uint256 newMaxCapacity);
    event OutflowQueued(
        uint256 indexed id, address indexed asset, address indexed recipient, uint256 amount, uint64 claimableAt
    );
    event QueuedOutflowClaimed(uint256 indexed id, address indexed recipient, uint256 amount);
    /// @dev The recipient's entitlement was restored by the integrator (shares re-minted, debt cancelled).
    event QueuedOutflowVetoed(uint256 indexed id, address indexed by);
    event LimitBypassedBelowMinTvl(address indexed asset, uint256 amount, uint256 tvl);
    event SentinelSet(address indexed sentinel, uint64 maxDuration, uint64 cooldown);
    event SentinelArmed(address indexed sentinel);
    event SentinelFired(address indexed sentinel, bytes32 indexed scope, uint64 until);
    event PauseBoundsSet(uint64 maxPauseDuration, uint64 gracePeriod);
    event AlarmRaised();
    event AlarmCleared();

    // ---------------------------------------------------------------- errors
    error ZeroAddress();
    error NotAContract(address account);
    error InvalidScope(bytes32 scope);
    error InvalidDuration(uint64 duration, uint64 min, uint64 max);
    error AlreadyPaused(bytes32 scope, uint64 until);
    error NotPaused(bytes32 scope);
    error ExtensionNotLater(bytes32 scope, uint64 currentUntil, uint64 requestedUntil);
    error ScopePaused(bytes32 scope, uint64 until);
    error UnknownAsset(address asset);
    error TooManyAssets(uint256 max);
    error AssetIsFrozen(address asset);
    error AssetNotFrozen(address asset);
    error VetoNotSupported(uint256 id);
    error AccountIsQuarantined(address account);
    error AccountNotQuarantined(address account);
    error InvalidCapacity(uint256 capacity, uint256 max);
    error InvalidWindow(uint64 window, uint64 min, uint64 max);
    error InvalidSettlementDelay(uint64 delay, uint64 min, uint64 max);
    error InvalidGracePeriod(uint64 gracePeriod, uint64 max);
    error InvalidCooldown(uint64 cooldown, uint64 max);
    error LimitNotLower(address asset, uint256 currentMaxCapacity, uint256 requestedMaxCapacity);
    error OutflowLimitExceeded(address asset, uint256 amount, uint256 available);
    error AmountTooLarge(uint256 amount, uint256 max);
    error UnknownQueuedOutflow(uint256 id);
    error QueuedOutflowSettled(uint256 id);
    error QueuedOutflowNotClaimable(uint256 id, uint64 claimableAt);
    error VetoWindowClosed(uint256 id, uint64 claimableAt);
    error NotSentinel(address caller);
    error SentinelNotSet();
    error SentinelNotArmed();
    error SentinelAlreadyArmed();
    error SentinelCoolingDown(uint64 readyAt);

    // ---------------------------------------------------------------- setup
    function _initBreaker(address admin, uint64 maxPauseDuration, uint64 gracePeriod) internal {
        if (admin == address(0)) revert ZeroAddress();
        _setPauseBounds(maxPauseDuration, gracePeriod);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(EMERGENCY_ROLE, admin);
        _grantRole(RECOVERY_ROLE, admin);
    }

    // ================================================================ fast path

    /// @notice Pause `scope` (GLOBAL, a function group or an asset) for `duration` seconds.
    /// @dev Cannot shorten or lengthen an active pause: use extendPause / unpause (slow path).
    function pause(bytes32 scope, uint64 duration) external onlyRole(EMERGENCY_ROLE) {
        _pause(scope, duration);
    }

    /// @notice Stop every outflow of `asset` for `maxPauseDuration`, like a pause: it ends by
    /// itself unless the slow path extends it (extendFreeze) or lifts it (unfreezeAsset).
    function freezeAsset(address asset) external onlyRole(EMERGENCY_ROLE) {
        AssetState storage s = _registeredAsset(asset);
        Restriction storage f = _bs().freezes[asset];
        if (f.until > block.timestamp) revert AssetIsFrozen(asset);
        uint64 until = _checkedUntil(_bs().control.maxPauseDuration);
        f.until = uint40(until);
        f.since = uint40(block.timestamp);
        s.flags |= F_FROZEN; // "a freeze was placed": guarded calls then read its expiry
        emit AssetFrozen(asset, until, msg.sender);
    }

    /// @notice Block every guarded flow from or to `account` (and transfers of the protocol's
    /// claims it holds) for `maxPauseDuration`; it ends by itself unless the slow path extends it.
    function quarantine(address account) external onlyRole(EMERGENCY_ROLE) {
        if (account == address(0)) revert ZeroAddress();
        BreakerStorage storage $ = _bs();
        Restriction storage q = $.quarantines[account];
        if (q.until > block.timestamp) revert AccountIsQuarantined(account);
        if (q.since == 0) $.control.quarantineCount += 1; // an expired, uncleared record is reused
        uint64 until = _checkedUntil($.control.maxPauseDuration);
        q.until = uint40(until);
        q.since = uint40(block.timestamp);
        _raiseAlarm();
        emit AccountQuarantined(account, until, msg.sender);
    }

    /// @notice Lower the capacity of `asset` (the safe direction; raising needs setLimit).
    function lowerLimit(address asset, uint256 newMaxCapacity) external onlyRole(EMERGENCY_ROLE) {
        AssetState storage s = _registeredAsset(asset);
        uint256 current = s.maxCapacity;
        if (newMaxCapacity == 0 || newMaxCapacity >= current) revert LimitNotLower(asset, current, newMaxCapacity);
        uint256 available = _refilled(s.available, current, s.lastUpdate, s.window);
        s.available = uint96(available < newMaxCapacity ? available : newMaxCapacity);
        s.maxCapacity = uint96(newMaxCapacity);
        s.lastUpdate = uint32(block.timestamp);
        _resetLedger(asset);
        emit LimitLowered(asset, current, newMaxCapacity);
    }

    /// @notice Cancel a queued outflow during its settlement delay, or later while a pause, freeze
    /// or quarantine still holds its claim; the tokens go back to (or stay in) the protected contract.
    /// A veto only delays: the integrator restores the recipient's entitlement (re-mints the
    /// burned shares, cancels the booked debt, re-credits the collateral), so no fast-path key
    /// can confiscate anything. Contracts without that hook revert with VetoNotSupported.
    function vetoQueuedOutflow(uint256 id) external onlyRole(EMERGENCY_ROLE) {
        QueuedOutflow storage q = _openQueuedOutflow(id);
        if (block.timestamp >= q.claimableAt && !_claimHeld(q)) revert VetoWindowClosed(id, q.claimableAt);
        q.settled = true;
        q.vetoed = true;
        _releaseQueued(q.source, q.asset, q.amount);
        emit QueuedOutflowVetoed(id, msg.sender);
        _returnVetoedOutflow(id, q);
    }

    // ================================================================ slow path

    /// @notice Lift the pause of `scope` before its expiry. Starts the grace period.
    function unpause(bytes32 scope) external onlyRole(RECOVERY_ROLE) {
        PauseState storage p = _bs().pauses[scope];
        if (p.until <= block.timestamp) revert NotPaused(scope);
        p.until = uint40(block.timestamp);
        emit Unpaused(scope, msg.sender);
        _refreshAlarm();
    }

    /// @notice Move the expiry of an active pause to `duration` seconds from now (later only).
    function extendPause(bytes32 scope, uint64 duration) external onlyRole(RECOVERY_ROLE) {
        PauseState storage p = _bs().pauses[scope];
        if (p.until <= block.timestamp) revert NotPaused(scope);
        uint64 until = _later(scope, p.until, duration);
        p.until = uint40(until);
        emit PauseExtended(scope, until, msg.sender);
    }

    /// @notice Lift the freeze of `asset`: before its expiry RECOVERY_ROLE only; once it
    /// expired anyone may call, to drop its flag so guarded calls skip the expiry read.
    function unfreezeAsset(address asset) external {
        AssetState storage s = _registeredAsset(asset);
        if (s.flags & F_FROZEN == 0) revert AssetNotFrozen(asset);
        Restriction storage f = _bs().freezes[asset];
        if (f.until > block.timestamp) {
            _checkRole(RECOVERY_ROLE);
            f.until = uint40(block.timestamp);
        }
        s.flags &= ~F_FROZEN;
        emit AssetUnfrozen(asset, msg.sender);
    }

    /// @notice Move the expiry of an active freeze to `duration` seconds from now (later only).
    function extendFreeze(address asset, uint64 duration) external onlyRole(RECOVERY_ROLE) {
        _registeredAsset(asset);
        Restriction storage f = _bs().freezes[asset];
        if (f.until <= block.timestamp) revert AssetNotFrozen(asset);
        uint64 until = _later(bytes32(uint256(uint160(asset))), f.until, duration);
        f.until = uint40(until);
        emit FreezeExtended(asset, until, msg.sender);
    }

    /// @notice Lift the quarantine of `account`: before its expiry RECOVERY_ROLE only; once it
    /// expired anyone may call, to forget it so the alarm can be lowered.
    function release(address account) external {
        BreakerStorage storage $ = _bs();
        Restriction memory q = $.quarantines[account];
        if (q.since == 0) revert AccountNotQuarantined(account);
        if (q.until > block.timestamp) _checkRole(RECOVERY_ROLE);
        delete $.quarantines[account];
        $.control.quarantineCount -= 1;
        emit AccountReleased(account, msg.sender);
        _refreshAlarm();
    }

    /// @notice Move the expiry of an active quarantine to `duration` seconds from now (later only).
    function extendQuarantine(address account, uint64 duration) external onlyRole(RECOVERY_ROLE) {
        Restriction storage q = _bs().quarantines[account];
        if (q.until <= block.timestamp) revert AccountNotQuarantined(account);
        uint64 until = _later(bytes32(uint256(uint160(account))), q.until, duration);
        q.until = uint40(until);
        emit QuarantineExtended(account, until, msg.sender);
    }

    /// @notice Register `asset` or replace its limit. Raising a limit never grants capacity
    /// at once: the new headroom refills over the window.
    function setLimit(address asset, LimitConfig calldata config) external onlyRole(RECOVERY_ROLE) {
        if (asset == address(0)) revert ZeroAddress();
        if (asset.code.length == 0) revert NotAContract(asset);
        _validateLimit(config);
        BreakerStorage storage $ = _bs();
        AssetState storage s = $.assetState[asset];
        uint8 flags = s.flags;
        uint256 available;
        if (flags & F_CONFIGURED == 0) {
            if ($.assetList.length >= MAX_ASSETS) revert TooManyAssets(MAX_ASSETS);
            $.assetList.push(asset);
            flags = F_CONFIGURED | ($.control.alarm ? F_ALARM : 0);
            available = config.maxCapacity;
        } else {
            available = _refilled(s.available, s.maxCapacity, s.lastUpdate, s.window);
            if (available > config.maxCapacity) available = config.maxCapacity;
        }
        flags = config.inflowCredit ? flags | F_INFLOW_CREDIT : flags & ~F_INFLOW_CREDIT;
        $.assetState[asset] = AssetState({
            available: uint96(available),
            maxCapacity: uint96(config.maxCapacity),
            lastUpdate: uint32(block.timestamp),
            window: uint24(config.window),
            flags: flags
        });
        $.assetPolicy[asset] =
            AssetPolicy({minTvl: config.minTvl, settlementDelay: config.settlementDelay, mode: config.mode});
        _resetLedger(asset);
        emit LimitSet(asset, config);
    }

    /// @notice Set the keeper's sentinel key and its bounds; a new sentinel starts armed.
    function setSentinel(address account, uint64 maxDuration, uint64 cooldown) external onlyRole(RECOVERY_ROLE) {
        if (account == address(0)) revert ZeroAddress();
        uint64 maxPause = _bs().control.maxPauseDuration;
        if (maxDuration < MIN_PAUSE || maxDuration > maxPause) revert InvalidDuration(maxDuration, MIN_PAUSE, maxPause);
        if (cooldown > MAX_SENTINEL_COOLDOWN) revert InvalidCooldown(cooldown, MAX_SENTINEL_COOLDOWN);
        SentinelState storage s = _bs().sentinel;
        // The cooldown clock (lastPauseAt) carries over to a new key: replacing it resets nothing.
        s.account = account;
        s.maxDuration = uint32(maxDuration);
        s.cooldown = uint24(cooldown);
        s.armed = true;
        emit SentinelSet(account, maxDuration, cooldown);
        emit SentinelArmed(account);
    }

    /// @notice Re-arm the sentinel after it fired.
    function armSentinel() external onlyRole(RECOVERY_ROLE) {
        SentinelState storage s = _bs().sentinel;
        if (s.account == address(0)) revert SentinelNotSet();
        if (s.armed) revert SentinelAlreadyArmed();
        s.armed = true;
        emit SentinelArmed(s.account);
    }

    /// @notice Set the longest pause the fast path may impose and the grace period after a pause.
    function setPauseBounds(uint64 maxPauseDuration, uint64 gracePeriod) external onlyRole(RECOVERY_ROLE) {
        _setPauseBounds(maxPauseDuration, gracePeriod);
    }

    // ================================================================ sentinel

    /// @notice The keeper's single-use pause: bounded by the sentinel's maxDuration, then disarmed.
    function sentinelPause(bytes32 scope, uint64 duration) external {
        BreakerStorage storage $ = _bs();
        SentinelState memory s = $.sentinel;
        if (msg.sender != s.account || s.account == address(0)) revert NotSentinel(msg.sender);
        if (!s.armed) revert SentinelNotArmed();
        if (duration > s.maxDuration) revert InvalidDuration(duration, MIN_PAUSE, s.maxDuration);
        uint64 last = s.lastPauseAt;
        if (last != 0 && block.timestamp < last + s.cooldown) revert SentinelCoolingDown(last + s.cooldown);
        s.armed = false;
        s.lastPauseAt = uint32(block.timestamp);
        $.sentinel = s;
        uint64 until = _pause(scope, duration);
        emit SentinelFired(msg.sender, scope, until);
    }

    // ================================================================ anyone

    /// @notice Pay a queued outflow to its recipient once its delay passed (anyone may call).
    function claimQueuedOutflow(uint256 id) external {
        QueuedOutflow storage q = _openQueuedOutflow(id);
        if (block.timestamp < q.claimableAt) revert QueuedOutflowNotClaimable(id, q.claimableAt);
        address asset = q.asset;
        AssetState memory s = _bs().assetState[asset];
        _checkOutflowRestrictions(q.scope, asset, address(0), q.recipient, s.flags);
        q.settled = true;
        _releaseQueued(q.source, asset, q.amount);
        emit QueuedOutflowClaimed(id, q.recipient, q.amount);
        _payQueuedOutflow(q);
    }

    /// @notice Lower the alarm bit once no pause is active and nobody is quarantined, so guarded
    /// calls return to the one-slot fast path. Safe for anyone to call: it only reads state.
    function refreshAlarm() external {
        _refreshAlarm();
    }


    // ================================================================ views

    /// @notice True while `scope` or the global scope is paused.
    function isPaused(bytes32 scope) public view returns (bool) {
        BreakerStorage storage $ = _bs();
        return $.pauses[Scopes.GLOBAL].until > block.timestamp || $.pauses[scope].until > block.timestamp;
    }

    /// @notice The expiry of `scope`'s own pause (0 if never paused; in the past once lifted).
    function pausedUntil(bytes32 scope) external view returns (uint64) {
        return _bs().pauses[scope].until;
    }

    /// @notice True during the grace period after `scope` (or the global scope) was unpaused or
    /// its pause expired. Integrators hold off liquidations of positions that became unhealthy
    /// while users could not act. The grace after a pause never lasts longer than the pause
    /// did: a one-minute pause by a stolen sentinel key holds liquidations for one more minute.
    function inGracePeriod(bytes32 scope) public view returns (bool) {
        if (isPaused(scope)) return false;
        BreakerStorage storage $ = _bs();
        uint256 grace = $.control.gracePeriod;
        uint256 g = _graceEnd($.pauses[Scopes.GLOBAL], grace);
        uint256 s = _graceEnd($.pauses[scope], grace);
        return block.timestamp < (g > s ? g : s);
    }

    function _graceEnd(PauseState storage p, uint256 grace) private view returns (uint256) {
        uint256 until = p.until;
        if (until == 0) return 0;
        uint256 lasted = until - p.since;
        return until + (lasted < grace ? lasted : grace);
    }

    /// @notice True while outflows of `asset` are frozen (a freeze ends at its expiry).
    function isFrozen(address asset) public view returns (bool) {
        return _bs().freezes[asset].until > block.timestamp;
    }

    /// @notice True while `account` is quarantined (a quarantine ends at its expiry).
    function isQuarantined(address account) public view returns (bool) {
        return _bs().quarantines[account].until > block.timestamp;
    }

    /// @notice Expiry and start of a restriction: `kind` 0 = the pause of scope `key`, 1 = the
    /// latest freeze of asset `key`, 2 = the quarantine of account `key` (addresses left-padded).
    /// Zeros if there is none. `since` identifies one restriction: the multisig binds a queued
    /// Unpause / UnfreezeAsset / Release to it.
    function restrictionOf(uint8 kind, bytes32 key) external view returns (uint64 until, uint64 since) {
        BreakerStorage storage $ = _bs();
        if (kind == 0) return ($.pauses[key].until, $.pauses[key].since);
        if (kind > 2 || uint256(key) >> 160 != 0) revert InvalidScope(key);
        Restriction memory r = kind == 1 ? $.freezes[address(uint160(uint256(key)))] : $.quarantines[address(uint160(uint256(key)))];
        return (r.until, r.since);
    }

    /// @notice The current limit of `asset` (reverts for an unregistered asset).
    function limitOf(address asset) external view returns (LimitConfig memory config) {
        BreakerStorage storage $ = _bs();
        AssetState memory s = $.assetState[asset];
        if (s.flags & F_CONFIGURED == 0) revert UnknownAsset(asset);
        AssetPolicy memory p = $.assetPolicy[asset];
        config = LimitConfig({
            maxCapacity: s.maxCapacity,
            window: s.window,
            minTvl: p.minTvl,
            mode: p.mode,
            settlementDelay: p.settlementDelay,
            inflowCredit: s.flags & F_INFLOW_CREDIT != 0
        });
    }

    /// @notice Outflow capacity of `asset` available now.
    function availableCapacity(address asset) external view returns (uint256) {
        AssetState memory s = _bs().assetState[asset];
        if (s.flags & F_CONFIGURED == 0) revert UnknownAsset(asset);
        return _refilled(s.available, s.maxCapacity, s.lastUpdate, s.window);
    }

    /// @notice A queued outflow by id (ids start at 1).
    function queuedOutflow(uint256 id) external view returns (QueuedOutflow memory) {
        if (id == 0 || id > _bs().queueLength) revert UnknownQueuedOutflow(id);
        return _bs().queue[id];
    }

    /// @notice Number of outflows ever queued; ids run from 1 to this.
    function queuedOutflowCount() external view returns (uint256) {
        return _bs().queueLength;
    }

    /// @notice Sum of unsettled queued outflows of `asset`, over every source.
    function queuedTotal(address asset) public view returns (uint256) {
        BreakerStorage storage $ = _bs();
        // The flag lives in the slot a guarded call reads anyway: no extra cold read in peace time.
        if ($.assetState[asset].flags & F_QUEUED == 0) return 0;
        return $.queuedTotal[asset];
    }

    /// @notice Every registered asset.
    function assets() external view returns (address[] memory) {
        return _bs().assetList;
    }

    /// @notice Scopes with a pause recorded since the last alarm refresh (some may have expired).
    function pausedScopes() external view returns (bytes32[] memory) {
        return _bs().pausedScopes;
    }

    /// @notice True while guarded calls take the slow path (some pause or quarantine may be active).
    function alarmRaised() external view returns (bool) {
        return _bs().control.alarm;
    }

    /// @notice The sentinel, whether it may fire, its bounds and when it last fired.
    function sentinelState()
        external
        view
        returns (address sentinel, bool armed, uint64 maxDuration, uint64 cooldown, uint64 lastPauseAt)
    {
        BreakerStorage storage $ = _bs();
        SentinelState memory s = $.sentinel;
        return (s.account, s.armed, s.maxDuration, s.cooldown, s.lastPauseAt);
    }

    /// @notice The longest pause the fast path may impose, and the grace period after a pause.
    function pauseBounds() external view returns (uint64 maxPauseDuration, uint64 gracePeriod) {
        Control memory c = _bs().control;
        return (c.maxPauseDuration, c.gracePeriod);
    }

    // ================================================================ integration hooks

    /// @dev Revert if `scope` or the global scope is paused. One cold SLOAD in peace time.
    function _checkScope(bytes32 scope) internal view {
        BreakerStorage storage $ = _bs();
        if (!$.control.alarm) return;
        _revertIfPaused($, Scopes.GLOBAL);
        _revertIfPaused($, scope);
    }

    /// @dev Guard an outflow of `amount` of `asset` from `source` (`from` is the account whose
    /// position is debited, `to` the recipient). Returns what to pay now; in Queue mode the
    /// rest is queued (id returned, 0 if none).
    function _guardOutflow(bytes32 scope, address asset, uint256 amount, address from, address to, address source)
        internal
        returns (uint256 payNow, uint256 queueId)
    {
        (uint256 slot, uint256 word) = _assetWord(asset);
        uint256 flags = word >> 248;
        if (flags & F_CONFIGURED == 0) revert UnknownAsset(asset);
        if (flags & (F_ALARM | F_FROZEN) != 0) _checkOutflowRestrictions(scope, asset, from, to, uint8(flags));
        if (amount > MAX_U96) revert AmountTooLarge(amount, MAX_U96);

        uint256 tslot = _ledgerSlot(asset);
        (uint256 start, int256 net) = _ledger(tslot, word);
        payNow = amount;
        unchecked {
            // amount, start <= 2^96 and |net| < 2^127: no overflow.
            if (net + int256(amount) > int256(start)) {
                (payNow, queueId) = _onBreach(scope, asset, amount, start, net, to, source);
                if (queueId != 0) word |= uint256(F_QUEUED) << 248;
            }
            _settleLedger(slot, tslot, word, start, net + int256(payNow));
        }
    }

    /// @dev An outflow above the remaining capacity: pass below the minimum TVL, else revert or
    /// pay the headroom and queue the excess, as the asset's policy says.
    function _onBreach(
        bytes32 scope,
        address asset,
        uint256 amount,
        uint256 start,
        int256 net,
        address to,
        address source
    ) private returns (uint256 payNow, uint256 queueId) {
        AssetPolicy memory policy = _bs().assetPolicy[asset];
        uint256 tvl = policy.minTvl == 0 ? 0 : _breakerTvl(asset, source);
        if (tvl < policy.minTvl) {
            emit LimitBypassedBelowMinTvl(asset, amount, tvl);
            return (amount, 0);
        }
        payNow = net >= int256(start) ? 0 : uint256(int256(start) - net);
        if (policy.mode == BreachMode.Revert || scope == Scopes.MIGRATION) {
            revert OutflowLimitExceeded(asset, amount, payNow);
        }
        queueId = _queue(source, scope, asset, to, amount - payNow, policy.settlementDelay);
    }

    /// @dev Guard an entry that brings `amount` of `asset` in (deposit, supply): blocked while
    /// paused, frozen, or while the caller (`from`) or the credited account (`to`) is
    /// quarantined; credits capacity when the asset is so configured.
    function _guardInflow(bytes32 scope, address asset, uint256 amount, address from, address to) internal {
        (uint256 slot, uint256 word) = _assetWord(asset);
        uint256 flags = word >> 248;
        if (flags & (F_CONFIGURED | F_ALARM | F_FROZEN) != F_CONFIGURED) {
            if (flags & F_CONFIGURED == 0) revert UnknownAsset(asset);
            _checkOutflowRestrictions(scope, asset, from, to, uint8(flags));
        }
        _creditInflow(slot, asset, word, amount);
    }

    /// @dev `_guardInflow` for an entry called by the depositor itself: the caller checked
    /// against quarantine is `msg.sender`, read only when a restriction may apply (cheaper).
    function _guardInflow(bytes32 scope, address asset, uint256 amount, address to) internal {
        (uint256 slot, uint256 word) = _assetWord(asset);
        uint256 flags = word >> 248;
        if (flags & (F_CONFIGURED | F_ALARM | F_FROZEN) != F_CONFIGURED) {
            if (flags & F_CONFIGURED == 0) revert UnknownAsset(asset);
            _checkOutflowRestrictions(scope, asset, msg.sender, to, uint8(flags));
        }
        _creditInflow(slot, asset, word, amount);
    }

    /// @dev Record an inflow that must never be blocked (repay, top-up of collateral). Amounts
    /// above the limiter's 96-bit range saturate the credit instead of reverting.
    function _recordRepayment(address asset, uint256 amount) internal {
        (uint256 slot, uint256 word) = _assetWord(asset);
        if ((word >> 248) & F_CONFIGURED == 0) return; // an unlimited asset needs no accounting
        _creditInflow(slot, asset, word, amount > MAX_U96 ? MAX_U96 : amount);
    }

    /// @dev Guard a transfer of the protocol's own claims (shares, receipt or debt tokens)
    /// from `from` to `to` by `operator`: refused while any of them is quarantined, so a
    /// quarantined holder cannot hand its position to a fresh address. Mints and burns are
    /// guarded by the entry / exit they belong to. One warm read in peace time.
    function _guardClaimTransfer(address operator, address from, address to) internal view {
        BreakerStorage storage $ = _bs();
        if ($.control.quarantineCount == 0) return;
        _revertIfQuarantined($, operator);
        _revertIfQuarantined($, from);
        _revertIfQuarantined($, to);
    }

    /// @dev Guard a migration of `owner`'s position (`amount` of `asset`, submitted by
    /// `operator`) to a vault the slow path vetted. Unlike an exit it works while paused (that
    /// is its purpose), but it stops while the asset is frozen or the owner / operator is
    /// quarantined, and it consumes the asset's outflow capacity: above it, it reverts (migrate
    /// in parts), it never queues.
    function _guardMigration(address asset, uint256 amount, address owner, address operator, address source)
        internal
    {
        _guardOutflow(Scopes.MIGRATION, asset, amount, owner, operator, source);
    }

    /// @dev Pay a queued outflow. The mixin transfers from itself; the standalone breaker
    /// asks the protected contract to.
    function _payQueuedOutflow(QueuedOutflow memory q) internal virtual;

    /// @dev Return a vetoed outflow's tokens to the protected contract (if they left it) and
    /// restore the recipient's entitlement there. Must not revert for a contract that supports
    /// vetoes; one that cannot restore entitlements reverts VetoNotSupported(id).
    function _returnVetoedOutflow(uint256 id, QueuedOutflow memory q) internal virtual;

    /// @dev The protocol's holdings of `asset` held by `source`, compared with `minTvl` on a breach.
    /// Only read on a breach of a limit that has a minimum TVL.
    function _breakerTvl(address asset, address source) internal view virtual returns (uint256) {
        return IERC20(asset).balanceOf(source);
    }

    // ================================================================ internals

    /// @dev Unsettled queued outflows of `asset` that `source` owes.
    function _queuedLiability(address source, address asset) internal view returns (uint256) {
        return _bs().queuedBySource[source][asset];
    }

    function _bs() internal pure returns (BreakerStorage storage $) {
        assembly {
            $.slot := BREAKER_STORAGE
        }
    }

    function _pause(bytes32 scope, uint64 duration) internal returns (uint64 until) {
        BreakerStorage storage $ = _bs();
        // Only scopes something checks: GLOBAL, the named groups, registered assets. This also
        // bounds `pausedScopes` (dedupe by `listed`): at most 6 + MAX_ASSETS entries to refresh.
        if (Scopes.isAsset(scope)) _registeredAsset(address(uint160(uint256(scope))));
        else if (!Scopes.isKnown(scope)) revert InvalidScope(scope);
        PauseState storage p = $.pauses[scope];
        if (p.until > block.timestamp) revert AlreadyPaused(scope, p.until);
        until = _checkedUntil(duration);
        p.until = uint40(until);
        p.since = uint40(block.timestamp);
        if (!p.listed) {
            p.listed = true;
            $.pausedScopes.push(scope);
        }
        _raiseAlarm();
        emit Paused(scope, until, msg.sender);
    }

    /// @dev The slow path's extension of a restriction ending at `current`: later only, bounded.
    function _later(bytes32 key, uint64 current, uint64 duration) private view returns (uint64 until) {
        until = _checkedUntil(duration);
        if (until <= current) revert ExtensionNotLater(key, current, until);
    }

    function _checkedUntil(uint64 duration) private view returns (uint64) {
        uint64 maxPause = _bs().control.maxPauseDuration;
        if (duration < MIN_PAUSE || duration > maxPause) revert InvalidDuration(duration, MIN_PAUSE, maxPause);
        return uint64(block.timestamp) + duration;
    }

    function _setPauseBounds(uint64 maxPauseDuration, uint64 gracePeriod) private {
        if (maxPauseDuration < MIN_PAUSE || maxPauseDuration > MAX_PAUSE_CAP) {
            revert InvalidDuration(maxPauseDuration, MIN_PAUSE, MAX_PAUSE_CAP);
        }
        if (gracePeriod > MAX_GRACE_PERIOD) revert InvalidGracePeriod(gracePeriod, MAX_GRACE_PERIOD);
        Control storage c = _bs().control;
        c.maxPauseDuration = uint40(maxPauseDuration);
        c.gracePeriod = uint40(gracePeriod);
        emit PauseBoundsSet(maxPauseDuration, gracePeriod);
    }

    function _validateLimit(LimitConfig calldata c) private pure {
        if (c.maxCapacity == 0 || c.maxCapacity > type(uint96).max) {
            revert InvalidCapacity(c.maxCapacity, type(uint96).max);
        }
        if (c.window < MIN_WINDOW || c.window > MAX_WINDOW) revert InvalidWindow(c.window, MIN_WINDOW, MAX_WINDOW);
        if (c.mode == BreachMode.Queue) {
            if (c.settlementDelay < MIN_SETTLEMENT_DELAY || c.settlementDelay > MAX_SETTLEMENT_DELAY) {
                revert InvalidSettlementDelay(c.settlementDelay, MIN_SETTLEMENT_DELAY, MAX_SETTLEMENT_DELAY);
            }
        } else if (c.settlementDelay != 0) {
            revert InvalidSettlementDelay(c.settlementDelay, 0, 0);
        }
    }

    function _registeredAsset(address asset) private view returns (AssetState storage s) {
        s = _bs().assetState[asset];
        if (s.flags & F_CONFIGURED == 0) revert UnknownAsset(asset);
    }

    function _openQueuedOutflow(uint256 id) private view returns (QueuedOutflow storage q) {
        BreakerStorage storage $ = _bs();
        if (id == 0 || id > $.queueLength) revert UnknownQueuedOutflow(id);
        q = $.queue[id];
        if (q.settled) revert QueuedOutflowSettled(id);
    }

    function _revertIfPaused(BreakerStorage storage $, bytes32 scope) private view {
        uint64 until = $.pauses[scope].until;
        if (until > block.timestamp) revert ScopePaused(scope, until);
    }

    /// @dev The slow path: only reached while the alarm is raised or the asset is frozen.
    function _checkOutflowRestrictions(bytes32 scope, address asset, address from, address to, uint8 flags)
        private
        view
    {
        BreakerStorage storage $ = _bs();
        if (flags & F_FROZEN != 0 && $.freezes[asset].until > block.timestamp) revert AssetIsFrozen(asset);
        if (!$.control.alarm) return;
        if (scope != Scopes.MIGRATION) {
            _revertIfPaused($, Scopes.GLOBAL);
            if (scope != bytes32(0)) _revertIfPaused($, scope);
            _revertIfPaused($, Scopes.asset(asset));
        }
        _revertIfQuarantined($, from);
        _revertIfQuarantined($, to);
    }

    function _revertIfQuarantined(BreakerStorage storage $, address account) private view {
        if ($.control.quarantineCount != 0 && $.quarantines[account].until > block.timestamp) {
            revert AccountIsQuarantined(account);
        }
    }

    /// @dev True while a pause (of the outflow's scope, GLOBAL or its asset), a freeze or a
    /// quarantine of its recipient holds a queued outflow's claim.
    function _claimHeld(QueuedOutflow storage q) private view returns (bool) {
        BreakerStorage storage $ = _bs();
        address asset = q.asset;
        return isFrozen(asset) || isPaused(q.scope) || isPaused(Scopes.asset(asset))
            || $.quarantines[q.recipient].until > block.timestamp;
    }

    /// @dev Capacity after continuous refill since `lastUpdate`, capped at `max`.
    function _refilled(uint256 available, uint256 max, uint256 lastUpdate, uint256 window)
        private
        view
        returns (uint256)
    {
        if (available >= max) return max;
        uint256 refill = (block.timestamp - lastUpdate) * max / window;
        uint256 sum = available + refill;
        return sum < max ? sum : max;
    }

    /// @dev The packed AssetState word of `asset` and its storage slot: one SLOAD.
    function _assetWord(address asset) private view returns (uint256 slot, uint256 word) {
        AssetState storage st = _bs().assetState[asset];
        assembly {
            slot := st.slot
            word := sload(slot)
        }
    }

    /// @dev The per-transaction flow ledger (EIP-1153 transient storage): the capacity when
    /// the transaction first touched `asset`, and the net outflow since. Netting within a
    /// transaction is what makes flash-loan round trips (out then in, or in then out) leave
    /// the limiter exactly where it was: they can neither consume nor mint capacity.
    /// Encoding: (start + 1) << 128 | uint128(int128(net)); zero means "not touched in this tx".
    /// |net| stays far below 2^127: every flow is <= 2^96 and a transaction cannot afford 2^31 flows.
    function _ledger(uint256 tslot, uint256 word) private view returns (uint256 start, int256 net) {
        assembly ("memory-safe") {
            let entry := tload(tslot)
            switch entry
            case 0 {
                // First touch in this transaction: capacity refilled up to now. elapsed < 2^32
                // and maxCapacity < 2^96, so the product cannot overflow; window >= MIN_WINDOW.
                start := and(word, MAX_U96)
                let maxCapacity := and(shr(96, word), MAX_U96)
                if lt(start, maxCapacity) {
                    let elapsed := sub(timestamp(), and(shr(192, word), 0xffffffff))
                    start := add(start, div(mul(elapsed, maxCapacity), and(shr(224, word), 0xffffff)))
                    if gt(start, maxCapacity) { start := maxCapacity }
                }
            }
            default {
                start := sub(shr(128, entry), 1)
                net := signextend(15, entry)
            }
        }
    }

    /// @dev Record the ledger and write the asset word once: capacity left = start - net
    /// (floored at 0; above start only when inflows credit, capped at maxCapacity).
    function _settleLedger(uint256 slot, uint256 tslot, uint256 word, uint256 start, int256 net) private {
        assembly ("memory-safe") {
            tstore(tslot, or(shl(128, add(start, 1)), and(net, 0xffffffffffffffffffffffffffffffff)))
            let maxCapacity := and(shr(96, word), MAX_U96)
            let available := start
            switch slt(net, 0)
            case 0 {
                // Net outflow: start - net, floored at 0.
                available := mul(gt(start, net), sub(start, net))
            }
            default {
                // Net inflow: credit it if the asset is so configured, up to maxCapacity.
                if and(shr(248, word), F_INFLOW_CREDIT) {
                    available := sub(start, net)
                    if gt(available, maxCapacity) { available := maxCapacity }
                }
            }
            // A bucket full before and after does not care when it was last updated: skip the
            // write. (A newly queued outflow always leaves it empty, so its flag gets written.)
            if iszero(and(eq(available, maxCapacity), eq(and(word, MAX_U96), maxCapacity))) {
                sstore(slot, or(or(and(word, not(or(MAX_U96, shl(192, 0xffffffff)))), available), shl(192, timestamp())))
            }
        }
    }

    /// @dev The transient slot of `asset`'s ledger entry (computed once per guarded flow).
    function _ledgerSlot(address asset) private pure returns (uint256 tslot) {
        unchecked {
            tslot = LEDGER_TSLOT + uint160(asset);
        }
    }

    /// @dev After a limit change, later flows in the same transaction start from the new state.
    function _resetLedger(address asset) private {
        uint256 tslot;
        unchecked {
            tslot = LEDGER_TSLOT + uint160(asset);
        }
        assembly ("memory-safe") {
            tstore(tslot, 0)
        }
    }

    function _creditInflow(uint256 slot, address asset, uint256 word, uint256 amount) private {
        if (amount > MAX_U96) revert AmountTooLarge(amount, MAX_U96);
        uint256 tslot = _ledgerSlot(asset);
        (uint256 start, int256 net) = _ledger(tslot, word);
        unchecked {
            _settleLedger(slot, tslot, word, start, net - int256(amount));
        }
    }

    function _queue(
        address source,
        bytes32 scope,
        address asset,
        address recipient,
        uint256 amount,
        uint64 delay
    ) private returns (uint256 id) {
        if (recipient == address(0)) revert ZeroAddress();
        BreakerStorage storage $ = _bs();
        id = ++$.queueLength;
        uint64 claimableAt = uint64(block.timestamp) + delay;
        $.queue[id] = QueuedOutflow({
            source: source,
            scope: scope,
            asset: asset,
            recipient: recipient,
            amount: uint96(amount),
            claimableAt: uint40(claimableAt),
            settled: false,
            vetoed: false
        });
        $.queuedTotal[asset] += amount; // the caller sets F_QUEUED in the asset slot it writes
        $.queuedBySource[source][asset] += amount;
        emit OutflowQueued(id, asset, recipient, amount, claimableAt);
    }

    function _releaseQueued(address source, address asset, uint256 amount) private {
        BreakerStorage storage $ = _bs();
        $.queuedBySource[source][asset] -= amount;
        uint256 left = $.queuedTotal[asset] - amount;
        $.queuedTotal[asset] = left;
        if (left == 0) $.assetState[asset].flags &= ~F_QUEUED;
    }

    function _raiseAlarm() private {
        BreakerStorage storage $ = _bs();
        if ($.control.alarm) return;
        $.control.alarm = true;
        uint256 n = $.assetList.length;
        for (uint256 i; i < n; ++i) {
            $.assetState[$.assetList[i]].flags |= F_ALARM;
        }
        emit AlarmRaised();
    }

    function _refreshAlarm() private {
        BreakerStorage storage $ = _bs();
        if (!$.control.alarm) return;
        // Forget expired pauses (swap and pop); stop at the first active one.
        bytes32[] storage listed = $.pausedScopes;
        while (listed.length != 0) {
            bytes32 scope = listed[0];
            PauseState storage p = $.pauses[scope];
            if (p.until > block.timestamp) return;
            p.listed = false;
            listed[0] = listed[listed.length - 1];
            listed.pop();
        }
        if ($.control.quarantineCount != 0) return;
        $.control.alarm = false;
        uint256 n = $.assetList.length;
        for (uint256 i; i < n; ++i) {
            $.assetState[$.assetList[i]].flags &= ~F_ALARM;
        }
        emit AlarmCleared();
    }
}
