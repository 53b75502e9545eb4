// ABI fragments the responders use, and decoding of the breaker's / multisig's custom errors
// into reasons people can act on.
import { Interface, type ErrorDescription } from "ethers";

export const BREAKER_ABI = [
  "function sentinelPause(bytes32 scope, uint64 duration)",
  "function isPaused(bytes32 scope) view returns (bool)",
  "function pausedUntil(bytes32 scope) view returns (uint64)",
  "function sentinelState() view returns (address sentinel, bool armed, uint64 maxDuration, uint64 cooldown, uint64 lastPauseAt)",
  "error NotSentinel(address caller)",
  "error SentinelNotSet()",
  "error SentinelNotArmed()",
  "error SentinelAlreadyArmed()",
  "error SentinelCoolingDown(uint64 readyAt)",
  "error AlreadyPaused(bytes32 scope, uint64 until)",
  "error InvalidScope(bytes32 scope)",
  "error InvalidDuration(uint64 duration, uint64 min, uint64 max)",
  "error UnknownAsset(address asset)",
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
];

export const MULTISIG_ABI = [
  "function execute((uint8 kind, address target, bytes data, uint256 nonce, uint256 deadline) action, (address signer, bytes signature)[] approvals) returns (bytes32)",
  "function effectiveThreshold(uint8 kind) view returns (uint256)",
  "function hashAction((uint8 kind, address target, bytes data, uint256 nonce, uint256 deadline) action) view returns (bytes32)",
  "function isGuardian(address account) view returns (bool)",
  "function policyOf(uint8 kind) view returns (uint16 threshold, uint64 delay)",
  "error UnknownKind(uint8 kind)",
  "error MalformedActionData(uint8 kind, uint256 length)",
  "error InvalidTarget(uint8 kind, address target)",
  "error TargetNotManaged(uint8 kind, address target)",
  "error DeadlineExpired(uint256 deadline, uint256 timestamp)",
  "error NonceAlreadyUsed(uint256 nonce)",
  "error ActionMustBeQueued(uint8 policyKind, uint64 delay)",
  "error NotGuardian(address account)",
  "error StaleGuardian(address guardian, uint64 lastSeen, uint64 heartbeatPeriod)",
  "error InvalidSignature(address signer)",
  "error InsufficientApprovals(uint256 have, uint256 need)",
  "error SignersNotSorted(address previous, address signer)",
  ...BREAKER_ABI.filter((f) => f.startsWith("error ")),
];

export const breakerIface = new Interface(BREAKER_ABI);
export const multisigIface = new Interface(MULTISIG_ABI);

const iso = (s: bigint) => new Date(Number(s) * 1000).toISOString();

function explain(e: ErrorDescription): string {
  const a = e.args;
  switch (e.name) {
    case "NotSentinel":
      return `NotSentinel(${a[0]}): this key is not the breaker's sentinel; run setSentinel for it (RECOVERY_ROLE)`;
    case "SentinelNotSet":
      return "SentinelNotSet: no sentinel is configured on this breaker";
    case "SentinelNotArmed":
      return "SentinelNotArmed: the sentinel already fired and was not re-armed (guardians: armSentinel)";
    case "SentinelCoolingDown":
      return `SentinelCoolingDown: the sentinel may fire again at ${iso(a[0])} (unix ${a[0]})`;
    case "AlreadyPaused":
      return `AlreadyPaused(${a[0]}): the scope is paused until ${iso(a[1])}`;
    case "InvalidDuration":
      return `InvalidDuration: ${a[0]}s is outside [${a[1]}, ${a[2]}]s allowed for the sentinel; lower durationSeconds`;
    case "InvalidScope":
      return `InvalidScope(${a[0]}): a breaker pauses only GLOBAL, DEPOSIT, WITHDRAW, BORROW, LIQUIDATION, TRADE or a registered asset; fix the rule's scope`;
    case "UnknownAsset":
      return `UnknownAsset(${a[0]}): the asset scope is not registered on the breaker`;
    case "InsufficientApprovals":
      return `InsufficientApprovals: ${a[0]} of ${a[1]} approvals`;
    case "ActionMustBeQueued":
      return `ActionMustBeQueued: kind ${a[0]} has a ${a[1]}s delay; it must be queued, not executed`;
    default:
      return `${e.name}(${a.map(String).join(", ")})`;
  }
}

/** Find revert data in an ethers / provider error, however deeply nested. */
export function revertData(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (x: unknown, depth: number): string | undefined => {
    if (!x || typeof x !== "object" || seen.has(x) || depth > 6) return undefined;
    seen.add(x);
    const o = x as Record<string, unknown>;
    for (const k of ["data", "revertData"]) {
      const v = o[k];
      if (typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v) && v.length >= 10) return v;
    }
    for (const k of ["error", "info", "cause", "data", "originalError"]) {
      const r = walk(o[k], depth + 1);
      if (r) return r;
    }
    return undefined;
  };
  return walk(err, 0);
}

/** A readable reason for a failed call / estimate. */
export function decodeRevert(err: unknown, iface: Interface = breakerIface): { name?: string; reason: string } {
  const data = revertData(err);
  if (data) {
    try {
      const e = iface.parseError(data);
      if (e) return { name: e.name, reason: explain(e) };
    } catch {
      /* unknown selector */
    }
    return { reason: `reverted with unknown data ${data.slice(0, 74)}` };
  }
  const msg = (err as Error)?.message ?? String(err);
  return { reason: msg.split("\n")[0].slice(0, 300) };
}
