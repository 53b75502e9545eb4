// The keeper for this project's LendingPool. Addresses come from the address book that
// `npx hardhat --network localhost breakwater deploy` wrote; `$pool`, `$usd`, `$weth` are its names.
//
//   BREAKWATER_SENTINEL_KEY=0x… npx breakwater-keeper --config keeper.config.ts
//
// Rules, and why each acts or only alerts (the README's "Integrate your protocol" explains it):
// - an aggregate solvency invariant has slack (benign users leave headroom), so it would catch
//   this pool's over-borrow only late; a per-transaction threshold on Borrowed catches the
//   first malicious transaction, and is precise for this pool (no honest borrow this large);
// - the statistic rule sees every outflow of the stablecoin as a share of TVL and alerts.
import { existsSync, readFileSync } from "node:fs";
import { defineKeeperConfig } from "breakwater/keeper";

// The pool's tokens and feed are this project's own deployment output (scripts/deploy-protocol.ts).
const PROTOCOL = process.env.POOL_PROTOCOL_FILE ?? "deployments/protocol.localhost.json";
const protocol: Record<string, string> = existsSync(PROTOCOL) ? JSON.parse(readFileSync(PROTOCOL, "utf8")) : {};

export default defineKeeperConfig({
  name: "lending-pool-keeper",
  chain: {
    chainId: 31337,
    rpcUrls: [process.env.POOL_RPC_URL ?? "http://127.0.0.1:8545"],
    pollIntervalMs: 250,
    confirmations: 0,
  },
  contracts: {
    addressBook: process.env.POOL_ADDRESS_BOOK ?? "deployments/localhost.json",
    breaker: "$pool",
    named: { usd: protocol.usd, weth: protocol.weth, feed: protocol.feed },
  },
  // Rule severities and alert routing per severity come from the incident plan.
  plan: "plan.ts",
  store: { path: process.env.POOL_KEEPER_STORE ?? "keeper.sqlite" },
  signers: { sentinel: { type: "local", keyEnv: "BREAKWATER_SENTINEL_KEY" } },
  rules: [
    {
      id: "huge-borrow",
      description: "One borrow above 100,000 pUSD: far above any honest borrow of this pool.",
      severity: "P1",
      action: "pause",
      act: true,
      pause: { scope: "BORROW", durationSeconds: 3_600 },
      detector: {
        kind: "matcher",
        addresses: ["$pool"],
        events: [
          {
            signature: "Borrowed(address indexed account, uint256 amount, uint256 debtAfter, uint256 queueId)",
            where: { arg: "amount", op: "gt", value: "100000e6" },
          },
        ],
      },
    },
    {
      id: "price-jump",
      description: "The collateral price was posted above 10,000 USD (5x the launch price).",
      severity: "P2",
      action: "alert",
      detector: {
        kind: "matcher",
        addresses: ["$feed"],
        events: [{ signature: "PriceUpdated(uint256 price, uint256 previous, address indexed reporter)", where: { arg: "price", op: "gt", value: "10000e8" } }],
      },
    },
    {
      id: "usd-outflow-anomaly",
      severity: "P2",
      action: "alert",
      cooldown: { blocks: 20 },
      detector: { kind: "statistic", token: "$usd", holder: "$pool", warmupBlocks: 20, zThreshold: 6, spikeShare: 0.05 },
    },
    {
      id: "pool-paused",
      severity: "P3",
      action: "alert",
      detector: { kind: "matcher", addresses: ["$pool"], events: [{ signature: "Paused(bytes32 indexed scope, uint64 until, address indexed by)" }] },
    },
  ],
  alerts: {
    channels: [
      { type: "webhook", name: "ops", url: process.env.POOL_WEBHOOK_URL ?? "http://127.0.0.1:9000/breakwater", secretEnv: "POOL_WEBHOOK_SECRET" },
      { type: "webhook", name: "ops-backup", url: process.env.POOL_BACKUP_WEBHOOK_URL ?? "http://127.0.0.1:9001/breakwater", secretEnv: "POOL_WEBHOOK_SECRET" },
    ],
  },
  ops: { host: "127.0.0.1", port: Number(process.env.POOL_KEEPER_PORT ?? 9464), logLevel: "info" },
});
