// Every check of `breakwater deploy` that needs the chain, run BEFORE anything is sent (and by
// --dry-run): code at every named address, the deployer's roles on the protocol's Breakable
// contracts (their wiring calls simulated from the deployer), a journal that matches this chain,
// and enough ether. Problems are collected and reported together, each with its field path.
import { Contract, formatEther } from "ethers";
import type { IgnitionModule, StatusResult } from "@nomicfoundation/ignition-core";
import { loadArtifact } from "../../client/artifacts.js";
import { GATE_ADMIN_SELECTORS } from "../../client/pause-gate.js";
import { ROLE_IDS, ROLE_NAMES, type BreakwaterPlan } from "../../ignition/modules/breakwater.js";
import type { OperatorChain } from "../lib/chain.js";
import { describeRevert, fail } from "../lib/errors.js";
import { formatDuration } from "../lib/validation.js";
import { protocolEntries, type DeployParams } from "./deploy-params.js";
import { roleHoldersOf } from "./deploy-verify.js";

export interface PreflightInput {
  chain: OperatorChain;
  params: DeployParams;
  plan: BreakwaterPlan;
  module: IgnitionModule;
  deployer: string;
  /** The journal so far (a resumed deployment), or undefined. */
  journal?: StatusResult;
  journalDir?: string;
}

export interface PreflightResult {
  /** Futures still to run, in Ignition's batches. */
  pending: { id: string; kind: "deploy" | "call" | "attach"; contract?: string }[][];
  gas: bigint;
  feePerGas: bigint;
  cost: bigint;
  resumed: boolean;
}

const MODE = { Revert: 0, Queue: 1 } as const;

export async function preflight(input: PreflightInput): Promise<PreflightResult> {
  const { chain, params, deployer, journal } = input;
  const provider = chain.ethers.provider;
  const issues: string[] = [];
  const done = new Set(journal?.successful ?? []);
  // Holders the plan allows: the deployer, and (resuming) the multisig this deployment already made.
  const allowed = [deployer, ...(journal ? Object.values(journal.contracts).filter((c) => c.id.endsWith("#GuardianMultisig")).map((c) => c.address) : [])];

  // A journal from another chain (a restarted local node, another fork) must not be resumed.
  if (journal) {
    if (journal.chainId !== chain.chainId) issues.push(`the journal in ${input.journalDir} is for chain ${journal.chainId}, the connected chain is ${chain.chainId}`);
    for (const c of Object.values(journal.contracts)) {
      if ((await provider.getCode(c.address)) === "0x") {
        fail(
          `the journal in ${input.journalDir} records ${c.id} at ${c.address}, which has no code on this chain (was the node restarted?)`,
          "pass --reset to discard the journal and deploy afresh, or connect to the chain it was written on",
        );
      }
    }
  }

  if (params.breaker.exampleVault && !params.asset && !chain.isLocal) {
    issues.push(`breaker.exampleVault on "${chain.networkName}" (chain ${chain.chainId}) needs "asset": test tokens are only deployed on local chains; add "asset": "0x…" (an ERC-20)`);
  }
  const codeAt = async (addr: string, path: string, what = "contract") => {
    if ((await provider.getCode(addr)) === "0x") {
      issues.push(`${path}: no ${what} at ${addr} on chain ${chain.chainId} (no code there): check the address and --network`);
      return false;
    }
    return true;
  };
  if (params.asset) await codeAt(params.asset, "asset", "token");
  for (const [i, l] of params.limits.entries()) if (l.asset !== "asset") await codeAt(l.asset, `limits[${i}].asset`, "token");
  for (const [i, a] of params.breaker.protected.entries()) await codeAt(a, `breaker.protected[${i}]`);

  // PauseGate targets: the contracts the gate will call must exist (its pause permission is granted later).
  for (const [i, g] of params.pauseGates.entries()) {
    for (const [j, t] of g.targets.entries()) {
      const path = `pauseGates[${i}].targets[${j}]`;
      if (t.adapter === "accessManager") await codeAt(t.manager, `${path}.manager`, "AccessManager");
      if (t.adapter === "aaveV3") await codeAt(t.poolConfigurator, `${path}.poolConfigurator`, "Aave V3 PoolConfigurator");
      else if (!(await codeAt(t.target, `${path}.target`))) continue;
      if (t.adapter === "pausable") {
        try {
          await new Contract(t.target, ["function paused() view returns (bool)"], provider).getFunction("paused")();
        } catch (err) {
          issues.push(`${path}.target ${t.target} does not answer paused() (${describeRevert(err)}): adapter "pausable" is for OpenZeppelin Pausable contracts; use "accessManager" or "selectorPair" for other pauses`);
        }
      }
    }
  }

  const entries = protocolEntries(params);
  for (const [i, e] of params.protocol.entries()) {
    const path = `protocol[${i}]`;
    for (const [j, l] of e.limits.entries()) await codeAt(l.asset, `${path}.limits[${j}].asset`, "token");
    if (!(await codeAt(e.address, `${path}.address`))) continue;
    if (e.kind !== "breakable") continue;
    // A resumed deployment may already have handed this contract over: then the journal vouches for it.
    if (["DEFAULT_ADMIN_ROLE", "EMERGENCY_ROLE", "RECOVERY_ROLE"].some((r) => done.has(futureId(input.plan, `${e.name}_renounce_${r}`)))) continue;
    const c = new Contract(e.address, loadArtifact("Breakable").abi as never, provider);
    const missing: string[] = [];
    try {
      for (const role of ["DEFAULT_ADMIN_ROLE", "RECOVERY_ROLE"] as const) if (!(await c.hasRole!(ROLE_IDS[role], deployer))) missing.push(role);
      await c.pauseBounds!();
    } catch (err) {
      issues.push(`${path}.address ${e.address} ("${e.name}") is not a Breakable contract (${describeRevert(err)}): kind "breakable" needs a contract inheriting breakwater/contracts/breaker/Breakable.sol; use kind "standalone" for contracts protected by the standalone CircuitBreaker`);
      continue;
    }
    if (missing.length > 0) {
      issues.push(
        `${path}: the deployer ${deployer} does not hold ${missing.join(" and ")} on "${e.name}" (${e.address}), so it cannot wire it and hand it to the multisig: deploy the contract with the deployer as admin, or run deploy with its admin's key (--from / --key-env)`,
      );
      continue;
    }
    const others = await otherHolders(chain, e.address, allowed);
    if (others.length > 0) {
      issues.push(`${path}: ${others.join(", ")} on "${e.name}" (${e.address}); after the hand-over only the multisig may hold the breaker roles: revoke them first (revokeRole from the deployer, or renounceRole from those keys)`);
    }
    // The wiring calls that only need this contract, simulated from the deployer.
    const maxPause = e.maxPause ?? params.breaker.maxPause;
    const grace = e.gracePeriod ?? params.breaker.gracePeriod;
    await simulateCall(issues, `${path} setPauseBounds(${formatDuration(maxPause)}, ${formatDuration(grace)})`, () => c.setPauseBounds!.staticCall(maxPause, grace, { from: deployer }));
    for (const [j, l] of e.limits.entries()) {
      const cfg = { maxCapacity: l.maxCapacity, window: l.window, minTvl: l.minTvl, mode: MODE[l.mode], settlementDelay: l.settlementDelay, inflowCredit: l.inflowCredit };
      await simulateCall(issues, `${path}.limits[${j}] setLimit(${l.asset})`, () => c.setLimit!.staticCall(l.asset, cfg, { from: deployer }));
    }
  }

  // An existing standalone breaker: the deployer must be able to wire it and hand it over, too.
  const cbAddr = params.breaker.circuitBreaker;
  if (cbAddr && (await codeAt(cbAddr, "breaker.circuitBreaker")) && !["DEFAULT_ADMIN_ROLE", "EMERGENCY_ROLE", "RECOVERY_ROLE"].some((r) => done.has(futureId(input.plan, `circuitBreaker_renounce_${r}`)))) {
    const cb = new Contract(cbAddr, loadArtifact("CircuitBreaker").abi as never, provider);
    try {
      const missing: string[] = [];
      for (const role of ["DEFAULT_ADMIN_ROLE", "RECOVERY_ROLE"] as const) if (!(await cb.hasRole!(ROLE_IDS[role], deployer))) missing.push(role);
      const others = await otherHolders(chain, cbAddr, allowed);
      if (others.length > 0) issues.push(`breaker.circuitBreaker: ${others.join(", ")} on ${cbAddr}; after the hand-over only the multisig may hold the breaker roles: revoke them first`);
      if (missing.length > 0) issues.push(`breaker.circuitBreaker: the deployer ${deployer} does not hold ${missing.join(" and ")} on ${cbAddr}, so it cannot wire it and hand it to the multisig: run deploy with its admin's key (--from / --key-env)`);
      for (const [i, e] of entries.entries()) {
        if (e.kind !== "standalone" || done.has(futureId(input.plan, `circuitBreaker_registerProtected_${e.name}`))) continue;
        if (await cb.isProtected!(e.address)) issues.push(`${i < params.protocol.length ? `protocol[${i}]` : `breaker.protected[${i - params.protocol.length}]`}: ${e.address} is already registered with breaker.circuitBreaker ${cbAddr}: leave it out of the file`);
      }
    } catch (err) {
      issues.push(`breaker.circuitBreaker ${cbAddr} is not a Breakwater CircuitBreaker (${describeRevert(err)})`);
    }
  }

  if (issues.length > 0) {
    fail(`the deployment cannot start; nothing was sent:\n${issues.map((s) => `  - ${s}`).join("\n")}`, "fix the parameters file (or the chain it points at) and run again; --dry-run runs these checks alone");
  }

  // Enough ether for what is left to do (an estimate with a margin; Ignition bumps fees itself).
  const pending = pendingFutures(input.module, done);
  let gas = 0n;
  for (const batch of pending) for (const f of batch) gas += f.kind === "deploy" ? deployGas(f.contract!, params) : f.kind === "call" ? 150_000n : 0n;
  const fee = await provider.getFeeData();
  const feePerGas = fee.maxFeePerGas ?? fee.gasPrice ?? 0n;
  const cost = (gas * feePerGas * 12n) / 10n;
  const balance = await provider.getBalance(deployer);
  if (balance < cost) {
    fail(
      `the deployer ${deployer} has ${formatEther(balance)} ETH on chain ${chain.chainId}; the ${pending.flat().length} transactions left need about ${formatEther(cost)} ETH (~${gas} gas at ${feePerGas} wei, +20%); nothing was sent`,
      "fund the deployer, or pick another key with --key-env / --from",
    );
  }
  return { pending, gas, feePerGas, cost, resumed: journal !== undefined };
}

/** "0x… holds EMERGENCY_ROLE" for every holder of a breaker role other than the deployer. */
async function otherHolders(chain: OperatorChain, address: string, allowed: string[]): Promise<string[]> {
  const all = await roleHoldersOf(chain, address);
  if (!all) return [];
  const ok = new Set(allowed.map((a) => a.toLowerCase()));
  const out: string[] = [];
  for (const role of ROLE_NAMES) for (const a of all[role]) if (!ok.has(a.toLowerCase())) out.push(`${a} holds ${role}`);
  return out;
}

async function simulateCall(issues: string[], what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    issues.push(`${what} would revert: ${describeRevert(err)}`);
  }
}

/** The Ignition future id of a wiring call of the root module. */
export function futureId(plan: BreakwaterPlan, local: string): string {
  return `${plan.id ?? "Breakwater"}Wiring#${local}`;
}

interface AnyFuture {
  id: string;
  type: string;
  contractName?: string;
  dependencies: Set<AnyFuture>;
}
interface AnyModule {
  futures: Set<AnyFuture>;
  submodules: Set<AnyModule>;
}

/** Futures not yet done, grouped in dependency order (each batch can run once the previous ones did). */
export function pendingFutures(module: IgnitionModule, done: Set<string>): PreflightResult["pending"] {
  const all = new Map<string, AnyFuture>();
  const walk = (m: AnyModule) => {
    for (const f of m.futures) all.set(f.id, f);
    for (const s of m.submodules) walk(s);
  };
  walk(module as unknown as AnyModule);
  const left = [...all.values()].filter((f) => !done.has(f.id));
  const placed = new Set(done);
  const batches: PreflightResult["pending"] = [];
  while (left.length > 0) {
    const ready = left.filter((f) => [...f.dependencies].every((d) => placed.has(d.id) || !all.has(d.id)));
    if (ready.length === 0) break;
    for (const f of ready) left.splice(left.indexOf(f), 1);
    for (const f of ready) placed.add(f.id);
    batches.push(
      ready.map((f) => ({
        id: f.id,
        kind: f.type.includes("DEPLOYMENT") ? "deploy" : f.type === "CONTRACT_CALL" ? "call" : "attach",
        ...(f.contractName ? { contract: f.contractName } : {}),
      })),
    );
  }
  return batches;
}

/** A conservative gas estimate of a deployment: calldata + code deposit + constructor storage. */
export function deployGas(contract: string, params: DeployParams): bigint {
  let a;
  try {
    a = loadArtifact(contract as never);
  } catch {
    return 3_000_000n;
  }
  const init = BigInt((a.bytecode.length - 2) / 2);
  const runtime = BigInt((a.deployedBytecode.length - 2) / 2);
  let gas = 53_000n + 16n * init + 200n * runtime + 150_000n;
  if (contract === "GuardianMultisig") gas += 45_000n * BigInt(params.guardians.length + params.protocol.length + params.multisig.overrides.length + params.pauseGates.length * GATE_ADMIN_SELECTORS.length + 24);
  return gas;
}
