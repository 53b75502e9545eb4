// A complete keeper configuration for the example ProtectedVault (contracts/examples/ProtectedVault.sol)
// on a local `npx hardhat node`.
//
//   BREAKWATER_SENTINEL_KEY=0x...  BREAKWATER_WEBHOOK_SECRET=...  SLACK_WEBHOOK_URL=https://hooks.slack.com/...  \
//     npm run keeper -- --config keeper/examples/example-vault.config.ts
//
// Every address comes from the address book the deploy task writes: start `npx hardhat node`, run
// `npm run deploy:local` (deploys the suite with the example vault and Multicall3, writes
// deployments/localhost.json), then `npm run keeper -- --check --config <this file>` verifies that
// Multicall3 answers and that the breaker and every named contract have code.
// BREAKWATER_ADDRESS_BOOK points at another book (e.g. deployments/sepolia.json).
//
import { defineKeeperConfig } from "../config/schema.js";

export default defineKeeperConfig({
  name: "example-vault-keeper",

  chain: {
    // The keeper refuses an RPC that reports another chain id.
    chainId: 31337,
    // HTTP endpoints in order of preference; the keeper rotates to the next on errors and HTTP 429.
    rpcUrls: ["http://127.0.0.1:8545"],
    // New heads by websocket subscription; HTTP polling takes over whenever it is down.
    wsUrls: ["ws://127.0.0.1:8545"],
    pollIntervalMs: 1_000,
    // 0: act on the newest block at once (a reorg is unwound and its alerts retracted anyway).
    confirmations: 0,
    // The deepest reorg the store can unwind (blocks kept below the checkpoint).
    maxReorgDepth: 128,
    // First block when the store is empty (default: the head). Afterwards the keeper always
    // resumes at checkpoint + 1 and never skips a block, however long it was down.
    // startBlock: 0,
    // Multicall3 batches every read of a block into one eth_call. Default: the address book's
    // `multicall3`, else the canonical 0xcA11bde05977b3631167028862bE2a173976CA11.
  },

  contracts: {
    // breaker, guardian, multicall3 and every "$name" of the rules ($vault, $asset, $guardian...)
    // come from here; the book's chainId must be chain.chainId. The breaker is the book's
    // `breaker`: the ProtectedVault, which is Breakable (its own breaker).
    addressBook: process.env.BREAKWATER_ADDRESS_BOOK ?? "deployments/localhost.json",
    // Extra names, or overrides of the book's: named: { treasury: "0x..." }.
  },

  // The incident plan (plan/): rule severities and alert routing per severity come from it.
  plan: "plan/examples/example-vault.plan.ts",

  // Checkpoints, incidents, timeline, tx attempts, alerts (node:sqlite). Never holds a secret.
  store: { path: "keeper-example-vault.sqlite" },

  signers: {
    // The sentinel key (bounded, single-use sentinelPause only), read from the environment.
    // Alternative: { type: "local", keystore: { key: "BREAKWATER_SENTINEL", passwordEnv: "KEYSTORE_PASSWORD" } }.
    sentinel: { type: "local", keyEnv: "BREAKWATER_SENTINEL_KEY" },
  },

  rules: [
    // (a) Matcher: the breaker itself reports a pause (anyone's): tell people, never act.
    {
      id: "vault-paused",
      description: "The vault's breaker was paused (by a guardian or the sentinel).",
      severity: "P3",
      action: "alert",
      detector: {
        kind: "matcher",
        addresses: ["$vault"],
        events: [{ signature: "Paused(bytes32 indexed scope, uint64 until, address indexed by)" }],
      },
    },
    // (a) Matcher: a single withdrawal above 100,000 tokens (18 decimals).
    {
      id: "large-withdrawal",
      description: "One ERC-4626 withdrawal above 100k assets.",
      severity: "P2",
      action: "alert",
      cooldown: { blocks: 10 },
      detector: {
        kind: "matcher",
        addresses: ["$vault"],
        events: [
          {
            signature:
              "Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares)",
            where: { arg: "assets", op: "gt", value: "100000e18" },
          },
        ],
        fingerprintBy: ["address", "arg:owner"],
      },
    },
    // (b) Invariant, evaluated at every block with eth_call pinned to it: the price of one share
    // must not fall more than 1% from one block to the next. High precision: it pauses on its own.
    {
      id: "share-price-drop",
      description: "convertToAssets(1e18) dropped more than 1% in one block: accounting bug or drain.",
      severity: "P1",
      action: "pause",
      act: true,
      // An evaluation error (RPC, revert) counts as a violation for this rule once it failed on 3
      // consecutive blocks: one RPC blip alerts but does not pause. ("fail-closed" alone = 3.)
      onError: { mode: "fail-closed", afterConsecutiveErrors: 3 },
      pause: { scope: "GLOBAL", durationSeconds: 3_600 },
      detector: { kind: "invariant", invariant: { type: "share-price-drop", vault: "$vault", maxDropBps: 100 } },
    },
    // (b) Invariant: the vault holds at least what it says it manages.
    {
      id: "assets-covered",
      severity: "P1",
      action: "pause",
      act: true,
      pause: { scope: "WITHDRAW", durationSeconds: 3_600 },
      detector: {
        kind: "invariant",
        invariant: {
          type: "balance-covers",
          token: "$asset",
          holder: "$vault",
          call: { target: "$vault", signature: "totalAssets()", returns: "uint256" },
        },
      },
    },
    // (c) Statistic: outflows of the asset from the vault as a share of TVL (EWMA + robust z-score).
    // Statistics alert only: they are not precise enough to pause on their own.
    {
      id: "outflow-anomaly",
      severity: "P2",
      action: "alert",
      cooldown: { blocks: 50 },
      detector: {
        kind: "statistic",
        token: "$asset",
        holder: "$vault",
        alpha: 0.1,
        window: 200,
        warmupBlocks: 50,
        zThreshold: 6,
        spikeShare: 0.05,
      },
    },
    // (d) Attack stage: a flash loan in a transaction that touches the vault.
    {
      id: "flash-loan-on-vault",
      severity: "P2",
      action: "alert",
      detector: { kind: "attack-stage", signal: { type: "flash-loan", protected: ["$vault"] } },
    },
    // (d) Attack stage: a contract deployed by a freshly funded account, then touching the vault.
    {
      id: "fresh-deployer-touches-vault",
      severity: "P2",
      action: "alert",
      detector: {
        kind: "attack-stage",
        signal: { type: "fresh-deployer", withinBlocks: 100, maxNonce: 2, protected: ["$vault"] },
      },
    },
  ],

  alerts: {
    channels: [
      // Signed JSON to your incident tooling (HMAC-SHA256 in X-Breakwater-Signature).
      { type: "webhook", name: "ops-webhook", url: "http://127.0.0.1:9000/breakwater", secretEnv: "BREAKWATER_WEBHOOK_SECRET" },
      // Slack incoming webhook: the URL is the secret, so it comes from the environment.
      { type: "slack", minSeverity: "P2", webhookUrlEnv: "SLACK_WEBHOOK_URL" },
    ],
    retry: { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 15_000 },
  },

  // The emergency fee policy: the pause must win the next block.
  responders: {
    sentinel: {
      // Hard cap on maxFeePerGas (gwei); at the cap, one last replacement puts all of it on the tip.
      maxFeePerGas: 500,
      // Urgent first tip (gwei): the first tip is at least this (and at least the 95th percentile
      // of recent tips, and 25% above the attack transactions' tips).
      priorityFeePerGas: 5,
      // Each new head without inclusion: +100% on both fees.
      feeBumpPercent: 100,
      fees: { tipPercentile: 95, historyBlocks: 20, minPriorityFeePerGas: 2, outbidPercent: 25, spendCapOnTip: true },
    },
  },

  // /healthz, /metrics (Prometheus) and the status page at http://127.0.0.1:9464/. /healthz is
  // 503 when no RPC answered for 30 s, nothing progressed for 60 s, a rule failed on each of the
  // last 3 blocks, the keeper is > 5 blocks behind, or a decision to pause is not carried out yet.
  ops: {
    host: "127.0.0.1",
    port: 9464,
    logLevel: "info",
    health: { maxRpcSilenceSeconds: 30, maxProgressAgeSeconds: 60, maxLagBlocks: 5, detectorErrorBlocks: 3 },
  },
});
