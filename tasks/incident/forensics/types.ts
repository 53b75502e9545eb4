// The analysis JSON written by `incident analyze` and read by `incident report` (and by the
// compensation tooling). Amounts are decimal strings of base units (wei / token units).
import type { DecodedCall, DecodedEvent } from "./abi.js";

export const ANALYSIS_VERSION = 1;

export interface AssetInfo {
  /** Token address, or "ETH" for the native asset. */
  address: string;
  symbol: string;
  decimals: number;
}

export interface AttackerTx {
  hash: string;
  blockNumber: number;
  /** Unix seconds of the block. */
  timestamp: number;
  index: number;
  from: string;
  to: string | null;
  value: string;
  status: "success" | "reverted";
  createdContract?: string;
  gasUsed: string;
  call?: DecodedCall;
  events: DecodedEvent[];
  /** Asset movements of this transaction (Transfer / WETH logs, top-level and traced native value). */
  transfers: TransferRow[];
}

export interface TransferRow {
  asset: string;
  from: string;
  to: string;
  amount: string;
  txHash: string;
  /** "log" (Transfer / Deposit / Withdrawal event), "value" (tx value), "trace" (internal call value). */
  via: "log" | "value" | "trace";
}

export interface AccountFlow {
  account: string;
  role: "attacker" | "protected" | "victim" | "other";
  /** Why an attacker account is one ("--suspects", "created by a suspect tx", "called only by suspects"). */
  reason?: string;
  /** Net change per asset over the attacker transactions only (from their logs / values). */
  netByAsset: Record<string, string>;
  /** Balance at the block boundaries (state after from-1 and after to), per asset, when read. */
  balances?: Record<string, { before: string; after: string; diff: string; reconciled?: boolean; transfersInRange?: string }>;
}

export interface Valuation {
  /** Asset all values are expressed in. */
  numeraire: string;
  /** Block whose state the oracle prices were read at (default: from-block - 1, before the attack). */
  priceBlock: number;
  /** Price per asset: value_in_numeraire_base_units = amount_base_units * price / 1e18. */
  prices: Record<string, { price: string; source: string }>;
}

export interface LossFigures {
  /** Loss per asset (positive = lost by the protocol; negative = the protocol received it). */
  byAsset: Record<string, string>;
  /** Value of the protocol's own shares gained (+) / given back (-) by attacker accounts, included in byAsset (underlying asset). */
  shareClaims: { shareToken: string; underlying: string; shares: string; value: string; valuedAtBlock: number }[];
  /** Amounts legitimately owed to suspects, deducted from byAsset (--owed). */
  owed: { account: string; asset: string; amount: string }[];
  /** Sum of byAsset valued in valuation.numeraire, floored at 0; null when it cannot be valued (missing prices). */
  total: string | null;
  /** The signed sum before the floor. */
  totalSigned: string | null;
  totalUnit: string | null;
  /** Why total is null, when it is. */
  totalNote?: string;
  valuation?: Valuation;
  /** Affected (protected / victim) accounts: what each lost, per asset and valued. */
  perAccount: { account: string; role: "protected" | "victim"; byAsset: Record<string, string>; value: string | null }[];
  /** Attacker accounts: net gain per asset over the attacker transactions (incl. share claims valued). */
  perAttacker: { account: string; byAsset: Record<string, string> }[];
}

export interface FundingSource {
  account: string;
  /** First ETH received in the range (tx value), if any. */
  firstEth?: { from: string; amount: string; txHash: string; blockNumber: number };
  /** First token transfer received in the range, if any. */
  firstToken?: { asset: string; from: string; amount: string; txHash: string; blockNumber: number };
  /** A contract created in the range: who created it. */
  createdBy?: { creator: string; txHash: string; blockNumber: number };
  /** ETH balance before the range (state after from-1). */
  ethBefore: string;
  note: string;
}

export interface ResponseEvent {
  /** Unix ms (keeper wall clock) or the block timestamp * 1000 for on-chain events. */
  at: number;
  block: number | null;
  source: string;
  kind: string;
  message: string;
}

export interface Analysis {
  version: number;
  generatedAt: string;
  chain: { chainId: number; rpc: string; head: number };
  input: {
    mode: "incident" | "range";
    store?: string;
    incident?: string;
    fromBlock: number;
    toBlock: number;
    suspects: string[];
    contracts: string[];
    victims: string[];
  };
  incident?: { id: string; ruleId: string; severity: string; status: string; firstBlock: number; containedBlock?: number; summary: string; detectedAt: number; blockTimestamp: number };
  range: { fromBlock: number; toBlock: number; fromTimestamp: number; toTimestamp: number; blocks: number };
  assets: Record<string, AssetInfo>;
  labels: Record<string, string>;
  attackers: { account: string; reason: string; isContract: boolean }[];
  protectedContracts: string[];
  attackerTxs: AttackerTx[];
  firstAttackBlock: number | null;
  lastAttackBlock: number | null;
  flows: AccountFlow[];
  /** ETH balance change of each attacker account per block with an attacker tx (incl. gas). */
  ethPerBlock: { account: string; block: number; before: string; after: string }[];
  loss: LossFigures;
  funding: FundingSource[];
  response: {
    events: ResponseEvent[];
    detectedBlock: number | null;
    detectedAt: number | null;
    containedBlock: number | null;
    containedAt: number | null;
    /** ms from the first attacker block's timestamp to detection / containment. */
    timeToDetectMs: number | null;
    timeToContainMs: number | null;
    pauses: { block: number; contract: string; scope: string; by: string; txHash: string }[];
    rulesFired: string[];
  };
  notes: string[];
  /** The loss definition, in words (also in the README). */
  lossDefinition: string;
}
