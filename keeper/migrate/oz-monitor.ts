// Import an OpenZeppelin Monitor (the open-source Rust service) monitor JSON:
//   { name, paused, networks, addresses: [{ address, abi | contract_spec }],
//     match_conditions: { functions: [{ signature, expression }], events: [...],
//                         transactions: [{ status: "Success" | "Failure" | "Any", expression }] },
//     trigger_conditions: [{ script_path, language, arguments, timeout_ms }], triggers: [ids] }
// into ONE matcher rule with the same semantics (tx condition AND any event / function).
import { addressRe, type RuleInput, type Severity } from "./types.js";
import { eventEntry, functionEntry, parseAbi, slug, txEntry, type Abi, type ImportReport, type ImportResult } from "./common.js";

/** OZ Monitor transaction expression fields → keeper matcher fields. */
const OZ_TX_FIELDS: Record<string, string> = { value: "value", from: "from", to: "to", hash: "hash", nonce: "nonce", input: "input", gas_price: "gasPrice", max_fee_per_gas: "maxFeePerGas", max_priority_fee_per_gas: "maxPriorityFeePerGas", gas_limit: "gasLimit", gas_used: "gasUsed", transaction_index: "transactionIndex" };
const OZ_STATUS: Record<string, "success" | "failed" | "any"> = { success: "success", failure: "failed", failed: "failed", any: "any" };

export interface ImportOptions {
  /** Severity of imported rules (the source formats have none or a coarse one). */
  severity?: Severity;
  /** Rule id prefix. */
  idPrefix?: string;
  /**
   * Defender only: monitors that fired an Action (actionId / actionTrigger, e.g. the "Pause Guardian"
   * Action calling pause() through a Relayer) become rules that act: action "contain" through this
   * target of responders.contain.targets (a PauseGate or a direct call). Without it they alert.
   */
  contain?: string;
}

export function importOzMonitor(json: unknown, opts: ImportOptions = {}): ImportResult {
  const m = (typeof json === "string" ? JSON.parse(json) : json) as Record<string, unknown>;
  const name = String(m.name ?? "unnamed monitor");
  const report: ImportReport = { source: "openzeppelin-monitor", monitor: name, rules: [], mapped: [], dropped: [], notes: [] };
  const networks = Array.isArray(m.networks) ? (m.networks as string[]) : [];
  if (networks.length) report.notes.push(`networks ${networks.join(", ")}: a keeper watches one chain; add the rule to the keeper config of each network`);
  const nonEvm = networks.filter((n) => /stellar|solana|midnight/i.test(n));
  if (nonEvm.length && nonEvm.length === networks.length) {
    report.dropped.push(`monitor watches non-EVM networks only (${nonEvm.join(", ")}): not imported`);
    return { rules: [], report };
  }

  const addresses: string[] = [];
  const abi: Abi = [];
  for (const [i, a] of ((m.addresses as Record<string, unknown>[] | undefined) ?? []).entries()) {
    const addr = String(a.address ?? "");
    if (!addressRe.test(addr)) {
      report.dropped.push(`addresses[${i}]: "${addr}" is not an EVM address; dropped`);
      continue;
    }
    addresses.push(addr);
    const spec = parseAbi(a.abi ?? a.contract_spec, `addresses[${i}] ${addr}`, report);
    if (spec) abi.push(...spec);
  }

  const mc = (m.match_conditions ?? {}) as Record<string, { signature?: string; expression?: string | null; status?: string }[]>;
  const events = (mc.events ?? []).flatMap((e, i) => eventEntry(String(e.signature), e.expression, abi, report, `events[${i}]`) ?? []);
  const functions = (mc.functions ?? []).flatMap((f, i) => functionEntry(String(f.signature), f.expression, abi, report, `functions[${i}]`) ?? []);
  const transactions = (mc.transactions ?? []).map((t, i) => {
    const status = OZ_STATUS[String(t.status ?? "any").toLowerCase()] ?? "any";
    return txEntry(status, t.expression, OZ_TX_FIELDS, report, `transactions[${i}]`);
  });
  // A lone "status: Any, no expression" condition constrains nothing.
  const txs = events.length + functions.length ? transactions.filter((t) => t.status !== "any" || t.where) : transactions;
  const droppedEvents = (mc.events ?? []).length - events.length;
  const droppedFunctions = (mc.functions ?? []).length - functions.length;
  if ((droppedEvents || droppedFunctions) && events.length + functions.length === 0) {
    report.dropped.push("every event / function condition was dropped: rule not created (it would match far more than the original)");
    return { rules: [], report };
  }

  const triggers = (m.triggers as string[] | undefined) ?? [];
  if (triggers.length) report.notes.push(`triggers ${triggers.join(", ")}: notifications are configured once in the keeper's alerts section, not per rule`);
  const tc = (m.trigger_conditions as Record<string, unknown>[] | undefined) ?? [];
  for (const t of tc) report.dropped.push(`trigger condition script ${String(t.script_path)} (${String(t.language)}): custom filter scripts are not run by the keeper; write a custom invariant or matcher instead`);
  if (m.paused === true) report.notes.push("monitor was paused: imported with enabled: false");

  if (events.length + functions.length + txs.length === 0) {
    report.dropped.push("no match condition left: rule not created");
    return { rules: [], report };
  }
  const id = `${opts.idPrefix ?? "oz-"}${slug(name)}`;
  const rule: RuleInput = {
    id,
    description: name,
    enabled: m.paused !== true,
    severity: opts.severity ?? "P3",
    action: "alert",
    act: false,
    onError: "fail-open",
    detector: { kind: "matcher", addresses, events, functions, transactions: txs, fingerprintBy: ["address"] },
  };
  report.rules.push(id);
  return { rules: [rule], report };
}
