// Action items that would not have fired on benign traffic: a candidate keeper rule (a matcher on
// an event the harmful transactions emitted on a protected contract) is run with the keeper's own
// matcher (keeper/detectors/matcher.ts) over every transaction of the range that touched the
// protected contracts. The naive rule (the event alone) is rejected when honest transactions
// emitted it too; a threshold on its largest amount argument, above every benign value seen, is
// suggested only when it catches the first harmful transaction with no would-be false alarm.
import type { EventFragment } from "ethers";
import { MatcherDetector } from "../../../keeper/detectors/matcher.js";
import { parseRules } from "../../../keeper/detectors/schema.js";
import { parseEvent, decodeLog } from "../../../keeper/detectors/abi.js";
import type { BlockData, DetectionContext, LogData, TxData } from "../../../keeper/types.js";
import type { RuleCheck } from "./types.js";

export interface RangeTx {
  tx: TxData;
  logs: LogData[];
  block: { number: number; hash: string; parentHash: string; timestamp: number };
  attacker: boolean;
}

async function matchedTxs(rule: Record<string, unknown>, txs: RangeTx[]): Promise<Set<string>> {
  const [cfg] = parseRules([rule]);
  const det = new MatcherDetector(cfg!, (cfg!.detector as never));
  const byBlock = new Map<number, RangeTx[]>();
  for (const t of txs) byBlock.set(t.block.number, [...(byBlock.get(t.block.number) ?? []), t]);
  const hits = new Set<string>();
  for (const [, list] of byBlock) {
    const block: BlockData = { ...list[0]!.block, transactions: list.map((x) => x.tx), logs: list.flatMap((x) => x.logs) };
    const ctx: DetectionContext = {
      block,
      readAt: async () => [],
      getCode: async () => "0x",
      getBalance: async () => 0n,
      getTransactionCount: async () => 0,
    };
    for (const f of await det.evaluate(ctx)) for (const m of (f.details.matches as { txHash: string }[]) ?? []) hits.add(m.txHash.toLowerCase());
  }
  return hits;
}

/** Candidate rules from the events of the first harmful transaction on the protected contracts, each checked over the range. */
export async function checkCandidateRules(o: {
  txs: RangeTx[];
  firstHarmful: string;
  /** Decoded events of the harmful transactions on protected contracts: signature (full, with names) and emitter. */
  events: { signature: string; address: string }[];
  scope?: string;
}): Promise<RuleCheck[]> {
  const out: RuleCheck[] = [];
  const benign = o.txs.filter((t) => !t.attacker);
  const seen = new Set<string>();
  for (const e of o.events) {
    const key = `${e.signature}@${e.address.toLowerCase()}`;
    if (seen.has(key) || /^(Transfer|Approval)\(/.test(e.signature)) continue;
    seen.add(key);
    let frag: EventFragment;
    try {
      frag = parseEvent(e.signature);
    } catch {
      continue;
    }
    const name = frag.name.toLowerCase().replace(/[^a-z0-9]/g, "");
    const base = (id: string, where?: Record<string, unknown>) => ({
      id,
      severity: "P1",
      action: "pause",
      act: true,
      pause: { scope: o.scope ?? "GLOBAL", durationSeconds: 3_600 },
      detector: { kind: "matcher", addresses: [e.address], events: [{ signature: frag.format("full").replace(/^event /, ""), ...(where ? { where } : {}) }], fingerprintBy: ["tx"] },
    });
    // 1. The event alone.
    const naive = base(`candidate-${name}`);
    const hitsN = await matchedTxs(naive, o.txs);
    const fa = benign.filter((t) => hitsN.has(t.tx.hash.toLowerCase()));
    const atk = o.txs.filter((t) => t.attacker && hitsN.has(t.tx.hash.toLowerCase())).length;
    out.push({
      rule: naive, description: `pause on every ${frag.name} of ${e.address}`, matchesAttack: atk, falseAlarms: fa.length, falseAlarmTxs: fa.slice(0, 20).map((t) => t.tx.hash), benignTxsChecked: benign.length,
      verdict: fa.length === 0 && hitsN.has(o.firstHarmful.toLowerCase()) ? "suggest" : "rejected",
      why: fa.length ? `would have paused on ${fa.length} honest transaction(s) of the range (${[...new Set(fa.map((t) => t.tx.from))].length} sender(s))` : hitsN.has(o.firstHarmful.toLowerCase()) ? `no honest transaction of the range emitted it (${benign.length} honest transaction(s) checked): re-check on a longer benign history before letting it act` : "it does not match the first harmful transaction",
    });
    if (fa.length === 0) continue;
    // 2. A threshold on each amount-like argument, above every benign value seen.
    for (const [i, inp] of frag.inputs.entries()) {
      if (!inp.type.startsWith("uint") || !inp.name) continue;
      let maxBenign = 0n;
      let attackValue: bigint | undefined;
      for (const t of o.txs) {
        for (const l of t.logs) {
          if (l.address.toLowerCase() !== e.address.toLowerCase() || l.topics[0]?.toLowerCase() !== frag.topicHash.toLowerCase()) continue;
          let v: bigint;
          try {
            v = BigInt(decodeLog(frag, l.topics, l.data).values[i] as bigint);
          } catch {
            continue;
          }
          if (!t.attacker && v > maxBenign) maxBenign = v;
          if (t.tx.hash.toLowerCase() === o.firstHarmful.toLowerCase()) attackValue = attackValue === undefined || v > attackValue ? v : attackValue;
        }
      }
      if (attackValue === undefined) continue;
      const rule = base(`candidate-${name}-${inp.name.toLowerCase()}`, { arg: inp.name, op: "gt", value: maxBenign.toString() });
      const hits = await matchedTxs(rule, o.txs);
      const fa2 = benign.filter((t) => hits.has(t.tx.hash.toLowerCase()));
      const catches = hits.has(o.firstHarmful.toLowerCase());
      const margin = maxBenign > 0n ? Number((attackValue * 100n) / maxBenign) / 100 : Infinity;
      const ok = fa2.length === 0 && catches;
      out.push({
        rule: ok && margin < 2 ? { ...rule, action: "alert", act: false } : rule,
        description: `${ok && margin < 2 ? "alert" : "pause"} on ${frag.name}.${inp.name} > ${maxBenign} (the largest honest value in the range)`,
        matchesAttack: o.txs.filter((t) => t.attacker && hits.has(t.tx.hash.toLowerCase())).length,
        falseAlarms: fa2.length, falseAlarmTxs: fa2.slice(0, 20).map((t) => t.tx.hash), benignTxsChecked: benign.length,
        verdict: ok ? "suggest" : "rejected",
        why: !catches ? `the first harmful transaction's ${inp.name} (${attackValue}) is not above the honest maximum (${maxBenign}): an amount threshold cannot tell them apart` :
          fa2.length ? `would still have fired on ${fa2.length} honest transaction(s)` :
          `0 would-be false alarms over ${benign.length} honest transaction(s) of the range; the first harmful value is ${margin === Infinity ? "∞" : margin.toFixed(2)}× the honest maximum${margin < 2 ? " — too close to act on its own: alert only" : ""}. Re-check on a longer benign history before enabling it`,
      });
    }
  }
  return out;
}
