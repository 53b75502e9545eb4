// `incident` tasks: forensics (`analyze`), the post-mortem draft (`report`), and the recovery
// tasks of tasks/incident/compensation-tasks.ts (compensation rounds, claims, sweep, rescue).
import { emptyTask, task } from "hardhat/config";
import type { TaskDefinition } from "hardhat/types/tasks";
import { int, str } from "../lib/options.js";
import { compensationTasks } from "./compensation-tasks.js";


export const forensicsTasks: TaskDefinition[] = [
  task(["breakwater", "incident", "analyze"], "Forensics: attacker txs (decoded), fund flows, loss per asset and account, attacker funding, response timeline")
    .addOption(str("store", "Keeper store (SQLite) holding the incident"))
    .addOption(str("incident", "Incident id in the keeper store (needs --store)"))
    .addOption(int("fromBlock", "First block of the range (default with --incident: its first block - --lookback)"))
    .addOption(int("toBlock", "Last block of the range (default: the incident's containment + --after, else the head)"))
    .addOption(str("suspects", "Attacker accounts (EOAs / contracts), comma-separated (with --incident: added to the senders its detections name)"))
    .addOption(str("contracts", "Protected contracts whose funds are at stake, comma-separated (with --incident: the keeper's breaker is added)"))
    .addOption(str("victims", "Other accounts whose losses count (e.g. users drained through approvals), comma-separated"))
    .addOption(str("rpcUrl", "Read this JSON-RPC URL instead of the --network connection (mainnet, a fork, a node)"))
    .addOption(int("chainId", "Expected chain id: refuse an RPC of another chain", 0))
    .addOption(str("prices", "Valuation: token=price (in --value-in units per whole token) or token=0xOracle[@block] (price()/latestAnswer(), 1e18-scaled), comma-separated"))
    .addOption(str("valueIn", "Asset the total is expressed in (address or symbol); default: the only lost asset"))
    .addOption(int("priceBlock", "Block the oracle prices are read at (default: --from-block - 1, before the attack)"))
    .addOption(str("owed", "Amounts legitimately owed to attacker accounts, deducted: account=amount[@token] (base units, 2500e18), comma-separated"))
    .addOption(int("lookback", "With --incident: blocks before its first block to include", 20))
    .addOption(int("after", "With --incident: blocks after its containment to include", 5))
    .addOption(int("maxBlocks", "Largest range accepted", 5_000))
    .addFlag({ name: "noExpand", description: "Do not add contracts called only by suspects / created by them to the attacker accounts" })
    .addFlag({ name: "noTrace", description: "Do not trace internal ETH transfers (debug_traceTransaction)" })
    .addOption(str("abi", "More ABIs, comma-separated: a Hardhat artifact / ABI JSON file, a directory of them, or 0xAddress=<file> (decode that address with it); the project's own artifacts are read through Hardhat"))
    .addOption(str("positions", "Who bore a protected pool's loss, at the block before the first harmful tx: erc4626 (default when the pool is a vault), reader:<fn(address)> (e.g. reader:supplied(address)), or csv:<account,position file>"))
    .addOption(str("keeperConfig", "The keeper's config file: lists the rules that stayed silent during the attack"))
    .addOption(str("out", "Analysis JSON (default reports/incidents/<incident id>/analysis.json with --incident, else reports/incidents/analysis-<chain>-<from>-<to>.json)"))
    .addFlag({ name: "json", description: "Print the analysis JSON instead of the summary" })
    .setAction(() => import("./analyze.js"))
    .build(),
  task(["breakwater", "incident", "report"], "Post-mortem draft (SEAL sections + regulator / legal notice facts) from an analysis JSON")
    .addOption(str("analysis", "Analysis JSON written by `incident analyze`"))
    .addOption(str("incident", "Incident id as the keeper prints it (colons are fine): reads what `incident analyze --incident <id>` wrote"))
    .addOption(str("plan", "Incident plan (breakwater.plan.ts / .json): its severity's containWithin is the target in went well / went wrong"))
    .addOption(str("score", "Drill score JSON (reports/drills/<scenario>.json), optional"))
    .addOption(str("store", "Keeper store, optional: adds its timeline when the analysis has none"))
    .addOption(str("title", "Title (protocol / incident name)"))
    .addOption(str("out", "Markdown file (default: <analysis>.postmortem.md)"))
    .setAction(() => import("./report.js"))
    .build(),
];

export const incidentTasks: TaskDefinition[] = [
  emptyTask(["breakwater", "incident"], "After an incident: forensics, post-mortem draft, compensation, rescue").build(),
  ...forensicsTasks,
  ...compensationTasks,
];
