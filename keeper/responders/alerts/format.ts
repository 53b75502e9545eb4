// Turning decisions into messages for people.
import type { AlertMessage, Decision, Severity } from "../../types.js";
import { RETRACTION_SUFFIX } from "../../store/store.js";

export const SEVERITY_EMOJI: Record<Severity, string> = { P1: "🔴", P2: "🟠", P3: "🟡", P4: "🔵" };

/** Deterministic message id: the same decision handled twice (restart, replica) is the same message. */
export function alertId(incidentId: string, suffix: string): string {
  return `${incidentId}#${suffix}`;
}

export function messageFromDecision(d: Decision, extra: { note?: string; links?: string[] } = {}): AlertMessage {
  const f = d.finding;
  const what =
    d.action === "pause"
      ? d.act
        ? `pausing ${d.pause ? `scope ${d.pause.scope} on ${d.pause.breaker}` : "(no pause target)"}`
        : "would pause (rule not allowed to act on its own): a guardian must decide"
      : d.action === "propose"
        ? d.act
          ? "guardian action proposed"
          : "guardian action recommended"
        : "alert only";
  const lines = [
    f.summary,
    `rule: ${f.ruleId} (${f.detector}), incident: ${d.incidentId}`,
    `block ${f.blockNumber} (${f.blockHash})${f.txHash ? `, tx ${f.txHash}` : ""}`,
    `response: ${what}`,
  ];
  if (f.target) lines.push(`target: ${f.target}`);
  if (f.asset) lines.push(`asset: ${f.asset}`);
  if (extra.note) lines.push(extra.note);
  return {
    id: alertId(d.incidentId, `alert:${f.blockNumber}:${f.ruleId}`),
    incidentId: d.incidentId,
    severity: f.severity,
    title: `[${f.severity}] ${f.ruleId}: ${f.summary}`.slice(0, 240),
    body: lines.join("\n"),
    blockNumber: f.blockNumber,
    blockHash: f.blockHash,
    txHash: f.txHash,
    links: extra.links,
  };
}

/** The retraction of an earlier alert (its block was orphaned by a reorg). */
export function retractionOf(original: { id: string; incidentId: string }, ctx: { blockNumber: number; blockHash: string; severity?: Severity }): AlertMessage {
  return {
    id: `${original.id}${RETRACTION_SUFFIX}`,
    incidentId: original.incidentId,
    severity: ctx.severity ?? "P4",
    title: `RETRACTED: alert ${original.id}`,
    body: `The block that triggered alert ${original.id} (incident ${original.incidentId}) was orphaned by a chain reorganisation; the alert is withdrawn.`,
    blockNumber: ctx.blockNumber,
    blockHash: ctx.blockHash,
    retraction: true,
  };
}

/** Plain-text rendering shared by the chat channels. */
export function plainText(m: AlertMessage): string {
  const head = m.retraction ? `↩️ ${m.title}` : `${SEVERITY_EMOJI[m.severity]} ${m.title}`;
  return [head, m.body, ...(m.links ?? [])].join("\n");
}

/** The first `max` UTF-16 units of `s`, never ending in half a surrogate pair (emoji, some CJK). */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate whose partner would be cut off
  return s.slice(0, end);
}

/** Slack mrkdwn: escape the three control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Text safe inside a Slack ``` code block: a ``` of its own would end the block early. */
export function slackCode(s: string): string {
  return slackEscape(s).replace(/```/g, "`\u200b``");
}
