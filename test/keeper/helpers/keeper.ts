// Building blocks for keeper tests: a config for a local node, a recording detector, and a
// minimal policy/responders pair that records what the runtime hands them (the real ones are
// exercised in the integration tests).
import { Keeper, type KeeperOptions, type PolicyLike, type RespondersLike, type RetractableAlert } from "../../../keeper/runtime.js";
import type { KeeperConfigInput } from "../../../keeper/config/schema.js";
import { KeeperStore } from "../../../keeper/store/store.js";
import type { BlockRef, Decision, DetectionContext, Detector, Finding } from "../../../keeper/types.js";
import { CANONICAL_MULTICALL3 } from "../../../keeper/source/context.js";
import { createLogger } from "../../../keeper/ops/log.js";

export const MULTICALL3 = CANONICAL_MULTICALL3;
export const DUMMY_BREAKER = "0x00000000000000000000000000000000000000b1";

export function baseConfig(rpcUrls: string[], over: Partial<KeeperConfigInput["chain"]> = {}, storePath = ":memory:"): KeeperConfigInput {
  return {
    name: "test-keeper",
    chain: { chainId: 31337, rpcUrls, pollIntervalMs: 100, multicall3: MULTICALL3, ...over },
    contracts: { breaker: DUMMY_BREAKER },
    store: { path: storePath },
    signers: {},
    rules: [
      {
        id: "any-transfer",
        severity: "P3",
        detector: { kind: "matcher", events: [{ signature: "Transfer(address,address,uint256)" }] },
      },
    ],
    alerts: { channels: [] },
    ops: { logLevel: "silent" },
  };
}

/** Records every block it sees; flags blocks with a transaction from `flagFrom` (if set). */
export class RecordingDetector implements Detector {
  readonly kind = "matcher" as const;
  seen: BlockRef[] = [];
  reads: bigint[] = [];
  rolledBackTo: number[] = [];
  constructor(
    readonly ruleId = "recorder",
    private readonly opts: { flagFrom?: string; read?: { target: string; data: string } } = {},
  ) {}
  async evaluate(ctx: DetectionContext): Promise<Finding[]> {
    const b = ctx.block;
    this.seen.push({ number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp });
    if (this.opts.read) {
      const [r] = await ctx.readAt([this.opts.read]);
      this.reads.push(r!.success ? BigInt(r!.returnData) : -1n);
    }
    const flag = this.opts.flagFrom?.toLowerCase();
    return b.transactions
      .filter((t) => flag && t.from.toLowerCase() === flag)
      .map((t) => ({
        ruleId: this.ruleId,
        detector: this.kind,
        severity: "P2" as const,
        fingerprint: `${this.ruleId}:${t.hash}`,
        blockNumber: b.number,
        blockHash: b.hash,
        txHash: t.hash,
        summary: `tx ${t.hash} from ${t.from}`,
        details: {},
      }));
  }
  rollback(n: number): void {
    this.rolledBackTo.push(n);
    this.seen = this.seen.filter((b) => b.number <= n);
  }
}

/** Every finding → an alert decision with an incident in the store. */
export class RecordingPolicy implements PolicyLike {
  constructor(private readonly store: KeeperStore) {}
  decide(findings: Finding[], block: BlockRef): Decision[] {
    return findings.map((f) => {
      const { incident, created } = this.store.openIncident(f, block.timestamp);
      return { finding: f, action: "alert", act: false, incidentId: incident.id, suppressed: created ? undefined : "dedup" };
    });
  }
}

/** Records alerts as delivered in the store (so a reorg finds them) and every retraction. */
export class RecordingResponders implements RespondersLike {
  handled: { decisions: Decision[]; block: BlockRef }[] = [];
  newBlocks: number[] = [];
  retracted: RetractableAlert[] = [];
  constructor(private readonly store: KeeperStore) {}
  async handle(decisions: Decision[], block: BlockRef): Promise<void> {
    this.handled.push({ decisions, block });
    for (const d of decisions) {
      if (d.suppressed) continue;
      const msg = { id: `alert:${d.incidentId}`, incidentId: d.incidentId, severity: d.finding.severity, title: d.finding.summary, body: "", blockNumber: block.number, blockHash: block.hash };
      if (this.store.recordAlert(msg, "test")) this.store.markAlertDelivered(msg.id, "test");
    }
  }
  async onNewBlock(block: BlockRef): Promise<void> {
    this.newBlocks.push(block.number);
  }
  async retract(alerts: RetractableAlert[]): Promise<void> {
    this.retracted.push(...alerts);
  }
}

export interface TestKeeper {
  keeper: Keeper;
  store: KeeperStore;
  detector: RecordingDetector;
  responders: RecordingResponders;
}

export function testKeeper(config: KeeperConfigInput, opts: Partial<KeeperOptions> & { detector?: RecordingDetector; store?: KeeperStore } = {}): TestKeeper {
  const store = opts.store ?? new KeeperStore(":memory:");
  const detector = opts.detector ?? new RecordingDetector();
  const responders = new RecordingResponders(store);
  const keeper = new Keeper({
    config,
    store,
    detectors: [detector],
    policy: new RecordingPolicy(store),
    responders,
    http: false,
    installMulticall3: true,
    retryDelayMs: 50,
    maxRetryDelayMs: 200,
    logger: createLogger({ level: process.env.KEEPER_TEST_LOG ?? "silent" }),
    ...opts,
  });
  return { keeper, store, detector, responders };
}

/** Wait (bounded) until `cond()` holds; polls every 25 ms. Not a speed assertion: only a guard against hanging. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Assert-friendly view of the processed chain in the store: numbers ascending. */
export function storedChain(store: KeeperStore): BlockRef[] {
  return (store.db.prepare("SELECT number, hash, parent_hash, timestamp FROM blocks ORDER BY number").all() as Record<string, unknown>[]).map((r) => ({
    number: Number(r.number),
    hash: String(r.hash),
    parentHash: String(r.parent_hash),
    timestamp: Number(r.timestamp),
  }));
}
