// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ICircuitBreaker, IBreakableRescue} from "../breaker/ICircuitBreaker.sol";
import {GuardianActions as K} from "./GuardianActions.sol";

/// @title GuardianMultisig
/// @notice The guardians' multisig driving circuit breakers: fast in the safe
/// direction (pause, freeze, quarantine, lower a limit), slow in the risky one
/// (unpause, unfreeze, raise a limit, rescue, reconfigure) with a timelock and a
/// veto window. It must hold EMERGENCY_ROLE and RECOVERY_ROLE on every managed
/// breaker (and RECOVERY_ROLE on protected contracts it rescues from).
///
/// ## Signing (EIP-712, domain {name: "GuardianMultisig", version: "1", chainId, verifyingContract})
///   Action(uint8 kind,address target,bytes data,uint256 nonce,uint256 deadline)
///   Veto(bytes32 actionId)
/// `kind` and `data` are documented in `GuardianActions`. The action id is its
/// EIP-712 digest. Nonces are a global unordered bitmap (any unused uint256, so
/// independent proposals never block each other); a nonce is consumed when the
/// action executes (fast) or is queued (slow). `deadline` bounds when signatures
/// may be submitted, not when a queued action may run (that is eta..eta+GRACE_PERIOD).
///
/// ## Approvals
/// An action counts the union of: (a) `Approval{signer, signature}` entries, sorted
/// strictly ascending by signer (so each counts once), each checked with
/// OpenZeppelin SignatureChecker (ECDSA, low-s only, or EIP-1271 for contracts such
/// as a Safe); (b) on-chain `approveHash(digest)` by guardians; (c) the caller
/// itself, if it is an active guardian. Only guardians count, each at most once.
///
/// ## Heartbeat and effective threshold
/// A guardian is *active* if it signed (a counted signature), approved, proposed,
/// submitted or pinged within `heartbeatPeriod` (0 disables the heartbeat). Stale
/// guardians' signatures and approvals are refused until they `ping()` again.
/// For a configured threshold t and A active guardians the effective threshold is
///     eff(t) = max(min(t, A), ceil(t / 2))      (>= 1 since t >= 1)
/// so lost keys lower the bar (Lido's lesson: they must not block quorum), but never
/// below half of it: an attacker holding fewer than ceil(t/2) keys can never act
/// alone by waiting for the others to go stale. If more than half are lost, the
/// remaining guardians first ping, and ChangeGuardians replaces the lost ones.
///
/// Invariants: every threshold (per kind and veto) is in 1..guardianCount; an action
/// id executes at most once; nothing with a delay executes before its eta.
contract GuardianMultisig is EIP712, ReentrancyGuardTransient {
    using EnumerableSet for EnumerableSet.Bytes32Set;

    // ------------------------------------------------------------------ types

    /// @notice A signed action. `data` encoding per kind: see GuardianActions.
    struct Action {
        uint8 kind;
        address target;
        bytes data;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice One guardian's off-chain approval: ECDSA (65 bytes) or EIP-1271 bytes.
    struct Approval {
        address signer;
        bytes signature;
    }

    /// @notice Threshold and delay of one action kind (delay 0 = executes at once).
    struct Policy {
        uint16 threshold;
        uint64 delay;
    }

    /// @notice Constructor override of one kind's default policy.
    struct PolicyOverride {
        uint8 kind;
        uint16 threshold;
        uint64 delay;
    }

    /// @notice A (target, selector) the Call kind may call, as SetCallAllowed would allow it.
    struct CallPermission {
        address target;
        bytes4 selector;
    }

    /// @notice Deployment parameters.
    struct InitParams {
        address[] guardians;
        uint16 fastThreshold; // emergency kinds (delay 0)
        uint16 slowThreshold; // all other kinds
        uint64 slowDelay; // all other kinds, >= MIN_ADMIN_DELAY
        uint16 vetoThreshold;
        uint64 heartbeatPeriod; // 0 = no heartbeat
        address[] managed; // breakers / protected contracts the multisig may act on
        PolicyOverride[] overrides; // e.g. make ArmSentinel fast
        CallPermission[] allowedCalls; // Call kind permissions from the start, e.g. a PauseGate's admin functions
    }

    enum ActionState {
        None,
        Queued,
        Executed,
        Vetoed,
        Expired // queued but not executed within GRACE_PERIOD after eta
    }

    struct Record {
        ActionState state;
        uint8 policyKind;
        uint64 eta; // queued: earliest execution; executed at once: execution time
        uint40 boundSince; // Unpause / UnfreezeAsset / Release: `since` of the restriction it ends
    }

    struct GuardianInfo {
        uint8 slot; // index in _guardians + 1; 0 = not a guardian
        uint64 lastSeen;
    }

    // -------------------------------------------------------------- constants

    bytes32 public constant ACTION_TYPEHASH =
        keccak256("Action(uint8 kind,address target,bytes data,uint256 nonce,uint256 deadline)");
    bytes32 public constant VETO_TYPEHASH = keccak256("Veto(bytes32 actionId)");

    uint256 public constant MAX_GUARDIANS = 32;
    uint64 public constant MAX_DELAY = 30 days;
    /// @notice Floor on the delay of kinds that reconfigure the multisig: a veto stays possible.
    uint64 public constant MIN_ADMIN_DELAY = 1 days;
    /// @notice A queued action not executed within this time after its eta expires.
    uint64 public constant GRACE_PERIOD = 14 days;
    uint64 public constant MIN_HEARTBEAT = 7 days;
    uint64 public constant MAX_HEARTBEAT = 730 days;

    // ------------------------------------------------------------------ state

    address[] private _guardians;
    mapping(address => GuardianInfo) private _info;
    /// @dev Bumped on every guardian-set change; on-chain approvals are per epoch,
    /// because they are stored as bits of guardian indexes.
    uint64 private _epoch;
    uint16 private _vetoThreshold;
    uint64 private _heartbeatPeriod;
    mapping(uint8 => Policy) private _policies;

    mapping(uint256 => uint256) private _nonceBitmap;
    mapping(bytes32 => Record) private _records;
    mapping(bytes32 => Action) private _queued;
    EnumerableSet.Bytes32Set private _pending;
    mapping(uint64 => mapping(bytes32 => uint256)) private _approvalBits;

    mapping(address => bool) private _managed;
    mapping(address => mapping(bytes4 => bool)) private _callAllowed;

    // ----------------------------------------------------------------- events

    event ActionProposed(bytes32 indexed id, address indexed proposer, Action action);
    event HashApproved(bytes32 indexed digest, address indexed guardian);
    event ApprovalRevoked(bytes32 indexed digest, address indexed guardian);
    event ActionQueued(
        bytes32 indexed id, uint8 indexed kind, uint8 policyKind, address target, uint256 nonce, uint64 eta, address[] approvers
    );
    event ActionExecuted(
        bytes32 indexed id, uint8 indexed kind, uint8 policyKind, address target, uint256 nonce, address[] approvers
    );
    event ActionVetoed(bytes32 indexed id, address[] vetoers);
    event Heartbeat(address indexed guardian, uint64 at);
    event GuardiansChanged(address[] guardians, uint64 epoch);
    /// @dev kind == 255 (GuardianActions.VETO) is the veto quorum.
    event PolicyChanged(uint8 indexed kind, uint16 threshold, uint64 delay);
    event HeartbeatPeriodChanged(uint64 period);
    event CallPermissionChanged(address indexed target, bytes4 indexed selector, bool allowed);
    event ManagedChanged(address indexed target, bool managed);

    // ----------------------------------------------------------------- errors

    error UnknownKind(uint8 kind);
    error MalformedActionData(uint8 kind, uint256 length);
    error InvalidTarget(uint8 kind, address target);
    error TargetNotManaged(uint8 kind, address target);
    error CallNotAllowed(address target, bytes4 selector);
    error DeadlineExpired(uint256 deadline, uint256 timestamp);
    error NonceAlreadyUsed(uint256 nonce);
    error ActionMustBeQueued(uint8 policyKind, uint64 delay);
    error ActionNotQueueable(uint8 policyKind);
    error SignersNotSorted(address previous, address signer);
    error NotGuardian(address account);
    error StaleGuardian(address guardian, uint64 lastSeen, uint64 heartbeatPeriod);
    error InvalidSignature(address signer);
    error InsufficientApprovals(uint256 have, uint256 need);
    error ActionNotQueued(bytes32 id, ActionState state);
    error ActionNotReady(bytes32 id, uint64 eta);
    error VetoWindowClosed(bytes32 id, uint64 eta);
    error InvalidGuardianCount(uint256 count, uint256 max);
    error ZeroGuardian(uint256 index);
    error DuplicateGuardian(address guardian);
    error InvalidThreshold(uint8 kind, uint256 threshold, uint256 guardianCount);
    error DelayOutOfBounds(uint8 kind, uint64 delay, uint64 min, uint64 max);
    error HeartbeatOutOfBounds(uint64 period, uint64 min, uint64 max);
    error NothingToRestore(uint8 kind, address target, bytes32 key);
    error RestrictionReplaced(bytes32 id, uint64 boundSince, uint64 currentSince);
    error NoLongerTighter(bytes32 id);

    // ------------------------------------------------------------ constructor

    /// @param p guardians, default thresholds/delays, veto quorum, heartbeat, managed targets,
    /// per-kind overrides, Call permissions. Emergency kinds get (fastThreshold, 0), all others (slowThreshold, slowDelay).
    constructor(InitParams memory p) EIP712("GuardianMultisig", "1") {
        _validateGuardians(p.guardians, false);
        _setGuardians(p.guardians);
        uint256 n = p.guardians.length;
        for (uint8 kind = 0; kind < K.KIND_COUNT; kind++) {
            bool fast = K.isEmergency(kind);
            _setPolicy(kind, fast ? p.fastThreshold : p.slowThreshold, fast ? 0 : p.slowDelay, n);
        }
        for (uint256 i = 0; i < p.overrides.length; i++) {
            PolicyOverride memory o = p.overrides[i];
            _setPolicy(o.kind, o.threshold, o.delay, n);
        }
        _setVetoThreshold(p.vetoThreshold, n);
        _setHeartbeat(p.heartbeatPeriod);
        for (uint256 i = 0; i < p.managed.length; i++) {
            _setManaged(p.managed[i], true);
        }
        // What a SetCallAllowed would allow later (the Call itself stays slow: quorum, delay, veto).
        for (uint256 i = 0; i < p.allowedCalls.length; i++) {
            CallPermission memory c = p.allowedCalls[i];
            if (c.target == address(0) || c.target == address(this)) revert InvalidTarget(K.SET_CALL_ALLOWED, c.target);
            _callAllowed[c.target][c.selector] = true;
            emit CallPermissionChanged(c.target, c.selector, true);
        }
    }

    // ============================================================ entry points

    /// @notice Execute an action whose policy has no delay (emergency kinds by default),
    /// given enough approvals. Anyone may submit; the caller counts if it is an active guardian.
    /// @param action the signed action
    /// @param approvals signatures sorted strictly ascending by signer
    /// @return id the action id (its EIP-712 digest)
    function execute(Action calldata action, Approval[] calldata approvals)
        external
        nonReentrant
        returns (bytes32 id)
    {
        Action memory a = action;
        uint8 policyKind = _precheck(a);
        Policy memory pol = _policies[policyKind];
        if (pol.delay != 0) revert ActionMustBeQueued(policyKind, pol.delay);
        id = _hashAction(a);
        uint256 bits = _collect(id, approvals, pol.threshold);
        _useNonce(a.nonce);
        _records[id] =
            Record({state: ActionState.Executed, policyKind: policyKind, eta: uint64(block.timestamp), boundSince: 0});
        emit ActionExecuted(id, a.kind, policyKind, a.target, a.nonce, _addresses(bits));
        _perform(a, policyKind);
    }

    /// @notice Queue an action whose policy has a delay; it becomes executable by anyone
    /// at `eta = now + delay` unless the veto quorum cancels it before then.
    /// @param action the signed action
    /// @param approvals signatures sorted strictly ascending by signer
    /// @return id the action id
    /// @return eta earliest execution time
    function queue(Action calldata action, Approval[] calldata approvals)
        external
        nonReentrant
        returns (bytes32 id, uint64 eta)
    {
        Action memory a = action;
        uint8 policyKind = _precheck(a);
        Policy memory pol = _policies[policyKind];
        if (pol.delay == 0) revert ActionNotQueueable(policyKind);
        id = _hashAction(a);
        uint256 bits = _collect(id, approvals, pol.threshold);
        _useNonce(a.nonce);
        eta = uint64(block.timestamp) + pol.delay;
        // A restorative action is bound to the restriction active now: it can never end a
        // later one (a new pause placed after this was queued needs its own Unpause).
        uint40 bound = K.isRestorative(a.kind) ? uint40(_activeRestrictionSince(a)) : 0;
        _records[id] = Record({state: ActionState.Queued, policyKind: policyKind, eta: eta, boundSince: bound});
        _queued[id] = a;
        _pending.add(id);
        emit ActionQueued(id, a.kind, policyKind, a.target, a.nonce, eta, _addresses(bits));
    }

    /// @notice Execute a queued action after its eta and before eta + GRACE_PERIOD. Anyone may call.
    /// The action is re-validated against the current state (targets, allow-list, bounds).
    /// @param id the action id returned by `queue`
    function executeQueued(bytes32 id) external nonReentrant {
        Record storage r = _records[id];
        ActionState s = _stateOf(r);
        if (s != ActionState.Queued) revert ActionNotQueued(id, s);
        if (block.timestamp < r.eta) revert ActionNotReady(id, r.eta);
        Action memory a = _queued[id];
        _validate(a);
        if (K.isRestorative(a.kind)) {
            uint64 current = _restrictionSince(a);
            if (current != r.boundSince) revert RestrictionReplaced(id, r.boundSince, current);
        }
        // A SetLimit queued under the (fast) LowerLimit policy must still be tighter now: the
        // limit may have been lowered further meanwhile, and this one would then raise it.
        if (r.policyKind == K.LOWER_LIMIT && _policyKindOf(a) != K.LOWER_LIMIT) revert NoLongerTighter(id);
        r.state = ActionState.Executed;
        _pending.remove(id);
        delete _queued[id];
        emit ActionExecuted(id, a.kind, r.policyKind, a.target, a.nonce, new address[](0));
        _perform(a, r.policyKind);
    }

    /// @notice Cancel a queued action during its delay with the veto quorum's approvals
    /// of `Veto(actionId)` (signatures, on-chain approvals of `hashVeto(id)`, or the caller).
    /// @param id the queued action id
    /// @param approvals veto signatures sorted strictly ascending by signer
    function veto(bytes32 id, Approval[] calldata approvals) external nonReentrant {
        Record storage r = _records[id];
        ActionState s = _stateOf(r);
        if (s != ActionState.Queued) revert ActionNotQueued(id, s);
        if (block.timestamp >= r.eta) revert VetoWindowClosed(id, r.eta);
        // Every guardian's veto counts, also against a ChangeGuardians that would remove it: the
        // veto is what stops a compromised slow quorum from replacing the honest guardians
        // (Ronin). A veto minority can therefore stay in office, but what it can do there is
        // bounded: each fast restriction it imposes expires, and it can move no funds.
        uint256 bits = _collectBits(_hashVeto(id), approvals);
        _requireQuorum(bits, _vetoThreshold);
        r.state = ActionState.Vetoed;
        _pending.remove(id);
        delete _queued[id];
        emit ActionVetoed(id, _addresses(bits));
    }

    /// @notice Publish an action for the other guardians to sign, and approve it on-chain.
    /// Validates it (kind, target, data, deadline, nonce) so nobody signs junk. Guardians only.
    /// @param action the proposed action
    /// @return id the action id to sign or approve
    function propose(Action calldata action) external returns (bytes32 id) {
        Action memory a = action;
        _precheck(a);
        id = _hashAction(a);
        emit ActionProposed(id, msg.sender, a);
        _approve(id);
    }

    /// @notice Approve a digest (action id or `hashVeto(id)`) on-chain: for hardware wallets
    /// and Safes (through execTransaction). Active guardians only; counts as a heartbeat.
    /// @param digest the EIP-712 digest approved
    function approveHash(bytes32 digest) external {
        _approve(digest);
    }

    /// @notice Withdraw an on-chain approval that was not used yet.
    /// @param digest the digest previously approved
    function revokeApproval(bytes32 digest) external {
        GuardianInfo memory g = _info[msg.sender];
        if (g.slot == 0) revert NotGuardian(msg.sender);
        _approvalBits[_epoch][digest] &= ~(uint256(1) << (g.slot - 1));
        emit ApprovalRevoked(digest, msg.sender);
    }

    /// @notice Prove the guardian's key is alive: makes a stale guardian active again.
    function ping() external {
        GuardianInfo storage g = _info[msg.sender];
        if (g.slot == 0) revert NotGuardian(msg.sender);
        g.lastSeen = uint64(block.timestamp);
        emit Heartbeat(msg.sender, uint64(block.timestamp));
    }

    // ================================================================== views

    /// @notice The EIP-712 digest (= action id) of `action`.
    function hashAction(Action calldata action) external view returns (bytes32) {
        return _hashAction(action);
    }

    /// @notice The EIP-712 digest guardians sign (or approve) to veto queued action `id`.
    function hashVeto(bytes32 id) external view returns (bytes32) {
        return _hashVeto(id);
    }

    /// @notice The EIP-712 domain separator of this contract on this chain.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The guardians, in order.
    function guardians() external view returns (address[] memory) {
        return _guardians;
    }

    /// @notice Number of guardians.
    function guardianCount() external view returns (uint256) {
        return _guardians.length;
    }

    /// @notice Whether `account` is a guardian.
    function isGuardian(address account) external view returns (bool) {
        return _info[account].slot != 0;
    }

    /// @notice Last time `guardian` proved liveness, and whether it is active now.
    function guardianStatus(address guardian) external view returns (bool isGuardian_, uint64 lastSeen, bool active) {
        GuardianInfo memory g = _info[guardian];
        return (g.slot != 0, g.lastSeen, g.slot != 0 && _isActive(g.lastSeen));
    }

    /// @notice The guardians that are active now (see the heartbeat rule).
    function activeGuardians() external view returns (address[] memory out) {
        uint256 n = _guardians.length;
        out = new address[](n);
        uint256 k;
        for (uint256 i = 0; i < n; i++) {
            address g = _guardians[i];
            if (_isActive(_info[g].lastSeen)) out[k++] = g;
        }
        assembly ("memory-safe") {
            mstore(out, k)
        }
    }

    /// @notice Number of active guardians.
    function activeGuardianCount() external view returns (uint256) {
        return _activeCount();
    }

    /// @notice Configured threshold and delay of `kind` (LowerLimit = 4 is the policy of tighter SetLimits).
    function policyOf(uint8 kind) external view returns (uint16 threshold, uint64 delay) {
        if (kind >= K.KIND_COUNT) revert UnknownKind(kind);
        Policy memory p = _policies[kind];
        return (p.threshold, p.delay);
    }

    /// @notice Approvals needed now for `kind` (255 = veto) after the heartbeat rule.
    function effectiveThreshold(uint8 kind) external view returns (uint256) {
        if (kind == K.VETO) return _effective(_vetoThreshold);
        if (kind >= K.KIND_COUNT) revert UnknownKind(kind);
        return _effective(_policies[kind].threshold);
    }

    /// @notice Configured veto quorum.
    function vetoThreshold() external view returns (uint16) {
        return _vetoThreshold;
    }

    /// @notice Heartbeat period in seconds (0 = disabled).
    function heartbeatPeriod() external view returns (uint64) {
        return _heartbeatPeriod;
    }

    /// @notice Guardian-set epoch; on-chain approvals belong to one epoch.
    function epoch() external view returns (uint64) {
        return _epoch;
    }

    /// @notice The policy an action would run under now (SetLimit: LowerLimit if strictly tighter).
    /// Reverts like `execute` on malformed actions.
    function policyKindOf(Action calldata action) external view returns (uint8) {
        Action memory a = action;
        _validate(a);
        return _policyKindOf(a);
    }

    /// @notice Whether `nonce` was consumed.
    function isNonceUsed(uint256 nonce) external view returns (bool) {
        return _nonceBitmap[nonce >> 8] & (uint256(1) << (nonce & 0xff)) != 0;
    }

    /// @notice State, policy and eta of action `id`, plus the action itself while it is queued.
    function actionInfo(bytes32 id)
        external
        view
        returns (ActionState state, uint8 policyKind, uint64 eta, Action memory action)
    {
        Record memory r = _records[id];
        return (_stateOf(r), r.policyKind, r.eta, _queued[id]);
    }

    /// @notice State of action `id`.
    function actionState(bytes32 id) external view returns (ActionState) {
        return _stateOf(_records[id]);
    }

    /// @notice Whether `executeQueued(id)` would pass the timing checks now.
    function isExecutable(bytes32 id) external view returns (bool) {
        Record memory r = _records[id];
        return _stateOf(r) == ActionState.Queued && block.timestamp >= r.eta;
    }

    /// @notice Ids of queued actions not yet executed or vetoed (may include expired ones).
    function pendingActions() external view returns (bytes32[] memory) {
        return _pending.values();
    }

    /// @notice Guardians whose on-chain approval of `digest` is recorded in the current epoch.
    function approvalsOf(bytes32 digest) external view returns (address[] memory) {
        return _addresses(_approvalBits[_epoch][digest]);
    }

    /// @notice Whether `guardian` approved `digest` on-chain in the current epoch.
    function hasApproved(bytes32 digest, address guardian) external view returns (bool) {
        uint8 slot = _info[guardian].slot;
        return slot != 0 && _approvalBits[_epoch][digest] & (uint256(1) << (slot - 1)) != 0;
    }

    /// @notice Whether Call actions may call `selector` on `target`.
    function isCallAllowed(address target, bytes4 selector) external view returns (bool) {
        return _callAllowed[target][selector];
    }

    /// @notice Whether breaker / rescue actions may target `target`.
    function isManaged(address target) external view returns (bool) {
        return _managed[target];
    }

    // ============================================================== internals

    function _hashAction(Action memory a) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(ACTION_TYPEHASH, a.kind, a.target, keccak256(a.data), a.nonce, a.deadline))
        );
    }

    function _hashVeto(bytes32 id) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VETO_TYPEHASH, id)));
    }

    /// @dev Checks shared by execute / queue / propose; returns the policy kind.
    function _precheck(Action memory a) private view returns (uint8) {
        if (block.timestamp > a.deadline) revert DeadlineExpired(a.deadline, block.timestamp);
        if (_nonceBitmap[a.nonce >> 8] & (uint256(1) << (a.nonce & 0xff)) != 0) revert NonceAlreadyUsed(a.nonce);
        _validate(a);
        return _policyKindOf(a);
    }

    function _useNonce(uint256 nonce) private {
        _nonceBitmap[nonce >> 8] |= uint256(1) << (nonce & 0xff);
    }

    function _stateOf(Record memory r) private view returns (ActionState) {
        if (r.state == ActionState.Queued && block.timestamp > uint256(r.eta) + GRACE_PERIOD) {
            return ActionState.Expired;
        }
        return r.state;
    }

    function _isActive(uint64 lastSeen) private view returns (bool) {
        uint64 hb = _heartbeatPeriod;
        return hb == 0 || block.timestamp <= uint256(lastSeen) + hb;
    }

    function _activeCount() private view returns (uint256 count) {
        if (_heartbeatPeriod == 0) return _guardians.length;
        uint256 n = _guardians.length;
        for (uint256 i = 0; i < n; i++) {
            if (_isActive(_info[_guardians[i]].lastSeen)) count++;
        }
    }

    /// @dev eff(t) = max(min(t, active), ceil(t/2)); see the contract NatSpec.
    function _effective(uint256 t) private view returns (uint256) {
        if (_heartbeatPeriod == 0) return t;
        uint256 active = _activeCount();
        uint256 m = t < active ? t : active;
        uint256 floor = (t + 1) / 2;
        return m > floor ? m : floor;
    }

    function _approve(bytes32 digest) private {
        GuardianInfo storage g = _info[msg.sender];
        uint8 slot = g.slot;
        if (slot == 0) revert NotGuardian(msg.sender);
        if (!_isActive(g.lastSeen)) revert StaleGuardian(msg.sender, g.lastSeen, _heartbeatPeriod);
        g.lastSeen = uint64(block.timestamp);
        _approvalBits[_epoch][digest] |= uint256(1) << (slot - 1);
        emit HashApproved(digest, msg.sender);
    }

    /// @dev `_collectBits`, reverting unless it reaches eff(threshold).
    function _collect(bytes32 digest, Approval[] calldata approvals, uint256 threshold)
        private
        returns (uint256 bits)
    {
        bits = _collectBits(digest, approvals);
        _requireQuorum(bits, threshold);
    }

    /// @dev `since` of the restriction a restorative action ends, which must be active.
    function _activeRestrictionSince(Action memory a) private view returns (uint64 since) {
        uint64 until;
        (until, since) = _restriction(a);
        if (until <= block.timestamp) revert NothingToRestore(a.kind, a.target, bytes32(K.word(a.data, 0)));
    }

    function _restrictionSince(Action memory a) private view returns (uint64 since) {
        (, since) = _restriction(a);
    }

    function _restriction(Action memory a) private view returns (uint64 until, uint64 since) {
        ICircuitBreaker b = ICircuitBreaker(a.target);
        uint256 w0 = K.word(a.data, 0);
        // restrictionOf kinds: 0 pause, 1 freeze, 2 quarantine
        return b.restrictionOf(a.kind == K.UNPAUSE ? 0 : a.kind == K.UNFREEZE_ASSET ? 1 : 2, bytes32(w0));
    }

    /// @dev Union of the caller (if an active guardian), the signatures and the on-chain
    /// approvals, as a bitmap of guardian indexes. Signers and the caller are marked alive.
    function _collectBits(bytes32 digest, Approval[] calldata approvals) private returns (uint256 bits) {
        GuardianInfo storage c = _info[msg.sender];
        if (c.slot != 0 && _isActive(c.lastSeen)) {
            bits = uint256(1) << (c.slot - 1);
            c.lastSeen = uint64(block.timestamp);
        }
        address prev;
        for (uint256 i = 0; i < approvals.length; i++) {
            address signer = approvals[i].signer;
            // Strictly ascending: each signer counts once, duplicates are impossible.
            if (signer <= prev) revert SignersNotSorted(prev, signer);
            prev = signer;
            GuardianInfo storage g = _info[signer];
            if (g.slot == 0) revert NotGuardian(signer);
            if (!_isActive(g.lastSeen)) revert StaleGuardian(signer, g.lastSeen, _heartbeatPeriod);
            if (!SignatureChecker.isValidSignatureNowCalldata(signer, digest, approvals[i].signature)) {
                revert InvalidSignature(signer);
            }
            bits |= uint256(1) << (g.slot - 1);
            g.lastSeen = uint64(block.timestamp);
        }
        uint256 onchain = _approvalBits[_epoch][digest] & ~bits;
        while (onchain != 0) {
            uint256 low = onchain & (~onchain + 1);
            onchain ^= low;
            // A guardian that went stale since approving no longer counts.
            if (_isActive(_info[_guardians[_log2(low)]].lastSeen)) bits |= low;
        }
    }

    function _requireQuorum(uint256 bits, uint256 threshold) private view {
        uint256 have = _popcount(bits);
        if (have < threshold) {
            uint256 need = _effective(threshold);
            if (have < need) revert InsufficientApprovals(have, need);
        }
    }

    function _popcount(uint256 x) private pure returns (uint256 c) {
        while (x != 0) {
            x &= x - 1;
            c++;
        }
    }

    /// @dev Index of the single set bit of `x` (x < 2^MAX_GUARDIANS).
    function _log2(uint256 x) private pure returns (uint256 i) {
        while (x > 1) {
            x >>= 1;
            i++;
        }
    }

    function _addresses(uint256 bits) private view returns (address[] memory out) {
        out = new address[](_popcount(bits));
        uint256 k;
        for (uint256 i = 0; bits != 0; i++) {
            if (bits & 1 != 0) out[k++] = _guardians[i];
            bits >>= 1;
        }
    }

    /// @dev SetLimit is fast (LowerLimit policy) only if the breaker says the new config is
    /// strictly tighter than the current one; the caller's claim is never trusted.
    function _policyKindOf(Action memory a) private view returns (uint8) {
        if (a.kind != K.SET_LIMIT) return a.kind;
        (address asset, ICircuitBreaker.LimitConfig memory next) = _limitArgs(a.data);
        try ICircuitBreaker(a.target).limitOf(asset) returns (ICircuitBreaker.LimitConfig memory cur) {
            if (_strictlyTighter(next, cur)) return K.LOWER_LIMIT;
        } catch {
            // Unknown asset: a first limit is configuration, not an emergency.
        }
        return K.SET_LIMIT;
    }

    /// @dev No field looser and at least one strictly tighter: lower capacity, longer refill
    /// window, lower minTvl (applies sooner), longer settlement delay, no inflow credit;
    /// the breach mode must not change (neither mode is uniformly tighter).
    function _strictlyTighter(ICircuitBreaker.LimitConfig memory n, ICircuitBreaker.LimitConfig memory c)
        private
        pure
        returns (bool)
    {
        if (n.mode != c.mode) return false;
        if (n.maxCapacity > c.maxCapacity || n.window < c.window || n.minTvl > c.minTvl) return false;
        if (n.settlementDelay < c.settlementDelay || (n.inflowCredit && !c.inflowCredit)) return false;
        return n.maxCapacity < c.maxCapacity || n.window > c.window || n.minTvl < c.minTvl
            || n.settlementDelay > c.settlementDelay || n.inflowCredit != c.inflowCredit;
    }

    function _onlyCapacityLower(ICircuitBreaker.LimitConfig memory n, ICircuitBreaker.LimitConfig memory c)
        private
        pure
        returns (bool)
    {
        return n.maxCapacity < c.maxCapacity && n.window == c.window && n.minTvl == c.minTvl
            && n.settlementDelay == c.settlementDelay && n.inflowCredit == c.inflowCredit;
    }

    // ---------------------------------------------------------- validation

    /// @dev Full validation of an action against the current state: kind, target, data
    /// layout (word by word, so malformed data gets a custom error), and the bounds of
    /// the multisig's own configuration kinds. Run at propose/execute/queue and again
    /// at executeQueued.
    function _validate(Action memory a) private view {
        uint8 kind = a.kind;
        if (kind >= K.KIND_COUNT || kind == K.LOWER_LIMIT) revert UnknownKind(kind);
        bytes memory d = a.data;
        uint256 words = K.staticWords(kind);
        if (words != type(uint256).max && d.length != words * 32) revert MalformedActionData(kind, d.length);

        if (K.isBreakerKind(kind) || kind == K.RESCUE) {
            if (!_managed[a.target]) revert TargetNotManaged(kind, a.target);
            _validateBreakerData(kind, d);
        } else if (kind == K.CALL) {
            if (a.target == address(this) || a.target == address(0)) revert InvalidTarget(kind, a.target);
            if (d.length < 4) revert MalformedActionData(kind, d.length);
            bytes4 selector = bytes4(bytes32(K.word(d, 0)));
            if (!_callAllowed[a.target][selector]) revert CallNotAllowed(a.target, selector);
        } else {
            if (a.target != address(this)) revert InvalidTarget(kind, a.target);
            _validateAdminData(kind, d);
        }
    }

    function _validateBreakerData(uint8 kind, bytes memory d) private pure {
        bool ok = true;
        if (kind == K.PAUSE || kind == K.EXTEND_PAUSE) {
            ok = K.fits(K.word(d, 1), 64);
        } else if (
            kind == K.FREEZE_ASSET || kind == K.QUARANTINE || kind == K.UNFREEZE_ASSET || kind == K.RELEASE
                || kind == K.RESCUE
        ) {
            ok = K.fits(K.word(d, 0), 160);
        } else if (kind == K.SET_LIMIT) {
            // (address, uint256 maxCapacity, uint64 window, uint256 minTvl, uint8 mode, uint64 delay, bool)
            ok = K.fits(K.word(d, 0), 160) && K.fits(K.word(d, 2), 64) && K.word(d, 4) <= 1
                && K.fits(K.word(d, 5), 64) && K.word(d, 6) <= 1;
        } else if (kind == K.SET_SENTINEL) {
            ok = K.fits(K.word(d, 0), 160) && K.fits(K.word(d, 1), 64) && K.fits(K.word(d, 2), 64);
        } else if (kind == K.SET_PAUSE_BOUNDS) {
            ok = K.fits(K.word(d, 0), 64) && K.fits(K.word(d, 1), 64);
        }
        // UNPAUSE (bytes32), VETO_OUTFLOW (uint256), ARM_SENTINEL (empty): any value is well-formed.
        if (!ok) revert MalformedActionData(kind, d.length);
    }

    function _validateAdminData(uint8 kind, bytes memory d) private view {
        uint256 n = _guardians.length;
        if (kind == K.CHANGE_GUARDIANS) {
            _validateGuardians(_guardianArgs(d), true);
        } else if (kind == K.CHANGE_THRESHOLD) {
            uint256 k = K.word(d, 0);
            uint256 t = K.word(d, 1);
            uint256 delay = K.word(d, 2);
            if (!K.fits(k, 8) || !K.fits(t, 16) || !K.fits(delay, 64)) revert MalformedActionData(kind, d.length);
            _checkPolicy(uint8(k), uint16(t), uint64(delay), n);
        } else if (kind == K.CHANGE_VETO_THRESHOLD) {
            uint256 t = K.word(d, 0);
            if (!K.fits(t, 16)) revert MalformedActionData(kind, d.length);
            if (t == 0 || t > n) revert InvalidThreshold(K.VETO, t, n);
        } else if (kind == K.SET_HEARTBEAT) {
            uint256 p = K.word(d, 0);
            if (!K.fits(p, 64)) revert MalformedActionData(kind, d.length);
            _checkHeartbeat(uint64(p));
        } else if (kind == K.SET_CALL_ALLOWED) {
            address target = address(uint160(K.word(d, 0)));
            if (
                !K.fits(K.word(d, 0), 160) || K.word(d, 1) << 32 != 0 || K.word(d, 2) > 1
            ) revert MalformedActionData(kind, d.length);
            // The multisig must never allow-list itself: that would bypass the per-kind policies.
            if (target == address(0) || target == address(this)) revert InvalidTarget(kind, target);
        } else {
            // SET_MANAGED
            address target = address(uint160(K.word(d, 0)));
            if (!K.fits(K.word(d, 0), 160) || K.word(d, 1) > 1) revert MalformedActionData(kind, d.length);
            if (target == address(0) || target == address(this)) revert InvalidTarget(kind, target);
        }
    }

    /// @dev Decode abi.encode(address[]) strictly: head 0x20, length n, exactly n clean words.
    function _guardianArgs(bytes memory d) private pure returns (address[] memory list) {
        if (d.length < 64 || K.word(d, 0) != 0x20) revert MalformedActionData(K.CHANGE_GUARDIANS, d.length);
        uint256 n = K.word(d, 1);
        if (n > MAX_GUARDIANS || d.length != 64 + n * 32) revert MalformedActionData(K.CHANGE_GUARDIANS, d.length);
        list = new address[](n);
        for (uint256 i = 0; i < n; i++) {
            uint256 w = K.word(d, 2 + i);
            if (!K.fits(w, 160)) revert MalformedActionData(K.CHANGE_GUARDIANS, d.length);
            list[i] = address(uint160(w));
        }
    }

    function _limitArgs(bytes memory d) private pure returns (address asset, ICircuitBreaker.LimitConfig memory c) {
        asset = address(uint160(K.word(d, 0)));
        c = ICircuitBreaker.LimitConfig({
            maxCapacity: K.word(d, 1),
            window: uint64(K.word(d, 2)),
            minTvl: K.word(d, 3),
            mode: ICircuitBreaker.BreachMode(uint8(K.word(d, 4))),
            settlementDelay: uint64(K.word(d, 5)),
            inflowCredit: K.word(d, 6) == 1
        });
    }

    /// @dev No zero, no duplicate, 1..MAX_GUARDIANS; on a change, every current threshold
    /// must still fit the new set (lower thresholds first, then shrink the set).
    function _validateGuardians(address[] memory list, bool checkPolicies) private view {
        uint256 n = list.length;
        if (n == 0 || n > MAX_GUARDIANS) revert InvalidGuardianCount(n, MAX_GUARDIANS);
        for (uint256 i = 0; i < n; i++) {
            if (list[i] == address(0)) revert ZeroGuardian(i);
            for (uint256 j = 0; j < i; j++) {
                if (list[j] == list[i]) revert DuplicateGuardian(list[i]);
            }
        }
        if (!checkPolicies) return;
        for (uint8 kind = 0; kind < K.KIND_COUNT; kind++) {
            uint16 t = _policies[kind].threshold;
            if (t > n) revert InvalidThreshold(kind, t, n);
        }
        if (_vetoThreshold > n) revert InvalidThreshold(K.VETO, _vetoThreshold, n);
    }

    function _checkPolicy(uint8 kind, uint16 threshold, uint64 delay, uint256 n) private pure {
        if (kind >= K.KIND_COUNT) revert UnknownKind(kind);
        if (threshold == 0 || threshold > n) revert InvalidThreshold(kind, threshold, n);
        uint64 min = K.isAdmin(kind) ? MIN_ADMIN_DELAY : 0;
        if (delay < min || delay > MAX_DELAY) revert DelayOutOfBounds(kind, delay, min, MAX_DELAY);
    }

    function _checkHeartbeat(uint64 period) private pure {
        if (period != 0 && (period < MIN_HEARTBEAT || period > MAX_HEARTBEAT)) {
            revert HeartbeatOutOfBounds(period, MIN_HEARTBEAT, MAX_HEARTBEAT);
        }
    }

    // ------------------------------------------------------------- effects

    function _perform(Action memory a, uint8 policyKind) private {
        uint8 kind = a.kind;
        bytes memory d = a.data;
        if (kind == K.CALL) {
            Address.functionCall(a.target, d);
            return;
        }
        if (kind == K.RESCUE) {
            IBreakableRescue(a.target).rescueFrozen(address(uint160(K.word(d, 0))), K.word(d, 1));
            return;
        }
        if (K.isBreakerKind(kind)) {
            _performBreaker(ICircuitBreaker(a.target), kind, d, policyKind);
            return;
        }
        _performAdmin(kind, d);
    }

    function _performBreaker(ICircuitBreaker b, uint8 kind, bytes memory d, uint8 policyKind) private {
        if (kind == K.ARM_SENTINEL) {
            b.armSentinel(); // the only kind with empty data
            return;
        }
        bytes32 w0 = bytes32(K.word(d, 0));
        if (kind == K.PAUSE) b.pause(w0, uint64(K.word(d, 1)));
        else if (kind == K.FREEZE_ASSET) b.freezeAsset(address(uint160(uint256(w0))));
        else if (kind == K.QUARANTINE) b.quarantine(address(uint160(uint256(w0))));
        else if (kind == K.VETO_OUTFLOW) b.vetoQueuedOutflow(uint256(w0));
        else if (kind == K.UNPAUSE) b.unpause(w0);
        else if (kind == K.EXTEND_PAUSE) b.extendPause(w0, uint64(K.word(d, 1)));
        else if (kind == K.UNFREEZE_ASSET) b.unfreezeAsset(address(uint160(uint256(w0))));
        else if (kind == K.RELEASE) b.release(address(uint160(uint256(w0))));
        else if (kind == K.SET_LIMIT) _performSetLimit(b, d, policyKind);
        else if (kind == K.SET_SENTINEL) b.setSentinel(address(uint160(uint256(w0))), uint64(K.word(d, 1)), uint64(K.word(d, 2)));
        else b.setPauseBounds(uint64(uint256(w0)), uint64(K.word(d, 1))); // SET_PAUSE_BOUNDS
    }

    function _performSetLimit(ICircuitBreaker b, bytes memory d, uint8 policyKind) private {
        (address asset, ICircuitBreaker.LimitConfig memory next) = _limitArgs(d);
        // Fast path: when only the capacity goes down, use the breaker's own safe-direction call.
        if (policyKind == K.LOWER_LIMIT && _onlyCapacityLower(next, b.limitOf(asset))) {
            b.lowerLimit(asset, next.maxCapacity);
        } else {
            b.setLimit(asset, next);
        }
    }

    function _performAdmin(uint8 kind, bytes memory d) private {
        if (kind == K.CHANGE_GUARDIANS) {
            _changeGuardians(_guardianArgs(d));
        } else if (kind == K.CHANGE_THRESHOLD) {
            _setPolicy(uint8(K.word(d, 0)), uint16(K.word(d, 1)), uint64(K.word(d, 2)), _guardians.length);
        } else if (kind == K.CHANGE_VETO_THRESHOLD) {
            _setVetoThreshold(uint16(K.word(d, 0)), _guardians.length);
        } else if (kind == K.SET_HEARTBEAT) {
            _setHeartbeat(uint64(K.word(d, 0)));
        } else if (kind == K.SET_CALL_ALLOWED) {
            address target = address(uint160(K.word(d, 0)));
            bytes4 selector = bytes4(bytes32(K.word(d, 1)));
            bool allowed = K.word(d, 2) == 1;
            _callAllowed[target][selector] = allowed;
            emit CallPermissionChanged(target, selector, allowed);
        } else {
            _setManaged(address(uint160(K.word(d, 0))), K.word(d, 1) == 1);
        }
    }

    /// @dev Guardians kept in the new set keep their lastSeen (a stale one stays stale);
    /// new ones start active. Bumps the epoch, which drops pending on-chain approvals.
    function _changeGuardians(address[] memory list) private {
        uint256 n = list.length;
        uint64[] memory seen = new uint64[](n);
        for (uint256 i = 0; i < n; i++) {
            GuardianInfo memory g = _info[list[i]];
            seen[i] = g.slot != 0 ? g.lastSeen : uint64(block.timestamp);
        }
        address[] memory old = _guardians;
        for (uint256 i = 0; i < old.length; i++) {
            delete _info[old[i]];
        }
        delete _guardians;
        for (uint256 i = 0; i < n; i++) {
            _guardians.push(list[i]);
            _info[list[i]] = GuardianInfo({slot: uint8(i + 1), lastSeen: seen[i]});
        }
        _epoch += 1;
        emit GuardiansChanged(list, _epoch);
    }

    function _setGuardians(address[] memory list) private {
        for (uint256 i = 0; i < list.length; i++) {
            _guardians.push(list[i]);
            _info[list[i]] = GuardianInfo({slot: uint8(i + 1), lastSeen: uint64(block.timestamp)});
        }
        emit GuardiansChanged(list, _epoch);
    }

    function _setPolicy(uint8 kind, uint16 threshold, uint64 delay, uint256 n) private {
        _checkPolicy(kind, threshold, delay, n);
        _policies[kind] = Policy({threshold: threshold, delay: delay});
        emit PolicyChanged(kind, threshold, delay);
    }

    function _setVetoThreshold(uint16 threshold, uint256 n) private {
        if (threshold == 0 || threshold > n) revert InvalidThreshold(K.VETO, threshold, n);
        _vetoThreshold = threshold;
        emit PolicyChanged(K.VETO, threshold, 0);
    }

    function _setHeartbeat(uint64 period) private {
        _checkHeartbeat(period);
        _heartbeatPeriod = period;
        emit HeartbeatPeriodChanged(period);
    }

    function _setManaged(address target, bool managed) private {
        if (target == address(0) || target == address(this)) revert InvalidTarget(K.SET_MANAGED, target);
        _managed[target] = managed;
        emit ManagedChanged(target, managed);
    }
}
