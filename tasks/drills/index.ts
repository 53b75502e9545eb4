// `drill` tasks: list the scenario library, run one scenario or all of them against the REAL
// keeper on a fresh simulated chain (default) or a fork (--fork-url), write reports, and exit
// non-zero when a scenario misses its declared expectations (CI gates on `npm run drill`).
import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

export const drillTasks: TaskDefinition[] = [
  emptyTask(["breakwater", "drill"], "Incident drills: replay real attack classes against the keeper and score the response").build(),
  task(["breakwater", "drill", "list"], "List the drill scenarios")
    .setAction(() => import("./actions/list.js"))
    .build(),
  task(["breakwater", "drill", "run"], "Run a drill scenario (or `all`) with the real keeper and write reports")
    .addPositionalArgument({ name: "scenario", description: "Scenario id (library or the project's drills/), `all`, a scenario file (./drills/my-attack.ts), or template:<key-compromise|repeated-drain|price-manipulation|replay|existing-pausable>", defaultValue: "all" })
    .addOption({ name: "forkUrl", description: "Fork this JSON-RPC URL instead of a fresh simulated chain", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
    .addOption({ name: "forkBlock", description: "Block number to fork at (default: latest)", type: ArgumentType.INT, defaultValue: -1 })
    .addOption({ name: "addressBook", description: "Address book of the forked chain (default: deployments/<name>.json matching its chain id)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
    .addOption({ name: "out", description: "Report directory", type: ArgumentType.STRING, defaultValue: "reports/drills" })
    .addOption({ name: "intervalMs", description: "Block interval in ms (interval mining); 0 = each scenario's own (default 1000)", type: ArgumentType.INT, defaultValue: 0 })
    .addFlag({ name: "noBuild", description: "Do not compile the contracts first" })
    .addOption({ name: "params", description: "Parameters of a template:<name> run (JSON file)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
    .addOption({ name: "keeperConfig", description: "The keeper config you run in production: its rules, contracts and alert routing (the drill overrides only RPC, store, signer keys, ops port)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
    .addFlag({ name: "guardiansRespond", description: "Timed guardian response: the keeper only alerts; scripted guardians sign a pause through the guardian tasks" })
    .addOption({ name: "plan", description: "Incident plan: print its runbook next to what happened, write suggested plan changes", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
    .setAction(() => import("./actions/run.js"))
    .build(),
];
