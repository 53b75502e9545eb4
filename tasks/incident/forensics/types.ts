// The analysis JSON written by `incident analyze` and read by `incident report` (and by the
// compensation tooling). Amounts are decimal strings of base units (wei / token units).
import type { DecodedCall, DecodedEvent, DecodedRevert } from "./abi.js";

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
  /** It moved value out of a protected contract or a victim. */
  harmful?: boolean;
  /** Why it reverted: the revert reason / panic / custom error, decoded with the reverting contract's ABI first. */
  revert?: DecodedRevert & { at?: string };
}

export interface TransferRow {
  asset: string;
  from: string;
  to: string;
  amount: string;
  txHash: string;
  /** "log" (Transfer / Deposit / Withdrawal event), "value" (tx value), "trace" (internal call value). */
  via: "log" | "value" | "trace";
  /** A Transfer event from 0x0 (a mint). */
  mint?: boolean;
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
  perAttacker: { account: string; byAsset: Record<string, string>; selfMinted?: Record<string, string> }[];
  /** Per asset, over the attacker transactions: gross outflow from the protected contracts and victims, what came back into them
   * (paidIn, of which paidInByAttackers: e.g. the attacker's own collateral or deposits) and the net (gross − paidIn, before share claims and --owed). */
  perAsset?: Record<string, { gross: string; paidIn: string; paidInByAttackers: string; net: string }>;
  /** Who bore a protected pool's loss: its depositors pro rata at the block before the first harmful transaction. */
  depositors?: DepositorAttribution[];
}

export interface DepositorAttribution {
  pool: string;
  asset: string;
  /** The loss of `asset` attributed (the pool's net loss of it). */
  loss: string;
  /** Positions read at this block (the block before the first harmful transaction). */
  atBlock: number;
  method: string;
  totalPosition: string;
  /** Positions of attacker accounts, left out of the split. */
  excluded: { account: string; position: string; why: string }[];
  depositors: { account: string; position: string; share: string; isContract: boolean }[];
  /** loss − Σ shares (rounding down leaves at most one base unit per depositor). */
  dust: string;
}

export interface FundingInflow {
  kind: "native" | "token";
  asset?: string;
  from?: string;
  amount?: string;
  txHash?: string;
  blockNumber?: number;
  /** self-mint: Transfer from 0x0 in the account's own tx; mint: minted by someone else; transfer: from an EOA / contract;
   * internal: from another attacker account; genesis: allocated at block 0; range-start: held before the range (origin unknown); unknown. */
  label: "self-mint" | "mint" | "transfer" | "internal" | "genesis" | "range-start" | "unknown";
  text: string;
  /** Read from the chain (a transfer, mint, genesis allocation); false for "range-start" / "unknown". Only verified facts go to the legal appendix. */
  verified: boolean;
}

export interface FundingSource {
  account: string;
  /** Every inflow before the first harmful transaction, labelled. */
  sources: FundingInflow[];
  /** Inflows from protected contracts / victims: never counted as funding. */
  excluded: { kind: "native" | "token"; asset: string; from: string; amount: string; txHash: string; blockNumber: number; why: string }[];
  /** A contract created in the range: who created it. */
  createdBy?: { creator: string; txHash: string; blockNumber: number };
  /** ETH balance before the range (state after from-1). */
  ethBefore: string;
  note: string;
}

export interface ResponseEvent {
  /** Unix ms: the block timestamp * 1000 (clock "chain") or the keeper's recorded wall-clock time (clock "keeper"). */
  at: number;
  clock?: "chain" | "keeper";
  block: number | null;
  /** Transaction index within the block (chain events). */
  index?: number;
  source: string;
  kind: string;
  message: string;
}

export interface RuleCheck {
  /** The candidate rule (keeper rule config). */
  rule: Record<string, unknown>;
  description: string;
  /** Attacker transactions it matches / benign transactions of the range it matches (would-be false alarms). */
  matchesAttack: number;
  falseAlarms: number;
  falseAlarmTxs: string[];
  benignTxsChecked: number;
  /** "suggest" (0 false alarms and it catches the first harmful tx), or "rejected" with the reason. */
  verdict: "suggest" | "rejected";
  why: string;
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
    /** The first harmful transaction (the clock starts there). */
    firstHarmful?: { hash: string; blockNumber: number; index: number; timestamp: number } | null;
    firstHarmfulDefinition?: string;
    blocksToDetect?: number | null;
    blocksToContain?: number | null;
    /** ms, chain clock, from the first harmful block's timestamp to the detection / containment block's. */
    timeToDetectMs: number | null;
    timeToContainMs: number | null;
    /** Keeper wall clock at detection minus the detection block's timestamp (two clocks: indicative). */
    keeperLagMs?: number | null;
    clocks?: Record<string, string>;
    attackerTxsAfterContainment?: { total: number; reverted: number; succeeded: number };
    pauses: { block: number; contract: string; scope: string; by: string; txHash: string }[];
    rulesFired: string[];
    /** Configured keeper rules that did not fire during the attack (with --keeper-config). */
    rulesSilent?: string[];
  };
  /** Keeper incidents of this attack, merged into one story. */
  incidents?: { id: string; ruleId: string; severity: string; status: string; firstBlock: number; containedBlock?: number; summary: string; detectedAt: number; namesAttackerTxs: string[] }[];
  /** Transactions other accounts sent to suspect contracts: theirs, not the attacker's. */
  othersToSuspects?: { hash: string; blockNumber: number; from: string; to: string; call?: DecodedCall }[];
  /** Contracts identified by address (bound ABI / matched runtime code). */
  contractsByAddress?: Record<string, { contract: string; by: string }>;
  /** Candidate keeper rules checked against the benign transactions of the range. */
  ruleChecks?: RuleCheck[];
  notes: string[];
  /** The loss definition, in words (also in the README). */
  lossDefinition: string;
}
