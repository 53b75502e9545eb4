// A transaction lane: one signer, intent recorded before broadcast, per-block fee bumping with
// same-nonce replacements (local keys), or submit-and-follow (relayers, which own nonce and fees).
//
// Idempotence: `submit` claims the incident inside one SQLite transaction (BEGIN IMMEDIATE, so
// also across processes sharing the store file): if any attempt of this kind for the incident
// (or, for the same to+data, any pending one) exists, nothing is sent. For a local key the
// transaction is signed first, so the intent row already holds nonce, fees, gas limit and hash;
// after a crash, `resume` re-signs the very same fields (deterministic RFC 6979 signatures → the
// same hash) and re-broadcasts; a second pause can never get a second nonce.
import type { Provider, TransactionReceipt } from "ethers";
import type { KeeperStore } from "../store/store.js";
import type { BlockRef, TxAttempt } from "../types.js";
import type { KeeperSigner, SentTx } from "../signers/types.js";
import type { Logger, ResponderMetrics } from "./deps.js";
import { feePolicySchema, type FeePolicy, type SentinelResponderConfig } from "./schema.js";

/** What the pause must outbid: the attack transactions' tip, and their senders (their next pending transactions). */
export interface Outbid {
  tip?: bigint;
  senders: string[];
}

export type LaneKind = TxAttempt["kind"];

export type LaneEvent =
  | { type: "included"; incidentId: string; to: string; data: string; hash: string; blockNumber: number; success: boolean }
  | { type: "failed"; incidentId: string; to: string; data: string; reason: string }
  /** Our nonce was used by a transaction we did not record (another replica with the same key). */
  | { type: "nonce-consumed"; incidentId: string; to: string; data: string };

export type SubmitOutcome =
  | { status: "sent"; hash?: string; nonce?: number; relayerTxId?: string; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }
  | { status: "duplicate"; reason: string }
  | { status: "pending-broadcast"; error: string; hash?: string; nonce?: number };

interface Attempt {
  id: number;
  hash?: string;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

interface Tracked {
  incidentId: string;
  to: string;
  data: string;
  gasLimit: bigint;
  nonce?: number;
  relayerTxId?: string;
  /** All attempts (any of them may be the one mined). Last = current. */
  attempts: Attempt[];
  /** Raw bytes of the current attempt when known (local), for re-broadcast. */
  raw?: string;
  broadcast: boolean;
  lastActionBlock: number;
  capNoted: boolean;
  outbid?: Outbid;
  included?: { hash: string; blockNumber: number; success: boolean; attemptId: number };
}

/** Notes carry the few fields the store has no column for: "gasLimit=…; relayerTxId=…; text". */
const meta = (fields: Record<string, string | bigint | number | undefined>, text?: string) =>
  [
    ...Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${String(v)}`),
    ...(text ? [text] : []),
  ].join("; ");
const metaField = (note: string | undefined, key: string): string | undefined => note?.match(new RegExp(`(?:^|; )${key}=([^;]+)`))?.[1];

export interface LaneDeps {
  kind: LaneKind;
  store: KeeperStore;
  provider: Provider;
  signer: KeeperSigner;
  chainId: number;
  fees: Pick<SentinelResponderConfig, "feeBumpPercent" | "maxFeePerGas" | "priorityFeePerGas" | "confirmations"> & { fees?: FeePolicy };
  logger: Logger;
  metrics?: ResponderMetrics;
  now?: () => number;
}

export class TxLane {
  private readonly tracked = new Map<string, Tracked>();
  private nextNonce?: number;
  private addr?: string;
  /** The newest head seen (onNewBlock): fees are bumped only when a head above the last action arrives. */
  private head = 0;

  constructor(private readonly d: LaneDeps) {}

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  async address(): Promise<string> {
    this.addr ??= await this.d.signer.address();
    return this.addr;
  }

  /** Incidents this lane is following. */
  activeIncidents(): string[] {
    return [...this.tracked.keys()];
  }

  isTracking(incidentId: string): boolean {
    return this.tracked.has(incidentId);
  }

  private timeline(incidentId: string, blockNumber: number | null, kind: "tx" | "error" | "note", message: string, data?: Record<string, unknown>) {
    this.d.store.addTimeline({ incidentId, at: this.now(), blockNumber, kind, message, data });
  }

  /** Existing attempts that block a new submission for this incident (anything not failed). */
  existingFor(incidentId: string, to: string, data: string): TxAttempt | undefined {
    // "replaced" alone (every attempt's nonce was taken by a transaction we did not record) does not block a new try.
    const own = this.d.store.txAttempts(incidentId).find((a) => a.kind === this.d.kind && a.status !== "failed" && a.status !== "replaced");
    if (own) return own;
    return this.d.store
      .pendingTxAttempts(this.d.kind)
      .find((a) => a.to.toLowerCase() === to.toLowerCase() && a.data.toLowerCase() === data.toLowerCase());
  }

  // ---------------------------------------------------------------- fees and nonces

  private pctUp(x: bigint, percent = this.d.fees.feeBumpPercent): bigint {
    const bps = BigInt(Math.round(percent * 100));
    return (x * (10_000n + bps) + 9_999n) / 10_000n;
  }

  private policy(): FeePolicy {
    return this.d.fees.fees ?? feePolicySchema.parse({});
  }

  /**
   * Base fee of the next block and the tip to start from: the highest of the urgent tip
   * (priorityFeePerGas), the policy's percentile of recent tips (eth_feeHistory), its minimum, the
   * node's suggestion, and `floor` (the attack transactions' tips + outbidPercent).
   */
  private async market(floor = 0n): Promise<{ baseFee: bigint; tip: bigint }> {
    const p = this.policy();
    const block = await this.d.provider.getBlock("latest");
    let baseFee = block?.baseFeePerGas ?? 0n;
    let tip = p.minPriorityFeePerGas;
    if (this.d.fees.priorityFeePerGas !== undefined && this.d.fees.priorityFeePerGas > tip) tip = this.d.fees.priorityFeePerGas;
    const hist = await this.feeHistory(p).catch(() => undefined);
    if (hist) {
      if (hist.tip > tip) tip = hist.tip;
      if (hist.nextBaseFee > baseFee) baseFee = hist.nextBaseFee;
    }
    if (this.d.fees.priorityFeePerGas === undefined) {
      const suggested = await this.d.provider.getFeeData().then((f) => f.maxPriorityFeePerGas ?? 0n, () => 0n);
      if (suggested > tip) tip = suggested;
    }
    if (floor > tip) tip = floor;
    return { baseFee, tip };
  }

  private async feeHistory(p: FeePolicy): Promise<{ tip: bigint; nextBaseFee: bigint } | undefined> {
    const send = (this.d.provider as unknown as { send?: (m: string, a: unknown[]) => Promise<unknown> }).send;
    if (typeof send !== "function") return undefined;
    const h = (await send.call(this.d.provider, "eth_feeHistory", [`0x${p.historyBlocks.toString(16)}`, "latest", [p.tipPercentile]])) as {
      baseFeePerGas?: string[];
      reward?: string[][];
    };
    const rewards = (h.reward ?? []).map((r) => BigInt(r[0] ?? "0x0"));
    const tip = rewards.reduce((m, x) => (x > m ? x : m), 0n);
    const bases = h.baseFeePerGas ?? [];
    return { tip, nextBaseFee: bases.length ? BigInt(bases[bases.length - 1]!) : 0n };
  }

  /** The tip to beat: `base` and the pending transactions of the attackers' senders, + outbidPercent. */
  private async outbidFloor(o: Outbid | undefined): Promise<bigint> {
    if (!o) return 0n;
    let top = o.tip ?? 0n;
    if (o.senders.length > 0) {
      try {
        const pending = await this.d.provider.getBlock("pending", true);
        const senders = new Set(o.senders.map((a) => a.toLowerCase()));
        for (const tx of pending?.prefetchedTransactions ?? []) {
          if (!senders.has(tx.from.toLowerCase())) continue;
          const tip = tx.maxPriorityFeePerGas ?? (tx.gasPrice !== null && pending?.baseFeePerGas != null ? tx.gasPrice - pending.baseFeePerGas : 0n);
          if (tip > top) top = tip;
        }
      } catch {
        /* no pending block on this node: the receipts' tips only */
      }
    }
    return top > 0n ? this.pctUp(top, this.policy().outbidPercent) : 0n;
  }

  private async initialFees(outbid?: Outbid): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; capped: boolean }> {
    const { baseFee, tip } = await this.market(await this.outbidFloor(outbid));
    const cap = this.d.fees.maxFeePerGas;
    let maxFee = 2n * baseFee + tip;
    const capped = maxFee > cap;
    if (capped) maxFee = cap;
    return { maxFeePerGas: maxFee, maxPriorityFeePerGas: tip > maxFee ? maxFee : tip, capped };
  }

  /**
   * Next fees: ≥ +feeBumpPercent on both fields, at least what the policy asks now (market, attackers),
   * capped at maxFeePerGas; at the cap one last replacement spends the whole cap on the tip.
   * undefined when nothing higher can be sent.
   */
  private async bumpedFees(prev: Attempt, outbid?: Outbid): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; atCap: boolean } | undefined> {
    const cap = this.d.fees.maxFeePerGas;
    const { baseFee, tip } = await this.market(await this.outbidFloor(outbid));
    const prevTip = prev.maxPriorityFeePerGas ?? 0n;
    const prevMax = prev.maxFeePerGas ?? 0n;
    const minTip = this.pctUp(prevTip) + (prevTip === 0n ? 1n : 0n);
    const minMax = this.pctUp(prevMax);
    let newTip = tip > minTip ? tip : minTip;
    let newMax = 2n * baseFee + newTip;
    if (newMax < minMax) newMax = minMax;
    let atCap = false;
    if (newMax > cap || newTip > cap) {
      atCap = true;
      newMax = cap;
      if (this.policy().spendCapOnTip || newTip > cap) newTip = cap;
    }
    // A node refuses a replacement below +10% on both fields.
    if (newMax < (prevMax * 11n) / 10n || newTip < (prevTip * 11n) / 10n || newTip > newMax) return undefined;
    return { maxFeePerGas: newMax, maxPriorityFeePerGas: newTip, atCap };
  }

  private async takeNonce(): Promise<number> {
    const pending = await this.d.provider.getTransactionCount(await this.address(), "pending");
    const n = Math.max(pending, this.nextNonce ?? 0);
    this.nextNonce = n + 1;
    return n;
  }

  // ---------------------------------------------------------------- submit

  /** Claim the incident, record the intent, broadcast. Never sends twice for one incident. */
  async submit(req: { incidentId: string; to: string; data: string; gasLimit: bigint; block: BlockRef; note?: string; outbid?: Outbid }): Promise<SubmitOutcome> {
    const { store, signer, kind } = this.d;
    const quick = this.existingFor(req.incidentId, req.to, req.data);
    if (quick) return { status: "duplicate", reason: `attempt #${quick.id} (${quick.status}) already exists for incident ${quick.incidentId}` };

    let nonce: number | undefined;
    let fees: { maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint } = {};
    let signed: { raw: string; hash: string } | undefined;
    let capNote: string | undefined;
    if (!signer.managesNonceAndFees) {
      if (!signer.signTransaction || !signer.broadcast) throw new Error(`${signer.kind} signer cannot sign locally`);
      const f = await this.initialFees(req.outbid);
      if (f.capped) capNote = `fee capped at maxFeePerGas ${f.maxFeePerGas}`;
      fees = { maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas };
      nonce = await this.takeNonce();
      signed = await signer.signTransaction({ to: req.to, data: req.data, gasLimit: req.gasLimit, nonce, ...fees });
    }

    // Atomic claim + intent (before any broadcast).
    const claimed = store.transaction(() => {
      const existing = this.existingFor(req.incidentId, req.to, req.data);
      if (existing) return { existing };
      const id = store.recordTxAttempt({
        incidentId: req.incidentId,
        kind,
        chainId: this.d.chainId,
        to: req.to,
        data: req.data,
        nonce,
        hash: signed?.hash,
        ...fees,
        status: "intent",
        note: meta({ gasLimit: req.gasLimit, signer: signer.kind }, [req.note, capNote].filter(Boolean).join(", ") || undefined),
        createdAt: this.now(),
        sentBlock: Math.max(req.block.number, this.head),
      });
      return { id };
    });
    if ("existing" in claimed) {
      if (nonce !== undefined && this.nextNonce === nonce + 1) this.nextNonce = nonce; // give the nonce back
      const e = claimed.existing!;
      return { status: "duplicate", reason: `attempt #${e.id} (${e.status}) already exists for incident ${e.incidentId}` };
    }
    const t: Tracked = {
      incidentId: req.incidentId,
      to: req.to,
      data: req.data,
      gasLimit: req.gasLimit,
      nonce,
      attempts: [{ id: claimed.id, hash: signed?.hash, ...fees }],
      raw: signed?.raw,
      broadcast: false,
      // The head, not the (maybe old, catching up) block decided on: no bump before a new head.
      lastActionBlock: Math.max(req.block.number, this.head),
      capNoted: false,
      outbid: req.outbid,
    };
    this.tracked.set(req.incidentId, t);
    return this.broadcastCurrent(t, req.block.number);
  }

  /** Broadcast (local) or send (relayer) the current attempt; on error keep the intent for the next block. */
  private async broadcastCurrent(t: Tracked, blockNumber: number): Promise<SubmitOutcome> {
    const { store, signer } = this.d;
    const cur = t.attempts[t.attempts.length - 1];
    try {
      if (!signer.managesNonceAndFees) {
        if (!t.raw) {
          t.raw = (await signer.signTransaction!({ to: t.to, data: t.data, gasLimit: t.gasLimit, nonce: t.nonce, maxFeePerGas: cur.maxFeePerGas, maxPriorityFeePerGas: cur.maxPriorityFeePerGas })).raw;
        }
        await signer.broadcast!(t.raw);
        store.updateTxAttempt(cur.id, { status: "sent" });
      } else {
        // A relayer send is not idempotent: look for one we may have sent before a crash/timeout.
        const found = signer.findTransaction ? await signer.findTransaction(t.to, t.data) : undefined;
        const sent: SentTx = found ?? (await signer.sendTransaction({ to: t.to, data: t.data, gasLimit: t.gasLimit }));
        t.relayerTxId = sent.id;
        t.nonce = sent.nonce;
        cur.hash = sent.hash;
        store.updateTxAttempt(cur.id, {
          status: "sent",
          hash: sent.hash,
          nonce: sent.nonce,
          note: meta({ gasLimit: t.gasLimit, signer: signer.kind, relayerTxId: sent.id }, found ? "adopted from the relayer's pending list" : undefined),
        });
      }
    } catch (err) {
      const error = (err as Error).message;
      this.d.logger.warn({ incident: t.incidentId, err: error }, `${this.d.kind} broadcast failed; will retry next block`);
      this.timeline(t.incidentId, blockNumber, "error", `${this.d.kind} tx broadcast failed (will retry the same transaction next block): ${error}`);
      return { status: "pending-broadcast", error, hash: cur.hash, nonce: t.nonce };
    }
    t.broadcast = true;
    this.d.metrics?.txSent?.(this.d.kind, t.attempts.length > 1);
    this.timeline(t.incidentId, blockNumber, "tx", `${this.d.kind} tx ${t.attempts.length > 1 ? "replacement " : ""}sent${cur.hash ? ` ${cur.hash}` : ""}`, {
      hash: cur.hash,
      nonce: t.nonce,
      maxFeePerGas: cur.maxFeePerGas,
      maxPriorityFeePerGas: cur.maxPriorityFeePerGas,
      relayerTxId: t.relayerTxId,
    });
    return { status: "sent", hash: cur.hash, nonce: t.nonce, relayerTxId: t.relayerTxId, maxFeePerGas: cur.maxFeePerGas, maxPriorityFeePerGas: cur.maxPriorityFeePerGas };
  }

  // ---------------------------------------------------------------- follow

  private async receiptOf(t: Tracked): Promise<{ r: TransactionReceipt; a: Attempt } | undefined> {
    for (const a of [...t.attempts].reverse()) {
      if (!a.hash) continue;
      const r = await this.d.provider.getTransactionReceipt(a.hash);
      if (r) return { r, a };
    }
    return undefined;
  }

  private markIncluded(t: Tracked, a: Attempt, r: TransactionReceipt): void {
    const success = r.status === 1;
    t.included = { hash: a.hash!, blockNumber: r.blockNumber, success, attemptId: a.id };
    this.d.store.updateTxAttempt(a.id, {
      status: success ? "included" : "failed",
      includedBlock: r.blockNumber,
      gasUsed: r.gasUsed,
      feePaidWei: r.gasUsed * r.gasPrice,
      ...(success ? {} : { note: meta({ gasLimit: t.gasLimit, relayerTxId: t.relayerTxId }, "reverted on chain") }),
    });
    for (const o of t.attempts) if (o.id !== a.id) this.d.store.updateTxAttempt(o.id, { status: "replaced" });
    const firstBlock = t.lastActionBlock;
    this.d.metrics?.txIncluded?.(this.d.kind, Math.max(0, r.blockNumber - firstBlock));
    this.timeline(t.incidentId, r.blockNumber, success ? "tx" : "error", `${this.d.kind} tx ${a.hash} ${success ? "included" : "REVERTED"} in block ${r.blockNumber}`, {
      hash: a.hash,
      gasUsed: r.gasUsed,
      effectiveGasPrice: r.gasPrice,
    });
  }

  /** Follow every tracked transaction: receipts, confirmations, re-broadcast, fee bumps. */
  async onNewBlock(block: BlockRef): Promise<LaneEvent[]> {
    if (block.number > this.head) this.head = block.number;
    const events: LaneEvent[] = [];
    for (const t of [...this.tracked.values()]) {
      try {
        const ev = await this.follow(t, block);
        if (ev) {
          events.push(ev);
          this.tracked.delete(t.incidentId);
        }
      } catch (err) {
        this.d.logger.warn({ incident: t.incidentId, err: (err as Error).message }, `${this.d.kind} follow-up failed; retrying next block`);
      }
    }
    return events;
  }

  private async follow(t: Tracked, block: BlockRef): Promise<LaneEvent | undefined> {
    const { signer, store } = this.d;
    const confirmed = (): LaneEvent | undefined => {
      const inc = t.included!;
      if (block.number - inc.blockNumber + 1 < this.d.fees.confirmations) return undefined;
      return { type: "included", incidentId: t.incidentId, to: t.to, data: t.data, hash: inc.hash, blockNumber: inc.blockNumber, success: inc.success };
    };
    if (t.included) {
      // Re-check the receipt (a reorg may have dropped it).
      const again = await this.d.provider.getTransactionReceipt(t.included.hash);
      if (!again) {
        store.updateTxAttempt(t.included.attemptId, { status: "sent", includedBlock: undefined });
        t.included = undefined;
      } else {
        if (again.blockNumber !== t.included.blockNumber) t.included.blockNumber = again.blockNumber;
        return confirmed();
      }
    }

    if (signer.managesNonceAndFees) {
      if (!t.broadcast || !t.relayerTxId) {
        await this.broadcastCurrent(t, block.number);
        return undefined;
      }
      const rt = await signer.getTransaction!({ id: t.relayerTxId });
      const cur = t.attempts[t.attempts.length - 1];
      if (rt.hash && rt.hash !== cur.hash) {
        // The relayer re-priced: keep every hash (any may be mined), record the new one.
        const id = store.recordTxAttempt({
          incidentId: t.incidentId, kind: this.d.kind, chainId: this.d.chainId, to: t.to, data: t.data, nonce: rt.nonce, hash: rt.hash,
          maxFeePerGas: rt.maxFeePerGas, maxPriorityFeePerGas: rt.maxPriorityFeePerGas, status: "sent",
          note: meta({ gasLimit: t.gasLimit, signer: signer.kind, relayerTxId: t.relayerTxId }, "re-priced by the relayer"), createdAt: this.now(),
        });
        if (cur.hash) store.updateTxAttempt(cur.id, { status: "replaced" });
        t.attempts.push({ id, hash: rt.hash, maxFeePerGas: rt.maxFeePerGas, maxPriorityFeePerGas: rt.maxPriorityFeePerGas });
      }
      if (["failed", "expired", "canceled"].includes(rt.status)) {
        const found = await this.receiptOf(t);
        if (found) {
          this.markIncluded(t, found.a, found.r);
          return confirmed();
        }
        for (const a of t.attempts) store.updateTxAttempt(a.id, { status: "failed" });
        const reason = `relayer reports the transaction ${rt.status}`;
        this.timeline(t.incidentId, block.number, "error", `${this.d.kind} tx ${t.relayerTxId}: ${reason}`);
        return { type: "failed", incidentId: t.incidentId, to: t.to, data: t.data, reason };
      }
      const found = await this.receiptOf(t);
      if (found) {
        this.markIncluded(t, found.a, found.r);
        return confirmed();
      }
      return undefined;
    }

    // Local key: receipts of every hash we signed.
    const found = await this.receiptOf(t);
    if (found) {
      this.markIncluded(t, found.a, found.r);
      return confirmed();
    }
    const latestNonce = await this.d.provider.getTransactionCount(await this.address(), "latest");
    if (t.nonce !== undefined && latestNonce > t.nonce) {
      // Re-check once more (receipt may have raced), then conclude another tx used the nonce.
      const again = await this.receiptOf(t);
      if (again) {
        this.markIncluded(t, again.a, again.r);
        return confirmed();
      }
      for (const a of t.attempts) store.updateTxAttempt(a.id, { status: "replaced", note: meta({ gasLimit: t.gasLimit }, "nonce used by a transaction this keeper did not record") });
      this.timeline(t.incidentId, block.number, "note", `${this.d.kind}: nonce ${t.nonce} was used by another transaction (another keeper replica with the same key?)`);
      return { type: "nonce-consumed", incidentId: t.incidentId, to: t.to, data: t.data };
    }
    if (!t.broadcast) {
      await this.broadcastCurrent(t, block.number);
      t.lastActionBlock = block.number;
      return undefined;
    }
    if (block.number <= t.lastActionBlock) return undefined;
    await this.bump(t, block);
    return undefined;
  }

  private async bump(t: Tracked, block: BlockRef): Promise<void> {
    const { signer, store } = this.d;
    const prev = t.attempts[t.attempts.length - 1];
    const bumped = await this.bumpedFees(prev, t.outbid);
    if (!bumped) {
      if (!t.capNoted) {
        t.capNoted = true;
        this.timeline(t.incidentId, block.number, "note", `${this.d.kind} tx not included and fees are at the cap (maxFeePerGas ${this.d.fees.maxFeePerGas}); waiting`);
      }
      return;
    }
    const fees = { maxFeePerGas: bumped.maxFeePerGas, maxPriorityFeePerGas: bumped.maxPriorityFeePerGas };
    const signed = await signer.signTransaction!({ to: t.to, data: t.data, gasLimit: t.gasLimit, nonce: t.nonce, ...fees });
    const id = store.recordTxAttempt({
      incidentId: t.incidentId, kind: this.d.kind, chainId: this.d.chainId, to: t.to, data: t.data, nonce: t.nonce, hash: signed.hash,
      ...fees, status: "intent", note: meta({ gasLimit: t.gasLimit, signer: signer.kind }, `replaces ${prev.hash} (block ${block.number})${bumped.atCap ? "; at the cap: the whole maxFeePerGas as tip" : ""}`), createdAt: this.now(),
      sentBlock: block.number,
    });
    t.attempts.push({ id, hash: signed.hash, ...fees });
    t.raw = signed.raw;
    t.lastActionBlock = block.number;
    try {
      await signer.broadcast!(signed.raw);
    } catch (err) {
      const msg = (err as Error).message;
      // The replacement was refused (underpriced, or the original got mined meanwhile): keep following.
      store.updateTxAttempt(id, { status: "failed", note: meta({ gasLimit: t.gasLimit }, `replacement refused: ${msg.split("\n")[0].slice(0, 200)}`) });
      t.attempts.pop();
      t.raw = undefined;
      this.timeline(t.incidentId, block.number, "error", `${this.d.kind} replacement refused: ${msg.split("\n")[0].slice(0, 200)}`);
      return;
    }
    store.updateTxAttempt(id, { status: "sent" });
    store.updateTxAttempt(prev.id, { status: "replaced" });
    this.d.metrics?.txSent?.(this.d.kind, true);
    this.timeline(t.incidentId, block.number, "tx", `${this.d.kind} tx replaced with higher fees: ${signed.hash}`, {
      hash: signed.hash, replaces: prev.hash, nonce: t.nonce, ...fees,
    });
  }

  // ---------------------------------------------------------------- restart

  /** Pick up attempts left pending by a previous run (same store). Returns the incidents resumed. */
  resume(): string[] {
    const pending = this.d.store.pendingTxAttempts(this.d.kind);
    const incidents = [...new Set(pending.map((p) => p.incidentId))];
    for (const incidentId of incidents) {
      if (this.tracked.has(incidentId)) continue;
      const all = this.d.store.txAttempts(incidentId).filter((a) => a.kind === this.d.kind && a.status !== "failed" && a.status !== "skipped");
      const cur = pending.filter((p) => p.incidentId === incidentId).at(-1)!;
      const gas = metaField(cur.note, "gasLimit");
      this.tracked.set(incidentId, {
        incidentId,
        to: cur.to,
        data: cur.data,
        gasLimit: gas ? BigInt(gas) : 300_000n,
        nonce: cur.nonce,
        relayerTxId: [...all].reverse().map((a) => metaField(a.note, "relayerTxId")).find(Boolean),
        attempts: all.filter((a) => a.hash || a.id === cur.id).map((a) => ({ id: a.id!, hash: a.hash, maxFeePerGas: a.maxFeePerGas, maxPriorityFeePerGas: a.maxPriorityFeePerGas })),
        // An "intent" may or may not have reached the node: re-broadcast the same signed bytes.
        broadcast: cur.status === "sent",
        // Bump only on a head above the one the last attempt went out at (not at once after a restart).
        lastActionBlock: cur.sentBlock ?? 0,
        capNoted: false,
      });
      if (cur.nonce !== undefined && (this.nextNonce ?? 0) <= cur.nonce) this.nextNonce = cur.nonce + 1;
    }
    return incidents;
  }
}
