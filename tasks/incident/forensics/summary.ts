// The readable summary `incident analyze` prints (the JSON holds everything).
import { fmtUnits, utc } from "./report.js";
import type { Analysis } from "./types.js";

export function summarize(a: Analysis): string {
  const sym = (x: string) => a.assets[x]?.symbol ?? x;
  const amt = (x: string, v: string) => fmtUnits(v, a.assets[x]?.decimals ?? 18, sym(x));
  const L: string[] = [];
  L.push(`Incident analysis — chain ${a.chain.chainId}, blocks ${a.range.fromBlock}–${a.range.toBlock} (${a.range.blocks})${a.incident ? `, incident ${a.incident.id}` : ""}`);
  L.push("");
  L.push(`Attacker accounts (${a.attackers.length}):`);
  for (const x of a.attackers) L.push(`  ${x.account}${x.isContract ? " [contract]" : ""} — ${x.reason}`);
  L.push(`Protected contracts: ${a.protectedContracts.join(", ") || "-"}`);
  L.push("");
  L.push(`Attacker transactions (${a.attackerTxs.length}):`);
  for (const t of a.attackerTxs.slice(0, 40)) {
    const call = t.call?.signature ? `${t.call.contract ? t.call.contract + "." : ""}${t.call.signature}${t.call.attributedBy === "selector-guess" ? " (guess)" : ""}` : t.call ? `${t.call.selector} (unknown)` : "(no calldata)";
    L.push(`  #${t.blockNumber} ${t.hash.slice(0, 12)}… ${t.status.padEnd(8)} ${t.from.slice(0, 10)}… → ${(t.to ?? "(create)").slice(0, 10)}… ${call}${t.harmful ? "  [harmful]" : ""}${t.revert ? `  revert: ${t.revert.text}` : ""}`);
    for (const x of t.transfers.slice(0, 8)) L.push(`      ${amt(x.asset, x.amount)}  ${x.from} → ${x.to}${x.via !== "log" ? ` (${x.via})` : ""}`);
  }
  if (a.attackerTxs.length > 40) L.push(`  … ${a.attackerTxs.length - 40} more (see the JSON)`);
  L.push("");
  L.push("Loss per asset (positive = lost by the protocol):");
  const entries = Object.entries(a.loss.byAsset);
  if (!entries.length) L.push("  none");
  for (const [x, v] of entries) {
    const d = a.loss.perAsset?.[x];
    L.push(`  ${amt(x, v)} net${d ? ` (gross ${amt(x, d.gross)}, paid in ${amt(x, d.paidIn)}, by the attackers ${amt(x, d.paidInByAttackers)})` : ""}`);
  }
  for (const c of a.loss.shareClaims) L.push(`  incl. ${c.shares} shares of ${c.shareToken} kept by attackers, worth ${amt(c.underlying, c.value)}`);
  for (const w of a.loss.owed) L.push(`  minus owed to ${w.account}: ${amt(w.asset, w.amount)}`);
  L.push(`Total loss: ${a.loss.total !== null ? (a.loss.totalUnit ? amt(a.loss.totalUnit, a.loss.total) : a.loss.total) : `not valued — ${a.loss.totalNote}`}`);
  L.push("");
  L.push("Affected accounts:");
  for (const p of a.loss.perAccount) L.push(`  ${p.account} (${p.role}): ${Object.entries(p.byAsset).map(([k, v]) => amt(k, v)).join(", ") || "-"}${p.value !== null && a.loss.totalUnit ? ` = ${amt(a.loss.totalUnit, p.value)}` : ""}`);
  L.push("Attacker gains (attacker txs):");
  for (const p of a.loss.perAttacker) L.push(`  ${p.account}: ${Object.entries(p.byAsset).map(([k, v]) => amt(k, v)).join(", ") || "-"}${p.selfMinted ? `; self-minted (not a gain): ${Object.entries(p.selfMinted).map(([k, v]) => amt(k, v)).join(", ")}` : ""}`);
  for (const d of a.loss.depositors ?? []) L.push(`Pool ${d.pool}: ${amt(d.asset, d.loss)} attributed to ${d.depositors.length} depositor(s) pro rata at block ${d.atBlock} (${d.method}); dust ${d.dust}`);
  L.push("");
  L.push("Funding of the attacker accounts:");
  for (const f of a.funding) L.push(`  ${f.account}: ${f.note}`);
  L.push("");
  const r = a.response;
  L.push(`Response: first harmful tx ${r.firstHarmful ? `${r.firstHarmful.hash.slice(0, 12)}… block ${r.firstHarmful.blockNumber}` : "-"}; detected block ${r.detectedBlock ?? "-"} (+${r.blocksToDetect ?? "-"} blk; keeper clock ${utc(r.detectedAt)}); contained block ${r.containedBlock ?? "-"} (+${r.blocksToContain ?? "-"} blk, ${r.timeToContainMs ?? "-"} ms chain clock)`);
  if (a.incidents?.length) L.push(`Keeper incidents of this attack: ${a.incidents.map((i) => i.id).join(", ")}`);
  if (r.rulesFired.length) L.push(`Rules fired: ${r.rulesFired.join("; ")}`);
  if (r.rulesSilent) L.push(`Rules silent: ${r.rulesSilent.join("; ") || "none"}`);
  for (const c of a.ruleChecks ?? []) L.push(`Candidate rule ${c.verdict}: ${c.description} — ${c.falseAlarms} would-be false alarm(s) over ${c.benignTxsChecked} honest tx(s)`);
  if (a.othersToSuspects?.length) L.push(`${a.othersToSuspects.length} transaction(s) from others to suspect contracts: listed apart (othersToSuspects)`);
  if (a.notes.length) {
    L.push("");
    L.push("Notes:");
    for (const n of a.notes) L.push(`  - ${n}`);
  }
  return L.join("\n");
}
