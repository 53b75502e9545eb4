// `npx hardhat breakwater readiness --plan <file> [--address-book <file>] [--keeper-config <file>]
//    [--keeper-url http://127.0.0.1:9464] [--drills-dir reports/drills] [--max-drill-age 7d]
//    [--json] [--md <file>] [--out <file.json>] [--rpc-url <url>] [--deployments <dir>]`
// Exit code 1 on any high finding (gate deploys on it) or when the plan / inputs are invalid.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { addressBookSchema, deploymentsDir, readAddressBook, type AddressBook } from "../lib/address-book.js";
import { connectChain } from "../lib/chain.js";
import { OperatorError, fail } from "../lib/errors.js";
import { print } from "../lib/output.js";
import { ConfigError, loadConfigFile, parseConfig } from "../../keeper/config/load.js";
import type { KeeperConfig } from "../../keeper/config/schema.js";
import { PlanError, loadPlan } from "../../plan/load.js";
import { seconds } from "../../plan/schema.js";
import { checkReadiness, type ReadinessReport } from "./check.js";
import { renderJson, renderMarkdown, renderText } from "./render.js";

export interface ReadinessArgs {
  plan: string;
  addressBook: string;
  keeperConfig: string;
  keeperUrl: string;
  drillsDir: string;
  maxDrillAge: string;
  json: boolean;
  md: string;
  out: string;
  rpcUrl: string;
  deployments: string;
}

export function readBookFile(file: string): AddressBook {
  if (!existsSync(file)) fail(`no address book at ${file}`, "deploy first (`npx hardhat breakwater deploy --params …`) or pass --address-book <file>");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return fail(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const r = addressBookSchema.safeParse(json);
  if (!r.success) return fail(`${file} is not a valid address book: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data as AddressBook;
}

export async function runReadiness(args: ReadinessArgs, hre: HardhatRuntimeEnvironment): Promise<ReadinessReport> {
  if (!args.plan) fail("--plan is required", "npx hardhat breakwater readiness --plan plan/examples/example-vault.plan.ts");
  const plan = await loadPlan(args.plan);
  const chain = await connectChain(hre, { rpcUrl: args.rpcUrl || undefined });
  const book = args.addressBook ? readBookFile(resolve(args.addressBook)) : readAddressBook(deploymentsDir(args.deployments), chain.networkName);
  if (book.chainId !== chain.chainId) fail(`the address book is for chain ${book.chainId}, the connected chain is ${chain.chainId}`, "pass --network / --rpc-url / --address-book for the same chain");
  const keeperConfigPath = args.keeperConfig || plan.readiness.keeperConfig;
  let keeperConfig: KeeperConfig | undefined;
  if (keeperConfigPath) keeperConfig = parseConfig(await loadConfigFile(keeperConfigPath));
  const report = await checkReadiness({
    plan,
    planLabel: args.plan,
    planPath: args.plan,
    provider: chain.ethers.provider,
    book,
    keeperConfig,
    keeperConfigPath,
    keeperUrl: args.keeperUrl || undefined,
    drillsDir: args.drillsDir || undefined,
    maxDrillAgeSeconds: args.maxDrillAge ? seconds(args.maxDrillAge) : undefined,
    network: (hre.globalOptions as { network?: string }).network,
  });
  const write = (file: string, text: string) => {
    mkdirSync(dirname(resolve(file)), { recursive: true });
    writeFileSync(resolve(file), text);
  };
  if (args.md) write(args.md, renderMarkdown(report));
  if (args.out) write(args.out, renderJson(report));
  print((args.json ? renderJson(report) : renderText(report)).trimEnd());
  if (!report.ok) process.exitCode = 1;
  return report;
}

export default async function readinessAction(args: ReadinessArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  try {
    await runReadiness(args, hre);
  } catch (err) {
    if (err instanceof PlanError || err instanceof ConfigError || err instanceof OperatorError) {
      process.stderr.write(`✗ ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
