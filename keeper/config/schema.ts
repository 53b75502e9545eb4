// The keeper's configuration: one typed file (TypeScript or JSON) validated with zod at start.
// A bad field stops the keeper with its path and the reason. Secrets are never written in the
// file: it names environment variables (or hardhat-keystore keys) that hold them.
import { z } from "zod";
import { ruleSchema } from "../detectors/schema.js";
import { alertsSchema, respondersSchema } from "../responders/schema.js";
import { signerSchema } from "../signers/schema.js";
import { address, urlWith } from "./fields.js";

export { address, bytes32 } from "./fields.js";
const url = urlWith;

export const chainSchema = z.object({
  /** Expected chain id: the keeper refuses an RPC that reports another. */
  chainId: z.number().int().positive(),
  /** HTTP(S) JSON-RPC endpoints in order of preference; rotated on errors and HTTP 429. */
  rpcUrls: z.array(url(["http:", "https:"])).min(1, "at least one RPC URL is required"),
  /** Optional websocket endpoints for new-head subscriptions; HTTP polling is the fallback. */
  wsUrls: z.array(url(["ws:", "wss:"])).default([]),
  /** Polling interval when no websocket delivers heads. */
  pollIntervalMs: z.number().int().min(50).max(60_000).default(1_000),
  /** Process blocks only this many behind the head (0 = at once; reorgs are unwound anyway). */
  confirmations: z.number().int().min(0).max(64).default(0),
  /** Deepest reorg that can be unwound. */
  maxReorgDepth: z.number().int().min(1).max(10_000).default(128),
  /** First block to process when the store is empty (default: the current head). */
  startBlock: z.number().int().min(0).optional(),
  /** Multicall3 address (the canonical one by default; deploy it yourself on local chains). */
  multicall3: address.default("0xcA11bde05977b3631167028862bE2a173976CA11"),
});

export const contractsSchema = z.object({
  /** The breaker the sentinel pauses (a Breakable protected contract or a CircuitBreaker). Optional for
   * keepers that only contain through PauseGates; a pause rule naming no breaker then fails at start. */
  breaker: address.optional(),
  /** The guardian multisig, if the keeper proposes guardian actions. */
  guardian: address.optional(),
  /** Named addresses rules may refer to as "$name". */
  named: z.record(z.string(), address).default({}),
});

export const opsSchema = z.object({
  /** HTTP listener for /healthz, /metrics and the status page; 127.0.0.1 unless set otherwise. */
  host: z.string().default("127.0.0.1"),
  port: z.number().int().min(0).max(65_535).default(9464),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export const keeperConfigSchema = z
  .object({
    name: z.string().min(1).default("breakwater-keeper"),
    chain: chainSchema,
    contracts: contractsSchema,
    /** SQLite file holding checkpoints, incidents, timeline and tx attempts. */
    store: z.object({ path: z.string().min(1) }),
    /** Who signs the sentinel pause (and, optionally, guardian proposals). */
    signers: z.object({
      sentinel: signerSchema.optional(),
      guardian: signerSchema.optional(),
      /** Signs `contain` calls (a PauseGate's sentinel key, or a relayer holding a protocol's pause role); default: signers.sentinel. */
      contain: signerSchema.optional(),
    }),
    rules: z.array(ruleSchema).min(1, "at least one rule is required"),
    alerts: alertsSchema,
    /** Sentinel fee policy and guardian proposal settings. */
    responders: respondersSchema.default({}),
    ops: opsSchema.default({ host: "127.0.0.1", port: 9464, logLevel: "info" }),
    /** Incident plan file (plan/schema.ts): rule severities and alert routing come from it when set. */
    plan: z.string().min(1).optional(),
  })
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    cfg.rules.forEach((r, i) => {
      if (ids.has(r.id)) ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id "${r.id}"` });
      ids.add(r.id);
      if (r.act && r.action === "pause" && !cfg.signers.sentinel) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "action"],
          message: `rule "${r.id}" pauses on its own but signers.sentinel is not configured`,
        });
      }
      if (r.action === "contain" && r.contain && !(r.contain.target in cfg.responders.contain.targets)) {
        const known = Object.keys(cfg.responders.contain.targets);
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "contain", "target"],
          message: `rule "${r.id}" contains through "${r.contain.target}", which responders.contain.targets does not define (${known.length ? `defined: ${known.join(", ")}` : "none defined"})`,
        });
      }
      if (r.act && r.action === "contain" && !cfg.signers.contain && !cfg.signers.sentinel) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "action"],
          message: `rule "${r.id}" contains on its own but neither signers.contain nor signers.sentinel is configured`,
        });
      }
      if (r.act && r.action === "propose" && (!cfg.signers.guardian || !cfg.contracts.guardian)) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "action"],
          message: `rule "${r.id}" proposes guardian actions but signers.guardian or contracts.guardian is missing`,
        });
      }
    });
    // Two lanes on one key would each take the other's pending transactions for another replica's.
    const acting = (a: string) => cfg.rules.some((r) => r.enabled && r.act && r.action === a);
    if (acting("pause") && acting("contain") && !cfg.signers.contain) {
      ctx.addIssue({
        code: "custom",
        path: ["signers", "contain"],
        message: "rules both pause (sentinel lane) and contain: give the contain lane a key of its own in signers.contain (the PauseGate's sentinel), so neither lane mistakes the other's pending transactions for another replica's",
      });
    }
  });

export type KeeperConfigInput = z.input<typeof keeperConfigSchema>;
export type KeeperConfig = z.output<typeof keeperConfigSchema>;

/** A typed helper for config files written in TypeScript. */
export function defineKeeperConfig(config: KeeperConfigInput): KeeperConfigInput {
  return config;
}
