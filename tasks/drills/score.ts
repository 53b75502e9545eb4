// Scoring one drill run: what the scenario recorded (its transactions, the protected funds per
// block) against what the keeper did (incidents, decisions, tx attempts in its store, and the
// breaker's Paused events), then the scenario's declared expectations.
//
// Containment is the first block, at or after the first malicious one, holding any of:
//  - the keeper's sentinel pause included (store attempt kind "pause"), or the breaker's Paused
//    event by the sentinel (or, in guardian response mode, by the multisig);
//  - the keeper's `contain` call included (store attempt kind "contain") AND its target's
//    `containedWhen` view, read at the inclusion block, saying contained (a call that lands but
//    changes nothing — a no-op pause, a gate without the protocol's permission that somehow did not
//    revert — does not count; an unreadable view is not held against it);
//  - a PauseGate's SentinelPaused event by the drill's contain key (the gate's own record: it is
//    emitted only in the transaction that really called the protocol's pause).
import type { KeeperStore } from "../../keeper/store/store.js";
import type { AlertMessage } from "../../keeper/types.js";
import type { DrillScore, DrillTxRecord, KeeperSetup, Scenario } from "./types.js";

export interface RunRecord {
  scenario: Scenario<any>;
  setup: KeeperSetup;
  unit: { symbol: string; decimals: number };
  store: KeeperStore;
  alerts: (AlertMessage & { receivedAt: number })[];
  transactions: DrillTxRecord[];
  notes: { at: number; block: number | null; message: string }[];
  series: [number, bigint][];
  /** Wall-clock ms when the runner first saw each block. */
  minedAt: Map<number, number>;
  /** Block timestamps (s). */
  blockTimes: Map<number, number>;
  sentinel: string;
  /** The drill's contain key (signers.contain): a PauseGate's sentinel in the drill. */
  containKey?: string;
  fundsAtRisk: bigint;
  fundsLost: bigint;
  facts: Record<string, string | number>;
  fork: { url: string; blockNumber?: number } | null;
  startBlock: number;
  attackStartBlock: number;
  endBlock: number;
  intervalMs: number;
  chainId: number;
  addressBook: string | null;
  pausedLogs: { block: number; by: string; scope: string; txHash: string }[];
  durationMs: number;
  /** Wall-clock ms when the keeper started following the chain. */
  startedAt: number;
  impersonated: string[];
  /** Besides the sentinel, whose Paused events contain the attack (guardian response mode: the multisig). */
  pausers?: string[];
  /** The keeper's contain calls included, each with its target's containedWhen view read at the
   * inclusion block (null: the view could not be read there). */
  containChecks?: { block: number; hash?: string; target: string; to: string; view: string; contained: boolean | null }[];
  /** SentinelPaused(target, sentinel, expiry) events of the PauseGates the contain targets call. */
  gatePauses?: { block: number; gate: string; target: string; by: string; expiry: number; txHash: string }[];
}

export async function scoreRun(run: RunRecord): Promise<DrillScore> {
  const { scenario, setup, store } = run;
  const actRules = new Set(setup.rules.filter((r) => r.act === true).map((r) => r.id));
  const detectionRules = new Set(setup.detectionRules ?? setup.rules.map((r) => r.id));
  const incidents = store.incidents().filter((i) => i.status !== "retracted").sort((a, b) => a.firstBlock - b.firstBlock || a.detectedAt - b.detectedAt);
  const attempts = store.txAttempts();
  const timeline = store.timeline();

  const malicious = run.transactions.filter((t) => t.kind === "malicious");
  const includedMalicious = malicious.filter((t) => t.blockNumber !== null).map((t) => t.blockNumber!);
  const firstMaliciousBlock = includedMalicious.length ? Math.min(...includedMalicious) : null;
  const hasAttack = typeof scenario.attack === "function";

  // Detection: the first incident of a detection rule at or after the first malicious block.
  const detecting = firstMaliciousBlock === null ? undefined : incidents.find((i) => detectionRules.has(i.ruleId) && i.firstBlock >= firstMaliciousBlock);
  const detectedBlock = detecting?.firstBlock ?? null;

  // Containment: the keeper's pause included (store), or a Paused event by the sentinel.
  const sentinel = run.sentinel.toLowerCase();
  const pauseIncluded = attempts
    .filter((a) => a.kind === "pause" && a.status === "included" && a.includedBlock !== undefined)
    .map((a) => a.includedBlock!);
  const pausers = new Set([sentinel, ...(run.pausers ?? []).map((p) => p.toLowerCase())]);
  const sentinelPauses = run.pausedLogs.filter((l) => pausers.has(l.by.toLowerCase())).map((l) => l.block);
  const containIncluded = (run.containChecks ?? []).filter((c) => c.contained !== false).map((c) => c.block);
  const containKey = (run.containKey ?? run.sentinel).toLowerCase();
  const gatePauses = (run.gatePauses ?? []).filter((g) => g.by.toLowerCase() === containKey).map((g) => g.block);
  // One contain transaction gives both a check and a gate event: one pause per block.
  const containPauses = [...new Set([...containIncluded, ...gatePauses])];
  const containCandidates = [...pauseIncluded, ...sentinelPauses, ...containPauses].filter((b) => firstMaliciousBlock === null || b >= firstMaliciousBlock);
  const containedBlock = firstMaliciousBlock !== null && containCandidates.length ? Math.min(...containCandidates) : null;

  // False alarms: act-rule incidents not attributable to the attack (before it, or no attack),
  // and sentinel pauses before the first malicious block (or in a scenario without an attack).
  const isFalse = (block: number) => firstMaliciousBlock === null || block < firstMaliciousBlock;
  const falseIncidents = incidents.filter((i) => actRules.has(i.ruleId) && isFalse(i.firstBlock));
  const falsePauses = [...sentinelPauses, ...containPauses].filter(isFalse).filter((b) => !falseIncidents.some((i) => b >= i.firstBlock && b <= i.firstBlock + 3));
  const falseAlarms = falseIncidents.length + falsePauses.length;

  const wall = (block: number) => run.minedAt.get(block) ?? (run.blockTimes.get(block) ?? 0) * 1000;
  const t0 = firstMaliciousBlock !== null ? wall(firstMaliciousBlock) : null;
  const timeToDetectMs = detecting && t0 !== null ? Math.max(0, detecting.detectedAt - t0) : null;
  const timeToContainMs = containedBlock !== null && t0 !== null ? Math.max(0, wall(containedBlock) - t0) : null;
  const blocksToContain = containedBlock !== null && firstMaliciousBlock !== null ? containedBlock - firstMaliciousBlock : null;

  const savedPct = run.fundsAtRisk > 0n ? Number(((run.fundsAtRisk - min(run.fundsLost, run.fundsAtRisk)) * 1_000_000n) / run.fundsAtRisk) / 10_000 : null;
  const lossPct = run.fundsAtRisk > 0n ? Number((min(run.fundsLost, run.fundsAtRisk) * 1_000_000n) / run.fundsAtRisk) / 10_000 : null;

  const tl: DrillScore["timeline"] = [];
  const utc = (b: number) => wall(b);
  tl.push({ at: run.startedAt, block: run.startBlock, kind: "drill", message: `keeper started; warm-up (${scenario.warmupBlocks ?? 5} blocks of background traffic)` });
  for (const n of run.notes) tl.push({ at: n.at, block: n.block, kind: "note", message: n.message });
  for (const t of run.transactions.filter((x) => x.kind === "malicious")) {
    const b = t.blockNumber ?? t.attemptedBlock ?? null;
    const state = t.blockNumber === null ? `not included (${t.error ?? "failed to send"})` : t.success ? "succeeded" : "reverted";
    tl.push({ at: b !== null ? utc(b) : Date.now(), block: b, kind: "attack", message: `${t.note ?? "malicious tx"} ${t.hash ? short(t.hash) + " " : ""}— ${state}` });
  }
  for (const e of timeline) tl.push({ at: e.at, block: e.blockNumber, kind: `keeper:${e.kind}`, message: e.message });
  for (const c of run.containChecks ?? []) {
    const state = c.contained === null ? `${c.view} could not be read at that block` : c.contained ? `${c.view} says contained` : `but ${c.view} does NOT say contained (not counted)`;
    tl.push({ at: utc(c.block), block: c.block, kind: "contained", message: `contain ${c.target} included (tx ${short(c.hash ?? "")}); ${state}` });
  }
  for (const g of run.gatePauses ?? []) {
    tl.push({ at: utc(g.block), block: g.block, kind: "paused", message: `PauseGate ${short(g.gate)} SentinelPaused ${g.target} by ${g.by.toLowerCase() === containKey ? "the keeper's contain key" : g.by} until ${new Date(g.expiry * 1000).toISOString().replace(".000", "")} (tx ${short(g.txHash)})` });
  }
  for (const l of run.pausedLogs) tl.push({ at: utc(l.block), block: l.block, kind: "paused", message: `breaker Paused by ${l.by.toLowerCase() === sentinel ? "the sentinel" : l.by} (tx ${short(l.txHash)})` });
  tl.sort((a, b) => (a.block ?? Infinity) - (b.block ?? Infinity) || a.at - b.at);

  const alerts = incidents
    .filter((i) => !actRules.has(i.ruleId))
    .map((i) => ({ ruleId: i.ruleId, block: i.firstBlock, summary: i.summary, severity: i.severity }));

  const score: DrillScore = {
    scenario: scenario.id,
    expectationsMet: false,
    firstMaliciousBlock,
    detectedBlock,
    containedBlock,
    fundsAtRisk: run.fundsAtRisk.toString(),
    fundsLost: run.fundsLost.toString(),
    savedPct,
    falseAlarms,
    title: scenario.title,
    reference: scenario.reference,
    unmet: [],
    timeToDetectMs,
    timeToContainMs,
    blocksToContain,
    unit: run.unit,
    series: run.series.map(([block, funds]) => ({ block, funds: funds.toString() })),
    transactions: run.transactions,
    keeperAttempts: attempts.map((a) => ({
      hash: a.hash,
      status: a.status,
      includedBlock: a.includedBlock,
      maxFeePerGas: a.maxFeePerGas?.toString(),
      kind: a.kind,
      nonce: a.nonce,
      note: a.note,
      ...(a.gasUsed !== undefined ? { gasUsed: a.gasUsed.toString() } : {}),
      ...(a.feePaidWei !== undefined ? { feePaidWei: a.feePaidWei.toString() } : {}),
    })),
    keeperFeesWei: attempts.filter((a) => a.status === "included").reduce((sum, a) => sum + (a.feePaidWei ?? 0n), 0n).toString(),
    timeline: tl,
    facts: run.facts,
    fork: run.fork,
    alerts,
    incidents: incidents.map((i) => ({ id: i.id, ruleId: i.ruleId, severity: i.severity, firstBlock: i.firstBlock, status: i.status, summary: i.summary, act: actRules.has(i.ruleId) })),
    durationMs: run.durationMs,
    blockIntervalMs: run.intervalMs,
    chainId: run.chainId,
    startBlock: run.startBlock,
    endBlock: run.endBlock,
    addressBook: run.addressBook,
    impersonated: run.impersonated,
  };

  // ---- expectations
  const ex = scenario.expectations;
  const unmet: string[] = [];
  const mustDetect = ex.mustDetect ?? hasAttack;
  if (hasAttack && firstMaliciousBlock === null) unmet.push("no malicious transaction was included: the attack did not play");
  if (mustDetect && detectedBlock === null) unmet.push("the attack was not detected");
  if (ex.containWithinBlocks !== undefined) {
    if (blocksToContain === null) unmet.push(`not contained (expected within ${ex.containWithinBlocks} block(s) of the first malicious tx)`);
    else if (blocksToContain > ex.containWithinBlocks) unmet.push(`contained ${blocksToContain} block(s) after the first malicious tx (expected <= ${ex.containWithinBlocks})`);
  }
  if (ex.minSavedPct !== undefined && (savedPct === null || savedPct < ex.minSavedPct)) unmet.push(`saved ${savedPct ?? "n/a"}% (expected >= ${ex.minSavedPct}%)`);
  if (ex.maxLossPct !== undefined && lossPct !== null && lossPct > ex.maxLossPct) unmet.push(`lost ${lossPct}% (expected <= ${ex.maxLossPct}%)`);
  const maxFalse = ex.maxFalseAlarms ?? 0;
  if (falseAlarms > maxFalse) unmet.push(`${falseAlarms} false alarm(s) (expected <= ${maxFalse}): ${falseIncidents.map((i) => `${i.ruleId}@${i.firstBlock}`).join(", ") || "sentinel pause before the attack"}`);
  if (ex.custom) {
    try {
      unmet.push(...(await ex.custom(score)));
    } catch (err) {
      unmet.push(`custom expectation threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  score.unmet = unmet;
  score.expectationsMet = unmet.length === 0;
  return score;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const short = (h: string) => (h.length > 14 ? `${h.slice(0, 10)}…${h.slice(-4)}` : h);
