// Responders: turn the policy's decisions into actions.
//   pause   (act) → SentinelResponder: state check, simulation, intent, own nonce lane, fee bumps
//   propose (act) → GuardianResponder: EIP-712 action, file for co-signers, optional 1-of-N submit
//   contain (act) → ContainResponder: a configured call (PauseGate or a protocol's pause) with the
//                   same steps as the pause, on its own TxLane (kind "contain")
//   every decision (not suppressed) → an alert to every channel (idempotent through the store)
//
//   const responders = new Responders({ config, store, provider, sentinelSigner, guardianSigner, channels, logger });
//   await responders.resumePending();                 // once at start (after a restart)
//   await responders.handle(decisions, block);        // per processed block: pauses, proposals; alerts queued
//   await responders.onNewBlock(block);               // per new head: receipts, bumps, containment
//   responders.retract(store.rollbackTo(n).alertsToRetract);   // on reorg (queued too)
//   await responders.stop(timeoutMs);                 // drain the alert queue (bounded)
// Alerts never hold block processing: they go to the dispatcher's in-order background queue
// (alerts/dispatch.ts), idempotent through the store; `await responders.idle()` waits for it.
import type { Provider } from "ethers";
import type { KeeperStore } from "../store/store.js";
import type { AlertChannel, AlertMessage, BlockData, BlockRef, Decision } from "../types.js";
import type { KeeperSigner } from "../signers/types.js";
import { AlertDispatcher, type DeliveryResult } from "./alerts/dispatch.js";
import { alertId, messageFromDecision, retractionOf } from "./alerts/format.js";
import type { RetractableAlert } from "../pipeline.js";
import { silentLogger, triedReason, type Logger, type ResponderMetrics } from "./deps.js";
import { GuardianResponder, type ProposalOutcome } from "./guardian.js";
import { TxLane } from "./lane.js";
import { retrySchema, respondersSchema, type RespondersConfigInput, type RetryConfig } from "./schema.js";
import { SentinelResponder, type Containment, type PauseOutcome } from "./sentinel.js";
import { ContainResponder, type ContainContainment, type ContainOutcome } from "./contain.js";

export * from "./schema.js";
export * from "./deps.js";
export * from "./alerts/index.js";
export { SentinelResponder, type PauseOutcome, type Containment } from "./sentinel.js";
export { GuardianResponder, type ProposalOutcome, type ActionFile, actionFromDecision } from "./guardian.js";
export { TxLane, type LaneEvent, type SubmitOutcome } from "./lane.js";
export { ContainResponder, type ContainOutcome, type ContainContainment, CONTAIN_ERRORS_ABI, explainContainRevert } from "./contain.js";
export { decodeRevert, BREAKER_ABI, MULTISIG_ABI } from "./abi.js";

/** The part of the keeper config the responders read (KeeperConfig fits). */
export interface RespondersConfigView {
  chain: { chainId: number };
  contracts: { breaker?: string; guardian?: string };
  alerts: { retry?: Partial<RetryConfig> };
  /** Sentinel lane and guardian settings (respondersSchema); defaults when absent. */
  responders?: RespondersConfigInput;
}

export interface RespondersDeps {
  config: RespondersConfigView;
  store: KeeperStore;
  /** ethers v6 provider on the keeper's chain (JsonRpcProvider, BrowserProvider over EIP-1193...). */
  provider: Provider;
  /** createSigner(config.signers.sentinel): the key used for nothing but sentinelPause. */
  sentinelSigner?: KeeperSigner;
  /** createSigner(config.signers.guardian): signs proposals (local keys) and submits the fast path. */
  guardianSigner?: KeeperSigner;
  /** createSigner(config.signers.contain): signs `contain` calls; default: the sentinel signer. */
  containSigner?: KeeperSigner;
  /** createChannels(config.alerts) (or any AlertChannel). */
  channels: AlertChannel[];
  logger?: Logger;
  metrics?: ResponderMetrics;
  /** Clock (tests). */
  now?: () => number;
}

export interface HandleResult {
  incidentId: string;
  pause?: PauseOutcome;
  proposal?: ProposalOutcome;
  contain?: ContainOutcome;
  /** The alert of this decision, queued: resolves (never rejects) once delivered or given up per channel. */
  alerts: Promise<DeliveryResult[]>;
}

/** Failed retractions (still pending in the store) are queued again at most this often. */
const RETRACTION_RETRY_MS = 60_000;

export class Responders {
  readonly sentinel?: SentinelResponder;
  readonly guardian?: GuardianResponder;
  readonly container?: ContainResponder;
  readonly dispatcher: AlertDispatcher;
  private readonly guardianLane?: TxLane;
  private readonly logger: Logger;
  private lastRetractionSweep = 0;

  constructor(private readonly deps: RespondersDeps) {
    const cfg = respondersSchema.parse(deps.config.responders ?? {});
    const retry = retrySchema.parse(deps.config.alerts?.retry ?? {});
    this.logger = deps.logger ?? silentLogger;
    const chainId = deps.config.chain.chainId;
    this.dispatcher = new AlertDispatcher({ store: deps.store, channels: deps.channels, retry, logger: this.logger, metrics: deps.metrics, now: deps.now });
    if (deps.sentinelSigner) {
      this.sentinel = new SentinelResponder({
        store: deps.store, provider: deps.provider, signer: deps.sentinelSigner, chainId, settings: cfg.sentinel,
        logger: this.logger, metrics: deps.metrics, now: deps.now,
      });
    }
    const containSigner = deps.containSigner ?? deps.sentinelSigner;
    if (containSigner && Object.keys(cfg.contain.targets).length > 0) {
      this.container = new ContainResponder({
        store: deps.store, provider: deps.provider, signer: containSigner, chainId, settings: cfg.contain, fees: cfg.sentinel,
        logger: this.logger, metrics: deps.metrics, now: deps.now,
      });
    }
    if (deps.config.contracts.guardian) {
      if (deps.guardianSigner) {
        this.guardianLane = new TxLane({
          kind: "propose", store: deps.store, provider: deps.provider, signer: deps.guardianSigner, chainId, fees: cfg.sentinel,
          logger: this.logger, metrics: deps.metrics, now: deps.now,
        });
      }
      this.guardian = new GuardianResponder({
        store: deps.store, provider: deps.provider, chainId, multisig: deps.config.contracts.guardian, breaker: deps.config.contracts.breaker,
        signer: deps.guardianSigner, settings: cfg.guardian, dispatcher: this.dispatcher, lane: this.guardianLane, logger: this.logger, now: deps.now,
      });
    }
  }

  private now() {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * Act on decisions: pauses first (they race the attacker), then proposals, both awaited; the
   * alerts are queued (background delivery, in order) and do not hold the caller.
   * Every decision to act is recorded in the store (actions) BEFORE its first try: a try that
   * fails (RPC down, a 503 on the nonce, a failed simulation...) leaves it pending, and it is tried
   * again on every new head (retryPending) until it is carried out, the target is already paused,
   * or a person closes the incident. `block` may be the full BlockData: its transactions give the
   * attack's tips to outbid.
   */
  async handle(decisions: Decision[], block: BlockRef | BlockData): Promise<HandleResult[]> {
    const active = decisions.filter((x) => !x.suppressed);
    const results: HandleResult[] = [];
    for (const d of active) {
      const r: Omit<HandleResult, "alerts"> = { incidentId: d.incidentId };
      if (d.act && d.action === "pause") {
        const stored: StoredDecision = { ...d, attack: attackOf(d, block) };
        this.deps.store.recordAction(stored, "pause", block, this.now());
        r.pause = await this.tryPause(stored, block, true);
      }
      if (d.act && d.action === "contain") {
        this.deps.store.recordAction(d, "contain", block, this.now());
        r.contain = await this.tryContain(d, block, true);
      }
      results.push(r as HandleResult);
    }
    for (const [i, d] of active.entries()) {
      if (d.act && d.action === "propose") {
        this.deps.store.recordAction(d, "propose", block, this.now());
        results[i]!.proposal = await this.tryPropose(d, block, true);
      }
    }
    for (const [i, d] of active.entries()) {
      const r = results[i]!;
      results[i]!.alerts = this.dispatcher.enqueue(messageFromDecision(d, { note: r.contain ? describeContain(r.contain) : describePause(r.pause) }));
    }
    return results;
  }

  /** One try of a recorded pause decision; the action is finished when the lane holds a transaction or the scope is paused. */
  private async tryPause(d: StoredDecision, block: BlockRef, first: boolean): Promise<PauseOutcome> {
    const { store } = this.deps;
    let out: PauseOutcome;
    if (!this.sentinel) out = { status: "error", reason: "no sentinel signer configured (signers.sentinel)" };
    else {
      try {
        const outbid = d.attack ? { tip: d.attack.tip === undefined ? undefined : BigInt(d.attack.tip), senders: d.attack.senders } : undefined;
        out = await this.sentinel.pause(d, block, outbid);
      } catch (err) {
        out = { status: "error", reason: (err as Error).message.split("\n")[0]!.slice(0, 300) };
      }
    }
    const done = out.status === "sent" || out.status === "already-paused" || out.status === "duplicate" || out.status === "pending-broadcast";
    this.settleTry("pause", d, block, first, out, done ? describePause(out) : undefined, "sentinel pause");
    return out;
  }

  /**
   * The bookkeeping of one try of a pause or contain decision: carried out (`carriedOut`, what was
   * done) → the action is finished; otherwise its reason is noted and it stays pending, and an RPC-
   * side error is logged and put on the timeline once per distinct reason (retries run every head).
   */
  private settleTry(kind: "pause" | "contain", d: Decision, block: BlockRef, first: boolean, out: PauseOutcome | ContainOutcome, carriedOut: string | undefined, logLabel: string): void {
    const { store } = this.deps;
    const rec = store.action(d.incidentId, kind);
    if (carriedOut !== undefined) {
      store.noteActionTry(d.incidentId, kind, undefined, this.now());
      store.finishAction(d.incidentId, kind, "done", this.now());
      if (!first) store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "note", message: `${kind} carried out on try ${(rec?.tries ?? 0) + 1} (head ${block.number}): ${carriedOut}` });
      return;
    }
    const reason = triedReason(out)!;
    if (out.status === "error" && rec?.lastError !== reason) {
      this.logger.error({ incident: d.incidentId, err: reason }, `${logLabel} not sent; retrying on the next head`);
      store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `${kind} not sent (try ${(rec?.tries ?? 0) + 1}, retried on every new head until contained or the incident is closed): ${reason}` });
    }
    store.noteActionTry(d.incidentId, kind, reason, this.now());
  }

  /**
   * One try of a recorded contain decision; finished when the lane holds a transaction or the
   * target's state view says contained. A failed simulation or an RPC error leaves it pending:
   * tried again on every head (the gate's cooldown may end, a role may be granted, the RPC return).
   */
  private async tryContain(d: Decision, block: BlockRef, first: boolean): Promise<ContainOutcome> {
    const rec = this.deps.store.action(d.incidentId, "contain");
    let out: ContainOutcome;
    if (!this.container) out = { status: "error", reason: "no contain responder: configure responders.contain.targets and signers.contain (or signers.sentinel)" };
    else {
      try {
        out = await this.container.contain(d, block, { lastError: rec?.lastError });
      } catch (err) {
        out = { status: "error", reason: (err as Error).message.split("\n")[0]!.slice(0, 300) };
      }
    }
    const done = out.status === "sent" || out.status === "already-contained" || out.status === "duplicate" || out.status === "pending-broadcast";
    this.settleTry("contain", d, block, first, out, done ? describeContain(out) : undefined, "contain");
    return out;
  }

  /** One try of a recorded proposal; finished once published (and submitted when the fast path is on). */
  private async tryPropose(d: Decision, block: BlockRef, first: boolean): Promise<ProposalOutcome> {
    const { store } = this.deps;
    let out: ProposalOutcome;
    if (!this.guardian) out = { status: "error", reason: "no guardian multisig configured (contracts.guardian)" };
    else {
      try {
        out = await this.guardian.propose(d, block);
      } catch (err) {
        out = { status: "error", reason: (err as Error).message.split("\n")[0]!.slice(0, 300) };
      }
    }
    const rec = store.action(d.incidentId, "propose");
    if (out.status !== "error") {
      store.noteActionTry(d.incidentId, "propose", undefined, this.now());
      store.finishAction(d.incidentId, "propose", "done", this.now());
      if (!first) store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "note", message: `guardian proposal carried out on try ${(rec?.tries ?? 0) + 1} (head ${block.number})` });
      return out;
    }
    if (rec?.lastError !== out.reason) {
      store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `guardian proposal not made (try ${(rec?.tries ?? 0) + 1}, retried on every new head until done or the incident is closed): ${out.reason}` });
    }
    store.noteActionTry(d.incidentId, "propose", out.reason, this.now());
    return out;
  }

  /**
   * Try every pending decision again (called on each new head, and by the runtime with backoff
   * while no head arrives). Decisions of incidents no longer open are finished here.
   */
  async retryPending(head: BlockRef): Promise<number> {
    const { store } = this.deps;
    let tried = 0;
    for (const a of store.actions("pending")) {
      const inc = store.incident(a.incidentId);
      if (!inc || inc.status === "retracted") {
        store.finishAction(a.incidentId, a.kind, "retracted", this.now());
        continue;
      }
      if (inc.status === "closed") {
        store.finishAction(a.incidentId, a.kind, "done", this.now());
        continue;
      }
      if (a.kind === "pause" || a.kind === "contain") {
        // Contained meanwhile, or the lane already holds its transaction: nothing left to try.
        const lane = a.kind === "pause" ? this.sentinel?.lane : this.container?.lane;
        if (inc.status === "contained" || lane?.isTracking(a.incidentId)) {
          store.finishAction(a.incidentId, a.kind, "done", this.now());
          continue;
        }
        tried++;
        if (a.kind === "pause") await this.tryPause(a.decision as StoredDecision, head, false);
        else await this.tryContain(a.decision, head, false);
      } else {
        tried++;
        await this.tryPropose(a.decision, head, false);
      }
    }
    return tried;
  }

  /** Decisions recorded and not yet carried out (what /healthz and the status page report). */
  pendingActions(): number {
    return this.deps.store.actions("pending").length;
  }

  /**
   * Per new HEAD (not per replayed block: the runtime calls this when the chain's head moves):
   * follow pause / execute transactions (receipts, fee bumps), retry pending decisions, report
   * containment to the channels.
   */
  async onNewBlock(block: BlockRef): Promise<(Containment | ContainContainment)[]> {
    const contained: (Containment | ContainContainment)[] = this.sentinel ? await this.sentinel.onNewBlock(block) : [];
    if (this.container) contained.push(...(await this.container.onNewBlock(block)));
    try {
      await this.retryPending(block);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, "retrying pending decisions failed; again on the next head");
    }
    if (this.guardianLane) {
      for (const ev of await this.guardianLane.onNewBlock(block)) {
        this.deps.store.addTimeline({
          incidentId: ev.incidentId, at: this.now(), blockNumber: block.number, kind: ev.type === "included" && ev.success ? "tx" : "error",
          message: ev.type === "included" ? `guardian execute ${ev.success ? "included" : "reverted"} (${ev.hash})` : `guardian execute: ${ev.type === "failed" ? ev.reason : "nonce used by another transaction"}`,
        });
      }
    }
    for (const c of contained) {
      const inc = this.deps.store.incident(c.incidentId);
      const msg: AlertMessage = {
        id: alertId(c.incidentId, "contained"),
        incidentId: c.incidentId,
        severity: inc?.severity ?? "P2",
        title: `Contained: ${inc?.ruleId ?? c.incidentId}`,
        body: `Incident ${c.incidentId} contained at block ${c.blockNumber} (${c.how}${c.hash ? `, tx ${c.hash}` : ""}).`,
        blockNumber: c.blockNumber,
        blockHash: block.number === c.blockNumber ? block.hash : "",
        // PagerDuty resolves these (one PagerDuty alert per keeper alert).
        resolves: [...new Set(this.deps.store.alerts(c.incidentId).filter((a) => !a.id.endsWith("#contained") && !a.retracted).map((a) => a.id))],
      };
      void this.dispatcher.enqueue(msg);
    }
    // Retractions that failed earlier stay pending in the store: queue them again now and then.
    if (this.dispatcher.pending === 0 && this.now() - this.lastRetractionSweep >= RETRACTION_RETRY_MS) {
      this.lastRetractionSweep = this.now();
      const pending = this.deps.store.pendingRetractions();
      if (pending.length > 0) void this.retract(pending);
    }
    return contained;
  }

  /**
   * Retract alerts whose block was orphaned (from store.rollbackTo / store.pendingRetractions):
   * one retraction per channel that got the alert, each an alert message of its own (id
   * `<alert id>#retract`) queued like any alert, so a failed one stays pending in the store and
   * is queued again (next reorg, restart, or the periodic sweep in onNewBlock). The promise
   * resolves when they are delivered or given up; callers need not wait for it.
   */
  retract(alerts: RetractableAlert[]): Promise<DeliveryResult[]> {
    const out: Promise<DeliveryResult[]>[] = [];
    for (const a of alerts) {
      const ch = this.dispatcher.channels.find((c) => c.name === a.channel);
      if (!ch) {
        this.logger.warn({ channel: a.channel, alert: a.id }, "cannot retract: channel no longer configured");
        continue;
      }
      const severity = this.deps.store.incident(a.incidentId)?.severity;
      // Block 0: the retraction itself is never retracted by a later rollback.
      out.push(this.dispatcher.enqueue(retractionOf(a, { blockNumber: 0, blockHash: "retraction", severity }), [ch.name]));
    }
    return Promise.all(out).then((r) => r.flat());
  }

  /** Everything queued for the channels so far is settled (tests, drills). */
  idle(): Promise<void> {
    return this.dispatcher.idle();
  }

  /** Wait (bounded) for queued alerts: true if the queue drained within `timeoutMs`. */
  flush(timeoutMs = 10_000): Promise<boolean> {
    return this.dispatcher.flush(timeoutMs);
  }

  /** Keeper.stop(): drain the alert queue for at most `timeoutMs`, then stop it. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.dispatcher.close(timeoutMs);
  }

  /** After a restart: follow what the previous run left in flight; never sends a new pause for it. */
  async resumePending(): Promise<string[]> {
    const a = this.sentinel?.resumePending() ?? [];
    const b = this.guardianLane?.resume() ?? [];
    const c = this.container?.resumePending() ?? [];
    if (a.length + b.length + c.length) this.logger.info({ pauses: a, proposals: b, contains: c }, "resumed pending transactions");
    const retractions = this.deps.store.pendingRetractions();
    if (retractions.length > 0) {
      this.lastRetractionSweep = this.now();
      this.logger.info({ retractions: retractions.length }, "re-queueing retractions not delivered by the previous run");
      void this.retract(retractions);
    }
    return [...a, ...b, ...c];
  }
}

/** A decision as recorded in the store, with what the pause must outbid. */
type StoredDecision = Decision & { attack?: { tip?: string; senders: string[] } };

/**
 * The attack transactions of a decision's block: the finding's own transaction, and every
 * transaction to the paused contract. Their highest tip and their senders are what to outbid.
 */
function attackOf(d: Decision, block: BlockRef | BlockData): StoredDecision["attack"] {
  const txs = "transactions" in block ? block.transactions : [];
  const target = d.pause?.breaker.toLowerCase();
  const hits = txs.filter((t) => (d.finding.txHash && t.hash === d.finding.txHash) || (target && t.to?.toLowerCase() === target));
  if (hits.length === 0) return undefined;
  const tip = hits.reduce<bigint | undefined>((m, t) => (t.priorityFeePerGas !== undefined && (m === undefined || t.priorityFeePerGas > m) ? t.priorityFeePerGas : m), undefined);
  return { tip: tip?.toString(), senders: [...new Set(hits.map((t) => t.from.toLowerCase()))] };
}

function describePause(p: PauseOutcome | undefined): string | undefined {
  if (!p) return undefined;
  switch (p.status) {
    case "sent":
      return `pause tx sent: ${p.hash ?? "(relayer)"}${p.nonce !== undefined ? ` (nonce ${p.nonce})` : ""}`;
    case "already-paused":
      return "scope already paused: nothing sent";
    case "duplicate":
      return `pause already in progress: ${p.reason}`;
    case "deferred":
      return `pause deferred: ${p.reason}`;
    case "simulation-failed":
      return `PAUSE NOT SENT (simulation failed): ${p.reason}`;
    case "pending-broadcast":
      return `pause signed, broadcast failing (retrying): ${p.error}`;
    case "error":
      return `PAUSE NOT SENT: ${p.reason}`;
  }
}

function describeContain(c: ContainOutcome): string {
  switch (c.status) {
    case "sent":
      return `contain tx sent: ${c.hash ?? "(relayer)"}${c.nonce !== undefined ? ` (nonce ${c.nonce})` : ""}`;
    case "already-contained":
      return "target already contained: nothing sent";
    case "duplicate":
      return `contain already in progress: ${c.reason}`;
    case "simulation-failed":
      return `CONTAIN NOT SENT (simulation failed): ${c.reason}`;
    case "pending-broadcast":
      return `contain signed, broadcast failing (retrying): ${c.error}`;
    case "error":
      return `CONTAIN NOT SENT: ${c.reason}`;
  }
}
