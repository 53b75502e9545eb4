// Hardhat Ignition modules for the Breakwater suite, and the wiring of a protocol's OWN contracts.
//
// Each factory returns an Ignition module a protocol composes into its own deployment with
// `m.useModule(...)`; `breakwaterModule(plan)` composes them all (what `npx hardhat breakwater deploy`
// runs). Every transaction — deployments AND wiring calls — is an Ignition future, so it is
// journaled: an interrupted deployment resumes from the journal instead of leaving orphans.
//
// Contracts are deployed from Breakwater's own artifacts (client/artifacts.ts: shipped in the
// package), so the user's project never needs to have compiled Breakwater.
//
// Order of the wiring on each breaker (Breakable contract or standalone CircuitBreaker), while the
// deployer still holds its roles: pause bounds → limits → sentinel (armed on set) → rescue vault
// (→ migrator for the example vault) → registerProtected (standalone) → grant DEFAULT_ADMIN /
// EMERGENCY / RECOVERY to the multisig → the deployer renounces all three, last.
import { buildModule, isFuture } from "@nomicfoundation/ignition-core";
import type {
  AccountRuntimeValue,
  ArgumentType,
  CallableContractFuture,
  ContractFuture,
  Future,
  IgnitionModule,
  IgnitionModuleBuilder,
  ModuleParameterRuntimeValue,
} from "@nomicfoundation/ignition-core";
import { loadArtifact, type BreakwaterContractName } from "../../client/artifacts.js";
import { GATE_ADMIN_SELECTORS } from "../../client/pause-gate.js";

/** keccak256 role ids of BreakerCore (AccessControl's DEFAULT_ADMIN_ROLE is zero). */
export const ROLE_IDS = {
  DEFAULT_ADMIN_ROLE: "0x0000000000000000000000000000000000000000000000000000000000000000",
  EMERGENCY_ROLE: "0xbf233dd2aafeb4d50879c4aa5c81e96d92f6e6945c906a58f9f2d1c1631b4b26",
  RECOVERY_ROLE: "0x0acf805600123ef007091da3b3ffb39474074c656c127aa68cb0ffec232a8ff8",
} as const;
export type RoleName = keyof typeof ROLE_IDS;
export const ROLE_NAMES = Object.keys(ROLE_IDS) as RoleName[];

/** An address known now, a contract future of the user's own Ignition module, or a module parameter. */
export type ContractRef = string | ContractFuture<string> | ModuleParameterRuntimeValue<string>;
/** An address known now, or an Ignition account (e.g. `m.getAccount(0)`). */
export type AccountRef = string | AccountRuntimeValue;

/** Breach mode of a limit (BreakerCore.BreachMode). */
export type BreachModeName = "Revert" | "Queue";

/** One outflow limit, in token units and seconds. */
export interface LimitPlan {
  asset: ContractRef;
  maxCapacity: bigint;
  window: bigint;
  minTvl: bigint;
  mode: BreachModeName;
  settlementDelay: bigint;
  inflowCredit: boolean;
}

export interface SentinelPlan {
  address: string;
  maxDuration: bigint;
  cooldown: bigint;
}

export interface PauseBounds {
  maxPause: bigint;
  gracePeriod: bigint;
}

export interface MultisigPlan {
  guardians: string[];
  fastThreshold: number;
  slowThreshold: number;
  slowDelay: bigint;
  vetoThreshold: number;
  heartbeat: bigint;
  /** Policy overrides (GuardianActions kind id). */
  overrides: { kind: number; threshold: number; delay: bigint }[];
}

/**
 * A breaker the multisig takes over: a contract inheriting `Breakable` (deployed with the deployer
 * as admin, by the user or by a future of their module), or a standalone CircuitBreaker.
 */
export interface BreakerWiring {
  /** Name in the address book and in future ids: letters, digits, `_`; starts with a letter. */
  name: string;
  contract: ContractRef;
  /** "breakable" (a Breakable contract) or "circuitBreaker" (a standalone CircuitBreaker). */
  type: "breakable" | "circuitBreaker";
  limits: LimitPlan[];
  /** Call setPauseBounds (skip when the constructor already set these). */
  pauseBounds?: PauseBounds;
  /** setRescueVault(rescueVault) — Breakable contracts only. */
  setRescueVault: boolean;
  /** setMigrator(migrator) — the example ProtectedVault only. */
  setMigrator?: boolean;
  /** Contracts to registerProtected — circuit breakers only. */
  register?: { name: string; contract: ContractRef }[];
}

export interface WiringPlan {
  /** Module id (default "BreakwaterWiring"). */
  id?: string;
  multisig: ContractFuture<string>;
  rescueVault: ContractFuture<string>;
  migrator?: ContractFuture<string>;
  /** The key sending the wiring calls: holds the roles it hands over, renounces them last. */
  deployer: AccountRef;
  breakers: BreakerWiring[];
  sentinel?: SentinelPlan;
  renounceDeployer: boolean;
}

const art = (name: BreakwaterContractName) => loadArtifact(name) as never;
const MODE = { Revert: 0, Queue: 1 } as const;

/** A standalone CircuitBreaker whose admin is `admin` (default: account 0, the deployer). */
export function circuitBreakerModule(opts: { id?: string; admin?: AccountRef } & PauseBounds): IgnitionModule<string, string, { circuitBreaker: ContractFuture<string> }> {
  return buildModule(opts.id ?? "BreakwaterCircuitBreaker", (m) => {
    const circuitBreaker = m.contract("CircuitBreaker", art("CircuitBreaker"), [opts.admin ?? m.getAccount(0), opts.maxPause, opts.gracePeriod], { id: "CircuitBreaker" });
    return { circuitBreaker };
  });
}

/** The guardian multisig, managing `managed` (breakers, Breakable contracts) from its constructor: no
 * slow SetManaged is needed before the first guardian action. */
export function guardianMultisigModule(opts: { id?: string; multisig: MultisigPlan; managed: ContractRef[]; allowedCalls?: { target: ContractRef; selector: string }[] }): IgnitionModule<string, string, { multisig: ContractFuture<string> }> {
  return buildModule(opts.id ?? "BreakwaterGuardianMultisig", (m) => {
    const p = opts.multisig;
    const init = {
      guardians: p.guardians,
      fastThreshold: p.fastThreshold,
      slowThreshold: p.slowThreshold,
      slowDelay: p.slowDelay,
      vetoThreshold: p.vetoThreshold,
      heartbeatPeriod: p.heartbeat,
      managed: opts.managed,
      overrides: p.overrides.map((o) => ({ kind: o.kind, threshold: o.threshold, delay: o.delay })),
      allowedCalls: (opts.allowedCalls ?? []).map((c) => ({ target: c.target, selector: c.selector })),
    } as unknown as ArgumentType;
    const multisig = m.contract("GuardianMultisig", art("GuardianMultisig"), [init], { id: "GuardianMultisig" });
    return { multisig };
  });
}

/** RescueVault (destinations under the multisig's timelock), PositionMigrator and MerkleClaims, all
 * administered by the multisig. */
export function migrationModule(opts: { id?: string; multisig: ContractRef; rescueDelay: bigint }) {
  return buildModule(opts.id ?? "BreakwaterMigration", (m) => {
    const rescueVault = m.contract("RescueVault", art("RescueVault"), [opts.multisig, opts.rescueDelay], { id: "RescueVault" });
    const migrator = m.contract("PositionMigrator", art("PositionMigrator"), [opts.multisig], { id: "PositionMigrator" });
    const merkleClaims = m.contract("MerkleClaims", art("MerkleClaims"), [opts.multisig], { id: "MerkleClaims" });
    return { rescueVault, migrator, merkleClaims };
  });
}

export interface ExamplePlan {
  id?: string;
  /** The vault's ERC-20; a TestToken is deployed when absent (local chains only). */
  asset?: string;
  testToken: { name: string; symbol: string; decimals: number; mint: { to: string; amount: bigint }[] };
  pauseBounds: PauseBounds;
}

/** The example ProtectedVault (Breakable, admin = account 0) and, on local chains, its TestToken.
 * Never for production: it is how users learn the integration. */
export function exampleModule(plan: ExamplePlan) {
  return buildModule(plan.id ?? "BreakwaterExample", (m) => {
    const results: Record<string, ContractFuture<string>> = {};
    let asset: ContractRef;
    if (plan.asset === undefined) {
      const t = plan.testToken;
      const token = m.contract("TestToken", art("TestToken"), [t.name, t.symbol, t.decimals], { id: "TestToken" });
      t.mint.forEach((x, i) => m.call(token, "mint", [x.to, x.amount], { id: `TestToken_mint_${i}` }));
      results.asset = token;
      asset = token;
    } else {
      asset = plan.asset;
    }
    results.vault = m.contract(
      "ProtectedVault",
      art("ProtectedVault"),
      [asset, `Breakwater ${plan.testToken.symbol} Vault`, `bw${plan.testToken.symbol}`, m.getAccount(0), plan.pauseBounds.maxPause, plan.pauseBounds.gracePeriod],
      { id: "ProtectedVault" },
    );
    return results;
  });
}

/**
 * Wire breakers to the suite and hand them to the multisig: limits per asset, sentinel (armed),
 * rescue vault, pause bounds, registrations; then DEFAULT_ADMIN / EMERGENCY / RECOVERY granted to
 * the multisig and renounced by the deployer. Every call is a journaled future.
 */
export function wiringModule(plan: WiringPlan) {
  return buildModule(plan.id ?? "BreakwaterWiring", (m) => {
    const results: Record<string, ContractFuture<string>> = {};
    for (const b of plan.breakers) {
      const c = attach(m, b.name, b.type === "circuitBreaker" ? "CircuitBreaker" : "Breakable", b.contract);
      if (!isFuture(b.contract)) results[b.name] = c;
      const wired: Future[] = [];
      const call = (what: string, fn: string, args: ArgumentType[], after: Future[] = []) => {
        const f = m.call(c, fn, args, { id: `${b.name}_${what}`, after });
        wired.push(f);
        return f;
      };
      const bounds = b.pauseBounds ? call("setPauseBounds", "setPauseBounds", [b.pauseBounds.maxPause, b.pauseBounds.gracePeriod]) : undefined;
      b.limits.forEach((l, i) => call(`setLimit_${i}`, "setLimit", [l.asset, limitConfig(l)]));
      if (plan.sentinel) call("setSentinel", "setSentinel", [plan.sentinel.address, plan.sentinel.maxDuration, plan.sentinel.cooldown], bounds ? [bounds] : []);
      if (b.setRescueVault) call("setRescueVault", "setRescueVault", [plan.rescueVault]);
      if (b.setMigrator) {
        if (!plan.migrator) throw new Error(`breakwater wiring: ${b.name} sets a migrator but no migrator was given`);
        call("setMigrator", "setMigrator", [plan.migrator]);
      }
      for (const r of b.register ?? []) call(`registerProtected_${r.name}`, "registerProtected", [r.contract]);
      const grants = ROLE_NAMES.map((role) => call(`grant_${role}`, "grantRole", [ROLE_IDS[role], plan.multisig]));
      if (plan.renounceDeployer) {
        // Last: every call above needs one of these roles. DEFAULT_ADMIN goes after the grants.
        const before = [...wired];
        for (const role of ["EMERGENCY_ROLE", "RECOVERY_ROLE", "DEFAULT_ADMIN_ROLE"] as const) {
          m.call(c, "renounceRole", [ROLE_IDS[role], plan.deployer], { id: `${b.name}_renounce_${role}`, after: [...before, ...grants] });
        }
      }
    }
    return results;
  });
}

function attach(m: IgnitionModuleBuilder, name: string, artifact: "Breakable" | "CircuitBreaker", contract: ContractRef): CallableContractFuture<string> {
  if (isFuture(contract)) return contract as CallableContractFuture<string>;
  return m.contractAt(artifact, art(artifact), contract as string | ModuleParameterRuntimeValue<string>, { id: name }) as CallableContractFuture<string>;
}

function limitConfig(l: LimitPlan): ArgumentType {
  return {
    maxCapacity: l.maxCapacity,
    window: l.window,
    minTvl: l.minTvl,
    mode: MODE[l.mode],
    settlementDelay: l.settlementDelay,
    inflowCredit: l.inflowCredit,
  };
}

/** One pause the gate holds (IPauseGate's register functions). */
export type GateTargetPlan =
  | { kind: "pausable"; target: ContractRef; maxDuration: bigint; holdsUnpause: boolean }
  | { kind: "accessManaged"; manager: ContractRef; target: ContractRef; maxDuration: bigint; holdsUnpause: boolean }
  | { kind: "selectorPair"; target: ContractRef; pauseCall: string; unpauseCall: string; maxDuration: bigint };

/** A PauseGate over pauses a protocol already has (retrofit). */
export interface PauseGatePlan {
  /** Name in the address book and in future ids. */
  name: string;
  /** The keeper's contain key. */
  sentinel: string;
  cooldown: bigint;
  targets: GateTargetPlan[];
  /** armSentinel() before the handover. */
  arm: boolean;
}

/**
 * A PauseGate deployed with the deployer as its admin, its targets registered and its sentinel
 * armed; with `admin`, handed to it (the guardian multisig) with setAdmin, last — without, the
 * caller hands it over (breakwaterModule does, once the multisig that allow-lists the gate's
 * selectors from its constructor exists). The gate does not need the protocol's pause permission
 * to register: the protocol's own admin grants it (readiness probes it). Every call is a
 * journaled future.
 */
export function pauseGateModule(opts: { id?: string; gate: PauseGatePlan; admin?: ContractRef; deployer?: AccountRef; after?: Future[] }) {
  const g = opts.gate;
  return buildModule(opts.id ?? `BreakwaterGate_${g.name}`, (m) => {
    const gate = m.contract("PauseGate", art("PauseGate"), [opts.deployer ?? m.getAccount(0), g.sentinel, g.cooldown], { id: `${g.name}_PauseGate`, after: opts.after ?? [] });
    const steps: Future[] = g.targets.map((t, i) => {
      const id = `${g.name}_register_${i}`;
      if (t.kind === "pausable") return m.call(gate, "registerPausable", [t.target, t.maxDuration, t.holdsUnpause], { id });
      if (t.kind === "accessManaged") return m.call(gate, "registerAccessManaged", [t.manager, t.target, t.maxDuration, t.holdsUnpause], { id });
      return m.call(gate, "registerSelectorPair", [t.target, t.pauseCall, t.unpauseCall, t.maxDuration], { id });
    });
    if (g.arm) steps.push(m.call(gate, "armSentinel", [], { id: `${g.name}_armSentinel`, after: [...steps] }));
    if (opts.admin !== undefined) m.call(gate, "setAdmin", [opts.admin], { id: `${g.name}_setAdmin`, after: steps });
    return { gate };
  });
}

/** A protocol contract of the user's to wire. */
export interface ProtocolContractPlan {
  name: string;
  contract: ContractRef;
  /** "breakable": it inherits Breakable (its own breaker); "standalone": registered with the
   * standalone CircuitBreaker (its limits go on that breaker, protocol-wide per asset). */
  kind: "breakable" | "standalone";
  limits: LimitPlan[];
  /** Breakable only: setPauseBounds to these (default: the plan's `pauseBounds`). */
  pauseBounds?: PauseBounds;
}

/** Everything `breakwaterModule` deploys and wires. Amounts in token units, durations in seconds. */
export interface BreakwaterPlan {
  /** Root module id (default "Breakwater"); sub-modules are `<id>CircuitBreaker`, `<id>GuardianMultisig`… */
  id?: string;
  multisig: MultisigPlan;
  rescueDelay: bigint;
  /** Bounds of the standalone breaker, and of Breakable contracts without their own. */
  pauseBounds: PauseBounds;
  /** Deploy a standalone CircuitBreaker (needed by "standalone" protocol contracts). */
  standaloneBreaker: boolean;
  /** Use this standalone CircuitBreaker (admin: the deployer) instead of deploying one: an address, or
   * the future of `circuitBreakerModule` when the protocol's contracts need its address to deploy. */
  circuitBreaker?: ContractRef;
  sentinel?: SentinelPlan;
  protocol: ProtocolContractPlan[];
  /** Local chains: the example ProtectedVault (+ TestToken, Multicall3). */
  example?: ExamplePlan;
  /** Limits of the breakers the suite deploys itself (example vault, standalone breaker); the
   * asset "asset" is the example vault's asset. */
  suiteLimits?: (Omit<LimitPlan, "asset"> & { asset: ContractRef | "asset" })[];
  /** Deploy a Multicall3 (local chains: the task then copies its code to the canonical address). */
  multicall3?: boolean;
  renounceDeployer: boolean;
  /** PauseGates over the protocol's own pauses, handed to the multisig. */
  pauseGates?: PauseGatePlan[];
}

/** Deploy the whole suite and wire the protocol's contracts: what `breakwater deploy` runs. */
export function breakwaterModule(plan: BreakwaterPlan) {
  const id = plan.id ?? "Breakwater";
  return buildModule(id, (m) => {
    const results: Record<string, ContractFuture<string>> = {};
    const breakers: BreakerWiring[] = [];
    let assetRef: ContractRef | undefined;
    const suiteLimits = (): LimitPlan[] =>
      (plan.suiteLimits ?? []).map((l) => {
        if (l.asset !== "asset") return { ...l, asset: l.asset };
        if (assetRef === undefined) throw new Error('breakwater: a limit names "asset" but there is no example vault');
        return { ...l, asset: assetRef };
      });
    if (plan.example) {
      const ex = m.useModule(exampleModule({ ...plan.example, id: `${id}Example` })) as Record<string, ContractFuture<string>>;
      Object.assign(results, ex);
      assetRef = ex.asset ?? plan.example.asset!;
      breakers.push({
        name: "vault",
        contract: ex.vault!,
        type: "breakable",
        limits: suiteLimits(),
        setRescueVault: true,
        setMigrator: true,
      });
    }
    for (const p of plan.protocol.filter((x) => x.kind === "breakable")) {
      breakers.push({ name: p.name, contract: p.contract, type: "breakable", limits: p.limits, pauseBounds: p.pauseBounds ?? plan.pauseBounds, setRescueVault: true });
    }
    const standalone = plan.protocol.filter((x) => x.kind === "standalone");
    if (plan.standaloneBreaker || standalone.length > 0) {
      const circuitBreaker = plan.circuitBreaker ?? m.useModule(circuitBreakerModule({ id: `${id}CircuitBreaker`, ...plan.pauseBounds })).circuitBreaker;
      if (isFuture(circuitBreaker)) results.circuitBreaker = circuitBreaker as ContractFuture<string>;
      breakers.push({
        name: "circuitBreaker",
        contract: circuitBreaker,
        type: "circuitBreaker",
        limits: [...suiteLimits(), ...standalone.flatMap((p) => p.limits)],
        ...(plan.circuitBreaker !== undefined ? { pauseBounds: plan.pauseBounds } : {}),
        setRescueVault: false,
        register: standalone.map((p) => ({ name: p.name, contract: p.contract })),
      });
    }
    // PauseGates first (deployer as admin: register, arm), so the multisig allow-lists their admin
    // selectors from its constructor; after the example's contracts, which keep their well-known
    // local addresses. Handed to the multisig below, last.
    const exampleFutures = Object.values(results).filter(isFuture) as Future[];
    const gates = (plan.pauseGates ?? []).map((g) => {
      const mod = pauseGateModule({ id: `${id}Gate_${g.name}`, gate: g, after: exampleFutures });
      const sub = m.useModule(mod);
      results[g.name] = sub.gate;
      return { g, sub, mod };
    });
    const allowedCalls = gates.flatMap(({ sub }) => GATE_ADMIN_SELECTORS.map((selector) => ({ target: sub.gate, selector })));
    const { multisig } = m.useModule(guardianMultisigModule({ id: `${id}GuardianMultisig`, multisig: plan.multisig, managed: breakers.map((b) => b.contract), allowedCalls }));
    for (const { g, sub, mod } of gates) m.call(sub.gate, "setAdmin", [multisig], { id: `${g.name}_setAdmin`, after: [mod] });
    const migration = m.useModule(migrationModule({ id: `${id}Migration`, multisig, rescueDelay: plan.rescueDelay }));
    const wired = m.useModule(
      wiringModule({
        id: `${id}Wiring`,
        multisig,
        rescueVault: migration.rescueVault,
        migrator: migration.migrator,
        deployer: m.getAccount(0),
        breakers,
        sentinel: plan.sentinel,
        renounceDeployer: plan.renounceDeployer,
      }),
    ) as Record<string, ContractFuture<string>>;
    // After the multisig, so a fresh local node keeps the example's well-known addresses (TestToken at
    // the deployer's nonce 0, the vault at nonce 1), as configs written for `npm run deploy:local` expect.
    if (plan.multicall3) results.multicall3 = m.contract("Multicall3", art("Multicall3"), [], { id: "Multicall3", after: [multisig] });
    return { ...results, ...wired, multisig, ...migration };
  });
}
