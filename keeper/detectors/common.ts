// Small helpers every detector uses: address resolution ("$name"), finding construction,
// logs grouped by transaction.
import type { BlockData, DetectorKind, Finding, LogData, TxData } from "../types.js";
import type { RuleConfig } from "./schema.js";

export interface DetectorOptions {
  /** Named addresses ("$name" in rules), e.g. config.contracts.named. */
  named?: Record<string, string>;
}

/** Resolve "$name" or a 0x address; lowercase. Throws a clear error for an unknown name. */
export function resolveAddress(ref: string, named: Record<string, string> | undefined, where: string): string {
  if (ref.startsWith("$")) {
    const v = named?.[ref.slice(1)];
    if (!v) {
      throw new Error(
        `${where}: unknown address name "${ref}" (define it in contracts.named${named && Object.keys(named).length ? `; known: ${Object.keys(named).map((k) => "$" + k).join(", ")}` : ""})`,
      );
    }
    return v.toLowerCase();
  }
  return ref.toLowerCase();
}

export function resolveMany(refs: string | string[] | undefined, named: Record<string, string> | undefined, where: string): string[] {
  if (refs === undefined) return [];
  return (Array.isArray(refs) ? refs : [refs]).map((r) => resolveAddress(r, named, where));
}

export function finding(
  rule: RuleConfig,
  kind: DetectorKind,
  block: BlockData,
  f: Omit<Finding, "ruleId" | "detector" | "severity" | "blockNumber" | "blockHash" | "fingerprint"> & { key: string[] },
): Finding {
  const { key, ...rest } = f;
  return {
    ruleId: rule.id,
    detector: kind,
    severity: rule.severity,
    fingerprint: [rule.id, ...key.map((k) => k.toLowerCase())].join(":"),
    blockNumber: block.number,
    blockHash: block.hash,
    ...rest,
  };
}

/** The block's transactions with their logs; logs whose tx is not in the list get a stub tx. */
export function txsWithLogs(block: BlockData): { tx: TxData; logs: LogData[] }[] {
  const byTx = new Map<string, LogData[]>();
  for (const l of block.logs) {
    const k = l.transactionHash.toLowerCase();
    const arr = byTx.get(k);
    if (arr) arr.push(l);
    else byTx.set(k, [l]);
  }
  const out: { tx: TxData; logs: LogData[] }[] = [];
  for (const tx of block.transactions) {
    const k = tx.hash.toLowerCase();
    out.push({ tx, logs: byTx.get(k) ?? [] });
    byTx.delete(k);
  }
  for (const [hash, logs] of byTx) {
    out.push({
      tx: { hash, index: logs[0].transactionIndex, from: "0x", to: null, input: "0x", value: 0n, nonce: -1, success: true },
      logs,
    });
  }
  return out;
}

export const lc = (s: string | null | undefined) => (s ? s.toLowerCase() : "");
