// A block's detection inputs, recorded once while the backtest reads the chain, so the same block
// can be evaluated again without the chain: every sweep point, and a resumed run (the checkpoint
// file IS the recording). What is recorded is exactly what a detector may see: the BlockData
// and the answers to its reads (Multicall3 results per call, code / balance / nonce per address),
// including the errors, which a replay throws again.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import type { BlockData, DetectionContext, ReadCall, ReadResult } from "../types.js";
import type { KeeperConfig } from "../config/schema.js";

type Answer<T> = { ok: T } | { error: string };

export interface BlockReads {
  /** "target:calldata" (lowercase) → result. */
  calls: Record<string, Answer<ReadResult>>;
  /** "code|balance|nonce:address" → value (balance as a decimal string). */
  state: Record<string, Answer<string | number>>;
}

export interface RecordedBlock {
  block: BlockData;
  reads: BlockReads;
}

const callKey = (c: ReadCall) => `${c.target.toLowerCase()}:${c.data.toLowerCase()}`;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Wrap a live context: every answer (or error) it gives is written into `reads`. */
export function recordingContext(inner: DetectionContext, reads: BlockReads): DetectionContext {
  const state = <T extends string | number | bigint>(kind: string, fn: (a: string) => Promise<T>) => async (address: string): Promise<T> => {
    const k = `${kind}:${address.toLowerCase()}`;
    try {
      const v = await fn(address);
      reads.state[k] = { ok: typeof v === "bigint" ? v.toString() : (v as string | number) };
      return v;
    } catch (e) {
      reads.state[k] = { error: message(e) };
      throw e;
    }
  };
  return {
    block: inner.block,
    async readAt(calls) {
      try {
        const out = await inner.readAt(calls);
        calls.forEach((c, i) => (reads.calls[callKey(c)] = { ok: out[i]! }));
        return out;
      } catch (e) {
        for (const c of calls) reads.calls[callKey(c)] = { error: message(e) };
        throw e;
      }
    },
    getCode: state("code", (a) => inner.getCode(a)),
    getBalance: state("balance", (a) => inner.getBalance(a)),
    getTransactionCount: state("nonce", (a) => inner.getTransactionCount(a)),
  };
}

/** Thrown when a replayed detector asks for a read the recording does not hold. */
export class NotRecordedError extends Error {
  constructor(block: number, what: string) {
    super(`block ${block}: ${what} was not recorded (this setting reads something the recorded run did not: rerun the backtest with it instead of sweeping it)`);
    this.name = "NotRecordedError";
  }
}

/** A context answering from the recording only (no RPC). */
export function replayContext(rec: RecordedBlock): DetectionContext {
  const { block, reads } = rec;
  const state = <T>(kind: string, decode: (v: string | number) => T) => async (address: string): Promise<T> => {
    const a = reads.state[`${kind}:${address.toLowerCase()}`];
    if (!a) throw new NotRecordedError(block.number, `${kind} of ${address}`);
    if ("error" in a) throw new Error(a.error);
    return decode(a.ok);
  };
  return {
    block,
    async readAt(calls) {
      return calls.map((c) => {
        const a = reads.calls[callKey(c)];
        if (!a) throw new NotRecordedError(block.number, `the call ${c.data.slice(0, 10)} on ${c.target}`);
        if ("error" in a) throw new Error(a.error);
        return a.ok;
      });
    },
    getCode: state("code", (v) => String(v)),
    getBalance: state("balance", (v) => BigInt(v)),
    getTransactionCount: state("nonce", (v) => Number(v)),
  };
}

// ---------------------------------------------------------------- the checkpoint file

/**
 * JSON lines: a header, then one recorded block per line, appended as each block is evaluated.
 * A run stopped at any point (Ctrl-C, a crash, or a --to-block below the range's end) resumes
 * by replaying these blocks — detectors and policy get back exactly the state they had — and
 * fetching from the next one. A torn last line (the process died mid-write) is ignored.
 */
export interface CheckpointHeader {
  checkpoint: "breakwater-backtest";
  version: 1;
  chainId: number;
  fromBlock: number;
  /** Hash of the rules, contracts and chain settings: a different config cannot resume this file. */
  configHash: string;
}

/** What a resumed run must share with the run that wrote the file. */
export function configHash(config: KeeperConfig): string {
  const relevant = { chainId: config.chain.chainId, multicall3: config.chain.multicall3.toLowerCase(), contracts: config.contracts, rules: config.rules, plan: config.plan ?? null };
  const text = JSON.stringify(relevant, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : typeof v === "function" ? String(v) : v));
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** A transaction's big-number fields (value, fees, gas): stored as decimal strings. */
const TX_BIGINTS = ["value", "priorityFeePerGas", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "gasLimit", "gasUsed"] as const;
type Tx = BlockData["transactions"][number];

export function encodeBlock(r: RecordedBlock): string {
  const b = r.block;
  const txs = b.transactions.map((t) => {
    const o: Record<string, unknown> = { ...t };
    for (const k of TX_BIGINTS) if (typeof t[k] === "bigint") o[k] = t[k]!.toString();
    return o;
  });
  return JSON.stringify({ block: { ...b, transactions: txs }, reads: r.reads });
}

export function decodeBlock(line: string): RecordedBlock {
  const j = JSON.parse(line) as { block: BlockData & { transactions: Record<string, unknown>[] }; reads: BlockReads };
  const txs = j.block.transactions.map((t) => {
    const o: Record<string, unknown> = { ...t };
    for (const k of TX_BIGINTS) if (typeof t[k] === "string") o[k] = BigInt(t[k] as string);
    return o as unknown as Tx;
  });
  return { block: { ...j.block, transactions: txs }, reads: j.reads };
}

export class CheckpointFile {
  private constructor(
    readonly path: string,
    readonly header: CheckpointHeader,
    readonly blocks: RecordedBlock[],
  ) {}

  /** Open (and check) an existing file, or create it with `header`. */
  static open(path: string, header: CheckpointHeader): CheckpointFile {
    if (!existsSync(path)) {
      writeFileSync(path, JSON.stringify(header) + "\n");
      return new CheckpointFile(path, header, []);
    }
    const lines = readFileSync(path, "utf8").split("\n");
    let found: CheckpointHeader;
    try {
      found = JSON.parse(lines[0] ?? "") as CheckpointHeader;
    } catch {
      throw new Error(`--checkpoint ${path}: not a backtest checkpoint (first line is not JSON); give a new file name or delete it`);
    }
    if (found.checkpoint !== "breakwater-backtest") throw new Error(`--checkpoint ${path}: not a backtest checkpoint file; give a new file name`);
    const mismatch = (what: string, a: unknown, b: unknown) =>
      new Error(`--checkpoint ${path} was written for ${what} ${String(a)}, this run has ${String(b)}: use the same config and --from-block to resume, or a new checkpoint file`);
    if (found.chainId !== header.chainId) throw mismatch("chain id", found.chainId, header.chainId);
    if (found.fromBlock !== header.fromBlock) throw mismatch("--from-block", found.fromBlock, header.fromBlock);
    if (found.configHash !== header.configHash) throw mismatch("a config with hash", found.configHash, header.configHash);
    const blocks: RecordedBlock[] = [];
    let good = (lines[0]?.length ?? 0) + 1;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.trim()) {
        good += line.length + 1;
        continue;
      }
      let r: RecordedBlock;
      try {
        r = decodeBlock(line);
      } catch {
        break; // torn last line: drop it and everything after
      }
      const expected = header.fromBlock + blocks.length;
      if (r.block.number !== expected) throw new Error(`--checkpoint ${path}: line ${i + 1} holds block ${r.block.number}, expected ${expected}: the file is damaged; delete it to start over`);
      blocks.push(r);
      good += line.length + 1;
    }
    const file = new CheckpointFile(path, found, blocks);
    // Cut a torn tail so appended lines follow a complete one.
    const text = lines.join("\n");
    if (good < text.length) writeFileSync(path, text.slice(0, good));
    return file;
  }

  append(r: RecordedBlock): void {
    appendFileSync(this.path, encodeBlock(r) + "\n");
  }
}
