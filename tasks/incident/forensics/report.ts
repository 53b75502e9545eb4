// The post-mortem draft (`incident report`): Markdown in the SEAL post-mortem shape (summary,
// impact, timeline in UTC, root cause with the evidence found, detection, what went well /
// wrong, action items) plus a regulator / legal notice appendix with the facts a report to the
// authorities needs. Built only from the analysis JSON (+ optional drill score); what the tool
// cannot know is marked TODO for people to complete. It states facts; it gives no legal advice.
import type { DrillScore } from "../../drills/types.js";
import type { Analysis, RuleCheck } from "./types.js";

export const REPORT_SECTIONS = [
  "## 1. Summary",
  "## 2. Impact",
  "## 3. Timeline (UTC)",
  "## 4. Root cause",
  "## 5. Detection and response",
  "## 6. What went well",
  "## 7. What went wrong",
  "## 8. Action items",
  "## Appendix A. Regulator / legal notice — facts",
] as const;

const TODO = "**TODO**";

export function fmtUnits(v: string | bigint, decimals: number, symbol?: string): string {
  const x = BigInt(v);
  const neg = x < 0n;
  const a = neg ? -x : x;
  const base = 10n ** BigInt(decimals);
  const whole = (a / base).toLocaleString("en-US");
  let frac = (a % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  if (frac.length > 6) frac = frac.slice(0, 6);
  return `${neg ? "-" : ""}${whole}${frac ? "." + frac : ""}${symbol ? " " + symbol : ""}`;
}

export function utc(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms <= 0) return "-";
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export interface ReportInput {
  analysis: Analysis;
  score?: DrillScore;
  /** Protocol / incident name for the title. */
  title?: string;
  /** Response targets (from the incident plan's severity, or the defaults): detect within N blocks of the first harmful tx, contain within N blocks / seconds. */
  targets?: ResponseTargets;
}

export interface ResponseTargets {
  detectWithinBlocks: number;
  containWithinBlocks: number;
  containWithinSeconds?: number;
  source: string;
}

/** The drill default: detect in the block of the first harmful transaction, contain in the next one. */
export const DEFAULT_TARGETS: ResponseTargets = { detectWithinBlocks: 0, containWithinBlocks: 1, source: "defaults (detect in the first harmful block, contain within 1 block)" };

export function buildReport({ analysis: a, score, title, targets: tgt }: ReportInput): string {
  const targets: ResponseTargets = { ...DEFAULT_TARGETS, ...(tgt ?? {}) };
  const sym = (asset: string) => a.assets[asset]?.symbol ?? asset;
  const amt = (asset: string, v: string) => fmtUnits(v, a.assets[asset]?.decimals ?? 18, sym(asset));
  const unit = a.loss.totalUnit;
  const totalText = a.loss.total !== null ? (unit ? amt(unit, a.loss.total) : a.loss.total) : `not valued (${a.loss.totalNote ?? "missing prices"})`;
  const lossLines = Object.entries(a.loss.byAsset).map(([asset, v]) => {
    const d = a.loss.perAsset?.[asset];
    const gn = d ? ` — gross outflow ${amt(asset, d.gross)}, paid in ${amt(asset, d.paidIn)}${d.paidInByAttackers !== "0" ? ` (of which ${amt(asset, d.paidInByAttackers)} by the attacker accounts)` : ""}, net ${amt(asset, d.net)}` : "";
    return `- net ${amt(asset, v)}${BigInt(v) < 0n ? " (received by the protocol)" : ""}${gn}`;
  });
  const grossText = Object.entries(a.loss.perAsset ?? {}).filter(([, d]) => d.gross !== "0").map(([k, d]) => amt(k, d.gross)).join(" + ") || "nothing";
  const attackerTxs = a.attackerTxs;
  const ok = attackerTxs.filter((t) => t.status === "success");
  const reverted = attackerTxs.filter((t) => t.status === "reverted");
  const firstTs = a.firstAttackBlock !== null ? (attackerTxs.find((t) => t.blockNumber === a.firstAttackBlock)?.timestamp ?? 0) * 1000 : null;
  const lastTs = a.lastAttackBlock !== null ? (attackerTxs.filter((t) => t.blockNumber === a.lastAttackBlock).at(-1)?.timestamp ?? 0) * 1000 : null;
  const r = a.response;
  // The clock starts at the first harmful transaction (older analyses: the first attacker block).
  const startBlock = r.firstHarmful?.blockNumber ?? (r.firstHarmful === null ? null : a.firstAttackBlock);
  const startTs = r.firstHarmful ? r.firstHarmful.timestamp * 1000 : firstTs;
  const blocksToContain = r.blocksToContain ?? (r.containedBlock !== null && startBlock !== null ? r.containedBlock - startBlock : null);
  const blocksToDetect = r.blocksToDetect ?? (r.detectedBlock !== null && startBlock !== null ? r.detectedBlock - startBlock : null);
  const after = r.attackerTxsAfterContainment ?? (() => {
    const xs = r.containedBlock !== null ? attackerTxs.filter((t) => t.blockNumber > r.containedBlock!) : [];
    return { total: xs.length, reverted: xs.filter((t) => t.status === "reverted").length, succeeded: xs.filter((t) => t.status === "success").length };
  })();
  const out: string[] = [];

  out.push(`# Post-mortem (draft): ${title ?? score?.title ?? a.incident?.summary ?? `incident on chain ${a.chain.chainId}, blocks ${a.range.fromBlock}–${a.range.toBlock}`}`);
  out.push("");
  out.push(`> Draft generated by \`npx hardhat breakwater incident report\` on ${a.generatedAt.slice(0, 19)}Z from the forensic analysis of chain ${a.chain.chainId}, blocks ${a.range.fromBlock}–${a.range.toBlock}. Sections marked ${TODO} need people. Status: DRAFT — not reviewed.`);
  out.push("");

  // 1. Summary
  out.push(REPORT_SECTIONS[0], "");
  out.push(
    `On ${utc(firstTs)} (block ${a.firstAttackBlock ?? "-"}), ${a.attackers.length} attacker account(s) sent ${attackerTxs.length} transaction(s) ` +
      `(${ok.length} succeeded, ${reverted.length} reverted${after.reverted ? `, ${after.reverted} of the reverted after containment` : ""}) against ${a.protectedContracts.join(", ") || "the protocol"} on chain ${a.chain.chainId}. ` +
      (r.firstHarmful ? `The first harmful transaction (value out of a protected contract / victim) was \`${r.firstHarmful.hash}\` in block ${r.firstHarmful.blockNumber}. ` : "") +
      `Loss: ${totalText} net (gross outflow ${grossText}). ` +
      (r.detectedBlock !== null ? `Detected at block ${r.detectedBlock}${blocksToDetect !== null ? ` (+${blocksToDetect} block(s) after the first harmful transaction)` : ""}` : "Not detected by the keeper") +
      (r.containedBlock !== null ? `, contained at block ${r.containedBlock}${blocksToContain !== null ? ` (+${blocksToContain} block(s))` : ""}.` : ", not contained by a pause within the range."),
  );
  if (a.incidents?.length) {
    out.push("", `Keeper incidents of this attack (merged into this one report): ${a.incidents.map((i) => `\`${i.id}\` (${i.severity}, rule \`${i.ruleId}\`, block ${i.firstBlock}${i.namesAttackerTxs.length ? `, names ${i.namesAttackerTxs.length} attacker tx(s)` : ""})`).join("; ")}.`);
  } else if (a.incident) out.push("", `Keeper incident \`${a.incident.id}\` (${a.incident.severity}, rule \`${a.incident.ruleId}\`): ${a.incident.summary}`);
  if (score) out.push("", `Drill \`${score.scenario}\` (modelled on ${score.reference.incident}, ${score.reference.date}).`);
  out.push("", `${TODO}: one paragraph for the public: what users must do (nothing / withdraw / revoke approvals), and the current status.`, "");

  // 2. Impact
  out.push(REPORT_SECTIONS[1], "");
  out.push(`Loss in total: **${totalText}**${a.loss.valuation ? ` (valued in ${sym(a.loss.valuation.numeraire)}; prices: ${Object.entries(a.loss.valuation.prices).map(([k, p]) => `${sym(k)} ${p.source}`).join("; ")})` : ""}.`, "");
  out.push("Loss per asset:", "", ...(lossLines.length ? lossLines : ["- none"]), "");
  if (a.loss.shareClaims.length) {
    out.push("Protocol shares kept by the attacker accounts (claims on the protocol, included above):", "");
    for (const c of a.loss.shareClaims) out.push(`- ${c.shares} shares of ${c.shareToken} worth ${amt(c.underlying, c.value)} (convertToAssets at block ${c.valuedAtBlock})`);
    out.push("");
  }
  if (a.loss.owed.length) {
    out.push("Amounts owed to attacker accounts (deducted):", "");
    for (const w of a.loss.owed) out.push(`- ${w.account}: ${amt(w.asset, w.amount)}`);
    out.push("");
  }
  out.push("| affected account | role | lost per asset | value |", "|---|---|---|---:|");
  for (const p of a.loss.perAccount) {
    out.push(`| ${p.account} | ${p.role} | ${Object.entries(p.byAsset).map(([k, v]) => amt(k, v)).join(", ") || "-"} | ${p.value !== null && unit ? amt(unit, p.value) : "-"} |`);
  }
  out.push("");
  out.push("| attacker account | why | net gain per asset (attacker txs, self-mints excluded) | self-minted (flagged, not a gain) |", "|---|---|---|---|");
  for (const p of a.loss.perAttacker) {
    const why = a.attackers.find((x) => x.account === p.account)?.reason ?? "";
    out.push(`| ${p.account} | ${cell(why)} | ${Object.entries(p.byAsset).map(([k, v]) => amt(k, v)).join(", ") || "-"} | ${Object.entries(p.selfMinted ?? {}).map(([k, v]) => amt(k, v)).join(", ") || "-"} |`);
  }
  out.push("");
  for (const d of a.loss.depositors ?? []) {
    out.push(`Who bore the loss of ${amt(d.asset, d.loss)} lost by the pool ${d.pool}: its ${d.depositors.length} depositor(s), pro rata to their positions at block ${d.atBlock} (the block before the first harmful transaction; ${d.method}); ${d.excluded.length ? `left out: ${d.excluded.map((x) => `${x.account} (${x.why})`).join(", ")}; ` : ""}rounding dust ${amt(d.asset, d.dust)}.`, "");
    out.push("| depositor | position | share of the loss |", "|---|---:|---:|");
    for (const x of d.depositors.slice(0, 50)) out.push(`| ${x.account}${x.isContract ? " (contract)" : ""} | ${x.position} | ${amt(d.asset, x.share)} |`);
    if (d.depositors.length > 50) out.push(`| … ${d.depositors.length - 50} more in the analysis JSON | | |`);
    out.push("");
  }
  if (score) out.push(`Funds at risk (drill): ${fmtUnits(score.fundsAtRisk, score.unit.decimals, score.unit.symbol)}; saved ${score.savedPct ?? "-"}%.`, "");
  out.push(`${TODO}: ${a.loss.depositors?.length ? "confirm the depositor split above with the team, " : "users affected (count, who bears the loss: depositors pro rata / treasury / insurance), "}USD value at the time, off-chain impact.`, "");

  // 3. Timeline
  out.push(REPORT_SECTIONS[2], "");
  out.push("Times: chain events carry their block's timestamp (clock: chain); keeper events the keeper's own recorded time (clock: keeper). Ordered by block, chain before keeper within a block.", "");
  out.push("| time (UTC) | clock | block | source | event |", "|---|---|---|---|---|");
  type Row = { block: number; rank: number; line: string };
  const rows: Row[] = [];
  for (const f of a.funding) {
    for (const x of f.sources ?? []) {
      if (x.blockNumber === undefined || x.label === "unknown") continue;
      rows.push({ block: x.blockNumber, rank: -1, line: `| - | chain | ${x.blockNumber} | funding:${x.label} | ${cell(`${f.account}: ${x.text}`)} |` });
    }
  }
  const evs = r.events.length > 120 ? [...r.events.slice(0, 60), ...r.events.slice(-60)] : r.events;
  evs.forEach((e, i) => rows.push({ block: e.block ?? Infinity, rank: i, line: `| ${utc(e.at)} | ${e.clock ?? (e.source === "keeper" ? "keeper" : "chain")} | ${e.block ?? "-"} | ${e.source}:${e.kind} | ${cell(e.message)} |` }));
  rows.sort((x, y) => x.block - y.block || x.rank - y.rank);
  for (const row of rows) out.push(row.line);
  if (r.events.length > 120) out.push(`| … | | | | ${r.events.length - 120} more events in the analysis JSON |`);
  out.push("", `${TODO}: add the off-chain events (who was paged, war room opened, public announcements, exchanges / bridges contacted).`, "");

  // 4. Root cause
  out.push(REPORT_SECTIONS[3], "");
  out.push(`${TODO}: the vulnerability, in one paragraph (which invariant broke and why). Evidence found by the tool:`, "");
  for (const t of attackerTxs.slice(0, 30)) {
    const who = t.call?.contract ? `${t.call.contract}.` : "";
    const guess = t.call?.attributedBy === "selector-guess" ? " (GUESS: decoded by selector only, the callee is not a known contract)" : "";
    const call = t.call?.signature ? `${who}${t.call.signature}${t.call.args ? ` ${cell(JSON.stringify(t.call.args))}` : ""}${guess}` : t.call ? `unknown selector ${t.call.selector} (raw ${t.call.raw?.slice(0, 74) ?? ""})` : "(no calldata)";
    const evs = t.events.map((e) => e.signature ? `${e.contract ? e.contract + "." : ""}${e.signature.split("(")[0]}${e.attributedBy === "selector-guess" ? "?" : ""}` : `raw:${e.topic0.slice(0, 10)}`);
    const moved = t.transfers.map((x) => `${amt(x.asset, x.amount)} ${x.from.slice(0, 8)}→${x.to.slice(0, 8)}`);
    out.push(`- block ${t.blockNumber}, tx \`${t.hash}\` (${t.status}${t.harmful ? ", harmful" : ""}): ${t.from} → ${t.to ?? "(create)"} \`${call}\`${t.revert ? `; revert: ${cell(t.revert.text)}${t.revert.attributedBy === "selector-guess" ? " (guess)" : ""}` : ""}${evs.length ? `; events: ${[...new Set(evs)].join(", ")}` : ""}${moved.length ? `; moved: ${moved.slice(0, 6).join("; ")}${moved.length > 6 ? "; …" : ""}` : ""}`);
  }
  if (attackerTxs.length > 30) out.push(`- … ${attackerTxs.length - 30} more in the analysis JSON`);
  out.push("", `${TODO}: the code path (file / function), how the attacker found it, whether the audits covered it.`, "");

  // 5. Detection
  out.push(REPORT_SECTIONS[4], "");
  out.push(`- First attacker transaction: block ${a.firstAttackBlock ?? "-"} (${utc(firstTs)}); last: block ${a.lastAttackBlock ?? "-"} (${utc(lastTs)}).`);
  out.push(`- First harmful transaction (the clock starts here): ${r.firstHarmful ? `\`${r.firstHarmful.hash}\`, block ${r.firstHarmful.blockNumber} (${utc(startTs)}, chain clock)` : r.firstHarmful === null ? "none (no value left a protected contract or victim)" : `block ${startBlock ?? "-"}`}.`);
  out.push(`- Detected: ${r.detectedBlock !== null ? `block ${r.detectedBlock} (+${blocksToDetect} block(s)); the keeper recorded it at ${utc(r.detectedAt)} (keeper clock)` : "not by the keeper"}${r.timeToDetectMs !== null ? `; ${r.timeToDetectMs} ms between the two blocks' timestamps (chain clock)` : ""}.`);
  out.push(`- Contained: ${r.containedBlock !== null ? `block ${r.containedBlock} (+${blocksToContain} block(s)), ${utc(r.containedAt)} (chain clock)` : "no pause within the range"}${r.timeToContainMs !== null ? `; ${r.timeToContainMs} ms after the first harmful block (chain clock)` : ""}.`);
  out.push(`- Rules that fired: ${r.rulesFired.length ? r.rulesFired.join("; ") : "none recorded"}.`);
  if (r.rulesSilent) out.push(`- Rules that stayed silent: ${r.rulesSilent.length ? r.rulesSilent.join("; ") : "none"}.`);
  else out.push(`- Rules that stayed silent: not known (run \`incident analyze --keeper-config <file>\` to list them).`);
  out.push(`- Pauses: ${r.pauses.length ? r.pauses.map((p) => `block ${p.block} ${p.contract} scope ${p.scope.slice(0, 10)}… by ${p.by}`).join("; ") : "none"}.`);
  if (after.total) out.push(`- Attacker transactions after containment: ${after.total} (${after.reverted} reverted, ${after.succeeded} succeeded).`);
  if (a.othersToSuspects?.length) out.push(`- ${a.othersToSuspects.length} transaction(s) other accounts sent to suspect contracts are listed apart (not the attacker's).`);
  out.push("");

  // 6/7. Went well / wrong (against the targets)
  const well: string[] = [];
  const wrong: string[] = [];
  out.push(`Targets: ${targets.source}.`, "");
  if (blocksToDetect !== null && blocksToDetect <= targets.detectWithinBlocks) well.push(`Detection came ${blocksToDetect === 0 ? "in the block of the first harmful transaction" : `${blocksToDetect} block(s) after the first harmful transaction`} (target: within ${targets.detectWithinBlocks}).`);
  else if (blocksToDetect !== null) wrong.push(`Detection came ${blocksToDetect} block(s) after the first harmful transaction (target: within ${targets.detectWithinBlocks}).`);
  else if (startBlock !== null) wrong.push("The keeper did not detect the attack.");
  const containOk = blocksToContain !== null && blocksToContain <= targets.containWithinBlocks && (targets.containWithinSeconds === undefined || (r.timeToContainMs ?? Infinity) <= targets.containWithinSeconds * 1000);
  if (blocksToContain !== null && containOk) well.push(`Containment landed ${blocksToContain} block(s) after the first harmful transaction (target: within ${targets.containWithinBlocks}${targets.containWithinSeconds !== undefined ? ` and ${targets.containWithinSeconds} s` : ""}).`);
  else if (blocksToContain !== null) wrong.push(`Containment took ${blocksToContain} block(s)${r.timeToContainMs !== null ? ` (${r.timeToContainMs} ms)` : ""} after the first harmful transaction (target: within ${targets.containWithinBlocks}${targets.containWithinSeconds !== undefined ? ` and ${targets.containWithinSeconds} s` : ""}).`);
  else if (startBlock !== null) wrong.push("Nothing paused the protocol within the analysed range.");
  if (after.total && after.succeeded === 0) well.push(`Every attacker transaction after the pause reverted (${after.reverted}).`);
  if (after.succeeded) wrong.push(`${after.succeeded} attacker transaction(s) succeeded after the pause (scope too narrow?).`);
  const preContain = r.containedBlock !== null ? ok.filter((t) => t.harmful !== false && t.blockNumber <= r.containedBlock!) : ok;
  const anyGross = Object.values(a.loss.perAsset ?? {}).some((d) => BigInt(d.gross) > 0n);
  if ((a.loss.perAsset ? anyGross : a.loss.total !== null && BigInt(a.loss.total) > 0n)) wrong.push(`${grossText} left the protocol before containment (gross; ${totalText} net of what the attacker accounts paid in; ${preContain.filter((t) => t.harmful).length} harmful transaction(s)).`);
  if (a.loss.total === "0") well.push("No loss.");
  if (score?.facts) for (const [k, v] of Object.entries(score.facts)) if (/^would|limit|mode$/i.test(k)) well.push(`Drill fact — ${k}: ${v}`);
  if (score?.unmet.length) for (const u of score.unmet) wrong.push(`Drill expectation unmet: ${u}`);
  if (score && score.falseAlarms > 0) wrong.push(`${score.falseAlarms} false alarm(s).`);
  if (r.rulesSilent?.length) wrong.push(`Rule(s) that stayed silent during the attack: ${r.rulesSilent.join("; ")}.`);
  out.push(REPORT_SECTIONS[5], "", ...(well.length ? well.map((x) => `- ${x}`) : ["- (nothing recorded)"]), `- ${TODO}: people and process (paging, war room, communications).`, "");
  out.push(REPORT_SECTIONS[6], "", ...(wrong.length ? wrong.map((x) => `- ${x}`) : ["- (nothing recorded)"]), `- ${TODO}: people and process.`, "");

  // 8. Action items
  const items: string[] = [];
  const late = r.detectedBlock === null || (blocksToDetect !== null && blocksToDetect > targets.detectWithinBlocks);
  // Only rules checked against the benign history of the range (would-be false alarms stated).
  const suggested = (a.ruleChecks ?? []).filter((c) => c.verdict === "suggest");
  const rejected = (a.ruleChecks ?? []).filter((c) => c.verdict === "rejected");
  const checked = (c: RuleCheck) => `checked over the ${c.benignTxsChecked} honest transaction(s) of the range: ${c.falseAlarms} would-be false alarm(s); it matches ${c.matchesAttack} attacker transaction(s) incl. the first harmful one. ${c.why}. Rule: \`${JSON.stringify(c.rule)}\``;
  if (late) {
    for (const c of suggested) items.push(`Add a keeper rule: ${c.description} — ${checked(c)}`);
    if (!suggested.length) items.push(`Add detection that tells the attack from honest traffic: ${a.ruleChecks ? "no event matcher of the harmful transactions passed the benign check" : "candidate rules were not checked against benign traffic"}; an invariant on the protected contract's accounting (e.g. total debt covered by collateral at the oracle price) is the usual answer. Backtest any rule over the benign history before it acts.`);
  } else {
    for (const c of suggested) items.push(`Optional second line of detection (detection was on time): ${c.description} — ${checked(c)}`);
  }
  for (const c of rejected) items.push(`Not suggested: ${c.description} — ${c.why}.`);
  if (!late) items.push(`Keep the rule(s) that fired (${r.rulesFired.join("; ") || "-"}) and add a regression drill for this attack class.`);
  if (r.rulesSilent?.length) items.push(`Find out why ${r.rulesSilent.join("; ")} stayed silent during the attack (wrong target, threshold, or an invariant that does not cover this path) and fix or retire it.`);
  // The pause left the rest of the range to the attacker's later transactions?
  if (blocksToContain !== null && blocksToContain > targets.containWithinBlocks) items.push(`Contain faster: the pause landed ${blocksToContain} block(s) after the first harmful transaction (target ${targets.containWithinBlocks}): let the rule that fired first act, or raise the sentinel's fee policy.`);
  for (const [asset, v] of Object.entries(a.loss.byAsset)) {
    if (BigInt(v) > 0n) items.push(`Outflow limit for ${sym(asset)}: ${amt(asset, v)} left in the attacker transactions — check the limit's capacity / window (a tighter capacity or Queue mode caps what a single block or transaction can take).`);
  }
  if (after.succeeded) items.push("Widen the pause scope of the acting rule: attacker transactions still succeeded after the pause.");
  if (a.loss.shareClaims.length) items.push("Review share accounting (rounding direction on withdraw / mint): the attacker kept protocol shares obtained below their value.");
  items.push(`${TODO}: fix the root cause, audit the fix, and plan the unpause (slow path) and the compensation (\`npx hardhat breakwater incident compensation\`).`);
  items.push(`${TODO}: owners and due dates for each item.`);
  out.push(REPORT_SECTIONS[7], "", "| # | action | owner | due |", "|---|---|---|---|");
  items.forEach((x, i) => out.push(`| ${i + 1} | ${cell(x)} | ${TODO} | ${TODO} |`));
  out.push("");

  // Appendix: legal notice facts
  out.push(REPORT_SECTIONS[8], "");
  out.push("Facts only, for the team's counsel to use in any report to law enforcement, regulators, exchanges or insurers. This draft is not legal advice and does not say whether, when or to whom a report is required.", "");
  out.push("| fact | value |", "|---|---|");
  const facts: [string, string][] = [
    ["Chain (chain id)", String(a.chain.chainId)],
    ["Data source", a.chain.rpc],
    ["Blocks analysed", `${a.range.fromBlock}–${a.range.toBlock} (${utc(a.range.fromTimestamp * 1000)} – ${utc(a.range.toTimestamp * 1000)})`],
    ["First / last attacker transaction (UTC)", `${utc(firstTs)} (block ${a.firstAttackBlock ?? "-"}) / ${utc(lastTs)} (block ${a.lastAttackBlock ?? "-"})`],
    ["First harmful transaction (UTC, chain clock)", r.firstHarmful ? `${utc(startTs)} (block ${r.firstHarmful.blockNumber}, tx ${r.firstHarmful.hash})` : "-"],
    ["Detected (UTC, keeper clock)", r.detectedBlock !== null ? `${utc(r.detectedAt)} (block ${r.detectedBlock})` : "-"],
    ["Contained (UTC, chain clock)", r.containedBlock !== null ? `${utc(r.containedAt)} (block ${r.containedBlock})` : "-"],
    ["Total loss (net)", totalText],
    ["Gross outflow", grossText],
    ["Loss per asset", Object.entries(a.loss.byAsset).map(([k, v]) => `${amt(k, v)} (token ${k})`).join("; ") || "none"],
    ["Protocol contracts affected", a.protectedContracts.join(", ") || "-"],
    ["Attacker addresses", a.attackers.map((x) => `${x.account}${x.isContract ? " (contract)" : ""}`).join(", ")],
    ["Attacker funding (verified on-chain facts only)", a.funding.map((f) => `${f.account}: ${(f.sources ?? []).filter((x) => x.verified).map((x) => `[${x.label}] ${x.text}`).join("; ") || "nothing verified within the range"}`).join(" / ")],
    ["Attacker transactions", attackerTxs.map((t) => t.hash).join(", ") || "-"],
    ["Where the funds went", a.loss.perAttacker.map((p) => `${p.account}: ${Object.entries(p.byAsset).map(([k, v]) => amt(k, v)).join(", ") || "nothing"}`).join("; ")],
    ["Incident reference", a.incident?.id ?? (score ? `drill ${score.scenario}` : "-")],
    ["Loss definition", a.lossDefinition],
  ];
  for (const [k, v] of facts) out.push(`| ${k} | ${cell(v)} |`);
  out.push("", `${TODO}: legal entity, jurisdiction(s), contact person, USD value at the time of the incident, case / report numbers once filed, exchanges and bridges notified (with times).`, "");
  if (a.notes.length) {
    out.push("## Notes from the analysis", "", ...a.notes.map((n) => `- ${n}`), "");
  }
  return out.join("\n");
}
