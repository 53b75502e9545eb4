// The DetectionContext of one block: every read is pinned to that block by its HASH (EIP-1898),
// so a read can never silently see another fork. Reads issued by all detectors in the same tick
// are coalesced: every `readAt` call becomes part of ONE Multicall3 `aggregate3` eth_call, and
// getCode/getBalance/getTransactionCount ride along in the same JSON-RPC batch (one HTTP request).
import { Interface } from "ethers";
import type { BlockData, DetectionContext, ReadCall, ReadResult } from "../types.js";
import { type JsonRpcRequest, type RpcPool } from "./rpc.js";

export const MULTICALL3_ABI = [
  "function aggregate3((address target, bool allowFailure, bytes callData)[] calls) payable returns ((bool success, bytes returnData)[] returnData)",
];
export const multicall3Interface = new Interface(MULTICALL3_ABI);
export const CANONICAL_MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";

interface Pending<T> {
  request: JsonRpcRequest;
  decode: (raw: unknown) => T;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

interface PendingRead {
  calls: ReadCall[];
  resolve: (v: ReadResult[]) => void;
  reject: (e: unknown) => void;
}

export interface ContextStats {
  /** JSON-RPC batches sent (HTTP requests). */
  batches: number;
  /** aggregate3 eth_calls sent. */
  multicalls: number;
  /** ReadCalls served. */
  reads: number;
}

export interface BlockContext extends DetectionContext {
  readonly stats: ContextStats;
}

/** Build the context of `block`; `multicall3` must have code at that block. */
export function createDetectionContext(rpc: RpcPool, block: BlockData, multicall3: string): BlockContext {
  const blockTag = { blockHash: block.hash };
  const stats: ContextStats = { batches: 0, multicalls: 0, reads: 0 };
  let reads: PendingRead[] = [];
  let others: Pending<unknown>[] = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // setImmediate: after every detector started in this tick has issued its first reads.
    setImmediate(() => {
      scheduled = false;
      void flush();
    });
  };

  const flush = async () => {
    const myReads = reads;
    const myOthers = others;
    reads = [];
    others = [];
    const requests: JsonRpcRequest[] = myOthers.map((p) => p.request);
    const flat: ReadCall[] = myReads.flatMap((r) => r.calls);
    if (flat.length > 0) {
      const data = multicall3Interface.encodeFunctionData("aggregate3", [
        flat.map((c) => ({ target: c.target, allowFailure: true, callData: c.data })),
      ]);
      requests.push({ method: "eth_call", params: [{ to: multicall3, data }, blockTag] });
      stats.multicalls++;
      stats.reads += flat.length;
    }
    stats.batches++;
    let results: unknown[];
    try {
      // Each request settles on its own: one failing eth_getCode does not fail the others.
      results = await rpc.batch(requests).catch(async (err) => {
        if (requests.length === 1) throw err;
        return Promise.all(requests.map((r) => rpc.request(r.method, r.params).catch((e: unknown) => ({ __error: e }))));
      });
    } catch (err) {
      for (const p of myOthers) p.reject(err);
      for (const r of myReads) r.reject(err);
      return;
    }
    myOthers.forEach((p, i) => {
      const raw = results[i] as { __error?: unknown } | undefined;
      if (raw && typeof raw === "object" && "__error" in raw) return p.reject(raw.__error);
      try {
        p.resolve(p.decode(raw));
      } catch (e) {
        p.reject(e);
      }
    });
    if (flat.length > 0) {
      const raw = results[results.length - 1] as { __error?: unknown } | string;
      if (raw && typeof raw === "object" && "__error" in raw) {
        for (const r of myReads) r.reject(raw.__error);
        return;
      }
      let decoded: ReadResult[];
      try {
        if (raw === "0x") throw new Error(`no Multicall3 code at ${multicall3} at block ${block.number}: deploy it or configure chain.multicall3`);
        const [out] = multicall3Interface.decodeFunctionResult("aggregate3", raw as string);
        decoded = (out as { success: boolean; returnData: string }[]).map((x) => ({ success: x.success, returnData: x.returnData }));
      } catch (e) {
        for (const r of myReads) r.reject(e);
        return;
      }
      let offset = 0;
      for (const r of myReads) {
        r.resolve(decoded.slice(offset, offset + r.calls.length));
        offset += r.calls.length;
      }
    }
  };

  const enqueue = <T>(request: JsonRpcRequest, decode: (raw: unknown) => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      others.push({ request, decode, resolve: resolve as (v: unknown) => void, reject });
      schedule();
    });

  return {
    block,
    stats,
    readAt(calls: ReadCall[]): Promise<ReadResult[]> {
      if (calls.length === 0) return Promise.resolve([]);
      return new Promise<ReadResult[]>((resolve, reject) => {
        reads.push({ calls, resolve, reject });
        schedule();
      });
    },
    getCode: (address) => enqueue({ method: "eth_getCode", params: [address, blockTag] }, (r) => String(r)),
    getBalance: (address) => enqueue({ method: "eth_getBalance", params: [address, blockTag] }, (r) => BigInt(String(r))),
    getTransactionCount: (address) =>
      enqueue({ method: "eth_getTransactionCount", params: [address, blockTag] }, (r) => Number(BigInt(String(r)))),
  };
}
