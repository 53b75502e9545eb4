// `npx hardhat breakwater readiness --plan <file> [--address-book <file>] [--keeper-config <file>]
//    [--keeper-url http://127.0.0.1:9464] [--drills-dir reports/drills] [--max-drill-age 7d]
//    [--json] [--md <file>] [--out <file.json>] [--rpc-url <url>] [--deployments <dir>]`
// Exit code 1 on any high finding (gate deploys on it) or when the plan / inputs are invalid.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { addressBookSchema, deploymentsDir, readAddressBook, type AddressBook } from "../lib/address-book.js";
import { connectChain, probeContract, type OperatorChain } from "../lib/chain.js";
import { OperatorError, explainError, fail } from "../lib/errors.js";
import { checkOutPath, inputs, lift, parseInputs, readJson } from "../lib/inputs.js";
import { print, toJson } from "../lib/output.js";
import { parseDuration, requireAddress } from "../lib/validation.js";
import { ConfigError, loadConfigFile, parseConfig } from "../../keeper/config/load.js";
import type { KeeperConfig } from "../../keeper/config/schema.js";
import { PlanError, loadPlan } from "../../plan/load.js";
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
  verbose?: boolean;
}

export function readBookFile(file: string): AddressBook {
  const json = readJson(file, "--address-book", "deploy first (`npx hardhat breakwater deploy --params …`) or pass --address-book <file>");
  const r = addressBookSchema.safeParse(json);
  if (!r.success) return fail(`--address-book ${file} is not a valid address book: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, "re-run `npx hardhat breakwater deploy --force` or fix the file", "addressBook");
  return r.data as AddressBook;
}

/** The readiness task's inputs, checked before the chain, the keeper or any file is touched. */
const readinessSchema = z.object({
  plan: lift((v) => {
    const t = String(v ?? "").trim();
    if (t === "") fail("--plan is required", "npx hardhat breakwater readiness --plan plan/examples/example-vault.plan.ts", "plan");
    if (!/\.(ts|js|mjs|json|ya?ml)$/i.test(t)) fail(`--plan ${t}: a plan is a .ts, .js, .json or .yaml file`, undefined, "plan");
    return t;
  }),
  addressBook: inputs.optional(),
  keeperConfig: inputs.optional(),
  keeperUrl: lift((v) => {
    const t = String(v ?? "").trim();
    if (t !== "" && !/^https?:\/\/[^\s]+$/i.test(t)) fail(`--keeper-url "${t}" is not an http(s) URL`, "e.g. --keeper-url http://127.0.0.1:9464", "keeperUrl");
    return t;
  }),
  drillsDir: inputs.optional(),
  maxDrillAge: lift((v) => (String(v ?? "").trim() === "" ? undefined : Number(parseDuration(String(v).trim(), "--max-drill-age", { min: 60n, max: 365n * 86400n, source: "the allowed ages" })))),
  md: lift((v) => (String(v ?? "").trim() === "" ? "" : checkOutPath(String(v).trim(), "--md", true))),
  out: lift((v) => (String(v ?? "").trim() === "" ? "" : checkOutPath(String(v).trim(), "--out", true))),
});

/** The address book's core contracts are really the suite's (not a token, not an EOA). */
async function probeBook(chain: OperatorChain, book: AddressBook, field: string): Promise<void> {
  await probeContract(chain, "circuitBreaker", requireAddress(book.contracts.breaker, "address book contracts.breaker"), "the address book's contracts.breaker", field);
  await probeContract(chain, "multisig", requireAddress(book.contracts.guardian, "address book contracts.guardian"), "the address book's contracts.guardian", field);
  if (book.contracts.merkleClaims) await probeContract(chain, "merkleClaims", requireAddress(book.contracts.merkleClaims, "address book contracts.merkleClaims"), "the address book's contracts.merkleClaims", field);
}

export async function runReadiness(args: ReadinessArgs, hre: HardhatRuntimeEnvironment): Promise<ReadinessReport> {
  const p = parseInputs(readinessSchema, args);
  const fileBook = p.addressBook ? readBookFile(resolve(p.addressBook)) : undefined;
  const plan = await loadPlan(p.plan);
  const chain = await connectChain(hre, { rpcUrl: args.rpcUrl || undefined, deployments: args.deployments || undefined });
  const book = fileBook ?? readAddressBook(deploymentsDir(args.deployments), chain.networkName);
  const bookField = p.addressBook ? "addressBook" : "deployments";
  if (book.chainId !== chain.chainId) fail(`the address book is for chain ${book.chainId}, the connected chain is ${chain.chainId}`, "pass --network / --rpc-url / --address-book for the same chain", bookField);
  await probeBook(chain, book, bookField);
  const keeperConfigPath = p.keeperConfig || plan.readiness.keeperConfig;
  let keeperConfig: KeeperConfig | undefined;
  if (keeperConfigPath) keeperConfig = parseConfig(await loadConfigFile(keeperConfigPath));
  const report = await checkReadiness({
    plan,
    planLabel: p.plan,
    planPath: p.plan,
    provider: chain.ethers.provider,
    book,
    keeperConfig,
    keeperConfigPath,
    keeperUrl: p.keeperUrl || undefined,
    drillsDir: p.drillsDir || undefined,
    maxDrillAgeSeconds: p.maxDrillAge,
    network: (hre.globalOptions as { network?: string }).network,
  });
  if (p.md) writeFileSync(resolve(p.md), renderMarkdown(report));
  if (p.out) writeFileSync(resolve(p.out), renderJson(report));
  print((args.json ? renderJson(report) : renderText(report)).trimEnd());
  if (!report.ok) process.exitCode = 1;
  return report;
}

export default async function readinessAction(args: ReadinessArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  try {
    await runReadiness(args, hre);
  } catch (err) {
    // The plan's and the keeper config's own errors are sentences already; the rest as in runAction.
    const known = err instanceof PlanError || err instanceof ConfigError;
    const { error, bug } = known ? { error: new OperatorError((err as Error).message), bug: false } : explainError(err);
    if (args.json) process.stdout.write(toJson(error.toJSON()) + "\n");
    process.stderr.write(`✗ ${error.message}\n`);
    if (bug && args.verbose) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = bug ? 2 : 1;
  }
}
