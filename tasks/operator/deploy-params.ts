// The parameters file of `npx hardhat breakwater deploy --params <file>`, validated with zod.
// Durations are seconds or "30m" / "2h" / "7d"; amounts are token units as strings ("1000e18").
import { readFileSync, existsSync } from "node:fs";
import { z } from "zod";
import { ActionKind, type ActionKindName } from "../../client/guardian-actions.js";
import { fail } from "../lib/errors.js";
import { parseAmount, parseDuration } from "../lib/validation.js";

const DAY = 86400n;
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x address (40 hex digits)");
const duration = z.union([z.string(), z.number().int().nonnegative()]).transform((v, ctx) => {
  try {
    return parseDuration(v, "duration");
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message.split("\n")[0]! });
    return z.NEVER;
  }
});
const amount = z.union([z.string(), z.number().int().nonnegative()]).transform((v, ctx) => {
  try {
    return parseAmount(v, "amount");
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message.split("\n")[0]! });
    return z.NEVER;
  }
});
const kindName = z.union([
  z.enum(Object.keys(ActionKind) as [ActionKindName, ...ActionKindName[]]),
  z.number().int().min(0).max(20),
]);

const inRange = (v: bigint, min: bigint, max: bigint) => v >= min && v <= max;

export const deployParamsSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    guardians: z.array(address).min(1).max(32),
    multisig: z.object({
      fastThreshold: z.number().int().min(1),
      slowThreshold: z.number().int().min(1),
      slowDelay: duration.refine((v) => inRange(v, DAY, 30n * DAY), "slowDelay must be within 1d..30d (admin kinds need >= 1d)"),
      vetoThreshold: z.number().int().min(1),
      heartbeat: duration.refine((v) => v === 0n || inRange(v, 7n * DAY, 730n * DAY), "heartbeat must be 0 (off) or within 7d..730d"),
      overrides: z
        .array(z.object({ kind: kindName, threshold: z.number().int().min(1), delay: duration }))
        .default([]),
    }),
    breaker: z.object({
      /** Deploy the example ProtectedVault (its own breaker, Breakable mixin). */
      exampleVault: z.boolean().default(false),
      /** Deploy a standalone CircuitBreaker (default: when no example vault). */
      standalone: z.boolean().optional(),
      maxPause: duration.refine((v) => inRange(v, 60n, 30n * DAY), "maxPause must be within 1m..30d"),
      gracePeriod: duration.refine((v) => v <= 7n * DAY, "gracePeriod must be <= 7d"),
      /** Contracts to register with the standalone breaker. */
      protected: z.array(address).default([]),
    }),
    /** The example vault's asset; on local chains a TestToken is deployed when absent. */
    asset: address.optional(),
    testToken: z
      .object({
        name: z.string().default("Test USD"),
        symbol: z.string().default("tUSD"),
        decimals: z.number().int().min(0).max(36).default(18),
        mint: z.array(z.object({ to: address, amount })).default([]),
      })
      .default({}),
    sentinel: z
      .object({
        address,
        maxDuration: duration,
        cooldown: duration.refine((v) => v <= 30n * DAY, "sentinel cooldown must be <= 30d"),
      })
      .optional(),
    limits: z
      .array(
        z.object({
          /** A token address, or "asset" for the example vault's asset. */
          asset: z.union([address, z.literal("asset")]),
          maxCapacity: amount.refine((v) => v > 0n && v < 2n ** 96n, "maxCapacity must be within 1..2^96-1"),
          window: duration.refine((v) => inRange(v, 60n, 30n * DAY), "window must be within 1m..30d"),
          minTvl: amount.default("0"),
          mode: z.enum(["Revert", "Queue"]).default("Revert"),
          settlementDelay: duration.default(0),
          inflowCredit: z.boolean().default(true),
        }),
      )
      .default([]),
    rescue: z.object({
      /** Timelock for new RescueVault destinations. */
      delay: duration.refine((v) => inRange(v, 3600n, 30n * DAY), "rescue.delay must be within 1h..30d"),
    }),
    /** Multicall3 at its canonical address (local chains: runtime code set there). Default: on local chains. */
    multicall3: z.boolean().optional(),
    /** Renounce the deployer's breaker roles at the end (default true). */
    renounceDeployer: z.boolean().default(true),
  })
  .superRefine((p, ctx) => {
    const n = p.guardians.length;
    const lower = p.guardians.map((g) => g.toLowerCase());
    lower.forEach((g, i) => {
      if (BigInt(g) === 0n) ctx.addIssue({ code: "custom", path: ["guardians", i], message: "the zero address cannot be a guardian" });
      if (lower.indexOf(g) !== i) ctx.addIssue({ code: "custom", path: ["guardians", i], message: `duplicate guardian ${p.guardians[i]}` });
    });
    for (const k of ["fastThreshold", "slowThreshold", "vetoThreshold"] as const) {
      if (p.multisig[k] > n) ctx.addIssue({ code: "custom", path: ["multisig", k], message: `${k} ${p.multisig[k]} exceeds the ${n} guardians` });
    }
    p.multisig.overrides.forEach((o, i) => {
      if (o.threshold > n) ctx.addIssue({ code: "custom", path: ["multisig", "overrides", i, "threshold"], message: `threshold ${o.threshold} exceeds the ${n} guardians` });
      const kind = typeof o.kind === "number" ? o.kind : ActionKind[o.kind];
      if (kind >= 15 && o.delay < DAY) ctx.addIssue({ code: "custom", path: ["multisig", "overrides", i, "delay"], message: "admin kinds (15..20) need a delay >= 1d" });
      if (o.delay > 30n * DAY) ctx.addIssue({ code: "custom", path: ["multisig", "overrides", i, "delay"], message: "delay must be <= 30d" });
    });
    if (p.sentinel && (p.sentinel.maxDuration < 60n || p.sentinel.maxDuration > p.breaker.maxPause)) {
      ctx.addIssue({ code: "custom", path: ["sentinel", "maxDuration"], message: "sentinel maxDuration must be within 1m..breaker.maxPause" });
    }
    p.limits.forEach((l, i) => {
      if (l.mode === "Queue" && !inRange(l.settlementDelay, 3600n, 30n * DAY)) {
        ctx.addIssue({ code: "custom", path: ["limits", i, "settlementDelay"], message: "Queue mode needs a settlementDelay within 1h..30d" });
      }
      if (l.mode === "Revert" && l.settlementDelay !== 0n) {
        ctx.addIssue({ code: "custom", path: ["limits", i, "settlementDelay"], message: "Revert mode takes no settlementDelay (0)" });
      }
      if (l.asset === "asset" && !p.breaker.exampleVault) {
        ctx.addIssue({ code: "custom", path: ["limits", i, "asset"], message: '"asset" names the example vault\'s asset: set breaker.exampleVault (or --with-example-vault)' });
      }
    });
  });

export type DeployParams = z.output<typeof deployParamsSchema>;

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
  const parsed = deployParamsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
    return fail(`--params ${file} is invalid:\n${issues}`, "fix the file; durations are seconds or 30m/2h/7d, amounts token units");
  }
  return parsed.data;
}

export function kindId(kind: ActionKindName | number): number {
  return typeof kind === "number" ? kind : ActionKind[kind];
}
