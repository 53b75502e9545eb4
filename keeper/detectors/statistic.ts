// Outflow statistics per asset: each block's outflow of `token` from `holder` (Transfer logs) as a
// share of the TVL at the block's start, compared with a robust baseline (median and median
// absolute deviation over a rolling window). Two alerts:
//  - spike:     one block's share >= spikeShare AND its robust z-score >= zThreshold;
//  - sustained: the EWMA of the per-block share (each block clipped at clipShare, so one whale
//               moves it by at most alpha * clipShare) >= minShare AND its robust z-score (vs the
//               window of past EWMA values) >= zThreshold. This catches slow drips whose every
//               transaction stays under per-tx limits.
// Nothing alerts during the warm-up. State is kept per block so a reorg can roll it back.
import { id, Interface } from "ethers";
import type { DetectionContext, Detector, Finding, ReadResult } from "../types.js";
import { finding, lc, resolveAddress, resolveMany, type DetectorOptions } from "./common.js";
import type { ReadBatch } from "./invariant.js";
import type { RuleConfig, StatisticConfig } from "./schema.js";

export const TRANSFER_TOPIC = id("Transfer(address,address,uint256)");
const SCALE = 1_000_000_000n; // share precision: 1e-9 of TVL

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median absolute deviation around the median. */
export function mad(xs: readonly number[], med = median(xs)): number {
  return median(xs.map((x) => Math.abs(x - med)));
}

/** Robust z-score of x against a sample: (x - median) / max(1.4826 * MAD, floor). */
export function robustZ(x: number, sample: readonly number[], floor: number): { z: number; median: number; scale: number } {
  const med = median(sample);
  const scale = Math.max(1.4826 * mad(sample, med), floor);
  return { z: (x - med) / scale, median: med, scale };
}

export interface OutflowPoint {
  blockNumber: number;
  outflow: bigint;
  inflow: bigint;
  tvl: bigint;
  /** Outflow / TVL at block start. */
  share: number;
  /** EWMA of the clipped share, after this block. */
  ewma: number;
  /** TVL view value read at this block (view mode). */
  viewValue?: bigint;
}

export class OutflowStatistic implements Detector {
  readonly kind = "statistic" as const;
  readonly ruleId: string;
  private readonly token: string;
  private readonly holder: string;
  private readonly exclude: Set<string>;
  private readonly member: number;
  private readonly decodeTvl: (r: ReadResult) => bigint;
  private readonly viewMode: boolean;
  /** Per-block history, ascending by block number (window + 1 entries). */
  readonly history: OutflowPoint[] = [];

  constructor(
    private readonly rule: RuleConfig,
    private readonly cfg: StatisticConfig,
    private readonly batch: ReadBatch,
    opts: DetectorOptions = {},
  ) {
    this.ruleId = rule.id;
    const where = `rule "${rule.id}"`;
    this.token = resolveAddress(cfg.token, opts.named, where);
    this.holder = resolveAddress(cfg.holder, opts.named, where);
    this.exclude = new Set([...resolveMany(cfg.exclude, opts.named, where), this.holder]);
    const tvl = cfg.tvl ?? { target: this.token, signature: "balanceOf(address)", args: [this.holder], returns: "uint256" };
    this.viewMode = cfg.tvl !== undefined;
    const sig = tvl.signature.replace(/^function\s+/, "");
    const iface = new Interface([`function ${sig} view returns (${tvl.returns})`]);
    const fn = iface.fragments[0] as import("ethers").FunctionFragment;
    const args = tvl.args.map((a) => (typeof a === "string" && a.startsWith("$") ? resolveAddress(a, opts.named, where) : a));
    const call = { target: resolveAddress(tvl.target, opts.named, where), data: iface.encodeFunctionData(fn, args) };
    this.member = batch.register(() => [call]);
    this.decodeTvl = (r) => {
      if (!r.success) throw new Error(`TVL read ${tvl.signature} on ${call.target} reverted`);
      return BigInt(iface.decodeFunctionResult(fn, r.returnData)[0] as bigint);
    };
  }

  private flows(ctx: DetectionContext): { outflow: bigint; inflow: bigint } {
    let outflow = 0n;
    let inflow = 0n;
    for (const l of ctx.block.logs) {
      if (lc(l.address) !== this.token || lc(l.topics[0]) !== TRANSFER_TOPIC || l.topics.length !== 3) continue;
      const from = "0x" + l.topics[1].slice(26).toLowerCase();
      const to = "0x" + l.topics[2].slice(26).toLowerCase();
      const amount = BigInt(l.data === "0x" ? 0 : l.data.slice(0, 66));
      if (from === this.holder && !this.exclude.has(to)) outflow += amount;
      else if (to === this.holder && !this.exclude.has(from)) inflow += amount;
    }
    return { outflow, inflow };
  }

  async evaluate(ctx: DetectionContext): Promise<Finding[]> {
    const n = ctx.block.number;
    // Re-processing a block (after a reorg the caller did not report): forget what is above.
    if (this.history.length && this.history[this.history.length - 1].blockNumber >= n) this.rollback(n - 1);
    const [r] = await this.batch.results(this.member, ctx);
    const current = this.decodeTvl(r);
    const { outflow, inflow } = this.flows(ctx);
    const prev = this.history[this.history.length - 1];
    let tvl: bigint;
    if (this.viewMode) tvl = prev?.viewValue !== undefined && prev.blockNumber === n - 1 ? prev.viewValue : current + outflow;
    else tvl = current + outflow - inflow; // the balance at the block's start, exactly
    if (tvl < 0n) tvl = 0n;
    const share = tvl === 0n ? 0 : Number((outflow * SCALE) / tvl) / Number(SCALE);
    const c = this.cfg;
    const clipped = Math.min(share, c.clipShare);
    const ewma = prev ? c.alpha * clipped + (1 - c.alpha) * prev.ewma : clipped;
    const past = this.history.slice(-c.window);
    const point: OutflowPoint = { blockNumber: n, outflow, inflow, tvl, share, ewma, viewValue: this.viewMode ? current : undefined };
    this.history.push(point);
    if (this.history.length > c.window + 1) this.history.splice(0, this.history.length - c.window - 1);

    if (past.length < c.warmupBlocks || tvl === 0n) return [];
    const spike = robustZ(share, past.map((p) => p.share), c.scaleFloor);
    const drift = robustZ(ewma, past.map((p) => p.ewma), c.scaleFloor * Math.sqrt(c.alpha / (2 - c.alpha)));
    const spikeHit = share >= c.spikeShare && spike.z >= c.zThreshold;
    const driftHit = ewma >= c.minShare && drift.z >= c.zThreshold;
    if (!spikeHit && !driftHit) return [];
    const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
    const summary = spikeHit
      ? `outflow of ${pct(share)} of TVL from ${this.holder} in block ${n} (z=${spike.z.toFixed(1)}, baseline ${pct(spike.median)})`
      : `sustained outflow from ${this.holder}: EWMA ${pct(ewma)} of TVL per block (z=${drift.z.toFixed(1)}, baseline ${pct(drift.median)})`;
    return [
      finding(this.rule, "statistic", ctx.block, {
        key: ["outflow", this.token, this.holder],
        summary: `${this.rule.description ? this.rule.description + ": " : ""}${summary}`,
        asset: this.token,
        target: this.holder,
        details: {
          signal: spikeHit ? "spike" : "sustained",
          outflow: outflow.toString(),
          tvl: tvl.toString(),
          share,
          ewma,
          zSpike: spike.z,
          zSustained: drift.z,
          thresholds: { zThreshold: c.zThreshold, spikeShare: c.spikeShare, minShare: c.minShare },
        },
      }),
    ];
  }

  rollback(blockNumber: number): void {
    while (this.history.length && this.history[this.history.length - 1].blockNumber > blockNumber) this.history.pop();
  }
}
