// Continuous improvement: a drill score or an incident report's action items become suggested plan
// changes, as a JSON-patch-like list and a unified diff of the plan (its JSON rendering), written
// next to the report. Nothing edits the plan file itself: a person reviews and applies the diff.
//
//   const s = suggestFromDrill(plan, score);           // or suggestFromActionItems(plan, source, items)
//   writeSuggestions(s, "reports/drills", score.scenario)  → <id>.plan-suggestions.json / .diff
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DrillScore } from "../tasks/drills/types.js";
import { runbookForRule, seconds, SEVERITIES, type Improvement, type IncidentPlan, type PlanSeverity } from "./schema.js";

export interface PlanChange {
  op: "add" | "replace";
  /** JSON pointer into the plan, e.g. "/runbooks/-" or "/severities/P1/containWithin". */
  path: string;
  value: unknown;
  why: string;
}

/** An action item as the incident report tooling derives it. */
export interface ActionItem {
  kind: Improvement["kind"];
  description: string;
  ruleId?: string;
  asset?: string;
  severity?: PlanSeverity;
  channel?: string;
  /** A command that carries it out (e.g. a guardian propose line). */
  fix?: string;
}

export interface PlanSuggestions {
  source: string;
  changes: PlanChange[];
  /** Unified diff of the plan's JSON rendering, before → after. */
  diff: string;
}

function runbookSkeleton(ruleId: string, severity: PlanSeverity | undefined, source: string) {
  return {
    id: `${ruleId}-runbook`.replace(/[^a-z0-9-]/g, "-"),
    title: `Runbook for ${ruleId} (drafted from ${source})`,
    rules: [ruleId],
    incidentTypes: [],
    ...(severity ? { severity } : {}),
    automated: "TODO: what the keeper does on its own for this rule",
    firstSteps: ["TODO: confirm the detection (breaker status, the transaction)", "TODO: contain (pause / freeze / lower the limit)"],
    unpause: { decidedBy: "incidentLead", when: "TODO" },
    tellUsers: { template: "status-notice" },
    tasks: ["npx hardhat breakwater breaker status"],
  };
}

function improvement(source: string, n: number, item: ActionItem): Improvement {
  return { id: `${source.replace(/[^A-Za-z0-9]+/g, "-")}-${n}`, source, kind: item.kind, description: item.description, ...(item.fix ? { fix: item.fix } : {}), status: "open" };
}

/** Suggestions from explicit action items (incident report, or derived from a drill). */
export function suggestFromActionItems(plan: IncidentPlan, source: string, items: ActionItem[]): PlanSuggestions {
  const changes: PlanChange[] = [];
  const drafted = new Set<string>();
  items.forEach((item, i) => {
    if ((item.kind === "add-runbook" || item.kind === "add-rule") && item.ruleId && !runbookForRule(plan, item.ruleId) && !drafted.has(item.ruleId)) {
      drafted.add(item.ruleId);
      changes.push({ op: "add", path: "/runbooks/-", value: runbookSkeleton(item.ruleId, item.severity, source), why: item.description });
    }
    if (item.kind === "change-severity" && item.ruleId && item.severity) {
      const idx = plan.runbooks.findIndex((r) => r.rules.includes(item.ruleId!));
      if (idx >= 0 && plan.runbooks[idx]!.severity !== item.severity) changes.push({ op: "replace", path: `/runbooks/${idx}/severity`, value: item.severity, why: item.description });
    }
    if (item.kind === "add-channel" && item.channel && item.severity && !plan.severities[item.severity].channels.includes(item.channel)) {
      changes.push({ op: "add", path: `/severities/${item.severity}/channels/-`, value: item.channel, why: item.description });
    }
    changes.push({ op: "add", path: "/improvements/-", value: improvement(source, i + 1, item), why: item.description });
  });
  return { source, changes, diff: unifiedDiff(planJson(plan), planJson(applyChanges(plan, changes)), "plan (current)", `plan (suggested from ${source})`) };
}

/** Action items a drill implies: missed detection, slow containment, losses, rules without runbooks. */
export function actionItemsFromDrill(plan: IncidentPlan, s: DrillScore): ActionItem[] {
  const items: ActionItem[] = [];
  const fired = [...new Set((s.incidents ?? []).map((i) => i.ruleId))];
  for (const ruleId of fired) {
    if (!runbookForRule(plan, ruleId)) {
      const sev = (s.incidents ?? []).find((i) => i.ruleId === ruleId)?.severity as PlanSeverity | undefined;
      items.push({ kind: "add-runbook", ruleId, severity: sev && SEVERITIES.includes(sev) ? sev : undefined, description: `rule ${ruleId} fired in drill ${s.scenario} but the plan has no runbook for it` });
    }
  }
  if (s.firstMaliciousBlock !== null && s.detectedBlock === null) {
    items.push({ kind: "add-rule", description: `drill ${s.scenario} (${s.reference.incident}): the attack was not detected — add a keeper rule for this incident class and a runbook for it`, fix: "add a rule to the keeper config, then `npx hardhat breakwater drill run " + s.scenario + "`" });
  }
  const containTarget = seconds(plan.severities.P1.containWithin) * 1000;
  if (s.timeToContainMs !== null && s.timeToContainMs > containTarget) {
    items.push({ kind: "faster-containment", description: `drill ${s.scenario}: contained after ${Math.round(s.timeToContainMs / 1000)}s, the P1 target is ${plan.severities.P1.containWithin}` });
  }
  if (BigInt(s.fundsLost) > 0n) {
    items.push({
      kind: "tighten-limit",
      description: `drill ${s.scenario}: ${s.fundsLost} ${s.unit.symbol} units lost (${s.savedPct?.toFixed(2) ?? "?"}% saved) — tighten the outflow limit of the drained asset so a single window loses less`,
      fix: "npx hardhat breakwater guardian propose --kind SetLimit --args <asset>,<lower maxCapacity>,<window>,0,Queue,6h,true --out limit.json (a strictly tighter limit is a fast action)",
    });
  }
  if (s.falseAlarms > 0) items.push({ kind: "other", description: `drill ${s.scenario}: ${s.falseAlarms} false alarm(s) — review the acting rules' thresholds` });
  for (const u of s.unmet) items.push({ kind: "other", description: `drill ${s.scenario}: unmet expectation: ${u}` });
  return items;
}

export function suggestFromDrill(plan: IncidentPlan, s: DrillScore): PlanSuggestions {
  return suggestFromActionItems(plan, `drill:${s.scenario}`, actionItemsFromDrill(plan, s));
}

/** Write <base>.plan-suggestions.json (changes) and <base>.plan-suggestions.diff in `dir`. */
export function writeSuggestions(s: PlanSuggestions, dir: string, base: string): { json: string; diff: string } {
  const json = join(dir, `${base}.plan-suggestions.json`);
  const diff = join(dir, `${base}.plan-suggestions.diff`);
  writeFileSync(json, JSON.stringify({ source: s.source, changes: s.changes }, null, 2) + "\n");
  writeFileSync(diff, s.diff);
  return { json, diff };
}

// ---------------------------------------------------------------- helpers

export function planJson(plan: IncidentPlan): string {
  return JSON.stringify(plan, null, 2) + "\n";
}

/** Apply changes (add with "/-" appends; replace sets) to a deep copy. */
export function applyChanges(plan: IncidentPlan, changes: PlanChange[]): IncidentPlan {
  const out = JSON.parse(JSON.stringify(plan)) as Record<string, unknown>;
  for (const c of changes) {
    const parts = c.path.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    let node: unknown = out;
    for (const p of parts.slice(0, -1)) node = (node as Record<string, unknown>)[p];
    const last = parts.at(-1)!;
    if (Array.isArray(node)) {
      if (last === "-") node.push(c.value);
      else node[Number(last)] = c.value;
    } else (node as Record<string, unknown>)[last] = c.value;
  }
  return out as unknown as IncidentPlan;
}

/** A unified diff (3 lines of context) of two texts, line by line (LCS). */
export function unifiedDiff(a: string, b: string, nameA: string, nameB: string): string {
  const x = a.split("\n");
  const y = b.split("\n");
  const n = x.length;
  const m = y.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { t: " " | "-" | "+"; s: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) ops.push({ t: " ", s: x[i]!, ai: i++, bi: j++ });
    else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ t: "+", s: y[j]!, ai: i, bi: j++ });
    else ops.push({ t: "-", s: x[i]!, ai: i++, bi: j });
  }
  if (!ops.some((o) => o.t !== " ")) return "";
  const out = [`--- ${nameA}`, `+++ ${nameB}`];
  const C = 3;
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.t === " ") {
      k++;
      continue;
    }
    let start = Math.max(0, k - C);
    let end = k;
    // extend the hunk while changes are within 2*C lines of each other
    for (;;) {
      while (end < ops.length && ops[end]!.t !== " ") end++;
      let next = end;
      while (next < ops.length && ops[next]!.t === " " && next - end < 2 * C) next++;
      if (next < ops.length && ops[next]!.t !== " ") end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + C);
    const hunk = ops.slice(start, stop);
    const aStart = hunk[0]!.ai + 1;
    const bStart = hunk[0]!.bi + 1;
    const aLen = hunk.filter((o) => o.t !== "+").length;
    const bLen = hunk.filter((o) => o.t !== "-").length;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.t}${o.s}`);
    k = stop;
    start = stop;
  }
  return out.join("\n") + "\n";
}
