// `npx hardhat --network <net> breakwater deploy --params <file> [--with-example-vault] [--dry-run]
//   [--force] [--reset] [--deployment-id <id>] [--allow-ephemeral]`
// A thin wrapper: validate the parameters (zod) → pre-flight on the chain → the Ignition module
// (ignition/modules/breakwater.ts: journaled, resumable) → read-back verification → address book.
// Nothing is sent before every check passed; an interrupted run resumes from the journal.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet, formatEther, getAddress } from "ethers";
import type { ExecutionEventListener } from "@nomicfoundation/ignition-core";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { breakwaterModule } from "../../ignition/modules/breakwater.js";
import { addressBookPath, deploymentsDir, writeAddressBook, type AddressBook } from "../lib/address-book.js";
import { connectChain, resolveSigner, type OperatorChain } from "../lib/chain.js";
import { fail } from "../lib/errors.js";
import { deploymentIdFor, journalDir, journalStatus, resetJournal, runIgnition, taskProvider } from "../lib/ignition-deploy.js";
import { print, toJson } from "../lib/output.js";
import { runAction, type CommonArgs } from "./common.js";
import { loadDeployParams, protocolEntries, toPlan, wantsStandalone } from "./deploy-params.js";
import { preflight } from "./deploy-preflight.js";
import { verifyDeployment, verifyGates, type BreakerToVerify } from "./deploy-verify.js";

export interface DeployArgs extends CommonArgs {
  params: string;
  withExampleVault: boolean;
  force: boolean;
  /** Discard this deployment's journal and start afresh. */
  reset?: boolean;
  /** Ignition deployment id (default: breakwater-<network>-<params file name>). */
  deploymentId?: string;
  /** Deploy to Hardhat's in-process chain (which disappears when the command exits). */
  allowEphemeral?: boolean;
  /** Comma-separated future ids whose journaled state to discard (a dropped, timed-out transaction). */
  wipeFuture?: string;
}

export const MULTICALL3_ADDRESS = "0xcA11bde05977b3631167028862bE2a173976CA11";

export interface DeployResult {
  dryRun: boolean;
  book: AddressBook;
  path?: string;
  steps: string[];
  deploymentId: string;
  journal?: string;
  /** True when the run continued a journaled deployment. */
  resumed: boolean;
}

export async function runDeploy(args: DeployArgs, chain: OperatorChain): Promise<DeployResult> {
  const params = loadDeployParams(args.params, { withExampleVault: args.withExampleVault });
  if (chain.ephemeral && !args.allowEphemeral) {
    fail(
      `no --network given: this would deploy to Hardhat's in-process chain "${chain.networkName}", which disappears when the command exits (nothing would be left to operate)`,
      "pass --network <name> (e.g. `npx hardhat --network localhost breakwater deploy …` with `npx hardhat node --hostname 127.0.0.1` running), or --allow-ephemeral to deploy there anyway (tests, demos)",
    );
  }
  const dir = deploymentsDir(args.deployments);
  const bookPath = addressBookPath(dir, chain.networkName);
  if (existsSync(bookPath) && !args.force) {
    fail(`an address book already exists at ${bookPath}`, "pass --force to overwrite it (with the same --params the deployment resumes from its journal; --reset deploys a new suite), or use another --deployments dir");
  }
  const signer = await resolveSigner(chain, args);
  const from = getAddress(await signer.getAddress());
  const deploymentId = args.deploymentId || deploymentIdFor(chain.networkName, args.params);
  const journal = chain.ephemeral ? undefined : journalDir(dir, deploymentId);
  const state = args.reset ? undefined : await journalStatus(journal);
  const provider = chain.ethers.provider;

  // Multicall3: reuse the canonical one; on local chains deploy one and copy its code there.
  const wantMulticall = params.multicall3 ?? chain.isLocal;
  const canonicalMulticall = wantMulticall && (await provider.getCode(MULTICALL3_ADDRESS)) !== "0x";
  const plan = toPlan(params, { multicall3: wantMulticall && !canonicalMulticall && chain.isLocal });
  const module = breakwaterModule(plan);

  const pre = await preflight({ chain, params, plan, module, deployer: from, ...(state ? { journal: state } : {}), ...(journal ? { journalDir: journal } : {}) });
  const steps: string[] = [];
  const note = (s: string) => {
    steps.push(s);
    print(`${args.dryRun ? "[dry-run] " : ""}${s}`);
  };
  const where = `${chain.networkName} (chain ${chain.chainId}) from ${from}`;
  print(`${args.dryRun ? "Dry run: " : ""}${pre.resumed ? "resuming" : "deploying"} the Breakwater suite on ${where}; Ignition deployment ${deploymentId}${journal ? `, journal ${journal}` : " (in-memory journal)"}`);
  if (wantMulticall && !canonicalMulticall && !chain.isLocal) note(`Multicall3 is not deployed at ${MULTICALL3_ADDRESS} on this chain; skipped`);

  if (args.dryRun) {
    pre.pending.forEach((batch, i) => {
      for (const f of batch) {
        if (f.kind === "deploy") note(`batch ${i + 1}: would deploy ${f.contract} (${f.id})`);
        else if (f.kind === "call") note(`batch ${i + 1}: would call ${f.id}`);
      }
    });
    note(`${pre.pending.flat().filter((f) => f.kind !== "attach").length} transactions, ~${pre.gas} gas (≈${formatEther(pre.cost)} ETH with a 20% margin); all checks passed; nothing was sent, no journal or address book written (would write ${bookPath})`);
    return { dryRun: true, book: dryBook(chain, params.guardians, from, params.renounceDeployer), steps, deploymentId, ...(journal ? { journal } : {}), resumed: pre.resumed };
  }

  if (args.reset) resetJournal(journal);
  const startBlock = startBlockOf(journal, await provider.getBlockNumber());
  const resumeHint = `re-run the same command to resume (\`npx hardhat --network ${chain.networkName} breakwater deploy --params ${args.params}${args.withExampleVault ? " --with-example-vault" : ""}\`); nothing already done is sent again`;
  const ids = await runIgnition({
    chain,
    module,
    provider: taskProvider(chain, signer instanceof Wallet ? signer : undefined),
    deployer: from,
    ...(journal ? { deploymentDir: journal } : {}),
    resumeHint,
    listener: progress(note),
    ...(args.wipeFuture ? { wipe: args.wipeFuture.split(",").map((x) => x.trim()).filter(Boolean) } : {}),
  });

  // ---- what was deployed, by address-book key
  const root = plan.id ?? "Breakwater";
  const at = (sub: string, future: string) => {
    const a = ids[`${root}${sub}#${future}`];
    if (!a) fail(`the deployment finished without ${root}${sub}#${future}`, "this is a bug in the deploy plan; report it");
    return getAddress(a);
  };
  const contracts: Record<string, string> = {};
  contracts.guardian = at("GuardianMultisig", "GuardianMultisig");
  contracts.rescueVault = at("Migration", "RescueVault");
  contracts.migrator = at("Migration", "PositionMigrator");
  contracts.merkleClaims = at("Migration", "MerkleClaims");
  if (plan.example) {
    contracts.vault = at("Example", "ProtectedVault");
    contracts.asset = plan.example.asset ?? at("Example", "TestToken");
  } else if (params.asset) contracts.asset = params.asset;
  const standalone = wantsStandalone(params);
  if (standalone) contracts.circuitBreaker = params.breaker.circuitBreaker ?? at("CircuitBreaker", "CircuitBreaker");
  const entries = protocolEntries(params);
  for (const e of entries) contracts[e.name] = e.address;
  for (const g of plan.pauseGates ?? []) contracts[g.name] = at(`Gate_${g.name}`, `${g.name}_PauseGate`);
  const firstBreakable = entries.find((e) => e.kind === "breakable");
  contracts.breaker = contracts.vault ?? firstBreakable?.address ?? contracts.circuitBreaker!;
  if (plan.multicall3) {
    const code = await provider.getCode(ids[`${root}#Multicall3`]!);
    await provider.send("hardhat_setCode", [MULTICALL3_ADDRESS, code]);
    note(`Multicall3 runtime code set at ${MULTICALL3_ADDRESS}`);
  }
  if (wantMulticall && (canonicalMulticall || plan.multicall3)) contracts.multicall3 = MULTICALL3_ADDRESS;

  // ---- read back: roles exactly as planned
  const suiteLimits = params.limits.map((l) => ({ asset: l.asset === "asset" ? contracts.asset! : l.asset, maxCapacity: l.maxCapacity }));
  const breakers: BreakerToVerify[] = [];
  if (contracts.vault) breakers.push({ key: "vault", address: contracts.vault, type: "breakable", limits: suiteLimits, rescueVault: true, migrator: true, registered: [] });
  for (const e of entries.filter((x) => x.kind === "breakable")) breakers.push({ key: e.name, address: e.address, type: "breakable", limits: e.limits, rescueVault: true, migrator: false, registered: [] });
  if (contracts.circuitBreaker) {
    const st = entries.filter((x) => x.kind === "standalone");
    breakers.push({ key: "circuitBreaker", address: contracts.circuitBreaker, type: "circuitBreaker", limits: [...suiteLimits, ...st.flatMap((x) => x.limits)], rescueVault: false, migrator: false, registered: st.map((x) => ({ name: x.name, address: x.address })) });
  }
  const roleHolders = await verifyDeployment({
    chain,
    deployer: from,
    multisig: contracts.guardian,
    rescueVault: contracts.rescueVault,
    migrator: contracts.migrator,
    merkleClaims: contracts.merkleClaims,
    breakers,
    ...(params.sentinel ? { sentinel: params.sentinel.address } : {}),
    renounceDeployer: params.renounceDeployer,
  });
  if (plan.pauseGates?.length) {
    await verifyGates(chain, contracts.guardian, plan.pauseGates.map((g) => ({ ...g, address: contracts[g.name]! })));
    note(`verified: ${plan.pauseGates.map((g) => g.name).join(", ")}: targets registered, sentinel ${plan.pauseGates.every((g) => g.arm) ? "armed" : "set"}, admin = the multisig, which may Call the gate's admin functions (slow path). Next, before an incident: the protocol's admin grants each gate its pause permission (readiness probes it)`);
  }
  note(`verified: the multisig holds DEFAULT_ADMIN_ROLE, EMERGENCY_ROLE and RECOVERY_ROLE on ${breakers.map((b) => b.key).join(", ")} and manages them; the deployer ${params.renounceDeployer ? "holds none of them" : "keeps its roles (renounceDeployer: false)"}`);

  const block = await provider.getBlock("latest");
  const book: AddressBook = {
    network: chain.networkName,
    chainId: chain.chainId,
    deployedAt: new Date(Number(block!.timestamp) * 1000).toISOString(),
    blockNumber: startBlock + 1,
    contracts,
    roles: {
      guardians: params.guardians,
      ...(params.sentinel ? { sentinel: params.sentinel.address } : {}),
      admin: contracts.guardian,
      deployer: from,
      deployerRenounced: params.renounceDeployer,
    },
    protocol: entries.map((e) => ({ name: e.name, address: e.address, kind: e.kind, breaker: e.kind === "breakable" ? e.address : contracts.circuitBreaker! })),
    roleHolders: roleHolders as Record<string, Record<string, string[]>>,
    ignition: { deploymentId, ...(journal ? { journal } : {}) },
  };
  const path = writeAddressBook(dir, book, args.force);
  print(`address book written to ${path}`);
  print(toJson(book));
  return { dryRun: false, book, path, steps, deploymentId, ...(journal ? { journal } : {}), resumed: pre.resumed };
}

/** The chain's block number when the deployment started, kept next to its journal (a resumed
 * deployment started before this run). */
function startBlockOf(journal: string | undefined, current: number): number {
  if (journal === undefined) return current;
  const file = join(journal, "breakwater-start.json");
  if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { startBlock: number }).startBlock;
  mkdirSync(journal, { recursive: true });
  writeFileSync(file, JSON.stringify({ startBlock: current }) + "\n");
  return current;
}

function dryBook(chain: OperatorChain, guardians: string[], from: string, renounced: boolean): AddressBook {
  return { network: chain.networkName, chainId: chain.chainId, deployedAt: new Date().toISOString(), blockNumber: 0, contracts: {}, roles: { guardians, deployer: from, deployerRenounced: renounced } };
}

/** Print each step as Ignition completes it. */
function progress(note: (s: string) => void): ExecutionEventListener {
  const handlers: Record<string, (e: any) => void> = {
    deploymentExecutionStateComplete: (e) => e.result?.type === "SUCCESS" && note(`deployed ${e.futureId} at ${e.result.result}`),
    callExecutionStateComplete: (e) => e.result?.type === "SUCCESS" && note(`called ${e.futureId}`),
  };
  return new Proxy({} as ExecutionEventListener, {
    get: (_t, name: string) => async (e: unknown) => handlers[name]?.(e),
  });
}

export default async function deployAction(args: DeployArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runDeploy(args, await connectChain(hre, args)));
}
