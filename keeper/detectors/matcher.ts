// Declarative matchers: events (by emitter + signature + argument conditions), direct function
// calls (tx.to + selector + decoded arguments) and transactions (from / to / value / status ...).
// A transaction matches when its transaction conditions hold (any of them; none = any tx that
// involves the watched addresses) AND, if events or functions are given, at least one of them
// matches in it — the OpenZeppelin Monitor semantics, so imported monitors behave the same.
// Matches of one block are coalesced per fingerprint into one finding.
import type { EventFragment, FunctionFragment } from "ethers";
import type { DetectionContext, Detector, Finding, LogData, TxData } from "../types.js";
import { argOf, checkConditionArgs, decodeCall, decodeLog, evalCondition, namedArgs, parseEvent, parseFunction } from "./abi.js";
import { finding, lc, resolveMany, txsWithLogs, type DetectorOptions } from "./common.js";
import type { Condition, MatcherConfig, RuleConfig } from "./schema.js";

interface EventM {
  frag: EventFragment;
  topic: string;
  addresses: Set<string>;
  where?: Condition;
}
interface FunctionM {
  frag: FunctionFragment;
  selector: string;
  to: Set<string>;
  where?: Condition;
  status: "success" | "failed" | "any";
}
interface TxM {
  status: "success" | "failed" | "any";
  where?: Condition;
}
interface Match {
  kind: "event" | "function" | "transaction";
  signature?: string;
  address: string;
  args?: Record<string, unknown>;
  rawArgs?: ReturnType<typeof decodeLog>;
  logIndex?: number;
}

export const TX_FIELDS = ["from", "to", "value", "nonce", "input", "hash", "selector", "createdContract", "success", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "gasLimit", "gasUsed", "transactionIndex"] as const;

const big = (v: bigint | undefined) => (v === undefined ? { found: false } : { found: true, value: v });

function txField(tx: TxData, ref: string | number): { found: boolean; value?: unknown } {
  switch (ref) {
    case "from":
      return { found: true, value: lc(tx.from) };
    case "to":
      return { found: true, value: lc(tx.to) };
    case "value":
      return { found: true, value: tx.value };
    case "nonce":
      return { found: true, value: BigInt(tx.nonce) };
    case "input":
      return { found: true, value: lc(tx.input) };
    case "hash":
      return { found: true, value: lc(tx.hash) };
    case "selector":
      return { found: true, value: lc(tx.input).slice(0, 10) };
    case "createdContract":
      return { found: true, value: lc(tx.createdContract) };
    case "success":
      return { found: true, value: tx.success };
    case "gasPrice":
      return big(tx.gasPrice);
    case "maxFeePerGas":
      return big(tx.maxFeePerGas);
    case "maxPriorityFeePerGas":
      return big(tx.maxPriorityFeePerGas);
    case "gasLimit":
      return big(tx.gasLimit);
    case "gasUsed":
      return big(tx.gasUsed);
    case "transactionIndex":
      return { found: true, value: BigInt(tx.index) };
    default:
      return { found: false };
  }
}

const statusOk = (s: "success" | "failed" | "any", tx: TxData) => s === "any" || (s === "success") === tx.success;

export class MatcherDetector implements Detector {
  readonly kind = "matcher" as const;
  readonly ruleId: string;
  private readonly addresses: Set<string>;
  private readonly events: EventM[];
  private readonly functions: FunctionM[];
  private readonly txs: TxM[];

  constructor(
    private readonly rule: RuleConfig,
    private readonly cfg: MatcherConfig,
    opts: DetectorOptions = {},
  ) {
    this.ruleId = rule.id;
    const where = `rule "${rule.id}"`;
    this.addresses = new Set(resolveMany(cfg.addresses, opts.named, where));
    this.events = cfg.events.map((e, i) => {
      const frag = parseEvent(e.signature, cfg.abi);
      checkConditionArgs(e.where, frag.inputs.map((p) => p.name || undefined), `${where} events[${i}] ${frag.format("sighash")}`);
      const own = resolveMany(e.address, opts.named, where);
      return { frag, topic: frag.topicHash.toLowerCase(), addresses: new Set(own.length ? own : this.addresses), where: e.where };
    });
    this.functions = cfg.functions.map((f, i) => {
      const frag = parseFunction(f.signature, cfg.abi);
      checkConditionArgs(f.where, frag.inputs.map((p) => p.name || undefined), `${where} functions[${i}] ${frag.format("sighash")}`);
      const own = resolveMany(f.to, opts.named, where);
      return { frag, selector: frag.selector.toLowerCase(), to: new Set(own.length ? own : this.addresses), where: f.where, status: f.status };
    });
    this.txs = cfg.transactions.map((t, i) => {
      checkConditionArgs(t.where, [], `${where} transactions[${i}]`, [...TX_FIELDS]);
      return { status: t.status, where: t.where };
    });
  }

  private involves(tx: TxData, logs: LogData[]): boolean {
    if (this.addresses.size === 0) return true;
    return this.addresses.has(lc(tx.to)) || this.addresses.has(lc(tx.from)) || logs.some((l) => this.addresses.has(lc(l.address)));
  }

  private matchTx(tx: TxData, logs: LogData[]): Match[] {
    if (this.txs.length > 0) {
      if (!this.involves(tx, logs)) return [];
      const ok = this.txs.some((t) => statusOk(t.status, tx) && evalCondition(t.where, (r) => txField(tx, r)));
      if (!ok) return [];
    }
    const matches: Match[] = [];
    for (const l of logs) {
      const topic0 = lc(l.topics[0]);
      for (const e of this.events) {
        if (e.topic !== topic0) continue;
        if (e.addresses.size && !e.addresses.has(lc(l.address))) continue;
        let args;
        try {
          args = decodeLog(e.frag, l.topics, l.data);
        } catch {
          continue; // same topic, different layout (e.g. another contract's event): not ours
        }
        if (!evalCondition(e.where, (r) => argOf(args, r))) continue;
        matches.push({
          kind: "event",
          signature: e.frag.format("sighash"),
          address: lc(l.address),
          args: namedArgs(args),
          rawArgs: args,
          logIndex: l.logIndex,
        });
        break;
      }
    }
    const selector = lc(tx.input).slice(0, 10);
    for (const f of this.functions) {
      if (f.selector !== selector || !statusOk(f.status, tx)) continue;
      if (f.to.size && !f.to.has(lc(tx.to))) continue;
      let args;
      try {
        args = decodeCall(f.frag, tx.input);
      } catch {
        continue;
      }
      if (!evalCondition(f.where, (r) => argOf(args, r))) continue;
      matches.push({ kind: "function", signature: f.frag.format("sighash"), address: lc(tx.to), args: namedArgs(args), rawArgs: args });
      break;
    }
    if (this.events.length + this.functions.length === 0 && this.txs.length > 0) {
      matches.push({ kind: "transaction", address: lc(tx.to ?? tx.createdContract) });
    }
    return matches;
  }

  private key(tx: TxData, m: Match): string[] {
    return this.cfg.fingerprintBy.map((k) => {
      if (k === "address") return m.address || "-";
      if (k === "from") return lc(tx.from) || "-";
      if (k === "to") return lc(tx.to) || "-";
      if (k === "tx") return lc(tx.hash);
      const name = k.slice(4);
      const v = m.rawArgs ? argOf(m.rawArgs, name) : txField(tx, name);
      return v.found ? String(v.value) : "-";
    });
  }

  async evaluate(ctx: DetectionContext): Promise<Finding[]> {
    const groups = new Map<string, { key: string[]; first: { tx: TxData; m: Match }; matches: Record<string, unknown>[]; count: number }>();
    for (const { tx, logs } of txsWithLogs(ctx.block)) {
      for (const m of this.matchTx(tx, logs)) {
        const key = this.key(tx, m);
        const id = key.join(":");
        let g = groups.get(id);
        if (!g) groups.set(id, (g = { key, first: { tx, m }, matches: [], count: 0 }));
        g.count++;
        if (g.matches.length < 20) {
          g.matches.push({ txHash: tx.hash, from: lc(tx.from), kind: m.kind, signature: m.signature, address: m.address, args: m.args, logIndex: m.logIndex });
        }
      }
    }
    return [...groups.values()].map((g) => {
      const { tx, m } = g.first;
      const what = m.kind === "transaction" ? `transaction ${tx.hash}` : `${m.signature} on ${m.address}`;
      return finding(this.rule, "matcher", ctx.block, {
        key: g.key,
        txHash: tx.hash,
        target: m.address || undefined,
        summary: `${this.rule.description || this.rule.id}: ${what}${g.count > 1 ? ` (+${g.count - 1} more in block ${ctx.block.number})` : ""}`,
        details: { matches: g.matches, count: g.count },
      });
    });
  }
}
