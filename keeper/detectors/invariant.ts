// Typed invariants evaluated with eth_call pinned to the block. Every read of a block — all
// invariants of all rules, and the statistics' TVL reads — goes through one ReadBatch: the
// first detector that asks for a block's results triggers ONE ctx.readAt() with the calls of
// every member (Multicall3 aggregate3 in the source), the others await the same promise.
import { FunctionFragment, Interface } from "ethers";
import type { BlockData, BlockRef, DetectionContext, Detector, Finding, ReadCall, ReadResult } from "../types.js";
import { compare, jsonSafe, normalize, toBigInt } from "./abi.js";
import { finding, resolveAddress, type DetectorOptions } from "./common.js";
import type { CallSpec, InvariantSpec, Literal, RuleConfig } from "./schema.js";

// ---------------------------------------------------------------- the batch

type CallsOf = (block: BlockRef) => ReadCall[];

/** Collects the reads of every member and issues them as one readAt per block. */
export class ReadBatch {
  private readonly members: CallsOf[] = [];
  private readonly cache = new Map<string, Promise<{ slices: (ReadResult[] | Error)[] }>>();
  /** Blocks for which readAt was called (for tests / metrics). */
  readAtCalls = 0;

  /** Register a member; returns its handle for `results`. */
  register(calls: CallsOf): number {
    this.members.push(calls);
    return this.members.length - 1;
  }

  get size(): number {
    return this.members.length;
  }

  /** The member's results at ctx.block (one shared readAt per block hash). */
  async results(member: number, ctx: DetectionContext): Promise<ReadResult[]> {
    const key = `${ctx.block.number}:${ctx.block.hash}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.load(ctx);
      this.cache.set(key, p);
      // keep a few recent blocks only
      while (this.cache.size > 8) this.cache.delete(this.cache.keys().next().value as string);
    }
    const { slices } = await p;
    const s = slices[member];
    if (s instanceof Error) throw s;
    return s;
  }

  private async load(ctx: DetectionContext): Promise<{ slices: (ReadResult[] | Error)[] }> {
    const perMember: (ReadCall[] | Error)[] = this.members.map((m) => {
      try {
        return m(ctx.block);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    });
    const all: ReadCall[] = perMember.flatMap((c) => (c instanceof Error ? [] : c));
    this.readAtCalls++;
    const results = all.length ? await ctx.readAt(all) : [];
    if (results.length !== all.length) throw new Error(`readAt returned ${results.length} results for ${all.length} calls`);
    let o = 0;
    return {
      slices: perMember.map((c) => {
        if (c instanceof Error) return c;
        const s = results.slice(o, o + c.length);
        o += c.length;
        return s;
      }),
    };
  }
}

// ---------------------------------------------------------------- calls

/** A view call of a custom invariant. */
export interface InvariantCall {
  target: string;
  /** "balanceOf(address)" (returns uint256 unless `returns` says otherwise). */
  signature: string;
  args?: unknown[];
  /** "uint256", "bool", "address", "(uint256,uint256)"... */
  returns?: string;
}

export interface CallResult {
  success: boolean;
  /** First return value (normalized: bigint / lowercase hex / bool), undefined if the call failed. */
  value: unknown;
  values: unknown[];
  returnData: string;
}

class EncodedCall {
  readonly frag: FunctionFragment;
  private readonly iface: Interface;
  readonly call: ReadCall;
  constructor(
    spec: InvariantCall,
    named: Record<string, string> | undefined,
    readonly label: string,
  ) {
    const sig = spec.signature.trim().replace(/^function\s+/, "");
    const returns = /\breturns\b/.test(sig) ? "" : ` view returns (${(spec.returns ?? "uint256").replace(/^\((.*)\)$/, "$1")})`;
    this.frag = FunctionFragment.from(`function ${sig}${returns}`);
    const args = (spec.args ?? []).map((a) => (typeof a === "string" && a.startsWith("$") ? resolveAddress(a, named, label) : a));
    const target = resolveAddress(spec.target, named, label);
    this.iface = new Interface([this.frag]);
    this.call = { target, data: this.iface.encodeFunctionData(this.frag, args) };
  }
  decode(r: ReadResult): CallResult {
    if (!r.success) return { success: false, value: undefined, values: [], returnData: r.returnData };
    const dec = this.iface.decodeFunctionResult(this.frag, r.returnData);
    const values = this.frag.outputs.map((_, i) => normalize(dec[i]));
    return { success: true, value: values[0], values, returnData: r.returnData };
  }
}

const specToCall = (c: CallSpec): InvariantCall => ({ target: c.target, signature: c.signature, args: c.args, returns: c.returns });

// ---------------------------------------------------------------- custom invariants

export interface InvariantViolation {
  summary: string;
  details?: Record<string, unknown>;
  /** Extra fingerprint key (e.g. the asset concerned). */
  key?: string;
  asset?: string;
  target?: string;
}

export interface InvariantDefinition<P = Record<string, unknown>> {
  calls: InvariantCall[] | ((block: BlockRef, params: P) => InvariantCall[]);
  /** true / undefined = holds; false, a message or a violation = violated. Throw = evaluation error. */
  check(results: CallResult[], info: { block: BlockData; params: P }): boolean | string | InvariantViolation | null | undefined;
}

/** Typed helper for TypeScript configs: `defineInvariant({ calls: [...], check(results) { ... } })`. */
export function defineInvariant<P = Record<string, unknown>>(def: InvariantDefinition<P>): InvariantDefinition<P> {
  return def;
}

// ---------------------------------------------------------------- the detector

interface Evaluated {
  violation?: InvariantViolation;
}

export class InvariantDetector implements Detector {
  readonly kind = "invariant" as const;
  readonly ruleId: string;
  private readonly member: number;
  private readonly evaluateResults: (results: ReadResult[], block: BlockData) => Evaluated;
  /** share-price-drop: price per block, for consecutive-block comparison and rollback. */
  private readonly history = new Map<number, bigint>();

  constructor(
    private readonly rule: RuleConfig,
    spec: InvariantSpec,
    private readonly batch: ReadBatch,
    opts: DetectorOptions & { invariants?: Record<string, InvariantDefinition<never>> } = {},
  ) {
    this.ruleId = rule.id;
    const named = opts.named;
    const where = `rule "${rule.id}"`;
    switch (spec.type) {
      case "view-compare": {
        const left = new EncodedCall(spec, named, where);
        const right = spec.other ? new EncodedCall(specToCall(spec.other), named, where) : undefined;
        const calls = right ? [left.call, right.call] : [left.call];
        this.member = batch.register(() => calls);
        if (spec.value !== undefined) toBigIntOrLiteral(spec.value, where);
        this.evaluateResults = (rs) => {
          const l = mustSucceed(left.decode(rs[0]), `${spec.signature} on ${left.call.target}`);
          const r = right ? mustSucceed(right.decode(rs[1]), `${spec.other!.signature} on ${right.call.target}`) : (spec.value as Literal);
          if (compare(l, spec.op, typeof r === "bigint" ? r.toString() : (r as Literal))) return {};
          return {
            violation: {
              summary: `invariant broken: ${spec.signature} on ${left.call.target} = ${String(l)}, expected ${spec.op} ${String(r)}`,
              details: jsonSafe({ left: l, right: r, op: spec.op }) as Record<string, unknown>,
              target: left.call.target,
            },
          };
        };
        break;
      }
      case "share-price-drop": {
        const vault = resolveAddress(spec.vault, named, where);
        const unit = 10n ** BigInt(spec.decimals);
        const call = new EncodedCall({ target: vault, signature: "convertToAssets(uint256)", args: [unit] }, named, where);
        this.member = batch.register(() => [call.call]);
        this.evaluateResults = (rs, block) => {
          const price = mustSucceed(call.decode(rs[0]), `convertToAssets on ${vault}`) as bigint;
          let prevBlock = -1;
          for (const n of this.history.keys()) if (n < block.number && n > prevBlock) prevBlock = n;
          this.history.set(block.number, price);
          for (const n of this.history.keys()) if (n < block.number - 256) this.history.delete(n);
          if (prevBlock < 0) return {};
          const prev = this.history.get(prevBlock)!;
          if (prev === 0n || price >= prev) return {};
          const dropBps = Number(((prev - price) * 10_000n) / prev);
          if (dropBps <= spec.maxDropBps) return {};
          return {
            violation: {
              summary: `share price of ${vault} dropped ${(dropBps / 100).toFixed(2)}% (max ${(spec.maxDropBps / 100).toFixed(2)}%) between blocks ${prevBlock} and ${block.number}`,
              details: { previous: prev.toString(), current: price.toString(), previousBlock: prevBlock, dropBps, maxDropBps: spec.maxDropBps },
              target: vault,
            },
          };
        };
        break;
      }
      case "balance-covers": {
        const token = resolveAddress(spec.token, named, where);
        const holder = resolveAddress(spec.holder, named, where);
        const bal = new EncodedCall({ target: token, signature: "balanceOf(address)", args: [holder] }, named, where);
        const other = new EncodedCall(specToCall(spec.call), named, where);
        this.member = batch.register(() => [bal.call, other.call]);
        this.evaluateResults = (rs) => {
          const b = mustSucceed(bal.decode(rs[0]), `balanceOf on ${token}`) as bigint;
          const need = mustSucceed(other.decode(rs[1]), `${spec.call.signature} on ${other.call.target}`) as bigint;
          const allowed = need - (need * BigInt(spec.toleranceBps)) / 10_000n;
          if (b >= allowed) return {};
          return {
            violation: {
              summary: `${holder} holds ${b} of ${token} but ${spec.call.signature} says ${need} (shortfall ${need - b})`,
              details: { balance: b.toString(), required: need.toString(), shortfall: (need - b).toString() },
              asset: token,
              target: holder,
              key: token,
            },
          };
        };
        break;
      }
      case "custom": {
        const def = (spec.definition ?? opts.invariants?.[spec.name!]) as InvariantDefinition | undefined;
        if (!def) {
          const known = Object.keys(opts.invariants ?? {});
          throw new Error(`${where}: no custom invariant named "${spec.name}"${known.length ? ` (registered: ${known.join(", ")})` : " (register it with createDetectors(rules, { invariants }))"}`);
        }
        const label = spec.name ?? "custom";
        const params = spec.params;
        let encoded: EncodedCall[] = [];
        const staticCalls = Array.isArray(def.calls) ? def.calls.map((c) => new EncodedCall(c, named, where)) : undefined;
        this.member = batch.register((block) => {
          encoded = staticCalls ?? (def.calls as (b: BlockRef, p: unknown) => InvariantCall[])(block, params).map((c) => new EncodedCall(c, named, where));
          return encoded.map((e) => e.call);
        });
        this.evaluateResults = (rs, block) => {
          const decoded = rs.map((r, i) => encoded[i].decode(r));
          const out = def.check(decoded, { block, params });
          if (out === true || out === undefined || out === null) return {};
          if (out === false) return { violation: { summary: `invariant ${label} broken` } };
          if (typeof out === "string") return { violation: { summary: out } };
          return { violation: out };
        };
        break;
      }
    }
  }

  async evaluate(ctx: DetectionContext): Promise<Finding[]> {
    const results = await this.batchResults(ctx);
    const { violation } = this.evaluateResults(results, ctx.block);
    if (!violation) return [];
    const key = ["invariant", ...(violation.key ? [violation.key] : violation.target ? [violation.target] : [])];
    return [
      finding(this.rule, "invariant", ctx.block, {
        key,
        summary: `${this.rule.description ? this.rule.description + ": " : ""}${violation.summary}`,
        details: violation.details ?? {},
        target: violation.target,
        asset: violation.asset,
      }),
    ];
  }

  private batchResults(ctx: DetectionContext): Promise<ReadResult[]> {
    return this.batch.results(this.member, ctx);
  }

  rollback(blockNumber: number): void {
    for (const n of [...this.history.keys()]) if (n > blockNumber) this.history.delete(n);
  }
}

function mustSucceed(r: CallResult, what: string): unknown {
  if (!r.success) throw new Error(`${what} reverted (returnData ${r.returnData.slice(0, 74)})`);
  return r.value;
}

function toBigIntOrLiteral(v: Literal, where: string): void {
  if (typeof v === "string" && /^\d|^0x/.test(v)) {
    try {
      toBigInt(v);
    } catch (e) {
      throw new Error(`${where}: value ${JSON.stringify(v)}: ${(e as Error).message}`);
    }
  }
}
