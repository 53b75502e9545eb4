// The keeper as an object: usable in-process by tests and drills, and by keeper/main.ts.
//
//   const keeper = new Keeper({ config });        // config: parsed or raw (validated here)
//   keeper.onBlockProcessed((e) => ...);          // every block, in order, after it is checkpointed
//   await keeper.start();                         // checks the chain, then follows it in the background
//   await keeper.waitForBlock(n);                 // until block n is processed
//   await keeper.stop();
//
// Blocks are processed strictly in order, one at a time:
//   source.next() → block (checkpoint + 1, parent hash checked) → responders.onNewBlock (fee bumps,
//   confirmations) → DetectionContext (reads pinned to the block, batched in one Multicall3 call)
//   → every detector → policy.decide → responders.handle → store.markProcessed(block).
// A reorg step unwinds the store to the fork point, rolls detectors/policy back, and retracts
// alerts sent for orphaned blocks; the new blocks are then processed like any other.
import { EventEmitter } from "node:events";
import { keeperConfigSchema, type KeeperConfig, type KeeperConfigInput } from "./config/schema.js";
import { KeeperStore, type PauseFee } from "./store/store.js";
import type { AlertChannel, BlockData, BlockRef, Decision, Detector, Finding, Incident } from "./types.js";
import { RpcPool, redactUrl } from "./source/rpc.js";
import { BlockSource, ReorgTooDeepError, type SourceStep } from "./source/source.js";
import { HeadWatcher } from "./source/heads.js";
import { createDetectionContext, type ContextStats } from "./source/context.js";
import { ensureMulticall3 } from "./source/multicall3.js";
import { createLogger, registerSecret, scrub, type Logger } from "./ops/log.js";
import { KeeperMetrics } from "./ops/metrics.js";
import { startOpsServer, type KeeperStatus, type OpsServer } from "./ops/server.js";
import { buildPipeline, type PipelineDeps, type PolicyLike, type RespondersLike, type RetractableAlert } from "./pipeline.js";
import { PoolProvider } from "./source/provider.js";

export type { PolicyLike, RespondersLike, RetractableAlert } from "./pipeline.js";

export interface KeeperOptions {
  /** The configuration, parsed (KeeperConfig) or as written (validated here; throws a ZodError). */
  config: KeeperConfig | KeeperConfigInput;
  /** An open store (tests, drills); default: opened at config.store.path and closed by stop(). */
  store?: KeeperStore;
  logger?: Logger;
  /** Replace parts of the pipeline (default: built from config.rules / alerts / signers). */
  detectors?: Detector[];
  policy?: PolicyLike;
  responders?: RespondersLike;
  /** Ops HTTP server (/healthz, /metrics, /): false = none; default config.ops host/port. */
  http?: false | { host?: string; port?: number };
  /** Custom invariants for `{ type: "custom", name }` rules (detectors built from config). */
  invariants?: PipelineDeps["invariants"];
  /** Extra alert channels besides config.alerts (tests, drills). */
  channels?: AlertChannel[];
  /** Dev chains: put Multicall3 code at chain.multicall3 if missing (hardhat_setCode). Default false. */
  installMulticall3?: boolean;
  /** Environment for secrets (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** First retry delay after a failed step (doubles up to maxRetryDelayMs). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Health: more than this many blocks behind the head is "not ok" (default 5 + confirmations). */
  healthMaxLag?: number;
  /** stop(): how long queued alerts may still be delivered before they are dropped (default 10 s). */
  alertDrainTimeoutMs?: number;
}

/** Wall-clock timings of one block (ms since the epoch, and durations in ms). */
export interface BlockTimings {
  /** The step started (source.next() called). */
  startedAt: number;
  /** The block (with receipts) was in hand. */
  fetchedAt: number;
  /** Every detector settled. */
  detectedAt: number;
  /** The policy decided (what the detection lag measures up to). */
  decidedAt: number;
  /** Pauses / proposals sent (alerts only queued). */
  respondedAt: number;
  /** Checkpointed. */
  doneAt: number;
}

export interface BlockProcessedEvent {
  block: BlockData;
  findings: Finding[];
  decisions: Decision[];
  /** Detectors that threw on this block (handled by the policy per rule: fail-open / closed). */
  detectorErrors: { ruleId: string; error: string }[];
  reads: ContextStats;
  timings: BlockTimings;
}

export interface ReorgEvent {
  forkPoint: number;
  orphaned: BlockRef[];
  retractedIncidents: Incident[];
  retractedAlerts: RetractableAlert[];
}

interface KeeperEvents {
  block: [BlockProcessedEvent];
  reorg: [ReorgEvent];
  error: [Error];
  idle: [number];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

export class Keeper {
  readonly config: KeeperConfig;
  readonly store: KeeperStore;
  readonly logger: Logger;
  readonly metrics: KeeperMetrics;
  readonly rpc: RpcPool;
  readonly source: BlockSource;
  readonly heads: HeadWatcher;
  /** ethers provider over the same RPC pool (failover included): what the responders use. */
  readonly provider: PoolProvider;
  detectors: Detector[] = [];
  policy?: PolicyLike;
  responders?: RespondersLike;
  /** URL of the ops server once started. */
  opsUrl?: string;
  /** The error that stopped the keeper (e.g. a reorg deeper than the store remembers). */
  fatal?: Error;

  private readonly events = new EventEmitter<KeeperEvents>();
  private readonly ownsStore: boolean;
  private running = false;
  private loop?: Promise<void>;
  private abort?: AbortController;
  private server?: OpsServer;
  private lock: Promise<unknown> = Promise.resolve();
  private lastProgressAt?: number;
  private started = false;
  private startedAt = Date.now();
  /** The last head the responders were told about (fee bumps and receipts run once per new head). */
  private lastHeadNotified = -1;
  /** Pending decisions are retried between heads too, with this backoff (reset by a new head). */
  private retryBackoffMs = 0;
  private nextRetryAt = 0;
  /** Per rule: consecutive processed blocks on which its detector threw. */
  private readonly errorStreaks = new Map<string, number>();
  private probeTimer?: NodeJS.Timeout;

  constructor(private readonly opts: KeeperOptions) {
    this.config = keeperConfigSchema.parse(opts.config);
    const cfg = this.config;
    registerConfigSecrets(cfg, opts.env ?? process.env);
    this.logger = opts.logger ?? createLogger({ level: cfg.ops.logLevel, name: cfg.name });
    this.ownsStore = !opts.store;
    this.store = opts.store ?? new KeeperStore(cfg.store.path, cfg.chain.maxReorgDepth);
    this.metrics = new KeeperMetrics(() => this.store, { defaultMetrics: true });
    this.rpc = new RpcPool({
      urls: cfg.chain.rpcUrls,
      timeoutMs: cfg.chain.rpcTimeoutMs,
      onTransportError: (url, kind, message) => {
        this.metrics.rpcErrors.inc({ url, kind });
        this.logger.warn({ rpc: url, kind }, `RPC error: ${message}`);
      },
      onRotate: (from, to) => {
        this.metrics.rpcRotations.inc();
        this.logger.warn({ from, to }, "switching RPC endpoint");
      },
      onStatus: (url, up) => this.metrics.rpcUp.set({ url }, up ? 1 : 0),
    });
    this.provider = new PoolProvider(this.rpc, cfg.chain.chainId);
    this.source = new BlockSource({
      rpc: this.rpc,
      store: this.store,
      confirmations: cfg.chain.confirmations,
      maxReorgDepth: cfg.chain.maxReorgDepth,
      startBlock: cfg.chain.startBlock,
      // While catching up, look at the head about once a second (new heads drive fee bumps and health).
      headRefreshMs: Math.max(cfg.chain.pollIntervalMs, 1_000),
    });
    this.heads = new HeadWatcher({
      wsUrls: cfg.chain.wsUrls,
      pollIntervalMs: cfg.chain.pollIntervalMs,
      onModeChange: (mode, why) => {
        this.metrics.headMode.set(mode === "ws" ? 1 : 0);
        this.logger.info({ mode }, why);
      },
      onError: (url, message) => this.logger.warn({ ws: url }, `websocket error: ${message}`),
    });
    this.detectors = opts.detectors ?? [];
    this.policy = opts.policy;
    this.responders = opts.responders;
  }

  // ---------------------------------------------------------------- hooks

  /** Called after each block is processed and checkpointed, in order. Returns an unsubscribe. */
  onBlockProcessed(fn: (e: BlockProcessedEvent) => void): () => void {
    this.events.on("block", fn);
    return () => this.events.off("block", fn);
  }

  /** Called after a reorg was unwound (before the new blocks are processed). */
  onReorg(fn: (e: ReorgEvent) => void): () => void {
    this.events.on("reorg", fn);
    return () => this.events.off("reorg", fn);
  }

  /** Errors the keeper recovered from by retrying (RPC down, ...), and the fatal one. */
  onError(fn: (e: Error) => void): () => void {
    this.events.on("error", fn);
    return () => this.events.off("error", fn);
  }

  /** The keeper reached the head (nothing to process); gives the head number. */
  onIdle(fn: (head: number) => void): () => void {
    this.events.on("idle", fn);
    return () => this.events.off("idle", fn);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Check the chain (chain id, Multicall3 code), bind the store to it, build the pipeline, start
   * the ops server and the head watcher, and follow the chain in the background.
   */
  async start(): Promise<void> {
    if (this.running) return;
    await this.prepare();
    this.running = true;
    this.abort = new AbortController();
    this.heads.start();
    this.loop = this.run();
    this.logger.info(
      { checkpoint: this.store.checkpoint()?.number ?? null, rpc: this.rpc.activeUrl, http: this.opsUrl },
      "keeper started",
    );
  }

  /** Everything start() does except following the chain (drills may drive it with step()). */
  async prepare(): Promise<void> {
    if (this.started) return;
    this.startedAt = Date.now();
    const cfg = this.config;
    const chainId = await this.probeRpcs();
    this.store.bindChain(chainId);
    await ensureMulticall3(this.rpc, cfg.chain.multicall3, this.opts.installMulticall3 ?? false);
    if (!this.opts.detectors || !this.opts.policy || !this.opts.responders) {
      const built = await buildPipeline({
        config: cfg,
        store: this.store,
        logger: this.logger,
        env: this.opts.env ?? process.env,
        provider: this.provider,
        metrics: this.metrics.responderHooks(),
        invariants: this.opts.invariants,
        channels: this.opts.channels,
        only: { detectors: !this.opts.detectors, policy: !this.opts.policy, responders: !this.opts.responders },
      });
      if (!this.opts.detectors) this.detectors = built.detectors ?? [];
      if (!this.opts.policy) this.policy = built.policy;
      if (!this.opts.responders) this.responders = built.responders;
    }
    if (this.opts.http !== false) {
      this.server = await startOpsServer({
        host: this.opts.http?.host ?? cfg.ops.host,
        port: this.opts.http?.port ?? cfg.ops.port,
        status: () => this.status(),
        metrics: this.metrics,
      });
      this.opsUrl = this.server.url;
    }
    this.started = true;
  }

  /**
   * Ask every RPC for its chain id. Start with those that answer (at least one): one reporting
   * another chain is a config error (refused); one that does not answer is left out of the
   * rotation, logged, and probed every chain.probeIntervalMs until it answers the right chain id.
   */
  private async probeRpcs(): Promise<number> {
    const cfg = this.config;
    const answers = await Promise.all(
      this.rpc.urls.map((url) =>
        this.rpc.requestAt<string>(url, "eth_chainId").then(
          (id) => ({ url, id: Number(BigInt(id)) }),
          (err: unknown) => ({ url, error: (err as Error).message }),
        ),
      ),
    );
    const wrong = answers.filter((a) => "id" in a && a.id !== cfg.chain.chainId) as { url: string; id: number }[];
    if (wrong.length) {
      throw new Error(wrong.map((w) => `the RPC ${redactUrl(w.url)} is chain ${w.id}, but the config says chain.chainId ${cfg.chain.chainId}: fix chain.rpcUrls`).join("; "));
    }
    const down = answers.filter((a) => "error" in a) as { url: string; error: string }[];
    if (down.length === answers.length) {
      throw new Error(`no RPC answered eth_chainId: ${down.map((d) => d.error).join("; ")}; check chain.rpcUrls and that the node is running`);
    }
    for (const d of down) {
      this.rpc.exclude(d.url);
      this.metrics.rpcUp.set({ url: redactUrl(d.url) }, 0);
      this.logger.warn({ rpc: redactUrl(d.url), err: d.error }, "RPC does not answer at start: starting without it, probing it until it answers the right chain id");
    }
    if (down.length) this.scheduleProbe();
    return cfg.chain.chainId;
  }

  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => void this.probeExcluded(), this.config.chain.probeIntervalMs);
    this.probeTimer.unref?.();
  }

  private async probeExcluded(): Promise<void> {
    for (const url of this.rpc.excludedUrls) {
      try {
        const id = Number(BigInt(await this.rpc.requestAt<string>(url, "eth_chainId")));
        if (id === this.config.chain.chainId) {
          this.rpc.include(url);
          this.metrics.rpcUp.set({ url: redactUrl(url) }, 1);
          this.logger.info({ rpc: redactUrl(url) }, "RPC answers again (chain id checked): back in the rotation");
        } else this.logger.error({ rpc: redactUrl(url), chainId: id }, `RPC answers chain ${id}, not ${this.config.chain.chainId}: kept out of the rotation; fix chain.rpcUrls`);
      } catch {
        /* still down */
      }
    }
    if (this.rpc.excludedUrls.length > 0 && (this.started || this.running)) this.scheduleProbe();
  }

  /** Stop following the chain, wait for the block in progress, close the server (and the store if ours). */
  async stop(): Promise<void> {
    const wasStarted = this.started;
    clearTimeout(this.probeTimer);
    this.running = false;
    this.abort?.abort();
    this.heads.stop();
    await this.loop?.catch(() => undefined);
    this.loop = undefined;
    await this.lock.catch(() => undefined);
    // Queued alerts (the pause is long sent) get a bounded time to reach people.
    await this.responders?.stop?.(this.opts.alertDrainTimeoutMs ?? 10_000);
    await this.server?.close();
    this.server = undefined;
    this.opsUrl = undefined;
    this.started = false;
    if (this.ownsStore && this.store.db.isOpen) this.store.close();
    if (wasStarted) this.logger.info("keeper stopped");
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Resolve when block `n` has been processed (checkpoint >= n); reject after `timeoutMs`. */
  waitForBlock(n: number, timeoutMs = 30_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if ((this.store.checkpoint()?.number ?? -1) >= n) return resolve();
      const timer = setTimeout(() => {
        off();
        reject(new Error(`keeper did not process block ${n} within ${timeoutMs} ms (checkpoint ${this.store.checkpoint()?.number ?? "none"})`));
      }, timeoutMs);
      const off = this.onBlockProcessed((e) => {
        if (e.block.number >= n) {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    });
  }

  /** Resolve when the keeper has caught up with the head it sees (an idle step). */
  waitForIdle(timeoutMs = 30_000): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`keeper did not reach the head within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onIdle((head) => {
        clearTimeout(timer);
        off();
        resolve(head);
      });
    });
  }

  /** One step (process one block, unwind one reorg, or find nothing to do). Serialized. */
  step(): Promise<SourceStep["kind"]> {
    const run = this.lock.then(() => this.doStep());
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Step until the head is reached (drills that drive the keeper by hand; call prepare() first). */
  async syncToHead(): Promise<void> {
    for (;;) if ((await this.step()) === "idle") return;
  }

  status(): KeeperStatus {
    const cp = this.store.db.isOpen ? this.store.checkpoint() : undefined;
    const head = this.source.head ?? null;
    const lag = cp && head !== null ? Math.max(0, head - cp.number) : null;
    const h = this.config.ops.health;
    const maxLag = h.maxLagBlocks ?? this.opts.healthMaxLag ?? 5 + this.config.chain.confirmations;
    const now = Date.now();
    const reasons: string[] = [];
    if (this.fatal) reasons.push(`stopped: ${this.fatal.message}`);
    else if (!this.running) reasons.push("not running");
    if (cp === undefined) reasons.push("no block processed yet");
    if (lag !== null && lag > maxLag) reasons.push(`${lag} blocks behind the head (max ${maxLag})`);
    // Blind: the head above is only as fresh as the last answer.
    const lastAnswer = this.rpc.lastAnswerAt ?? this.startedAt;
    if (now - lastAnswer > h.maxRpcSilenceSeconds * 1000) {
      reasons.push(`no RPC answered for ${Math.round((now - lastAnswer) / 1000)} s (max ${h.maxRpcSilenceSeconds} s): blind, the head shown may be stale`);
    }
    const progress = this.lastProgressAt ?? this.startedAt;
    if (this.running && now - progress > h.maxProgressAgeSeconds * 1000) {
      reasons.push(`no progress for ${Math.round((now - progress) / 1000)} s (max ${h.maxProgressAgeSeconds} s): no block processed and no head confirmed`);
    }
    const failing = [...this.errorStreaks].filter(([, n]) => n >= h.detectorErrorBlocks).map(([r, n]) => `${r} (${n} blocks)`);
    if (failing.length) reasons.push(`detectors failing on every block: ${failing.join(", ")}`);
    let openIncidents: Incident[] = [];
    let pendingActions = 0;
    try {
      openIncidents = [...this.store.incidents("open"), ...this.store.incidents("contained")];
      pendingActions = this.store.actions("pending").length;
    } catch {
      /* store closed */
    }
    if (pendingActions > 0) reasons.push(`${pendingActions} decision(s) to pause / propose not carried out yet (retried on every head)`);
    return {
      ok: reasons.length === 0,
      reasons,
      name: this.config.name,
      chainId: this.config.chain.chainId,
      running: this.running,
      lastProcessedBlock: cp?.number ?? null,
      lastProcessedHash: cp?.hash ?? null,
      head,
      lag,
      headSource: this.heads.mode,
      rpc: this.rpc.activeUrl,
      rpcDown: this.rpc.excludedUrls.map(redactUrl),
      lastRpcAnswerAt: this.rpc.lastAnswerAt ?? null,
      lastProgressAt: this.lastProgressAt ?? null,
      failingRules: failing,
      pendingActions,
      openIncidents,
    };
  }

  /** Every pause included so far with its fee (gas used × effective gas price) and blocks to inclusion. */
  pauseFees(): PauseFee[] {
    return this.store.pauseFees();
  }

  // ---------------------------------------------------------------- the loop

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const kind = await this.step();
        failures = 0;
        if (kind === "idle" && this.running) await this.heads.wait();
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        if (err instanceof ReorgTooDeepError) {
          this.fatal = error;
          this.running = false;
          this.logger.fatal({ err: error }, "keeper stopped");
          this.store.addTimeline({ incidentId: null, at: Date.now(), blockNumber: null, kind: "error", message: error.message });
          if (this.events.listenerCount("error") > 0) this.events.emit("error", error);
          break;
        }
        failures++;
        this.metrics.loopErrors.inc();
        const delay = Math.min((this.opts.retryDelayMs ?? 200) * 2 ** Math.min(failures - 1, 10), this.opts.maxRetryDelayMs ?? 5_000);
        this.logger.warn({ err: error, failures, retryInMs: delay, checkpoint: this.store.checkpoint()?.number ?? null }, "step failed; retrying the same block");
        if (this.events.listenerCount("error") > 0) this.events.emit("error", error);
        await sleep(delay, this.abort?.signal);
      }
    }
  }

  private async doStep(): Promise<SourceStep["kind"]> {
    const startedAt = Date.now();
    const s = await this.source.next();
    if (this.source.head !== undefined) this.metrics.head.set(this.source.head);
    await this.onHead(s.kind === "idle");
    switch (s.kind) {
      case "block":
        await this.processBlock(s.block, startedAt);
        break;
      case "reorg":
        await this.unwind(s.forkPoint, s.orphaned);
        break;
      case "idle":
        this.updateLag();
        this.markProgress();
        this.events.emit("idle", s.head);
        break;
    }
    return s.kind;
  }

  private markProgress(): void {
    this.lastProgressAt = Date.now();
    this.metrics.lastProgress.set(this.lastProgressAt / 1000);
  }

  /**
   * The responders follow their transactions (receipts, fee bumps) once per NEW HEAD, not per
   * block replayed while catching up; pending decisions are retried on each head and, while
   * idle without a new head, with a doubling backoff.
   */
  private async onHead(idle: boolean): Promise<void> {
    const head = this.source.headRef;
    if (!head || !this.responders) return;
    if (head.number > this.lastHeadNotified) {
      this.lastHeadNotified = head.number;
      this.retryBackoffMs = 0;
      this.nextRetryAt = 0;
      if (this.responders.onNewBlock) {
        try {
          await this.responders.onNewBlock(head);
        } catch (err) {
          this.logger.error({ err }, "responders.onNewBlock failed");
        }
      }
      return;
    }
    if (!idle || !this.responders.retryPending || Date.now() < this.nextRetryAt) return;
    this.retryBackoffMs = Math.min(Math.max(this.retryBackoffMs * 2, this.opts.retryDelayMs ?? 250), this.opts.maxRetryDelayMs ?? 5_000);
    this.nextRetryAt = Date.now() + this.retryBackoffMs;
    try {
      await this.responders.retryPending(head);
    } catch (err) {
      this.logger.error({ err }, "retrying pending decisions failed");
    }
  }

  private updateLag(): void {
    const cp = this.store.checkpoint();
    if (cp) this.metrics.checkpoint.set(cp.number);
    if (cp && this.source.head !== undefined) this.metrics.checkpointLag.set(Math.max(0, this.source.head - cp.number));
  }

  private async processBlock(block: BlockData, startedAt = Date.now()): Promise<void> {
    const fetchedAt = Date.now();
    const ref: BlockRef = { number: block.number, hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp };
    const log = this.logger.child({ block: block.number });


    const ctx = createDetectionContext(this.rpc, block, this.config.chain.multicall3);
    const results = await Promise.all(
      this.detectors.map((d) =>
        d.evaluate(ctx).then(
          (findings) => ({ d, findings, error: undefined as unknown }),
          (error: unknown) => ({ d, findings: [] as Finding[], error }),
        ),
      ),
    );
    const detectedAt = Date.now();
    const findings: Finding[] = [];
    const detectorErrors: { ruleId: string; error: string }[] = [];
    const failed: { ruleId: string; error: unknown }[] = [];
    for (const r of results) {
      this.metrics.detectorEvaluations.inc({ rule: r.d.ruleId });
      if (r.error === undefined) this.errorStreaks.delete(r.d.ruleId);
      else this.errorStreaks.set(r.d.ruleId, (this.errorStreaks.get(r.d.ruleId) ?? 0) + 1);
      if (r.error !== undefined) {
        const message = r.error instanceof Error ? r.error.message : String(r.error);
        detectorErrors.push({ ruleId: r.d.ruleId, error: message });
        failed.push({ ruleId: r.d.ruleId, error: r.error });
        this.metrics.detectorErrors.inc({ rule: r.d.ruleId });
        log.warn({ rule: r.d.ruleId, err: r.error }, "detector failed on this block");
      } else findings.push(...r.findings);
    }
    for (const f of findings) this.metrics.findings.inc({ rule: f.ruleId, severity: f.severity });

    // The policy owns dedup / cooldown / fail-open-closed. Its errors retry the block (nothing is
    // checkpointed), since a decision must never be silently dropped.
    let decisions: Decision[] = [];
    if (this.policy) {
      decisions = [...(await this.policy.decide(findings, ref))];
      for (const f of failed) {
        if (this.policy.onDetectorError) decisions.push(...(await this.policy.onDetectorError(f.ruleId, f.error, ref)));
      }
    }
    const now = Date.now();
    const decidedAt = now;
    for (const d of decisions) {
      this.metrics.decisions.inc({ action: d.action, suppressed: d.suppressed ?? "none" });
      if (!d.suppressed) this.metrics.detectionLag.observe(Math.max(0, now / 1000 - block.timestamp));
    }
    if (decisions.length > 0 && this.responders) {
      try {
        // The whole block: its transactions tell the responders which tips the pause must outbid.
        await this.responders.handle(decisions, block);
      } catch (err) {
        // Responders retry their own sends (alerts with backoff, pauses per block); an error here
        // is recorded and the chain is followed on: a stuck keeper would detect nothing at all.
        log.error({ err }, "responders.handle failed");
        this.store.addTimeline({
          incidentId: decisions[0]?.incidentId ?? null,
          at: Date.now(),
          blockNumber: block.number,
          kind: "error",
          message: `responders failed: ${String(scrub(err instanceof Error ? err.message : String(err)))}`,
        });
      }
    }

    const respondedAt = Date.now();
    this.store.markProcessed(ref);
    this.source.noteProcessed(ref);
    this.markProgress();
    this.metrics.blocksProcessed.inc();
    this.updateLag();
    if (findings.length || detectorErrors.length) {
      log.info({ findings: findings.length, decisions: decisions.length, detectorErrors: detectorErrors.length }, "block processed");
    } else log.debug("block processed");
    const timings: BlockTimings = { startedAt, fetchedAt, detectedAt, decidedAt, respondedAt, doneAt: Date.now() };
    this.events.emit("block", { block, findings, decisions, detectorErrors, reads: ctx.stats, timings });
  }

  private async unwind(forkPoint: number, orphaned: BlockRef[]): Promise<void> {
    this.source.dropPrefetched();
    const { retractedIncidents, alertsToRetract } = this.store.rollbackTo(forkPoint);
    for (const d of this.detectors) d.rollback?.(forkPoint);
    this.policy?.rollback?.(forkPoint);
    const at = Date.now();
    this.store.addTimeline({
      incidentId: null,
      at,
      blockNumber: forkPoint,
      kind: "note",
      message: `reorg: unwound ${orphaned.length} block(s) above ${forkPoint}`,
      data: { orphaned: orphaned.map((b) => ({ number: b.number, hash: b.hash })) },
    });
    for (const inc of retractedIncidents) {
      this.store.addTimeline({ incidentId: inc.id, at, blockNumber: inc.firstBlock, kind: "retraction", message: `incident retracted: block ${inc.firstBlock} (${inc.firstBlockHash}) was orphaned by a reorg` });
    }
    if (this.responders) {
      try {
        await this.responders.onReorg?.(forkPoint, orphaned);
      } catch (err) {
        this.logger.error({ err }, "responders.onReorg failed");
      }
      // Retractions are queued like alerts (delivered in the background, tracked in the store
      // until delivered, so a failed one is queued again later): the new blocks do not wait.
      if (alertsToRetract.length > 0 && this.responders.retract) {
        try {
          void Promise.resolve(this.responders.retract(alertsToRetract)).catch((err: unknown) => this.logger.error({ err }, "retracting alerts failed"));
        } catch (err) {
          this.logger.error({ err }, "retracting alerts failed");
        }
      }
    }
    this.metrics.reorgs.inc();
    this.logger.warn({ forkPoint, orphaned: orphaned.length, retractedIncidents: retractedIncidents.length, retractedAlerts: alertsToRetract.length }, "reorg unwound");
    this.events.emit("reorg", { forkPoint, orphaned, retractedIncidents, retractedAlerts: alertsToRetract });
  }
}

/** Every `...Env` field names a secret: register its value so no log line can carry it. */
function registerConfigSecrets(config: unknown, env: NodeJS.ProcessEnv): void {
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (/Env$/.test(k) && typeof x === "string") registerSecret(env[x]?.trim());
        else walk(x);
      }
    }
  };
  walk(config);
}
