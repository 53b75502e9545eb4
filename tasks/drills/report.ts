// Drill reports: <scenario>.json (the DrillScore), <scenario>.md (SEAL-style post-incident
// timeline), <scenario>.html (self-contained: inline CSS and an SVG timeline chart, no external
// resources), and for `all` a summary (index.md, summary.json) and the score table.
//
// The chart's elements carry stable ids / classes for browser tests:
//   #drill-chart (svg), #funds-line, #funds-area, .mark-attack (one per malicious transaction),
//   #mark-detection, #mark-containment, #x-axis, #y-axis, #legend.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DrillScore } from "./types.js";
import type { IncidentPlan } from "../../plan/schema.js";
import { runbookHtml, runbookMarkdown } from "../../plan/runbook-report.js";
import { escapeHtml as esc, niceTicks } from "../../keeper/ops/html.js";

export function writeReports(score: DrillScore, dir: string, plan?: IncidentPlan): { json: string; md: string; html: string } {
  const json = join(dir, `${score.scenario}.json`);
  const md = join(dir, `${score.scenario}.md`);
  const html = join(dir, `${score.scenario}.html`);
  writeFileSync(json, JSON.stringify(score, null, 2) + "\n");
  writeFileSync(md, renderMarkdown(score, plan));
  writeFileSync(html, renderHtml(score, plan));
  return { json, md, html };
}

/** PASS / FAIL / SKIPPED (a refusal: a missing precondition, with its reason). */
export function resultOf(s: DrillScore): "PASS" | "FAIL" | "SKIPPED" {
  return s.skipped ? "SKIPPED" : s.expectationsMet ? "PASS" : "FAIL";
}

export function writeSummary(scores: DrillScore[], dir: string): void {
  const rows = scores.map((s) => ({
    scenario: s.scenario,
    expectationsMet: s.expectationsMet,
    result: resultOf(s),
    skipped: s.skipped ?? null,
    firstMaliciousBlock: s.firstMaliciousBlock,
    detectedBlock: s.detectedBlock,
    containedBlock: s.containedBlock,
    blocksToContain: s.blocksToContain,
    timeToDetectMs: s.timeToDetectMs,
    timeToContainMs: s.timeToContainMs,
    fundsAtRisk: s.fundsAtRisk,
    fundsLost: s.fundsLost,
    savedPct: s.savedPct,
    falseAlarms: s.falseAlarms,
    durationMs: s.durationMs ?? null,
    unmet: s.unmet,
  }));
  const passed = scores.filter((s) => s.expectationsMet).length;
  const skipped = scores.filter((s) => s.skipped).length;
  writeFileSync(join(dir, "summary.json"), JSON.stringify({ generatedAt: new Date().toISOString(), passed, skipped, total: scores.length, scenarios: rows }, null, 2) + "\n");
  const md = [
    "# Drill summary",
    "",
    `Generated ${new Date().toISOString()} — **${passed}/${scores.length}** scenarios met their expectations${skipped ? `, ${skipped} skipped` : ""}.`,
    "",
    markdownTable(scores),
    "",
    ...scores.map((s) => `- [${s.scenario}](${s.scenario}.md) ([HTML](${s.scenario}.html)) — ${s.title}${s.skipped ? ` — SKIPPED: ${s.skipped}` : ""}${s.unmet.length ? ` — unmet: ${s.unmet.join("; ")}` : ""}`),
    "",
  ].join("\n");
  writeFileSync(join(dir, "index.md"), md);
}

// ---------------------------------------------------------------- table

const dash = (v: unknown) => (v === null || v === undefined ? "—" : String(v));
const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? "—" : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** A fee in ETH with 3 significant digits ("0.00576 ETH"), and the gas price it implies. */
function fmtFee(feeWei: string, gasUsed?: string): string {
  const eth = Number(BigInt(feeWei)) / 1e18;
  const price = gasUsed && BigInt(gasUsed) > 0n ? ` at ${(Number(BigInt(feeWei) / BigInt(gasUsed)) / 1e9).toPrecision(3)} gwei` : "";
  return `${eth === 0 ? "0" : eth.toPrecision(3)} ETH${price}`;
}

function fmtUnits(v: string, decimals: number, symbol = ""): string {
  let n: bigint;
  try {
    n = BigInt(v);
  } catch {
    return v;
  }
  const neg = n < 0n;
  const a = neg ? -n : n;
  const whole = a / 10n ** BigInt(decimals);
  const frac = (a % 10n ** BigInt(decimals)).toString().padStart(decimals, "0").slice(0, 2);
  return `${neg ? "-" : ""}${whole.toLocaleString("en-US")}${frac !== "00" && decimals > 0 ? "." + frac : ""}${symbol ? " " + symbol : ""}`;
}

function rowOf(s: DrillScore): string[] {
  return [
    s.scenario,
    resultOf(s),
    dash(s.firstMaliciousBlock),
    s.detectedBlock === null ? "—" : `${s.detectedBlock} (${secs(s.timeToDetectMs)})`,
    s.containedBlock === null ? "—" : `${s.containedBlock} (+${s.blocksToContain} blk, ${secs(s.timeToContainMs)})`,
    fmtUnits(s.fundsAtRisk, s.unit.decimals, s.unit.symbol),
    fmtUnits(s.fundsLost, s.unit.decimals, s.unit.symbol),
    s.savedPct === null ? "—" : `${s.savedPct.toFixed(2)}%`,
    String(s.falseAlarms),
  ];
}

const HEAD = ["scenario", "result", "1st malicious", "detected (time)", "contained", "at risk", "lost", "saved", "false alarms"];

/** Plain-text score table for the terminal. */
export function scoreTable(scores: DrillScore[]): string {
  const rows = [HEAD, ...scores.map(rowOf)];
  const w = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join("  ");
  return [line(rows[0]!), w.map((n) => "-".repeat(n)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

function markdownTable(scores: DrillScore[]): string {
  return [`| ${HEAD.join(" | ")} |`, `|${HEAD.map(() => "---").join("|")}|`, ...scores.map((s) => `| ${rowOf(s).join(" | ")} |`)].join("\n");
}

// ---------------------------------------------------------------- markdown

const utc = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");

function wentWell(s: DrillScore): string[] {
  const out: string[] = [];
  const mal = s.transactions.filter((t) => t.kind === "malicious");
  if (s.detectedBlock !== null && s.firstMaliciousBlock !== null) {
    out.push(
      s.detectedBlock === s.firstMaliciousBlock
        ? `The keeper detected the attack in its first block (${s.detectedBlock}), ${secs(s.timeToDetectMs)} after the block was mined.`
        : `The keeper detected the attack at block ${s.detectedBlock}, ${s.detectedBlock - s.firstMaliciousBlock} block(s) after the first malicious transaction.`,
    );
  }
  if (s.containedBlock !== null) out.push(`${pauseLabel(s)} was included in block ${s.containedBlock} (+${s.blocksToContain} block(s), ${secs(s.timeToContainMs)}).`);
  const blocked = mal.filter((t) => s.containedBlock !== null && ((t.blockNumber !== null && t.blockNumber >= s.containedBlock && t.success === false) || t.blockNumber === null));
  if (blocked.length) out.push(`${blocked.length} of ${mal.length} malicious transaction(s) failed after containment (reverted or never included).`);
  if (s.savedPct !== null && s.savedPct >= 90) out.push(`${s.savedPct.toFixed(2)}% of the funds at risk were saved.`);
  if (s.falseAlarms === 0) out.push("No false alarm: no act rule fired on benign traffic.");
  if (s.firstMaliciousBlock === null && s.falseAlarms === 0) out.push("Benign traffic (including large legitimate moves) tripped nothing.");
  return out.length ? out : ["—"];
}

function wentWrong(s: DrillScore): string[] {
  const out: string[] = [];
  const mal = s.transactions.filter((t) => t.kind === "malicious");
  const succeeded = mal.filter((t) => t.success === true);
  if (succeeded.length) out.push(`${succeeded.length} malicious transaction(s) succeeded${s.containedBlock !== null ? " before the pause landed" : ""}.`);
  if (BigInt(s.fundsLost) > 0n) out.push(`${fmtUnits(s.fundsLost, s.unit.decimals, s.unit.symbol)} lost.`);
  if (s.falseAlarms > 0) out.push(`${s.falseAlarms} false alarm(s).`);
  for (const u of s.unmet) out.push(`Unmet expectation: ${u}.`);
  return out.length ? out : ["Nothing material."];
}

function expectationLines(s: DrillScore, scenarioExpectations?: Record<string, unknown>): string[] {
  const lines: string[] = [];
  if (scenarioExpectations) {
    for (const [k, v] of Object.entries(scenarioExpectations)) if (typeof v !== "function") lines.push(`- ${k}: ${String(v)}`);
  }
  lines.push(s.expectationsMet ? "- **All expectations met.**" : "- **Unmet:**");
  for (const u of s.unmet) lines.push(`  - ${u}`);
  return lines;
}

function guardianResponseLines(s: DrillScore): string[] {
  const g = s.guardianResponse!;
  const rel = (t: number | null) => (t === null || g.detectedAt === null ? "—" : `+${secs(t - g.detectedAt)}`);
  const target = (ms: number | null, want?: number) => (want === undefined ? "" : ms === null ? ` (target ${secs(want)}: missed)` : ` (target ${secs(want)}: ${ms <= want ? "met" : "missed"})`);
  return [
    "### Guardian response (the keeper only alerted; guardians paused through the guardian tasks)",
    "",
    "| step | at (from detection) |",
    "|---|---|",
    `| detection | ${g.detectedAt === null ? "—" : "+0 ms"} |`,
    `| alert delivered | ${rel(g.alertDeliveredAt)} |`,
    `| first guardian signature | ${rel(g.firstSignatureAt)} |`,
    `| threshold met | ${rel(g.thresholdMetAt)} |`,
    `| pause included | ${rel(g.pauseIncludedAt)}${g.pauseBlock !== null ? ` (block ${g.pauseBlock})` : ""} |`,
    "",
    `Time to acknowledge (detection → first signature): ${secs(g.timeToAcknowledgeMs)}${target(g.timeToAcknowledgeMs, g.targets?.timeToAcknowledgeMs)}; time to contain (first malicious block → pause included): ${secs(g.timeToContainMs)}${target(g.timeToContainMs, g.targets?.timeToContainMs)}.`,
  ];
}

export function renderMarkdown(s: DrillScore, plan?: IncidentPlan): string {
  const u = s.unit;
  const mal = s.transactions.filter((t) => t.kind === "malicious");
  const L: string[] = [];
  L.push(`# Drill report — ${s.title}`);
  L.push("");
  const result = resultOf(s);
  L.push(`**Scenario:** \`${s.scenario}\` · **Result:** ${result === "PASS" ? "PASS ✅" : result === "SKIPPED" ? "SKIPPED ⏭" : "FAIL ❌"} · **Chain:** ${s.fork ? `fork of ${s.fork.url}${s.fork.blockNumber !== undefined ? ` @ ${s.fork.blockNumber}` : ""}` : "embedded simulated chain"} (id ${dash(s.chainId)}), ${dash(s.blockIntervalMs)} ms blocks${s.addressBook ? ` · address book \`${s.addressBook}\`` : ""}`);
  L.push("");
  if (s.skipped) {
    L.push("## Skipped");
    L.push("");
    L.push(`The drill did not run: ${s.skipped}`);
    L.push("");
    return L.join("\n");
  }
  L.push("## Summary");
  L.push("");
  if (s.facts.containment) L.push(`Containment: ${s.facts.containment}.`, "");
  if (s.guardianResponse) L.push(...guardianResponseLines(s), "");
  L.push(
    s.firstMaliciousBlock === null
      ? `No attack in this scenario (false-alarm control). ${s.falseAlarms === 0 ? "Nothing tripped." : `${s.falseAlarms} false alarm(s).`}`
      : `First malicious transaction in block ${s.firstMaliciousBlock}; detected at block ${dash(s.detectedBlock)} (${secs(s.timeToDetectMs)}); contained at block ${dash(s.containedBlock)} (${s.blocksToContain === null ? "—" : `+${s.blocksToContain} block(s)`}, ${secs(s.timeToContainMs)}). ${fmtUnits(s.fundsLost, u.decimals, u.symbol)} lost of ${fmtUnits(s.fundsAtRisk, u.decimals, u.symbol)} at risk (${s.savedPct === null ? "—" : s.savedPct.toFixed(2) + "% saved"}).`,
  );
  L.push("");
  L.push("## The real incident");
  L.push("");
  L.push(`Modelled on **${s.reference.incident}** (${s.reference.date}, ${s.reference.loss}) — ${s.reference.url}`);
  L.push("");
  L.push("## Timeline (UTC)");
  L.push("");
  L.push("| time (UTC) | block | source | event |");
  L.push("|---|---|---|---|");
  for (const e of s.timeline) L.push(`| ${utc(e.at)} | ${dash(e.block)} | ${e.kind} | ${e.message.replace(/\|/g, "\\|").replace(/\n/g, " ")} |`);
  L.push("");
  L.push("## Detection");
  L.push("");
  const act = (s.incidents ?? []).filter((i) => i.act);
  if (s.detectedBlock === null) L.push(s.firstMaliciousBlock === null ? "No attack to detect." : "**Not detected.**");
  else L.push(`Block ${s.detectedBlock}, ${secs(s.timeToDetectMs)} after the first malicious block was mined.`);
  for (const i of s.incidents ?? []) L.push(`- \`${i.ruleId}\` (${i.severity}${i.act ? ", acts" : ", alert only"}) at block ${i.firstBlock}: ${i.summary}`);
  if (!(s.incidents ?? []).length) L.push("- No incident opened.");
  L.push("");
  L.push("## Containment");
  L.push("");
  if (s.containedBlock === null) L.push(act.length ? "**Not contained.**" : "No containment action (none needed).");
  else L.push(`${pauseLabel(s)} was included in block ${s.containedBlock} (+${s.blocksToContain} block(s) after the first malicious transaction, ${secs(s.timeToContainMs)}).`);
  for (const a of s.keeperAttempts) {
    const cost = a.gasUsed !== undefined && a.feePaidWei !== undefined ? `, gas ${Number(a.gasUsed).toLocaleString("en-US")}, fee ${fmtFee(a.feePaidWei, a.gasUsed)}` : "";
    L.push(`- keeper ${a.kind ?? "tx"} ${a.hash ?? "(no hash)"}: ${a.status}${a.includedBlock !== undefined ? ` in block ${a.includedBlock}` : ""}${a.maxFeePerGas ? `, maxFeePerGas ${a.maxFeePerGas}` : ""}${cost}`);
  }
  if (s.keeperFeesWei && s.keeperFeesWei !== "0") L.push("", `The keeper paid ${fmtFee(s.keeperFeesWei)} in fees for its transactions (gas × effective price, from the receipts; the drill chain's fees, not mainnet's).`);
  L.push("");
  L.push("## Funds");
  L.push("");
  L.push("| | amount |");
  L.push("|---|---|");
  L.push(`| at risk | ${fmtUnits(s.fundsAtRisk, u.decimals, u.symbol)} |`);
  L.push(`| lost | ${fmtUnits(s.fundsLost, u.decimals, u.symbol)} |`);
  L.push(`| saved | ${s.savedPct === null ? "—" : s.savedPct.toFixed(2) + "%"} |`);
  L.push(`| malicious txs (succeeded / reverted / not included) | ${mal.filter((t) => t.success === true).length} / ${mal.filter((t) => t.success === false && t.blockNumber !== null).length} / ${mal.filter((t) => t.blockNumber === null).length} |`);
  L.push(`| false alarms | ${s.falseAlarms} |`);
  L.push("");
  L.push("## What went well");
  L.push("");
  for (const l of wentWell(s)) L.push(`- ${l}`);
  L.push("");
  L.push("## What went wrong");
  L.push("");
  for (const l of wentWrong(s)) L.push(`- ${l}`);
  L.push("");
  L.push("## Expectations");
  L.push("");
  L.push(...expectationLines(s));
  if (Object.keys(s.facts).length) {
    L.push("");
    L.push("## Facts");
    L.push("");
    for (const [k, v] of Object.entries(s.facts)) L.push(`- ${k}: ${v}`);
  }
  if (s.alerts?.length) {
    L.push("");
    L.push("## Alerts (no action)");
    L.push("");
    for (const a of s.alerts) L.push(`- block ${a.block} \`${a.ruleId}\` (${a.severity}): ${a.summary}`);
  }
  L.push("");
  if (plan) L.push(runbookMarkdown(plan, s)); // incident plan (--plan): "Runbook vs what happened"
  return L.join("\n");
}

// ---------------------------------------------------------------- HTML + SVG


/** The SVG timeline chart: x = blocks, y = protected funds. */
export function renderChart(s: DrillScore): string {
  const W = 900;
  const H = 360;
  const m = { l: 90, r: 20, t: 20, b: 50 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const pts = s.series.map((p) => ({ block: p.block, v: Number(BigInt(p.funds) / 10n ** BigInt(Math.max(0, s.unit.decimals - 6))) / 1e6 }));
  const blocks = [...pts.map((p) => p.block), ...s.transactions.map((t) => t.blockNumber ?? t.attemptedBlock ?? NaN)].filter(Number.isFinite) as number[];
  if (s.detectedBlock !== null) blocks.push(s.detectedBlock);
  if (s.containedBlock !== null) blocks.push(s.containedBlock);
  const x0 = blocks.length ? Math.min(...blocks) : 0;
  const x1 = Math.max(x0 + 1, ...blocks);
  const vmax = Math.max(1, ...pts.map((p) => p.v)) * 1.08;
  const X = (b: number) => m.l + ((b - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => m.t + ph - (v / vmax) * ph;
  const parts: string[] = [];
  parts.push(`<svg id="drill-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Protected funds over blocks, with attack, detection and containment marks">`);
  // axes
  const xticks = niceTicks(x0, x1, 10).filter((t) => Number.isInteger(t));
  const yticks = niceTicks(0, vmax, 5);
  parts.push(`<g id="x-axis" class="axis"><line x1="${m.l}" y1="${m.t + ph}" x2="${m.l + pw}" y2="${m.t + ph}"/>`);
  for (const t of xticks) parts.push(`<line x1="${X(t)}" y1="${m.t + ph}" x2="${X(t)}" y2="${m.t + ph + 5}"/><text x="${X(t)}" y="${m.t + ph + 18}" text-anchor="middle">${t}</text>`);
  parts.push(`<text class="axis-label" x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle">block</text></g>`);
  parts.push(`<g id="y-axis" class="axis"><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + ph}"/>`);
  for (const t of yticks) parts.push(`<line x1="${m.l - 5}" y1="${Y(t)}" x2="${m.l}" y2="${Y(t)}"/><line class="grid" x1="${m.l}" y1="${Y(t)}" x2="${m.l + pw}" y2="${Y(t)}"/><text x="${m.l - 8}" y="${Y(t) + 4}" text-anchor="end">${compact(t)}</text>`);
  parts.push(`<text class="axis-label" transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">protected funds (${esc(s.unit.symbol)})</text></g>`);
  // funds (step line: the value holds until the next sample)
  if (pts.length) {
    let d = `M ${X(pts[0]!.block)} ${Y(pts[0]!.v)}`;
    for (let i = 1; i < pts.length; i++) d += ` H ${X(pts[i]!.block)} V ${Y(pts[i]!.v)}`;
    const last = pts[pts.length - 1]!;
    parts.push(`<path id="funds-area" class="funds-area" d="${d} V ${m.t + ph} H ${X(pts[0]!.block)} Z"/>`);
    parts.push(`<path id="funds-line" class="funds-line" d="${d}"><title>protected funds: ${compact(last.v)} ${esc(s.unit.symbol)} at block ${last.block}</title></path>`);
  }
  // detection / containment (vertical markers)
  if (s.detectedBlock !== null) {
    const x = X(s.detectedBlock);
    parts.push(`<g id="mark-detection" class="mark-detection" data-block="${s.detectedBlock}"><line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + ph}"/><path d="M ${x} ${m.t + 2} l 7 9 l -7 9 l -7 -9 z"/><title>detected at block ${s.detectedBlock}</title></g>`);
  }
  if (s.containedBlock !== null) {
    const x = X(s.containedBlock);
    parts.push(`<g id="mark-containment" class="mark-containment" data-block="${s.containedBlock}"><line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + ph}"/><rect x="${x - 7}" y="${m.t + 24}" width="14" height="14"/><title>paused (contained) at block ${s.containedBlock}</title></g>`);
  }
  // attack transactions: one mark each, stacked within a block
  const perBlock = new Map<number, number>();
  s.transactions
    .filter((t) => t.kind === "malicious")
    .forEach((t, i) => {
      const b = t.blockNumber ?? t.attemptedBlock ?? x0;
      const k = perBlock.get(b) ?? 0;
      perBlock.set(b, k + 1);
      const state = t.blockNumber === null ? "not-included" : t.success ? "succeeded" : "reverted";
      parts.push(`<circle id="mark-attack-${i}" class="mark-attack ${state}" data-block="${b}" cx="${X(b)}" cy="${m.t + ph - 10 - k * 14}" r="6"><title>${esc(`${t.note ?? "malicious tx"} — block ${b}, ${state}`)}</title></circle>`);
    });
  // legend
  const lx = m.l + pw - 230;
  parts.push(`<g id="legend" transform="translate(${lx} ${m.t + 8})"><rect class="legend-box" x="-8" y="-12" width="232" height="86"/>`);
  parts.push(`<line class="funds-line" x1="0" y1="0" x2="18" y2="0"/><text x="26" y="4">protected funds</text>`);
  parts.push(`<circle class="legend-attack" cx="9" cy="18" r="6"/><text x="26" y="22">attack tx (hollow: failed)</text>`);
  parts.push(`<path class="legend-detection" d="M 9 30 l 7 8 l -7 8 l -7 -8 z"/><text x="26" y="42">detection</text>`);
  parts.push(`<rect class="legend-containment" x="2" y="51" width="14" height="14"/><text x="26" y="62">pause (containment)</text></g>`);
  parts.push("</svg>");
  return parts.join("\n");
}

function compact(v: number): string {
  if (Math.abs(v) >= 1e9) return (v / 1e9).toFixed(1).replace(/\.0$/, "") + "B";
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(1).replace(/\.0$/, "") + "M";
  if (Math.abs(v) >= 1e3) return (v / 1e3).toFixed(1).replace(/\.0$/, "") + "k";
  return v.toFixed(v < 10 ? 2 : 0);
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:960px;color:#1d2329;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #e3e6ea;padding-bottom:4px}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:600;color:#fff}.pass{background:#1f883d}.fail{background:#cf222e}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #e3e6ea;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}code{background:#f6f8fa;padding:1px 4px;border-radius:4px}
.muted{color:#57606a}
#drill-chart{display:block;max-width:100%;height:auto;background:#fff;border:1px solid #e3e6ea;border-radius:6px}
#drill-chart text{font-size:11px;fill:#444}#drill-chart .axis-label{font-size:12px;fill:#222}
#drill-chart .axis line{stroke:#888}#drill-chart .grid{stroke:#eee}
#drill-chart .funds-line{fill:none;stroke:#0969da;stroke-width:2}#drill-chart .funds-area{fill:#0969da;opacity:.12}
#drill-chart .mark-attack{fill:#cf222e;stroke:#8b0000;stroke-width:1.5}#drill-chart .mark-attack.reverted,#drill-chart .mark-attack.not-included{fill:#fff;stroke:#cf222e}
#drill-chart .mark-detection line{stroke:#d4a72c;stroke-width:2;stroke-dasharray:5 4}#drill-chart .mark-detection path{fill:#d4a72c}
#drill-chart .mark-containment line{stroke:#1f883d;stroke-width:2}#drill-chart .mark-containment rect{fill:#1f883d}
#drill-chart .legend-box{fill:#fff;stroke:#ddd;opacity:.92}#drill-chart .legend-attack{fill:#cf222e}#drill-chart .legend-detection{fill:#d4a72c}#drill-chart .legend-containment{fill:#1f883d}
`;

export function renderHtml(s: DrillScore, plan?: IncidentPlan): string {
  const u = s.unit;
  const ok = s.expectationsMet;
  const rows = (xs: string[][]) => xs.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  const tl = rows(s.timeline.map((e) => [esc(utc(e.at)), esc(dash(e.block)), esc(e.kind), esc(e.message)]));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Drill report — ${esc(s.title)}</title>
<style>${CSS}</style></head>
<body>
<h1>Drill report — ${esc(s.title)}</h1>
<p><span id="result" class="badge ${ok ? "pass" : "fail"}">${resultOf(s)}</span>${s.skipped ? ` <strong>${esc(s.skipped)}</strong>` : ""} <code>${esc(s.scenario)}</code>
<span class="muted">· ${s.fork ? `fork of ${esc(s.fork.url)}` : "embedded simulated chain"} · ${esc(dash(s.blockIntervalMs))} ms blocks</span></p>
<p>Modelled on <strong>${esc(s.reference.incident)}</strong> (${esc(s.reference.date)}, ${esc(s.reference.loss)}) — <span class="muted">${esc(s.reference.url)}</span></p>
<h2>Timeline chart</h2>
${renderChart(s)}
<h2>Score</h2>
<table id="score"><tbody>
<tr><th>first malicious block</th><td class="num">${dash(s.firstMaliciousBlock)}</td><th>at risk</th><td class="num">${esc(fmtUnits(s.fundsAtRisk, u.decimals, u.symbol))}</td></tr>
<tr><th>detected</th><td class="num">${s.detectedBlock === null ? "—" : `${s.detectedBlock} (${secs(s.timeToDetectMs)})`}</td><th>lost</th><td class="num">${esc(fmtUnits(s.fundsLost, u.decimals, u.symbol))}</td></tr>
<tr><th>contained</th><td class="num">${s.containedBlock === null ? "—" : `${s.containedBlock} (+${s.blocksToContain} blk, ${secs(s.timeToContainMs)})`}</td><th>saved</th><td class="num">${s.savedPct === null ? "—" : s.savedPct.toFixed(2) + "%"}</td></tr>
<tr><th>false alarms</th><td class="num">${s.falseAlarms}</td><th>expectations</th><td>${ok ? "all met" : s.unmet.map(esc).join("<br>")}</td></tr>
</tbody></table>
<h2>Timeline (UTC)</h2>
<table id="timeline"><thead><tr><th>time (UTC)</th><th>block</th><th>source</th><th>event</th></tr></thead><tbody>
${tl}
</tbody></table>
<h2>What went well</h2><ul>${wentWell(s).map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
<h2>What went wrong</h2><ul>${wentWrong(s).map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
${Object.keys(s.facts).length ? `<h2>Facts</h2><ul>${Object.entries(s.facts).map(([k, v]) => `<li>${esc(k)}: ${esc(String(v))}</li>`).join("")}</ul>` : ""}
${plan ? runbookHtml(plan, s) : ""}
</body></html>
`;
}

/** What contained the attack: the keeper's contain call (a PauseGate's or the protocol's own pause) when
 * one landed at the containment block, else the sentinel's pause of the breaker. */
function pauseLabel(s: DrillScore): string {
  const viaContain = s.keeperAttempts.some((a) => a.kind === "contain" && a.status === "included" && a.includedBlock === s.containedBlock);
  return viaContain ? "The keeper's contain call (the protocol's own pause)" : "The sentinel's pause";
}
