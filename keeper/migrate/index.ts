// migrate/: import OpenZeppelin Monitor and Defender monitors into keeper rules (matchers), with a
// report of what could not be mapped. `importMonitorFiles` is the CLI-friendly entry point.
import { readFileSync, writeFileSync } from "node:fs";
import { parseRules, type RuleInput } from "../detectors/schema.js";
import { formatReport, type ImportReport, type ImportResult } from "./common.js";
import { importDefenderMonitor } from "./defender.js";
import { importOzMonitor, type ImportOptions } from "./oz-monitor.js";
import { importOzNetwork, importOzTriggers, isOzNetworkFile, isOzTriggerFile, type ChainInput, type ChannelInput } from "./oz-config.js";

export { importOzTriggers, importOzNetwork, isOzTriggerFile, isOzNetworkFile, type ChainInput, type ChannelInput };

export { importOzMonitor, importDefenderMonitor, formatReport, type ImportOptions, type ImportReport, type ImportResult };
export { parseExpression } from "./expression.js";

export type MonitorFormat = "oz" | "defender";

/** Guess the format of one monitor object. */
export function detectFormat(m: Record<string, unknown>): MonitorFormat {
  if ("match_conditions" in m || "networks" in m || "trigger_conditions" in m) return "oz";
  return "defender";
}

/**
 * Import one file's JSON: monitors (an object, an array, or `{ items: [...] }` as Defender lists
 * return), or an OZ Monitor trigger file (→ alerts channels) or network file (→ chain).
 */
export function importMonitors(json: unknown, opts: ImportOptions & { format?: MonitorFormat } = {}): { rules: RuleInput[]; reports: ImportReport[]; channels: ChannelInput[]; chain?: ChainInput } {
  const v = typeof json === "string" ? JSON.parse(json) : json;
  if (isOzTriggerFile(v)) {
    const t = importOzTriggers(v as never);
    return { rules: [], reports: [t.report], channels: t.channels };
  }
  if (isOzNetworkFile(v)) {
    const n = importOzNetwork(v);
    return { rules: [], reports: [n.report], channels: [], chain: n.chain };
  }
  const list: Record<string, unknown>[] = Array.isArray(v) ? v : Array.isArray((v as { items?: unknown }).items) ? (v as { items: never[] }).items : [v];
  const rules: RuleInput[] = [];
  const reports: ImportReport[] = [];
  const ids = new Set<string>();
  for (const m of list) {
    const r: ImportResult = (opts.format ?? detectFormat(m)) === "oz" ? importOzMonitor(m, opts) : importDefenderMonitor(m, opts);
    for (const rule of r.rules) {
      let id = rule.id;
      for (let i = 2; ids.has(id); i++) id = `${rule.id}-${i}`;
      ids.add(id);
      rules.push({ ...rule, id });
    }
    reports.push(r.report);
  }
  return { rules, reports, channels: [] };
}

/**
 * Read monitor / trigger / network JSON files, write the rules JSON file (validated with the
 * keeper's rule schema) and, when trigger or network files were given, `<out>.keeper.json` with
 * `{ chain, alerts: { channels } }` to merge into the keeper config; with `reportPath`, the
 * Markdown report. Returns the report text.
 */
export function importMonitorFiles(inputs: string[], out: string, opts: ImportOptions & { format?: MonitorFormat; reportPath?: string } = {}): {
  rules: RuleInput[];
  reports: ImportReport[];
  channels: ChannelInput[];
  chains: ChainInput[];
  text: string;
} {
  const rules: RuleInput[] = [];
  const reports: ImportReport[] = [];
  const channels: ChannelInput[] = [];
  const chains: ChainInput[] = [];
  for (const file of inputs) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`${file}: not readable JSON (${(e as Error).message})`);
    }
    const r = importMonitors(json, opts);
    for (const rule of r.rules) {
      let id = rule.id;
      for (let i = 2; rules.some((x) => x.id === id); i++) id = `${rule.id}-${i}`;
      rules.push({ ...rule, id });
    }
    for (const c of r.channels) {
      let name = c.name;
      for (let i = 2; channels.some((x) => x.name === name); i++) name = `${c.name}-${i}`;
      channels.push({ ...c, name });
    }
    if (r.chain) chains.push(r.chain);
    reports.push(...r.reports.map((x) => ({ ...x, monitor: `${x.monitor} (${file})` })));
  }
  parseRules(rules); // throws with a path if an imported rule is invalid (a bug here, not the user's)
  writeFileSync(out, JSON.stringify(rules, null, 2) + "\n");
  let extra = "";
  if (channels.length || chains.length) {
    const keeperFile = out.replace(/\.json$/i, "") + ".keeper.json";
    writeFileSync(keeperFile, JSON.stringify({ ...(chains[0] ? { chain: chains[0] } : {}), alerts: { channels } }, null, 2) + "\n");
    extra = ` ${channels.length} alert channel(s)${chains.length ? ` and chain ${chains[0]!.chainId}` : ""} written to ${keeperFile}${chains.length > 1 ? ` (${chains.length} networks given: one keeper per chain; the first is written)` : ""}.`;
  }
  const text = `# Monitor import\n\n${rules.length} rule(s) written to ${out}.${extra}\n\n${formatReport(reports)}`;
  if (opts.reportPath) writeFileSync(opts.reportPath, text);
  return { rules, reports, channels, chains, text };
}
