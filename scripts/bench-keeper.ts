// npm run bench:keeper (tsx scripts/bench-keeper.ts) — the keeper against a local `hardhat node`
// it spawns: per-block processing time with 10 and 100 invariants, JSON-RPC requests per block
// (counted at the transport: an HTTP proxy between the keeper and the node), catch-up throughput
// over 2,000 blocks, and detection lag under interval mining (from the moment the node announced
// the block on a newHeads websocket to the keeper's decision). Writes reports/keeper.json and
// prints a Markdown table. Numbers depend on the machine; nothing here asserts a speed.
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

const E18 = 10n ** 18n;
const PER_BLOCK_BLOCKS = Number(process.env.BENCH_PER_BLOCK_BLOCKS ?? 200);
const CATCHUP_BLOCKS = Number(process.env.BENCH_CATCHUP_BLOCKS ?? 2_000);
const LAG_BLOCKS = Number(process.env.BENCH_LAG_BLOCKS ?? 60);
const LAG_INTERVAL_MS = Number(process.env.BENCH_LAG_INTERVAL_MS ?? 250);

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

  const report = {
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
  ];
  console.log(lines.join("\n"));
  log("wrote reports/keeper.json");
} finally {
  await counter.close();
  await node.stop();
}
