// Synthetic blocks and a fake, counting readAt for the detector / policy unit tests.
import { AbiCoder, id, Interface, zeroPadValue } from "ethers";
import type { BlockData, DetectionContext, LogData, ReadCall, ReadResult, TxData } from "../../keeper/types.js";

export const coder = AbiCoder.defaultAbiCoder();
export const addr = (n: number) => "0x" + n.toString(16).padStart(40, "0");
export const hash = (s: string | number) => id(String(s));
export const topicAddr = (a: string) => zeroPadValue(a, 32).toLowerCase();

export function tx(p: Partial<TxData> & { hash?: string }): TxData {
  return { hash: p.hash ?? hash(Math.random()), index: 0, from: addr(1), to: addr(2), input: "0x", value: 0n, nonce: 10, success: true, ...p };
}

export function log(address: string, topics: string[], data: string, txHash: string, logIndex = 0): LogData {
  return { address, topics, data, transactionHash: txHash, transactionIndex: 0, logIndex };
}

export const TRANSFER = id("Transfer(address,address,uint256)");
export function transfer(token: string, from: string, to: string, amount: bigint, txHash: string, logIndex = 0): LogData {
  return log(token, [TRANSFER, topicAddr(from), topicAddr(to)], coder.encode(["uint256"], [amount]), txHash, logIndex);
}

export function block(number: number, transactions: TxData[] = [], logs: LogData[] = [], timestamp = 1_700_000_000 + number * 12): BlockData {
  return { number, hash: hash(`block-${number}`), parentHash: hash(`block-${number - 1}`), timestamp, transactions, logs };
}

/** A view registry: answers calls by (target, selector) with a function of the block. */
export class FakeChain {
  readAtCalls = 0;
  callsPerReadAt: number[] = [];
  private readonly views = new Map<string, (blockNumber: number, data: string) => string | null>();
  nonces = new Map<string, number>();
  balances = new Map<string, bigint>();

  /** Register `target.signature` returning values (abi types `returns`) computed per block; null = revert. */
  view(target: string, signature: string, returns: string[], fn: (blockNumber: number, args: readonly unknown[]) => unknown[] | null): void {
    const iface = new Interface([`function ${signature} view returns (${returns.join(",")})`]);
    const frag = iface.fragments[0] as import("ethers").FunctionFragment;
    this.views.set(`${target.toLowerCase()}:${frag.selector}`, (b, data) => {
      const out = fn(b, iface.decodeFunctionData(frag, data));
      return out === null ? null : iface.encodeFunctionResult(frag, out);
    });
  }

  ctx(b: BlockData): DetectionContext {
    return {
      block: b,
      readAt: async (calls: ReadCall[]): Promise<ReadResult[]> => {
        this.readAtCalls++;
        this.callsPerReadAt.push(calls.length);
        return calls.map((c) => {
          const v = this.views.get(`${c.target.toLowerCase()}:${c.data.slice(0, 10)}`);
          const r = v ? v(b.number, c.data) : null;
          return r === null ? { success: false, returnData: "0x" } : { success: true, returnData: r };
        });
      },
      getCode: async () => "0x",
      getBalance: async (a: string) => this.balances.get(a.toLowerCase()) ?? 0n,
      getTransactionCount: async (a: string) => this.nonces.get(a.toLowerCase()) ?? 0,
    };
  }
}

/** Deterministic pseudo-random numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
