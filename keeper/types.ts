// The keeper's shared vocabulary. The pipeline shows in the folders:
//   source/ (blocks in order, by parent hash, checkpointed) → detectors/ (findings) →
//   policy/ (decisions: severity → action, dedup, cooldown) → responders/ (pause, propose,
//   alert) → store/ (checkpoints, incidents, timeline, tx attempts) ; ops/ (metrics, health).
// Every stage talks through these types only.

/** SEAL severities: P1 most severe. "When in doubt, choose higher." */
export type Severity = "P1" | "P2" | "P3" | "P4";
export const SEVERITIES: readonly Severity[] = ["P1", "P2", "P3", "P4"];

export interface BlockRef {
  number: number;
  hash: string;
  parentHash: string;
  /** Unix seconds. */
  timestamp: number;
}

export interface TxData {
  hash: string;
  index: number;
  from: string;
  /** null for contract creation. */
  to: string | null;
  input: string;
  value: bigint;
  nonce: number;
  /** Address of the contract created by this tx (from its receipt), if any. */
  createdContract?: string;
  /** false if the tx reverted. */
  success: boolean;
  /** Priority fee per gas it paid (effective gas price - base fee), when the node tells. */
  priorityFeePerGas?: bigint;
  /** Effective gas price (receipt), the fee caps it offered, its gas limit and the gas it used. */
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  gasLimit?: bigint;
  gasUsed?: bigint;
}

export interface LogData {
  address: string;
  topics: string[];
  data: string;
  transactionHash: string;
  transactionIndex: number;
  logIndex: number;
}

/** One block, complete: what every detector sees. */
export interface BlockData extends BlockRef {
  transactions: TxData[];
  logs: LogData[];
}

/** A read-only call evaluated at a block, batched through Multicall3 by the source. */
export interface ReadCall {
  target: string;
  data: string;
}
export interface ReadResult {
  success: boolean;
  returnData: string;
}

/** What a detector may use while evaluating one block. All reads are pinned to that block. */
export interface DetectionContext {
  block: BlockData;
  /** Batch of eth_calls at `block.number`, one JSON-RPC request (Multicall3 aggregate3). */
  readAt(calls: ReadCall[]): Promise<ReadResult[]>;
  /** eth_getCode / eth_getBalance / eth_getTransactionCount pinned to the block (attack-stage signals). */
  getCode(address: string): Promise<string>;
  getBalance(address: string): Promise<bigint>;
  getTransactionCount(address: string): Promise<number>;
}

/** A detection: what was seen, where, how bad. */
export interface Finding {
  /** The rule (config id) that produced it. */
  ruleId: string;
  /** matcher | invariant | statistic | attack-stage | error */
  detector: DetectorKind;
  severity: Severity;
  /** Stable dedup key: same fingerprint = same incident (e.g. ruleId + asset + attacker). */
  fingerprint: string;
  blockNumber: number;
  blockHash: string;
  txHash?: string;
  summary: string;
  details: Record<string, unknown>;
  /** The protected contract / asset / scope concerned, when known (used by responders). */
  target?: string;
  asset?: string;
  scope?: string;
}

export type DetectorKind = "matcher" | "invariant" | "statistic" | "attack-stage" | "error";

export interface Detector {
  readonly ruleId: string;
  readonly kind: DetectorKind;
  /** Evaluate one block. Throwing is allowed: the policy applies the rule's fail-open/closed choice. */
  evaluate(ctx: DetectionContext): Promise<Finding[]>;
  /** Forget state derived from blocks above `blockNumber` (reorg). */
  rollback?(blockNumber: number): void;
}

export type ResponseAction = "alert" | "propose" | "pause" | "contain";

export interface PauseTarget {
  /** The breaker (Breakable contract or CircuitBreaker). */
  breaker: string;
  /** bytes32 scope, e.g. keccak256("breakwater.scope.GLOBAL") or an asset scope. */
  scope: string;
  durationSeconds: number;
}

/** A `contain` call configured in responders.contain.targets, by name. */
export interface ContainTarget {
  target: string;
}

/** The policy's verdict on one finding. */
export interface Decision {
  finding: Finding;
  action: ResponseAction;
  /** Only rules marked `act: true` may pause or propose on their own; others alert. */
  act: boolean;
  pause?: PauseTarget;
  /** For action "contain": which configured call. */
  contain?: ContainTarget;
  /** Why nothing happens, if so. */
  suppressed?: "dedup" | "cooldown";
  incidentId: string;
  /** The rule's own action when the decision was downgraded to "alert" (rule not marked `act`, or fail-open). */
  requestedAction?: ResponseAction;
  /** One line for people: why this action (act / not act / fail-open / fail-closed / dedup / cooldown). */
  reason?: string;
}

/** A message for people, built from a decision. */
export interface AlertMessage {
  id: string;
  incidentId: string;
  severity: Severity;
  title: string;
  body: string;
  blockNumber: number;
  blockHash: string;
  txHash?: string;
  /** true when this retracts an earlier alert (reorg orphaned its block). */
  retraction?: boolean;
  /** Ids of earlier alerts this one settles (containment: PagerDuty resolves each of them). */
  resolves?: string[];
  links?: string[];
}

export interface AlertChannel {
  readonly name: string;
  /** Deliver once; the caller retries with backoff on a thrown error. */
  send(message: AlertMessage): Promise<void>;
}

export type TxStatus = "intent" | "sent" | "replaced" | "included" | "failed" | "skipped";

/** Every transaction the keeper attempts, as recorded in the store. */
export interface TxAttempt {
  id?: number;
  incidentId: string;
  kind: "pause" | "propose" | "contain";
  chainId: number;
  to: string;
  data: string;
  nonce?: number;
  hash?: string;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  status: TxStatus;
  /** Block it was included in. */
  includedBlock?: number;
  note?: string;
  createdAt: number;
  /** Head block number when this transaction was broadcast. */
  sentBlock?: number;
  /** From the receipt, once included: gas used and what it cost (gasUsed × effectiveGasPrice). */
  gasUsed?: bigint;
  feePaidWei?: bigint;
}

export type TimelineKind = "detection" | "decision" | "alert" | "retraction" | "tx" | "containment" | "error" | "note";

export interface TimelineEntry {
  id?: number;
  incidentId: string | null;
  /** Unix ms. */
  at: number;
  blockNumber: number | null;
  kind: TimelineKind;
  message: string;
  data?: Record<string, unknown>;
}

export interface Incident {
  id: string;
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  status: "open" | "contained" | "closed" | "retracted";
  firstBlock: number;
  firstBlockHash: string;
  /** Unix ms of detection (wall clock), and of the block's timestamp. */
  detectedAt: number;
  blockTimestamp: number;
  containedBlock?: number;
  summary: string;
}
