// The backtest: a keeper config's detectors and policy — built exactly as live mode builds them
// (keeper/pipeline.ts) — run over a block range of any chain. Never its responders: no alert is
// sent, no transaction signed; the policy writes its incidents into an in-memory store only.
//
// Blocks come from the live BlockSource (parent hashes followed, receipts checked, 32-block
// prefetch), reads go through the live DetectionContext (pinned to the block hash, one Multicall3
// aggregate3 per block). Each block's inputs are recorded as they are read (recording.ts): the
// recording is the checkpoint file, and what the sweep replays without touching the chain.
import type { KeeperConfig } from "../config/schema.js";
import { createDetectors, type CreateDetectorsOptions } from "../detectors/index.js";
import type { RuleConfig } from "../detectors/schema.js";
import { Policy } from "../policy/index.js";
import { loadKeeperPlan } from "../policy/plan.js";
import { createDetectionContext } from "../source/context.js";
import { RpcPool, RpcUnavailableError, redactUrl, type JsonRpcRequest } from "../source/rpc.js";
import { BlockSource, ChainMovedError, type SourceStep } from "../source/source.js";
import { KeeperStore } from "../store/store.js";
import type { BlockRef, Decision, DetectionContext, Detector, Finding } from "../types.js";
import type { PolicyLike } from "../pipeline.js";
import { CheckpointFile, configHash, recordingContext, replayContext, type RecordedBlock } from "./recording.js";
import type { BacktestRun, DecisionRecord, RuleStats } from "./types.js";

/** An RpcPool that counts HTTP requests (a batch is one) and JSON-RPC calls. */
export class CountingRpcPool extends RpcPool {
  http = 0;
  calls = 0;
  override async batch<T = unknown>(requests: JsonRpcRequest[]): Promise<T[]> {
    if (requests.length) {
      this.http++;
      this.calls += requests.length;
    }
    return super.batch<T>(requests);
  }
}

/**
 * Read-ahead for catching up over history: the Multicall3 call a block made (the same calldata
 * every block, unless a custom invariant's calls depend on the block) is sent for the next
 * prefetched blocks in ONE JSON-RPC batch, each pinned to its block hash as the context pins it.
 * The context of each block then finds its answer here instead of sending its own request; a
 * different calldata, or a batch that failed, falls through to the context's own request, so what
 * a detector sees is exactly what live mode would show it.
 */
class ReadAhead {
  private readonly cache = new Map<string, Promise<unknown>>();
  private lastData?: string;
  constructor(
    private readonly rpc: RpcPool,
    private readonly multicall3: string,
  ) {}

  private static key(hash: string, data: string): string {
    return `${hash.toLowerCase()}:${data}`;
  }

  /** The RpcPool surface createDetectionContext uses, answering from the read-ahead when it can. */
  readonly pool = {
    batch: async <T>(requests: JsonRpcRequest[]): Promise<T[]> => {
      const r = requests[0];
      if (requests.length === 1 && r?.method === "eth_call") {
        const [call, tag] = r.params as [{ to: string; data: string }, { blockHash?: string }];
        if (call.to.toLowerCase() === this.multicall3 && tag?.blockHash) {
          this.lastData = call.data;
          const k = ReadAhead.key(tag.blockHash, call.data);
          const hit = this.cache.get(k);
          this.cache.delete(k);
          if (hit) {
            const v = await hit.then((x) => ({ ok: true as const, x }), () => ({ ok: false as const, x: undefined }));
            if (v.ok) return [v.x as T];
          }
        }
      }
      return this.rpc.batch<T>(requests);
    },
    request: <T>(method: string, params: unknown[] = []): Promise<T> => this.pool.batch<T>([{ method, params }]).then((x) => x[0]!),
  };

  /** After a block: send the last calldata for the upcoming blocks not asked yet (one batch). */
  prefetch(upcoming: BlockRef[]): void {
    const data = this.lastData;
    if (!data) return;
    const todo = upcoming.filter((b) => !this.cache.has(ReadAhead.key(b.hash, data)));
    if (todo.length < 2) return; // one block: its own request is as cheap
    const p = this.rpc.batch(todo.map((b) => ({ method: "eth_call", params: [{ to: this.multicall3, data }, { blockHash: b.hash }] })));
    p.catch(() => undefined); // a failed batch: each block asks on its own
    todo.forEach((b, i) => this.cache.set(ReadAhead.key(b.hash, data), p.then((rs) => rs[i])));
  }
}

/** What one block gave: the detectors' findings and errors, and the policy's decisions. */
export interface BlockOutcome {
  block: number;
  findings: Finding[];
  errors: { ruleId: string; message: string }[];
  decisions: Decision[];
}

/**
 * One block through detectors and policy, in the order keeper/runtime.ts processBlock uses:
 * every detector on the same context (their reads coalesce into one Multicall3 call), then
 * policy.decide on the findings, then policy.onDetectorError for each detector that threw.
 */
export async function evaluateBlock(detectors: Detector[], policy: PolicyLike | undefined, ctx: DetectionContext): Promise<BlockOutcome> {
  const b = ctx.block;
  const ref: BlockRef = { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
  const results = await Promise.all(
    detectors.map((d) =>
      d.evaluate(ctx).then(
        (findings) => ({ d, findings, error: undefined as unknown }),
        (error: unknown) => ({ d, findings: [] as Finding[], error: error ?? new Error("undefined error") }),
      ),
    ),
  );
  const findings: Finding[] = [];
  const failed: { ruleId: string; error: unknown }[] = [];
  for (const r of results) {
    if (r.error !== undefined) failed.push({ ruleId: r.d.ruleId, error: r.error });
    else findings.push(...r.findings);
  }
  const decisions: Decision[] = [];
  if (policy) {
    decisions.push(...(await policy.decide(findings, ref)));
    for (const f of failed) if (policy.onDetectorError) decisions.push(...(await policy.onDetectorError(f.ruleId, f.error, ref)));
  }
  return { block: b.number, findings, errors: failed.map((f) => ({ ruleId: f.ruleId, message: f.error instanceof Error ? f.error.message : String(f.error) })), decisions };
}

/** Per-rule counters, fed one BlockOutcome at a time. */
export class Tally {
  private readonly stats = new Map<string, RuleStats>();
  readonly decisions: DecisionRecord[] = [];
  blocks = 0;

  constructor(rules: RuleConfig[]) {
    for (const r of rules) {
      this.stats.set(r.id, {
        ruleId: r.id,
        kind: r.detector.kind,
        severity: r.severity,
        action: r.action,
        act: r.act,
        findings: 0,
        blocksFlagged: [],
        firstBlock: null,
        lastBlock: null,
        decisions: { pause: 0, propose: 0, contain: 0, alert: 0, suppressed: 0 },
        downgraded: 0,
        errors: { count: 0, blocks: [], firstBlock: null, messages: [] },
      });
    }
  }

  add(o: BlockOutcome): void {
    this.blocks++;
    const flagged = new Set<string>();
    for (const f of o.findings) {
      const s = this.stats.get(f.ruleId);
      if (!s) continue;
      s.findings++;
      if (!flagged.has(f.ruleId)) {
        flagged.add(f.ruleId);
        s.blocksFlagged.push(o.block);
        s.firstBlock ??= o.block;
        s.lastBlock = o.block;
      }
    }
    for (const e of o.errors) {
      const s = this.stats.get(e.ruleId);
      if (!s) continue;
      s.errors.count++;
      s.errors.blocks.push(o.block);
      s.errors.firstBlock ??= o.block;
      if (s.errors.messages.length < 5 && !s.errors.messages.includes(e.message)) s.errors.messages.push(e.message);
    }
    for (const d of o.decisions) {
      const s = this.stats.get(d.finding.ruleId);
      if (s) {
        if (d.suppressed) s.decisions.suppressed++;
        else s.decisions[d.action]++;
        if (!d.suppressed && d.action === "alert" && d.requestedAction) s.downgraded++;
      }
      this.decisions.push({
        block: o.block,
        ruleId: d.finding.ruleId,
        action: d.action,
        act: d.act,
        ...(d.suppressed ? { suppressed: d.suppressed } : {}),
        ...(d.requestedAction ? { requestedAction: d.requestedAction } : {}),
        from: d.finding.detector === "error" ? "error" : "finding",
        ...(d.finding.txHash ? { txHash: d.finding.txHash } : {}),
        summary: d.finding.summary,
      });
    }
  }

  rules(): RuleStats[] {
    return [...this.stats.values()];
  }
}

export interface BacktestOptions {
  config: KeeperConfig;
  /** Shown in the report. */
  configFile?: string;
  fromBlock: number;
  toBlock: number;
  /** JSON-RPC endpoint (archive node, fork, hardhat node); default config.chain.rpcUrls. */
  rpcUrl?: string;
  /** Checkpoint file (JSON lines): resumed when it exists, appended to as blocks are evaluated. */
  checkpoint?: string;
  /** Custom invariants for `{ type: "custom", name }` rules. */
  invariants?: CreateDetectorsOptions["invariants"];
  /** Read the next prefetched blocks' Multicall3 calls in one batch (default true; false = one request per block, as live). */
  readAhead?: boolean;
  /** Called after each block. */
  onProgress?: (block: number, phase: "replay" | "fetch") => void;
}

export interface Backtest {
  run: BacktestRun;
  /** Every block's inputs (what the sweep replays). */
  recording: RecordedBlock[];
}

/** The detectors and policy of `config`, built as keeper/pipeline.ts builds them for live mode. */
export async function buildDetection(config: KeeperConfig, invariants?: CreateDetectorsOptions["invariants"], now?: () => number) {
  const enabled = config.rules.filter((r) => r.enabled);
  const plan = await loadKeeperPlan(config);
  const detectors = createDetectors(enabled, { named: config.contracts.named, invariants });
  const store = new KeeperStore(":memory:", config.chain.maxReorgDepth);
  store.bindChain(config.chain.chainId);
  const policy = new Policy(enabled, store, { defaultBreaker: config.contracts.breaker, named: config.contracts.named, planSeverities: plan?.planSeverities, now });
  return { enabled, detectors, policy, store };
}

function checkRange(from: number, to: number): void {
  for (const [name, v] of [["--from-block", from], ["--to-block", to]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${name} must be a block number (an integer >= 0), got ${v}`);
  }
  if (from > to) throw new Error(`--from-block ${from} is above --to-block ${to}: give the range low to high`);
}

export async function runBacktest(opts: BacktestOptions): Promise<Backtest> {
  const { config, fromBlock, toBlock } = opts;
  checkRange(fromBlock, toBlock);
  const urls = opts.rpcUrl ? [opts.rpcUrl] : config.chain.rpcUrls;
  const rpc = new CountingRpcPool({ urls });
  const chainId = Number(BigInt(await rpc.request<string>("eth_chainId")));
  if (chainId !== config.chain.chainId) {
    throw new Error(`the RPC ${redactUrl(urls[0]!)} is chain ${chainId}, but the config says chain.chainId ${config.chain.chainId}: give the right --rpc-url or fix chain.chainId`);
  }
  const head = Number(BigInt(await rpc.request<string>("eth_blockNumber")));
  if (toBlock > head) throw new Error(`--to-block ${toBlock} is above the chain's head ${head} (${redactUrl(urls[0]!)}): choose a block at or below the head`);

  let clock = 0; // block time in ms: the policy's cooldowns and timeline follow the chain, not the wall
  const { enabled, detectors, policy, store } = await buildDetection(config, opts.invariants, () => clock);
  const tally = new Tally(enabled);
  const recording: RecordedBlock[] = [];
  const source = new BlockSource({ rpc, store, confirmations: 0, maxReorgDepth: config.chain.maxReorgDepth, startBlock: fromBlock, prefetch: Math.min(32, toBlock - fromBlock + 1) });
  const done = (r: RecordedBlock) => {
    const b = r.block;
    const ref: BlockRef = { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
    store.markProcessed(ref);
    source.noteProcessed(ref);
    recording.push(r);
  };

  try {
    // 1. Resume: replay what the checkpoint holds (no RPC), rebuilding detector and policy state.
    const file = opts.checkpoint
      ? CheckpointFile.open(opts.checkpoint, { checkpoint: "breakwater-backtest", version: 1, chainId, fromBlock, configHash: configHash(config) })
      : undefined;
    for (const r of file?.blocks ?? []) {
      if (r.block.number > toBlock) break;
      clock = r.block.timestamp * 1000;
      tally.add(await evaluateBlock(detectors, policy, replayContext(r)));
      done(r);
      opts.onProgress?.(r.block.number, "replay");
    }
    const fromCheckpoint = recording.length;

    // 2. Fetch and evaluate the rest, block by block, appending each to the checkpoint.
    rpc.http = 0;
    rpc.calls = 0;
    const ahead = new ReadAhead(rpc, config.chain.multicall3.toLowerCase());
    const t0 = performance.now();
    while ((store.checkpoint()?.number ?? fromBlock - 1) < toBlock) {
      const step = await nextWithRetry(source);
      if (step.kind === "reorg") {
        throw new Error(
          `the chain reorganized below block ${store.checkpoint()?.number} while the backtest read it (fork point ${step.forkPoint}): ` +
            `backtest ranges that end a few blocks below the head${file ? "; the checkpoint holds the blocks before it, delete it if they are orphaned" : ""}`,
        );
      }
      if (step.kind === "idle") throw new Error(`the RPC has no block ${(store.checkpoint()?.number ?? fromBlock - 1) + 1} (head ${step.head})`);
      const block = step.block;
      const r: RecordedBlock = { block, reads: { calls: {}, state: {} } };
      clock = block.timestamp * 1000;
      const ctx = recordingContext(createDetectionContext(ahead.pool as unknown as RpcPool, block, config.chain.multicall3), r.reads);
      tally.add(await evaluateBlock(detectors, policy, ctx));
      done(r);
      // The source's prefetched window (blocks fetched ahead while catching up): read ahead for them.
      if (opts.readAhead !== false) ahead.prefetch(source.prefetched().filter((b) => b.number > block.number && b.number <= toBlock));
      file?.append(r);
      opts.onProgress?.(block.number, "fetch");
    }
    const seconds = (performance.now() - t0) / 1000;
    const fetched = recording.length - fromCheckpoint;
    const run: BacktestRun = {
      version: 1,
      config: { name: config.name, chainId, ...(opts.configFile ? { file: opts.configFile } : {}) },
      rpc: { url: redactUrl(urls[0]!) },
      range: { from: fromBlock, to: toBlock },
      blocks: recording.length,
      resumed: { fromCheckpoint, fetched },
      durationMs: Math.round(seconds * 1000),
      blocksPerSec: fetched && seconds > 0 ? round(fetched / seconds, 1) : 0,
      rpcPerBlock: fetched ? round(rpc.http / fetched, 3) : 0,
      rpcCallsPerBlock: fetched ? round(rpc.calls / fetched, 3) : 0,
      rules: tally.rules(),
      decisions: tally.decisions,
    };
    return { run, recording };
  } finally {
    store.close();
  }
}

/** source.next(), retried a few times on transport failures and answers from a moving chain. */
async function nextWithRetry(source: BlockSource): Promise<SourceStep> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await source.next();
    } catch (err) {
      if (attempt >= 4 || !(err instanceof RpcUnavailableError || err instanceof ChainMovedError)) throw err;
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
