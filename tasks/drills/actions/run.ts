// `drill run <scenario|all|./file.ts|template:name>`: resolve what to run (the library, the
// project's drills/ folder, a scenario file, or a template with --params), check the fork and
// the address book once, run each scenario, write reports. Expected conditions are sentences,
// not stack traces: bad input stops with one line and exit code 1; a scenario whose
// preconditions are missing is a SKIPPED row with its reason (exit code 0 unless something failed).
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { loadProjectScenarios, loadScenarioFile, loadScenarios, planFork, runScenario, type ForkPlan, type Phase } from "../runner.js";
import { resultOf, scoreTable, writeReports, writeSummary } from "../report.js";
import { DrillInputError, DrillSkip, type DrillScore, type Scenario } from "../types.js";
import { templates } from "../templates/index.js";
import { loadPlan } from "../../../plan/load.js";
import { seconds, type IncidentPlan } from "../../../plan/schema.js";
import { suggestFromDrill, writeSuggestions } from "../../../plan/suggest.js";
import { loadConfigFile, parseConfig } from "../../../keeper/config/load.js";
import type { KeeperConfig } from "../../../keeper/config/schema.js";

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
  /** Template parameters (JSON file) for `template:<name>`. */
  params?: string;
  /** The keeper config the team runs in production. */
  keeperConfig?: string;
  /** Guardian response mode: the keeper only alerts; scripted guardians pause through the guardian tasks. */
  guardiansRespond?: boolean;
}

export default async function drillRun(args: Args, hre: HardhatRuntimeEnvironment): Promise<DrillScore[]> {
  try {
    return await runDrills(args, hre);
  } catch (err) {
    if (err instanceof DrillInputError || isConfigProblem(err)) {
      console.error(`drill run: ${(err as Error).message}`);
      process.exitCode = 1;
      return [];
    }
    throw err;
  }
}

function isConfigProblem(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === "ConfigError" || name === "PlanError";
}

/** What `scenario` names: ids of the library or of the project's drills/, `all`, a file, a template. */
export async function resolveScenarios(spec: string, root: string, paramsFile?: string): Promise<Scenario<any>[]> {
  const library = await loadScenarios();
  const project = (await loadProjectScenarios(root)).map((p) => p.scenario);
  const known = [...library, ...project.filter((p) => !library.some((l) => l.id === p.id))];
  if (spec.startsWith("template:")) {
    const name = spec.slice("template:".length);
    const t = templates[name];
    if (!t) throw new DrillInputError(`unknown template "${name}"; known: ${Object.keys(templates).join(", ")}`);
    if (!paramsFile) throw new DrillInputError(`template:${name} needs --params <file.json> (${t.describe})`);
    let params: unknown;
    try {
      params = JSON.parse(readFileSync(resolve(root, paramsFile), "utf8"));
    } catch (err) {
      throw new DrillInputError(`cannot read --params ${paramsFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message.split("\n")[0]}`);
    }
    try {
      return [t.build(params)];
    } catch (err) {
      throw new DrillInputError(`--params ${paramsFile}: ${(err as Error).message}`);
    }
  }
  if (paramsFile) throw new DrillInputError("--params only applies to template:<name>");
  if (/\.(ts|mts|js|mjs)$/.test(spec) || spec.includes("/")) return [await loadScenarioFile(spec, root)];
  if (spec === "all") return known;
  const chosen = known.filter((s) => s.id === spec);
  if (chosen.length === 0) {
    throw new DrillInputError(`unknown scenario "${spec}"; known: ${known.map((s) => s.id).join(", ")} (or a file: ./drills/<name>.ts, or template:<${Object.keys(templates).join("|")}>)`);
  }
  return chosen;
}

async function runDrills(args: Args, hre: HardhatRuntimeEnvironment): Promise<DrillScore[]> {
  const root = hre.config.paths.root;
  const chosen = await resolveScenarios(args.scenario, root, args.params);
  const plan = args.plan ? await loadPlan(args.plan) : undefined;
  let keeperConfig: KeeperConfig | undefined;
  if (args.keeperConfig) {
    // The team's production config: validated as the keeper would, secrets not required (the
    // drill signs with its own keys and replaces the RPC and store).
    keeperConfig = parseConfig(await loadConfigFile(resolve(root, args.keeperConfig)));
  }
  const forkBlock = args.forkBlock >= 0 ? args.forkBlock : undefined;
  let forkPlan: ForkPlan | undefined = await planFork({ forkUrl: args.forkUrl, forkBlock, addressBook: args.addressBook }, root);
  for (const w of forkPlan?.book.ignored ?? []) console.log(`note: address book ${w}; not used (the scenarios deploy their own contracts)`);
  if (!args.noBuild) await hre.tasks.getTask("build").run({ quiet: true });
  const out = resolve(root, args.out);
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
        forkBlock,
        addressBook: args.addressBook,
        forkPlan,
        keeperConfig,
        guardiansRespond: args.guardiansRespond || undefined,
        responseTargets: plan ? planTargets(plan) : undefined,
        intervalMs: args.intervalMs > 0 ? args.intervalMs : undefined,
        onProgress,
      });
    } catch (err) {
      if (tty) process.stdout.write("\r\x1b[2K");
      if (err instanceof DrillSkip || err instanceof DrillInputError) {
        console.log(`${label}: SKIPPED — ${err.message}`);
        score = skippedScore(scenario, err.message, forkPlan);
        writeReports(score, out);
        scores.push(score);
        continue;
      }
      console.error(`${label}: the drill itself failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
      scores.push(failedScore(scenario, err));
      continue;
    }
    const files = writeReports(score, out, plan);
    if (plan) writeSuggestions(suggestFromDrill(plan, score), out, score.scenario);
    if (tty) process.stdout.write("\r\x1b[2K");
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${label}: ${resultOf(score)} in ${secs}s — ${files.md}`);
    for (const u of score.unmet) console.log(`    unmet: ${u}`);
    scores.push(score);
  }
  forkPlan = undefined;
  if (chosen.length > 1 || args.scenario === "all") writeSummary(scores, out);
  console.log("\n" + scoreTable(scores));
  console.log(`\n${scores.length} scenario(s) in ${((Date.now() - t0) / 1000).toFixed(1)}s; reports in ${out}`);
  const failed = scores.filter((s) => !s.expectationsMet && !s.skipped);
  if (failed.length > 0) {
    process.exitCode = 1;
    console.error(`\n${failed.length} scenario(s) missed their expectations: ${failed.map((s) => s.scenario).join(", ")}`);
  }
  const skipped = scores.filter((s) => s.skipped);
  if (skipped.length) console.log(`${skipped.length} scenario(s) skipped: ${skipped.map((s) => s.scenario).join(", ")}`);
  return scores;
}

/** The P1 targets of the plan (the drill's attacks are P1 incidents). */
function planTargets(plan: IncidentPlan): { timeToAcknowledgeMs: number; timeToContainMs: number } {
  return { timeToAcknowledgeMs: seconds(plan.severities.P1.ackWithin) * 1000, timeToContainMs: seconds(plan.severities.P1.containWithin) * 1000 };
}

function emptyScore(s: Scenario<any>): DrillScore {
  return {
    scenario: s.id,
    expectationsMet: false,
    firstMaliciousBlock: null,
    detectedBlock: null,
    containedBlock: null,
    fundsAtRisk: "0",
    fundsLost: "0",
    savedPct: null,
    falseAlarms: 0,
    title: s.title,
    reference: s.reference,
    unmet: [],
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

function skippedScore(s: Scenario<any>, reason: string, fork?: ForkPlan): DrillScore {
  return { ...emptyScore(s), skipped: reason, fork: fork ? { url: fork.target.url, blockNumber: fork.target.blockNumber } : null };
}

function failedScore(s: Scenario<any>, err: unknown): DrillScore {
  return { ...emptyScore(s), unmet: [`the drill failed to run: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`] };
}
