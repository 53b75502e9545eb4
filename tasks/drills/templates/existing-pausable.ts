// Template (e): an EXISTING pausable protocol — one that cannot inherit Breakable but already has a
// pause (OpenZeppelin Pausable, an AccessManager that closes targets, Aave V3's setPoolPause, any
// pair of calls) — rehearsed with the keeper containing through a PauseGate (or, teams that accept
// the risk, calling the protocol's pause directly with the keeper's key). On a fork it attaches to
// the protocol and gate named in the address book; the gate's sentinel is switched to the drill's
// key by impersonating the gate's admin (what the multisig's slow path would do); with no gate in
// the book the template deploys one from the shipped PauseGate artifact and grants it the pause
// power with `grant` calls signed by the impersonated role admin. Then the attack calls, one entry
// per block, and the score: detection, the block the gate's pause landed in, funds saved. When
// the keeper cannot pause (the gate lacks the permission and no `grant` gives it), the drill
// scores detection only and the report says why, as the other templates do.
import { Contract, ContractFactory, getAddress, isAddress } from "ethers";
import { loadArtifact } from "../../../client/artifacts.js";
import { GATE_ADAPTER_NAMES, PAUSE_GATE_ABI, aavePoolPauseCalls } from "../../../client/pause-gate.js";
import type { RuleInput } from "../../../keeper/detectors/schema.js";
import { explainContainRevert, readContained } from "../../../keeper/responders/contain.js";
import { DAY, HOUR } from "../helpers.js";
import { callNow, encodeCall, resolveAddress, resolveArgs, sendCall, type CallSpec } from "../kit.js";
import { DrillSkip, type Expectations, type KeeperSetup, type Scenario } from "../types.js";
import { buildTemplate, type TemplateBase, type TemplateState } from "./common.js";

/** A function and its arguments ("$name" → address, "1e18" → wei). */
export interface FnCall {
  signature: string;
  args?: unknown[];
}

/** How the protocol pauses (the gate's adapter, or the direct call). */
export type PauseHow =
  /** OpenZeppelin Pausable: `target.pause()` / `unpause()`, contained when `paused()`. */
  | { kind: "pausable" }
  /** OpenZeppelin AccessManager: `manager.setTargetClosed(target, true)`, contained when `isTargetClosed(target)`. */
  | { kind: "access-manager"; manager: string }
  /** Aave V3: `target` is the PoolConfigurator, `setPoolPause(true)`; contained when `dataProvider.getPaused(asset)`. */
  | { kind: "aave-v3"; dataProvider: string; asset: string }
  /** Any pair of calls on `target` (Compound-style guardians, `setPaused(bool)`), with the view that says contained. */
  | { kind: "selectors"; pause: FnCall; unpause?: FnCall; containedWhen: FnCall & { target: string; equals?: boolean } };

export interface ExistingPausableParams extends Omit<TemplateBase, "breaker" | "pausePath"> {
  /** The protocol's contract the pause acts on: "$token", "$poolConfigurator", an address. */
  target: string;
  pause: PauseHow;
  /** "gate" (default): the keeper calls a PauseGate's sentinelPause; "direct": the keeper's key calls the protocol's pause itself. */
  via?: "gate" | "direct";
  /** An existing PauseGate ("$gate" of the address book is used when it is named); otherwise the template deploys one. */
  gate?: string;
  /** Who administers an existing gate (impersonated to make the drill's key its sentinel, register the target, arm); default: its admin(). */
  gateAdmin?: string;
  /** Calls that give the gate ("$gate") — or, direct, the drill's contain key ("$containKey") — the protocol's pause power,
   * signed by the impersonated role admin (default sender "$admin"), e.g. grantRole(PAUSER_ROLE, $gate),
   * ACLManager.addEmergencyAdmin($gate). Sent when the template deploys the gate, or when an existing gate cannot pause. */
  grant?: CallSpec[];
  /** The gate's registration: max pause (s, default 1 day), whether it holds the unpause permission (default true). */
  maxDuration?: number;
  holdsUnpause?: boolean;
  /** The pause the keeper asks for (s, default 1 hour). */
  pauseDuration?: number;
  /** Name of the keeper's contain target, for rules of your own (default "protocolPause"). */
  containTarget?: string;
  /** The attack: one entry per block — a call, or several sent into the same block. Default sender "$attacker". */
  attack: (CallSpec | CallSpec[])[];
}

interface Plan {
  target: string;
  via: "gate" | "direct";
  gate: string | null;
  /** The keeper's contain target, resolved (keeper config `responders.contain.targets.<name>`). */
  contain: NonNullable<KeeperSetup["contain"]>["targets"][string];
}

const GATE_PAUSE = "sentinelPause(address,uint64)";
const GATE_ABI = [...PAUSE_GATE_ABI, "function setSentinel(address,uint64)"];

/** Keeper config arguments are strings / numbers / booleans: addresses and amounts resolved. */
const configArgs = (args: unknown[]): (string | number | boolean)[] =>
  args.map((a) => (typeof a === "bigint" ? a.toString() : typeof a === "string" && isAddress(a) ? getAddress(a) : (a as string | number | boolean)));

function checkParams(p: ExistingPausableParams): void {
  if (!p?.target) throw new Error('template existing-pausable: params.target is required (the protocol contract its pause acts on, e.g. "$token")');
  const kinds = ["pausable", "access-manager", "aave-v3", "selectors"];
  if (!p.pause || !kinds.includes(p.pause.kind)) throw new Error(`template existing-pausable: params.pause.kind must be one of ${kinds.join(", ")} (how the protocol pauses)`);
  if (p.pause.kind === "access-manager" && !p.pause.manager) throw new Error('template existing-pausable: params.pause.manager is required for kind "access-manager" (the AccessManager, e.g. "$manager")');
  if (p.pause.kind === "aave-v3" && (!p.pause.dataProvider || !p.pause.asset)) throw new Error('template existing-pausable: params.pause.dataProvider and params.pause.asset are required for kind "aave-v3" (the pause is read from dataProvider.getPaused(asset))');
  if (p.pause.kind === "selectors" && (!p.pause.pause?.signature || !p.pause.containedWhen?.signature || !p.pause.containedWhen.target)) {
    throw new Error('template existing-pausable: kind "selectors" needs pause { signature, args } and containedWhen { target, signature, args } (a view returning bool)');
  }
  if (p.via !== undefined && p.via !== "gate" && p.via !== "direct") throw new Error(`template existing-pausable: params.via ${JSON.stringify(p.via)} must be "gate" or "direct"`);
  if (!Array.isArray(p.attack) || p.attack.length === 0) throw new Error("template existing-pausable: params.attack must be a non-empty list of calls (one entry per block; an entry may be a list sent into one block)");
  if (p.attack.length > 20) throw new Error(`template existing-pausable: params.attack has ${p.attack.length} blocks; keep it to 20`);
  for (const f of ["maxDuration", "pauseDuration"] as const) {
    const v = p[f];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 60)) throw new Error(`template existing-pausable: params.${f} ${v} must be a whole number of seconds >= 60`);
  }
  if ((p.pauseDuration ?? HOUR) > (p.maxDuration ?? DAY)) throw new Error(`template existing-pausable: params.pauseDuration ${p.pauseDuration ?? HOUR} exceeds params.maxDuration ${p.maxDuration ?? DAY}`);
}

/** The protocol's own pause call, the view that says it is paused, and the gate's registration call. */
function pauseCalls(s: TemplateState, p: ExistingPausableParams, target: string, maxDuration: number) {
  const holds = p.holdsUnpause ?? true;
  const how = p.pause;
  const r = (ref: string, field: string) => resolveAddress(ref, s.names, field);
  switch (how.kind) {
    case "pausable":
      return {
        direct: { to: target, function: "pause()", args: [] as (string | number | boolean)[] },
        view: { target, function: "paused()", args: [] as (string | number | boolean)[], equals: true },
        register: { signature: "registerPausable(address,uint64,bool)", args: [target, maxDuration, holds] },
        describe: "OpenZeppelin Pausable: pause()",
      };
    case "access-manager": {
      const manager = r(how.manager, "pause.manager");
      return {
        direct: { to: manager, function: "setTargetClosed(address,bool)", args: [target, true] },
        view: { target: manager, function: "isTargetClosed(address)", args: [target], equals: true },
        register: { signature: "registerAccessManaged(address,address,uint64,bool)", args: [manager, target, maxDuration, holds] },
        describe: `OpenZeppelin AccessManager ${manager}: setTargetClosed(target, true)`,
      };
    }
    case "aave-v3": {
      const { pauseCall, unpauseCall } = aavePoolPauseCalls();
      return {
        direct: { to: target, function: "setPoolPause(bool)", args: [true] },
        view: { target: r(how.dataProvider, "pause.dataProvider"), function: "getPaused(address)", args: [r(how.asset, "pause.asset")], equals: true },
        register: { signature: "registerSelectorPair(address,bytes,bytes,uint64)", args: [target, pauseCall, holds ? unpauseCall : "0x", maxDuration] },
        describe: "Aave V3 PoolConfigurator.setPoolPause(true) (EMERGENCY_ADMIN)",
      };
    }
    case "selectors": {
      const pauseArgs = configArgs(resolveArgs(how.pause.args ?? [], s.names));
      const pauseData = encodeCall(how.pause.signature, pauseArgs);
      const unpauseData = how.unpause && holds ? encodeCall(how.unpause.signature, resolveArgs(how.unpause.args ?? [], s.names)) : "0x";
      return {
        direct: { to: target, function: how.pause.signature, args: pauseArgs },
        view: { target: r(how.containedWhen.target, "pause.containedWhen.target"), function: how.containedWhen.signature, args: configArgs(resolveArgs(how.containedWhen.args ?? [], s.names)), equals: how.containedWhen.equals ?? true },
        register: { signature: "registerSelectorPair(address,bytes,bytes,uint64)", args: [target, pauseData, unpauseData, maxDuration] },
        describe: `${how.pause.signature} on the protocol`,
      };
    }
  }
}

const why = (err: unknown) => {
  const e = err as { shortMessage?: string; message?: string };
  return e.shortMessage ?? e.message?.split("\n")[0] ?? String(err);
};

export function existingPausable(params: ExistingPausableParams): Scenario<TemplateState> {
  checkParams(params);
  const via = params.via ?? "gate";
  const containName = params.containTarget ?? "protocolPause";
  const maxDuration = params.maxDuration ?? DAY;
  const duration = params.pauseDuration ?? HOUR;
  const contain: Expectations = { containWithinBlocks: 1, minSavedPct: 50, maxFalseAlarms: 0 };
  let plan: Plan | null = null;

  // The common part (names, funds, setup calls, background, the default outflow rule) is the
  // shared template's; it must not touch a Breakwater breaker here (auto: false), the pause path is ours.
  const base = buildTemplate<TemplateBase>(
    {
      template: "existing-pausable",
      title: "Existing pausable protocol contained through its own pause",
      incidentClass: "exploit of an already deployed protocol; containment through its own pause (PauseGate)",
      reference: { incident: "Defender's Pause Guardian (Monitor → Relayer pause()), retrofitted", date: "—", loss: "—", url: "" },
      summary: `The attack calls run over ${params.attack.length} block(s); the keeper contains by calling the protocol's own pause ${via === "gate" ? "through a PauseGate (one bounded, expiring pause)" : "directly with its key"}.`,
      contain,
      attack: async (s, ctx) => {
        ctx.record.note(`the attack: ${params.attack.length} block(s) of calls`);
        for (const [i, entry] of params.attack.entries()) {
          for (const c of Array.isArray(entry) ? entry : [entry]) await sendCall(ctx, "malicious", { ...c, note: c.note ?? `attack ${i + 1}: ${c.signature}` }, s.names, "$attacker");
          await ctx.nextBlock();
        }
      },
    },
    { ...params, pausePath: { auto: false } } as TemplateBase,
  );

  /** null when the drill's key can contain; else why not. */
  async function preparePausePath(s: TemplateState): Promise<string | null> {
    const { chain, actors } = s;
    const provider = chain.ethers.provider;
    const sentinel = actors.containKey.address;
    const target = resolveAddress(params.target, s.names, "target");
    if ((await provider.getCode(target)) === "0x") throw new DrillSkip(`target ${params.target} (${target}) has no code at this block: fork at or after its deployment, or pass the right --address-book`);
    const calls = pauseCalls(s, params, target, maxDuration);
    const containedWhen = { ...calls.view };
    const viewSays = async () => {
      const c = new Contract(containedWhen.target, [`function ${containedWhen.function.replace(/^function\s+/, "")} view returns (bool)`], provider);
      return ((await c.getFunction(c.interface.fragments[0] as never).staticCall(...containedWhen.args)) as boolean) === containedWhen.equals;
    };
    try {
      if (await viewSays()) throw new DrillSkip(`${calls.describe}: ${containedWhen.function} on ${containedWhen.target} already says paused at this block: nothing to rehearse (fork a block before the pause)`);
    } catch (err) {
      if (err instanceof DrillSkip) throw err;
      throw new DrillSkip(`the pause view ${containedWhen.function} on ${containedWhen.target} cannot be read (${why(err)}): check params.pause (kind ${params.pause.kind})`);
    }
    s.facts.pauseHow = calls.describe;
    const grant = async () => {
      for (const g of params.grant ?? []) await callNow(chain, g, s.names, "$admin");
      if (params.grant?.length) s.facts.pausePowerGranted = params.grant.map((g) => `${g.signature} by ${g.from ?? "$admin"}`).join("; ");
    };

    if (via === "direct") {
      plan = { target, via, gate: null, contain: { via: "direct", to: calls.direct.to, function: calls.direct.function, args: calls.direct.args, containedWhen } };
      await grant();
      const data = encodeCall(calls.direct.function, calls.direct.args);
      try {
        await provider.call({ from: sentinel, to: calls.direct.to, data });
      } catch (err) {
        return `the drill's keeper key cannot call ${calls.direct.function} on ${calls.direct.to}: ${explainContainRevert(err).reason} (params.grant: give "$containKey" the protocol's pause role, e.g. grantRole(PAUSER_ROLE, $containKey))`;
      }
      s.facts.containment = `scored: the keeper's key calls ${calls.direct.function} on ${calls.direct.to} directly (no gate: no bound on the pause)`;
      return null;
    }

    // ---- through a PauseGate: the book's, or one deployed into this chain
    const gateRef = params.gate ?? (s.names.gate ? "$gate" : undefined);
    let gateAddress: string;
    let deployed = false;
    if (gateRef) {
      gateAddress = resolveAddress(gateRef, s.names, "gate");
      if ((await provider.getCode(gateAddress)) === "0x") throw new DrillSkip(`gate ${gateRef} (${gateAddress}) has no code at this block`);
    } else {
      const art = loadArtifact("PauseGate");
      const admin = resolveAddress("$admin", s.names, "the gate's admin");
      const g = await new ContractFactory(art.abi as never, art.bytecode, actors.localDeployer).deploy(admin, sentinel, HOUR);
      await g.waitForDeployment();
      gateAddress = getAddress(await g.getAddress());
      deployed = true;
      s.facts.gate = `PauseGate ${gateAddress} deployed by the drill (admin ${admin}, the drill's key as sentinel)`;
    }
    s.names.gate = gateAddress;
    const gate = new Contract(gateAddress, GATE_ABI, provider);
    let admin: string;
    try {
      admin = params.gateAdmin ? resolveAddress(params.gateAdmin, s.names, "gateAdmin") : getAddress(String(await gate.getFunction("admin")()));
    } catch (err) {
      if (err instanceof DrillSkip) throw err;
      throw new DrillSkip(`${gateAddress} answers no admin(): is it a PauseGate? (${why(err)})`);
    }
    // The slow path, as the multisig would run it: our key as sentinel, the target registered, armed.
    const asAdmin = gate.connect(await chain.impersonate(admin)) as Contract;
    const adminDid: string[] = [];
    try {
      const st = await gate.getFunction("sentinelState")();
      if (String(st[0]).toLowerCase() !== sentinel.toLowerCase()) {
        await (await asAdmin.getFunction("setSentinel")(sentinel, st[2])).wait();
        adminDid.push(`setSentinel(the drill's key) replacing ${st[0]}`);
      }
      const cfg = await gate.getFunction("targetConfig")(target);
      if (Number(cfg[0]) === 0) {
        await (await asAdmin.getFunction(calls.register.signature)(...calls.register.args)).wait();
        adminDid.push(calls.register.signature.split("(")[0]!);
      } else s.facts.gateAdapter = GATE_ADAPTER_NAMES[Number(cfg[0])] ?? String(cfg[0]);
      const armed = Boolean((await gate.getFunction("sentinelState")())[1]);
      if (!armed) {
        await (await asAdmin.getFunction("armSentinel")()).wait();
        adminDid.push("armSentinel()");
      }
    } catch (err) {
      return `impersonating the gate's admin ${admin} to make the drill's key the sentinel of ${gateAddress} failed (${explainContainRevert(err).reason}): name the gate's admin in params.gateAdmin`;
    }
    if (!deployed) {
      const inBook = Object.values(chain.addressBook?.contracts ?? {}).some((v) => typeof v === "string" && v.toLowerCase() === gateAddress.toLowerCase());
      s.facts.gate = inBook ? `PauseGate ${gateAddress} of the address book` : `PauseGate ${gateAddress} (${gateRef}, named by the scenario)`;
    }
    if (adminDid.length) s.facts.gateAdminImpersonated = `${admin}: ${adminDid.join(", ")}`;
    plan = {
      target,
      via,
      gate: gateAddress,
      contain: { via: "gate", to: gateAddress, function: GATE_PAUSE, args: [target, String(duration)], containedWhen },
    };
    const data = gate.interface.encodeFunctionData("sentinelPause", [target, duration]);
    const simulate = async () => {
      try {
        await provider.call({ from: sentinel, to: gateAddress, data });
        return null;
      } catch (err) {
        return explainContainRevert(err).reason;
      }
    };
    if (deployed) await grant();
    let failed = await simulate();
    if (failed && !deployed && params.grant?.length) {
      await grant();
      failed = await simulate();
    }
    if (failed) return `the gate ${gateAddress} cannot pause ${target}: ${failed} (params.grant: calls by the protocol's role admin that give "$gate" its pause permission)`;
    s.facts.containment = `scored: the keeper contains through PauseGate ${gateAddress}: ${GATE_PAUSE} → ${calls.describe}, ${duration} s`;
    return null;
  }

  const scenario: Scenario<TemplateState> = {
    ...base,
    expectations: { ...contain, ...(params.expectations ?? {}) },
    async setup(chain, actors) {
      plan = null;
      const s = await base.setup(chain, actors);
      s.breaker = "";
      s.noPausePath = await preparePausePath(s);
      if (s.noPausePath) {
        // Detection only: containment cannot be scored where the keeper cannot pause.
        const { containWithinBlocks: _c, minSavedPct: _m, maxLossPct: _l, ...rest } = { ...contain, ...(params.expectations ?? {}) };
        scenario.expectations = { ...rest, mustDetect: true };
        s.facts.containment = `not scored — detection only: ${s.noPausePath}`;
      } else scenario.expectations = { ...contain, ...(params.expectations ?? {}) };
      return s;
    },
    keeper(s) {
      const own = base.keeper(s);
      const team = s.chain.keeperConfig;
      // The shared default rule (an outflow spike of the funds) acts by containing here.
      const toContain = (r: RuleInput): RuleInput => {
        if (r.action !== "pause" || params.rules || team) return r;
        const { pause: _p, ...rest } = r as RuleInput & { pause?: unknown };
        return { ...rest, action: "contain", contain: { target: containName } } as RuleInput;
      };
      const rules = (params.rules ?? own.rules).map(toContain).map((r) => (s.noPausePath && r.act ? ({ ...r, act: false, action: "alert" } as RuleInput) : r));
      return {
        named: own.named,
        rules,
        ...(team?.contracts.breaker ? { breaker: team.contracts.breaker } : {}),
        ...(plan ? { contain: { targets: { [containName]: plan.contain } } } : {}),
      };
    },
    async facts(s) {
      const out = await base.facts!(s);
      if (plan) {
        const now = await readContained(s.chain.ethers.provider, plan.contain.containedWhen).catch(() => null);
        out.protocolPausedAtEnd = now === null ? "unknown (view unreadable)" : now ? "yes" : "no";
      }
      return out;
    },
  };
  return scenario;
}
