// The keeper's configuration: one typed file (TypeScript or JSON) validated with zod at start.
// A bad field stops the keeper with its path and the reason. Secrets are never written in the
// file: it names environment variables (or hardhat-keystore keys) that hold them.
import { z } from "zod";
import { ruleSchema } from "../detectors/schema.js";
import { alertsSchema, respondersSchema } from "../responders/schema.js";
import { signerSchema } from "../signers/schema.js";
import { NAME_REF, address, addressOrName, urlWith } from "./fields.js";
import { readKeeperAddressBook, type KeeperAddressBook } from "./address-book.js";

/** Multicall3 at the same address on every chain that has it. */
export const CANONICAL_MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";

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
  /** Per-request timeout of every JSON-RPC call (a hung provider is a failed one after this). */
  rpcTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** RPCs that did not answer at start are probed this often (chain id checked) until they do. */
  probeIntervalMs: z.number().int().min(100).max(600_000).default(5_000),
  /** Multicall3 address. Default: the address book's `multicall3`, else the canonical 0xcA11…CA11. */
  multicall3: address.optional(),
});


export const contractsSchema = z.object({
  /**
   * The address book the deploy task wrote (e.g. "deployments/localhost.json", relative to the
   * working directory): breaker, guardian, multicall3 and every `$name` come from it. Its chainId
   * must be chain.chainId. Entries written here win over the book's.
   */
  addressBook: z.string().min(1).optional(),
  /** The breaker the sentinel pauses (a Breakable protected contract or a CircuitBreaker); default: the book's `breaker`. */
  breaker: addressOrName.optional(),
  /** The guardian multisig, if the keeper proposes guardian actions; default: the book's `guardian`. */
  guardian: addressOrName.optional(),
  /** Named addresses rules may refer to as "$name" (added to, and winning over, the book's contracts). */
  named: z.record(z.string(), address).default({}),
});

/** When /healthz (and the status page) say "not ok": the keeper is blind, stuck, or failing. */
export const healthSchema = z.object({
  /** No RPC endpoint answered anything for this long. */
  maxRpcSilenceSeconds: z.number().positive().max(3_600).default(30),
  /** No block processed and no head confirmed for this long. */
  maxProgressAgeSeconds: z.number().positive().max(86_400).default(60),
  /** More than this many blocks behind the head (default 5 + chain.confirmations). */
  maxLagBlocks: z.number().int().min(0).optional(),
  /** A rule whose evaluation failed on each of the last this many processed blocks. */
  detectorErrorBlocks: z.number().int().min(1).max(1_000).default(3),
});

export const opsSchema = z.object({
  /** HTTP listener for /healthz, /metrics and the status page; 127.0.0.1 unless set otherwise. */
  host: z.string().default("127.0.0.1"),
  port: z.number().int().min(0).max(65_535).default(9464),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  health: healthSchema.default({}),
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
    ops: opsSchema.default({}),
    /** Incident plan file (plan/schema.ts): rule severities and alert routing come from it when set. */
    plan: z.string().min(1).optional(),
  })
  .transform((cfg, ctx) => {
    // Resolve the address book: breaker, guardian, named, multicall3.
    let book: KeeperAddressBook | undefined;
    if (cfg.contracts.addressBook) {
      try {
        book = readKeeperAddressBook(cfg.contracts.addressBook);
      } catch (err) {
        ctx.addIssue({ code: "custom", path: ["contracts", "addressBook"], message: (err as Error).message });
        return z.NEVER;
      }
      if (book.chainId !== cfg.chain.chainId) {
        ctx.addIssue({ code: "custom", path: ["contracts", "addressBook"], message: `the address book ${cfg.contracts.addressBook} is for chain ${book.chainId}, but chain.chainId is ${cfg.chain.chainId}: use the book of this network` });
        return z.NEVER;
      }
    }
    const named: Record<string, string> = { ...(book?.contracts ?? {}), ...cfg.contracts.named };
    // A "$name" → its address (contracts.named / the book); an unknown name is an issue at `path`.
    const resolveName = (v: string | undefined, path: (string | number)[]): string | undefined => {
      if (v === undefined || !NAME_REF.test(v)) return v;
      const a = named[v.slice(1)];
      if (!a) ctx.addIssue({ code: "custom", path, message: `unknown name "${v}": define it in contracts.named or the address book (${Object.keys(named).join(", ") || "none"})` });
      return a;
    };
    const breaker = resolveName(cfg.contracts.breaker, ["contracts", "breaker"]) ?? book?.contracts.breaker;
    const guardian = resolveName(cfg.contracts.guardian, ["contracts", "guardian"]) ?? book?.contracts.guardian;
    // A keeper that only contains through PauseGates needs no breaker; a pause rule does.
    const pauseRule = cfg.rules.findIndex((r) => r.action === "pause");
    if (!breaker && pauseRule >= 0) {
      ctx.addIssue({ code: "custom", path: ["contracts", "breaker"], message: `no breaker, but rule "${cfg.rules[pauseRule]!.id}" pauses: set contracts.breaker (an address or $name) or contracts.addressBook (whose contracts.breaker is used)` });
      return z.NEVER;
    }
    const multicall3 = cfg.chain.multicall3 ?? book?.contracts.multicall3 ?? CANONICAL_MULTICALL3;
    // Contain targets may name contracts as "$name" too (the gate, the protocol): resolved here once.
    const named$ = (v: string, path: (string | number)[]): string => resolveName(v, path) ?? v;
    const targets = Object.fromEntries(
      Object.entries(cfg.responders.contain.targets).map(([name, t]) => {
        const at = ["responders", "contain", "targets", name];
        return [name, {
          ...t,
          to: named$(t.to, [...at, "to"]),
          args: t.args.map((a, i) => (typeof a === "string" ? named$(a, [...at, "args", i]) : a)),
          containedWhen: {
            ...t.containedWhen,
            target: named$(t.containedWhen.target, [...at, "containedWhen", "target"]),
            args: t.containedWhen.args.map((a, i) => (typeof a === "string" ? named$(a, [...at, "containedWhen", "args", i]) : a)),
          },
        }];
      }),
    );
    const out = {
      ...cfg,
      chain: { ...cfg.chain, multicall3 },
      responders: { ...cfg.responders, contain: { ...cfg.responders.contain, targets } },
      contracts: { ...cfg.contracts, ...(breaker ? { breaker } : {}), ...(guardian ? { guardian } : {}), named },
    };
    checkRules(out, ctx);
    return out;
  });

/** Rule ids unique; acting rules have the signer / multisig / contain target they need. */
function checkRules(
  cfg: {
    rules: { id: string; act?: boolean; enabled?: boolean; action?: string; contain?: { target: string } }[];
    signers: { sentinel?: unknown; guardian?: unknown; contain?: unknown };
    contracts: { guardian?: string };
    responders: { contain: { targets: Record<string, unknown> } };
  },
  ctx: z.RefinementCtx,
): void {
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
  const acting = (a: string) => cfg.rules.some((r) => r.enabled !== false && r.act && r.action === a);
  if (acting("pause") && acting("contain") && !cfg.signers.contain) {
    ctx.addIssue({
      code: "custom",
      path: ["signers", "contain"],
      message: "rules both pause (sentinel lane) and contain: give the contain lane a key of its own in signers.contain (the PauseGate's sentinel), so neither lane mistakes the other's pending transactions for another replica's",
    });
  }
}

export type KeeperConfigInput = z.input<typeof keeperConfigSchema>;
export type KeeperConfig = z.output<typeof keeperConfigSchema>;

/** A typed helper for config files written in TypeScript. */
export function defineKeeperConfig(config: KeeperConfigInput): KeeperConfigInput {
  return config;
}
