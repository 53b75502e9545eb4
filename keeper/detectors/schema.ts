// One rule of the keeper's config: what to watch (a detector), how bad it is (severity), what
// to do (action; only rules marked `act` do it on their own), how often (cooldown) and what an
// evaluation error means (fail-open / fail-closed). Validated with zod at start; every field
// that names an address also accepts "$name" (resolved from `contracts.named`).
import { z } from "zod";
import { addressOrName } from "../config/fields.js";

/** fail-closed rules act after this many consecutive blocks whose evaluation failed. */
export const DEFAULT_FAIL_CLOSED_AFTER = 3;

/** A rule's onError as { mode, afterConsecutiveErrors }. */
export function onErrorOf(rule: { onError?: "fail-open" | "fail-closed" | { mode: "fail-open" | "fail-closed"; afterConsecutiveErrors?: number } } | undefined): { mode: "fail-open" | "fail-closed"; afterConsecutiveErrors: number } {
  const o = rule?.onError ?? "fail-open";
  if (typeof o === "string") return { mode: o, afterConsecutiveErrors: DEFAULT_FAIL_CLOSED_AFTER };
  return { mode: o.mode, afterConsecutiveErrors: o.afterConsecutiveErrors ?? DEFAULT_FAIL_CLOSED_AFTER };
}

export const addressRe = /^0x[0-9a-fA-F]{40}$/;
const bytes32Re = /^0x[0-9a-fA-F]{64}$/;

/** A 0x address or a "$name" (contracts.named / the address book). */
export const addressRef = addressOrName;

/** A literal in a condition. Big numbers go as strings: "1000000000000000000000", "0x...", "1000e18". */
export const literal = z.union([
  z.string(),
  z.number().refine(Number.isSafeInteger, "numbers above 2^53 must be written as strings"),
  z.boolean(),
]);
export type Literal = z.infer<typeof literal>;

/** contains / starts_with / ends_with: case-insensitive on the text (strings, hex data, addresses). */
export const comparisonOps = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "contains", "starts_with", "ends_with"] as const;
export type ComparisonOp = (typeof comparisonOps)[number];

/** A test of one argument: by name ("assets") or position (0, "$0"). */
export interface ArgCondition {
  arg: string | number;
  op: ComparisonOp;
  value: Literal | Literal[];
}
export type Condition = ArgCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

const argCondition = z
  .object({
    arg: z.union([z.string().min(1), z.number().int().min(0)]),
    op: z.enum(comparisonOps),
    value: z.union([literal, z.array(literal)]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const isList = Array.isArray(c.value);
    if ((c.op === "in" || c.op === "nin") !== isList) {
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: `op "${c.op}" needs ${isList ? "a single value" : "a list of values"}`,
      });
    }
  });

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    argCondition,
    z.object({ all: z.array(conditionSchema).min(1) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1) }).strict(),
    z.object({ not: conditionSchema }).strict(),
  ]),
) as z.ZodType<Condition>;

/** An event or function signature: canonical "Withdraw(address,address,address,uint256,uint256)" or
 *  human-readable with names / indexed flags "Transfer(address indexed from, address indexed to, uint256 value)". */
const signature = z
  .string()
  .regex(/^\s*(event\s+|function\s+)?[A-Za-z_$][A-Za-z0-9_$]*\s*\(.*\)\s*$/s, 'must look like "Name(type,type)"');

const oneOrMany = z.union([addressRef, z.array(addressRef).min(1)]);

// ---------------------------------------------------------------- (a) matcher

export const matcherSchema = z
  .object({
    kind: z.literal("matcher"),
    /** Contracts watched: events default to logs from these, functions to calls to these. Empty = any. */
    addresses: z.array(addressRef).default([]),
    /** Optional ABI (JSON fragments or human-readable strings) giving argument names / indexed flags. */
    abi: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).optional(),
    events: z
      .array(z.object({ signature, address: oneOrMany.optional(), where: conditionSchema.optional() }).strict())
      .default([]),
    functions: z
      .array(
        z
          .object({
            signature,
            to: oneOrMany.optional(),
            where: conditionSchema.optional(),
            status: z.enum(["success", "failed", "any"]).default("any"),
          })
          .strict(),
      )
      .default([]),
    /** Transaction conditions on from / to / value / nonce / input / hash / selector / createdContract. */
    transactions: z
      .array(
        z.object({ status: z.enum(["success", "failed", "any"]).default("any"), where: conditionSchema.optional() }).strict(),
      )
      .default([]),
    /** What makes two matches "the same incident": "address" (contract), "from", "to", "tx", "arg:<name>". */
    fingerprintBy: z.array(z.string().regex(/^(address|from|to|tx|arg:.+)$/)).default(["address"]),
  })
  .strict();

// ---------------------------------------------------------------- (b) invariant

/** A view call: `target.signature(args)` returning `returns` (default uint256). */
export const callSpec = z
  .object({
    target: addressRef,
    signature,
    args: z.array(z.union([literal, z.array(literal)])).default([]),
    returns: z.string().default("uint256"),
  })
  .strict();
export type CallSpec = z.output<typeof callSpec>;

const cmpOps = ["eq", "neq", "gt", "gte", "lt", "lte"] as const;

export const invariantSpec = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("view-compare"),
      target: addressRef,
      signature,
      args: z.array(z.union([literal, z.array(literal)])).default([]),
      returns: z.string().default("uint256"),
      /** The invariant that must HOLD: `call op value` (or `call op other`). */
      op: z.enum(cmpOps),
      value: literal.optional(),
      other: callSpec.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal("share-price-drop"),
      /** ERC-4626 vault: convertToAssets(shareUnit) must not drop more than maxDropBps between blocks. */
      vault: addressRef,
      maxDropBps: z.number().int().min(0).max(10_000),
      /** Share amount priced (default 10^decimals, decimals default 18). */
      decimals: z.number().int().min(0).max(36).default(18),
    })
    .strict(),
  z
    .object({
      type: z.literal("balance-covers"),
      /** token.balanceOf(holder) >= call (e.g. vault.totalAssets()). */
      token: addressRef,
      holder: addressRef,
      call: callSpec,
      /** Allowed shortfall in bps of the call's value (rounding). */
      toleranceBps: z.number().int().min(0).max(10_000).default(0),
    })
    .strict(),
  z
    .object({
      type: z.literal("custom"),
      /** Name of an invariant registered with createDetectors(..., { invariants }). */
      name: z.string().min(1).optional(),
      /** Or the definition itself (TypeScript configs): defineInvariant({ calls, check }). */
      definition: z
        .custom<{ calls: unknown; check: (...a: never[]) => unknown }>(
          (v) => typeof v === "object" && v !== null && typeof (v as { check?: unknown }).check === "function",
          "must be a defineInvariant({ calls, check }) object",
        )
        .optional(),
      params: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
]);
export type InvariantSpec = z.output<typeof invariantSpec>;

export const invariantDetectorSchema = z.object({ kind: z.literal("invariant"), invariant: invariantSpec }).strict();

// ---------------------------------------------------------------- (c) statistic

export const statisticSchema = z
  .object({
    kind: z.literal("statistic"),
    /** ERC-20 whose outflows from `holder` are measured (Transfer logs). */
    token: addressRef,
    holder: addressRef,
    /** TVL view (default token.balanceOf(holder), reconstructed to the block's start). */
    tvl: callSpec.optional(),
    /** Counterparties whose transfers are not outflows (e.g. the escrow, a migrator). */
    exclude: z.array(addressRef).default([]),
    /** EWMA weight of the newest block (0..1). */
    alpha: z.number().gt(0).lte(1).default(0.1),
    /** Rolling window (blocks) for the median / MAD baseline. */
    window: z.number().int().min(10).max(100_000).default(200),
    /** Blocks observed before any alert. */
    warmupBlocks: z.number().int().min(1).default(50),
    /** Robust z-score threshold. */
    zThreshold: z.number().positive().default(6),
    /** Sustained-outflow alert needs the EWMA share above this (fraction of TVL per block). */
    minShare: z.number().min(0).max(1).default(0.002),
    /** Single-block alert needs the block's outflow above this (fraction of TVL). */
    spikeShare: z.number().min(0).max(1).default(0.05),
    /** One block contributes at most this share to the EWMA (a whale moves it by alpha*clip at most). */
    clipShare: z.number().gt(0).max(1).default(0.01),
    /** Floor of the robust scale (fraction of TVL), so quiet pools do not divide by ~0. */
    scaleFloor: z.number().positive().default(0.0005),
  })
  .strict();

// ---------------------------------------------------------------- (d) attack-stage

export const flashLoanPresets = [
  "aave-v3",
  "aave-v2",
  "balancer-v2",
  "uniswap-v3-flash",
  "morpho-blue",
  "uniswap-v2-flash-swap",
] as const;

export const attackSignal = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("fresh-deployer"),
      /** Funding (a value transfer to the deployer) must be this recent. At least one of the two. */
      withinBlocks: z.number().int().positive().optional(),
      withinSeconds: z.number().int().positive().optional(),
      /** The deployment tx's nonce must be <= this. */
      maxNonce: z.number().int().min(0).default(2),
      /** Require an observed funding transfer in the window (else nonce alone suffices). */
      requireFunding: z.boolean().default(true),
      minFundingWei: z.string().regex(/^\d+$/).default("0"),
      /** If set: fire when the fresh contract / deployer touches one of these, not at deployment. */
      protected: z.array(addressRef).default([]),
      /** How long a fresh contract stays "fresh" (blocks) for the protected mode. */
      trackBlocks: z.number().int().positive().default(1_000),
    })
    .strict(),
  z
    .object({
      type: z.literal("flash-loan"),
      presets: z.array(z.enum(flashLoanPresets)).default([...flashLoanPresets]),
      /** Extra flash-loan events (human-readable signatures), optionally from one address. */
      events: z.array(z.object({ signature, address: oneOrMany.optional() }).strict()).default([]),
      /** If set: only transactions that also touch one of these (logs or tx.to). */
      protected: z.array(addressRef).default([]),
    })
    .strict(),
  z
    .object({
      type: z.literal("fresh-approval"),
      /** Protected assets (ERC-20) whose Approval to a fresh contract is a signal. */
      tokens: z.array(addressRef).min(1),
      /** A contract created within this many blocks counts as fresh. */
      contractAgeBlocks: z.number().int().positive().default(100),
    })
    .strict(),
]);
export type AttackSignal = z.output<typeof attackSignal>;

export const attackStageSchema = z.object({ kind: z.literal("attack-stage"), signal: attackSignal }).strict();

// ---------------------------------------------------------------- the rule

export const detectorSchema = z.discriminatedUnion("kind", [
  matcherSchema,
  invariantDetectorSchema,
  statisticSchema,
  attackStageSchema,
]);

export const scopeNames = ["GLOBAL", "DEPOSIT", "WITHDRAW", "BORROW", "LIQUIDATION", "TRADE"] as const;
export type ScopeName = (typeof scopeNames)[number];

export const scopeSpec = z.union([
  z.enum(scopeNames),
  z.string().regex(bytes32Re, "must be a scope name or a 0x-prefixed bytes32"),
  /** An asset scope; "finding" = the asset named by the finding (e.g. the statistic's token). */
  z.object({ asset: z.union([addressRef, z.literal("finding")]) }).strict(),
]);
export type ScopeSpec = z.output<typeof scopeSpec>;

export const pauseSpec = z
  .object({
    scope: scopeSpec,
    durationSeconds: z.number().int().min(60).max(30 * 86_400),
    /** The breaker to pause (default: contracts.breaker). */
    breaker: addressRef.optional(),
  })
  .strict();

const ruleObject = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$/, "letters, digits, _ . : - (max 80)"),
    description: z.string().default(""),
    enabled: z.boolean().default(true),
    severity: z.enum(["P1", "P2", "P3", "P4"]),
    action: z.enum(["alert", "propose", "pause", "contain"]).default("alert"),
    /** Only rules marked to act pause / propose on their own; the others alert. */
    act: z.boolean().default(false),
    cooldown: z
      .object({ blocks: z.number().int().min(0).optional(), seconds: z.number().int().min(0).optional() })
      .strict()
      .default({}),
    /** fail-closed: an evaluation error is a finding of this rule; fail-open: logged and alerted, no action. */
    /**
     * What an evaluation error (RPC, revert) means. "fail-open": alert, never act. "fail-closed":
     * a detection of the rule (it acts) once the rule failed on `afterConsecutiveErrors`
     * consecutive blocks (default 3, so one RPC blip does not pause); the errors before alert.
     * `{ mode: "fail-closed", afterConsecutiveErrors: 1 }` acts on the first error.
     */
    onError: z
      .union([
        z.enum(["fail-open", "fail-closed"]),
        z.object({ mode: z.enum(["fail-open", "fail-closed"]), afterConsecutiveErrors: z.number().int().min(1).max(1_000).default(DEFAULT_FAIL_CLOSED_AFTER) }).strict(),
      ])
      .default("fail-open"),
    pause: pauseSpec.optional(),
    /** For action "contain": the name of a call in responders.contain.targets (a PauseGate or a protocol's own pause). */
    contain: z.object({ target: z.string().min(1) }).strict().optional(),
    detector: detectorSchema,
  })
  .strict();

export const ruleSchema = ruleObject.superRefine((r, ctx) => {
  if (r.action === "pause" && !r.pause) {
    ctx.addIssue({ code: "custom", path: ["pause"], message: `rule "${r.id}" has action "pause" but no pause { scope, durationSeconds }` });
  }
  if (r.action === "contain" && !r.contain) {
    ctx.addIssue({ code: "custom", path: ["contain"], message: `rule "${r.id}" has action "contain" but no contain { target } (a name from responders.contain.targets)` });
  }
  if (r.detector.kind === "matcher") {
    const m = r.detector;
    if (m.events.length + m.functions.length + m.transactions.length === 0) {
      ctx.addIssue({ code: "custom", path: ["detector"], message: "a matcher needs at least one of events, functions, transactions" });
    }
  }
  if (r.detector.kind === "invariant") {
    const v = r.detector.invariant;
    if (v.type === "view-compare" && (v.value === undefined) === (v.other === undefined)) {
      ctx.addIssue({ code: "custom", path: ["detector", "invariant"], message: "view-compare: give exactly one of value or other" });
    }
    if (v.type === "custom" && (v.name === undefined) === (v.definition === undefined)) {
      ctx.addIssue({ code: "custom", path: ["detector", "invariant"], message: "custom: give exactly one of name or definition" });
    }
  }
  if (r.detector.kind === "attack-stage") {
    const s = r.detector.signal;
    if (s.type === "fresh-deployer" && s.withinBlocks === undefined && s.withinSeconds === undefined) {
      ctx.addIssue({ code: "custom", path: ["detector", "signal"], message: "fresh-deployer: give withinBlocks and/or withinSeconds" });
    }
  }
});

export type RuleInput = z.input<typeof ruleSchema>;
export type RuleConfig = z.output<typeof ruleSchema>;
export type MatcherConfig = z.output<typeof matcherSchema>;
export type InvariantDetectorConfig = z.output<typeof invariantDetectorSchema>;
export type StatisticConfig = z.output<typeof statisticSchema>;
export type AttackStageConfig = z.output<typeof attackStageSchema>;

/** Parse a list of rules (throws a ZodError naming the path). */
export function parseRules(input: unknown): RuleConfig[] {
  return z.array(ruleSchema).parse(input);
}
