// `breakwater-keeper backtest` (npm run keeper -- backtest …): a keeper config's detectors and
// policy over a block range, with optional labelled evaluation and threshold sweep. Nothing is
// signed or sent, so the config's secrets (…Env fields) need not be set.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { ConfigError, loadConfigFile, parseConfig } from "../config/load.js";
import { scrubText } from "../ops/log.js";
import { backtest } from "./index.js";
import { renderText } from "./report.js";

export const BACKTEST_USAGE = `usage: breakwater-keeper backtest --config <file> --from-block N --to-block M [options]

Runs the config's detectors and policy over blocks N..M (never its responders: no alert, no
transaction) and reports, per rule, findings, flagged blocks, the decisions it would have taken
and evaluation errors.

  --config <file>          keeper config (.ts or .json)
  --from-block N           first block
  --to-block M             last block (at or below the head)
  --rpc-url <url>          JSON-RPC to read (archive node, fork, hardhat node); default chain.rpcUrls
  --labels <paths>         known attack blocks: drill reports (a file or reports/drills) or a JSON
                           file of [{ "block": N, "label": "name" }]; comma-separated
  --sweep <grid.json|default>
                           sweep thresholds (statistics, threshold matchers, invariant tolerances)
                           over the recorded blocks: { "<rule id>": { "<param>": [values] } }
  --out <dir>              report directory (default reports/backtest)
  --checkpoint <file>      resume from / append to this file (split a long range into runs)
  --late-blocks K          an attack counts as caught up to K blocks after its last block (default 5)
  --target-false-alarms X  false alarms per 10,000 benign blocks a rule may have to act alone (default 1)
  --json                   print report.json instead of the summary
  --help                   this text`;

const intArg = (name: string, v: string | undefined, required: boolean): number | undefined => {
  if (v === undefined) {
    if (required) throw new UsageError(`missing --${name} <block number>`);
    return undefined;
  }
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${name} must be a block number (an integer >= 0), got "${v}"`);
  return Number(v);
};

class UsageError extends Error {}

/** Run the backtest CLI with `argv` (the arguments after `backtest`); returns the exit code. */
export async function runBacktestCli(argv: string[], io: { out?: (s: string) => void; err?: (s: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s));
  const err = io.err ?? ((s: string) => process.stderr.write(scrubText(s)));
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string", short: "c" },
        "from-block": { type: "string" },
        "to-block": { type: "string" },
        "rpc-url": { type: "string" },
        labels: { type: "string" },
        sweep: { type: "string" },
        out: { type: "string" },
        checkpoint: { type: "string" },
        "late-blocks": { type: "string" },
        "target-false-alarms": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    err(`${(e as Error).message}\n${BACKTEST_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out(`${BACKTEST_USAGE}\n`);
    return 0;
  }
  let fromBlock: number, toBlock: number, lateBlocks: number | undefined, target: number | undefined;
  try {
    if (!values.config) throw new UsageError("missing --config <file>");
    fromBlock = intArg("from-block", values["from-block"], true)!;
    toBlock = intArg("to-block", values["to-block"], true)!;
    lateBlocks = intArg("late-blocks", values["late-blocks"], false);
    if (values["target-false-alarms"] !== undefined) {
      target = Number(values["target-false-alarms"]);
      if (!(target > 0)) throw new UsageError(`--target-false-alarms must be a positive number (false alarms per 10,000 benign blocks), got "${values["target-false-alarms"]}"`);
    }
    if (values["rpc-url"] !== undefined && !/^https?:\/\//.test(values["rpc-url"])) throw new UsageError(`--rpc-url must be an http(s):// JSON-RPC URL, got "${values["rpc-url"]}"`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n${BACKTEST_USAGE}\n`);
    return 2;
  }
  try {
    const config = parseConfig(await loadConfigFile(values.config));
    const outDir = resolve(values.out ?? "reports/backtest");
    const { report, files } = await backtest({
      config,
      configFile: values.config,
      fromBlock,
      toBlock,
      rpcUrl: values["rpc-url"],
      checkpoint: values.checkpoint,
      labels: values.labels,
      sweep: values.sweep,
      out: outDir,
      lateBlocks,
      targetPer10k: target,
    });
    if (values.json) out(JSON.stringify(report, null, 2) + "\n");
    else out(`${renderText(report)}\n\nreports: ${files!.md}, ${files!.html}, ${files!.json}${files!.diff ? `, ${files!.diff}` : ""}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) err(`${e.message}\n`);
    else err(`backtest failed: ${(e as Error).message}\n`);
    return 1;
  }
}
