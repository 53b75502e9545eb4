// Readiness output: text for people at a terminal, JSON for machines, Markdown for a PR / wiki.
import type { Finding, ReadinessReport } from "./check.js";

const MARK: Record<Finding["severity"], string> = { high: "✗ HIGH", medium: "! MED ", low: "· LOW " };

export function renderText(r: ReadinessReport): string {
  const L: string[] = [];
  L.push(`Readiness of ${r.plan} on chain ${r.network.chainId} (block ${r.network.head}): score ${r.score}/100 — ${r.ok ? "no high finding" : `${r.counts.high} high finding(s): NOT READY`}`);
  L.push(`findings: ${r.counts.high} high, ${r.counts.medium} medium, ${r.counts.low} low; ${r.checks.length} check(s) passed`);
  L.push("");
  for (const f of r.findings) {
    L.push(`${MARK[f.severity]} [${f.id}] ${f.title}`);
    L.push(`         ${f.detail}`);
    L.push(`   fix → ${f.fix}`);
  }
  if (r.findings.length) L.push("");
  for (const c of r.checks) L.push(`✓ ${c.name}: ${c.detail}`);
  return L.join("\n") + "\n";
}

export function renderJson(r: ReadinessReport): string {
  return JSON.stringify(r, null, 2) + "\n";
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(r: ReadinessReport): string {
  const L: string[] = [];
  L.push(`# Readiness — ${r.plan}`);
  L.push("");
  L.push(`**Score:** ${r.score}/100 · **Result:** ${r.ok ? "ready (no high finding) ✅" : "NOT READY ❌"} · chain ${r.network.chainId}, block ${r.network.head} · ${r.checkedAt}`);
  L.push("");
  L.push(`| severity | id | finding | fix |`);
  L.push(`|---|---|---|---|`);
  for (const f of r.findings) L.push(`| ${f.severity} | \`${f.id}\` | ${cell(f.title)}<br>${cell(f.detail)} | \`${cell(f.fix)}\` |`);
  if (!r.findings.length) L.push(`| — | — | no finding | — |`);
  L.push("");
  L.push("## Passed checks");
  L.push("");
  for (const c of r.checks) L.push(`- ${c.name}: ${c.detail}`);
  L.push("");
  return L.join("\n");
}
