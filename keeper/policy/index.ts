// policy/: findings → decisions. Severity and action come from the rule; only rules marked
// `act: true` pause or propose on their own (the others alert, saying what they would have
// done); one open incident per fingerprint (later findings are recorded on its timeline but
// open nothing); cooldowns per rule + fingerprint in blocks and/or seconds of block time;
// an evaluation error follows the rule's fail-open / fail-closed choice.
import type { BlockRef, ContainTarget, Decision, Finding, PauseTarget, ResponseAction, Severity } from "../types.js";
import type { KeeperStore } from "../store/store.js";
import { onErrorOf, type RuleConfig, type ScopeSpec } from "../detectors/schema.js";
import { assetScope, SCOPES, scopeLabel } from "./scopes.js";

export { SCOPES, assetScope, scopeLabel } from "./scopes.js";

export interface PolicyOptions {
  /** Breaker paused when a rule names none (config.contracts.breaker). */
  defaultBreaker?: string;
  /** Named addresses for "$name" references (config.contracts.named). */
  named?: Record<string, string>;
  /** Wall clock in ms (tests). */
  now?: () => number;
  /** Severity per rule id from the incident plan (config `plan`): wins over the rule's own. */
  planSeverities?: Record<string, Severity>;
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class Policy {
  private readonly rules = new Map<string, RuleConfig>();
  private readonly now: () => number;
  /** Per rule: the last block whose evaluation failed and how many consecutive ones. */
  private readonly errorRuns = new Map<string, { lastBlock: number; count: number }>();

  constructor(
    rules: RuleConfig[],
    private readonly store: KeeperStore,
    private readonly opts: PolicyOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    for (const r of rules) {
      if (this.rules.has(r.id)) throw new Error(`duplicate rule id "${r.id}"`);
      this.rules.set(r.id, r);
      if (r.action === "pause") {
        if (!r.pause) throw new Error(`rule "${r.id}": action "pause" needs pause { scope, durationSeconds }`);
        // resolve once now, so a bad breaker / scope fails at start and not during an incident
        this.breakerOf(r);
        if (!(typeof r.pause.scope === "object" && r.pause.scope.asset === "finding")) this.resolveScope(r.pause.scope, undefined, r.id);
      }
    }
  }

  /** Decide on the findings of one block (in order). Writes incidents, rule fires and timeline. */
  decide(findings: Finding[], block: BlockRef): Decision[] {
    return findings.map((f) => this.decideOne(this.withPlanSeverity(f), block));
  }

  /** The plan's severity for the finding's rule, if the plan sets one (plan wins). */
  private withPlanSeverity(f: Finding): Finding {
    const s = this.opts.planSeverities?.[f.ruleId];
    return s && s !== f.severity ? { ...f, severity: s, details: { ...f.details, ruleSeverity: f.severity, severityFrom: "plan" } } : f;
  }

  /**
   * A rule could not be evaluated at `block`. fail-closed: the error is a finding of the rule
   * (its severity and action); fail-open: logged and alerted ("rule X could not be evaluated"),
   * never acted on.
   */
  onDetectorError(ruleId: string, error: unknown, block: BlockRef): Decision[] {
    const rule = this.rules.get(ruleId);
    const msg = errorMessage(error);
    const { mode, afterConsecutiveErrors } = onErrorOf(rule);
    // Consecutive failing blocks of this rule (a retried block counts once; a good block resets).
    const prev = this.errorRuns.get(ruleId);
    const run = prev && prev.lastBlock === block.number ? prev.count : prev && prev.lastBlock === block.number - 1 ? prev.count + 1 : 1;
    this.errorRuns.set(ruleId, { lastBlock: block.number, count: run });
    const acts = mode === "fail-closed" && run >= afterConsecutiveErrors;
    const how =
      mode === "fail-open"
        ? " (fail-open: no action)"
        : acts
          ? ` (fail-closed: ${run} consecutive failing block(s), treated as a detection)`
          : ` (fail-closed: ${run} of ${afterConsecutiveErrors} consecutive failing blocks before acting)`;
    const finding: Finding = {
      ruleId,
      detector: "error",
      severity: this.opts.planSeverities?.[ruleId] ?? rule?.severity ?? "P3",
      // The acting finding has a fingerprint of its own: the alert-only incident of the first
      // errors must not suppress it as a duplicate.
      fingerprint: acts ? `${ruleId}:error:fail-closed` : `${ruleId}:error`,
      blockNumber: block.number,
      blockHash: block.hash,
      summary: `rule ${ruleId} could not be evaluated at block ${block.number}: ${msg}${how}`,
      details: { error: msg, onError: mode, consecutiveErrors: run, afterConsecutiveErrors },
    };
    this.store.addTimeline({
      incidentId: null,
      at: this.now(),
      blockNumber: block.number,
      kind: "error",
      message: finding.summary,
      data: { ruleId, error: msg, onError: mode, consecutiveErrors: run },
    });
    if (acts) return [this.decideOne(finding, block)];
    return [this.decideOne(finding, block, { forceAlert: mode === "fail-open" ? "fail-open: an evaluation error never acts" : `fail-closed: acts after ${afterConsecutiveErrors} consecutive failing blocks (${run} so far)` })];
  }

  /** Reorg: forget error runs of blocks above `blockNumber`. */
  rollback(blockNumber: number): void {
    for (const [rule, r] of this.errorRuns) if (r.lastBlock > blockNumber) this.errorRuns.delete(rule);
  }

  // ------------------------------------------------------------------ internals

  private decideOne(f: Finding, block: BlockRef, o: { forceAlert?: string } = {}): Decision {
    const rule = this.rules.get(f.ruleId);
    const { action, act, requestedAction, pause, contain, reason } = this.actionFor(rule, f, o.forceAlert);
    const at = this.now();
    const base = { finding: f, action, act, ...(pause ? { pause } : {}), ...(contain ? { contain } : {}), ...(requestedAction ? { requestedAction } : {}) };

    // dedup: one open incident per fingerprint
    const open = this.store.openIncidentFor(f.fingerprint);
    if (open) {
      this.store.addTimeline({
        incidentId: open.id,
        at,
        blockNumber: f.blockNumber,
        kind: "detection",
        message: `seen again: ${f.summary}`,
        data: { ruleId: f.ruleId, fingerprint: f.fingerprint, txHash: f.txHash, blockHash: f.blockHash, details: f.details },
      });
      return { ...base, suppressed: "dedup", incidentId: open.id, reason: `incident ${open.id} is already ${open.status}` };
    }

    // cooldown per rule + fingerprint (block numbers and block time)
    const cd = rule?.cooldown ?? {};
    const last = this.store.lastRuleFire(f.ruleId, f.fingerprint);
    if (last && (cd.blocks !== undefined || cd.seconds !== undefined)) {
      const inBlocks = cd.blocks !== undefined && block.number - last.blockNumber < cd.blocks;
      const inSeconds = cd.seconds !== undefined && block.timestamp * 1000 - last.at < cd.seconds * 1000;
      if (inBlocks || inSeconds) {
        const previous = this.store.incidents().filter((i) => i.fingerprint === f.fingerprint).at(-1);
        const why = `cooldown: last fired at block ${last.blockNumber} (${inBlocks ? `${cd.blocks} blocks` : `${cd.seconds}s`})`;
        this.store.addTimeline({
          incidentId: previous?.id ?? null,
          at,
          blockNumber: f.blockNumber,
          kind: "decision",
          message: `suppressed (${why}): ${f.summary}`,
          data: { ruleId: f.ruleId, fingerprint: f.fingerprint, txHash: f.txHash },
        });
        return { ...base, suppressed: "cooldown", incidentId: previous?.id ?? `cooldown:${f.fingerprint}`, reason: why };
      }
    }

    const { incident } = this.store.openIncident(f, block.timestamp, at);
    this.store.recordRuleFire(f.ruleId, f.fingerprint, block.number, block.timestamp * 1000);
    this.store.addTimeline({
      incidentId: incident.id,
      at,
      blockNumber: f.blockNumber,
      kind: "detection",
      message: f.summary,
      data: { ruleId: f.ruleId, detector: f.detector, severity: f.severity, fingerprint: f.fingerprint, txHash: f.txHash, blockHash: f.blockHash, details: f.details },
    });
    this.store.addTimeline({
      incidentId: incident.id,
      at,
      blockNumber: f.blockNumber,
      kind: "decision",
      message: `${f.severity} ${action}${act ? " (acting)" : ""}${pause ? `: pause ${scopeLabel(pause.scope)} on ${pause.breaker} for ${pause.durationSeconds}s` : ""}${contain ? `: ${contain.target}` : ""} — ${reason}`,
      data: { action, act, requestedAction, pause, contain, reason },
    });
    return { ...base, incidentId: incident.id, reason };
  }

  private actionFor(
    rule: RuleConfig | undefined,
    f: Finding,
    forceAlert?: string,
  ): { action: ResponseAction; act: boolean; requestedAction?: ResponseAction; pause?: PauseTarget; contain?: ContainTarget; reason: string } {
    if (!rule) return { action: "alert", act: false, reason: `unknown rule "${f.ruleId}": alert only` };
    if (forceAlert) return { action: "alert", act: false, requestedAction: rule.action !== "alert" ? rule.action : undefined, reason: forceAlert };
    if (rule.action === "alert") return { action: "alert", act: false, reason: "rule alerts" };
    if (!rule.act) {
      return { action: "alert", act: false, requestedAction: rule.action, reason: `rule would ${rule.action} but is not marked act: alert for a human decision` };
    }
    if (rule.action === "propose") return { action: "propose", act: true, reason: "rule marked act: propose a guardian action" };
    if (rule.action === "contain") {
      if (!rule.contain) return { action: "alert", act: false, requestedAction: "contain", reason: "cannot contain: the rule names no contain target" };
      return { action: "contain", act: true, contain: { target: rule.contain.target }, reason: `rule marked act: contain through "${rule.contain.target}"` };
    }
    const pause = this.pauseTarget(rule, f);
    if (!pause.target) {
      return { action: "alert", act: false, requestedAction: "pause", reason: `cannot pause: ${pause.error}` };
    }
    return { action: "pause", act: true, pause: pause.target, reason: "rule marked act: pause" };
  }

  private pauseTarget(rule: RuleConfig, f: Finding): { target?: PauseTarget; error?: string } {
    const p = rule.pause!;
    try {
      return { target: { breaker: this.breakerOf(rule), scope: this.resolveScope(p.scope, f, rule.id), durationSeconds: p.durationSeconds } };
    } catch (e) {
      return { error: errorMessage(e) };
    }
  }

  private breakerOf(rule: RuleConfig): string {
    const ref = rule.pause?.breaker ?? this.opts.defaultBreaker;
    if (!ref) throw new Error(`rule "${rule.id}" pauses but names no breaker and no default breaker is configured (contracts.breaker)`);
    return this.address(ref, rule.id);
  }

  private address(ref: string, ruleId: string): string {
    if (ref.startsWith("$")) {
      const v = this.opts.named?.[ref.slice(1)];
      if (!v) throw new Error(`rule "${ruleId}": unknown address name "${ref}" (define it in contracts.named)`);
      return v.toLowerCase();
    }
    return ref.toLowerCase();
  }

  /** Scope → bytes32 as in Scopes.sol. */
  resolveScope(scope: ScopeSpec, f: Finding | undefined, ruleId: string): string {
    if (typeof scope === "string") {
      if (scope in SCOPES) return SCOPES[scope as keyof typeof SCOPES];
      return scope.toLowerCase();
    }
    if (scope.asset === "finding") {
      if (!f?.asset) throw new Error(`rule "${ruleId}" pauses the finding's asset but the finding names none`);
      return assetScope(f.asset);
    }
    return assetScope(this.address(scope.asset, ruleId));
  }
}
