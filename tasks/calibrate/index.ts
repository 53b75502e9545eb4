// `npx hardhat breakwater keeper backtest`: the keeper's backtest (keeper/backtest) as a Hardhat
// task — the same engine as `breakwater-keeper backtest`, reading the task's network (an http
// network's URL, or the simulated network served on a local port), `--rpc-url`, or a fork of
// `--fork-url` served the same way. The plugin registers `calibrateTasks`; `breakwater` itself is
// the plugin's namespace task, ["breakwater", "keeper"] is defined here for the keeper's tasks.
import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

const str = <N extends string>(name: N, description: string, defaultValue = "") => ({ name, description, type: ArgumentType.STRING, defaultValue }) as const;
const int = <N extends string>(name: N, description: string, defaultValue = -1) => ({ name, description, type: ArgumentType.INT, defaultValue }) as const;

export const BACKTEST_TASK = ["breakwater", "keeper", "backtest"] as const;

export const calibrateTasks: TaskDefinition[] = [
  emptyTask(["breakwater", "keeper"], "The keeper's offline tools: backtest and calibrate its rules on history").build(),
  task([...BACKTEST_TASK], "Run a keeper config's detectors and policy over a block range (nothing sent); evaluate against labelled attacks; sweep thresholds")
    .addOption(str("keeperConfig", "Keeper config file (.ts or .json); --config is Hardhat's own option"))
    .addOption(int("fromBlock", "First block of the range"))
    .addOption(int("toBlock", "Last block of the range (default: the head)"))
    .addOption(str("rpcUrl", "JSON-RPC to read (default: the task's network)"))
    .addOption(str("forkUrl", "Fork this JSON-RPC URL in the simulated network and read the fork"))
    .addOption(int("forkBlock", "Fork at this block (default: latest)"))
    .addOption(str("labels", "Known attack blocks: drill reports (file or directory) or a JSON file of { block, label }; comma-separated"))
    .addOption(str("sweep", 'Threshold grid file ({ "<rule>": { "<param>": [values] } }) or "default"'))
    .addOption(str("out", "Report directory", "reports/backtest"))
    .addOption(str("checkpoint", "Checkpoint file: resume from it / append to it"))
    .addOption(int("lateBlocks", "An attack counts as caught up to this many blocks after its last block", 5))
    .addOption(str("targetFalseAlarms", "False alarms per 10,000 benign blocks a rule may have to act alone", "1"))
    .addFlag({ name: "json", description: "Print report.json instead of the summary" })
    .setAction(() => import("./backtest-action.js"))
    .build(),
];
