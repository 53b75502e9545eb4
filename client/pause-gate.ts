/**
 * PauseGate from TypeScript: ABI, adapter ids, and the calldata of the gate's admin functions
 * (what the GuardianMultisig forwards with its slow-path `Call` kind).
 *
 *   const gate = new Contract(address, PAUSE_GATE_ABI, runner);
 *   // once, on the multisig (SetCallAllowed, slow): allow the gate's admin selectors
 *   for (const s of GATE_ADMIN_SELECTORS) Args.setCallAllowed(gateAddress, s, true);
 *   // then each admin step is a Call action with data = GateCalls.registerPausable(token, 86400n, true)
 *
 * Mirrors contracts/adapters/IPauseGate.sol.
 */
import { Interface } from "ethers";

export const PAUSE_GATE_ABI = [
  "function admin() view returns (address)",
  "function sentinelState() view returns (address sentinel, bool armed, uint64 cooldown, uint64 lastPauseAt, uint64 readyAt)",
  "function targets() view returns (address[])",
  "function targetConfig(address target) view returns ((uint8 adapter, address callee, uint64 maxDuration, bool canRelease, bytes pauseCall, bytes unpauseCall, bytes stateCall))",
  "function gatePause(address target) view returns ((uint64 pausedAt, uint64 expiry, bool extended))",
  "function canRelease(address target) view returns (bool)",
  "function isReleasable(address target) view returns (bool)",
  "function targetPaused(address target) view returns (bool known, bool paused)",
  "function setAdmin(address newAdmin)",
  "function setSentinel(address sentinel, uint64 cooldown)",
  "function armSentinel()",
  "function disarmSentinel()",
  "function registerPausable(address target, uint64 maxDuration, bool holdsUnpause)",
  "function registerAccessManaged(address manager, address target, uint64 maxDuration, bool holdsUnpause)",
  "function registerSelectorPair(address target, bytes pauseCall, bytes unpauseCall, uint64 maxDuration)",
  "function deregister(address target)",
  "function extendPause(address target, uint64 newExpiry)",
  "function endPause(address target)",
  "function sentinelPause(address target, uint64 duration)",
  "function release(address target)",
  "event SentinelPaused(address indexed target, address indexed sentinel, uint64 expiry)",
  "event ReleaseUnavailable(address indexed target, uint64 expiry)",
  "event PauseEnded(address indexed target, address indexed caller, bool byExpiry, bool unpauseCalled)",
  "event PauseExtended(address indexed target, uint64 previousExpiry, uint64 newExpiry)",
  "error NotAdmin(address caller)",
  "error NotSentinel(address caller, address sentinel)",
  "error ZeroAddress(string field)",
  "error GateItself(string field)",
  "error SentinelNotArmed()",
  "error SentinelAlreadyArmed()",
  "error SentinelCoolingDown(uint64 readyAt, uint64 nowTime)",
  "error CooldownOutOfBounds(uint64 cooldown, uint64 max)",
  "error TargetNotRegistered(address target)",
  "error TargetAlreadyRegistered(address target)",
  "error TargetHasActivePause(address target, uint64 expiry)",
  "error MaxDurationOutOfBounds(address target, uint64 maxDuration, uint64 max)",
  "error DurationOutOfBounds(address target, uint64 duration, uint64 maxDuration)",
  "error AlreadyPausedByGate(address target, uint64 expiry)",
  "error NoGatePause(address target)",
  "error PauseNotExpired(address target, uint64 expiry, uint64 nowTime)",
  "error CannotRelease(address target)",
  "error ExpiryOutOfBounds(address target, uint64 newExpiry, uint64 min, uint64 max)",
  "error EmptyPauseCall(address target)",
  "error TargetCallFailed(address callee, bytes4 selector, bytes reason)",
] as const;

export const pauseGateIface = new Interface(PAUSE_GATE_ABI);

/** IPauseGate.Adapter */
export const GateAdapter = { None: 0, Pausable: 1, AccessManager: 2, SelectorPair: 3 } as const;
export const GATE_ADAPTER_NAMES = ["None", "Pausable", "AccessManager", "SelectorPair"] as const;

/** The admin functions the multisig calls through its `Call` kind (allow-list these selectors). */
export const GATE_ADMIN_FUNCTIONS = [
  "setAdmin",
  "setSentinel",
  "armSentinel",
  "disarmSentinel",
  "registerPausable",
  "registerAccessManaged",
  "registerSelectorPair",
  "deregister",
  "extendPause",
  "endPause",
] as const;
export const GATE_ADMIN_SELECTORS: string[] = GATE_ADMIN_FUNCTIONS.map((f) => pauseGateIface.getFunction(f)!.selector);

type N = bigint | number;
/** Calldata of the gate's admin functions (the `data` of a multisig Call action on the gate). */
export const GateCalls = {
  setAdmin: (newAdmin: string) => pauseGateIface.encodeFunctionData("setAdmin", [newAdmin]),
  setSentinel: (sentinel: string, cooldown: N) => pauseGateIface.encodeFunctionData("setSentinel", [sentinel, cooldown]),
  armSentinel: () => pauseGateIface.encodeFunctionData("armSentinel", []),
  disarmSentinel: () => pauseGateIface.encodeFunctionData("disarmSentinel", []),
  registerPausable: (target: string, maxDuration: N, holdsUnpause: boolean) =>
    pauseGateIface.encodeFunctionData("registerPausable", [target, maxDuration, holdsUnpause]),
  registerAccessManaged: (manager: string, target: string, maxDuration: N, holdsUnpause: boolean) =>
    pauseGateIface.encodeFunctionData("registerAccessManaged", [manager, target, maxDuration, holdsUnpause]),
  registerSelectorPair: (target: string, pauseCall: string, unpauseCall: string, maxDuration: N) =>
    pauseGateIface.encodeFunctionData("registerSelectorPair", [target, pauseCall, unpauseCall, maxDuration]),
  deregister: (target: string) => pauseGateIface.encodeFunctionData("deregister", [target]),
  extendPause: (target: string, newExpiry: N) => pauseGateIface.encodeFunctionData("extendPause", [target, newExpiry]),
  endPause: (target: string) => pauseGateIface.encodeFunctionData("endPause", [target]),
  sentinelPause: (target: string, duration: N) => pauseGateIface.encodeFunctionData("sentinelPause", [target, duration]),
  release: (target: string) => pauseGateIface.encodeFunctionData("release", [target]),
};

/** Aave V3 PoolConfigurator.setPoolPause(bool): the pause / unpause pair for registerSelectorPair. */
export const aavePoolPauseCalls = (): { pauseCall: string; unpauseCall: string } => {
  const i = new Interface(["function setPoolPause(bool paused)"]);
  return { pauseCall: i.encodeFunctionData("setPoolPause", [true]), unpauseCall: i.encodeFunctionData("setPoolPause", [false]) };
};
