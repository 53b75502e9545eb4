// The retrofit path: contain an incident by calling a configured function — a PauseGate's
// sentinelPause(target, duration), or (teams that accept the risk) a protocol's own pause()
// directly with a relayer key — through the same transaction lane as the sentinel pause:
//
//   1. allow-list: the call's selector must be in responders.contain.allowedSelectors
//   2. state check: the target's configured view (e.g. paused()) already says contained → nothing
//      sent; "skipped" attempt + containment
//   3. simulation (eth_call from the lane's key at the pending block), custom errors decoded
//      (the gate's, OpenZeppelin's, Error(string)): any revert → nothing sent, the reason on the
//      timeline and a "failed" attempt; the incident is then watched: if the view turns true (another
//      replica's or a person's pause), it is marked contained
//   4. TxLane.submit (kind "contain"): intent recorded before broadcast, own nonce, fee policy of
//      responders.sentinel, per-block bumps; never twice for one incident
//   5. after inclusion (+ confirmations): the view again → store.markContained + timeline
import { AbiCoder, Interface, type Provider } from "ethers";
import type { KeeperStore } from "../store/store.js";
import type { BlockRef, Decision } from "../types.js";
import type { KeeperSigner } from "../signers/types.js";
import { decodeRevert, revertData } from "./abi.js";
import { triedReason, type Logger, type ResponderMetrics } from "./deps.js";
import { TxLane, type LaneEvent } from "./lane.js";
import { normalizeSelector, type ContainResponderConfig, type ContainTargetConfig, type SentinelResponderConfig } from "./schema.js";

export type ContainOutcome =
  | { status: "sent"; hash?: string; nonce?: number }
  | { status: "pending-broadcast"; error: string }
  | { status: "already-contained" }
  | { status: "duplicate"; reason: string }
  | { status: "simulation-failed"; reason: string }
  | { status: "error"; reason: string };

export interface ContainContainment {
  incidentId: string;
  blockNumber: number;
  how: "contain-included" | "already-contained" | "contained-by-other";
  hash?: string;
}

/** Errors a contain call may revert with: the PauseGate's and the usual OpenZeppelin ones. */
export const CONTAIN_ERRORS_ABI = [
  "error NotSentinel(address caller, address sentinel)",
  "error SentinelNotArmed()",
  "error SentinelCoolingDown(uint64 readyAt, uint64 nowTime)",
  "error TargetNotRegistered(address target)",
  "error DurationOutOfBounds(address target, uint64 duration, uint64 maxDuration)",
  "error AlreadyPausedByGate(address target, uint64 expiry)",
  "error TargetCallFailed(address callee, bytes4 selector, bytes reason)",
  "error EnforcedPause()",
  "error ExpectedPause()",
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AccessManagedUnauthorized(address caller)",
  "error OwnableUnauthorizedAccount(address account)",
];
const containErrors = new Interface(CONTAIN_ERRORS_ABI);

/** Aave V3 reverts with numeric codes (protocol/libraries/helpers/Errors.sol): name the ones a pause meets. */
const AAVE_CODES: Record<string, string> = { "1": "CALLER_NOT_POOL_ADMIN", "2": "CALLER_NOT_EMERGENCY_ADMIN", "29": "RESERVE_PAUSED" };
const errorString = (msg: string) => `"${msg}"${AAVE_CODES[msg] ? ` (Aave V3: ${AAVE_CODES[msg]})` : ""}`;

/** A readable reason, unwrapping the gate's TargetCallFailed(callee, selector, inner). */
export function explainContainRevert(err: unknown): { name?: string; reason: string } {
  const out = decodeRevert(err, containErrors);
  if (out.name === "Error") {
    const e = containErrors.parseError(revertData(err)!)!;
    return { name: "Error", reason: `reverted with ${errorString(String(e.args[0]))}` };
  }
  if (out.name !== "TargetCallFailed") return out;
  const e = containErrors.parseError(revertData(err)!)!;
  const [callee, selector, inner] = e.args as unknown as [string, string, string];
  let why = inner === "0x" ? "no revert data (no code at the callee?)" : `unknown data ${inner.slice(0, 74)}`;
  try {
    const i = containErrors.parseError(inner);
    if (i) why = i.name === "Error" ? errorString(String(i.args[0])) : `${i.name}(${i.args.map(String).join(", ")})`;
  } catch {
    /* keep the raw data */
  }
  const hint = /AccessControlUnauthorizedAccount|AccessManagedUnauthorized|OwnableUnauthorizedAccount/.test(why)
    ? "; the gate lacks the protocol's pause permission: grant it"
    : "";
  return { name: "TargetCallFailed", reason: `the gate's call ${selector} to ${callee} reverted: ${why}${hint}` };
}

/** "pause()", "function pause()" or "paused() view returns (bool)" → "function pause()" / "function paused()". */
const asFunction = (sig: string) => (sig.trim().startsWith("function") ? sig.trim() : `function ${sig.trim()}`).replace(/\s+view\b.*$|\s+returns\b.*$/, "");

/** The signature as people read it: "paused() view returns (bool)" → "paused()". */
export const callSignature = (sig: string) => asFunction(sig).replace(/^function\s+/, "");

/** Calldata of a contain call or of its containedWhen view, as the config writes them (signature + args). */
export function containCalldata(signature: string, args: readonly unknown[]): string {
  const iface = new Interface([asFunction(signature)]);
  return iface.encodeFunctionData(iface.fragments[0] as never, [...args]);
}

/** A containedWhen view (one bool) read at `blockTag`: true = contained. Throws when it cannot be read. */
export async function readContained(
  provider: Provider,
  v: { target: string; function: string; args?: readonly unknown[]; equals?: boolean },
  blockTag?: number | "latest",
): Promise<boolean> {
  const out = await provider.call({ to: v.target, data: containCalldata(v.function, v.args ?? []), ...(blockTag !== undefined ? { blockTag } : {}) });
  return (AbiCoder.defaultAbiCoder().decode(["bool"], out)[0] as boolean) === (v.equals ?? true);
}

export interface ContainResponderDeps {
  store: KeeperStore;
  provider: Provider;
  signer: KeeperSigner;
  chainId: number;
  settings: ContainResponderConfig;
  /** Fee policy and confirmations (responders.sentinel): one policy for both lanes. */
  fees: SentinelResponderConfig;
  logger: Logger;
  metrics?: ResponderMetrics;
  now?: () => number;
}

interface Prepared {
  name: string;
  target: ContainTargetConfig;
  data: string;
}

export class ContainResponder {
  readonly lane: TxLane;
  private readonly allowed: Set<string>;
  /** Incidents whose call failed to simulate: contained if the state view turns true (another replica, a human). */
  private readonly watched = new Map<string, string>();

  constructor(private readonly d: ContainResponderDeps) {
    this.lane = new TxLane({
      kind: "contain",
      store: d.store,
      provider: d.provider,
      signer: d.signer,
      chainId: d.chainId,
      fees: d.fees,
      logger: d.logger,
      metrics: d.metrics,
      now: d.now,
    });
    this.allowed = new Set(d.settings.allowedSelectors.map(normalizeSelector));
  }

  private now() {
    return (this.d.now ?? Date.now)();
  }

  /** Calldata of a configured target's call; throws if the target is unknown or its selector not allowed. */
  prepare(name: string): Prepared {
    const target = this.d.settings.targets[name];
    if (!target) {
      const known = Object.keys(this.d.settings.targets);
      throw new Error(`contain target "${name}" is not configured (responders.contain.targets has: ${known.join(", ") || "none"})`);
    }
    const fn = new Interface([asFunction(target.function)]).fragments[0] as unknown as { selector: string; format(f: string): string };
    if (!this.allowed.has(fn.selector)) {
      throw new Error(`contain target "${name}": ${fn.format("sighash")} (${fn.selector}) is not in responders.contain.allowedSelectors; nothing sent`);
    }
    return { name, target, data: containCalldata(target.function, target.args) };
  }

  /** The configured state view: true = the target is contained (e.g. paused() == true). */
  async isContained(target: ContainTargetConfig): Promise<boolean> {
    return readContained(this.d.provider, target.containedWhen);
  }

  private markContained(incidentId: string, blockNumber: number, message: string, data?: Record<string, unknown>): void {
    const before = this.d.store.incident(incidentId)?.status;
    this.d.store.markContained(incidentId, blockNumber);
    this.d.store.addTimeline({ incidentId, at: this.now(), blockNumber, kind: "containment", message, data });
    if (before === "open") this.d.metrics?.contained?.(incidentId);
  }

  private record(incidentId: string, to: string, data: string, status: "skipped" | "failed", note: string) {
    this.d.store.recordTxAttempt({ incidentId, kind: "contain", chainId: this.d.chainId, to, data, status, note, createdAt: this.now() });
  }

  /**
   * One try. `retry.lastError`: why the previous try of this decision did not go through; the same
   * failure again is not recorded again (a decision is retried on every head).
   */
  async contain(decision: Decision, block: BlockRef, retry: { lastError?: string } = {}): Promise<ContainOutcome> {
    const { store } = this.d;
    const incidentId = decision.incidentId;
    const name = decision.contain?.target;
    let p: Prepared;
    try {
      if (!name) throw new Error("contain decision without a target name (rule.contain.target)");
      p = this.prepare(name);
    } catch (err) {
      const reason = (err as Error).message;
      if (retry.lastError !== reason) store.addTimeline({ incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `contain NOT sent: ${reason}` });
      return { status: "error", reason };
    }
    const { target, data } = p;
    const to = target.to;
    const dup = this.lane.existingFor(incidentId, to, data);
    if (dup) return { status: "duplicate", reason: `attempt #${dup.id} (${dup.status}) exists for incident ${dup.incidentId}` };

    // 1. state
    if (await this.isContained(target)) {
      this.record(incidentId, to, data, "skipped", `${name}: ${target.containedWhen.function} already says contained; nothing sent`);
      this.markContained(incidentId, block.number, `${name} already contained (${target.containedWhen.function} on ${target.containedWhen.target}); no transaction sent`);
      return { status: "already-contained" };
    }
    // 2. simulation at the pending block
    const from = await this.lane.address();
    try {
      await this.d.provider.call({ from, to, data, blockTag: "pending" });
    } catch (err) {
      const { name: errName, reason } = explainContainRevert(err);
      this.watched.set(incidentId, p.name);
      if (retry.lastError === triedReason({ status: "simulation-failed", reason })) return { status: "simulation-failed", reason };
      this.record(incidentId, to, data, "failed", `simulation failed, nothing sent: ${reason}`);
      store.addTimeline({
        incidentId, at: this.now(), blockNumber: block.number, kind: "error",
        message: `contain NOT sent: simulation of ${target.function} on ${to} (${target.via}) failed: ${reason}`,
        data: { target: name, to, from, via: target.via },
      });
      this.d.metrics?.simulationFailed?.("contain", errName ?? "unknown");
      this.d.logger.error({ incident: incidentId, target: name, reason }, "contain simulation failed; nothing sent");
      return { status: "simulation-failed", reason };
    }
    // 3. gas and send
    let gasLimit: bigint;
    if (target.gasLimit) gasLimit = BigInt(target.gasLimit);
    else {
      try {
        gasLimit = ((await this.d.provider.estimateGas({ from, to, data })) * 13n) / 10n;
      } catch (err) {
        gasLimit = 300_000n;
        this.d.logger.warn({ err: explainContainRevert(err).reason }, "estimateGas failed after a successful simulation; using 300000");
      }
    }
    const out = await this.lane.submit({ incidentId, to, data, gasLimit, block, note: `contain ${name}: ${target.function} (${target.via})` });
    if (out.status === "sent") this.d.logger.info({ incident: incidentId, target: name, hash: out.hash, nonce: out.nonce }, "contain sent");
    return out.status === "sent" ? { status: "sent", hash: out.hash, nonce: out.nonce } : out.status === "duplicate" ? out : { status: "pending-broadcast", error: out.error };
  }

  private targetFor(to: string, data: string): [string, ContainTargetConfig] | undefined {
    for (const [name, t] of Object.entries(this.d.settings.targets)) {
      if (t.to.toLowerCase() !== to.toLowerCase()) continue;
      try {
        if (this.prepare(name).data.toLowerCase() === data.toLowerCase()) return [name, t];
      } catch {
        /* not allowed any more: not ours to confirm */
      }
    }
    return undefined;
  }

  /** Follow contain transactions in flight; returns the incidents contained at this block. */
  async onNewBlock(block: BlockRef): Promise<ContainContainment[]> {
    const done: ContainContainment[] = [];
    const events: LaneEvent[] = await this.lane.onNewBlock(block);
    for (const ev of events) {
      const found = this.targetFor(ev.to, ev.data);
      const contained = found ? await this.isContained(found[1]) : false;
      const label = found?.[0] ?? ev.to;
      if (ev.type === "included" && ev.success && contained) {
        this.markContained(ev.incidentId, ev.blockNumber, `${label} contained (tx ${ev.hash}, block ${ev.blockNumber})`, { hash: ev.hash });
        done.push({ incidentId: ev.incidentId, blockNumber: ev.blockNumber, how: "contain-included", hash: ev.hash });
      } else if (contained) {
        this.markContained(ev.incidentId, block.number, `${label} is contained (by another transaction)`);
        done.push({ incidentId: ev.incidentId, blockNumber: block.number, how: "contained-by-other" });
      } else {
        const reason = ev.type === "failed" ? ev.reason : ev.type === "included" ? (ev.success ? "included but the state view does not say contained" : `tx ${ev.hash} reverted`) : "nonce used by another transaction and the target is not contained";
        this.d.store.addTimeline({ incidentId: ev.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `contain of ${label} did not take effect: ${reason}` });
      }
    }
    for (const [incidentId, name] of [...this.watched]) {
      const t = this.d.settings.targets[name];
      if (!t || this.d.store.incident(incidentId)?.status !== "open") {
        this.watched.delete(incidentId);
        continue;
      }
      if (await this.isContained(t)) {
        this.watched.delete(incidentId);
        this.markContained(incidentId, block.number, `${name} is contained (by a transaction this keeper did not send)`);
        done.push({ incidentId, blockNumber: block.number, how: "contained-by-other" });
      }
    }
    return done;
  }

  /** After a restart: follow the contain transactions the previous run left in flight. */
  resumePending(): string[] {
    return this.lane.resume();
  }
}
