// Threshold sweep: each swept rule is rebuilt with every setting of a grid and replayed over the
// recorded blocks (recording.ts) — no chain access per point. Each point is scored like the rule
// itself (evaluate.ts score: detection delay, false alarms per 10,000 benign blocks), the points
// are sorted into Pareto layers (fewer missed attacks, less delay, fewer false alarms), and the
// best front point that beats the current setting becomes a suggested config change (a diff).
//
// Sweepable: statistic rules (alpha, window, warmupBlocks, zThreshold, minShare, spikeShare,
// clipShare, scaleFloor), threshold matchers (every gt / gte / lt / lte condition with a numeric
// value, by its path, e.g. "events[0].where.value"), and the invariants' own thresholds
// (share-price-drop maxDropBps, balance-covers toleranceBps).
import { readFileSync } from "node:fs";
import type { KeeperConfig } from "../config/schema.js";
import { createDetectors, type CreateDetectorsOptions } from "../detectors/index.js";
import { ruleSchema, type Condition, type RuleConfig } from "../detectors/schema.js";
import { toBigInt } from "../detectors/abi.js";
import { unifiedDiff } from "../../plan/suggest.js";
import { replayContext, type RecordedBlock } from "./recording.js";
import { attacksOf, score, type Label, type Score } from "./evaluate.js";

export type ParamValue = number | string;
/** rule id → parameter → values. */
export type Grid = Record<string, Record<string, ParamValue[]>>;

export class SweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SweepError";
  }
}

const STATISTIC_PARAMS = ["alpha", "window", "warmupBlocks", "zThreshold", "minShare", "spikeShare", "clipShare", "scaleFloor"] as const;

/** Threshold conditions of a matcher: path (relative to rule.detector) → the condition. */
function matcherThresholds(rule: RuleConfig): Map<string, { value: ParamValue }> {
  const out = new Map<string, { value: ParamValue }>();
  if (rule.detector.kind !== "matcher") return out;
  const walk = (c: Condition | undefined, path: string) => {
    if (!c) return;
    if ("all" in c) c.all.forEach((x, i) => walk(x, `${path}.all[${i}]`));
    else if ("any" in c) c.any.forEach((x, i) => walk(x, `${path}.any[${i}]`));
    else if ("not" in c) walk(c.not, `${path}.not`);
    else if (["gt", "gte", "lt", "lte"].includes(c.op) && !Array.isArray(c.value) && typeof c.value !== "boolean") {
      try {
        toBigInt(c.value);
        out.set(`${path}.value`, { value: c.value });
      } catch {
        /* not a number: not a threshold */
      }
    }
  };
  const m = rule.detector;
  m.events.forEach((e, i) => walk(e.where, `events[${i}].where`));
  m.functions.forEach((f, i) => walk(f.where, `functions[${i}].where`));
  m.transactions.forEach((t, i) => walk(t.where, `transactions[${i}].where`));
  return out;
}

/** The parameters a rule can be swept over, with their current values. */
export function sweepableParams(rule: RuleConfig): Record<string, ParamValue> {
  const d = rule.detector;
  if (d.kind === "statistic") return Object.fromEntries(STATISTIC_PARAMS.map((p) => [p, d[p]]));
  if (d.kind === "matcher") return Object.fromEntries([...matcherThresholds(rule)].map(([p, c]) => [p, c.value]));
  if (d.kind === "invariant") {
    if (d.invariant.type === "share-price-drop") return { "invariant.maxDropBps": d.invariant.maxDropBps };
    if (d.invariant.type === "balance-covers") return { "invariant.toleranceBps": d.invariant.toleranceBps };
  }
  return {};
}

const uniqSorted = (xs: ParamValue[]) => {
  const seen = new Map<string, ParamValue>();
  for (const x of xs) seen.set(String(x), x);
  return [...seen.values()].sort((a, b) => Number(toNum(a) - toNum(b)));
};
const toNum = (v: ParamValue): number => (typeof v === "number" ? v : Number(toBigInt(v)));

/** Scale a threshold literal ("100000e18", 5000, "0x...") by a factor, keeping integers exact. */
function scaleLiteral(v: ParamValue, factor: number): ParamValue {
  const n = toBigInt(v);
  const scaled = (n * BigInt(Math.round(factor * 1_000))) / 1_000n;
  return scaled.toString();
}

/** The default grid: around the current settings of every sweepable enabled rule. */
export function defaultGrid(rules: RuleConfig[]): Grid {
  const grid: Grid = {};
  for (const r of rules.filter((x) => x.enabled)) {
    const d = r.detector;
    if (d.kind === "statistic") {
      grid[r.id] = {
        zThreshold: uniqSorted([3, 4, 6, 8, 12, d.zThreshold]),
        spikeShare: uniqSorted([0.01, 0.02, 0.03, 0.05, 0.1, d.spikeShare]),
        minShare: uniqSorted([d.minShare / 2, d.minShare, d.minShare * 2]),
      };
    } else if (d.kind === "matcher") {
      const t = matcherThresholds(r);
      if (t.size === 0) continue;
      grid[r.id] = Object.fromEntries([...t].map(([p, c]) => [p, uniqSorted([0.25, 0.5, 1, 2, 4].map((f) => (f === 1 ? c.value : scaleLiteral(c.value, f))))]));
    } else if (d.kind === "invariant" && d.invariant.type === "share-price-drop") {
      grid[r.id] = { "invariant.maxDropBps": uniqSorted([10, 25, 50, 100, 200, 500, d.invariant.maxDropBps]) };
    } else if (d.kind === "invariant" && d.invariant.type === "balance-covers") {
      grid[r.id] = { "invariant.toleranceBps": uniqSorted([0, 1, 10, 100, d.invariant.toleranceBps]) };
    }
  }
  return grid;
}

/** Read and check a grid file: `{ "<rule id>": { "<param>": [values...] } }` (or under "rules"). */
export function loadGrid(file: string, rules: RuleConfig[]): Grid {
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new SweepError(`--sweep ${file}: cannot read it as JSON (${(err as Error).message}); give a grid file or "default"`);
  }
  const raw = (j && typeof j === "object" && "rules" in j ? (j as { rules: unknown }).rules : j) as unknown;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new SweepError(`--sweep ${file}: expected { "<rule id>": { "<parameter>": [values] } }`);
  const byId = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));
  const grid: Grid = {};
  for (const [id, params] of Object.entries(raw as Record<string, unknown>)) {
    const rule = byId.get(id);
    if (!rule) throw new SweepError(`--sweep ${file}: rule "${id}" is not an enabled rule of the config (rules: ${[...byId.keys()].join(", ")})`);
    const allowed = sweepableParams(rule);
    if (Object.keys(allowed).length === 0) throw new SweepError(`--sweep ${file}: rule "${id}" (${rule.detector.kind}) has no sweepable threshold`);
    if (!params || typeof params !== "object" || Array.isArray(params)) throw new SweepError(`--sweep ${file}: rules "${id}" must map parameter names to lists of values`);
    grid[id] = {};
    for (const [p, values] of Object.entries(params as Record<string, unknown>)) {
      if (!(p in allowed)) throw new SweepError(`--sweep ${file}: "${id}.${p}" is not sweepable; parameters of this rule: ${Object.keys(allowed).join(", ")}`);
      if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "number" || typeof v === "string")) {
        throw new SweepError(`--sweep ${file}: "${id}.${p}" must be a non-empty list of numbers (or numeric strings for token amounts)`);
      }
      grid[id]![p] = uniqSorted([...(values as ParamValue[]), allowed[p]!]); // the current value is always a point
    }
  }
  return grid;
}

/** Set `path` (relative to rule.detector, e.g. "events[0].where.value") in a copy of the rule. */
function withParams(rule: RuleConfig, params: Record<string, ParamValue>): RuleConfig {
  const copy = structuredClone(rule);
  for (const [path, value] of Object.entries(params)) {
    const parts = path.match(/[^.[\]]+/g)!;
    let o: Record<string, unknown> = copy.detector as unknown as Record<string, unknown>;
    for (const k of parts.slice(0, -1)) o = o[/^\d+$/.test(k) ? Number(k) : k] as Record<string, unknown>;
    o[parts.at(-1)!] = value;
  }
  const parsed = ruleSchema.safeParse(copy);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new SweepError(`rule "${rule.id}" with ${JSON.stringify(params)}: ${i.path.join(".")}: ${i.message}`);
  }
  return parsed.data;
}

function cartesian(params: Record<string, ParamValue[]>): Record<string, ParamValue>[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const [p, vs] of Object.entries(params)) out = out.flatMap((o) => vs.map((v) => ({ ...o, [p]: v })));
  return out;
}

export interface SweepPoint {
  params: Record<string, ParamValue>;
  current: boolean;
  score: Score;
  errors: number;
  /** 1 = on the Pareto front, 2 = on the front once layer 1 is removed, ... */
  layer: number;
  front: boolean;
}

export interface RuleSweep {
  ruleId: string;
  kind: string;
  ruleIndex: number;
  params: string[];
  current: Record<string, ParamValue>;
  points: SweepPoint[];
  /** Best front point that strictly beats the current setting, if any. */
  suggestion?: { params: Record<string, ParamValue>; why: string; changes: { path: string; from: ParamValue; to: ParamValue }[]; diff: string };
  note?: string;
}

export interface SweepResult {
  grid: Grid;
  gridSource: string;
  labelled: boolean;
  points: number;
  durationMs: number;
  rules: RuleSweep[];
  /** Unified diff of every suggested rule change (config rules as JSON). */
  diff: string;
}

/** Objectives, all minimised: missed attacks, mean delay (∞ when nothing detected), false alarms. */
const objectives = (s: Score): [number, number, number] => [s.attacks - s.detected, s.meanDelay ?? (s.attacks ? Infinity : 0), s.falseAlarms];
const dominates = (a: Score, b: Score) => {
  const x = objectives(a);
  const y = objectives(b);
  return x.every((v, i) => v <= y[i]!) && x.some((v, i) => v < y[i]!);
};

/** Non-dominated sorting: layer 1 is the Pareto front. */
export function paretoLayers(scores: Score[]): number[] {
  const layer = new Array<number>(scores.length).fill(0);
  let left = scores.map((_, i) => i);
  for (let k = 1; left.length; k++) {
    const front = left.filter((i) => !left.some((j) => j !== i && dominates(scores[j]!, scores[i]!)));
    for (const i of front) layer[i] = k;
    left = left.filter((i) => !front.includes(i));
  }
  return layer;
}

const ruleJson = (r: RuleConfig) => JSON.stringify({ id: r.id, detector: r.detector }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);

export interface SweepOptions {
  config: KeeperConfig;
  recording: RecordedBlock[];
  range: { from: number; to: number };
  labels: Label[];
  lateBlocks?: number;
  grid: Grid;
  gridSource: string;
  invariants?: CreateDetectorsOptions["invariants"];
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const t0 = performance.now();
  const attacks = attacksOf(opts.labels.filter((l) => l.chainId === undefined || l.chainId === opts.config.chain.chainId), opts.lateBlocks ?? 5);
  const rules = opts.config.rules;
  const out: RuleSweep[] = [];
  let points = 0;
  for (const [ruleId, params] of Object.entries(opts.grid)) {
    const ruleIndex = rules.findIndex((r) => r.id === ruleId);
    const rule = rules[ruleIndex];
    if (!rule) throw new SweepError(`sweep grid names rule "${ruleId}", which the config does not have`);
    const current = Object.fromEntries(Object.keys(params).map((p) => [p, sweepableParams(rule)[p]!]));
    const sweep: RuleSweep = { ruleId, kind: rule.detector.kind, ruleIndex, params: Object.keys(params), current, points: [] };
    for (const setting of cartesian(params)) {
      const variant = withParams(rule, setting);
      const [detector] = createDetectors([variant], { named: opts.config.contracts.named, invariants: opts.invariants });
      const flagged: number[] = [];
      let errors = 0;
      let notRecorded: string | undefined;
      for (const rec of opts.recording) {
        try {
          if ((await detector!.evaluate(replayContext(rec))).length) flagged.push(rec.block.number);
        } catch (err) {
          errors++;
          if ((err as Error).name === "NotRecordedError") notRecorded ??= (err as Error).message;
        }
      }
      if (notRecorded) sweep.note = notRecorded;
      const isCurrent = Object.entries(setting).every(([p, v]) => String(v) === String(current[p]));
      sweep.points.push({ params: setting, current: isCurrent, score: score(flagged, attacks, opts.range), errors, layer: 0, front: false });
      points++;
    }
    const layers = paretoLayers(sweep.points.map((p) => p.score));
    sweep.points.forEach((p, i) => {
      p.layer = layers[i]!;
      p.front = p.layer === 1;
    });
    suggest(sweep, rule);
    out.push(sweep);
  }
  const before = out.filter((s) => s.suggestion).map((s) => ruleJson(rules[s.ruleIndex]!));
  const after = out.filter((s) => s.suggestion).map((s) => ruleJson(withParams(rules[s.ruleIndex]!, s.suggestion!.params)));
  const diff = before.length ? unifiedDiff(before.join("\n"), after.join("\n"), "config rules (current)", "config rules (suggested by the sweep)") : "";
  return { grid: opts.grid, gridSource: opts.gridSource, labelled: attacks.length > 0, points, durationMs: Math.round(performance.now() - t0), rules: out, diff };
}

/** The front point to move to: fewest missed attacks, then no more false alarms than now, least delay, fewest changes. */
function suggest(sweep: RuleSweep, rule: RuleConfig): void {
  const cur = sweep.points.find((p) => p.current);
  if (!cur) return;
  const changed = (p: SweepPoint) => Object.entries(p.params).filter(([k, v]) => String(v) !== String(sweep.current[k])).length;
  const better = sweep.points.filter((p) => p.front && dominates(p.score, cur.score));
  if (better.length === 0) return;
  const key = (p: SweepPoint) => [...objectives(p.score).map((x) => (Number.isFinite(x) ? x : 1e12)), changed(p)];
  better.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return 0;
  });
  const best = better[0]!;
  const changes = Object.entries(best.params)
    .filter(([k, v]) => String(v) !== String(sweep.current[k]))
    .map(([k, v]) => ({ path: `rules[${sweep.ruleIndex}].detector.${k}`, from: sweep.current[k]!, to: v }));
  const s = best.score;
  const c = cur.score;
  const what = (x: Score) => `${x.detected}/${x.attacks} attacks, delay ${x.meanDelay ?? "—"} blocks, ${x.falseAlarms} false alarms`;
  const merged = { ...sweep.current, ...best.params };
  sweep.suggestion = {
    params: merged,
    changes,
    why: `${rule.id}: ${changes.map((ch) => `${ch.path.replace(/^rules\[\d+\]\.detector\./, "")} ${ch.from} → ${ch.to}`).join(", ")} gives ${what(s)} instead of ${what(c)} on this history`,
    diff: unifiedDiff(ruleJson(rule), ruleJson(withParams(rule, merged)), `rules[${sweep.ruleIndex}] (current)`, `rules[${sweep.ruleIndex}] (suggested)`),
  };
}
