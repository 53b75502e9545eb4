// Communication templates (status notice, user update, notice to downstream protocols) filled from
// incident facts. The incident report tooling calls:
//
//   const { title, body, missing } = renderTemplate(plan, "user-update", facts);
//
// `{{name}}` is replaced by facts[name] (arrays joined with ", ", bigints as decimals); a field the
// facts lack is left visible as `[name?]` and listed in `missing`, so nothing goes out half-silent.
import type { IncidentPlan } from "./schema.js";
import { PlanError } from "./load.js";
import type { DrillScore } from "../tasks/drills/types.js";

export type FactValue = string | number | bigint | boolean | null | undefined | readonly (string | number)[];
export type IncidentFacts = Record<string, FactValue>;

export interface RenderedTemplate {
  id: string;
  audience: string;
  title: string;
  body: string;
  /** Placeholders the facts did not provide. */
  missing: string[];
}

function show(v: FactValue): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (Array.isArray(v)) return v.length ? v.join(", ") : undefined;
  return String(v);
}

function fill(text: string, facts: IncidentFacts, missing: Set<string>): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_m, key: string) => {
    const v = show(facts[key]);
    if (v === undefined) {
      missing.add(key);
      return `[${key}?]`;
    }
    return v;
  });
}

/** Fill template `templateId` of the plan from the incident facts. Throws PlanError for an unknown id. */
export function renderTemplate(plan: IncidentPlan, templateId: string, incidentFacts: IncidentFacts): RenderedTemplate {
  const t = plan.templates[templateId];
  if (!t) {
    throw new PlanError([{ path: `templates.${templateId}`, message: `no such template (known: ${Object.keys(plan.templates).join(", ") || "none"})` }]);
  }
  const missing = new Set<string>();
  const facts: IncidentFacts = { protocol: plan.name, ...incidentFacts };
  const title = fill(t.title, facts, missing);
  const body = fill(t.body, facts, missing);
  return { id: templateId, audience: t.audience, title, body, missing: [...missing] };
}

/** Every template of the plan, filled. */
export function renderAllTemplates(plan: IncidentPlan, facts: IncidentFacts): RenderedTemplate[] {
  return Object.keys(plan.templates).map((id) => renderTemplate(plan, id, facts));
}

/** Facts a drill score provides (the incident tooling passes its own, richer facts). */
export function factsFromDrill(s: DrillScore): IncidentFacts {
  const dec = s.unit.decimals;
  const units = (v: string) => {
    const b = BigInt(v);
    const whole = b / 10n ** BigInt(dec);
    return `${whole.toLocaleString("en-US")} ${s.unit.symbol}`;
  };
  const first = s.timeline.find((e) => e.block === s.firstMaliciousBlock) ?? s.timeline[0];
  return {
    title: s.title,
    severity: [...(s.incidents ?? [])].sort((a, b) => a.severity.localeCompare(b.severity))[0]?.severity,
    network: s.fork ? `fork of ${s.fork.url}` : `chain ${s.chainId ?? "?"}`,
    startedAt: first ? new Date(first.at).toISOString() : undefined,
    firstBlock: s.firstMaliciousBlock ?? undefined,
    containedBlock: s.containedBlock ?? undefined,
    status: s.containedBlock !== null ? "contained" : s.detectedBlock !== null ? "investigating" : "monitoring",
    summary: s.reference.incident ? `${s.title} (drill modelled on ${s.reference.incident})` : s.title,
    actions: s.keeperAttempts.length ? s.keeperAttempts.map((a) => `${a.kind ?? "tx"} ${a.status}`).join("; ") : "none",
    fundsLost: units(s.fundsLost),
    fundsAtRisk: units(s.fundsAtRisk),
    savedPct: s.savedPct === null ? undefined : `${s.savedPct.toFixed(2)}%`,
  };
}
