// What a drill scenario is. A scenario module (tasks/drills/scenarios/<id>.ts) exports one
// `Scenario`; the runner (tasks/drills/runner.ts) gives it a chain (the embedded default chain,
// or a fork of a live one), actors, and a step context; runs the REAL keeper in process against
// the same chain with the scenario's rules; then scores the response from the keeper's store and
// what the scenario recorded, and checks the scenario's declared expectations.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { Signer, Wallet } from "ethers";
import type { RuleInput } from "../../keeper/detectors/schema.js";
import type { KeeperConfig } from "../../keeper/config/schema.js";
import type { RespondersConfigInput } from "../../keeper/responders/schema.js";

/** deployments/<network>.json: written by the deploy task, read by every task, the keeper and drills. */
export interface AddressBook {
  network: string;
  chainId: number;
  /** ISO time of the deployment. */
  deployedAt: string;
  /** Block of the deployment. */
  blockNumber: number;
  /** Contract name → address, e.g. guardian, rescueVault, migrator, merkleClaims, multicall3, vault, asset. */
  contracts: Record<string, string>;
  /** Who holds what, as deployed (addresses). */
  roles?: {
    guardians?: string[];
    sentinel?: string;
    admin?: string;
    /** The deploying key (operator tasks). */
    deployer?: string;
    /** True when the deployer renounced its breaker roles at the end of `deploy`. */
    deployerRenounced?: boolean;
  };
  /** The protocol's own contracts wired by `deploy` (also under contracts.<name>); `breaker` is the
   * breaker that guards each (itself for a Breakable contract, the standalone CircuitBreaker otherwise). */
  protocol?: { name: string; address: string; kind: "breakable" | "standalone"; breaker: string }[];
  /** Contract key → role name (DEFAULT_ADMIN_ROLE, EMERGENCY_ROLE, RECOVERY_ROLE, or "owner") → holders. */
  roleHolders?: Record<string, Record<string, string[]>>;
  /** The Ignition deployment that produced the book: its id and journal directory. */
  ignition?: { deploymentId: string; journal?: string };
}

export interface DrillActors {
  /** The admin: on a fork with an address book, its roles.admin (impersonated); else a local key. */
  deployer: Signer;
  /** A local key with funds, always: deploys a scenario's own contracts (also into a fork). */
  localDeployer: Signer;
  /** Guardian EOAs of the multisig (when the scenario uses one). */
  guardians: Signer[];
  /** The keeper's sentinel key (a Wallet: the keeper signs with its private key). */
  sentinel: Wallet;
  /** The keeper's contain key (signers.contain): a key of its own, so one drill may both pause a
   * breaker and contain through a PauseGate (each lane its own nonces). Make it the gate's
   * sentinel (or the holder of the protocol's pause role, direct) in setup; "$containKey" in params. */
  containKey: Wallet;
  /** The attacker and the copycats / accomplices. */
  attackers: Signer[];
  /** Honest users for background traffic. */
  users: Signer[];
}

export interface DrillChain {
  /** ethers connected to the drill chain (in-process simulated chain, or a fork). */
  ethers: HardhatEthers;
  /** HTTP JSON-RPC URL of the same chain, for the keeper. */
  rpcUrl: string;
  chainId: number;
  /** Set when the chain forks a live (or stand-in) chain. */
  fork?: { url: string; blockNumber?: number };
  /** The forked chain's address book, when one exists: attach to it instead of deploying. */
  addressBook?: AddressBook;
  /** Sign as any address (hardhat_impersonateAccount + funding) — for forks. */
  impersonate(address: string): Promise<Signer>;
  /** The keeper config the team runs in production (`--keeper-config`), validated; the drill keeps
   * its rules, contracts and alert routing and overrides only the RPC URL, store, signer keys and
   * ops port. Undefined when none was given. */
  keeperConfig?: KeeperConfig;
  /** The block the fork starts from (the fork's head before the drill), when forking. */
  forkBlock?: number;
  /** Names scenarios and templates resolve "$name" against, besides the address book: filled by
   * a scenario's setup (e.g. a protocol it deployed) through `register()` in tasks/drills/api.ts. */
  names: Record<string, string>;
  /** Guardian response mode (`--guardians-respond`): the keeper only alerts, guardians pause. */
  guardiansRespond?: boolean;
}

/** What a scenario tells the runner while it plays. */
export interface Recorder {
  /** A transaction of the attack (recorded even if it reverted: reverts after containment are the point). */
  malicious(txHash: string, note?: string): void;
  /** A benign transaction (background traffic, the whale). */
  benign(txHash: string, note?: string): void;
  /** A line for the report's timeline. */
  note(message: string): void;
}

export interface StepContext {
  chain: DrillChain;
  actors: DrillActors;
  record: Recorder;
  /** Wait until the next block is mined (interval mining) and the keeper has processed it. */
  nextBlock(): Promise<number>;
  /** The current block number. */
  blockNumber(): Promise<number>;
  /**
   * Send a transaction without waiting for it to be mined (so several land in one block) and
   * record it; resolves to its hash. A transaction that fails to send (e.g. reverts in
   * estimation because the protocol is already paused) is recorded as a failed attempt.
   */
  send(kind: "malicious" | "benign", tx: () => Promise<{ hash: string }>, note?: string): Promise<string | null>;
}

export interface KeeperSetup {
  /** The keeper's rules (the same shape as in a keeper config file). */
  rules: RuleInput[];
  /** The breaker the sentinel pauses (a Breakable contract or a CircuitBreaker). Optional when the
   * rules only `contain` (an already deployed protocol paused through a PauseGate or its own pause). */
  breaker?: string;
  /**
   * The keeper's `contain` targets (keeper config `responders.contain`): a PauseGate's
   * sentinelPause(target, duration) or a protocol's own pause, each with the view that says
   * "contained". The drill signs them with its contain key (`signers.contain` = actors.containKey),
   * so the scenario's setup must make actors.containKey the gate's sentinel (or the holder of the
   * pause role). `allowedSelectors` defaults to the targets' functions. Merged over the team's targets
   * with --keeper-config. Containment is scored from these calls: see score.ts.
   */
  contain?: {
    targets: NonNullable<NonNullable<RespondersConfigInput["contain"]>["targets"]>;
    allowedSelectors?: string[];
  };
  /** Names rules refer to as "$name". */
  named?: Record<string, string>;
  /** Guardian multisig that can pause `breaker` (guardian response mode); default: the "guardian" name / book entry. */
  guardian?: string;
  /** Rules whose incidents count as detecting the attack (default: every rule). E.g. leave out
   * a rule that only reports the breaker's own Paused event. */
  detectionRules?: string[];
}

export interface Expectations {
  /** Multi-tx attacks: the pause is included within this many blocks after the first malicious tx. */
  containWithinBlocks?: number;
  /** Minimum share of the funds at risk that was saved (0–100). */
  minSavedPct?: number;
  /** Maximum loss as a share of the funds at risk (0–100): e.g. the limiter's window share. */
  maxLossPct?: number;
  /** Maximum false alarms (default 0): actions or act-rule incidents not caused by the attack. */
  maxFalseAlarms?: number;
  /** The attack must be detected (default true when the scenario has an attack). */
  mustDetect?: boolean;
  /** Scenario-specific checks: return one line per unmet expectation. */
  custom?: (score: DrillScore) => string[] | Promise<string[]>;
}

/** Guardian response mode: scripted guardians act through the real guardian tasks after a delay. */
export interface GuardianResponse {
  /** How long each scripted guardian takes to sign after the alert reached it (ms). Default [1500, 2500]. */
  signDelaysMs?: number[];
  /** The pause scope and duration the guardians propose (default GLOBAL, 1 hour). */
  scope?: "GLOBAL" | "DEPOSIT" | "WITHDRAW";
  durationSeconds?: number;
}

export interface Scenario<S = unknown> {
  /** Kebab-case id, named after the incident class, e.g. "multi-tx-drain-copycats". */
  id: string;
  title: string;
  /** The incident class, e.g. "broken message verification, copycat drain". */
  incidentClass: string;
  /** The real incident the scenario is modelled on. */
  reference: { incident: string; date: string; loss: string; url: string };
  /** What happens, for the report. */
  summary: string;
  /** Block interval for interval mining (default 1,000 ms). */
  blockIntervalMs?: number;
  /** Blocks of benign background traffic before the attack (default 5) and after it (default 5). */
  warmupBlocks?: number;
  cooldownBlocks?: number;
  expectations: Expectations;
  /** Run in guardian response mode (same as `--guardians-respond`). */
  guardiansRespond?: boolean | GuardianResponse;
  /** Deploy (default chain) or attach through chain.addressBook (fork); configure the breaker's
   * limits and the sentinel (actors.sentinel) — the runner does not. */
  setup(chain: DrillChain, actors: DrillActors): Promise<S>;
  keeper(state: S): KeeperSetup;
  /** The value of the protected funds now, in `unit` (e.g. the vault's asset): sampled every block. */
  protectedFunds(state: S): Promise<bigint>;
  /** Units of protectedFunds, for the report (e.g. { symbol: "USDS", decimals: 18 }). */
  unit(state: S): { symbol: string; decimals: number };
  /** Benign traffic, called once per block (optional). */
  background?(state: S, ctx: StepContext): Promise<void>;
  /** The attack: sends transactions (ctx.send("malicious", …)) and advances blocks (ctx.nextBlock()). */
  attack?(state: S, ctx: StepContext): Promise<void>;
  /** Funds at risk and lost, measured at the end (e.g. attacker's gain); default from protectedFunds. */
  measure?(state: S, at: { before: bigint; after: bigint }): Promise<{ fundsAtRisk: bigint; fundsLost: bigint }>;
  /** Extra facts for the report (e.g. positions saved from unfair liquidation). */
  facts?(state: S): Promise<Record<string, string | number>>;
}

export interface DrillTxRecord {
  hash: string;
  kind: "malicious" | "benign" | "keeper";
  note?: string;
  blockNumber: number | null;
  success: boolean | null;
  /** The chain head when the transaction was sent (or failed to send). */
  attemptedBlock?: number;
  /** Why it failed to send / reverted, when known. */
  error?: string;
}

/** The score of one scenario run; `<scenario>.json` holds at least the first block of fields. */
export interface DrillScore {
  scenario: string;
  expectationsMet: boolean;
  firstMaliciousBlock: number | null;
  detectedBlock: number | null;
  containedBlock: number | null;
  fundsAtRisk: string;
  fundsLost: string;
  savedPct: number | null;
  falseAlarms: number;
  // ---- more detail
  title: string;
  reference: Scenario["reference"];
  unmet: string[];
  /** ms from the first malicious block's timestamp to detection / to containment (block timestamp). */
  timeToDetectMs: number | null;
  timeToContainMs: number | null;
  blocksToContain: number | null;
  unit: { symbol: string; decimals: number };
  /** Protected funds per block, for the chart. */
  series: { block: number; funds: string }[];
  transactions: DrillTxRecord[];
  /** The keeper's tx attempts and timeline, from its store. */
  keeperAttempts: { hash?: string; status: string; includedBlock?: number; maxFeePerGas?: string; kind?: string; nonce?: number; note?: string; gasUsed?: string; feePaidWei?: string }[];
  /** What the keeper's included pause / contain transactions cost (gas × effective price, from their receipts), in wei. */
  keeperFeesWei?: string;
  timeline: { at: number; block: number | null; kind: string; message: string }[];
  facts: Record<string, string | number>;
  fork: { url: string; blockNumber?: number } | null;
  // ---- optional extras (runner)
  /** Alert-only incidents (rules not marked act), for the report; they are not false alarms. */
  alerts?: { ruleId: string; block: number; summary: string; severity: string }[];
  /** The keeper's incidents. */
  incidents?: { id: string; ruleId: string; severity: string; firstBlock: number; status: string; summary: string; act: boolean }[];
  /** Wall-clock ms of the run, block interval, and the chain. */
  durationMs?: number;
  blockIntervalMs?: number;
  chainId?: number;
  /** First and last block of the drill (keeper start .. end). */
  startBlock?: number;
  endBlock?: number;
  /** Address book the scenario attached to (fork), when any. */
  addressBook?: string | null;
  /** Addresses the runner impersonated (fork: admin / guardians from the address book). */
  impersonated?: string[];
  /** Set when the drill refused to run (a missing precondition, not a failure): the reason. */
  skipped?: string;
  /** Guardian response mode: wall-clock timings (ms since the epoch) and their targets. */
  guardianResponse?: GuardianResponseTimes;
}

export interface GuardianResponseTimes {
  detectedAt: number | null;
  alertDeliveredAt: number | null;
  firstSignatureAt: number | null;
  thresholdMetAt: number | null;
  pauseIncludedAt: number | null;
  pauseBlock: number | null;
  /** ms from detection to the first signature, and from the first malicious block to the pause. */
  timeToAcknowledgeMs: number | null;
  timeToContainMs: number | null;
  /** The plan's targets (--plan), when given. */
  targets?: { timeToAcknowledgeMs?: number; timeToContainMs?: number };
  guardians: { address: string; signedAt: number | null }[];
}

/** A drill that cannot run here for a reason the user can fix (not a failure of the protocol or
 * the keeper): the runner reports it as a SKIPPED row with this message. */
export class DrillSkip extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrillSkip";
  }
}

/** Bad input to `drill run` (an unknown scenario, an unreadable file, an unreachable fork URL):
 * printed as one sentence, no stack trace. */
export class DrillInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrillInputError";
  }
}
