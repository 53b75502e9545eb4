// `npx hardhat breakwater incident report`: the post-mortem draft (SEAL sections + regulator / legal notice
// facts appendix) from the analysis JSON of `incident analyze`, optionally with a drill score
// (reports/drills/<id>.json) and the keeper store (adds its timeline when the analysis has none).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { DrillScore } from "../drills/types.js";
import { fail } from "../lib/errors.js";
import { print } from "../lib/output.js";
import { runAction } from "../operator/common.js";
import { seconds } from "../../plan/schema.js";
import { loadPlan } from "../../plan/load.js";
import { buildReport, DEFAULT_TARGETS, type ResponseTargets } from "./forensics/report.js";
import { resolveIncidentAnalysis } from "./paths.js";
import { StoreReader } from "./forensics/store.js";
import { ANALYSIS_VERSION, type Analysis } from "./forensics/types.js";

export interface ReportArgs {
  analysis: string;
  incident: string;
  plan: string;
  score: string;
  store: string;
  title: string;
  out: string;
}

export const reportDefaults: ReportArgs = { analysis: "", incident: "", plan: "", score: "", store: "", title: "", out: "" };

function readJson<T>(path: string, option: string): T {
  if (!path) fail(`${option} is required`, option === "--analysis" ? "pass --analysis <file> or --incident <id> (what `incident analyze` wrote)" : undefined);
  const p = resolve(path);
  if (!existsSync(p)) fail(`${option} ${path}: no such file`);
  try {
    return JSON.parse(readFileSync(p, "utf8")) as T;
  } catch (err) {
    return fail(`${option} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

export function loadAnalysis(path: string): Analysis {
  const a = readJson<Analysis>(path, "--analysis");
  if (a?.version !== ANALYSIS_VERSION || !a.loss || !a.range || !Array.isArray(a.attackerTxs)) {
    fail(`--analysis ${path} is not an analysis of \`incident analyze\` (version ${ANALYSIS_VERSION})`, "run `npx hardhat breakwater incident analyze … --out <file>` first");
  }
  return a;
}

/** Response targets from an incident plan: the containWithin of the incident's severity (P1 when unknown). */
async function planTargets(file: string, severity: string | undefined): Promise<ResponseTargets> {
  if (!existsSync(file)) fail(`--plan ${file}: no such file`, "pass the incident plan (breakwater.plan.ts / .json)");
  let plan: Awaited<ReturnType<typeof loadPlan>>;
  try {
    plan = await loadPlan(resolve(file));
  } catch (err) {
    return fail(`--plan ${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  const sev = (["P1", "P2", "P3", "P4"].includes(severity ?? "") ? severity : "P1") as "P1" | "P2" | "P3" | "P4";
  return { ...DEFAULT_TARGETS, containWithinSeconds: seconds(plan.severities[sev].containWithin), source: `the plan's ${sev} target (contain within ${plan.severities[sev].containWithin}), detection in the first harmful block` };
}

export async function reportActionWithPlan(args: Partial<ReportArgs>): Promise<{ markdown: string; path: string }> {
  const a = { ...reportDefaults, ...args };
  const sev = a.plan ? loadAnalysis(a.analysis || (a.incident ? resolveIncidentAnalysis(a.incident) : "")).incident?.severity : undefined;
  return reportAction(a, a.plan ? await planTargets(a.plan, sev) : undefined);
}

export function reportAction(args: Partial<ReportArgs>, targets?: ResponseTargets): { markdown: string; path: string } {
  const a = { ...reportDefaults, ...args };
  if (a.analysis && a.incident) fail("pass --analysis or --incident, not both");
  if (!a.analysis && a.incident) a.analysis = resolveIncidentAnalysis(a.incident);
  const analysis = loadAnalysis(a.analysis);
  let score: DrillScore | undefined;
  if (a.score) {
    score = readJson<DrillScore>(a.score, "--score");
    if (typeof score?.scenario !== "string" || score.fundsLost === undefined) fail(`--score ${a.score} is not a drill score (reports/drills/<scenario>.json)`);
  }
  if (a.store && analysis.response.events.every((e) => e.source !== "keeper")) {
    const store = new StoreReader(resolve(a.store));
    try {
      const chainId = store.chainId();
      if (chainId !== undefined && chainId !== analysis.chain.chainId) fail(`--store ${a.store} belongs to chain ${chainId}, the analysis to chain ${analysis.chain.chainId}`);
      for (const e of store.timeline()) {
        if (e.blockNumber !== null && (e.blockNumber < analysis.range.fromBlock || e.blockNumber > analysis.range.toBlock)) continue;
        analysis.response.events.push({ at: e.at, block: e.blockNumber, clock: "keeper", source: "keeper", kind: e.kind, message: e.message });
      }
      const rank = (e: { clock?: string; source: string }) => ((e.clock ?? (e.source === "keeper" ? "keeper" : "chain")) === "chain" ? 0 : 1);
      analysis.response.events.sort((x, y) => (x.block ?? Infinity) - (y.block ?? Infinity) || rank(x) - rank(y) || (x.index ?? 0) - (y.index ?? 0) || x.at - y.at);
    } finally {
      store.close();
    }
  }
  const markdown = buildReport({ analysis, ...(score ? { score } : {}), ...(a.title ? { title: a.title } : {}), ...(targets ? { targets } : {}) });
  const out = a.out || a.analysis.replace(/\.json$/i, "") + ".postmortem.md";
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, markdown + "\n");
  return { markdown, path };
}

export default async function incidentReport(args: Partial<ReportArgs>, _hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => {
    const { path } = await reportActionWithPlan(args);
    print(`post-mortem draft written to ${path} (sections marked TODO need people)`);
  });
}
