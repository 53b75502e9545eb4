// "Runbook vs what happened": for every rule that fired in a drill (or incident), the plan's runbook
// (severity, routing, targets, automated action, checklist, unpause owner, user message) next to
// what the keeper actually did. Used by tasks/drills/report.ts when a plan is given (--plan).
import type { DrillScore } from "../tasks/drills/types.js";
import { runbookForRule, seconds, type IncidentPlan, type PlanSeverity } from "./schema.js";
import { factsFromDrill, renderTemplate } from "./templates.js";

export interface RunbookComparison {
  ruleId: string;
  runbookId: string | null;
  planSeverity: PlanSeverity | null;
  actualSeverity: string;
  act: boolean;
  channels: string[];
  containWithinSeconds: number | null;
  /** Time to contain in the drill (s), when contained. */
  containedAfterSeconds: number | null;
  automated: string | null;
  actually: string;
  firstSteps: string[];
  unpause: string | null;
  tellUsers: { title: string; body: string } | null;
  tasks: string[];
}

export function compareRunbooks(plan: IncidentPlan, s: DrillScore): RunbookComparison[] {
  const byRule = new Map<string, NonNullable<DrillScore["incidents"]>[number]>();
  for (const i of s.incidents ?? []) if (!byRule.has(i.ruleId)) byRule.set(i.ruleId, i);
  const facts = factsFromDrill(s);
  return [...byRule.values()].map((inc) => {
    const rb = runbookForRule(plan, inc.ruleId);
    const sev = (rb?.severity ?? (inc.severity as PlanSeverity)) as PlanSeverity;
    const route = plan.severities[sev] ?? plan.severities.P1;
    const attempts = s.keeperAttempts.map((a) => `${a.kind ?? "tx"} ${a.status}${a.includedBlock !== undefined ? ` in block ${a.includedBlock}` : ""}`);
    const actually = inc.act
      ? `${inc.severity} incident at block ${inc.firstBlock}, acted: ${attempts.join("; ") || "no transaction"}${s.containedBlock !== null ? `; contained at block ${s.containedBlock}` : "; not contained"}`
      : `${inc.severity} incident at block ${inc.firstBlock}, alert only`;
    let tell: RunbookComparison["tellUsers"] = null;
    if (rb) {
      const t = renderTemplate(plan, rb.tellUsers.template, { ...facts, severity: sev });
      tell = { title: t.title, body: t.body };
    }
    return {
      ruleId: inc.ruleId,
      runbookId: rb?.id ?? null,
      planSeverity: rb?.severity ?? null,
      actualSeverity: inc.severity,
      act: inc.act,
      channels: [...route.channels],
      containWithinSeconds: rb ? seconds(route.containWithin) : null,
      containedAfterSeconds: inc.act && s.timeToContainMs !== null ? Math.round(s.timeToContainMs / 100) / 10 : null,
      automated: rb?.automated ?? null,
      actually,
      firstSteps: rb?.firstSteps ?? [],
      unpause: rb ? `${rb.unpause.decidedBy}: ${rb.unpause.when}` : null,
      tellUsers: tell,
      tasks: rb?.tasks ?? [],
    };
  });
}

const md = (x: string) => x.replace(/\|/g, "\\|").replace(/\n/g, "<br>");

export function runbookMarkdown(plan: IncidentPlan, s: DrillScore): string {
  const rows = compareRunbooks(plan, s);
  const L: string[] = ["## Runbook vs what happened", "", `Plan: **${plan.name}**.`, ""];
  if (!rows.length) {
    L.push("No rule fired: no runbook applied.", "");
    return L.join("\n");
  }
  for (const r of rows) {
    L.push(`### \`${r.ruleId}\` — ${r.runbookId ? `runbook \`${r.runbookId}\`` : "**no runbook in the plan**"}`, "");
    L.push("| | plan | what happened |", "|---|---|---|");
    L.push(`| severity | ${r.planSeverity ?? "— (rule's own)"} | ${r.actualSeverity} |`);
    L.push(`| routed to | ${r.channels.join(", ")} | — |`);
    L.push(`| automated | ${md(r.automated ?? "—")} | ${md(r.actually)} |`);
    L.push(`| contain within | ${r.containWithinSeconds === null ? "—" : `${r.containWithinSeconds}s`} | ${r.containedAfterSeconds === null ? "—" : `${r.containedAfterSeconds}s`} |`);
    L.push(`| unpause decided by | ${md(r.unpause ?? "—")} | — |`, "");
    if (r.firstSteps.length) {
      L.push("Human checklist:", "");
      for (const step of r.firstSteps) L.push(`- [ ] ${step}`);
      L.push("");
    }
    if (r.tasks.length) {
      L.push("Tasks:", "");
      for (const t of r.tasks) L.push(`- \`${t}\``);
      L.push("");
    }
    if (r.tellUsers) L.push(`What to tell users (draft): **${r.tellUsers.title}**`, "", ...r.tellUsers.body.split("\n").map((l) => `> ${l}`), "");
  }
  return L.join("\n");
}

const esc = (x: string) => x.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function runbookHtml(plan: IncidentPlan, s: DrillScore): string {
  const rows = compareRunbooks(plan, s);
  const parts = [`<h2 id="runbook-vs-actual">Runbook vs what happened</h2><p>Plan: <strong>${esc(plan.name)}</strong>.</p>`];
  if (!rows.length) parts.push("<p>No rule fired: no runbook applied.</p>");
  for (const r of rows) {
    parts.push(`<h3><code>${esc(r.ruleId)}</code> — ${r.runbookId ? `runbook <code>${esc(r.runbookId)}</code>` : "<strong>no runbook in the plan</strong>"}</h3>
<table class="runbook"><thead><tr><th></th><th>plan</th><th>what happened</th></tr></thead><tbody>
<tr><th>severity</th><td>${esc(r.planSeverity ?? "— (rule's own)")}</td><td>${esc(r.actualSeverity)}</td></tr>
<tr><th>routed to</th><td>${esc(r.channels.join(", "))}</td><td>—</td></tr>
<tr><th>automated</th><td>${esc(r.automated ?? "—")}</td><td>${esc(r.actually)}</td></tr>
<tr><th>contain within</th><td>${r.containWithinSeconds === null ? "—" : `${r.containWithinSeconds}s`}</td><td>${r.containedAfterSeconds === null ? "—" : `${r.containedAfterSeconds}s`}</td></tr>
<tr><th>unpause decided by</th><td>${esc(r.unpause ?? "—")}</td><td>—</td></tr>
</tbody></table>
${r.firstSteps.length ? `<ol>${r.firstSteps.map((x) => `<li>${esc(x)}</li>`).join("")}</ol>` : ""}
${r.tasks.length ? `<ul>${r.tasks.map((x) => `<li><code>${esc(x)}</code></li>`).join("")}</ul>` : ""}
${r.tellUsers ? `<blockquote><strong>${esc(r.tellUsers.title)}</strong><br>${esc(r.tellUsers.body).replace(/\n/g, "<br>")}</blockquote>` : ""}`);
  }
  return parts.join("\n");
}
