// detectors/: rules → Detector objects. One ReadBatch is shared by every invariant and statistic
// built here, so all the eth_calls of a block go out as ONE ctx.readAt() (Multicall3 aggregate3).
import type { Detector } from "../types.js";
import { AttackStageDetector } from "./attack-stage.js";
import type { DetectorOptions } from "./common.js";
import { InvariantDetector, ReadBatch, type InvariantDefinition } from "./invariant.js";
import { MatcherDetector } from "./matcher.js";
import type { RuleConfig } from "./schema.js";
import { OutflowStatistic } from "./statistic.js";

export { ruleSchema, parseRules, type RuleConfig, type RuleInput } from "./schema.js";
export { defineInvariant, ReadBatch, type InvariantDefinition, type InvariantCall, type CallResult, type InvariantViolation } from "./invariant.js";
export { FLASH_LOAN_EVENTS } from "./attack-stage.js";
export { median, mad, robustZ } from "./statistic.js";

export interface CreateDetectorsOptions extends DetectorOptions {
  /** Custom invariants referenced by `{ type: "custom", name }`. */
  invariants?: Record<string, InvariantDefinition<never>>;
  /** Share a batch with other detectors (default: a new one). */
  batch?: ReadBatch;
}

/** Build the detectors of the enabled rules. Throws a clear error naming the rule on a bad reference. */
export function createDetectors(rules: RuleConfig[], options: CreateDetectorsOptions = {}): Detector[] & { batch: ReadBatch } {
  const batch = options.batch ?? new ReadBatch();
  const out: Detector[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const d = rule.detector;
    switch (d.kind) {
      case "matcher":
        out.push(new MatcherDetector(rule, d, options));
        break;
      case "invariant":
        out.push(new InvariantDetector(rule, d.invariant, batch, options));
        break;
      case "statistic":
        out.push(new OutflowStatistic(rule, d, batch, options));
        break;
      case "attack-stage":
        out.push(new AttackStageDetector(rule, d.signal, options));
        break;
    }
  }
  return Object.assign(out, { batch });
}
