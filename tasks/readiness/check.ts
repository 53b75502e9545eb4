// The readiness check: compares the incident plan with the chain and the keeper and says, finding by
// finding, what is not armed and the exact command that fixes it.
//
//   const report = await checkReadiness({ plan, provider, book, keeperConfig, keeperUrl, drillsDir });
//   report.score (0–100), report.findings [{ id, severity, title, detail, fix }], report.ok (no high)
//
// Everything is read-only: eth_call / eth_getLogs through any ethers provider (the default chain, a
// fork, any RPC), one GET of the keeper's /healthz, and the drill reports on disk.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Contract, Interface, ZeroAddress, ZeroHash, getAddress, id, zeroPadValue, type Provider } from "ethers";
import type { KeeperConfig } from "../../keeper/config/schema.js";
import type { AddressBook } from "../lib/address-book.js";
import { SEVERITIES, seconds, runbookForRule, type IncidentPlan, type OnChainRoleSpec } from "../../plan/schema.js";
import { checkGates, signerAddress } from "./gates.js";

export type FindingSeverity = "high" | "medium" | "low";

export interface Finding {
  /** Stable id, e.g. "role.unexpected-holder" (tests and dashboards key on it). */
  id: string;
  severity: FindingSeverity;
  title: string;
  detail: string;
  /** The exact task / command to run (or edit to make). */
  fix: string;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ReadinessReport {
  plan: string;
  network: { chainId: number; head: number };
  checkedAt: string;
  score: number;
  ok: boolean;
  counts: Record<FindingSeverity, number>;
  findings: Finding[];
  /** What was checked and passed (for the Markdown report). */
  checks: Check[];
}

export interface ReadinessInputs {
  plan: IncidentPlan;
  /** Path or name of the plan, for the report. */
  planLabel?: string;
  provider: Provider;
  book: AddressBook;
  keeperConfig?: KeeperConfig;
  /** Keeper config file name, for fixes. */
  keeperConfigPath?: string;
  keeperUrl?: string;
  drillsDir?: string;
  /** Overrides plan.readiness.maxDrillAge (seconds). */
  maxDrillAgeSeconds?: number;
  /** Where the sentinel key of the keeper config is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Wall clock in ms (drill age). */
  now?: () => number;
  /** Network name for the commands in fixes (adds --network). */
  network?: string;
  /** Plan file for the commands in fixes. */
  planPath?: string;
  /** Timeout of the /healthz request. */
  keeperTimeoutMs?: number;
}

export const WEIGHTS: Record<FindingSeverity, number> = { high: 25, medium: 10, low: 3 };

const ROLE_IDS = { DEFAULT_ADMIN_ROLE: ZeroHash, EMERGENCY_ROLE: id("EMERGENCY_ROLE"), RECOVERY_ROLE: id("RECOVERY_ROLE") } as const;

const BREAKER_ABI = [
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function grantRole(bytes32 role, address account)",
  "function revokeRole(bytes32 role, address account)",
  "function sentinelState() view returns (address sentinel, bool armed, uint64 maxDuration, uint64 cooldown, uint64 lastPauseAt)",
  "function pauseBounds() view returns (uint64 maxPauseDuration, uint64 gracePeriod)",
  "function assets() view returns (address[])",
  "function limitOf(address asset) view returns (tuple(uint256 maxCapacity, uint64 window, uint256 minTvl, uint8 mode, uint64 settlementDelay, bool inflowCredit))",
];
const MULTISIG_ABI = [
  "function guardians() view returns (address[])",
  "function guardianStatus(address guardian) view returns (bool isGuardian, uint64 lastSeen, bool active)",
  "function heartbeatPeriod() view returns (uint64)",
  "function policyOf(uint8 kind) view returns (uint16 threshold, uint64 delay)",
  "function effectiveThreshold(uint8 kind) view returns (uint256)",
  "function vetoThreshold() view returns (uint16)",
];
const ERC20_ABI = ["function balanceOf(address) view returns (uint256)", "function symbol() view returns (string)", "function decimals() view returns (uint8)"];
const TRANSFER_TOPIC = id("Transfer(address,address,uint256)");

/** Restorative / config kinds of the multisig (GuardianActions.sol): they must wait (veto window). */
export const SLOW_KINDS: Record<number, string> = {
  5: "Unpause", 6: "ExtendPause", 7: "UnfreezeAsset", 8: "Release", 9: "SetLimit", 10: "ArmSentinel", 11: "SetSentinel",
  12: "SetPauseBounds", 13: "Rescue", 14: "Call", 15: "ChangeGuardians", 16: "ChangeThreshold", 17: "ChangeVetoThreshold",
  18: "SetHeartbeat", 19: "SetCallAllowed", 20: "SetManaged",
};

const fmtDur = (s: number): string => {
  if (s % 86_400 === 0 && s >= 86_400) return `${s / 86_400}d`;
  if (s % 3600 === 0 && s >= 3600) return `${s / 3600}h`;
  if (s % 60 === 0 && s >= 60) return `${s / 60}m`;
  return `${s}s`;
};

export function scoreOf(findings: Finding[]): number {
  return Math.max(0, 100 - findings.reduce((a, f) => a + WEIGHTS[f.severity], 0));
}

export async function checkReadiness(inp: ReadinessInputs): Promise<ReadinessReport> {
  const { plan, provider, book } = inp;
  const r = plan.readiness;
  const findings: Finding[] = [];
  const checks: Check[] = [];
  const add = (f: Finding) => findings.push(f);
  const pass = (name: string, detail: string) => checks.push({ name, ok: true, detail });
  const hh = `npx hardhat${inp.network ? ` --network ${inp.network}` : ""} breakwater`;
  const planArg = inp.planPath ?? "<plan file>";
  const head = await provider.getBlockNumber();
  const chainId = Number((await provider.getNetwork()).chainId);
  const fromBlock = Math.max(0, (book.blockNumber ?? 1) - 1);

  // ---- references
  const lookup = (ref: string): string | undefined => {
    if (!ref.startsWith("$")) return getAddress(ref);
    const name = ref.slice(1);
    const v = book.contracts[name] ?? (book.roles as Record<string, unknown> | undefined)?.[name];
    return typeof v === "string" ? getAddress(v) : undefined;
  };
  const unresolved = new Set<string>();
  const resolveRef = (ref: string, where: string): string | undefined => {
    const a = lookup(ref);
    if (!a && !unresolved.has(ref)) {
      unresolved.add(ref);
      add({ id: "plan.unresolved-ref", severity: "high", title: `The plan names ${ref}, which the address book does not have`, detail: `${where}: ${ref} is neither in contracts nor in roles of the address book (${Object.keys(book.contracts).join(", ")})`, fix: `edit ${planArg}: use a 0x address or one of ${Object.keys(book.contracts).map((k) => `$${k}`).join(", ")}` });
    }
    return a;
  };
  const breakerAddr = getAddress(book.contracts.breaker!);
  const multisigAddr = book.contracts.guardian ? getAddress(book.contracts.guardian) : undefined;
  const breaker = new Contract(breakerAddr, BREAKER_ABI, provider);
  const multisig = multisigAddr ? new Contract(multisigAddr, MULTISIG_ABI, provider) : undefined;
  const iface = new Interface(BREAKER_ABI);

  // ---- 1. roles: the plan's holders hold them, and nobody else does
  const holdersCache = new Map<string, Set<string>>();
  const accessControlHolders = async (contract: string, role: string): Promise<Set<string>> => {
    const key = `${contract}:${role}`;
    const cached = holdersCache.get(key);
    if (cached) return cached;
    const c = new Contract(contract, BREAKER_ABI, provider);
    // OpenZeppelin AccessControl (not Enumerable): replay RoleGranted / RoleRevoked since the deployment.
    const logs = await provider.getLogs({
      address: contract,
      fromBlock,
      toBlock: head,
      topics: [[iface.getEvent("RoleGranted")!.topicHash, iface.getEvent("RoleRevoked")!.topicHash], role],
    });
    const candidates = new Set<string>();
    for (const l of logs) candidates.add(getAddress("0x" + l.topics[2]!.slice(26)));
    const out = new Set<string>();
    for (const a of candidates) if (await c.hasRole(role, a)) out.add(a);
    holdersCache.set(key, out);
    return out;
  };

  for (const [roleKey, role] of Object.entries(plan.roles)) {
    for (const [i, spec] of (role.onChain as OnChainRoleSpec[]).entries()) {
      const where = `roles.${roleKey}.onChain[${i}]`;
      const contract = resolveRef(spec.contract, `${where}.contract`);
      const expected = spec.holders.map((h) => resolveRef(h, `${where}.holders`)).filter((a): a is string => !!a);
      if (!contract || expected.length !== spec.holders.length) continue;
      if (spec.role === "guardian") {
        const ms = new Contract(contract, MULTISIG_ABI, provider);
        const actual = new Set<string>(((await ms.guardians()) as string[]).map((a) => getAddress(a)));
        const missing = expected.filter((a) => !actual.has(a));
        const extra = [...actual].filter((a) => !expected.includes(a));
        const fixList = `${hh} guardian propose --kind ChangeGuardians --args ${expected.join(",")} --out guardians.json (then sign / submit; or update ${planArg} if the change was intended)`;
        for (const a of missing) add({ id: "guardian.missing", severity: "high", title: `Plan guardian ${a} is not a guardian of the multisig`, detail: `${where}: the multisig ${contract} has guardians ${[...actual].join(", ")}`, fix: fixList });
        for (const a of extra) add({ id: "guardian.unexpected", severity: "high", title: `${a} is a guardian the plan does not name`, detail: `${where}: the plan lists ${expected.join(", ")} (people: ${role.people.map((p) => p.handle).join(", ")})`, fix: fixList });
        if (!missing.length && !extra.length) pass(`${where}: guardian set`, `${expected.length} guardians match the plan`);
        continue;
      }
      if (spec.role === "sentinel") {
        const c = new Contract(contract, BREAKER_ABI, provider);
        const [s] = (await c.sentinelState()) as [string];
        const actual = getAddress(s);
        if (actual !== expected[0]) {
          add({ id: "sentinel.mismatch", severity: "high", title: `The sentinel of ${contract} is ${actual === ZeroAddress ? "not set" : actual}, the plan names ${expected[0]}`, detail: `${where}: the keeper's sentinel key must be the breaker's sentinel, or it cannot pause`, fix: `${hh} guardian propose --kind SetSentinel --args ${expected[0]},2h,1d --breaker ${contract} --out sentinel.json (then sign / submit)` });
        } else pass(`${where}: sentinel`, `${actual}`);
        continue;
      }
      const roleId = ROLE_IDS[spec.role];
      const actual = await accessControlHolders(contract, roleId);
      const missing = expected.filter((a) => !actual.has(a));
      const extra = [...actual].filter((a) => !expected.includes(a));
      for (const a of missing) {
        add({ id: "role.missing", severity: "high", title: `${a} does not hold ${spec.role} on ${contract}`, detail: `${where} (${roleKey}): the plan says it must`, fix: `${hh} guardian propose --kind Call --target ${contract} --args ${iface.encodeFunctionData("grantRole", [roleId, a])} --out grant.json (grantRole(${spec.role}, ${a}); the selector must be allowed: guardian propose --kind SetCallAllowed --args ${contract},${iface.getFunction("grantRole")!.selector},true)` });
      }
      for (const a of extra) {
        add({ id: "role.unexpected-holder", severity: "high", title: `${a} holds ${spec.role} on ${contract}, which the plan does not allow`, detail: `${where} (${roleKey}): allowed holders ${expected.join(", ")}; found from RoleGranted/RoleRevoked since block ${fromBlock}`, fix: `${hh} guardian propose --kind Call --target ${contract} --args ${iface.encodeFunctionData("revokeRole", [roleId, a])} --out revoke.json (revokeRole(${spec.role}, ${a}); allow the selector first: guardian propose --kind SetCallAllowed --args ${contract},${iface.getFunction("revokeRole")!.selector},true), or add ${a} to ${planArg} if intended` });
      }
      if (!missing.length && !extra.length) pass(`${where}: ${spec.role}`, `held by exactly ${expected.join(", ")}`);
    }
  }

  // ---- 2. the sentinel is armed and its key is the keeper's
  const [sAccount, sArmed, sMax, sCooldown] = (await breaker.sentinelState()) as [string, boolean, bigint, bigint, bigint];
  const sentinel = getAddress(sAccount);
  if (sentinel === ZeroAddress) {
    add({ id: "sentinel.not-set", severity: "high", title: `The breaker ${breakerAddr} has no sentinel`, detail: "the keeper cannot pause on its own", fix: `${hh} guardian propose --kind SetSentinel --args <keeper sentinel address>,2h,1d --out sentinel.json (then sign / submit)` });
  } else if (!sArmed) {
    add({ id: "sentinel.unarmed", severity: "high", title: `The sentinel ${sentinel} of ${breakerAddr} is not armed`, detail: "it fired (sentinelPause is single use per arming) and was not re-armed: the next exploit is not paused automatically", fix: `${hh} guardian propose --kind ArmSentinel --out arm.json (then guardians sign and \`${hh} guardian submit --file arm.json\`: slow path, executes after its delay)` });
  } else pass("sentinel armed", `${sentinel}, max ${fmtDur(Number(sMax))}, cooldown ${fmtDur(Number(sCooldown))}`);

  const kc = inp.keeperConfig;
  if (kc) {
    if (kc.chain.chainId !== chainId) {
      add({ id: "keeper.wrong-chain", severity: "high", title: `The keeper config is for chain ${kc.chain.chainId}, the chain is ${chainId}`, detail: `${inp.keeperConfigPath ?? "keeper config"} chain.chainId`, fix: `set chain.chainId: ${chainId} in ${inp.keeperConfigPath ?? "the keeper config"}` });
    }
    if (kc.contracts.breaker && getAddress(kc.contracts.breaker) !== breakerAddr) {
      add({ id: "keeper.wrong-breaker", severity: "high", title: `The keeper watches and pauses ${getAddress(kc.contracts.breaker!)}, the address book's breaker is ${breakerAddr}`, detail: `${inp.keeperConfigPath ?? "keeper config"} contracts.breaker`, fix: `set contracts.breaker: "${breakerAddr}" in ${inp.keeperConfigPath ?? "the keeper config"} and restart the keeper` });
    }
    // Every contract the keeper names must be the address book's contract of that name.
    const mismatches: string[] = [];
    const bookEntries = new Map(Object.entries(book.contracts).map(([k, v]) => [k, getAddress(v as string)]));
    const compare = (field: string, name: string, actual: string | undefined) => {
      const expected = bookEntries.get(name);
      if (actual && expected && getAddress(actual) !== expected) mismatches.push(`${field} is ${getAddress(actual)}, the address book's ${name} is ${expected}`);
    };
    compare("contracts.guardian", "guardian", kc.contracts.guardian);
    compare("chain.multicall3", "multicall3", kc.chain.multicall3);
    for (const [name, addr] of Object.entries(kc.contracts.named)) compare(`contracts.named.${name} ($${name})`, name, addr);
    if (mismatches.length) {
      add({ id: "keeper.contracts-mismatch", severity: "high", title: `The keeper config names ${mismatches.length} contract(s) other than the address book's`, detail: mismatches.join("; "), fix: `use contracts: { addressBook: "<the book>" } in ${inp.keeperConfigPath ?? "the keeper config"} (and drop the stale entries), then restart the keeper` });
    } else pass("keeper contracts", "every contract the keeper names is the address book's");
    const sig = kc.signers.sentinel;
    const pausesBreaker = kc.rules.some((x) => x.enabled !== false && x.act === true && x.action === "pause");
    if (!sig && !pausesBreaker) {
      pass("keeper sentinel key", "the keeper pauses no breaker (no acting rule with action pause): it contains through responders.contain or alerts");
    } else if (!sig) {
      add({ id: "sentinel.keeper-no-key", severity: "high", title: "The keeper has no sentinel signer", detail: "signers.sentinel is not configured: act rules cannot pause", fix: `add signers.sentinel: { type: "local", keyEnv: "BREAKWATER_SENTINEL_KEY" } to ${inp.keeperConfigPath ?? "the keeper config"}` });
    } else {
      const { address: keyAddr, why } = signerAddress(sig, inp.env ?? process.env);
      if (keyAddr && sentinel !== ZeroAddress && keyAddr !== sentinel) {
        add({ id: "sentinel.keeper-key-mismatch", severity: "high", title: `The keeper signs with ${keyAddr}, the breaker's sentinel is ${sentinel}`, detail: "the keeper's pause would revert (NotSentinel)", fix: `${hh} guardian propose --kind SetSentinel --args ${keyAddr},${fmtDur(Number(sMax))},${fmtDur(Number(sCooldown))} --out sentinel.json, or give the keeper the sentinel's key` });
      } else if (keyAddr) pass("keeper sentinel key", `${keyAddr} is the breaker's sentinel`);
      else add({ id: "sentinel.keeper-key-unverified", severity: "low", title: "The keeper's sentinel key could not be compared with the chain", detail: why, fix: "run the readiness check where the keeper's key environment is set (or with the keeper's signer service reachable)" });
    }
  }

  // ---- 2b. the PauseGates the keeper contains through (responders.contain, via "gate")
  if (kc) {
    const gates = await checkGates({ provider, keeperConfig: kc, keeperConfigPath: inp.keeperConfigPath, env: inp.env, multisig: multisigAddr, hh });
    findings.push(...gates.findings);
    checks.push(...gates.checks);
  }

  // ---- 3. guardian heartbeats are fresh
  if (multisig) {
    const period = Number(await multisig.heartbeatPeriod());
    const latest = await provider.getBlock(head);
    const now = Number(latest!.timestamp);
    const gs = ((await multisig.guardians()) as string[]).map((a) => getAddress(a));
    if (period === 0) {
      add({ id: "guardian.heartbeat-disabled", severity: "low", title: "The multisig has no heartbeat", detail: "lost guardian keys go unnoticed until they are needed", fix: `${hh} guardian propose --kind SetHeartbeat --args 90d --out heartbeat.json` });
    } else {
      for (const g of gs) {
        const [, lastSeen, active] = (await multisig.guardianStatus(g)) as [boolean, bigint, boolean];
        const age = now - Number(lastSeen);
        const fix = `guardian ${g} calls ping() on the multisig ${multisigAddr} (any signature or approveHash counts too), e.g. \`${hh} guardian ping --key-env <GUARDIAN_KEY_VAR>\``;
        if (!active) add({ id: "guardian.heartbeat-stale", severity: "high", title: `Guardian ${g} is stale: no heartbeat for ${fmtDur(age)} (period ${fmtDur(period)})`, detail: "a stale guardian does not count: the effective threshold drops and its key may be lost", fix });
        else if (age > period * r.heartbeatWarnShare) add({ id: "guardian.heartbeat-expiring", severity: "medium", title: `Guardian ${g}'s heartbeat is ${fmtDur(age)} old (goes stale at ${fmtDur(period)})`, detail: `more than ${Math.round(r.heartbeatWarnShare * 100)}% of the heartbeat period`, fix });
      }
      if (!findings.some((f) => f.id.startsWith("guardian.heartbeat"))) pass("guardian heartbeats", `${gs.length} guardians active (period ${fmtDur(period)})`);
    }
  }

  // ---- 4. every asset with a balance in a protected contract has a limit
  const protectedRefs = r.protected.length ? r.protected : [book.contracts.vault ? "$vault" : "$breaker"];
  const protectedAddrs = protectedRefs.map((p) => resolveRef(p, "readiness.protected")).filter((a): a is string => !!a);
  const tokens = new Set<string>();
  for (const a of (await breaker.assets()) as string[]) tokens.add(getAddress(a));
  for (const t of r.tokens) {
    const a = resolveRef(t, "readiness.tokens");
    if (a) tokens.add(a);
  }
  if (book.contracts.asset) tokens.add(getAddress(book.contracts.asset));
  for (const p of protectedAddrs) {
    const logs = await provider.getLogs({ fromBlock, toBlock: head, topics: [TRANSFER_TOPIC, null, zeroPadValue(p, 32)] });
    for (const l of logs) if (l.topics.length === 3) tokens.add(getAddress(l.address));
  }
  let limited = 0;
  for (const t of tokens) {
    const erc = new Contract(t, ERC20_ABI, provider);
    let lim: { maxCapacity: bigint };
    try {
      lim = (await breaker.limitOf(t)) as { maxCapacity: bigint };
    } catch {
      lim = { maxCapacity: 0n }; // UnknownAsset: the breaker has never heard of it
    }
    for (const p of protectedAddrs) {
      let bal: bigint;
      try {
        bal = (await erc.balanceOf(p)) as bigint;
      } catch {
        continue;
      }
      if (bal > 0n && lim.maxCapacity === 0n) {
        let sym = t;
        try {
          sym = `${(await erc.symbol()) as string} (${t})`;
        } catch {
          /* no symbol() */
        }
        add({ id: "limit.missing", severity: "high", title: `${sym} has a balance in ${p} but no outflow limit`, detail: `balance ${bal} token units; without a limit a drain of it is not rate-limited`, fix: `${hh} guardian propose --kind SetLimit --args ${t},<maxCapacity e.g. 10% of ${bal}>,1h,0,Queue,6h,true --out limit-${t.slice(2, 8).toLowerCase()}.json (then sign / submit)` });
      } else if (bal > 0n) limited++;
    }
  }
  if (!findings.some((f) => f.id === "limit.missing")) pass("outflow limits", `${limited} asset balance(s) in ${protectedAddrs.join(", ")} all limited`);

  // ---- 5. pause max and delays within sane bounds
  const [maxPause, grace] = ((await breaker.pauseBounds()) as [bigint, bigint]).map(Number) as [number, number];
  const maxOk = seconds(r.maxPause);
  const minOk = seconds(r.minPause);
  if (maxPause > maxOk) add({ id: "bounds.max-pause", severity: "medium", title: `maxPauseDuration is ${fmtDur(maxPause)}, above the plan's ${fmtDur(maxOk)}`, detail: "one guardian key could lock users out for that long", fix: `${hh} guardian propose --kind SetPauseBounds --args ${fmtDur(maxOk)},${fmtDur(grace)} --out bounds.json (or raise readiness.maxPause in ${planArg})` });
  else if (maxPause < minOk) add({ id: "bounds.max-pause", severity: "medium", title: `maxPauseDuration is ${fmtDur(maxPause)}, below the plan's minimum ${fmtDur(minOk)}`, detail: "a pause would expire before people can respond", fix: `${hh} guardian propose --kind SetPauseBounds --args ${fmtDur(minOk)},${fmtDur(grace)} --out bounds.json` });
  else pass("pause bounds", `max ${fmtDur(maxPause)}, grace ${fmtDur(grace)}`);
  if (sentinel !== ZeroAddress && Number(sMax) > maxPause) add({ id: "bounds.sentinel-duration", severity: "medium", title: `The sentinel may pause ${fmtDur(Number(sMax))}, longer than maxPauseDuration ${fmtDur(maxPause)}`, detail: "its pause would revert", fix: `${hh} guardian propose --kind SetSentinel --args ${sentinel},${fmtDur(maxPause)},${fmtDur(Number(sCooldown))} --out sentinel.json` });
  if (multisig) {
    const minD = seconds(r.minSlowDelay);
    const maxD = seconds(r.maxSlowDelay);
    const bad: string[] = [];
    let fixKind = "";
    for (const [k, name] of Object.entries(SLOW_KINDS)) {
      const [threshold, delay] = ((await multisig.policyOf(Number(k))) as [bigint, bigint]).map(Number) as [number, number];
      if (delay < minD || delay > maxD) {
        bad.push(`${name} ${fmtDur(delay)}`);
        fixKind ||= `${hh} guardian propose --kind ChangeThreshold --args ${name},${threshold},${fmtDur(delay < minD ? minD : maxD)} --out policy-${name}.json`;
      }
    }
    // A compromise of the cheapest slow quorum must leave enough honest guardians to veto it:
    // otherwise a takeover (e.g. ChangeGuardians) queued by stolen keys cannot be stopped.
    const guardianCount = ((await multisig.guardians()) as string[]).length;
    const veto = Number(await multisig.vetoThreshold());
    const unvetoable: string[] = [];
    for (const [k, name] of Object.entries(SLOW_KINDS)) {
      const [threshold] = ((await multisig.policyOf(Number(k))) as [bigint, bigint]).map(Number) as [number, number];
      if (guardianCount - threshold < veto) unvetoable.push(`${name} (${threshold} of ${guardianCount})`);
    }
    if (unvetoable.length) {
      add({
        id: "guardian.veto-unreachable",
        severity: "high",
        title: `Keys that can queue ${unvetoable[0]}${unvetoable.length > 1 ? ` and ${unvetoable.length - 1} more kind(s)` : ""} leave fewer than the veto threshold (${veto}) honest guardians`,
        detail: `an attacker holding a slow quorum queues a takeover that the remaining ${guardianCount} - threshold guardians cannot veto: ${unvetoable.join(", ")}`,
        fix: `${hh} guardian propose --kind ChangeVetoThreshold --args ${Math.max(1, guardianCount - Math.max(...unvetoable.map((u) => Number(u.split("(")[1]!.split(" ")[0]))))} --out veto.json (or add guardians / raise the slow thresholds)`,
      });
    } else pass("veto reachable", `after any slow quorum, ${veto} honest guardian(s) can still veto`);
    if (bad.length) add({ id: "bounds.slow-delay", severity: "medium", title: `Slow-path delays outside ${fmtDur(minD)}..${fmtDur(maxD)}: ${bad.join(", ")}`, detail: "restorative actions need a veto window, but not a lockout", fix: `${fixKind} (one action per kind listed)` });
    else pass("slow-path delays", `all within ${fmtDur(minD)}..${fmtDur(maxD)}`);
  }

  // ---- 6. runbooks and routes
  if (kc) {
    const ruleIds = new Set(kc.rules.map((x) => x.id));
    for (const rule of kc.rules.filter((x) => x.enabled !== false)) {
      const rb = runbookForRule(plan, rule.id);
      if (!rb && rule.act) add({ id: "runbook.missing", severity: "high", title: `Rule ${rule.id} acts on its own (${rule.action}) but has no runbook`, detail: "after the automated pause nobody has a checklist, an unpause owner or a user message", fix: `add a runbook with rules: ["${rule.id}"] to ${planArg} (automated, firstSteps, unpause, tellUsers, tasks)` });
      else if (!rb) add({ id: "runbook.missing-alert-rule", severity: "low", title: `Alert rule ${rule.id} has no runbook`, detail: "people get the alert without a checklist", fix: `add "${rule.id}" to a runbook's rules in ${planArg}` });
    }
    for (const rb of plan.runbooks) for (const id_ of rb.rules) if (!ruleIds.has(id_)) add({ id: "runbook.unknown-rule", severity: "low", title: `Runbook ${rb.id} covers rule ${id_}, which the keeper does not have`, detail: `keeper rules: ${[...ruleIds].join(", ")}`, fix: `rename or remove "${id_}" in ${planArg}, or add the rule to ${inp.keeperConfigPath ?? "the keeper config"}` });
    if (!findings.some((f) => f.id.startsWith("runbook."))) pass("runbooks", `every keeper rule has a runbook`);

    const channels = new Map(kc.alerts.channels.map((c) => [c.name ?? c.type, c] as const));
    for (const sev of SEVERITIES) {
      for (const ch of plan.severities[sev].channels) {
        const c = channels.get(ch);
        if (!c) add({ id: "route.unknown-channel", severity: "high", title: `${sev} routes to "${ch}", which the keeper has no channel for`, detail: `keeper channels: ${[...channels.keys()].join(", ") || "none"}`, fix: `add a channel named "${ch}" to alerts.channels in ${inp.keeperConfigPath ?? "the keeper config"}, or fix severities.${sev}.channels in ${planArg}` });
        else if (c.minSeverity && SEVERITIES.indexOf(sev) > SEVERITIES.indexOf(c.minSeverity)) add({ id: "route.filtered", severity: "medium", title: `${sev} routes to "${ch}", but that channel drops alerts below ${c.minSeverity}`, detail: "the route is dead", fix: `lower minSeverity of "${ch}" in ${inp.keeperConfigPath ?? "the keeper config"} or remove it from severities.${sev}.channels` });
      }
    }
    if (!kc.plan) add({ id: "keeper.plan-not-loaded", severity: "low", title: "The keeper does not load this plan", detail: "its severities and routing come from its own rules, not from the plan", fix: `add plan: "${planArg}" to ${inp.keeperConfigPath ?? "the keeper config"} and restart the keeper` });
  } else {
    add({ id: "keeper.config-missing", severity: "medium", title: "No keeper config given: runbooks, routes and the sentinel key were not compared", detail: "pass --keeper-config <file> (or set readiness.keeperConfig in the plan)", fix: `npx hardhat breakwater readiness --plan ${planArg} --keeper-config <keeper config file>` });
  }
  if (plan.severities.P1.channels.length < 2) add({ id: "route.p1-single-channel", severity: "high", title: `P1 goes to one channel only (${plan.severities.P1.channels.join(", ")})`, detail: "if that channel is down nobody is paged for an exploit", fix: `add a second channel (e.g. pagerduty) to severities.P1.channels in ${planArg}` });
  else pass("P1 route", plan.severities.P1.channels.join(" + "));

  // ---- 7. the keeper answers /healthz and is not behind
  const url = inp.keeperUrl ?? r.keeperUrl ?? (kc ? `http://${kc.ops.host}:${kc.ops.port}` : undefined);
  if (url) {
    const fixRun = `npx breakwater-keeper --config ${inp.keeperConfigPath ?? "<keeper config>"} (check its logs; /healthz at ${url})`;
    let body: { ok?: boolean; reasons?: string[]; lastProcessedBlock?: number | null; lag?: number | null; chainId?: number } | undefined;
    let status = 0;
    try {
      const res = await fetch(new URL("/healthz", url), { signal: AbortSignal.timeout(inp.keeperTimeoutMs ?? 3_000) });
      status = res.status;
      body = (await res.json()) as typeof body;
    } catch (err) {
      add({ id: "keeper.down", severity: "high", title: `The keeper does not answer at ${url}/healthz`, detail: (err as Error).message + ((err as { cause?: Error }).cause ? `: ${(err as { cause: Error }).cause.message}` : ""), fix: fixRun });
    }
    if (body) {
      const behind = body.lastProcessedBlock == null ? null : Math.max(0, head - body.lastProcessedBlock);
      if (body.chainId !== undefined && body.chainId !== chainId) add({ id: "keeper.wrong-chain", severity: "high", title: `The keeper at ${url} follows chain ${body.chainId}, not ${chainId}`, detail: "it watches another chain", fix: fixRun });
      else if (status !== 200 || body.ok === false) add({ id: "keeper.unhealthy", severity: "high", title: `The keeper reports not ok (HTTP ${status})`, detail: (body.reasons ?? []).join("; ") || "no reason given", fix: fixRun });
      else if (behind === null || behind > r.maxKeeperLag) add({ id: "keeper.lagging", severity: "medium", title: `The keeper's checkpoint is ${behind ?? "?"} blocks behind the head ${head}`, detail: `limit ${r.maxKeeperLag} blocks (readiness.maxKeeperLag)`, fix: `check the keeper's RPCs and load: ${url}/metrics (keeper_checkpoint_lag_blocks)` });
      else pass("keeper /healthz", `ok, checkpoint ${body.lastProcessedBlock}, ${behind} block(s) behind`);
    }
  }

  // ---- 8. the last drill is recent
  const dir = resolve(inp.drillsDir ?? r.drillsDir);
  const maxAge = inp.maxDrillAgeSeconds ?? seconds(r.maxDrillAge);
  const last = newestDrill(dir);
  const now = (inp.now ?? Date.now)();
  if (!last) add({ id: "drill.none", severity: "medium", title: `No drill report in ${dir}`, detail: "the response was never rehearsed", fix: "npm run drill (or npx hardhat breakwater drill run <scenario>)" });
  else {
    const age = Math.max(0, Math.floor((now - last.at) / 1000));
    if (age > maxAge) add({ id: "drill.stale", severity: "medium", title: `The last drill (${last.scenario}) is ${fmtDur(age)} old`, detail: `older than ${fmtDur(maxAge)} (readiness.maxDrillAge / --max-drill-age); ${last.file}`, fix: "npm run drill (or npx hardhat breakwater drill run <scenario>)" });
    else if (last.failed) add({ id: "drill.failed", severity: "medium", title: `The last drill (${last.scenario}) missed its expectations`, detail: last.file, fix: `read ${last.file.replace(/\.json$/, ".md")} and fix what it lists, then npx hardhat breakwater drill run ${last.scenario}` });
    else pass("last drill", `${last.scenario}, ${fmtDur(age)} ago`);
  }

  const order: FindingSeverity[] = ["high", "medium", "low"];
  findings.sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  const counts = { high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    plan: inp.planLabel ?? plan.name,
    network: { chainId, head },
    checkedAt: new Date(now).toISOString(),
    score: scoreOf(findings),
    ok: counts.high === 0,
    counts,
    findings,
    checks,
  };
}

/** The newest drill report (a DrillScore JSON) in `dir`: its time is the last timeline entry, else the file's mtime. */
export function newestDrill(dir: string): { file: string; scenario: string; at: number; failed: boolean } | undefined {
  if (!existsSync(dir)) return undefined;
  let best: { file: string; scenario: string; at: number; failed: boolean } | undefined;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".json") || f === "summary.json" || f.includes(".plan-suggestions")) continue;
    const file = join(dir, f);
    let s: { scenario?: unknown; expectationsMet?: unknown; timeline?: { at?: unknown }[] };
    try {
      s = JSON.parse(readFileSync(file, "utf8")) as typeof s;
    } catch {
      continue;
    }
    if (typeof s.scenario !== "string" || typeof s.expectationsMet !== "boolean") continue;
    const times = (s.timeline ?? []).map((e) => e.at).filter((t): t is number => typeof t === "number");
    const at = times.length ? Math.max(...times) : statSync(file).mtimeMs;
    if (!best || at > best.at) best = { file, scenario: s.scenario, at, failed: !s.expectationsMet };
  }
  return best;
}
