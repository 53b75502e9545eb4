// The fast path: pause a scope through the breaker's sentinel (single-use per arming, bounded).
//
//   1. state check: scope already paused → nothing sent; "skipped" attempt + containment
//   2. the sentinel key has pending transactions this store does not know → another replica is
//      pausing: nothing sent; the incident is watched until the pause shows on chain
//   3. simulation (eth_call from the sentinel at the pending block), custom errors decoded:
//      any revert → nothing sent, the reason on the timeline and a "failed" attempt
//   4. TxLane.submit: intent recorded before broadcast, own nonce lane, per-block fee bumps
//   5. after inclusion (+ confirmations): isPaused(scope) → store.markContained + timeline
import { Contract, type Provider } from "ethers";
import type { KeeperStore } from "../store/store.js";
import type { BlockRef, Decision, PauseTarget } from "../types.js";
import type { KeeperSigner } from "../signers/types.js";
import { breakerIface, BREAKER_ABI, decodeRevert } from "./abi.js";
import type { Logger, ResponderMetrics } from "./deps.js";
import { TxLane, type LaneEvent, type Outbid, type SubmitOutcome } from "./lane.js";
import type { SentinelResponderConfig } from "./schema.js";

export type PauseOutcome =
  | { status: "sent"; hash?: string; nonce?: number }
  | { status: "pending-broadcast"; error: string }
  | { status: "already-paused"; until: bigint }
  | { status: "duplicate"; reason: string }
  | { status: "deferred"; reason: string }
  | { status: "simulation-failed"; reason: string; error?: string }
  | { status: "error"; reason: string };

export interface Containment {
  incidentId: string;
  blockNumber: number;
  how: "pause-included" | "already-paused" | "paused-by-other";
  hash?: string;
}

export interface SentinelResponderDeps {
  store: KeeperStore;
  provider: Provider;
  signer: KeeperSigner;
  chainId: number;
  settings: SentinelResponderConfig;
  logger: Logger;
  metrics?: ResponderMetrics;
  now?: () => number;
}

export class SentinelResponder {
  readonly lane: TxLane;
  /** Incidents whose pause someone else is sending: confirmed from chain state. */
  private readonly watched = new Map<string, PauseTarget>();
  /** Last simulation failure per incident: a retry failing the same way is not recorded again. */
  private readonly lastFailure = new Map<string, string>();

  constructor(private readonly d: SentinelResponderDeps) {
    this.lane = new TxLane({
      kind: "pause",
      store: d.store,
      provider: d.provider,
      signer: d.signer,
      chainId: d.chainId,
      fees: d.settings,
      logger: d.logger,
      metrics: d.metrics,
      now: d.now,
    });
  }

  private now() {
    return (this.d.now ?? Date.now)();
  }

  private breaker(address: string) {
    return new Contract(address, BREAKER_ABI, this.d.provider);
  }

  private contain(incidentId: string, blockNumber: number, message: string, data?: Record<string, unknown>): void {
    const before = this.d.store.incident(incidentId)?.status;
    this.d.store.markContained(incidentId, blockNumber);
    this.d.store.addTimeline({ incidentId, at: this.now(), blockNumber, kind: "containment", message, data });
    if (before === "open") this.d.metrics?.contained?.(incidentId);
  }

  /**
   * One try of every step before the broadcast (state, other replica, simulation, gas, fees, nonce,
   * signing), then the lane. Throws on RPC failures: the caller (Responders) keeps the decision
   * pending and tries again on the next head. `outbid`: the attack transactions to go before.
   */
  async pause(decision: Decision, block: BlockRef, outbid?: Outbid): Promise<PauseOutcome> {
    const { store, signer } = this.d;
    const incidentId = decision.incidentId;
    const t = decision.pause;
    if (!t) {
      const reason = "pause decision without a pause target (breaker, scope, duration)";
      store.addTimeline({ incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `pause not sent: ${reason}` });
      return { status: "error", reason };
    }
    const data = breakerIface.encodeFunctionData("sentinelPause", [t.scope, t.durationSeconds]);
    const dup = this.lane.existingFor(incidentId, t.breaker, data);
    if (dup) return { status: "duplicate", reason: `attempt #${dup.id} (${dup.status}) exists for incident ${dup.incidentId}` };
    if (this.watched.has(incidentId)) return { status: "deferred", reason: "waiting for a pause sent by another replica" };

    const breaker = this.breaker(t.breaker);
    // 1. state
    if (await breaker.isPaused(t.scope)) {
      const until = (await breaker.pausedUntil(t.scope)) as bigint;
      store.recordTxAttempt({
        incidentId, kind: "pause", chainId: this.d.chainId, to: t.breaker, data, status: "skipped",
        note: `scope ${t.scope} already paused${until > 0n ? ` until ${until}` : " (global pause)"}; nothing sent`, createdAt: this.now(),
      });
      this.contain(incidentId, block.number, `scope ${t.scope} already paused on ${t.breaker}; no transaction sent`, { until });
      return { status: "already-paused", until };
    }
    const from = await this.lane.address();
    // 2. someone else on this key (local keys only: relayers share no nonce view with us)
    if (!signer.managesNonceAndFees) {
      const [latest, pending] = await Promise.all([
        this.d.provider.getTransactionCount(from, "latest"),
        this.d.provider.getTransactionCount(from, "pending"),
      ]);
      const ours = this.lane.activeIncidents().length > 0 || store.pendingTxAttempts("pause").length > 0;
      if (pending > latest && !ours) {
        const reason = `the sentinel key ${from} has ${pending - latest} pending transaction(s) this keeper did not send (another replica?); not sending, watching the scope`;
        this.watched.set(incidentId, t);
        store.addTimeline({ incidentId, at: this.now(), blockNumber: block.number, kind: "note", message: reason });
        return { status: "deferred", reason };
      }
    }
    // 3. simulation at the pending block (sees a pause another replica has in the mempool)
    try {
      await this.d.provider.call({ from, to: t.breaker, data, blockTag: "pending" });
    } catch (err) {
      const { name, reason } = decodeRevert(err);
      // No answer from the node is not a simulation verdict: let the caller retry.
      if (!isRevert(err)) throw err;
      if (name === "AlreadyPaused") {
        this.watched.set(incidentId, t);
        store.recordTxAttempt({ incidentId, kind: "pause", chainId: this.d.chainId, to: t.breaker, data, status: "skipped", note: `simulation: ${reason} (pending block); nothing sent`, createdAt: this.now() });
        return { status: "deferred", reason };
      }
      if (this.lastFailure.get(incidentId) === reason) return { status: "simulation-failed", reason };
      this.lastFailure.set(incidentId, reason);
      store.recordTxAttempt({ incidentId, kind: "pause", chainId: this.d.chainId, to: t.breaker, data, status: "failed", note: `simulation failed, nothing sent: ${reason}`, createdAt: this.now() });
      store.addTimeline({ incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `pause NOT sent: simulation of sentinelPause failed: ${reason}`, data: { breaker: t.breaker, scope: t.scope, sentinel: from } });
      this.d.metrics?.simulationFailed?.("pause", name ?? "unknown");
      this.d.logger.error({ incident: incidentId, reason }, "sentinel pause simulation failed; nothing sent");
      return { status: "simulation-failed", reason };
    }
    // 4. gas and send
    let gasLimit: bigint;
    if (this.d.settings.gasLimit) gasLimit = BigInt(this.d.settings.gasLimit);
    else {
      try {
        gasLimit = ((await this.d.provider.estimateGas({ from, to: t.breaker, data })) * 13n) / 10n;
      } catch (err) {
        if (!isRevert(err)) throw err;
        gasLimit = 200_000n;
        this.d.logger.warn({ err: decodeRevert(err).reason }, "estimateGas failed after a successful simulation; using 200000");
      }
    }
    this.lastFailure.delete(incidentId);
    const out: SubmitOutcome = await this.lane.submit({ incidentId, to: t.breaker, data, gasLimit, block, note: `sentinelPause(${t.scope}, ${t.durationSeconds})`, outbid });
    if (out.status === "sent") this.d.logger.info({ incident: incidentId, hash: out.hash, nonce: out.nonce }, "sentinel pause sent");
    return out.status === "sent" ? { status: "sent", hash: out.hash, nonce: out.nonce } : out.status === "duplicate" ? out : { status: "pending-broadcast", error: out.error };
  }

  /** Follow pauses in flight; returns the incidents contained at this block. */
  async onNewBlock(block: BlockRef): Promise<Containment[]> {
    const done: Containment[] = [];
    const events: LaneEvent[] = await this.lane.onNewBlock(block);
    for (const ev of events) {
      const [scope] = breakerIface.decodeFunctionData("sentinelPause", ev.data) as unknown as [string];
      const paused = (await this.breaker(ev.to).isPaused(scope)) as boolean;
      if (ev.type === "included" && ev.success && paused) {
        this.contain(ev.incidentId, ev.blockNumber, `scope ${scope} paused by the sentinel (tx ${ev.hash}, block ${ev.blockNumber})`, { hash: ev.hash });
        done.push({ incidentId: ev.incidentId, blockNumber: ev.blockNumber, how: "pause-included", hash: ev.hash });
      } else if (paused) {
        this.contain(ev.incidentId, block.number, `scope ${scope} is paused (${ev.type === "nonce-consumed" ? "by a transaction another replica sent" : "by another transaction"})`);
        done.push({ incidentId: ev.incidentId, blockNumber: block.number, how: "paused-by-other" });
      } else {
        const reason = ev.type === "failed" ? ev.reason : ev.type === "included" ? (ev.success ? "included but the scope is not paused" : `tx ${ev.hash} reverted`) : "nonce used by another transaction and the scope is not paused";
        this.d.store.addTimeline({ incidentId: ev.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `pause did not take effect: ${reason}` });
        // The decision stands: it is tried again (a new transaction) on the next head.
        this.d.store.reopenAction(ev.incidentId, "pause", `pause did not take effect: ${reason}`);
      }
    }
    for (const [incidentId, t] of [...this.watched]) {
      if (await this.breaker(t.breaker).isPaused(t.scope)) {
        this.watched.delete(incidentId);
        this.contain(incidentId, block.number, `scope ${t.scope} is paused (by a pause this keeper did not send)`);
        done.push({ incidentId, blockNumber: block.number, how: "paused-by-other" });
      }
    }
    return done;
  }

  /** After a restart: follow the pauses the previous run left in flight (never re-sends a new one). */
  resumePending(): string[] {
    return this.lane.resume();
  }
}

/** A revert the node reported (an answer), as opposed to no answer (transport, timeout). */
export function isRevert(err: unknown): boolean {
  const e = err as { code?: string; data?: unknown; info?: { error?: { code?: number } }; error?: { code?: number } };
  if (e?.code === "CALL_EXCEPTION") return true;
  if (typeof e?.data === "string" && e.data.startsWith("0x") && e.data.length > 2) return true;
  const code = e?.info?.error?.code ?? e?.error?.code;
  return code === 3 || code === -32015;
}
