// keeper/backtest: calibrate a keeper config on history before it acts.
//
//   const r = await backtest({ config, fromBlock, toBlock, rpcUrl, labels: "reports/drills", sweep: "default", out: "reports/backtest" });
//
// runBacktest (engine.ts) → evaluate (evaluate.ts, with labels) → runSweep (sweep.ts, replayed
// from the recording) → writeBacktestReport (report.ts). The CLI (cli.ts) and the Hardhat task
// (tasks/calibrate) both call `backtest`.
import type { KeeperConfig } from "../config/schema.js";
import { runBacktest, type BacktestOptions } from "./engine.js";
import { evaluate, loadLabels, type Label } from "./evaluate.js";
import { defaultGrid, loadGrid, runSweep } from "./sweep.js";
import { writeBacktestReport, type BacktestReport } from "./report.js";

export { runBacktest, evaluateBlock, buildDetection, CountingRpcPool, Tally } from "./engine.js";
export { evaluate, loadLabels, attacksOf, score, LabelError, type Label, type Evaluation } from "./evaluate.js";
export { runSweep, defaultGrid, loadGrid, paretoLayers, sweepableParams, SweepError, type Grid, type SweepResult } from "./sweep.js";
export { writeBacktestReport, renderText, renderMarkdown, renderHtml, type BacktestReport } from "./report.js";
export { CheckpointFile, replayContext, recordingContext, type RecordedBlock } from "./recording.js";
export type { BacktestRun, RuleStats, DecisionRecord } from "./types.js";

export interface BacktestRequest extends BacktestOptions {
  /** Labels: files / directories (comma-separated), or labels already loaded. */
  labels?: string | Label[];
  /** "default", a grid file, or nothing (no sweep). */
  sweep?: string;
  /** Write report.json / .md / .html (and suggested-config.diff) here. */
  out?: string;
  /** An attack still counts as caught this many blocks after its last labelled block (default 5). */
  lateBlocks?: number;
  /** False alarms per 10,000 benign blocks a rule may have and still act on its own (default 1). */
  targetPer10k?: number;
}

export interface BacktestOutcome {
  report: BacktestReport;
  files?: ReturnType<typeof writeBacktestReport>;
}

export async function backtest(req: BacktestRequest & { config: KeeperConfig }): Promise<BacktestOutcome> {
  // Check the cheap inputs before reading the chain: a typo must not cost a long run.
  const labels = req.labels === undefined ? undefined : typeof req.labels === "string" ? loadLabels(req.labels) : req.labels;
  const grid = req.sweep === undefined || req.sweep === "" ? undefined : req.sweep === "default" ? defaultGrid(req.config.rules) : loadGrid(req.sweep, req.config.rules);
  const { run, recording } = await runBacktest(req);
  const report: BacktestReport = { generatedAt: new Date().toISOString(), run };
  if (labels) report.evaluation = evaluate(run, labels, { lateBlocks: req.lateBlocks, targetPer10k: req.targetPer10k });
  if (grid) {
    report.sweep = await runSweep({
      config: req.config,
      recording,
      range: run.range,
      labels: labels ?? [],
      lateBlocks: req.lateBlocks,
      grid,
      gridSource: req.sweep === "default" ? "default grid around the current settings" : req.sweep!,
      invariants: req.invariants,
    });
  }
  const files = req.out ? writeBacktestReport(report, req.out) : undefined;
  return { report, files };
}
