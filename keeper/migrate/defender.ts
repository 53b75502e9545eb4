// Import OpenZeppelin Defender monitors as returned by @openzeppelin/defender-sdk-monitor-client
// (`monitor.list()` / `monitor.get()`, models/monitor.d.ts):
//   { monitorId, name, type: "BLOCK", network, paused, confirmLevel, alertThreshold: { amount, windowSeconds },
//     notifyConfig: { notifications, severityLevel, actionId, timeoutMs, messageBody, ... }, riskCategory,
//     addressRules: [{ addresses, abi, actionCondition?, conditions: [{ eventConditions: [{ eventSignature,
//     expression }], functionConditions: [{ functionSignature, expression }], txConditions: [{ status, expression }] }] }] }
// and the flat create-request shape ({ addresses, abi, eventConditions, functionConditions, txCondition,
// alertTimeoutMs, severityLevel, actionCondition, actionTrigger ... }). FORTA monitors are not mappable.
// Each condition set becomes one matcher rule (condition sets are alternatives).
import { addressRe, type RuleInput, type Severity } from "./types.js";
import { eventEntry, functionEntry, parseAbi, slug, txEntry, type ImportReport, type ImportResult } from "./common.js";
import type { ImportOptions } from "./oz-monitor.js";

/** Defender transaction expression fields → keeper matcher fields. */
const DEFENDER_TX_FIELDS: Record<string, string> = { data: "input", gasPrice: "gasPrice", gasLimit: "gasLimit", gasUsed: "gasUsed", ...{ value: "value", from: "from", to: "to", hash: "hash", nonce: "nonce", input: "input", gas_price: "gasPrice", max_fee_per_gas: "maxFeePerGas", max_priority_fee_per_gas: "maxPriorityFeePerGas", gas_limit: "gasLimit", gas_used: "gasUsed", transaction_index: "transactionIndex" } };
const SEVERITY: Record<string, Severity> = { HIGH: "P2", MEDIUM: "P3", LOW: "P4" };

interface Cond {
  eventConditions?: { eventSignature: string; expression?: string | null }[];
  functionConditions?: { functionSignature: string; expression?: string | null }[];
  txConditions?: { status?: string; expression?: string | null }[];
}

export function importDefenderMonitor(json: unknown, opts: ImportOptions = {}): ImportResult {
  const m = (typeof json === "string" ? JSON.parse(json) : json) as Record<string, unknown>;
  const name = String(m.name ?? m.monitorId ?? "unnamed monitor");
  const report: ImportReport = { source: "defender", monitor: name, rules: [], mapped: [], dropped: [], notes: [] };
  const type = String(m.type ?? "BLOCK").toUpperCase();
  if (type !== "BLOCK") {
    report.dropped.push(`monitor type ${type}: only BLOCK monitors can be imported (Forta bot / alert subscriptions have no keeper equivalent)`);
    return { rules: [], report };
  }
  if (m.network) report.notes.push(`network ${String(m.network)}: add the rule to the keeper config of that chain`);
  if (m.confirmLevel !== undefined) report.notes.push(`confirmLevel ${String(m.confirmLevel)}: the keeper uses chain.confirmations for all rules`);

  const notify = (m.notifyConfig ?? {}) as Record<string, unknown>;
  const sevLevel = String(notify.severityLevel ?? m.severityLevel ?? "");
  const severity = opts.severity ?? SEVERITY[sevLevel] ?? "P3";
  if (sevLevel) report.mapped.push(`severityLevel ${sevLevel} → ${severity}`);
  const timeoutMs = Number(notify.timeoutMs ?? m.alertTimeoutMs ?? 0);
  const cooldown = timeoutMs > 0 ? { seconds: Math.ceil(timeoutMs / 1000) } : {};
  if (timeoutMs > 0) report.mapped.push(`alert timeout ${timeoutMs} ms → cooldown ${Math.ceil(timeoutMs / 1000)} s`);
  const threshold = m.alertThreshold as { amount?: number; windowSeconds?: number } | undefined;
  if (threshold && Number(threshold.amount) > 1) {
    report.dropped.push(`alertThreshold (${threshold.amount} matches in ${threshold.windowSeconds}s): the keeper alerts on the first match; use a statistic rule for rates`);
  }
  const channels = (notify.notifications as unknown[] | undefined)?.length ?? (m.notificationChannels as unknown[] | undefined)?.length ?? 0;
  if (channels) report.notes.push(`${channels} notification channel(s): configure them once in the keeper's alerts section`);
  if (notify.messageBody || m.alertMessageBody) report.dropped.push("custom alert message template: keeper alerts use the finding's summary");
  let contain = false;
  for (const k of ["actionId", "actionCondition", "actionTrigger"] as const) {
    const v = (notify as Record<string, unknown>)[k] ?? m[k];
    if (!v) continue;
    if (opts.contain && k !== "actionCondition") {
      contain = true;
      report.mapped.push(`${k} ${JSON.stringify(v)} → action "contain" through "${opts.contain}" (act: true): the Action's pause() is now the keeper's call of responders.contain.targets.${opts.contain}`);
    } else {
      report.dropped.push(`${k} ${JSON.stringify(v)}: Defender Actions (scripts) are not run; ${opts.contain ? "" : "import with --contain <target> to act through a PauseGate, or "}mark a rule act: true to pause, or write a custom invariant`);
    }
  }
  if (m.riskCategory) report.notes.push(`riskCategory ${String(m.riskCategory)} kept in the description`);

  // Both shapes → a list of { addresses, abi, conditions[] }
  const addressRules: { addresses: string[]; abi?: unknown; conditions: Cond[]; actionCondition?: unknown }[] = Array.isArray(m.addressRules)
    ? (m.addressRules as never)
    : [
        {
          addresses: (m.addresses as string[]) ?? [],
          abi: m.abi,
          conditions: [
            {
              eventConditions: (m.eventConditions as Cond["eventConditions"]) ?? [],
              functionConditions: (m.functionConditions as Cond["functionConditions"]) ?? [],
              txConditions: m.txCondition ? [{ status: "any", expression: String(m.txCondition) }] : [],
            },
          ],
        },
      ];

  const rules: RuleInput[] = [];
  addressRules.forEach((ar, ai) => {
    const where0 = addressRules.length > 1 ? `addressRules[${ai}]` : "monitor";
    if (ar.actionCondition) report.dropped.push(`${where0}: actionCondition ${JSON.stringify(ar.actionCondition)} (a script filter) is not run`);
    const addresses = (ar.addresses ?? []).filter((a) => {
      if (addressRe.test(a)) return true;
      report.dropped.push(`${where0}: "${a}" is not an address; dropped`);
      return false;
    });
    if ((ar.addresses ?? []).length > 0 && addresses.length === 0) {
      // An empty address list means "every contract": far broader than the original monitor.
      report.dropped.push(`${where0}: every address was dropped: no rule (it would match every contract)`);
      return;
    }
    const abi = parseAbi(ar.abi, `${where0} abi`, report);
    const sets = ar.conditions?.length ? ar.conditions : [{}];
    sets.forEach((c, ci) => {
      const where = sets.length > 1 ? `${where0}.conditions[${ci}]` : where0;
      const events = (c.eventConditions ?? []).flatMap((e, i) => eventEntry(e.eventSignature, e.expression, abi, report, `${where} event[${i}]`) ?? []);
      const functions = (c.functionConditions ?? []).flatMap(
        (f, i) => functionEntry(f.functionSignature, f.expression, abi, report, `${where} function[${i}]`) ?? [],
      );
      const txs = (c.txConditions ?? [])
        .map((t, i) => {
          const s = String(t.status ?? "any").toLowerCase();
          return txEntry(s === "success" ? "success" : s === "failed" ? "failed" : "any", t.expression, DEFENDER_TX_FIELDS, report, `${where} tx[${i}]`);
        })
        .filter((t) => t.status !== "any" || t.where || (events.length + functions.length === 0));
      const lost = (c.eventConditions ?? []).length + (c.functionConditions ?? []).length - events.length - functions.length;
      if (lost > 0 && events.length + functions.length === 0) {
        report.dropped.push(`${where}: every event / function condition was dropped: no rule (it would match far more than the original)`);
        return;
      }
      if (events.length + functions.length + txs.length === 0) {
        if (addresses.length) {
          // Defender with no condition alerts on every transaction touching the addresses
          txs.push({ status: "any" });
          report.mapped.push(`${where}: no condition → every transaction involving the addresses`);
        } else {
          report.dropped.push(`${where}: no condition and no address: no rule`);
          return;
        }
      }
      const id = `${opts.idPrefix ?? "defender-"}${slug(name)}${addressRules.length > 1 ? `-${ai + 1}` : ""}${sets.length > 1 ? `-${ci + 1}` : ""}`;
      rules.push({
        id,
        description: `${name}${m.riskCategory ? ` [${String(m.riskCategory)}]` : ""}`,
        enabled: m.paused !== true,
        severity,
        ...(contain ? { action: "contain" as const, act: true, contain: { target: opts.contain! } } : { action: "alert" as const, act: false }),
        onError: "fail-open",
        cooldown,
        detector: { kind: "matcher", addresses, events, functions, transactions: txs, fingerprintBy: ["address"] },
      });
      report.rules.push(id);
    });
  });
  if (m.paused === true) report.notes.push("monitor was paused: imported with enabled: false");
  return { rules, report };
}
