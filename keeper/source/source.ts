// Blocks in order, by parent hash, checkpointed.
//
// The guarantee: the only block the source ever hands out is checkpoint + 1 (or the configured
// start block when the store is empty), and only if its parentHash equals the checkpoint's hash.
// The head number is just an upper bound: after any downtime (keeper stopped, every RPC down) the
// source resumes at checkpoint + 1 and walks up one block at a time. Nothing "jumps to the head",
// so no block can be skipped (the OpenZeppelin Monitor failure mode). Errors never advance the
// checkpoint: the caller retries the same step.
//
// A block whose parent is not our checkpoint, or a checkpoint that is no longer on the chain,
// means a reorg: the source walks back through the stored ancestors until the chain agrees with
// the store (the fork point) and reports it; the runtime then unwinds to it and re-processes.
import type { BlockData, BlockRef, LogData, TxData } from "../types.js";
import type { KeeperStore } from "../store/store.js";
import { RpcError, toHex, type RpcPool } from "./rpc.js";

export type SourceStep =
  | { kind: "block"; block: BlockData }
  | { kind: "reorg"; forkPoint: number; orphaned: BlockRef[] }
  | { kind: "idle"; head: number };

/** The chain and the store disagree beyond what can be unwound: a person must look. */
export class ReorgTooDeepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReorgTooDeepError";
  }
}

/** The chain moved under a fetch (a receipt from another block): retry. */
export class ChainMovedError extends Error {}

interface RawHeader {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  baseFeePerGas?: string;
}
interface RawTx {
  hash: string;
  transactionIndex: string;
  from: string;
  to: string | null;
  input: string;
  value: string;
  nonce: string;
  gasPrice?: string;
  maxPriorityFeePerGas?: string;
  maxFeePerGas?: string;
  gas?: string;
}
interface RawBlock extends RawHeader {
  transactions: RawTx[];
}
interface RawLog {
  address: string;
  topics: string[];
  data: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  blockHash: string;
  removed?: boolean;
}
interface RawReceipt {
  transactionHash: string;
  blockHash: string;
  status?: string;
  contractAddress: string | null;
  effectiveGasPrice?: string;
  gasUsed?: string;
  logs: RawLog[];
}

const num = (h: string): number => Number(BigInt(h));
const headerRef = (h: RawHeader): BlockRef => ({
  number: num(h.number),
  hash: h.hash,
  parentHash: h.parentHash,
  timestamp: num(h.timestamp),
});

const opt = <K extends string>(k: K, v: string | undefined): Partial<Record<K, bigint>> => (v === undefined || v === null ? {} : ({ [k]: BigInt(v) } as Record<K, bigint>));

/** The priority fee a transaction paid per gas (what a pause must outbid to go before it). */
function tipOf(t: RawTx, r: RawReceipt, baseFee: string | undefined): { priorityFeePerGas?: bigint } {
  const base = baseFee === undefined ? undefined : BigInt(baseFee);
  const price = r.effectiveGasPrice ?? t.gasPrice;
  if (price !== undefined && base !== undefined) return { priorityFeePerGas: BigInt(price) - base };
  if (t.maxPriorityFeePerGas !== undefined) return { priorityFeePerGas: BigInt(t.maxPriorityFeePerGas) };
  return {};
}

/** Meta key: the first block this store processed (where to resume if a reorg unwinds everything). */
const META_FIRST_BLOCK = "source.firstBlock";

export interface BlockSourceOptions {
  rpc: RpcPool;
  store: KeeperStore;
  confirmations: number;
  maxReorgDepth: number;
  /** First block when the store is empty; default the head (minus confirmations). */
  startBlock?: number;
  /** Receipts per JSON-RPC batch when eth_getBlockReceipts is not available. */
  receiptBatchSize?: number;
  /**
   * Catching up (more than one block behind the target): fetch up to this many blocks ahead in
   * one JSON-RPC batch, and their receipts in one more (blocks without transactions need none).
   * The blocks are still handed out one at a time, each only if its parent hash is the checkpoint;
   * a prefetched block orphaned meanwhile is caught by the next parent-hash check like any reorg.
   * 1 disables prefetching. Default 32.
   */
  prefetch?: number;
  /** While catching up, refresh the head at most this often (ms). Default 1000. */
  headRefreshMs?: number;
}

export class BlockSource {
  /** Last head seen (number). */
  head?: number;
  /** Last head seen (header). */
  headRef?: BlockRef;
  /** Wall clock (ms) of the last successful head refresh. */
  headAt?: number;
  private headHash?: string;
  private blockReceipts: boolean | undefined = undefined;
  /** Blocks fetched ahead while catching up (number → block); dropped on any disagreement. */
  private readonly ahead = new Map<number, BlockData>();

  /** The blocks fetched ahead and not yet returned, by number (the backtest reads ahead for them). */
  prefetched(): BlockData[] {
    return [...this.ahead.values()].sort((a, b) => a.number - b.number);
  }

  constructor(private readonly opts: BlockSourceOptions) {}

  /** Refresh the head (eth_getBlockByNumber latest). */
  async refreshHead(): Promise<BlockRef> {
    const h = await this.opts.rpc.request<RawHeader | null>("eth_getBlockByNumber", ["latest", false]);
    if (!h) throw new Error("the RPC returned no latest block");
    const ref = headerRef(h);
    this.head = ref.number;
    this.headHash = ref.hash;
    this.headRef = ref;
    this.headAt = Date.now();
    return ref;
  }

  /** The next thing to do. Never advances anything itself: the caller marks blocks processed. */
  async next(): Promise<SourceStep> {
    const { store, confirmations } = this.opts;
    const cp = store.checkpoint();
    // Refresh the head when we may have reached it, and while catching up at most once per
    // `headRefreshMs` (the responders bump fees on new heads, health compares with the real head).
    const stale = this.headAt === undefined || Date.now() - this.headAt >= (this.opts.headRefreshMs ?? 1_000);
    if (this.head === undefined || cp === undefined || cp.number >= this.head - confirmations || stale) await this.refreshHead();
    const head = this.head!;
    const target = head - confirmations;

    if (!cp) {
      const first = store.getMeta(META_FIRST_BLOCK);
      const start = first !== undefined ? Number(first) : (this.opts.startBlock ?? Math.max(0, target));
      if (start > target) return { kind: "idle", head };
      const block = await this.fetchBlock(start);
      if (!block) return { kind: "idle", head };
      return { kind: "block", block };
    }

    if (cp.number > head) return this.reorg(cp, "the chain is now shorter than the checkpoint");
    if (cp.number >= target) {
      // At the tip: is our checkpoint still on the chain?
      const hash = cp.number === head ? this.headHash : (await this.header(cp.number))?.hash;
      if (hash !== cp.hash) return this.reorg(cp, `block ${cp.number} was replaced`);
      return { kind: "idle", head };
    }
    const block = await this.nextBlock(cp.number + 1, target);
    if (!block) {
      this.head = undefined; // the chain got shorter than the head we knew: look again next time
      return { kind: "idle", head };
    }
    if (block.parentHash !== cp.hash) {
      this.ahead.clear();
      const r = await this.reorg(cp, `block ${block.number} does not build on ${cp.hash}`);
      if (r.kind === "reorg" && r.orphaned.length === 0 && r.forkPoint === cp.number) {
        // The checkpoint is still on the chain, yet its child names another parent: the answers
        // disagree (the chain moved between the two requests, or a node serving inconsistent
        // hashes). Nothing to unwind: fail the step so the caller retries with backoff.
        throw new ChainMovedError(`block ${block.number} names parent ${block.parentHash}, but block ${cp.number} on the chain is still ${cp.hash}: inconsistent RPC answers, retrying`);
      }
      return r;
    }
    return { kind: "block", block };
  }

  /** Block `n` (at most `target`): from the prefetched window, or a new window when catching up. */
  private async nextBlock(n: number, target: number): Promise<BlockData | undefined> {
    for (const k of this.ahead.keys()) if (k < n) this.ahead.delete(k);
    const cached = this.ahead.get(n);
    if (cached) {
      this.ahead.delete(n);
      return cached;
    }
    this.ahead.clear();
    const size = Math.max(1, this.opts.prefetch ?? 32);
    if (size === 1 || target - n < 1) return this.fetchBlock(n);
    const blocks = await this.fetchBlocks(n, Math.min(target, n + size - 1));
    for (const b of blocks.slice(1)) this.ahead.set(b.number, b);
    return blocks[0];
  }

  /** Forget prefetched blocks (the runtime unwound a reorg). */
  dropPrefetched(): void {
    this.ahead.clear();
  }

  /**
   * Blocks `from..to` in one JSON-RPC batch, their receipts in one more (only blocks with
   * transactions). Stops at the first missing block; each block must link to the one before.
   */
  async fetchBlocks(from: number, to: number): Promise<BlockData[]> {
    const { rpc } = this.opts;
    const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const raws = await rpc.batch<RawBlock | null>(numbers.map((n) => ({ method: "eth_getBlockByNumber", params: [toHex(n), true] })));
    const blocks: RawBlock[] = [];
    for (const r of raws) {
      if (!r) break;
      const prev = blocks[blocks.length - 1];
      if (prev && r.parentHash !== prev.hash) break; // the chain moved mid-batch: keep the linked prefix
      blocks.push(r);
    }
    const withTxs = blocks.filter((b) => b.transactions.length > 0);
    const receipts = new Map<string, RawReceipt[]>();
    if (withTxs.length > 0) {
      // The first block with transactions settles whether eth_getBlockReceipts is available.
      if (this.blockReceipts === undefined) receipts.set(withTxs[0]!.hash, await this.receipts(withTxs[0]!));
      const rest = withTxs.filter((b) => !receipts.has(b.hash));
      if (this.blockReceipts) {
        const rs = await rpc.batch<RawReceipt[] | null>(rest.map((b) => ({ method: "eth_getBlockReceipts", params: [b.hash] })));
        rest.forEach((b, i) => {
          const r = rs[i];
          if (!r) throw new ChainMovedError(`no receipts for block ${num(b.number)} (${b.hash}): the chain moved`);
          receipts.set(b.hash, r);
        });
      } else {
        const size = this.opts.receiptBatchSize ?? 100;
        const txs = rest.flatMap((b) => b.transactions.map((t) => ({ block: b, hash: t.hash })));
        for (let i = 0; i < txs.length; i += size) {
          const chunk = txs.slice(i, i + size);
          const rs = await rpc.batch<RawReceipt | null>(chunk.map((t) => ({ method: "eth_getTransactionReceipt", params: [t.hash] })));
          rs.forEach((r, j) => {
            const t = chunk[j]!;
            if (!r) throw new ChainMovedError(`no receipt for ${t.hash} in block ${num(t.block.number)}: the chain moved`);
            const list = receipts.get(t.block.hash) ?? [];
            list.push(r);
            receipts.set(t.block.hash, list);
          });
        }
      }
    }
    return blocks.map((b) => this.assemble(b, receipts.get(b.hash) ?? []));
  }

  /** Remember where this store started (call when the first block is processed). */
  noteProcessed(block: BlockRef): void {
    if (this.opts.store.getMeta(META_FIRST_BLOCK) === undefined) this.opts.store.setMeta(META_FIRST_BLOCK, String(block.number));
  }

  async header(n: number): Promise<BlockRef | undefined> {
    const h = await this.opts.rpc.request<RawHeader | null>("eth_getBlockByNumber", [toHex(n), false]);
    return h ? headerRef(h) : undefined;
  }

  /** Walk back from the checkpoint to the highest stored block the chain still has. */
  private async reorg(cp: BlockRef, why: string): Promise<SourceStep> {
    this.ahead.clear();
    const { store, maxReorgDepth, rpc } = this.opts;
    const orphaned: BlockRef[] = [];
    const floor = cp.number - maxReorgDepth;
    let n = cp.number;
    while (n >= 0 && n >= floor) {
      // Check up to 16 stored blocks per JSON-RPC batch.
      const batch: BlockRef[] = [];
      for (let k = n; k >= Math.max(0, floor, n - 15); k--) {
        const stored = store.processedBlock(k);
        if (!stored) break;
        batch.push(stored);
      }
      if (batch.length === 0) {
        const first = store.getMeta(META_FIRST_BLOCK);
        if (first !== undefined && n < Number(first)) {
          // Everything this store ever processed is orphaned: start over from its first block.
          return { kind: "reorg", forkPoint: Number(first) - 1, orphaned };
        }
        break;
      }
      const chain = await rpc.batch<RawHeader | null>(
        batch.map((b) => ({ method: "eth_getBlockByNumber", params: [toHex(b.number), false] })),
      );
      for (let i = 0; i < batch.length; i++) {
        const c = chain[i];
        if (c && c.hash === batch[i]!.hash) return { kind: "reorg", forkPoint: batch[i]!.number, orphaned };
        orphaned.push(batch[i]!);
      }
      n = batch[batch.length - 1]!.number - 1;
    }
    throw new ReorgTooDeepError(
      `reorg deeper than the ${maxReorgDepth} blocks the store remembers (${why}; checkpoint ${cp.number} ${cp.hash}): ` +
        `stop the keeper, check the RPC, and start it with a fresh store and chain.startBlock below the fork`,
    );
  }

  /** Block `n` with its transactions, receipts' status/created contract, and logs. */
  async fetchBlock(n: number): Promise<BlockData | undefined> {
    const { rpc } = this.opts;
    const raw = await rpc.request<RawBlock | null>("eth_getBlockByNumber", [toHex(n), true]);
    if (!raw) return undefined;
    return this.assemble(raw, await this.receipts(raw));
  }

  /** A raw block and its receipts → BlockData (every receipt must be from this very block). */
  private assemble(raw: RawBlock, receipts: RawReceipt[]): BlockData {
    const n = num(raw.number);
    const byHash = new Map(receipts.map((r) => [r.transactionHash.toLowerCase(), r]));
    const transactions: TxData[] = raw.transactions.map((t) => {
      const r = byHash.get(t.hash.toLowerCase());
      if (!r || r.blockHash !== raw.hash) throw new ChainMovedError(`receipt of ${t.hash} is not from block ${n} (${raw.hash}): the chain moved`);
      return {
        hash: t.hash,
        index: num(t.transactionIndex),
        from: t.from,
        to: t.to ?? null,
        input: t.input,
        value: BigInt(t.value),
        nonce: num(t.nonce),
        createdContract: r.contractAddress ?? undefined,
        success: r.status === undefined ? true : num(r.status) === 1,
        ...tipOf(t, r, raw.baseFeePerGas),
        ...opt("gasPrice", r.effectiveGasPrice ?? t.gasPrice),
        ...opt("maxFeePerGas", t.maxFeePerGas),
        ...opt("maxPriorityFeePerGas", t.maxPriorityFeePerGas),
        ...opt("gasLimit", t.gas),
        ...opt("gasUsed", r.gasUsed),
      };
    });
    const logs: LogData[] = receipts
      .flatMap((r) => r.logs)
      .filter((l) => !l.removed)
      .map((l) => ({
        address: l.address,
        topics: l.topics,
        data: l.data,
        transactionHash: l.transactionHash,
        transactionIndex: num(l.transactionIndex),
        logIndex: num(l.logIndex),
      }))
      .sort((a, b) => a.logIndex - b.logIndex);
    return { ...headerRef(raw), transactions, logs };
  }

  private async receipts(block: RawBlock): Promise<RawReceipt[]> {
    if (block.transactions.length === 0) return [];
    const { rpc } = this.opts;
    if (this.blockReceipts !== false) {
      try {
        const r = await rpc.request<RawReceipt[] | null>("eth_getBlockReceipts", [block.hash]);
        if (r) {
          this.blockReceipts = true;
          return r;
        }
      } catch (err) {
        if (!(err instanceof RpcError)) throw err;
        this.blockReceipts = false; // not supported here (Hardhat): per-transaction receipts from now on
      }
    }
    const size = this.opts.receiptBatchSize ?? 100;
    const out: RawReceipt[] = [];
    for (let i = 0; i < block.transactions.length; i += size) {
      const chunk = block.transactions.slice(i, i + size);
      const rs = await rpc.batch<RawReceipt | null>(chunk.map((t) => ({ method: "eth_getTransactionReceipt", params: [t.hash] })));
      rs.forEach((r, j) => {
        if (!r) throw new ChainMovedError(`no receipt for ${chunk[j]!.hash} in block ${num(block.number)}: the chain moved`);
        out.push(r);
      });
    }
    return out;
  }
}
