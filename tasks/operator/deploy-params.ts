// The parameters file of `npx hardhat breakwater deploy --params <file>`, validated with zod in full
// before anything touches the chain. Every problem is reported with its field path
// (e.g. `protocol[0].limits[1].asset`) and, for durations and bounds, the allowed range.
// Durations are seconds or "30m" / "2h" / "7d"; amounts are token units as strings ("1000e18").
import { existsSync, readFileSync } from "node:fs";
import { getAddress, isHexString } from "ethers";
import { z } from "zod";
import { ActionKind, type ActionKindName } from "../../client/guardian-actions.js";
import type { BreakwaterPlan, GateTargetPlan, LimitPlan, ProtocolContractPlan } from "../../ignition/modules/breakwater.js";
import { aavePoolPauseCalls } from "../../client/pause-gate.js";
import { fail } from "../lib/errors.js";
import { formatDuration, parseAmount, parseDuration } from "../lib/validation.js";

const MIN = 60n;
const HOUR = 3600n;
const DAY = 86400n;
/** Bounds enforced by the contracts (BreakerCore, GuardianMultisig, RescueVault): checked here first. */
export const BOUNDS = {
  maxPause: [MIN, 30n * DAY],
  gracePeriod: [0n, 7n * DAY],
  window: [MIN, 30n * DAY],
  settlementDelay: [HOUR, 30n * DAY],
  sentinelCooldown: [0n, 30n * DAY],
  slowDelay: [DAY, 30n * DAY],
  heartbeat: [7n * DAY, 730n * DAY],
  overrideDelay: [0n, 30n * DAY],
  rescueDelay: [HOUR, 30n * DAY],
  gateCooldown: [0n, 30n * DAY],
  gateMaxDuration: [MIN, 30n * DAY],
} as const satisfies Record<string, readonly [bigint, bigint]>;
const MAX_U96 = 2n ** 96n - 1n;
/** BreakerCore.MAX_ASSETS: assets with a limit per breaker. */
const MAX_ASSETS = 32;
/** Address-book keys the suite uses; a protocol contract may not take one of these names. */
export const RESERVED_NAMES = ["guardian", "breaker", "vault", "asset", "circuitBreaker", "rescueVault", "migrator", "merkleClaims", "multicall3", "multisig"];

const range = (key: keyof typeof BOUNDS) => `${formatDuration(BOUNDS[key][0])}..${formatDuration(BOUNDS[key][1])}`;

/** An EIP-55 checksummed address (all lower case accepted); the output is checksummed. */
const address = z.string().transform((v, ctx) => {
  if (!isHexString(v, 20)) {
    ctx.addIssue({ code: "custom", message: `"${v}" is not an address: write 0x followed by 40 hex digits` });
    return z.NEVER;
  }
  try {
    return getAddress(v);
  } catch {
    ctx.addIssue({ code: "custom", message: `${v} has a wrong EIP-55 checksum (a typo?): copy the address again from its source, or write it in all lower case` });
    return z.NEVER;
  }
});
// (A refinement also sees values a failed transform left as z.NEVER: check the type first.)
const nonZeroAddress = address.refine((a) => typeof a !== "string" || BigInt(a) !== 0n, "the zero address is not allowed here");

const duration = z.union([z.string(), z.number().int().nonnegative()]).transform((v, ctx) => {
  try {
    return parseDuration(v, "duration");
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `"${v}" is not a duration: write seconds (3600) or 90s / 30m / 2h / 1d / 1w / 1h30m` });
    return z.NEVER;
  }
});
/** A duration within BOUNDS[key]; `zeroOk` also accepts 0 (= off). */
const bounded = (key: keyof typeof BOUNDS, what: string, zeroOk = false) =>
  duration.superRefine((v, ctx) => {
    if (typeof v !== "bigint") return;
    const [lo, hi] = BOUNDS[key];
    if (zeroOk && v === 0n) return;
    if (v < lo || v > hi) ctx.addIssue({ code: "custom", message: `${what} ${formatDuration(v)} is outside the allowed range ${range(key)}${zeroOk ? " (or 0 = off)" : ""}` });
  });
const amount = z.union([z.string(), z.number().int().nonnegative()]).transform((v, ctx) => {
  try {
    return parseAmount(v, "amount");
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message.split("\n")[0]! });
    return z.NEVER;
  }
});
const kindName = z.union([
  z.enum(Object.keys(ActionKind) as [ActionKindName, ...ActionKindName[]]),
  z.number().int().min(0).max(20),
]);

const limit = <A extends z.ZodTypeAny>(assetSchema: A) =>
  z
    .object({
      asset: assetSchema,
      maxCapacity: amount.refine((v) => typeof v !== "bigint" || (v > 0n && v <= MAX_U96), "maxCapacity must be within 1..2^96-1 token units"),
      window: bounded("window", "window"),
      minTvl: amount.default("0"),
      mode: z.enum(["Revert", "Queue"]).default("Revert"),
      settlementDelay: duration.default(0),
      inflowCredit: z.boolean().default(true),
    })
    .strict()
    .superRefine((l, ctx) => {
      const [lo, hi] = BOUNDS.settlementDelay;
      if (l.mode === "Queue" && (l.settlementDelay < lo || l.settlementDelay > hi)) {
        ctx.addIssue({ code: "custom", path: ["settlementDelay"], message: `Queue mode needs a settlementDelay within ${range("settlementDelay")}, got ${formatDuration(l.settlementDelay)}` });
      }
      if (l.mode === "Revert" && l.settlementDelay !== 0n) {
        ctx.addIssue({ code: "custom", path: ["settlementDelay"], message: "Revert mode takes no settlementDelay (0)" });
      }
    });

const hexCall = z.string().refine((v) => isHexString(v) && (v.length === 2 || v.length >= 10), "must be calldata: 0x followed by at least a 4-byte selector (or \"0x\" for none)");
const entryName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, "must be a letter followed by up to 39 letters, digits or _ (it names the contract in the address book and the Ignition journal)")
  .refine((n) => !RESERVED_NAMES.includes(n), `is reserved for the suite (${RESERVED_NAMES.join(", ")})`);

const protocolEntry = z
  .object({
    /** Name in the address book (contracts.<name>) and in Ignition future ids. */
    name: entryName,
    address: nonZeroAddress,
    /** "breakable": inherits Breakable (its own breaker); "standalone": registered with the suite's CircuitBreaker. */
    kind: z.enum(["breakable", "standalone"]),
    limits: z.array(limit(nonZeroAddress)).max(MAX_ASSETS).default([]),
    /** Breakable only: pause bounds to set (default: breaker.maxPause / breaker.gracePeriod). */
    maxPause: bounded("maxPause", "maxPause").optional(),
    gracePeriod: bounded("gracePeriod", "gracePeriod", true).optional(),
  })
  .strict();

/** One protocol pause the gate holds, by adapter (contracts/adapters/PauseAdapters.sol). */
const gateTarget = z.discriminatedUnion("adapter", [
  /** OpenZeppelin Pausable: target.pause() / unpause(); the gate needs the PAUSER role (granted by the protocol's admin). */
  z.object({ adapter: z.literal("pausable"), target: nonZeroAddress, maxDuration: bounded("gateMaxDuration", "maxDuration"), holdsUnpause: z.boolean().default(true) }).strict(),
  /** OpenZeppelin AccessManager: manager.setTargetClosed(target, true / false); the gate needs ADMIN_ROLE on the manager. */
  z.object({ adapter: z.literal("accessManager"), manager: nonZeroAddress, target: nonZeroAddress, maxDuration: bounded("gateMaxDuration", "maxDuration"), holdsUnpause: z.boolean().default(true) }).strict(),
  /** Aave V3: PoolConfigurator.setPoolPause(true / false); the gate needs EMERGENCY_ADMIN (ACLManager.addEmergencyAdmin). */
  z.object({ adapter: z.literal("aaveV3"), poolConfigurator: nonZeroAddress, maxDuration: bounded("gateMaxDuration", "maxDuration") }).strict(),
  /** Any pair of calls on the target (a bespoke setPaused(bool), a Compound-style guardian); unpauseCall "0x" = the gate cannot release. */
  z.object({ adapter: z.literal("selectorPair"), target: nonZeroAddress, pauseCall: hexCall.refine((v) => v.length >= 10, "the pause call needs at least a selector"), unpauseCall: hexCall.default("0x"), maxDuration: bounded("gateMaxDuration", "maxDuration") }).strict(),
]);

/** A PauseGate: deployed with the deployer as admin, targets registered, sentinel armed, then handed to the multisig. */
const pauseGateEntry = z
  .object({
    name: entryName,
    /** The keeper's contain key (signers.contain): a key of its own when the keeper also pauses breakers. */
    sentinel: nonZeroAddress,
    cooldown: bounded("gateCooldown", "cooldown", true),
    targets: z.array(gateTarget).min(1).max(32),
    /** Arm the sentinel at the end of the deployment (default true). */
    arm: z.boolean().default(true),
  })
  .strict();

export const deployParamsSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    guardians: z.array(nonZeroAddress).min(1).max(32),
    multisig: z
      .object({
        fastThreshold: z.number().int().min(1),
        slowThreshold: z.number().int().min(1),
        slowDelay: bounded("slowDelay", "slowDelay"),
        vetoThreshold: z.number().int().min(1),
        heartbeat: bounded("heartbeat", "heartbeat", true),
        overrides: z.array(z.object({ kind: kindName, threshold: z.number().int().min(1), delay: bounded("overrideDelay", "delay", true) }).strict()).default([]),
      })
      .strict(),
    breaker: z
      .object({
        /** Deploy the example ProtectedVault (its own breaker, Breakable mixin). */
        exampleVault: z.boolean().default(false),
        /** Deploy a standalone CircuitBreaker (default: when a protocol contract is "standalone", or nothing else is protected). */
        standalone: z.boolean().optional(),
        /** Pause bounds of the suite's breakers, and of protocol contracts without their own. */
        maxPause: bounded("maxPause", "maxPause"),
        gracePeriod: bounded("gracePeriod", "gracePeriod", true),
        /** Contracts to register with the standalone breaker (prefer protocol entries of kind "standalone"). */
        protected: z.array(nonZeroAddress).default([]),
        /** An already deployed standalone CircuitBreaker (admin: the deployer) to wire instead of deploying one. */
        circuitBreaker: nonZeroAddress.optional(),
      })
      .strict(),
    /** The protocol's own contracts to wire. */
    protocol: z.array(protocolEntry).max(64).default([]),
    /** PauseGates over pauses the protocol already has (retrofit): see README "Protecting a protocol that is already deployed". */
    pauseGates: z.array(pauseGateEntry).max(8).default([]),
    /** The example vault's asset; on local chains a TestToken is deployed when absent. */
    asset: nonZeroAddress.optional(),
    testToken: z
      .object({
        name: z.string().default("Test USD"),
        symbol: z.string().regex(/^[A-Za-z0-9]{1,11}$/, "1..11 letters or digits").default("tUSD"),
        decimals: z.number().int().min(0).max(36).default(18),
        mint: z.array(z.object({ to: nonZeroAddress, amount }).strict()).default([]),
      })
      .strict()
      .default({}),
    sentinel: z
      .object({
        address: nonZeroAddress,
        maxDuration: duration,
        cooldown: bounded("sentinelCooldown", "sentinel cooldown", true),
      })
      .strict()
      .optional(),
    /** Limits of the suite's own breakers (example vault, standalone breaker); "asset" = the example vault's asset. */
    limits: z.array(limit(z.union([nonZeroAddress, z.literal("asset")]))).max(MAX_ASSETS).default([]),
    rescue: z.object({ delay: bounded("rescueDelay", "rescue.delay") }).strict(),
    /** Multicall3 at its canonical address (local chains: runtime code set there). Default: on local chains. */
    multicall3: z.boolean().optional(),
    /** Renounce the deployer's roles at the end (default true). */
    renounceDeployer: z.boolean().default(true),
  })
  .strict()
  .superRefine((p, ctx) => {
    const n = p.guardians.length;
    const seen = new Map<string, number>();
    p.guardians.forEach((g, i) => {
      if (seen.has(g)) ctx.addIssue({ code: "custom", path: ["guardians", i], message: `duplicate guardian ${g} (also guardians[${seen.get(g)}])` });
      else seen.set(g, i);
    });
    for (const k of ["fastThreshold", "slowThreshold", "vetoThreshold"] as const) {
      if (p.multisig[k] > n) ctx.addIssue({ code: "custom", path: ["multisig", k], message: `${k} ${p.multisig[k]} exceeds the ${n} guardians` });
    }
    p.multisig.overrides.forEach((o, i) => {
      if (o.threshold > n) ctx.addIssue({ code: "custom", path: ["multisig", "overrides", i, "threshold"], message: `threshold ${o.threshold} exceeds the ${n} guardians` });
      const kind = typeof o.kind === "number" ? o.kind : ActionKind[o.kind];
      if (kind >= 15 && typeof o.delay === "bigint" && o.delay < DAY) ctx.addIssue({ code: "custom", path: ["multisig", "overrides", i, "delay"], message: `admin kinds (15..20) need a delay of at least 1d, got ${formatDuration(o.delay)}` });
    });

    // The sentinel's pause must fit every breaker it is set on.
    if (p.sentinel) {
      const maxPauses = [p.breaker.maxPause, ...p.protocol.filter((x) => x.kind === "breakable").map((x) => x.maxPause ?? p.breaker.maxPause)];
      const cap = maxPauses.reduce((a, b) => (b < a ? b : a));
      if (typeof cap === "bigint" && typeof p.sentinel.maxDuration === "bigint" && (p.sentinel.maxDuration < MIN || p.sentinel.maxDuration > cap)) {
        ctx.addIssue({ code: "custom", path: ["sentinel", "maxDuration"], message: `sentinel maxDuration ${formatDuration(p.sentinel.maxDuration)} is outside the allowed range 1m..${formatDuration(cap)} (the smallest maxPause of the breakers it is set on)` });
      }
    }

    const dupAssets = (limits: { asset: string }[], path: (string | number)[]) => {
      const at = new Map<string, number>();
      limits.forEach((l, j) => {
        if (at.has(l.asset)) ctx.addIssue({ code: "custom", path: [...path, j, "asset"], message: `${l.asset} already has a limit at ${fieldPath([...path, at.get(l.asset)!])}: one limit per asset and breaker` });
        else at.set(l.asset, j);
      });
    };
    dupAssets(p.limits, ["limits"]);
    p.limits.forEach((l, i) => {
      if (l.asset === "asset" && !p.breaker.exampleVault) {
        ctx.addIssue({ code: "custom", path: ["limits", i, "asset"], message: '"asset" names the example vault\'s asset: set breaker.exampleVault (or pass --with-example-vault)' });
      }
    });

    const names = new Map<string, number>();
    const addrs = new Map<string, number>();
    p.protocol.forEach((e, i) => {
      const lower = e.name.toLowerCase();
      if (names.has(lower)) ctx.addIssue({ code: "custom", path: ["protocol", i, "name"], message: `"${e.name}" is already the name of protocol[${names.get(lower)}]` });
      else names.set(lower, i);
      if (addrs.has(e.address)) ctx.addIssue({ code: "custom", path: ["protocol", i, "address"], message: `${e.address} is already protocol[${addrs.get(e.address)}]` });
      else addrs.set(e.address, i);
      dupAssets(e.limits, ["protocol", i, "limits"]);
      if (e.kind === "standalone" && (e.maxPause !== undefined || e.gracePeriod !== undefined)) {
        ctx.addIssue({ code: "custom", path: ["protocol", i, e.maxPause !== undefined ? "maxPause" : "gracePeriod"], message: "a standalone contract has no pause bounds of its own: the standalone breaker's are breaker.maxPause / breaker.gracePeriod" });
      }
    });
    // Standalone contracts share one breaker: its limits are per asset, protocol-wide.
    const standaloneAsset = new Map<string, string>();
    p.protocol.forEach((e, i) => {
      if (e.kind !== "standalone") return;
      e.limits.forEach((l, j) => {
        const prev = standaloneAsset.get(l.asset);
        if (prev) ctx.addIssue({ code: "custom", path: ["protocol", i, "limits", j, "asset"], message: `${l.asset} already has a limit at ${prev}: standalone contracts share one breaker, whose limits are per asset, protocol-wide` });
        else standaloneAsset.set(l.asset, `protocol[${i}].limits[${j}]`);
      });
    });
    p.limits.forEach((l, i) => {
      if (wantsStandalone(p as DeployParams) && standaloneAsset.has(l.asset)) {
        ctx.addIssue({ code: "custom", path: ["limits", i, "asset"], message: `${l.asset} also has a limit at ${standaloneAsset.get(l.asset)}, on the same standalone breaker: keep one` });
      }
    });
    const gateNames = new Map<string, number>();
    p.pauseGates.forEach((g, i) => {
      const lower = g.name.toLowerCase();
      if (names.has(lower)) ctx.addIssue({ code: "custom", path: ["pauseGates", i, "name"], message: `"${g.name}" is already the name of protocol[${names.get(lower)}]` });
      if (gateNames.has(lower)) ctx.addIssue({ code: "custom", path: ["pauseGates", i, "name"], message: `"${g.name}" is already the name of pauseGates[${gateNames.get(lower)}]` });
      else gateNames.set(lower, i);
      const seenTargets = new Map<string, number>();
      g.targets.forEach((t, j) => {
        const key = gateTargetKey(t);
        if (seenTargets.has(key)) ctx.addIssue({ code: "custom", path: ["pauseGates", i, "targets", j], message: `${key} is already targets[${seenTargets.get(key)}] of this gate: a target is registered once` });
        else seenTargets.set(key, j);
      });
    });
    p.breaker.protected.forEach((a, i) => {
      if (addrs.has(a)) ctx.addIssue({ code: "custom", path: ["breaker", "protected", i], message: `${a} is already protocol[${addrs.get(a)}]` });
    });
    if (p.breaker.standalone === false && p.breaker.circuitBreaker !== undefined) {
      ctx.addIssue({ code: "custom", path: ["breaker", "circuitBreaker"], message: "breaker.circuitBreaker is a standalone breaker: remove breaker.standalone = false" });
    }
    if (p.breaker.standalone === false && (p.breaker.protected.length > 0 || standaloneAsset.size > 0 || p.protocol.some((e) => e.kind === "standalone"))) {
      ctx.addIssue({ code: "custom", path: ["breaker", "standalone"], message: "standalone contracts (protocol kind \"standalone\" or breaker.protected) need the standalone breaker: remove breaker.standalone = false" });
    }
  });

export type DeployParams = z.output<typeof deployParamsSchema>;
type GateTargetParams = z.output<typeof gateTarget>;

/** The address the gate registers a target under (IPauseGate: the protocol contract; Aave: the configurator). */
export function gateTargetKey(t: GateTargetParams): string {
  return t.adapter === "aaveV3" ? t.poolConfigurator : t.target;
}

/** The Ignition registration of one gate target. */
export function toGateTarget(t: GateTargetParams): GateTargetPlan {
  switch (t.adapter) {
    case "pausable":
      return { kind: "pausable", target: t.target, maxDuration: t.maxDuration, holdsUnpause: t.holdsUnpause };
    case "accessManager":
      return { kind: "accessManaged", manager: t.manager, target: t.target, maxDuration: t.maxDuration, holdsUnpause: t.holdsUnpause };
    case "aaveV3": {
      const { pauseCall, unpauseCall } = aavePoolPauseCalls();
      return { kind: "selectorPair", target: t.poolConfigurator, pauseCall, unpauseCall, maxDuration: t.maxDuration };
    }
    case "selectorPair":
      return { kind: "selectorPair", target: t.target, pauseCall: t.pauseCall, unpauseCall: t.unpauseCall, maxDuration: t.maxDuration };
  }
}

/** `a.b[0].c` — the field path as a reader writes it. */
export function fieldPath(path: (string | number)[]): string {
  return path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s === "" ? k : `${s}.${k}`), "") || "(root)";
}

/** Read and validate a parameters file; every problem is listed with its path. */
export function loadDeployParams(file: string, overrides: { withExampleVault?: boolean } = {}): DeployParams {
  if (!file) fail("--params is required", "pass a parameters file, e.g. --params deployments/params/local.json");
  if (!existsSync(file)) fail(`--params ${file}: no such file`, "see deployments/params/local.json for an example");
  let json: any;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return fail(`--params ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (overrides.withExampleVault && json && typeof json === "object") {
    json.breaker = { ...(json.breaker ?? {}), exampleVault: true };
  }
  return parseDeployParams(json, `--params ${file}`);
}

export function parseDeployParams(json: unknown, what = "the deploy parameters"): DeployParams {
  const parsed = deployParamsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  - ${fieldPath(i.path)}: ${i.message}`).join("\n");
    return fail(`${what} are invalid; nothing was sent:\n${issues}`, "fix the file; durations are seconds or 30m/2h/7d, amounts token units, addresses EIP-55 checksummed or all lower case");
  }
  return parsed.data;
}

export function kindId(kind: ActionKindName | number): number {
  return typeof kind === "number" ? kind : ActionKind[kind];
}

/** Whether the deployment has a standalone CircuitBreaker. */
export function wantsStandalone(p: DeployParams): boolean {
  if (p.breaker.circuitBreaker !== undefined) return true;
  if (p.breaker.standalone !== undefined) return p.breaker.standalone;
  return p.breaker.protected.length > 0 || p.protocol.some((e) => e.kind === "standalone") || (!p.breaker.exampleVault && p.protocol.length === 0);
}

/** The protocol entries, with breaker.protected as unnamed standalone entries. */
export function protocolEntries(p: DeployParams): DeployParams["protocol"] {
  return [...p.protocol, ...p.breaker.protected.map((address, i) => ({ name: `protected_${i}`, address, kind: "standalone" as const, limits: [] }))];
}

const toLimit = <A>(l: { asset: A; maxCapacity: bigint; window: bigint; minTvl: bigint; mode: "Revert" | "Queue"; settlementDelay: bigint; inflowCredit: boolean }) => ({
  asset: l.asset,
  maxCapacity: l.maxCapacity,
  window: l.window,
  minTvl: l.minTvl,
  mode: l.mode,
  settlementDelay: l.settlementDelay,
  inflowCredit: l.inflowCredit,
});

/** The Ignition plan (ignition/modules/breakwater.ts) for validated parameters. */
export function toPlan(p: DeployParams, opts: { multicall3: boolean }): BreakwaterPlan {
  const standalone = wantsStandalone(p);
  const protocol: ProtocolContractPlan[] = protocolEntries(p).map((e) => ({
    name: e.name,
    contract: e.address,
    kind: e.kind,
    limits: e.limits.map(toLimit),
    ...(e.kind === "breakable" ? { pauseBounds: { maxPause: e.maxPause ?? p.breaker.maxPause, gracePeriod: e.gracePeriod ?? p.breaker.gracePeriod } } : {}),
  }));
  const plan: BreakwaterPlan = {
    multisig: {
      guardians: p.guardians,
      fastThreshold: p.multisig.fastThreshold,
      slowThreshold: p.multisig.slowThreshold,
      slowDelay: p.multisig.slowDelay,
      vetoThreshold: p.multisig.vetoThreshold,
      heartbeat: p.multisig.heartbeat,
      overrides: p.multisig.overrides.map((o) => ({ kind: kindId(o.kind), threshold: o.threshold, delay: o.delay })),
    },
    rescueDelay: p.rescue.delay,
    pauseBounds: { maxPause: p.breaker.maxPause, gracePeriod: p.breaker.gracePeriod },
    standaloneBreaker: standalone,
    ...(p.breaker.circuitBreaker ? { circuitBreaker: p.breaker.circuitBreaker } : {}),
    ...(p.sentinel ? { sentinel: p.sentinel } : {}),
    protocol,
    // Top-level limits apply to every breaker the suite itself deploys (example vault, standalone).
    suiteLimits: p.limits.map(toLimit),
    renounceDeployer: p.renounceDeployer,
    pauseGates: p.pauseGates.map((g) => ({ name: g.name, sentinel: g.sentinel, cooldown: g.cooldown, arm: g.arm, targets: g.targets.map(toGateTarget) })),
  };
  if (p.breaker.exampleVault) {
    plan.example = { ...(p.asset ? { asset: p.asset } : {}), testToken: p.testToken, pauseBounds: plan.pauseBounds };
  }
  if (opts.multicall3) plan.multicall3 = true;
  return plan;
}
