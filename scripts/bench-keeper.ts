// npm run bench:keeper (tsx scripts/bench-keeper.ts) — the keeper against a local `hardhat node`
// it spawns: per-block processing time with 10 and 100 invariants, JSON-RPC requests per block
// (counted at the transport: an HTTP proxy between the keeper and the node), catch-up throughput
// over 2,000 blocks, and detection lag under interval mining (from the moment the node announced
// the block on a newHeads websocket to the keeper's decision); then load (blocks of ~300
// deposits / ~1,000 logs at 1 s and 250 ms), a contested pause (an attacker bidding a 50 gwei tip)
// and 503-injected faults at detection (through a fault-injecting RPC proxy). Writes
// reports/keeper.json and prints a Markdown table. Numbers depend on the machine; nothing here
// asserts a speed.
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus } from "node:os";
import { Contract, Wallet, id } from "ethers";
import { deployArtifact, startHardhatNode, type HardhatNode } from "../test/keeper/helpers/node.js";
import { watchHeads } from "../test/keeper/helpers/heads.js";
import { Keeper, type BlockProcessedEvent } from "../keeper/runtime.js";
import type { KeeperConfigInput } from "../keeper/config/schema.js";
import type { RuleInput } from "../keeper/detectors/schema.js";
import { KeeperStore } from "../keeper/store/store.js";
import { deployMulticall3 } from "../keeper/source/multicall3.js";
import { createLogger } from "../keeper/ops/log.js";
import { startRpcFaultProxy } from "../test/keeper/helpers/rpc-faults.js";
import { benchBacktest } from "./bench/backtest.js";

const E18 = 10n ** 18n;
const PER_BLOCK_BLOCKS = Number(process.env.BENCH_PER_BLOCK_BLOCKS ?? 200);
const CATCHUP_BLOCKS = Number(process.env.BENCH_CATCHUP_BLOCKS ?? 2_000);
const LAG_BLOCKS = Number(process.env.BENCH_LAG_BLOCKS ?? 60);
const LAG_INTERVAL_MS = Number(process.env.BENCH_LAG_INTERVAL_MS ?? 250);
const LOAD_TX = Number(process.env.BENCH_LOAD_TX ?? 300);
const LOAD_BLOCKS = Number(process.env.BENCH_LOAD_BLOCKS ?? 20);
const GWEI = 10n ** 9n;
const WITHDRAW_SIG = "Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares)";
const SENTINEL_KEY = id("bench-keeper:sentinel");

// ---------------------------------------------------------------- transport counter

interface Counter {
  url: string;
  http: number;
  calls: number;
  byMethod: Map<string, number>;
  reset(): void;
  close(): Promise<void>;
}

/** An HTTP proxy to the node counting HTTP requests and JSON-RPC calls (batch items). */
async function countingProxy(target: string): Promise<Counter> {
  const t = new URL(target);
  const c: Counter = {
    url: "",
    http: 0,
    calls: 0,
    byMethod: new Map(),
    reset() {
      c.http = 0;
      c.calls = 0;
      c.byMethod.clear();
    },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      c.http++;
      try {
        const j = JSON.parse(body.toString("utf8")) as { method: string } | { method: string }[];
        for (const item of Array.isArray(j) ? j : [j]) {
          c.calls++;
          c.byMethod.set(item.method, (c.byMethod.get(item.method) ?? 0) + 1);
        }
      } catch {
        /* not JSON: forwarded as is */
      }
      const up = httpRequest(
        { host: t.hostname, port: t.port, path: "/", method: "POST", headers: { "content-type": "application/json", "content-length": body.length } },
        (r) => {
          res.writeHead(r.statusCode ?? 502, { "content-type": "application/json" });
          r.pipe(res);
        },
      );
      up.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  c.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return c;
}

// ---------------------------------------------------------------- helpers

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** `n` invariant rules over the vault, mixing kinds (alert only: benchmarks must not pause). */
function invariantRules(n: number): RuleInput[] {
  const rules: RuleInput[] = [];
  for (let i = 0; i < n; i++) {
    const base = { id: `inv-${i}`, severity: "P2" as const, action: "alert" as const };
    switch (i % 5) {
      case 0:
        rules.push({ ...base, detector: { kind: "invariant", invariant: { type: "share-price-drop", vault: "$vault", maxDropBps: 100 + i } } });
        break;
      case 1:
        rules.push({ ...base, detector: { kind: "invariant", invariant: { type: "balance-covers", token: "$asset", holder: "$vault", call: { target: "$vault", signature: "totalAssets()" }, toleranceBps: i % 50 } } });
        break;
      case 2:
        rules.push({ ...base, detector: { kind: "invariant", invariant: { type: "view-compare", target: "$vault", signature: "totalSupply()", op: "gte", value: "0" } } });
        break;
      case 3:
        rules.push({ ...base, detector: { kind: "invariant", invariant: { type: "view-compare", target: "$vault", signature: "convertToAssets(uint256)", args: [String(BigInt(i + 1) * E18)], op: "gte", value: "0" } } });
        break;
      case 4:
        rules.push({
          ...base,
          detector: { kind: "invariant", invariant: { type: "view-compare", target: "$asset", signature: "balanceOf(address)", args: ["$vault"], op: "gte", value: "0" } },
        });
        break;
    }
  }
  return rules;
}

interface Env {
  node: HardhatNode;
  counter: Counter;
  multicall3: string;
  vault: Contract;
  vaultAddr: string;
  tokenAddr: string;
  users: Wallet[];
  nonces: Map<string, number>;
}

function config(env: Env, rules: RuleInput[], startBlock: number, over: Partial<KeeperConfigInput["chain"]> = {}): KeeperConfigInput {
  return {
    name: "bench-keeper",
    chain: { chainId: 31337, rpcUrls: [env.counter.url], pollIntervalMs: 100, multicall3: env.multicall3, startBlock, ...over },
    contracts: { breaker: env.vaultAddr, named: { vault: env.vaultAddr, asset: env.tokenAddr } },
    store: { path: ":memory:" },
    signers: {},
    rules,
    alerts: { channels: [] },
    ops: { logLevel: "silent" },
  };
}

const newKeeper = (cfg: KeeperConfigInput) =>
  new Keeper({ config: cfg, store: new KeeperStore(":memory:"), http: false, logger: createLogger({ level: process.env.KEEPER_BENCH_LOG ?? "silent" }) });

/** One deposit by a rotating user (automine: one block each). */
async function depositTx(env: Env, k: number, wait = true) {
  const u = env.users[k % env.users.length]!;
  const n = env.nonces.get(u.address)!;
  env.nonces.set(u.address, n + 1);
  const tx = await (env.vault.connect(u) as Contract).getFunction("deposit").send(10n * E18 + BigInt(k), u.address, {
    nonce: n, gasLimit: 300_000n, maxPriorityFeePerGas: 10n ** 9n, maxFeePerGas: 100n * 10n ** 9n,
  });
  if (wait) await env.node.provider.waitForTransaction(tx.hash, 1, 30_000);
  return tx;
}

// ---------------------------------------------------------------- the benchmarks

/** Per-block processing (catch-up over blocks that each carry a deposit) and RPC per block. */
async function perBlock(env: Env, invariants: number, from: number, to: number) {
  const keeper = newKeeper(config(env, invariantRules(invariants), from));
  const ms: number[] = [];
  keeper.onBlockProcessed((e: BlockProcessedEvent) => ms.push(e.timings.doneAt - e.timings.startedAt));
  await keeper.prepare();
  // Warm-up (JIT, connections) on the first 10 blocks, then count from a clean slate.
  for (let i = 0; i < 10; i++) await keeper.step();
  ms.length = 0;
  env.counter.reset();
  const before = keeper.store.checkpoint()!.number;
  for (;;) {
    if ((keeper.store.checkpoint()?.number ?? 0) >= to) break;
    await keeper.step();
  }
  const blocks = keeper.store.checkpoint()!.number - before;
  const result = {
    p50: round(pct(ms, 50)),
    p99: round(pct(ms, 99)),
    mean: round(ms.reduce((a, b) => a + b, 0) / ms.length),
    blocks,
    httpPerBlock: round(env.counter.http / blocks),
    callsPerBlock: round(env.counter.calls / blocks),
    byMethod: Object.fromEntries([...env.counter.byMethod].map(([m, c]) => [m, round(c / blocks)])),
  };
  await keeper.stop();
  return result;
}

async function catchup(env: Env, from: number) {
  const keeper = newKeeper(config(env, invariantRules(10), from));
  await keeper.prepare();
  env.counter.reset();
  const head = await env.node.blockNumber();
  const t0 = performance.now();
  let last = t0;
  const split = { fetch: 0, detect: 0, decide: 0, respond: 0, checkpoint: 0 };
  keeper.onBlockProcessed((e) => {
    const t = e.timings;
    split.fetch += t.fetchedAt - t.startedAt;
    split.detect += t.detectedAt - t.fetchedAt;
    split.decide += t.decidedAt - t.detectedAt;
    split.respond += t.respondedAt - t.decidedAt;
    split.checkpoint += t.doneAt - t.respondedAt;
    const now = performance.now();
    if (now - last > 5_000) {
      last = now;
      log(`  catch-up at block ${e.block.number} (${e.block.number - from + 1}/${head - from + 1}, ${Math.round((now - t0) / 1000)} s)`);
    }
  });
  await keeper.syncToHead();
  const secs = (performance.now() - t0) / 1000;
  const blocks = keeper.store.checkpoint()!.number - from + 1;
  const out = {
    blocks,
    head,
    seconds: round(secs, 3),
    blocksPerSec: round(blocks / secs, 1),
    httpPerBlock: round(env.counter.http / blocks, 3),
    callsPerBlock: round(env.counter.calls / blocks, 3),
    byMethod: Object.fromEntries([...env.counter.byMethod].map(([m, c]) => [m, c])),
    /** Mean ms per block in each stage (wall clock, Date.now resolution). */
    meanMsPerStage: Object.fromEntries(Object.entries(split).map(([k, v]) => [k, round(v / blocks, 3)])),
  };
  await keeper.stop();
  return out;
}

async function detectionLag(env: Env) {
  const start = (await env.node.blockNumber()) + 1;
  // A matcher on every Deposit (one decision per block with a deposit) next to 10 invariants.
  const rules: RuleInput[] = [
    ...invariantRules(10),
    {
      id: "every-deposit",
      severity: "P3",
      action: "alert",
      detector: { kind: "matcher", addresses: ["$vault"], events: [{ signature: "Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares)" }], fingerprintBy: ["tx"] },
    },
  ];
  const keeper = newKeeper(config(env, rules, start, { wsUrls: [env.node.wsUrl], pollIntervalMs: 50 }));
  const decided = new Map<number, number>();
  keeper.onBlockProcessed((e) => {
    if (e.decisions.some((d) => !d.suppressed)) decided.set(e.block.number, e.timings.decidedAt);
  });
  const heads = await watchHeads(env.node.wsUrl);
  await keeper.start();
  await env.node.rpc("evm_setAutomine", [false]);
  await env.node.rpc("evm_setIntervalMining", [LAG_INTERVAL_MS]);
  const lags: number[] = [];
  const fromTimestamp: number[] = [];
  try {
    for (let k = 0; k < LAG_BLOCKS; k++) {
      const tx = await depositTx(env, k, false);
      const r = await env.node.provider.waitForTransaction(tx.hash, 1, 30_000);
      await keeper.waitForBlock(r!.blockNumber, 30_000);
    }
    for (const [n, at] of decided) {
      const seen = heads.seenAt.get(n);
      if (seen !== undefined) lags.push(at - seen);
      const b = await env.node.provider.getBlock(n);
      fromTimestamp.push(at - b!.timestamp * 1000);
    }
  } finally {
    await env.node.rpc("evm_setIntervalMining", [0]);
    await env.node.rpc("evm_setAutomine", [true]);
    heads.close();
    await keeper.stop();
  }
  return {
    p50: round(pct(lags, 50)),
    p99: round(pct(lags, 99)),
    max: round(Math.max(...lags)),
    samples: lags.length,
    intervalMs: LAG_INTERVAL_MS,
    from: "newHeads announcement (≈ the block was mined) → policy decision",
    fromBlockTimestampP50: round(pct(fromTimestamp, 50)),
  };
}


/** Hardhat's unlocked accounts (the node signs: the bench process does not spend CPU on signatures). */
async function unlocked(env: Env): Promise<string[]> {
  return (await env.node.rpc<string[]>("eth_accounts")).slice(6, 20);
}

/**
 * Load: interval mining at `intervalMs`, each interval one JSON-RPC batch of LOAD_TX deposits
 * (eth_sendTransaction from unlocked accounts: ~3 logs each). Per block: node announcement
 * (newHeads) → decided and → checkpointed, the lag behind the announced head, HTTP requests per
 * block at the keeper's transport, and the keeper's CPU and RSS (this process).
 */
async function load(env: Env, intervalMs: number) {
  const senders = await unlocked(env);
  const vaultIface = env.vault.interface;
  for (const a of senders) {
    await env.node.rpc("hardhat_setBalance", [a, "0x3635c9adc5dea000000"]);
  }
  // Fund and approve from the unlocked accounts (automine, once).
  const token = new Contract(env.tokenAddr, ["function mint(address,uint256)", "function approve(address,uint256)"], env.node.wallet(0));
  for (const a of senders) {
    await (await token.getFunction("mint")(a, 10n ** 12n * E18)).wait();
    await env.node.rpc("eth_sendTransaction", [{ from: a, to: env.tokenAddr, data: token.interface.encodeFunctionData("approve", [env.vaultAddr, 2n ** 256n - 1n]) }]);
  }
  await env.node.rpc("evm_setBlockGasLimit", ["0x" + (200_000_000).toString(16)]);
  const start = (await env.node.blockNumber()) + 1;
  const rules: RuleInput[] = [
    ...invariantRules(10),
    { id: "big-deposit", severity: "P3", action: "alert", detector: { kind: "matcher", addresses: ["$vault"], events: [{ signature: "Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares)", where: { arg: "assets", op: "gt", value: "1000000000e18" } }] } },
  ];
  const keeper = newKeeper(config(env, rules, start, { wsUrls: [env.node.wsUrl], pollIntervalMs: 50 }));
  const heads = await watchHeads(env.node.wsUrl);
  const rows: { n: number; tx: number; logs: number; decided: number; done: number }[] = [];
  keeper.onBlockProcessed((e) => rows.push({ n: e.block.number, tx: e.block.transactions.length, logs: e.block.logs.length, decided: e.timings.decidedAt, done: e.timings.doneAt }));
  await keeper.start();
  let maxLag = 0;
  const lagTimer = setInterval(() => {
    const cp = keeper.store.checkpoint()?.number ?? start - 1;
    const head = heads.seenAt.size ? Math.max(...heads.seenAt.keys()) : undefined;
    if (head !== undefined) maxLag = Math.max(maxLag, head - cp);
  }, 20);
  env.counter.reset();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rss = 0;
  await env.node.rpc("evm_setAutomine", [false]);
  await env.node.rpc("evm_setIntervalMining", [intervalMs]);
  try {
    let sentBlocks = 0;
    let lastBlock = await env.node.blockNumber();
    while (sentBlocks < LOAD_BLOCKS) {
      const batch = Array.from({ length: LOAD_TX }, (_, i) => {
        const from = senders[i % senders.length]!;
        return { jsonrpc: "2.0", id: i, method: "eth_sendTransaction", params: [{ from, to: env.vaultAddr, data: vaultIface.encodeFunctionData("deposit", [E18 + BigInt(i), from]), gas: "0x493e0", maxPriorityFeePerGas: "0x3b9aca00", maxFeePerGas: "0x174876e800" }] };
      });
      await (await fetch(env.node.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(batch) })).json();
      sentBlocks++;
      // Wait for the next block before sending the next batch (one batch per block).
      for (;;) {
        const b = await env.node.blockNumber();
        if (b > lastBlock) {
          lastBlock = b;
          break;
        }
        await new Promise((r) => setTimeout(r, Math.max(10, intervalMs / 10)));
      }
      rss = Math.max(rss, process.memoryUsage().rss);
    }
    await env.node.rpc("evm_setIntervalMining", [0]);
    await env.node.rpc("evm_mine");
    await env.node.rpc("evm_setAutomine", [true]);
    await keeper.waitForBlock(await env.node.blockNumber(), 120_000);
  } finally {
    clearInterval(lagTimer);
    await env.node.rpc("evm_setIntervalMining", [0]);
    await env.node.rpc("evm_setAutomine", [true]);
    heads.close();
    await keeper.stop();
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const loaded = rows.filter((r) => r.tx > 0);
  const toDecided = loaded.map((r) => r.decided - (heads.seenAt.get(r.n) ?? r.decided)).filter((x) => x >= 0);
  const toDone = loaded.map((r) => r.done - (heads.seenAt.get(r.n) ?? r.done)).filter((x) => x >= 0);
  return {
    txPerBlock: round(loaded.reduce((a, r) => a + r.tx, 0) / Math.max(1, loaded.length), 1),
    logsPerBlock: round(loaded.reduce((a, r) => a + r.logs, 0) / Math.max(1, loaded.length), 1),
    p50AnnouncedToDecidedMs: round(pct(toDecided, 50)),
    p99AnnouncedToDecidedMs: round(pct(toDecided, 99)),
    p50AnnouncedToCheckpointedMs: round(pct(toDone, 50)),
    p99AnnouncedToCheckpointedMs: round(pct(toDone, 99)),
    maxLagBlocks: maxLag,
    rpcPerBlock: round(env.counter.http / Math.max(1, rows.length), 2),
    cpuPct: round(((cpu.user + cpu.system) / 1000 / wall) * 100, 1),
    rssMb: round(rss / 2 ** 20, 1),
    blocks: loaded.length,
    intervalMs,
    note: "cpuPct and rssMb are the bench process, which runs the keeper (and only sends one JSON-RPC batch per block itself)",
  };
}

/** A keeper with a sentinel armed on the vault and one pause rule (a withdrawal above 100 tokens). */
function pauseConfig(env: Env, rpcUrl: string, start: number): KeeperConfigInput {
  return {
    ...config(env, [
      { id: "big-withdrawal", severity: "P1", action: "pause", act: true, pause: { scope: "GLOBAL", durationSeconds: 1_800 }, detector: { kind: "matcher", addresses: ["$vault"], events: [{ signature: WITHDRAW_SIG, where: { arg: "assets", op: "gt", value: "100e18" } }] } },
    ], start, { rpcUrls: [rpcUrl], pollIntervalMs: 50, rpcTimeoutMs: 2_000 }),
    signers: { sentinel: { type: "local", keyEnv: "BENCH_SENTINEL_KEY" } },
    responders: { sentinel: { maxFeePerGas: 500 } },
  };
}

const pauseKeeper = (cfg: KeeperConfigInput) =>
  new Keeper({ config: cfg, store: new KeeperStore(":memory:"), http: false, env: { BENCH_SENTINEL_KEY: SENTINEL_KEY }, retryDelayMs: 50, maxRetryDelayMs: 200, logger: createLogger({ level: process.env.KEEPER_BENCH_LOG ?? "silent" }) });

async function armedSnapshot(env: Env): Promise<string> {
  const sentinel = new Wallet(SENTINEL_KEY);
  await (await env.vault.getFunction("setSentinel")(sentinel.address, 3_600, 86_400)).wait();
  await env.node.rpc("hardhat_setBalance", [sentinel.address, "0x3635c9adc5dea00000"]);
  return env.node.rpc<string>("evm_snapshot");
}

/** The attacker (user 0) withdraws 200 tokens with a 50 gwei tip, twice: does the pause go in between? */
async function contested(env: Env, snap: string) {
  const attacker = env.users[0]!;
  const tip = 50n * GWEI;
  const start = (await env.node.blockNumber()) + 1;
  const keeper = pauseKeeper(pauseConfig(env, env.counter.url, start));
  await keeper.start();
  await keeper.waitForIdle();
  await env.node.rpc("evm_setAutomine", [false]);
  try {
    const n0 = await env.node.provider.getTransactionCount(attacker.address, "pending");
    const send = (nonce: number) => (env.vault.connect(attacker) as Contract).getFunction("withdraw").send(200n * E18, attacker.address, attacker.address, { nonce, gasLimit: 300_000n, maxPriorityFeePerGas: tip, maxFeePerGas: 4n * tip });
    await send(n0);
    await env.node.rpc("evm_mine");
    const detected = await env.node.blockNumber();
    for (let i = 0; i < 200 && !keeper.store.txAttempts().some((a) => a.kind === "pause" && a.status === "sent"); i++) await new Promise((r) => setTimeout(r, 25));
    const second = await send(n0 + 1);
    let included: number | undefined;
    for (let b = 0; b < 10 && included === undefined; b++) {
      await env.node.rpc("evm_mine");
      await keeper.waitForBlock(await env.node.blockNumber(), 30_000);
      for (let i = 0; i < 40 && keeper.pauseFees().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      included = keeper.pauseFees()[0]?.includedBlock;
    }
    const r2 = await env.node.provider.getTransactionReceipt(second.hash);
    const fee = keeper.pauseFees()[0];
    return {
      competitorTipGwei: Number(tip / GWEI),
      blocksToInclusion: included === undefined ? null : included - detected,
      feePaidWei: fee?.feePaidWei.toString() ?? null,
      pauseTipGwei: fee?.maxPriorityFeePerGas === undefined ? null : round(Number(fee.maxPriorityFeePerGas) / 1e9, 3),
      attackersNextTxReverted: r2?.status === 0,
      transactions: fee?.transactions ?? 0,
    };
  } finally {
    await keeper.stop();
    await env.node.rpc("evm_setAutomine", [true]);
    await env.node.rpc("evm_revert", [snap]);
  }
}

/** A 503 on one pre-broadcast step at detection (twice), interval mining at 1 s: blocks and ms to inclusion. */
async function faults(env: Env, armed: () => Promise<string>) {
  const runs: { method: string; blocksToInclusion: number | null; msToInclusion: number | null }[] = [];
  for (const method of ["eth_getTransactionCount", "eth_call", "eth_estimateGas", "eth_sendRawTransaction", "eth_feeHistory"]) {
    const snap = await armed();
    const proxy = await startRpcFaultProxy(env.node.url);
    const start = (await env.node.blockNumber()) + 1;
    const keeper = pauseKeeper(pauseConfig(env, proxy.url, start));
    await keeper.start();
    await keeper.waitForIdle();
    try {
      proxy.fail(method, { status: 503, times: 2 });
      const attacker = env.users[1]!;
      const tx = await (env.vault.connect(attacker) as Contract).getFunction("withdraw").send(200n * E18, attacker.address, attacker.address, { gasLimit: 300_000n });
      const r = await env.node.provider.waitForTransaction(tx.hash, 1, 30_000);
      const t0 = performance.now();
      await env.node.rpc("evm_setAutomine", [false]);
      await env.node.rpc("evm_setIntervalMining", [1_000]);
      let fee = keeper.pauseFees()[0];
      for (let i = 0; i < 600 && !fee; i++) {
        await new Promise((res) => setTimeout(res, 50));
        fee = keeper.pauseFees()[0];
      }
      runs.push({ method, blocksToInclusion: fee ? fee.includedBlock - r!.blockNumber : null, msToInclusion: fee ? round(performance.now() - t0, 0) : null });
    } finally {
      await keeper.stop();
      await proxy.close();
      await env.node.rpc("evm_setIntervalMining", [0]);
      await env.node.rpc("evm_setAutomine", [true]);
      await env.node.rpc("evm_revert", [snap]);
    }
  }
  const done = runs.filter((r) => r.blocksToInclusion !== null);
  return {
    injected: runs.length,
    lostPauses: runs.length - done.length,
    maxBlocksToInclusion: done.length ? Math.max(...done.map((r) => r.blocksToInclusion!)) : null,
    runs,
    note: "HTTP 503 on the named method for its first 2 requests after the attack block; interval mining at 1 s",
  };
}

// ---------------------------------------------------------------- main

const log = (s: string) => process.stderr.write(`[bench:keeper] ${s}\n`);
log(`starting hardhat node (${cpus().length} CPUs, node ${process.version})`);
const node = await startHardhatNode();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    void node.stop().finally(() => process.exit(130));
  });
}
const counter = await countingProxy(node.url);
try {
  const admin = node.wallet(0);
  const multicall3 = await deployMulticall3(admin);
  const token = (await deployArtifact(admin, "test/TestToken.sol", "TestToken", "Bench asset", "BA", 18)) as Contract;
  const tokenAddr = await token.getAddress();
  const vault = (await deployArtifact(admin, "examples/ProtectedVault.sol", "ProtectedVault", tokenAddr, "Protected", "pBA", admin.address, 7n * 86_400n, 86_400n)) as Contract;
  const vaultAddr = await vault.getAddress();
  const limit = { maxCapacity: 2n ** 96n - 1n, window: 86_400, minTvl: 0, mode: 0, settlementDelay: 0, inflowCredit: false };
  await (await vault.getFunction("setLimit")(tokenAddr, limit)).wait();
  const users: Wallet[] = [];
  const nonces = new Map<string, number>();
  for (let i = 0; i < 4; i++) {
    const w = new Wallet(id(`bench-keeper:${i}`), node.provider);
    await node.rpc("hardhat_setBalance", [w.address, "0x3635c9adc5dea00000"]);
    await (await token.getFunction("mint")(w.address, 10n ** 9n * E18)).wait();
    await (await (token.connect(w) as Contract).getFunction("approve")(vaultAddr, 2n ** 256n - 1n)).wait();
    users.push(w);
    nonces.set(w.address, await node.provider.getTransactionCount(w.address, "latest"));
  }
  const env: Env = { node, counter, multicall3, vault, vaultAddr, tokenAddr, users, nonces };

  // 1. Per-block processing with 10 and 100 invariants over the same blocks (one deposit each).
  log(`mining ${PER_BLOCK_BLOCKS} blocks with a deposit each`);
  const pbFrom = (await node.blockNumber()) + 1;
  for (let k = 0; k < PER_BLOCK_BLOCKS; k++) await depositTx(env, k);
  const pbTo = await node.blockNumber();
  log("per-block processing: 10 invariants");
  const pb10 = await perBlock(env, 10, pbFrom, pbTo);
  log("per-block processing: 100 invariants");
  const pb100 = await perBlock(env, 100, pbFrom, pbTo);

  // 2. Catch-up over 2,000 blocks: a deposit every 20 blocks, the rest empty blocks mined with
  // batched evm_mine. (Not hardhat_mine: its lazily "reserved" blocks report parentHashes that do
  // not link to the previous block's hash, so a keeper following parent hashes rightly refuses them.)
  log(`mining ${CATCHUP_BLOCKS} blocks for the catch-up`);
  const cuFrom = (await node.blockNumber()) + 1;
  for (let k = 0; (await node.blockNumber()) - cuFrom + 1 < CATCHUP_BLOCKS; k++) {
    await depositTx(env, k);
    const left = Math.min(19, CATCHUP_BLOCKS - ((await node.blockNumber()) - cuFrom + 1));
    if (left > 0) {
      const res = await fetch(node.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(Array.from({ length: left }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "evm_mine", params: [] }))),
      });
      await res.json();
    }
  }
  log("catch-up");
  const cu = await catchup(env, cuFrom);

  // 3. Detection lag under interval mining.
  log(`detection lag: ${LAG_BLOCKS} blocks at ${LAG_INTERVAL_MS} ms`);
  const lag = await detectionLag(env);

  // 4. Load at 1 s and 250 ms blocks.
  const loadResults: Record<string, Awaited<ReturnType<typeof load>>> = {};
  for (const ms of [1_000, 250]) {
    log(`load: ${LOAD_BLOCKS} blocks of ${LOAD_TX} deposits at ${ms} ms`);
    loadResults[`${ms}ms`] = await load(env, ms);
  }

  // 5. Contested pause and 6. faults at detection.
  log("contested pause: attacker at a 50 gwei tip");
  const armed = () => armedSnapshot(env);
  const contest = await contested(env, await armed());
  log("faults: 503 on each pre-broadcast step at detection");
  const fault = await faults(env, armed);
  // 7. Backtest throughput over 2,000 recorded blocks (its own node).
  log("backtest: 2,000 blocks of the example config");
  const bt = await benchBacktest({ log });

  const report = {
    load: Object.fromEntries(Object.entries(loadResults).map(([k, v]) => [k, { txPerBlock: v.txPerBlock, logsPerBlock: v.logsPerBlock, p99AnnouncedToDecidedMs: v.p99AnnouncedToDecidedMs, maxLagBlocks: v.maxLagBlocks, rpcPerBlock: v.rpcPerBlock, cpuPct: v.cpuPct, rssMb: v.rssMb }])),
    contested: { competitorTipGwei: contest.competitorTipGwei, blocksToInclusion: contest.blocksToInclusion, feePaidWei: contest.feePaidWei },
    faults: { injected: fault.injected, lostPauses: fault.lostPauses, maxBlocksToInclusion: fault.maxBlocksToInclusion },
    backtest: { blocks: bt.blocks, blocksPerSec: bt.blocksPerSec, rpcPerBlock: bt.rpcPerBlock },
    perBlockMs: { "10": { p50: pb10.p50, p99: pb10.p99 }, "100": { p50: pb100.p50, p99: pb100.p99 } },
    rpcPerBlock: { "10": pb10.httpPerBlock, "100": pb100.httpPerBlock },
    catchupBlocksPerSec: cu.blocksPerSec,
    detectionLagMs: { p50: lag.p50, p99: lag.p99 },
    details: {
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
      perBlock: {
        note: "step() time (fetch + detect + decide + respond + checkpoint) while catching up over blocks that each carry a deposit; rpc = HTTP requests at the transport (JSON-RPC batches count once), calls = JSON-RPC calls inside them",
        "10": pb10,
        "100": pb100,
      },
      rpcCallsPerBlock: { "10": pb10.callsPerBlock, "100": pb100.callsPerBlock },
      catchup: cu,
      detectionLag: lag,
      load: loadResults,
      contested: contest,
      faults: fault,
      backtest: bt,
      generatedAt: new Date().toISOString(),
    },
  };
  await mkdir("reports", { recursive: true });
  await writeFile("reports/keeper.json", JSON.stringify(report, null, 2) + "\n");

  const lines = [
    "| metric | 10 invariants | 100 invariants |",
    "|---|---:|---:|",
    `| per-block processing p50 (ms) | ${pb10.p50} | ${pb100.p50} |`,
    `| per-block processing p99 (ms) | ${pb10.p99} | ${pb100.p99} |`,
    `| JSON-RPC HTTP requests per block | ${pb10.httpPerBlock} | ${pb100.httpPerBlock} |`,
    `| JSON-RPC calls per block | ${pb10.callsPerBlock} | ${pb100.callsPerBlock} |`,
    "",
    "| metric | value |",
    "|---|---:|",
    `| catch-up (${cu.blocks} blocks, 10 invariants) | ${cu.blocksPerSec} blocks/s (${cu.seconds} s, ${cu.httpPerBlock} HTTP requests/block) |`,
    `| detection lag p50 (ms, ${lag.samples} blocks at ${LAG_INTERVAL_MS} ms) | ${lag.p50} |`,
    `| detection lag p99 (ms) | ${lag.p99} |`,
    "",
    "| load | 1 s blocks | 250 ms blocks |",
    "|---|---:|---:|",
    ...(["txPerBlock", "logsPerBlock", "p50AnnouncedToDecidedMs", "p99AnnouncedToDecidedMs", "p50AnnouncedToCheckpointedMs", "p99AnnouncedToCheckpointedMs", "maxLagBlocks", "rpcPerBlock", "cpuPct", "rssMb"] as const).map(
      (k) => `| ${k} | ${loadResults["1000ms"]![k]} | ${loadResults["250ms"]![k]} |`,
    ),
    "",
    "| pause | value |",
    "|---|---:|",
    `| contested: blocks to inclusion vs a ${contest.competitorTipGwei} gwei tip | ${contest.blocksToInclusion} (attacker's next tx reverted: ${contest.attackersNextTxReverted}) |`,
    `| contested: fee paid (wei) / pause tip (gwei) | ${contest.feePaidWei} / ${contest.pauseTipGwei} |`,
    `| faults: 503s injected at detection / lost pauses / max blocks to inclusion | ${fault.injected} / ${fault.lostPauses} / ${fault.maxBlocksToInclusion} |`,
    `| backtest (${bt.blocks} recorded blocks, example config) | ${bt.blocksPerSec} blocks/s, ${bt.rpcPerBlock} HTTP requests/block |`,
  ];
  console.log(lines.join("\n"));
  log("wrote reports/keeper.json");
} finally {
  await counter.close();
  await node.stop();
}
