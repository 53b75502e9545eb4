// Labelled evaluation: known attack blocks (from drill reports, or a `{ block, label }` file the
// team writes for past incidents) against what each rule flagged. Per rule: precision, recall,
// detection delay in blocks, false alarms per 10,000 benign blocks — and the guidance that
// follows from them: can the rule act on its own at the measured false-alarm rate, and which rule
// caught each labelled attack first.
//
// Units: a rule "flags" a block when it has at least one finding there; a run of consecutive
// flagged blocks is ONE alarm (a statistic stays high for several blocks; an invariant stays
// broken). An attack is the set of blocks sharing a label; its window runs from its first labelled
// block to its last + lateBlocks (a detection a few blocks late still counts as catching it).
// Every other block of the range is benign; an alarm that starts on a benign block is a false
// alarm (its tail after an attack is not: it started inside the attack's window).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { BacktestRun, DecisionRecord, RuleStats } from "./types.js";

export interface Label {
  block: number;
  label: string;
  /** Where it came from (file, drill scenario). */
  source?: string;
  /** The chain the label belongs to, when known (drill reports record it). */
  chainId?: number;
}

export interface Attack {
  label: string;
  blocks: number[];
  first: number;
  last: number;
  /** Detection window: [first, last + lateBlocks]. */
  windowEnd: number;
  source: string;
}

export class LabelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabelError";
  }
}

/** Drill report (reports/drills/<scenario>.json) → its malicious transactions' blocks. */
function labelsFromDrill(j: { scenario: string; chainId?: number; transactions: { kind: string; blockNumber: number | null }[] }, file: string): Label[] {
  return j.transactions
    .filter((t) => t.kind === "malicious" && typeof t.blockNumber === "number")
    .map((t) => ({ block: t.blockNumber!, label: j.scenario, source: `drill ${basename(file)}`, ...(typeof j.chainId === "number" ? { chainId: j.chainId } : {}) }));
}

function labelsFromJson(j: unknown, file: string): Label[] {
  if (j && typeof j === "object" && !Array.isArray(j) && "scenario" in j && "transactions" in j) return labelsFromDrill(j as never, file);
  const list = Array.isArray(j) ? j : j && typeof j === "object" && Array.isArray((j as { labels?: unknown }).labels) ? (j as { labels: unknown[] }).labels : undefined;
  if (!list) throw new LabelError(`--labels ${file}: expected a drill report, a JSON array of { "block": N, "label": "name" }, or { "labels": [...] }`);
  return list.map((e, i) => {
    const x = e as { block?: unknown; label?: unknown };
    if (!x || typeof x !== "object" || !Number.isSafeInteger(x.block) || (x.block as number) < 0) {
      throw new LabelError(`--labels ${file}: entry [${i}].block must be a block number (integer >= 0), got ${JSON.stringify(x?.block)}`);
    }
    if (typeof x.label !== "string" || x.label.trim() === "") throw new LabelError(`--labels ${file}: entry [${i}].label must be a non-empty string naming the attack`);
    return { block: x.block as number, label: x.label.trim(), source: basename(file) };
  });
}

/**
 * Labels from files or directories (comma-separated): a directory contributes every drill report
 * in it (reports/drills/*.json; summary.json and files that are not reports are skipped).
 */
export function loadLabels(spec: string): Label[] {
  const out: Label[] = [];
  for (const path of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new LabelError(`--labels ${path}: no such file or directory`);
    }
    const files = st.isDirectory() ? readdirSync(path).filter((f) => f.endsWith(".json") && f !== "summary.json").map((f) => join(path, f)) : [path];
    for (const f of files) {
      let j: unknown;
      try {
        j = JSON.parse(readFileSync(f, "utf8"));
      } catch (err) {
        if (st.isDirectory()) continue;
        throw new LabelError(`--labels ${f}: not valid JSON (${(err as Error).message})`);
      }
      if (st.isDirectory() && !(j && typeof j === "object" && "scenario" in j && "transactions" in j)) continue;
      out.push(...labelsFromJson(j, f));
    }
  }
  return out.filter((l) => l.label.toLowerCase() !== "benign");
}

/** Group labels into attacks (one per label). */
export function attacksOf(labels: Label[], lateBlocks: number): Attack[] {
  const by = new Map<string, Label[]>();
  for (const l of labels) by.set(l.label, [...(by.get(l.label) ?? []), l]);
  return [...by.entries()]
    .map(([label, ls]) => {
      const blocks = [...new Set(ls.map((l) => l.block))].sort((a, b) => a - b);
      return { label, blocks, first: blocks[0]!, last: blocks.at(-1)!, windowEnd: blocks.at(-1)! + lateBlocks, source: ls[0]!.source ?? "labels" };
    })
    .sort((a, b) => a.first - b.first);
}

/** What a set of flagged blocks scores against the attacks, over a range. */
export interface Score {
  attacks: number;
  detected: number;
  /** Per attack (same order): blocks from its first labelled block to the first flag, null = missed. */
  delays: (number | null)[];
  meanDelay: number | null;
  maxDelay: number | null;
  /** Flagged blocks, and alarms (runs of consecutive flagged blocks). */
  flagged: number;
  alarms: number;
  /** Alarms that start inside an attack window / on a benign block. */
  truePositives: number;
  falseAlarms: number;
  benignBlocks: number;
  /** true alarms / alarms (null when nothing was flagged). */
  precision: number | null;
  /** detected / attacks (null without attacks). */
  recall: number | null;
  falseAlarmsPer10k: number | null;
  /** ≈95% upper bound on the false-alarm rate per 10,000 benign blocks (rule of three at 0). */
  falseAlarmsPer10kUpper95: number | null;
}

export function inAttack(attacks: Attack[], block: number): Attack | undefined {
  return attacks.find((a) => block >= a.first && block <= a.windowEnd);
}

export function score(flagged: readonly number[], attacks: Attack[], range: { from: number; to: number }): Score {
  const inRange = attacks.filter((a) => a.first >= range.from && a.first <= range.to);
  let attackBlocks = 0;
  for (let b = range.from; b <= range.to; b++) if (inAttack(inRange, b)) attackBlocks++;
  const benignBlocks = range.to - range.from + 1 - attackBlocks;
  const starts = flagged.filter((b, i) => i === 0 || b > flagged[i - 1]! + 1);
  let tp = 0;
  for (const b of starts) if (inAttack(inRange, b)) tp++;
  const fa = starts.length - tp;
  const delays = inRange.map((a) => {
    const hit = flagged.find((b) => b >= a.first && b <= a.windowEnd);
    return hit === undefined ? null : hit - a.first;
  });
  const got = delays.filter((d): d is number => d !== null);
  const per10k = (k: number) => (benignBlocks > 0 ? round((k / benignBlocks) * 10_000, 2) : null);
  // Poisson upper bound, 95%: 3 at zero (rule of three), else ≈ k + 1.96·√(k + 1) + 2.
  const upper = fa === 0 ? 3 : fa + 1.96 * Math.sqrt(fa + 1) + 2;
  return {
    attacks: inRange.length,
    detected: got.length,
    delays,
    meanDelay: got.length ? round(got.reduce((a, b) => a + b, 0) / got.length, 2) : null,
    maxDelay: got.length ? Math.max(...got) : null,
    flagged: flagged.length,
    alarms: starts.length,
    truePositives: tp,
    falseAlarms: fa,
    benignBlocks,
    precision: starts.length ? round(tp / starts.length, 4) : null,
    recall: inRange.length ? round(got.length / inRange.length, 4) : null,
    falseAlarmsPer10k: per10k(fa),
    falseAlarmsPer10kUpper95: per10k(upper),
  };
}

export type Verdict = "can-act" | "no-false-alarm-yet" | "alert-only" | "fix-errors";

export interface RuleEvaluation extends Score {
  ruleId: string;
  /** Acting decisions (pause / propose, not suppressed) the policy took on benign blocks. */
  wouldActOnBenign: number;
  verdict: Verdict;
  canActAlone: boolean;
  guidance: string;
}

export interface AttackEvaluation {
  label: string;
  source: string;
  first: number;
  last: number;
  /** Rules that flagged it first (smallest delay), and that delay. */
  caughtFirstBy: string[];
  delay: number | null;
  /** Did a rule flag the block of its first labelled transaction? */
  caughtAtFirstTx: boolean;
  byRule: Record<string, number | null>;
  /** Acting decisions (would pause / propose) inside its window. */
  wouldAct: DecisionRecord[];
}

export interface Evaluation {
  lateBlocks: number;
  /** Target false-alarm rate for a rule that acts on its own (per 10,000 benign blocks). */
  targetPer10k: number;
  labels: number;
  attacks: AttackEvaluation[];
  /** Attacks whose first block lies outside the backtest range, or labelled on another chain (not scored). */
  outsideRange: string[];
  rules: RuleEvaluation[];
  benignBlocks: number;
  /** Acting decisions on benign blocks, all rules. */
  wouldActOnBenign: number;
}

const isActing = (d: DecisionRecord) => !d.suppressed && (d.action === "pause" || d.action === "contain" || d.action === "propose");

function verdictOf(s: RuleStats, sc: Score, target: number, wouldActOnBenign: number): { verdict: Verdict; guidance: string } {
  const per10k = (x: number | null) => (x === null ? "—" : x.toLocaleString("en-US"));
  const missed = sc.attacks > 0 && sc.detected < sc.attacks ? ` It missed ${sc.attacks - sc.detected} of ${sc.attacks} labelled attack(s).` : "";
  if (s.errors.count > 0) {
    return {
      verdict: "fix-errors",
      guidance: `Could not be evaluated on ${s.errors.count} block(s) (first at ${s.errors.firstBlock}: ${s.errors.messages[0]}). Fix the rule (addresses, signatures, Multicall3) before trusting it: a rule that errors detects nothing.${missed}`,
    };
  }
  const needed = Math.ceil((3 / target) * 10_000);
  if (sc.falseAlarms === 0) {
    if (sc.falseAlarmsPer10kUpper95 !== null && sc.falseAlarmsPer10kUpper95 <= target) {
      return { verdict: "can-act", guidance: `No false alarm in ${sc.benignBlocks.toLocaleString("en-US")} benign blocks (rate < ${per10k(sc.falseAlarmsPer10kUpper95)} per 10,000 at 95%, target ${target}): precise enough to act on its own.${missed}` };
    }
    return {
      verdict: "no-false-alarm-yet",
      guidance: `No false alarm in ${sc.benignBlocks.toLocaleString("en-US")} benign blocks, which only shows a rate below ${per10k(sc.falseAlarmsPer10kUpper95)} per 10,000 (95%); showing ${target} per 10,000 takes ${needed.toLocaleString("en-US")} benign blocks: backtest a longer history before letting it act.${missed}`,
    };
  }
  const acting = s.act && (s.action === "pause" || s.action === "contain" || s.action === "propose");
  if (sc.falseAlarmsPer10k !== null && sc.falseAlarmsPer10k <= target && sc.falseAlarmsPer10kUpper95 !== null && sc.falseAlarmsPer10kUpper95 <= target * 3) {
    return { verdict: "can-act", guidance: `${sc.falseAlarms} false alarm(s) in ${sc.benignBlocks.toLocaleString("en-US")} benign blocks (${per10k(sc.falseAlarmsPer10k)} per 10,000, target ${target}): may act, with a cooldown.${missed}` };
  }
  return {
    verdict: "alert-only",
    guidance:
      `${sc.falseAlarms} false alarm(s) in ${sc.benignBlocks.toLocaleString("en-US")} benign blocks (${per10k(sc.falseAlarmsPer10k)} per 10,000, target ${target}): alert only.` +
      (acting ? ` It is marked act: it would have ${s.action === "pause" ? "paused" : "proposed"} ${wouldActOnBenign} time(s) on benign traffic — set act: false or tighten its threshold (see the sweep).` : "") +
      missed,
  };
}

export function evaluate(run: BacktestRun, labels: Label[], opts: { lateBlocks?: number; targetPer10k?: number } = {}): Evaluation {
  const lateBlocks = opts.lateBlocks ?? 5;
  const target = opts.targetPer10k ?? 1;
  // A drill report's blocks belong to the chain it ran on: only a backtest of that chain (a fork
  // of it, its node) can score them.
  const otherChain = labels.filter((l) => l.chainId !== undefined && l.chainId !== run.config.chainId);
  const all = attacksOf(labels.filter((l) => !otherChain.includes(l)), lateBlocks);
  const attacks = all.filter((a) => a.first >= run.range.from && a.first <= run.range.to);
  const outsideRange = [
    ...all.filter((a) => !attacks.includes(a)).map((a) => `${a.label} (first block ${a.first})`),
    ...[...new Set(otherChain.map((l) => `${l.label} (chain ${l.chainId}, not ${run.config.chainId})`))],
  ];
  const benign = (b: number) => inAttack(attacks, b) === undefined;
  const rules: RuleEvaluation[] = run.rules.map((s) => {
    const sc = score(s.blocksFlagged, attacks, run.range);
    const wouldActOnBenign = run.decisions.filter((d) => d.ruleId === s.ruleId && isActing(d) && benign(d.block)).length;
    const v = verdictOf(s, sc, target, wouldActOnBenign);
    return { ruleId: s.ruleId, ...sc, wouldActOnBenign, verdict: v.verdict, canActAlone: v.verdict === "can-act", guidance: v.guidance };
  });
  const attackEvals: AttackEvaluation[] = attacks.map((a, i) => {
    const byRule = Object.fromEntries(rules.map((r) => [r.ruleId, r.delays[i] ?? null]));
    const hits = rules.filter((r) => r.delays[i] !== null && r.delays[i] !== undefined);
    const best = hits.length ? Math.min(...hits.map((r) => r.delays[i]!)) : null;
    return {
      label: a.label,
      source: a.source,
      first: a.first,
      last: a.last,
      caughtFirstBy: best === null ? [] : hits.filter((r) => r.delays[i] === best).map((r) => r.ruleId),
      delay: best,
      caughtAtFirstTx: best === 0,
      byRule,
      wouldAct: run.decisions.filter((d) => isActing(d) && d.block >= a.first && d.block <= a.windowEnd),
    };
  });
  return {
    lateBlocks,
    targetPer10k: target,
    labels: labels.length,
    attacks: attackEvals,
    outsideRange,
    rules,
    benignBlocks: rules[0]?.benignBlocks ?? run.blocks,
    wouldActOnBenign: run.decisions.filter((d) => isActing(d) && benign(d.block)).length,
  };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
