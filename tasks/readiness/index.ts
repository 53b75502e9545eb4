// `readiness`: prove the suite is armed — the incident plan (plan/) against the chain, the keeper
// and the drill reports. Registered through tasks/index.ts (readinessTasks).
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

const str = <N extends string>(name: N, description: string) => ({ name, description, type: ArgumentType.STRING, defaultValue: "" }) as const;

export const readinessTasks: TaskDefinition[] = [
  task(["breakwater", "readiness"], "Check the incident plan against the chain, the keeper and the drills; score + findings with fixes; exit 1 on a high finding")
    .addOption(str("plan", "Incident plan file (.ts / .json / .yaml), e.g. plan/examples/example-vault.plan.ts"))
    .addOption(str("addressBook", "Address book file (default: deployments/<network>.json)"))
    .addOption(str("deployments", "Directory of the address books (default ./deployments)"))
    .addOption(str("keeperConfig", "Keeper config file (default: the plan's readiness.keeperConfig)"))
    .addOption(str("keeperUrl", "Keeper ops URL for /healthz (default: the plan's readiness.keeperUrl, else the keeper config's ops host:port)"))
    .addOption(str("drillsDir", "Drill reports directory (default: the plan's readiness.drillsDir, reports/drills)"))
    .addOption(str("maxDrillAge", "Newest drill report must be younger than this, positive (e.g. 7d; default: the plan's readiness.maxDrillAge)"))
    .addOption(str("md", "Also write the report as Markdown to this file (its directory must exist)"))
    .addOption(str("out", "Also write the report as JSON to this file (its directory must exist)"))
    .addOption(str("rpcUrl", "JSON-RPC URL to use instead of the http network's configured one (a task option: after the task name)"))
    .addFlag({ name: "json", description: "Print JSON instead of text; on failure a JSON error object {ok:false,error,hint,field}" })
    .addFlag({ name: "verbose", description: "On an unexpected error (a bug), print the stack trace" })
    .setAction(() => import("./action.js"))
    .build(),
];
