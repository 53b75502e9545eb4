// The backtest's vocabulary: what one run over a block range measured, per rule and overall.
// Everything here is plain JSON (block numbers, counts, strings): it is what report.json holds.
import type { DetectorKind, ResponseAction, Severity } from "../types.js";

/** One decision the policy would have taken (nothing was sent). */
export interface DecisionRecord {
  block: number;
  ruleId: string;
  /** What the policy decided: pause / propose only for rules marked `act`, else alert. */
  action: ResponseAction;
  act: boolean;
  /** dedup (an incident for the fingerprint is already open) or cooldown: nothing would happen. */
  suppressed?: "dedup" | "cooldown";
  /** The rule's own action when the policy downgraded it to an alert. */
  requestedAction?: ResponseAction;
  /** "finding" or "error" (fail-open / fail-closed evaluation error). */
  from: "finding" | "error";
  txHash?: string;
  summary: string;
}

/** What one rule did over the range. */
export interface RuleStats {
  ruleId: string;
  kind: Exclude<DetectorKind, "error">;
  severity: Severity;
  /** The rule's configured action and whether it may act on its own. */
  action: ResponseAction;
  act: boolean;
  findings: number;
  /** Blocks with at least one finding of this rule, ascending. */
  blocksFlagged: number[];
  firstBlock: number | null;
  lastBlock: number | null;
  /** Decisions not suppressed by dedup / cooldown, by action (what would have been done). */
  decisions: { pause: number; propose: number; contain: number; alert: number; suppressed: number };
  /** Alerts that were downgraded from the rule's own pause / propose (rule not marked act, or fail-open). */
  downgraded: number;
  /** Evaluation errors (the detector threw): how many blocks, which, and the distinct messages. */
  errors: { count: number; blocks: number[]; firstBlock: number | null; messages: string[] };
}

export interface BacktestRun {
  version: 1;
  config: { name: string; chainId: number; file?: string };
  rpc: { url: string };
  range: { from: number; to: number };
  blocks: number;
  /** Blocks replayed from the checkpoint file (no RPC), then fetched from the RPC. */
  resumed: { fromCheckpoint: number; fetched: number };
  durationMs: number;
  /** Fetched blocks per second (detection and policy included). */
  blocksPerSec: number;
  /** JSON-RPC HTTP requests (a batch counts once) and calls (batch items), per fetched block. */
  rpcPerBlock: number;
  rpcCallsPerBlock: number;
  rules: RuleStats[];
  decisions: DecisionRecord[];
}
