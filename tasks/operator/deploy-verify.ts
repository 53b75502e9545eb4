// Post-deploy verification of `breakwater deploy`: read back from the chain that every role is held
// exactly as the plan says (the multisig holds DEFAULT_ADMIN / EMERGENCY / RECOVERY on every
// breaker, the deployer none of them once renounced), that the multisig manages every breaker, and
// that limits, sentinel, rescue vault and registrations are in place. Fails loudly, listing all.
import { Contract, getAddress } from "ethers";
import { loadArtifact } from "../../client/artifacts.js";
import { ROLE_IDS, ROLE_NAMES, type PauseGatePlan, type RoleName } from "../../ignition/modules/breakwater.js";
import { GATE_ADMIN_FUNCTIONS, GATE_ADMIN_SELECTORS, GateAdapter, PAUSE_GATE_ABI } from "../../client/pause-gate.js";
import type { OperatorChain } from "../lib/chain.js";
import { fail } from "../lib/errors.js";

export interface BreakerToVerify {
  /** Address-book key. */
  key: string;
  address: string;
  type: "breakable" | "circuitBreaker";
  limits: { asset: string; maxCapacity: bigint }[];
  rescueVault: boolean;
  migrator: boolean;
  registered: { name: string; address: string }[];
}

export interface VerifyInput {
  chain: OperatorChain;
  deployer: string;
  multisig: string;
  rescueVault: string;
  migrator: string;
  merkleClaims: string;
  breakers: BreakerToVerify[];
  sentinel?: string;
  renounceDeployer: boolean;
}

/** Contract key → role (or "owner") → holders, as read back from the chain. */
export type RoleHolders = Record<string, Partial<Record<RoleName | "owner", string[]>>>;

export async function verifyDeployment(v: VerifyInput): Promise<RoleHolders> {
  const provider = v.chain.ethers.provider;
  const problems: string[] = [];
  const holders: RoleHolders = {};
  const ms = new Contract(v.multisig, loadArtifact("GuardianMultisig").abi as never, provider);
  const expectHolders = async (key: string, c: Contract, roles: readonly RoleName[], deployerKeeps: boolean) => {
    holders[key] = {};
    for (const role of roles) {
      const list: string[] = [];
      const msHas = await c.hasRole!(ROLE_IDS[role], v.multisig);
      const depHas = await c.hasRole!(ROLE_IDS[role], v.deployer);
      if (msHas) list.push(v.multisig);
      else problems.push(`${key} (${c.target}): the multisig ${v.multisig} does not hold ${role}`);
      if (depHas) list.push(v.deployer);
      if (depHas && !deployerKeeps) problems.push(`${key} (${c.target}): the deployer ${v.deployer} still holds ${role}`);
      if (!depHas && deployerKeeps) problems.push(`${key} (${c.target}): the deployer ${v.deployer} lost ${role}, which renounceDeployer: false keeps`);
      holders[key]![role] = list;
    }
  };

  for (const b of v.breakers) {
    const c = new Contract(b.address, loadArtifact(b.type === "circuitBreaker" ? "CircuitBreaker" : "Breakable").abi as never, provider);
    await expectHolders(b.key, c, ROLE_NAMES, !v.renounceDeployer);
    // Nobody else: a key keeping DEFAULT_ADMIN_ROLE could undo the hand-over.
    const all = await roleHoldersOf(v.chain, b.address);
    if (all) {
      for (const role of ROLE_NAMES) {
        for (const a of all[role]) {
          if (a.toLowerCase() === v.multisig.toLowerCase() || a.toLowerCase() === v.deployer.toLowerCase()) continue;
          problems.push(`${b.key} (${b.address}): ${a} also holds ${role}, which the plan gives only to the multisig`);
          holders[b.key]![role] = [...(holders[b.key]![role] ?? []), a];
        }
      }
    }
    if (!(await ms.isManaged!(b.address))) problems.push(`${b.key} (${b.address}): not managed by the multisig (guardian actions on it would revert TargetNotManaged)`);
    for (const l of b.limits) {
      const got = (await c.limitOf!(l.asset)).maxCapacity as bigint;
      if (got !== l.maxCapacity) problems.push(`${b.key} (${b.address}): the limit of ${l.asset} is ${got}, the plan says ${l.maxCapacity}`);
    }
    if (v.sentinel) {
      const [account, armed] = await c.sentinelState!();
      if (String(account).toLowerCase() !== v.sentinel.toLowerCase() || !armed) problems.push(`${b.key} (${b.address}): sentinel is ${account} (armed: ${armed}), the plan says ${v.sentinel}, armed`);
    }
    if (b.rescueVault && String(await c.rescueVault!()).toLowerCase() !== v.rescueVault.toLowerCase()) problems.push(`${b.key} (${b.address}): rescue vault is not ${v.rescueVault}`);
    if (b.migrator) {
      const vault = new Contract(b.address, loadArtifact("ProtectedVault").abi as never, provider);
      if (String(await vault.migrator!()).toLowerCase() !== v.migrator.toLowerCase()) problems.push(`${b.key} (${b.address}): migrator is not ${v.migrator}`);
    }
    for (const r of b.registered) if (!(await c.isProtected!(r.address))) problems.push(`${b.key} (${b.address}): ${r.name} (${r.address}) is not registered`);
  }

  // The migration contracts are the multisig's from their constructors; the deployer never held them.
  const rv = new Contract(v.rescueVault, loadArtifact("RescueVault").abi as never, provider);
  await expectHolders("rescueVault", rv, ROLE_NAMES, false);
  for (const [key, addr, name] of [["migrator", v.migrator, "PositionMigrator"], ["merkleClaims", v.merkleClaims, "MerkleClaims"]] as const) {
    const owner = String(await new Contract(addr, loadArtifact(name).abi as never, provider).owner!());
    holders[key] = { owner: [owner] };
    if (owner.toLowerCase() !== v.multisig.toLowerCase()) problems.push(`${key} (${addr}): owner is ${owner}, not the multisig ${v.multisig}`);
  }

  if (problems.length > 0) {
    fail(
      `post-deploy verification failed: the roles are not as the plan says:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      "no address book was written; the journal keeps what was deployed. Fix the cause (e.g. a role granted or revoked outside the deployment), then re-run the same command: it resumes and verifies again",
    );
  }
  return holders;
}

/**
 * Every account holding one of the breaker roles on `address`, from its RoleGranted / RoleRevoked
 * history (AccessControl cannot be enumerated), each confirmed with hasRole. Undefined when the
 * RPC refuses the log query (some limit the block range).
 */
export async function roleHoldersOf(chain: OperatorChain, address: string): Promise<Record<RoleName, string[]> | undefined> {
  const c = new Contract(address, loadArtifact("Breakable").abi as never, chain.ethers.provider);
  const granted = c.interface.getEvent("RoleGranted")!.topicHash;
  const revoked = c.interface.getEvent("RoleRevoked")!.topicHash;
  let logs;
  try {
    logs = await chain.ethers.provider.getLogs({ address, topics: [[granted, revoked]], fromBlock: 0, toBlock: "latest" });
  } catch {
    return undefined;
  }
  const candidates = new Map<RoleName, Set<string>>(ROLE_NAMES.map((r) => [r, new Set<string>()]));
  for (const log of logs) {
    const role = ROLE_NAMES.find((r) => ROLE_IDS[r] === log.topics[1]);
    if (role) candidates.get(role)!.add(`0x${log.topics[2]!.slice(26)}`);
  }
  const out = {} as Record<RoleName, string[]>;
  for (const role of ROLE_NAMES) {
    out[role] = [];
    for (const a of candidates.get(role)!) if (await c.hasRole!(ROLE_IDS[role], a)) out[role].push(getAddress(a));
  }
  return out;
}

/**
 * The PauseGates as planned: admin handed to the multisig (which may Call every admin function of
 * the gate, from its constructor), the planned sentinel (armed when asked),
 * every target registered with its adapter and maxDuration. Fails listing every difference.
 */
export async function verifyGates(chain: OperatorChain, multisig: string, gates: (PauseGatePlan & { address: string })[]): Promise<void> {
  const problems: string[] = [];
  const ms = new Contract(multisig, loadArtifact("GuardianMultisig").abi as never, chain.ethers.provider);
  const adapterOf = { pausable: GateAdapter.Pausable, accessManaged: GateAdapter.AccessManager, selectorPair: GateAdapter.SelectorPair } as const;
  for (const g of gates) {
    const gate = new Contract(g.address, PAUSE_GATE_ABI, chain.ethers.provider);
    const admin = getAddress((await gate.getFunction("admin")()) as string);
    if (admin !== getAddress(multisig)) problems.push(`${g.name}: admin is ${admin}, not the multisig ${multisig}`);
    for (const [i, selector] of GATE_ADMIN_SELECTORS.entries()) {
      if (!((await ms.getFunction("isCallAllowed")(g.address, selector)) as boolean)) problems.push(`${g.name}: the multisig may not call ${GATE_ADMIN_FUNCTIONS[i]} (${selector}) on the gate`);
    }
    const [sentinel, armed] = (await gate.getFunction("sentinelState")()) as [string, boolean];
    if (getAddress(sentinel) !== getAddress(g.sentinel)) problems.push(`${g.name}: sentinel is ${sentinel}, planned ${g.sentinel}`);
    if (g.arm && !armed) problems.push(`${g.name}: the sentinel is not armed`);
    for (const t of g.targets) {
      const target = String(t.target);
      const cfg = (await gate.getFunction("targetConfig")(target)) as { adapter: bigint; maxDuration: bigint };
      const want = BigInt(adapterOf[t.kind]);
      if (cfg.adapter !== want) problems.push(`${g.name}: ${target} is registered with adapter ${cfg.adapter}, planned ${want} (${t.kind})`);
      else if (cfg.maxDuration !== t.maxDuration) problems.push(`${g.name}: ${target} maxDuration is ${cfg.maxDuration}, planned ${t.maxDuration}`);
    }
  }
  if (problems.length) fail(`the PauseGates on chain differ from the plan:\n  - ${problems.join("\n  - ")}`, "re-run the same deploy command to resume; if it persists, report it");
}
