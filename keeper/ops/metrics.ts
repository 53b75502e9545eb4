// Prometheus metrics (prom-client), one registry per keeper (several keepers may run in one
// test process). Counts of tx attempts are read from the store at scrape time, so they are right
// after a restart and whoever records attempts (the responders) needs no metrics handle.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { KeeperStore } from "../store/store.js";
import type { ResponderMetrics } from "../responders/deps.js";

export class KeeperMetrics {
  readonly registry = new Registry();
  readonly head: Gauge;
  readonly checkpoint: Gauge;
  readonly checkpointLag: Gauge;
  readonly blocksProcessed: Counter;
  readonly detectionLag: Histogram;
  readonly findings: Counter;
  readonly decisions: Counter;
  readonly detectorErrors: Counter;
  readonly rpcErrors: Counter;
  readonly rpcRotations: Counter;
  readonly reorgs: Counter;
  readonly headMode: Gauge;
  readonly loopErrors: Counter;
  readonly alertsDelivered: Counter;
  readonly alertsFailed: Counter;
  readonly txSent: Counter;
  readonly txInclusionBlocks: Histogram;
  readonly contained: Counter;
  readonly simulationsFailed: Counter;
  readonly lastProgress: Gauge;
  readonly rpcUp: Gauge;
  readonly detectorEvaluations: Counter;

  constructor(store: () => KeeperStore | undefined, opts: { defaultMetrics?: boolean; labels?: Record<string, string> } = {}) {
    const r = this.registry;
    if (opts.labels) r.setDefaultLabels(opts.labels);
    if (opts.defaultMetrics) collectDefaultMetrics({ register: r });
    this.head = new Gauge({ name: "keeper_chain_head_block", help: "Latest head block number seen", registers: [r] });
    this.checkpoint = new Gauge({ name: "keeper_checkpoint_block", help: "Last processed block number", registers: [r] });
    this.checkpointLag = new Gauge({ name: "keeper_checkpoint_lag_blocks", help: "Head minus last processed block", registers: [r] });
    this.blocksProcessed = new Counter({ name: "keeper_blocks_processed_total", help: "Blocks processed", registers: [r] });
    this.detectionLag = new Histogram({
      name: "keeper_detection_lag_seconds",
      help: "From the block timestamp to the decision (alert/pause) on it",
      buckets: [1, 2, 4, 8, 12, 24, 60, 120, 300, 900],
      registers: [r],
    });
    this.findings = new Counter({ name: "keeper_findings_total", help: "Findings by rule and severity", labelNames: ["rule", "severity"], registers: [r] });
    this.decisions = new Counter({ name: "keeper_decisions_total", help: "Decisions by action and suppression", labelNames: ["action", "suppressed"], registers: [r] });
    this.detectorErrors = new Counter({ name: "keeper_detector_errors_total", help: "Detector evaluations that threw", labelNames: ["rule"], registers: [r] });
    this.rpcErrors = new Counter({ name: "keeper_rpc_errors_total", help: "RPC transport errors by endpoint (redacted) and kind", labelNames: ["url", "kind"], registers: [r] });
    this.rpcRotations = new Counter({ name: "keeper_rpc_rotations_total", help: "Switches to another RPC endpoint", registers: [r] });
    this.reorgs = new Counter({ name: "keeper_reorgs_total", help: "Reorgs unwound", registers: [r] });
    this.headMode = new Gauge({ name: "keeper_head_websocket", help: "1 when new heads come by websocket, 0 when polling", registers: [r] });
    this.loopErrors = new Counter({ name: "keeper_loop_errors_total", help: "Errors that made the keeper retry a step", registers: [r] });
    this.alertsDelivered = new Counter({ name: "keeper_alerts_delivered_total", help: "Alerts delivered by channel", labelNames: ["channel"], registers: [r] });
    this.alertsFailed = new Counter({ name: "keeper_alerts_failed_total", help: "Alerts given up after retries, by channel", labelNames: ["channel"], registers: [r] });
    this.txSent = new Counter({ name: "keeper_tx_sent_total", help: "Transactions broadcast (pause / propose), replacements (fee bumps) included", labelNames: ["kind", "replacement"], registers: [r] });
    this.txInclusionBlocks = new Histogram({ name: "keeper_tx_inclusion_blocks", help: "Blocks from first send to inclusion", labelNames: ["kind"], buckets: [1, 2, 3, 5, 10, 20, 50], registers: [r] });
    this.contained = new Counter({ name: "keeper_incidents_contained_total", help: "Incidents contained by a pause", registers: [r] });
    this.simulationsFailed = new Counter({ name: "keeper_simulations_failed_total", help: "Pause / propose simulations that failed (nothing sent)", labelNames: ["kind"], registers: [r] });
    this.lastProgress = new Gauge({ name: "keeper_last_progress_timestamp_seconds", help: "Unix time of the last progress (a block processed or the head confirmed)", registers: [r] });
    this.rpcUp = new Gauge({ name: "keeper_rpc_up", help: "1 when the RPC endpoint (redacted) answered its last request, 0 when it failed", labelNames: ["url"], registers: [r] });
    this.detectorEvaluations = new Counter({ name: "keeper_detector_evaluations_total", help: "Detector evaluations (error rate: keeper_detector_errors_total / this)", labelNames: ["rule"], registers: [r] });
    new Gauge({
      name: "keeper_pending_actions",
      help: "Decisions to pause / propose recorded and not carried out yet",
      registers: [r],
      collect() {
        const s = store();
        if (!s) return;
        try {
          this.set(s.actions("pending").length);
        } catch {
          /* store closed */
        }
      },
    });
    new Gauge({
      name: "keeper_pause_fee_paid_wei",
      help: "Total fee paid by included pause transactions (gas used x effective gas price)",
      registers: [r],
      collect() {
        const s = store();
        if (!s) return;
        try {
          this.set(Number(s.pauseFees().reduce((a, f) => a + f.feePaidWei, 0n)));
        } catch {
          /* store closed */
        }
      },
    });
    new Gauge({
      name: "keeper_tx_attempts",
      help: "Transaction attempts recorded in the store, by kind and status",
      labelNames: ["kind", "status"],
      registers: [r],
      collect() {
        this.reset();
        const s = store();
        if (!s) return;
        try {
          const rows = s.db.prepare("SELECT kind, status, COUNT(*) AS n FROM tx_attempts GROUP BY kind, status").all() as { kind: string; status: string; n: number }[];
          for (const row of rows) this.set({ kind: row.kind, status: row.status }, Number(row.n));
        } catch {
          /* store closed */
        }
      },
    });
    new Gauge({
      name: "keeper_open_incidents",
      help: "Incidents open or contained",
      registers: [r],
      collect() {
        const s = store();
        if (!s) return;
        try {
          this.set(s.incidents("open").length + s.incidents("contained").length);
        } catch {
          /* store closed */
        }
      },
    });
  }

  /** Hooks the responders call (keeper/responders ResponderMetrics). */
  responderHooks(): ResponderMetrics {
    return {
      alertDelivered: (channel) => this.alertsDelivered.inc({ channel }),
      alertFailed: (channel) => this.alertsFailed.inc({ channel }),
      txSent: (kind, replacement) => this.txSent.inc({ kind, replacement: String(replacement) }),
      txIncluded: (kind, blocks) => this.txInclusionBlocks.observe({ kind }, blocks),
      contained: () => this.contained.inc(),
      simulationFailed: (kind) => this.simulationsFailed.inc({ kind }),
    };
  }
}
