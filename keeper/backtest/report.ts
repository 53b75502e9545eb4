// Backtest reports: report.json (machines), report.md (people, pastes into an issue), report.html
// (self-contained: inline CSS and one SVG chart per swept rule, no script, no external resource),
// suggested-config.diff (the sweep's suggestion, for a person to review and apply).
//
// Chart elements carry stable ids / classes for browser tests: svg.sweep-chart[data-rule]
// (one per swept rule), .point (one per grid point; .front on the Pareto front, .current for
// the config's own setting, .missed when an attack went undetected), .front-line, .x-axis,
// .y-axis, .legend; tables #rules, #attacks, #sweep-<rule>; <pre id="suggested-diff">.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BacktestRun, RuleStats } from "./types.js";
import type { Evaluation, RuleEvaluation } from "./evaluate.js";
import type { RuleSweep, SweepPoint, SweepResult } from "./sweep.js";
import { escapeHtml as esc, niceTicks } from "../ops/html.js";

export interface BacktestReport {
  generatedAt: string;
  run: BacktestRun;
  evaluation?: Evaluation;
  sweep?: SweepResult;
}

const dash = (v: unknown) => (v === null || v === undefined ? "—" : String(v));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toLocaleString("en-US"));

export function writeBacktestReport(report: BacktestReport, dir: string): { json: string; md: string; html: string; diff?: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "report.json");
  const md = join(dir, "report.md");
  const html = join(dir, "report.html");
  writeFileSync(json, JSON.stringify(report, (_k, v: unknown) => (v === Infinity ? null : v), 2) + "\n");
  writeFileSync(md, renderMarkdown(report));
  writeFileSync(html, renderHtml(report));
  let diff: string | undefined;
  if (report.sweep?.diff) {
    diff = join(dir, "suggested-config.diff");
    writeFileSync(diff, report.sweep.diff);
  }
  return { json, md, html, diff };
}

// ---------------------------------------------------------------- tables (shared by text, md, html)

const RULE_HEAD = ["rule", "kind", "findings", "blocks flagged", "first", "last", "would pause", "would propose", "would contain", "alert", "suppressed", "errors"];
const EVAL_HEAD = ["precision", "recall", "delay (blocks)", "false alarms", "per 10k benign", "acts alone?"];

function ruleRow(s: RuleStats, e?: RuleEvaluation): string[] {
  const base = [
    s.ruleId + (s.act ? ` (act: ${s.action})` : ""),
    s.kind,
    String(s.findings),
    String(s.blocksFlagged.length),
    dash(s.firstBlock),
    dash(s.lastBlock),
    String(s.decisions.pause),
    String(s.decisions.propose),
    String(s.decisions.contain),
    String(s.decisions.alert),
    String(s.decisions.suppressed),
    s.errors.count ? `${s.errors.count} ⚠` : "0",
  ];
  if (!e) return base;
  return [
    ...base,
    pct(e.precision),
    pct(e.recall),
    e.meanDelay === null ? "—" : e.delays.length > 1 ? `${e.meanDelay} (max ${e.maxDelay})` : String(e.meanDelay),
    String(e.falseAlarms),
    dash(e.falseAlarmsPer10k),
    e.verdict === "can-act" ? "yes" : e.verdict === "no-false-alarm-yet" ? "not yet" : e.verdict === "fix-errors" ? "fix errors" : "no",
  ];
}

function rows(r: BacktestReport): { head: string[]; body: string[][] } {
  const ev = r.evaluation;
  const head = ev ? [...RULE_HEAD, ...EVAL_HEAD] : RULE_HEAD;
  return { head, body: r.run.rules.map((s) => ruleRow(s, ev?.rules.find((e) => e.ruleId === s.ruleId))) };
}

/** Plain-text table for the terminal. */
export function textTable(head: string[], body: string[][]): string {
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((x) => x[i]!.length)));
  const line = (x: string[]) => x.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd();
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n");
}

const mdTable = (head: string[], body: string[][]) =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...body.map((x) => `| ${x.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`)].join("\n");

const paramText = (p: Record<string, unknown>) => Object.entries(p).map(([k, v]) => `${k}=${v}`).join(" ");

function sweepRows(s: RuleSweep): { head: string[]; body: string[][] } {
  const head = ["setting", "layer", "detected", "delay (blocks)", "false alarms", "per 10k benign", "errors", ""];
  const sorted = [...s.points].sort((a, b) => a.layer - b.layer || a.score.falseAlarms - b.score.falseAlarms || (a.score.meanDelay ?? 1e9) - (b.score.meanDelay ?? 1e9));
  const body = sorted.map((p) => [
    paramText(p.params),
    String(p.layer),
    p.score.attacks ? `${p.score.detected}/${p.score.attacks}` : "—",
    dash(p.score.meanDelay),
    String(p.score.falseAlarms),
    dash(p.score.falseAlarmsPer10k),
    String(p.errors),
    [p.current ? "current" : "", p.front ? "front" : "", s.suggestion && paramText(s.suggestion.params) === paramText({ ...s.current, ...p.params }) && !p.current ? "suggested" : ""].filter(Boolean).join(", "),
  ]);
  return { head, body };
}

/** The summary printed by the CLI. */
export function renderText(r: BacktestReport): string {
  const run = r.run;
  const L: string[] = [];
  L.push(`backtest ${run.config.name} on chain ${run.config.chainId}, blocks ${run.range.from}..${run.range.to} (${run.blocks} blocks; ${run.resumed.fromCheckpoint} from the checkpoint, ${run.resumed.fetched} fetched at ${run.blocksPerSec} blocks/s, ${run.rpcPerBlock} RPC requests/block)`);
  L.push("");
  const t = rows(r);
  L.push(textTable(t.head, t.body));
  for (const s of run.rules.filter((x) => x.errors.count)) L.push(`\n⚠ ${s.ruleId}: ${s.errors.count} evaluation error(s), first at block ${s.errors.firstBlock}: ${s.errors.messages[0]}`);
  if (r.evaluation) {
    L.push("");
    for (const a of r.evaluation.attacks) L.push(`attack ${a.label} (blocks ${a.first}..${a.last}): ${a.caughtFirstBy.length ? `caught first by ${a.caughtFirstBy.join(", ")} after ${a.delay} block(s)${a.caughtAtFirstTx ? " — at its first transaction" : ""}` : "NOT caught by any rule"}`);
    L.push(`acting decisions on benign blocks: ${r.evaluation.wouldActOnBenign}`);
    for (const e of r.evaluation.rules) L.push(`- ${e.ruleId}: ${e.guidance}`);
  }
  if (r.sweep) {
    L.push("");
    L.push(`sweep: ${r.sweep.points} settings over ${r.sweep.rules.length} rule(s) in ${r.sweep.durationMs} ms (${r.sweep.gridSource})`);
    for (const s of r.sweep.rules) {
      const cur = s.points.find((p) => p.current);
      L.push(`- ${s.ruleId}: current setting on layer ${cur?.layer ?? "—"}${cur?.front ? " (on the Pareto front)" : ""}${s.suggestion ? `; suggested: ${s.suggestion.why}` : "; no setting beats it"}`);
    }
  }
  return L.join("\n");
}

// ---------------------------------------------------------------- markdown

export function renderMarkdown(r: BacktestReport): string {
  const run = r.run;
  const L: string[] = [];
  L.push(`# Backtest — ${run.config.name}`);
  L.push("");
  L.push(`Chain ${run.config.chainId} via ${run.rpc.url}, blocks **${run.range.from}–${run.range.to}** (${run.blocks} blocks; ${run.resumed.fromCheckpoint} replayed from the checkpoint, ${run.resumed.fetched} fetched at **${run.blocksPerSec} blocks/s**, **${run.rpcPerBlock} RPC requests per block**). Detectors and policy as in live mode; no responder ran, nothing was sent.`);
  L.push("");
  L.push("## Rules");
  L.push("");
  const t = rows(r);
  L.push(mdTable(t.head, t.body));
  const errs = run.rules.filter((x) => x.errors.count);
  if (errs.length) {
    L.push("");
    L.push("### Evaluation errors");
    L.push("");
    for (const s of errs) L.push(`- **${s.ruleId}**: ${s.errors.count} block(s), first at ${s.errors.firstBlock}: ${s.errors.messages.map((m) => `\`${m}\``).join("; ")}`);
  }
  if (r.evaluation) {
    const ev = r.evaluation;
    L.push("");
    L.push("## Labelled attacks");
    L.push("");
    L.push(`${ev.labels} labelled block(s); ${ev.benignBlocks} benign blocks; an attack counts as caught up to ${ev.lateBlocks} blocks after its last labelled block. Acting decisions (would pause / propose) on benign blocks: **${ev.wouldActOnBenign}**.`);
    L.push("");
    L.push(mdTable(["attack", "blocks", "caught first by", "delay (blocks)", "would act"], ev.attacks.map((a) => [a.label, `${a.first}–${a.last}`, a.caughtFirstBy.join(", ") || "**not caught**", dash(a.delay), a.wouldAct.map((d) => `${d.action} by ${d.ruleId} @${d.block}`).join("; ") || "—"])));
    if (ev.outsideRange.length) L.push(`\nOutside the range (not scored): ${ev.outsideRange.join(", ")}.`);
    L.push("");
    L.push("## Guidance");
    L.push("");
    for (const e of ev.rules) L.push(`- **${e.ruleId}** — ${e.guidance}`);
  }
  if (r.sweep) {
    const sw = r.sweep;
    L.push("");
    L.push("## Threshold sweep");
    L.push("");
    L.push(`${sw.points} settings over ${sw.rules.length} rule(s), replayed from the recorded blocks in ${sw.durationMs} ms (grid: ${sw.gridSource}).${sw.labelled ? "" : " No labels: detection delay is not measured, only false alarms."}`);
    for (const s of sw.rules) {
      const cur = s.points.find((p) => p.current);
      L.push("");
      L.push(`### ${s.ruleId}`);
      L.push("");
      L.push(`Current setting (${paramText(s.current)}): Pareto layer ${cur?.layer ?? "—"}${cur?.front ? " — on the front" : ""}.${s.suggestion ? ` Suggested: ${s.suggestion.why}.` : " No setting of the grid beats it."}${s.note ? ` Note: ${s.note}` : ""}`);
      L.push("");
      const st = sweepRows(s);
      L.push(mdTable(st.head, st.body));
    }
    if (sw.diff) {
      L.push("");
      L.push("### Suggested config change");
      L.push("");
      L.push("```diff");
      L.push(sw.diff.trimEnd());
      L.push("```");
    }
  }
  L.push("");
  return L.join("\n");
}

// ---------------------------------------------------------------- HTML + SVG

/** Detection delay (y) vs false alarms per 10,000 benign blocks (x), one circle per setting. */
export function renderSweepChart(s: RuleSweep): string {
  const W = 720;
  const H = 380;
  const m = { l: 70, r: 20, t: 36, b: 50 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xs = s.points.map((p) => p.score.falseAlarmsPer10k ?? 0);
  const ds = s.points.map((p) => p.score.meanDelay).filter((d): d is number => d !== null);
  const xmax = Math.max(1, ...xs) * 1.1;
  const ymax = Math.max(1, ...ds) * 1.15;
  const X = (v: number) => m.l + (v / xmax) * pw;
  const Y = (v: number) => m.t + ph - (v / ymax) * ph;
  const missedY = m.t - 16; // settings that detect nothing sit in a band above the plot
  const P: string[] = [];
  P.push(`<svg class="sweep-chart" id="sweep-chart-${esc(s.ruleId)}" data-rule="${esc(s.ruleId)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Detection delay vs false alarms per 10,000 blocks for ${esc(s.ruleId)}">`);
  P.push(`<g class="x-axis axis"><line x1="${m.l}" y1="${m.t + ph}" x2="${m.l + pw}" y2="${m.t + ph}"/>`);
  for (const t of niceTicks(0, xmax, 8)) P.push(`<line x1="${X(t)}" y1="${m.t + ph}" x2="${X(t)}" y2="${m.t + ph + 5}"/><text x="${X(t)}" y="${m.t + ph + 18}" text-anchor="middle">${t}</text>`);
  P.push(`<text class="axis-label" x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle">false alarms per 10,000 benign blocks</text></g>`);
  P.push(`<g class="y-axis axis"><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + ph}"/>`);
  for (const t of niceTicks(0, ymax, 5)) P.push(`<line x1="${m.l - 5}" y1="${Y(t)}" x2="${m.l}" y2="${Y(t)}"/><line class="grid" x1="${m.l}" y1="${Y(t)}" x2="${m.l + pw}" y2="${Y(t)}"/><text x="${m.l - 8}" y="${Y(t) + 4}" text-anchor="end">${t}</text>`);
  P.push(`<text x="${m.l - 8}" y="${missedY + 4}" text-anchor="end">missed</text>`);
  P.push(`<text class="axis-label" transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">detection delay (blocks)</text></g>`);
  const at = (p: SweepPoint) => ({ x: X(p.score.falseAlarmsPer10k ?? 0), y: p.score.meanDelay === null ? missedY : Y(p.score.meanDelay) });
  const front = s.points.filter((p) => p.front && p.score.meanDelay !== null).sort((a, b) => (a.score.falseAlarmsPer10k ?? 0) - (b.score.falseAlarmsPer10k ?? 0));
  if (front.length > 1) P.push(`<path class="front-line" d="${front.map((p, i) => `${i ? "L" : "M"} ${at(p).x.toFixed(1)} ${at(p).y.toFixed(1)}`).join(" ")}"/>`);
  s.points.forEach((p, i) => {
    const { x, y } = at(p);
    const missed = p.score.attacks > p.score.detected;
    const cls = ["point", p.front ? "front" : "", p.current ? "current" : "", missed ? "missed" : ""].filter(Boolean).join(" ");
    const title = `${paramText(p.params)} — layer ${p.layer}${p.current ? " (current)" : ""}: ${p.score.attacks ? `${p.score.detected}/${p.score.attacks} detected, delay ${dash(p.score.meanDelay)}, ` : ""}${p.score.falseAlarms} false alarms`;
    P.push(`<circle id="point-${esc(s.ruleId)}-${i}" class="${cls}" data-layer="${p.layer}" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${p.current ? 8 : 5}"><title>${esc(title)}</title></circle>`);
  });
  const lx = m.l + pw - 220;
  P.push(`<g class="legend" transform="translate(${lx} ${m.t + 10})"><rect class="legend-box" x="-8" y="-12" width="222" height="72"/>`);
  P.push(`<circle class="point" cx="6" cy="0" r="5"/><text x="20" y="4">grid setting</text>`);
  P.push(`<circle class="point front" cx="6" cy="18" r="5"/><text x="20" y="22">on the Pareto front</text>`);
  P.push(`<circle class="point current" cx="6" cy="38" r="8"/><text x="20" y="42">the config's setting</text></g>`);
  P.push("</svg>");
  return P.join("\n");
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1d2329;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #e3e6ea;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0;font-size:13px}th,td{border:1px solid #e3e6ea;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f6f8fa}
code,pre{background:#f6f8fa;border-radius:4px}pre{padding:8px;overflow:auto}.muted{color:#57606a}.warn{color:#9a6700;font-weight:600}
.diff-add{color:#1f883d}.diff-del{color:#cf222e}
.sweep-chart{display:block;max-width:100%;height:auto;background:#fff;border:1px solid #e3e6ea;border-radius:6px}
.sweep-chart text{font-size:11px;fill:#444}.sweep-chart .axis-label{font-size:12px;fill:#222}.sweep-chart .axis line{stroke:#888}.sweep-chart .axis line.grid{stroke:#eee}
.sweep-chart .point{fill:#8c959f;opacity:.75}.sweep-chart .point.front{fill:#0969da;opacity:1}.sweep-chart .point.missed{fill:#fff;stroke:#8c959f;stroke-width:1.5}
.sweep-chart .point.current{fill:none;stroke:#cf222e;stroke-width:2.5;opacity:1}.sweep-chart .front-line{fill:none;stroke:#0969da;stroke-width:1.5;stroke-dasharray:4 3}
.sweep-chart .legend-box{fill:#fff;stroke:#ddd;opacity:.92}
`;

const htmlTable = (id: string, head: string[], body: string[][]) =>
  `<table id="${esc(id)}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>\n${body.map((x) => `<tr>${x.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("\n")}\n</tbody></table>`;

const diffHtml = (d: string) =>
  d.split("\n").map((l) => (l.startsWith("+") && !l.startsWith("+++") ? `<span class="diff-add">${esc(l)}</span>` : l.startsWith("-") && !l.startsWith("---") ? `<span class="diff-del">${esc(l)}</span>` : esc(l))).join("\n");

export function renderHtml(r: BacktestReport): string {
  const run = r.run;
  const t = rows(r);
  const parts: string[] = [];
  parts.push(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Backtest — ${esc(run.config.name)}</title>
<style>${CSS}</style></head>
<body>
<h1>Backtest — ${esc(run.config.name)}</h1>
<p class="muted">Chain ${run.config.chainId} via ${esc(run.rpc.url)} · blocks ${run.range.from}–${run.range.to} (${num(run.blocks)}) · ${run.resumed.fromCheckpoint} from the checkpoint, ${run.resumed.fetched} fetched · <span id="throughput">${run.blocksPerSec}</span> blocks/s · <span id="rpc-per-block">${run.rpcPerBlock}</span> RPC requests/block · detectors and policy as live; nothing was sent</p>
<h2>Rules</h2>
${htmlTable("rules", t.head, t.body)}`);
  for (const s of run.rules.filter((x) => x.errors.count)) parts.push(`<p class="warn evaluation-error" data-rule="${esc(s.ruleId)}">⚠ ${esc(s.ruleId)}: ${s.errors.count} evaluation error(s), first at block ${s.errors.firstBlock}: ${esc(s.errors.messages[0] ?? "")}</p>`);
  if (r.evaluation) {
    const ev = r.evaluation;
    parts.push(`<h2>Labelled attacks</h2><p>${ev.labels} labelled block(s), ${num(ev.benignBlocks)} benign blocks; acting decisions on benign blocks: <strong id="would-act-benign">${ev.wouldActOnBenign}</strong>.</p>`);
    parts.push(htmlTable("attacks", ["attack", "blocks", "caught first by", "delay (blocks)", "would act"], ev.attacks.map((a) => [a.label, `${a.first}–${a.last}`, a.caughtFirstBy.join(", ") || "not caught", dash(a.delay), a.wouldAct.map((d) => `${d.action} by ${d.ruleId} @${d.block}`).join("; ") || "—"])));
    parts.push(`<h2>Guidance</h2><ul id="guidance">${ev.rules.map((e) => `<li data-rule="${esc(e.ruleId)}" data-verdict="${e.verdict}"><strong>${esc(e.ruleId)}</strong> — ${esc(e.guidance)}</li>`).join("")}</ul>`);
  }
  if (r.sweep) {
    const sw = r.sweep;
    parts.push(`<h2>Threshold sweep</h2><p>${sw.points} settings over ${sw.rules.length} rule(s), replayed from the recorded blocks in ${sw.durationMs} ms (grid: ${esc(sw.gridSource)}).${sw.labelled ? "" : " No labels: detection delay is not measured."}</p>`);
    for (const s of sw.rules) {
      const cur = s.points.find((p) => p.current);
      const st = sweepRows(s);
      parts.push(`<h3>${esc(s.ruleId)}</h3><p>Current setting (<code>${esc(paramText(s.current))}</code>): Pareto layer ${dash(cur?.layer)}${cur?.front ? " — on the front" : ""}.${s.suggestion ? ` Suggested: ${esc(s.suggestion.why)}.` : " No setting of the grid beats it."}</p>`);
      if (sw.labelled) parts.push(renderSweepChart(s));
      parts.push(htmlTable(`sweep-${s.ruleId}`, st.head, st.body));
    }
    if (sw.diff) parts.push(`<h3>Suggested config change</h3><pre id="suggested-diff">${diffHtml(sw.diff)}</pre>`);
  }
  parts.push("</body></html>\n");
  return parts.join("\n");
}
