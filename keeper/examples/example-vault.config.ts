// A complete keeper configuration for the example ProtectedVault (contracts/examples/ProtectedVault.sol)
// on a local `npx hardhat node`.
//
//   BREAKWATER_SENTINEL_KEY=0x...  BREAKWATER_WEBHOOK_SECRET=...  SLACK_WEBHOOK_URL=https://hooks.slack.com/...  \
//     npm run keeper -- --config keeper/examples/example-vault.config.ts
//
// The addresses below are what a fresh `hardhat node` gives when account #0 deploys, in order,
// the vault's asset (TestToken, nonce 0), the ProtectedVault (nonce 1) and Multicall3 (nonce 2,
// contracts/test/Multicall3.sol). Replace them with your address book (deployments/<network>.json).
//
// Secrets are never written here: the file names the environment variables that hold them
// (`...Env` fields). A missing variable stops the keeper at start, naming the field; values
// never appear in logs, errors or the store.
import { defineKeeperConfig } from "../config/schema.js";

const VAULT = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const ASSET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

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
    // Multicall3 used to batch every read of a block into one eth_call (canonical address on live chains).
    multicall3: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  },

  contracts: {
    // The breaker the sentinel pauses: ProtectedVault is Breakable, so it is its own breaker.
    breaker: VAULT,
    // Names rules can use as "$vault", "$asset".
    named: { vault: VAULT, asset: ASSET },
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
      // An evaluation error (RPC, revert) counts as a violation for this rule.
      onError: "fail-closed",
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

  // /healthz, /metrics (Prometheus) and the status page at http://127.0.0.1:9464/.
  ops: { host: "127.0.0.1", port: 9464, logLevel: "info" },
});
