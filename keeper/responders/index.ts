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
import type { AlertChannel, AlertMessage, BlockRef, Decision } from "../types.js";
import type { KeeperSigner } from "../signers/types.js";
import { AlertDispatcher, type DeliveryResult } from "./alerts/dispatch.js";
import { alertId, messageFromDecision, retractionOf } from "./alerts/format.js";
import type { RetractableAlert } from "../pipeline.js";
import { silentLogger, type Logger, type ResponderMetrics } from "./deps.js";
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
   */
  async handle(decisions: Decision[], block: BlockRef): Promise<HandleResult[]> {
    const active = decisions.filter((x) => !x.suppressed);
    const results: HandleResult[] = [];
    for (const d of active) {
      const r: Omit<HandleResult, "alerts"> = { incidentId: d.incidentId };
      if (d.act && d.action === "pause") {
        if (!this.sentinel) {
          r.pause = { status: "error", reason: "no sentinel signer configured (signers.sentinel)" };
          this.deps.store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `pause NOT sent: ${r.pause.reason}` });
        } else {
          try {
            r.pause = await this.sentinel.pause(d, block);
          } catch (err) {
            r.pause = { status: "error", reason: (err as Error).message };
            this.logger.error({ incident: d.incidentId, err: r.pause.reason }, "sentinel pause failed");
            this.deps.store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `pause failed: ${r.pause.reason}` });
          }
        }
      }
      if (d.act && d.action === "contain") {
        if (!this.container) {
          r.contain = { status: "error", reason: "no contain responder: configure responders.contain.targets and signers.contain (or signers.sentinel)" };
          this.deps.store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `contain NOT sent: ${r.contain.reason}` });
        } else {
          try {
            r.contain = await this.container.contain(d, block);
          } catch (err) {
            r.contain = { status: "error", reason: (err as Error).message };
            this.logger.error({ incident: d.incidentId, err: r.contain.reason }, "contain failed");
            this.deps.store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `contain failed: ${r.contain.reason}` });
          }
        }
      }
      results.push(r as HandleResult);
    }
    for (const [i, d] of active.entries()) {
      if (d.act && d.action === "propose") {
        const r = results[i]!;
        if (!this.guardian) {
          r.proposal = { status: "error", reason: "no guardian multisig configured (contracts.guardian)" };
          this.deps.store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `guardian proposal NOT made: ${r.proposal.reason}` });
        } else {
          try {
            r.proposal = await this.guardian.propose(d, block);
          } catch (err) {
            r.proposal = { status: "error", reason: (err as Error).message };
            this.deps.store.addTimeline({ incidentId: d.incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `guardian proposal failed: ${r.proposal.reason}` });
          }
        }
      }
    }
    for (const [i, d] of active.entries()) {
      const r = results[i]!;
      results[i]!.alerts = this.dispatcher.enqueue(messageFromDecision(d, { note: r.contain ? describeContain(r.contain) : describePause(r.pause) }));
    }
    return results;
  }

  /** Per new head: follow pause / execute transactions; report containment to the channels. */
  async onNewBlock(block: BlockRef): Promise<(Containment | ContainContainment)[]> {
    const contained: (Containment | ContainContainment)[] = this.sentinel ? await this.sentinel.onNewBlock(block) : [];
    if (this.container) contained.push(...(await this.container.onNewBlock(block)));
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
