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
import { buildReport } from "./forensics/report.js";
import { StoreReader } from "./forensics/store.js";
import { ANALYSIS_VERSION, type Analysis } from "./forensics/types.js";

export interface ReportArgs {
  analysis: string;
  score: string;
  store: string;
  title: string;
  out: string;
}

export const reportDefaults: ReportArgs = { analysis: "", score: "", store: "", title: "", out: "" };

function readJson<T>(path: string, option: string): T {
  if (!path) fail(`${option} is required`);
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

export function reportAction(args: Partial<ReportArgs>): { markdown: string; path: string } {
  const a = { ...reportDefaults, ...args };
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
        analysis.response.events.push({ at: e.at, block: e.blockNumber, source: "keeper", kind: e.kind, message: e.message });
      }
      analysis.response.events.sort((x, y) => (x.block ?? Infinity) - (y.block ?? Infinity) || x.at - y.at);
    } finally {
      store.close();
    }
  }
  const markdown = buildReport({ analysis, ...(score ? { score } : {}), ...(a.title ? { title: a.title } : {}) });
  const out = a.out || a.analysis.replace(/\.json$/i, "") + ".postmortem.md";
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, markdown + "\n");
  return { markdown, path };
}

export default async function incidentReport(args: Partial<ReportArgs>, _hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => {
    const { path } = reportAction(args);
    print(`post-mortem draft written to ${path} (sections marked TODO need people)`);
  });
}
