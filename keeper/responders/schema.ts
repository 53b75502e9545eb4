// Configuration of the responders: alert channels (with retries) and the transaction responders
// (sentinel pause lane, guardian proposals). Tokens and URLs that are secrets are never in the
// file: the config names the environment variables holding them.
import { z } from "zod";
import { FunctionFragment, id } from "ethers";
import { address, addressOrName, envName, httpUrl } from "../config/fields.js";


const minSeverity = z.enum(["P1", "P2", "P3", "P4"]).optional();

const channelBase = {
  /** Channel name in the store and logs (default: its type; must be unique). */
  name: z.string().min(1).max(64).optional(),
  /** Only alerts at least this severe (P1 most severe) go to this channel. */
  minSeverity,
};

export const webhookChannelSchema = z.object({
  type: z.literal("webhook"),
  ...channelBase,
  url: httpUrl,
  /** Env variable holding the HMAC-SHA256 secret signing the body (X-Breakwater-Signature). */
  secretEnv: envName,
  /**
   * "breakwater": X-Breakwater-Signature over `${ts}.${body}`. "oz-monitor": OpenZeppelin Monitor's
   * format (body { title, body }, X-Signature = hex HMAC of body + X-Timestamp in ms), so receivers
   * built for OZ Monitor work unchanged.
   */
  signature: z.enum(["breakwater", "oz-monitor"]).default("breakwater"),
});
export const slackChannelSchema = z.object({
  type: z.literal("slack"),
  ...channelBase,
  /** Env variable holding the incoming-webhook URL (the URL is the secret). */
  webhookUrlEnv: envName,
});
export const discordChannelSchema = z.object({
  type: z.literal("discord"),
  ...channelBase,
  /** Env variable holding the webhook URL (https://discord.com/api/webhooks/<id>/<token>). */
  webhookUrlEnv: envName,
});
export const telegramChannelSchema = z.object({
  type: z.literal("telegram"),
  ...channelBase,
  botTokenEnv: envName,
  chatId: z.union([z.string().min(1), z.number().int()]),
  /** Bot API base URL (a local stand-in in tests). */
  apiBaseUrl: httpUrl.default("https://api.telegram.org"),
});
export const pagerdutyChannelSchema = z.object({
  type: z.literal("pagerduty"),
  ...channelBase,
  /** Env variable holding the Events API v2 integration (routing) key. */
  routingKeyEnv: envName,
  /** Events API v2 endpoint. */
  eventsUrl: httpUrl.default("https://events.pagerduty.com/v2/enqueue"),
  /** `source` field of the event. */
  source: z.string().min(1).default("breakwater-keeper"),
});

export const channelSchema = z.discriminatedUnion("type", [
  webhookChannelSchema,
  slackChannelSchema,
  discordChannelSchema,
  telegramChannelSchema,
  pagerdutyChannelSchema,
]);

export const retrySchema = z.object({
  /** Total attempts per message and channel (1 = no retry). */
  maxAttempts: z.number().int().min(1).max(20).default(5),
  /** First backoff; doubles each attempt, with full jitter, up to maxDelayMs. */
  initialDelayMs: z.number().int().min(0).max(60_000).default(500),
  maxDelayMs: z.number().int().min(0).max(600_000).default(15_000),
  /** Per-request timeout. */
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
});

export const alertsSchema = z
  .object({
    channels: z.array(channelSchema).default([]),
    retry: retrySchema.default({}),
  })
  .superRefine((a, ctx) => {
    const seen = new Set<string>();
    a.channels.forEach((c, i) => {
      const n = c.name ?? c.type;
      if (seen.has(n)) {
        ctx.addIssue({ code: "custom", path: ["channels", i, "name"], message: `duplicate channel name "${n}": give each channel a distinct name` });
      }
      seen.add(n);
    });
  });

const gwei = (n: number) => BigInt(Math.round(n * 1e9));
/** A fee in gwei (number) or wei (bigint / decimal string); parsed to wei. */
const feeWei = z
  .union([z.number().nonnegative(), z.bigint().nonnegative(), z.string().regex(/^\d+$/, "must be a decimal wei amount")])
  .transform((v) => (typeof v === "number" ? gwei(v) : BigInt(v)));

/**
 * The emergency fee policy: the pause must win the next block. The first tip is the highest of
 * the urgent tip (priorityFeePerGas, when set), the `tipPercentile` of the tips paid in the last
 * `historyBlocks` blocks (eth_feeHistory), `minPriorityFeePerGas`, the node's suggestion, and the
 * known attack transactions' tips + `outbidPercent`. Each new head without inclusion raises it by
 * feeBumpPercent (steep: default doubles); when that would pass maxFeePerGas, one last
 * replacement spends the whole cap on the tip (`spendCapOnTip`).
 */
export const feePolicySchema = z.object({
  /** Percentile (0-100) of the priority fees of recent blocks to start from. */
  tipPercentile: z.number().min(0).max(100).default(95),
  /** How many recent blocks eth_feeHistory looks at. */
  historyBlocks: z.number().int().min(1).max(1024).default(20),
  /** Never start below this tip (gwei as a number, or wei). */
  minPriorityFeePerGas: feeWei.default(2),
  /** Bid this % above the highest tip of the attack transactions (their receipts, and their senders' pending transactions). */
  outbidPercent: z.number().min(1).max(1_000).default(25),
  /** At the cap: send one last replacement whose tip is the whole maxFeePerGas. */
  spendCapOnTip: z.boolean().default(true),
});

export const sentinelResponderSchema = z.object({
  /** Raise both maxFeePerGas and maxPriorityFeePerGas by at least this % per new head until included (default: double). */
  feeBumpPercent: z.number().min(12.5, "nodes reject replacements below +10%; use at least 12.5").max(1_000).default(100),
  /** Hard cap on maxFeePerGas: gwei as a number, or wei as a bigint / decimal string. */
  maxFeePerGas: feeWei.default(500),
  /** Urgent starting tip (gwei number or wei): the first tip is at least this. Default: from fees (eth_feeHistory). */
  priorityFeePerGas: feeWei.optional(),
  /** How the first tip is chosen and how the cap is spent. */
  fees: feePolicySchema.default({}),
  /** Blocks after inclusion before the pause counts as contained (1 = the inclusion block). */
  confirmations: z.number().int().min(1).max(64).default(1),
  /** Gas limit; default: eth_estimateGas × 1.3. */
  gasLimit: z.number().int().min(21_000).max(5_000_000).optional(),
});

export const guardianResponderSchema = z.object({
  /** Directory where action files (JSON: action, digest, signatures) are written for co-signers. */
  actionsDir: z.string().min(1).default("guardian-actions"),
  /** Deadline of proposed actions, seconds after the decision's block. */
  deadlineSeconds: z.number().int().min(60).max(30 * 86_400).default(86_400),
  /** Submit when the keeper's own signature meets the kind's threshold (1-of-N fast path). */
  submitWhenThresholdMet: z.boolean().default(false),
  /** Pause duration proposed when the decision carries no pause target. */
  defaultPauseSeconds: z.number().int().min(60).default(3_600),
});

/** A function signature such as "pause()" or "sentinelPause(address,uint64)" (parsed by ethers). */
const functionSignature = z.string().superRefine((s, ctx) => {
  try {
    FunctionFragment.from(s.trim().startsWith("function") ? s : `function ${s}`);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `"${s}" is not a function signature like "pause()" or "sentinelPause(address,uint64)": ${(e as Error).message.split(" (")[0]}` });
  }
});
const callArg = z.union([z.string(), z.number().refine(Number.isSafeInteger, "numbers above 2^53 must be written as strings"), z.boolean()]);

/** Selector of a signature or a 0x 4-byte hex; lower-case 0x + 8 hex. */
export function normalizeSelector(s: string): string {
  if (/^0x[0-9a-fA-F]{8}$/.test(s)) return s.toLowerCase();
  return FunctionFragment.from(s.trim().startsWith("function") ? s : `function ${s}`).selector;
}
const selectorSpec = z.string().superRefine((s, ctx) => {
  try {
    normalizeSelector(s);
  } catch {
    ctx.addIssue({ code: "custom", message: `"${s}" is neither a 4-byte selector (0x12345678) nor a function signature` });
  }
});

export const containTargetSchema = z
  .object({
    /** gate: `to` is a PauseGate and the key is its sentinel; direct: `to` is the protocol itself (relayer key holds its pause role). */
    via: z.enum(["gate", "direct"]),
    /** The contract called (an address or a "$name" of contracts.named / the address book). */
    to: addressOrName,
    /** The function called, e.g. "sentinelPause(address,uint64)" (gate) or "pause()" (direct). */
    function: functionSignature,
    /** Its arguments (addresses and big numbers as strings). */
    args: z.array(callArg).default([]),
    /** State check: a view returning one bool; when it returns `equals`, the target is contained. */
    containedWhen: z
      .object({
        target: addressOrName,
        function: functionSignature,
        args: z.array(callArg).default([]),
        equals: z.boolean().default(true),
      })
      .strict(),
    /** Gas limit; default: eth_estimateGas × 1.3. */
    gasLimit: z.number().int().min(21_000).max(5_000_000).optional(),
  })
  .strict();

export const containResponderSchema = z
  .object({
    /** The only selectors a contain call may use (signatures or 0x selectors). Nothing else is ever sent. */
    allowedSelectors: z.array(selectorSpec).default([]),
    /** Named calls rules refer to with `contain: { target: "<name>" }`. */
    targets: z.record(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, "letters, digits, _ . : - (max 64)"), containTargetSchema).default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const allowed = new Set<string>();
    for (const s of c.allowedSelectors) {
      try {
        allowed.add(normalizeSelector(s));
      } catch {
        /* reported by selectorSpec */
      }
    }
    for (const [name, t] of Object.entries(c.targets)) {
      let sel: string;
      try {
        sel = normalizeSelector(t.function);
      } catch {
        continue;
      }
      if (!allowed.has(sel)) {
        ctx.addIssue({
          code: "custom",
          path: ["targets", name, "function"],
          message: `${t.function} (${sel}) is not in responders.contain.allowedSelectors: add it there to let the keeper call it`,
        });
      }
      if (t.via === "gate" && sel !== id("sentinelPause(address,uint64)").slice(0, 10)) {
        ctx.addIssue({
          code: "custom",
          path: ["targets", name, "function"],
          message: `via "gate" calls the PauseGate's sentinelPause(address,uint64), not ${t.function}; use via "direct" to call a protocol yourself`,
        });
      }
    }
  });

export const respondersSchema = z.object({
  sentinel: sentinelResponderSchema.default({}),
  guardian: guardianResponderSchema.default({}),
  /** The `contain` action: calls to a PauseGate or a protocol's own pause, through the sentinel's lane logic. */
  contain: containResponderSchema.default({}),
});

export type AlertsConfigInput = z.input<typeof alertsSchema>;
export type AlertsConfig = z.output<typeof alertsSchema>;
export type ChannelConfig = z.output<typeof channelSchema>;
export type RetryConfig = z.output<typeof retrySchema>;
export type SentinelResponderConfig = z.output<typeof sentinelResponderSchema>;
export type FeePolicy = z.output<typeof feePolicySchema>;
export type GuardianResponderConfig = z.output<typeof guardianResponderSchema>;
export type ContainTargetConfig = z.output<typeof containTargetSchema>;
export type ContainResponderConfig = z.output<typeof containResponderSchema>;
export type RespondersConfigInput = z.input<typeof respondersSchema>;
export type RespondersConfig = z.output<typeof respondersSchema>;
