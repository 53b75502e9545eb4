// Shared pieces of the importers: turning (signature, expression) pairs into matcher entries,
// and the report of what was mapped and what was not.
import type { EventFragment, FunctionFragment } from "ethers";
import { parseEvent, parseFunction } from "../detectors/abi.js";
import { TX_FIELDS } from "../detectors/matcher.js";
import type { Condition, RuleInput } from "../detectors/schema.js";
import { parseExpression } from "./expression.js";

export type Abi = (string | Record<string, unknown>)[];

export interface ImportReport {
  source: "openzeppelin-monitor" | "defender";
  monitor: string;
  /** Rule ids produced. */
  rules: string[];
  /** What was translated, one line each. */
  mapped: string[];
  /** What could not be translated, one line each, with the reason. */
  dropped: string[];
  /** Things to do by hand (notifications, networks...). */
  notes: string[];
}

export interface ImportResult {
  rules: RuleInput[];
  report: ImportReport;
}

export function slug(s: string): string {
  const out = s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return out || "imported";
}

export function parseAbi(raw: unknown, where: string, report: ImportReport): Abi | undefined {
  if (raw === undefined || raw === null) return undefined;
  try {
    const v = typeof raw === "string" ? JSON.parse(raw) : raw;
    if (Array.isArray(v)) return v as Abi;
    report.dropped.push(`${where}: ABI is not an array (non-EVM contract spec?); argument names unavailable`);
  } catch (e) {
    report.dropped.push(`${where}: ABI is not valid JSON (${(e as Error).message}); argument names unavailable`);
  }
  return undefined;
}

const sigOf = (f: EventFragment | FunctionFragment) => f.format("full").replace(/^(event|function)\s+/, "");

/** Argument resolver for event / function expressions: names from the fragment, or positions. */
function argResolver(frag: EventFragment | FunctionFragment) {
  return (name: string): string | number | { error: string } => {
    if (/^\$\d+$/.test(name)) {
      return Number(name.slice(1)) < frag.inputs.length ? name : { error: `parameter ${name} does not exist in ${frag.format("sighash")}` };
    }
    if (frag.inputs.some((i) => i.name === name)) return name;
    return { error: `parameter "${name}" is not known (${frag.inputs.some((i) => i.name) ? `names: ${frag.inputs.map((i) => i.name).join(", ")}` : "no ABI with names"})` };
  };
}

export function eventEntry(signature: string, expression: string | null | undefined, abi: Abi | undefined, report: ImportReport, where: string) {
  let frag: EventFragment;
  try {
    frag = parseEvent(signature, abi);
  } catch (e) {
    report.dropped.push(`${where}: event "${signature}" is not an EVM event signature (${(e as Error).message.split("(")[0].trim()}); dropped`);
    return undefined;
  }
  const parsed = parseExpression(expression, argResolver(frag));
  parsed.dropped.forEach((d) => report.dropped.push(`${where}: event ${frag.format("sighash")} expression ${d}`));
  report.mapped.push(`${where}: event ${frag.format("sighash")}${parsed.condition ? ` where ${expression}` : ""}`);
  return { signature: sigOf(frag), ...(parsed.condition ? { where: parsed.condition } : {}) };
}

export function functionEntry(signature: string, expression: string | null | undefined, abi: Abi | undefined, report: ImportReport, where: string) {
  let frag: FunctionFragment;
  try {
    frag = parseFunction(signature, abi);
  } catch (e) {
    report.dropped.push(`${where}: function "${signature}" is not an EVM function signature (${(e as Error).message.split("(")[0].trim()}); dropped`);
    return undefined;
  }
  const parsed = parseExpression(expression, argResolver(frag));
  parsed.dropped.forEach((d) => report.dropped.push(`${where}: function ${frag.format("sighash")} expression ${d}`));
  report.mapped.push(`${where}: function ${frag.format("sighash")}${parsed.condition ? ` where ${expression}` : ""}`);
  return { signature: sigOf(frag), status: "any" as const, ...(parsed.condition ? { where: parsed.condition } : {}) };
}

/** Transaction expression fields: source name → matcher field. */
export function txEntry(
  status: "success" | "failed" | "any",
  expression: string | null | undefined,
  fields: Record<string, string>,
  report: ImportReport,
  where: string,
): { status: "success" | "failed" | "any"; where?: Condition } {
  const parsed = parseExpression(expression, (name) => {
    const f = fields[name];
    if (f && (TX_FIELDS as readonly string[]).includes(f)) return f;
    return { error: `transaction field "${name}" is not available to keeper matchers (supported: ${Object.keys(fields).join(", ")})` };
  });
  parsed.dropped.forEach((d) => report.dropped.push(`${where}: transaction expression ${d}`));
  report.mapped.push(`${where}: transactions with status ${status}${parsed.condition ? ` where ${expression}` : ""}`);
  return { status, ...(parsed.condition ? { where: parsed.condition } : {}) };
}

export function formatReport(reports: ImportReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`## ${r.source}: ${r.monitor}`, "");
    lines.push(`Rules: ${r.rules.length ? r.rules.join(", ") : "(none)"}`, "");
    if (r.mapped.length) lines.push("Mapped:", ...r.mapped.map((m) => `- ${m}`), "");
    if (r.dropped.length) lines.push("NOT mapped:", ...r.dropped.map((m) => `- ${m}`), "");
    if (r.notes.length) lines.push("Notes:", ...r.notes.map((m) => `- ${m}`), "");
  }
  return lines.join("\n");
}
