// Readiness of the PauseGates the keeper contains through (responders.contain.targets with
// via "gate"): the target is registered, the gate holds the protocol's pause permission, it can
// release its pauses (holds the unpause permission too), the sentinel is armed, and the keeper's
// key is the gate's sentinel.
//
// Permissions are probed, not assumed: an eth_call of the gate's registered pause (and unpause)
// calldata from the gate's own address. A revert that only says "already paused / not paused"
// (OpenZeppelin EnforcedPause / ExpectedPause, raised after the role check) counts as permitted.
import { Contract, Wallet, ZeroAddress, getAddress, type Provider } from "ethers";
import type { KeeperConfig } from "../../keeper/config/schema.js";
import { explainContainRevert } from "../../keeper/responders/contain.js";
import { loadArtifact } from "../../client/artifacts.js";
import { GATE_ADAPTER_NAMES, GATE_ADMIN_FUNCTIONS, PAUSE_GATE_ABI, pauseGateIface } from "../../client/pause-gate.js";
import type { Check, Finding } from "./check.js";

type SignerConfig = KeeperConfig["signers"]["sentinel"];

/** The address of a local-key signer from its environment variable, or why it is not known. */
export function signerAddress(sig: NonNullable<SignerConfig>, env: NodeJS.ProcessEnv): { address?: string; why: string } {
  if (sig.type === "local" && "keyEnv" in sig && sig.keyEnv) {
    const v = env[sig.keyEnv]?.trim();
    if (!v) return { why: `${sig.keyEnv} is not set in this environment` };
    try {
      return { address: new Wallet(v.startsWith("0x") ? v : `0x${v}`).address, why: "" };
    } catch {
      return { why: `${sig.keyEnv} does not hold a private key` };
    }
  }
  return { why: `signer type ${sig.type} (the address is known only to the signer service)` };
}

const PERMITTED_BUT_STATE = new Set(["EnforcedPause", "ExpectedPause"]);

/** eth_call `data` to `callee` from `gate`: undefined = permitted, else the decoded reason. */
async function probe(provider: Provider, gate: string, callee: string, data: string): Promise<string | undefined> {
  try {
    await provider.call({ from: gate, to: callee, data });
    return undefined;
  } catch (err) {
    const { name, reason } = explainContainRevert(err);
    return name && PERMITTED_BUT_STATE.has(name) ? undefined : reason;
  }
}

export interface GateReadinessInputs {
  provider: Provider;
  keeperConfig: KeeperConfig;
  keeperConfigPath?: string;
  env?: NodeJS.ProcessEnv;
  /** The guardian multisig of the address book: the gate's admin should be it (or a Safe). */
  multisig?: string;
  /** The exact `npx hardhat … breakwater` prefix for fix commands. */
  hh?: string;
}

/** What the guardians need to run a gate after it fired: re-arm, extend, end early, and re-point the sentinel. */
const INCIDENT_FUNCTIONS: readonly (typeof GATE_ADMIN_FUNCTIONS)[number][] = ["armSentinel", "extendPause", "endPause", "setSentinel"];

/**
 * Who administers the gate. An EOA admin is one key that can register any call and re-arm at will;
 * the book's multisig must have the gate's incident functions allow-listed for its Call kind, or
 * the guardians cannot re-arm it after it fired.
 */
async function checkGateAdmin(inp: GateReadinessInputs, gateAddr: string, admin: string): Promise<{ findings: Finding[]; checks: Check[] }> {
  const findings: Finding[] = [];
  const checks: Check[] = [];
  const hh = inp.hh ?? "npx hardhat breakwater";
  const multisig = inp.multisig ? getAddress(inp.multisig) : undefined;
  if ((await inp.provider.getCode(admin)) === "0x") {
    findings.push({ id: "gate.admin-eoa", severity: "high", title: `The PauseGate ${gateAddr} is administered by ${admin}, an account without code`, detail: "one key can register any call on the gate, re-arm the sentinel at will and extend its pauses: the gate's bounds are only as strong as that key", fix: `setAdmin(${multisig ?? "<the guardian multisig>"}) from ${admin} (then the slow path manages the gate)` });
    return { findings, checks };
  }
  if (!multisig || admin !== multisig) {
    checks.push({ name: `gate ${gateAddr}: admin`, ok: true, detail: `${admin} (a contract${multisig ? `, not the address book's multisig ${multisig}: make sure its signers can re-arm the gate` : ""})` });
    return { findings, checks };
  }
  const ms = new Contract(multisig, loadArtifact("GuardianMultisig").abi as never, inp.provider);
  const missing: string[] = [];
  for (const f of INCIDENT_FUNCTIONS) {
    const selector = pauseGateIface.getFunction(f)!.selector;
    if (!((await ms.getFunction("isCallAllowed")(gateAddr, selector)) as boolean)) missing.push(`${f} (${selector})`);
  }
  if (missing.length) {
    const first = missing[0]!.match(/\((0x[0-9a-f]{8})\)/)![1];
    findings.push({ id: "gate.admin-calls-not-allowed", severity: "medium", title: `The multisig cannot call ${missing.length} incident function(s) of the PauseGate ${gateAddr}`, detail: `not allow-listed for the multisig's Call kind: ${missing.join(", ")}; after the gate fires the guardians could not re-arm, extend or end its pause without first queueing SetCallAllowed (slow)`, fix: `${hh} guardian propose --kind SetCallAllowed --args ${gateAddr},${first},true --out allow.json (one action per selector listed), now, before an incident` });
  } else checks.push({ name: `gate ${gateAddr}: admin`, ok: true, detail: `the guardian multisig ${multisig}, with ${INCIDENT_FUNCTIONS.join(" / ")} allow-listed` });
  return { findings, checks };
}

export async function checkGates(inp: GateReadinessInputs): Promise<{ findings: Finding[]; checks: Check[] }> {
  const findings: Finding[] = [];
  const checks: Check[] = [];
  const kc = inp.keeperConfig;
  const cfgName = inp.keeperConfigPath ?? "the keeper config";
  const targets = Object.entries(kc.responders.contain.targets).filter(([, t]) => t.via === "gate");
  if (!targets.length) return { findings, checks };

  const sig = kc.signers.contain ?? kc.signers.sentinel;
  const sigField = kc.signers.contain ? "signers.contain" : "signers.sentinel";
  const key = sig ? signerAddress(sig, inp.env ?? process.env) : { why: "no signers.contain nor signers.sentinel" };
  const seenGates = new Set<string>();

  for (const [name, t] of targets) {
    const gateAddr = getAddress(t.to);
    const gate = new Contract(gateAddr, PAUSE_GATE_ABI, inp.provider);
    const where = `responders.contain.targets.${name}`;
    const protectedAddr = typeof t.args[0] === "string" && /^0x[0-9a-fA-F]{40}$/.test(t.args[0]) ? getAddress(t.args[0]) : undefined;
    if (!protectedAddr) {
      findings.push({ id: "gate.bad-target-arg", severity: "high", title: `${where} does not name the protected target`, detail: `sentinelPause(address,uint64) needs the target's address as args[0], got ${JSON.stringify(t.args[0])}`, fix: `set args: ["<target address>", "<duration seconds>"] in ${where} of ${cfgName}` });
      continue;
    }

    // Once per gate: sentinel and arming.
    if (!seenGates.has(gateAddr)) {
      seenGates.add(gateAddr);
      const [sentinelRaw, armed] = (await gate.sentinelState()) as [string, boolean];
      const sentinel = getAddress(sentinelRaw);
      const admin = getAddress((await gate.admin()) as string);
      const adminCheck = await checkGateAdmin(inp, gateAddr, admin);
      findings.push(...adminCheck.findings);
      checks.push(...adminCheck.checks);
      const via = `a slow-path Call action of the gate's admin ${admin} (the guardian multisig): npx hardhat breakwater guardian propose --kind Call --target ${gateAddr} --args <calldata>`;
      if (sentinel === ZeroAddress) {
        findings.push({ id: "gate.sentinel-not-set", severity: "high", title: `The PauseGate ${gateAddr} has no sentinel`, detail: "the keeper cannot contain through it", fix: `setSentinel(<keeper key address>, <cooldown>) by ${via}` });
      } else if (!key.address) {
        findings.push({ id: "gate.keeper-key-unverified", severity: "low", title: `The keeper's contain key could not be compared with the sentinel of ${gateAddr}`, detail: key.why, fix: "run the readiness check where the keeper's key environment is set" });
      } else if (key.address !== sentinel) {
        findings.push({ id: "gate.keeper-key-not-sentinel", severity: "high", title: `The keeper signs contain calls with ${key.address}, the sentinel of the PauseGate ${gateAddr} is ${sentinel}`, detail: `${sigField} of ${cfgName}: the keeper's sentinelPause would revert (NotSentinel)`, fix: `setSentinel(${key.address}, <cooldown>) by ${via}, or give the keeper the sentinel's key in ${sigField}` });
      } else checks.push({ name: `gate ${gateAddr}: keeper key`, ok: true, detail: `${key.address} is the gate's sentinel` });
      if (sentinel !== ZeroAddress && !armed) {
        findings.push({ id: "gate.not-armed", severity: "high", title: `The sentinel of the PauseGate ${gateAddr} is not armed`, detail: "it fired (one pause per arming) or was never armed: the next incident is not contained automatically", fix: `armSentinel() by ${via}` });
      } else if (armed) checks.push({ name: `gate ${gateAddr}: armed`, ok: true, detail: `sentinel ${sentinel}` });
    }

    const cfg = (await gate.targetConfig(protectedAddr)) as { adapter: bigint; callee: string; canRelease: boolean; pauseCall: string; unpauseCall: string };
    const adapter = Number(cfg.adapter);
    if (adapter === 0) {
      findings.push({ id: "gate.target-not-registered", severity: "high", title: `${protectedAddr} is not registered on the PauseGate ${gateAddr}`, detail: `${where}: the keeper's sentinelPause would revert (TargetNotRegistered)`, fix: `registerPausable / registerAccessManaged / registerSelectorPair(${protectedAddr}, ...) by a slow-path Call action of the gate's admin` });
      continue;
    }
    const kind = GATE_ADAPTER_NAMES[adapter] ?? `adapter ${adapter}`;
    const callee = getAddress(cfg.callee);
    const grant =
      kind === "Pausable"
        ? `grant ${gateAddr} the role guarding pause()/unpause() on ${callee} (OpenZeppelin AccessControl: grantRole(PAUSER_ROLE, ${gateAddr}) from the role's admin)`
        : kind === "AccessManager"
          ? `on the AccessManager ${callee}: grantRole(0, ${gateAddr}, 0) (setTargetClosed is restricted to ADMIN_ROLE)`
          : `grant ${gateAddr} what ${cfg.pauseCall.slice(0, 10)} needs on ${callee} (Aave V3: ACLManager.addEmergencyAdmin(${gateAddr}))`;

    const pauseWhy = await probe(inp.provider, gateAddr, callee, cfg.pauseCall);
    if (pauseWhy) {
      findings.push({ id: "gate.missing-pause-permission", severity: "high", title: `The PauseGate ${gateAddr} cannot pause ${protectedAddr} (${kind})`, detail: `a call of its pause from the gate reverts: ${pauseWhy}`, fix: grant });
    } else checks.push({ name: `gate ${gateAddr}: may pause ${protectedAddr}`, ok: true, detail: kind });

    if (!cfg.canRelease) {
      findings.push({ id: "gate.cannot-release", severity: "medium", title: `The PauseGate ${gateAddr} cannot release its pauses of ${protectedAddr}`, detail: `registered without the unpause permission: after a pause expires nobody can release() it; only ${protectedAddr}'s own admin can unpause`, fix: `${grant}, then re-register the target with holdsUnpause = true (deregister + register by the slow path)` });
    } else {
      const unpauseWhy = await probe(inp.provider, gateAddr, callee, cfg.unpauseCall);
      if (unpauseWhy) {
        findings.push({ id: "gate.cannot-release", severity: "medium", title: `The PauseGate ${gateAddr} is registered to release ${protectedAddr} but lacks the permission`, detail: `a call of its unpause from the gate reverts: ${unpauseWhy}; release() after expiry would fail`, fix: grant });
      } else checks.push({ name: `gate ${gateAddr}: may release ${protectedAddr}`, ok: true, detail: kind });
    }
  }
  return { findings, checks };
}
