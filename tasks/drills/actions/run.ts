import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { loadScenarios, runScenario, type Phase } from "../runner.js";
import { scoreTable, writeReports, writeSummary } from "../report.js";
import type { DrillScore } from "../types.js";
import { loadPlan } from "../../../plan/load.js";
import { suggestFromDrill, writeSuggestions } from "../../../plan/suggest.js";

interface Args {
  scenario: string;
  forkUrl?: string;
  forkBlock: number;
  addressBook?: string;
  out: string;
  intervalMs: number;
  noBuild: boolean;
  /** Incident plan: its runbook is printed next to what happened; suggested plan changes are written. */
  plan?: string;
}

export default async function drillRun(args: Args, hre: HardhatRuntimeEnvironment): Promise<DrillScore[]> {
  const all = await loadScenarios();
  const chosen = args.scenario === "all" ? all : all.filter((s) => s.id === args.scenario);
  if (chosen.length === 0) {
    throw new Error(`unknown scenario "${args.scenario}"; known: ${all.map((s) => s.id).join(", ")}`);
  }
  const plan = args.plan ? await loadPlan(args.plan) : undefined;
  if (!args.noBuild) await hre.tasks.getTask("build").run({ quiet: true });
  const out = resolve(process.cwd(), args.out);
  mkdirSync(out, { recursive: true });
  const tty = process.stdout.isTTY === true;
  const scores: DrillScore[] = [];
  const t0 = Date.now();
  for (const [i, scenario] of chosen.entries()) {
    const label = `[${i + 1}/${chosen.length}] ${scenario.id}`;
    let last = "";
    const onProgress = ({ phase, block }: { phase: Phase; block: number }) => {
      if (!tty) return;
      const line = `${label} — ${phase}${block ? `, block ${block}` : ""}`;
      if (line !== last) process.stdout.write(`\r\x1b[2K${line}`);
      last = line;
    };
    if (!tty) console.log(`${label} …`);
    const started = Date.now();
    let score: DrillScore;
    try {
      score = await runScenario(hre, scenario, {
        forkUrl: args.forkUrl,
        forkBlock: args.forkBlock >= 0 ? args.forkBlock : undefined,
        addressBook: args.addressBook,
        intervalMs: args.intervalMs > 0 ? args.intervalMs : undefined,
        onProgress,
      });
    } catch (err) {
      if (tty) process.stdout.write("\r\x1b[2K");
      console.error(`${label}: the drill itself failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
      scores.push(failedScore(scenario.id, scenario.title, scenario.reference, err));
      continue;
    }
    const files = writeReports(score, out, plan);
    if (plan) writeSuggestions(suggestFromDrill(plan, score), out, score.scenario);
    if (tty) process.stdout.write("\r\x1b[2K");
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${label}: ${score.expectationsMet ? "PASS" : "FAIL"} in ${secs}s — ${files.md}`);
    for (const u of score.unmet) console.log(`    unmet: ${u}`);
    scores.push(score);
  }
  if (chosen.length > 1 || args.scenario === "all") writeSummary(scores, out);
  console.log("\n" + scoreTable(scores));
  console.log(`\n${scores.length} scenario(s) in ${((Date.now() - t0) / 1000).toFixed(1)}s; reports in ${out}`);
  const failed = scores.filter((s) => !s.expectationsMet);
  if (failed.length > 0) {
    process.exitCode = 1;
    console.error(`\n${failed.length} scenario(s) missed their expectations: ${failed.map((s) => s.scenario).join(", ")}`);
  }
  return scores;
}

function failedScore(id: string, title: string, reference: DrillScore["reference"], err: unknown): DrillScore {
  return {
    scenario: id,
    expectationsMet: false,
    firstMaliciousBlock: null,
    detectedBlock: null,
    containedBlock: null,
    fundsAtRisk: "0",
    fundsLost: "0",
    savedPct: null,
    falseAlarms: 0,
    title,
    reference,
    unmet: [`the drill failed to run: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`],
    timeToDetectMs: null,
    timeToContainMs: null,
    blocksToContain: null,
    unit: { symbol: "", decimals: 18 },
    series: [],
    transactions: [],
    keeperAttempts: [],
    timeline: [],
    facts: {},
    fork: null,
  };
}
