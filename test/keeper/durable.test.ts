// The keeper as an SRE attacks it: a real `hardhat node`, the real Keeper (config → detectors →
// policy → responders, the sentinel a local key), a ProtectedVault being drained, and a
// fault-injecting JSON-RPC proxy (./helpers/rpc-faults.ts) between the keeper and the node.
//   1. an HTTP 503 on eth_getTransactionCount when the pause is decided: the decision is kept and
//      carried out once the RPC answers (in process, and across a kill -9 of the keeper process);
//   2. health tells the truth: /healthz and the status page say "not ok" while the keeper is blind
//      (black-holed RPC) or a rule fails on every block;
//   3. the pause outbids the attack transactions' tip and goes before the attacker's next one;
//   4. fees are bumped on new heads only: no bump without a new block, no storm when catching up;
//   5. the keeper starts with the RPCs that answer and takes the others back when they do.
// Waits are bounded (until / waitForBlock): nothing asserts on timing.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, Wallet, id, parseUnits, toBeHex, type HDNodeWallet } from "ethers";
import { Keeper } from "../../keeper/runtime.js";
import type { KeeperConfigInput } from "../../keeper/config/schema.js";
import { KeeperStore } from "../../keeper/store/store.js";
import { RpcPool } from "../../keeper/source/rpc.js";
import { ensureMulticall3 } from "../../keeper/source/multicall3.js";
import { createLogger } from "../../keeper/ops/log.js";
import { ROOT, startHardhatNode, type HardhatNode } from "./helpers/node.js";
import { armSentinel, deployVaultSystemOn, snapshots, testKey, type VaultSystem } from "./helpers/chain.js";
import { startRpcFaultProxy, type RpcFaultProxy } from "./helpers/rpc-faults.js";
import { startProxy } from "./helpers/proxy.js";
import { MULTICALL3, until } from "./helpers/keeper.js";

const E18 = 10n ** 18n;
const GWEI = 10n ** 9n;
const GLOBAL = id("breakwater.scope.GLOBAL");
const KEY_ENV = "BW_DURABLE_SENTINEL_KEY";
const sentinel = new Wallet(testKey("durable.sentinel"));
const WITHDRAW_SIG = "Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares)";

describe("Keeper under faults (hardhat node + fault-injecting RPC proxy)", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  let sys: VaultSystem;
  let snap: ReturnType<typeof snapshots>;
  let proxy: RpcFaultProxy;
  const dir = mkdtempSync(join(tmpdir(), "keeper-durable-"));
  const keepers: Keeper[] = [];
  let n = 0;

  before(async function () {
    node = await startHardhatNode();
    sys = await deployVaultSystemOn(node);
    await armSentinel(node, sys, sentinel.address);
    await ensureMulticall3(new RpcPool({ urls: [node.url] }), MULTICALL3, true);
    snap = snapshots(node);
    await snap.take();
  });
  beforeEach(async function () {
    proxy = await startRpcFaultProxy(node.url);
  });
  afterEach(async function () {
    for (const k of keepers.splice(0)) await k.stop().catch(() => undefined);
    await proxy.close();
    await snap.restore();
  });
  after(async function () {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const storePath = () => join(dir, `store-${++n}.sqlite`);

  function config(rpcUrls: string[], path: string, over: Partial<KeeperConfigInput> = {}): KeeperConfigInput {
    return {
      name: "durable-test",
      chain: { chainId: 31337, rpcUrls, pollIntervalMs: 50, multicall3: MULTICALL3, probeIntervalMs: 100, rpcTimeoutMs: 1_000 },
      contracts: { breaker: sys.vaultAddr, named: { vault: sys.vaultAddr } },
      store: { path },
      signers: { sentinel: { type: "local", keyEnv: KEY_ENV } },
      rules: [
        {
          id: "big-withdrawal",
          severity: "P1",
          action: "pause",
          act: true,
          pause: { scope: "GLOBAL", durationSeconds: 1_800 },
          detector: { kind: "matcher", addresses: ["$vault"], events: [{ signature: WITHDRAW_SIG, where: { arg: "assets", op: "gt", value: "100e18" } }] },
        },
      ],
      alerts: { channels: [] },
      ops: { logLevel: "silent" },
      ...over,
    };
  }

  function keeper(cfg: KeeperConfigInput, http: false | { port: number } = false): Keeper {
    const k = new Keeper({
      config: cfg,
      http,
      retryDelayMs: 50,
      maxRetryDelayMs: 200,
      env: { [KEY_ENV]: sentinel.privateKey },
      logger: createLogger({ level: process.env.KEEPER_TEST_LOG ?? "silent" }),
    });
    keepers.push(k);
    return k;
  }

  /** `who` withdraws `amount` tokens (automine: mined at once). */
  const withdraw = async (who: HDNodeWallet, amount: bigint) => (await sys.vault.connect(who).withdraw(amount * E18, who.address, who.address)).wait();
  const paused = () => sys.vault.isPaused(GLOBAL) as Promise<boolean>;

  it("1. a 503 on eth_getTransactionCount at detection does not lose the pause: retried on every head until included", async function () {
    const k = keeper(config([proxy.url], storePath()));
    await k.start();
    await k.waitForIdle();
    proxy.fail("eth_getTransactionCount", { status: 503 });

    await withdraw(sys.alice, 200n);
    const attackBlock = await node.blockNumber();
    await k.waitForBlock(attackBlock);
    const [inc] = k.store.incidents("open");
    expect(inc, "incident opened").to.not.equal(undefined);
    await until(() => (k.store.action(inc!.id, "pause")?.tries ?? 0) >= 1, "a first try of the pause");
    const first = k.store.action(inc!.id, "pause")!;
    expect(first.status).to.equal("pending");
    expect(first.lastError).to.match(/no RPC endpoint answered/);
    expect(k.status().reasons.join(";")).to.match(/decision\(s\) to pause \/ propose not carried out/);
    expect(await paused()).to.equal(false);

    // Still failing: the next block is processed (checkpointed), the decision stays pending.
    await withdraw(sys.bob, 200n);
    await k.waitForBlock(attackBlock + 1);
    await until(() => (k.store.action(inc!.id, "pause")?.tries ?? 0) >= 2, "a second try");
    expect(k.store.action(inc!.id, "pause")!.status).to.equal("pending");
    expect(proxy.injected.get("eth_getTransactionCount") ?? 0).to.be.greaterThan(1);

    // The RPC answers again: the next head carries the decision out.
    proxy.clear();
    await node.mine(1);
    await until(() => k.store.incident(inc!.id)?.status === "contained", "containment");
    expect(await paused()).to.equal(true);
    expect(k.store.action(inc!.id, "pause")!.status).to.equal("done");
    const included = k.store.txAttempts(inc!.id).filter((a) => a.kind === "pause" && a.status === "included");
    expect(included).to.have.length(1);
    expect(await withdraw(sys.alice, 200n).then(() => "mined", () => "refused")).to.equal("refused");
    expect(k.store.timeline(inc!.id).some((e) => /pause not sent \(try 1/.test(e.message))).to.equal(true);
    expect(k.pauseFees()).to.have.length(1);
    expect(k.pauseFees()[0]!.feePaidWei > 0n).to.equal(true);
  });

  it("1b. kill -9 of the keeper process while the pause cannot be sent: the restarted keeper carries the decision out", async function () {
    const path = storePath();
    const file = join(dir, `keeper-${n}.json`);
    writeFileSync(file, JSON.stringify(config([proxy.url], path, { ops: { logLevel: "silent", port: 0 } })));
    // The keeper itself is the process (node --import tsx), so SIGKILL hits it and nothing else.
    const run = (): ChildProcess => spawn(process.execPath, ["--import", "tsx", "keeper/main.ts", "--config", file], { cwd: ROOT, env: { ...process.env, [KEY_ENV]: sentinel.privateKey }, stdio: ["ignore", "ignore", "ignore"] });
    const read = <T>(fn: (s: KeeperStore) => T): T | undefined => {
      try {
        const s = new KeeperStore(path, 128, { readOnly: true });
        try {
          return fn(s);
        } finally {
          s.close();
        }
      } catch {
        return undefined; // not created yet
      }
    };
    proxy.fail("eth_getTransactionCount", { status: 503 });
    let child = run();
    try {
      const start = await node.blockNumber();
      await until(() => (read((s) => s.checkpoint()?.number) ?? -1) >= start, "the keeper process follows the chain", 60_000);
      await withdraw(sys.alice, 200n);
      await until(() => (read((s) => s.actions("pending")[0]?.tries) ?? 0) >= 1, "the decision is recorded and tried", 30_000);
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      expect(await paused()).to.equal(false);
      expect(read((s) => s.txAttempts().length)).to.equal(0);

      proxy.clear();
      child = run();
      await until(() => read((s) => s.incidents("contained").length) === 1, "containment after the restart", 60_000);
      expect(await paused()).to.equal(true);
      const attempts = read((s) => s.txAttempts().filter((a) => a.kind === "pause" && a.status === "included"))!;
      expect(attempts).to.have.length(1);
      expect(read((s) => s.actions("done").length)).to.equal(1);
    } finally {
      child.kill("SIGKILL");
      if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
    }
  });

  it("2. health: not ok while a rule fails on every block, and while no RPC answers; the status page agrees; metrics say why", async function () {
    const cfg = config([proxy.url], storePath(), {
      ops: { logLevel: "silent", health: { maxRpcSilenceSeconds: 1, maxProgressAgeSeconds: 2, detectorErrorBlocks: 3 } },
    });
    (cfg.rules as unknown[]).push({
      id: "broken-invariant",
      severity: "P3",
      // No code at this address: every evaluation throws (what a wrong multicall3 / contract gives).
      detector: { kind: "invariant", invariant: { type: "view-compare", target: "0x000000000000000000000000000000000000dEaD", signature: "totalAssets()", op: "gt", value: 0 } },
    });
    const k = keeper(cfg, { port: 0 });
    await k.start();
    const health = async () => {
      const r = await fetch(`${k.opsUrl}/healthz`);
      return { code: r.status, body: (await r.json()) as { ok: boolean; reasons: string[] } };
    };
    await node.mine(3);
    await until(async () => (await health()).body.reasons.some((x) => /detectors failing on every block: broken-invariant/.test(x)), "/healthz reports the failing rule");
    expect((await health()).code).to.equal(503);

    proxy.blackhole();
    await node.mine(5);
    await until(async () => (await health()).body.reasons.some((x) => /no RPC answered for \d+ s/.test(x)), "/healthz reports the blind keeper");
    await until(async () => (await health()).body.reasons.some((x) => /no progress for \d+ s/.test(x)), "/healthz reports no progress");
    const page = await (await fetch(`${k.opsUrl}/`)).text();
    expect(page).to.include("NOT OK").and.include("no RPC answered");
    const metrics = await (await fetch(`${k.opsUrl}/metrics`)).text();
    for (const m of ["keeper_last_progress_timestamp_seconds", "keeper_rpc_up{", "keeper_detector_evaluations_total{", "keeper_detector_errors_total{", "process_resident_memory_bytes", "nodejs_eventloop_lag_seconds", "process_cpu_seconds_total"]) {
      expect(metrics, m).to.include(m);
    }
    await until(async () => /keeper_rpc_up\{url="[^"]+"\} 0/.test(await (await fetch(`${k.opsUrl}/metrics`)).text()), "keeper_rpc_up 0");

    proxy.restore();
    const head = await node.blockNumber();
    await k.waitForBlock(head, 30_000);
    await until(async () => !(await health()).body.reasons.some((x) => /no RPC answered|no progress/.test(x)), "health back once the RPC answers");
  });

  it("3. the pause outbids the attack's tip (50 gwei) and is included in the next block, before the attacker's next transaction", async function () {
    const k = keeper(config([proxy.url], storePath(), { responders: { sentinel: { maxFeePerGas: 500 } } }));
    await k.start();
    await k.waitForIdle();
    await node.rpc("evm_setAutomine", [false]);
    const tip = 50n * GWEI;
    const attack = (nonce: number) =>
      sys.vault.connect(sys.alice).withdraw(200n * E18, sys.alice.address, sys.alice.address, { maxPriorityFeePerGas: tip, maxFeePerGas: 2n * tip, gasLimit: 300_000n, nonce });
    const nonce = await node.provider.getTransactionCount(sys.alice.address, "pending");
    await attack(nonce);
    await node.mine(1);
    const detected = await node.blockNumber();
    await until(() => k.store.txAttempts().some((a) => a.kind === "pause" && a.status === "sent"), "the pause is broadcast");
    const sent = k.store.txAttempts().find((a) => a.kind === "pause")!;
    expect(sent.maxPriorityFeePerGas! > tip, `tip ${sent.maxPriorityFeePerGas} must beat ${tip}`).to.equal(true);

    const next = await attack(nonce + 1);
    await node.mine(1);
    const pauseReceipt = (await node.provider.getTransactionReceipt(sent.hash!))!;
    const attackReceipt = (await node.provider.getTransactionReceipt(next.hash))!;
    expect(pauseReceipt.blockNumber).to.equal(detected + 1);
    expect(pauseReceipt.index).to.be.lessThan(attackReceipt.index);
    expect(attackReceipt.status).to.equal(0); // ScopePaused
    await until(() => k.store.incidents("contained").length === 1, "containment");
    const [fee] = k.pauseFees();
    expect(fee!.blocksToInclusion).to.equal(1);
    expect(fee!.feePaidWei).to.equal(pauseReceipt.gasUsed * pauseReceipt.gasPrice);
  });

  it("3b. at the cap, the whole maxFeePerGas goes to the tip", async function () {
    const cap = 30n * GWEI;
    const k = keeper(config([proxy.url], storePath(), { responders: { sentinel: { maxFeePerGas: cap } } }));
    await k.start();
    await k.waitForIdle();
    await node.rpc("evm_setAutomine", [false]);
    await sys.vault.connect(sys.alice).withdraw(200n * E18, sys.alice.address, sys.alice.address, { maxPriorityFeePerGas: 50n * GWEI, maxFeePerGas: 100n * GWEI, gasLimit: 300_000n });
    await node.mine(1);
    await until(() => k.store.txAttempts().some((a) => a.kind === "pause" && a.status === "sent"), "the pause is broadcast");
    const sent = k.store.txAttempts().find((a) => a.kind === "pause")!;
    expect(sent.maxFeePerGas).to.equal(cap);
    expect(sent.maxPriorityFeePerGas).to.equal(cap);
  });

  it("4. fees are bumped on new heads only: none without a new block, at most one while catching up after a restart", async function () {
    const path = storePath();
    const cfg = config([proxy.url], path, { responders: { sentinel: { feeBumpPercent: 12.5, maxFeePerGas: 5_000, priorityFeePerGas: 1 } } });
    const k1 = keeper(cfg);
    await k1.start();
    await k1.waitForIdle();
    await node.rpc("evm_setAutomine", [false]);
    await sys.vault.connect(sys.alice).withdraw(200n * E18, sys.alice.address, sys.alice.address, { gasLimit: 300_000n });
    await node.mine(1);
    await until(() => k1.store.txAttempts().some((a) => a.kind === "pause" && a.status === "sent"), "the pause is broadcast");
    for (let i = 0; i < 5; i++) await k1.waitForIdle();
    expect(k1.store.txAttempts().filter((a) => a.kind === "pause")).to.have.length(1);
    await k1.stop();

    // 12 blocks the pause cannot enter (base fee above its maxFeePerGas) while the keeper is down.
    for (let i = 0; i < 12; i++) {
      await node.rpc("hardhat_setNextBlockBaseFeePerGas", [toBeHex(parseUnits("6000", "gwei"))]);
      await node.mine(1);
    }
    const head = await node.blockNumber();
    const k2 = keeper(cfg);
    await k2.start();
    await k2.waitForBlock(head, 30_000);
    const replacements = k2.store.txAttempts().filter((a) => a.kind === "pause" && /replaces/.test(a.note ?? ""));
    expect(replacements.length, "replacements while catching up 12 blocks").to.be.at.most(1);
    const c = new Contract(sys.vaultAddr, ["function isPaused(bytes32) view returns (bool)"], node.provider);
    expect(await c.isPaused(GLOBAL)).to.equal(false);
  });

  it("5. starts with the RPC that answers, warns, and takes the other back once it answers the right chain id", async function () {
    const dead = await startProxy(node.port);
    dead.down();
    try {
      const k = keeper(config([dead.url, proxy.url], storePath()));
      await k.start();
      expect(k.status().rpcDown).to.deep.equal([dead.url]);
      await node.mine(2);
      await k.waitForBlock(await node.blockNumber());
      dead.up();
      await until(() => k.status().rpcDown.length === 0, "the recovered RPC is back in the rotation");
      await node.mine(1);
      await k.waitForBlock(await node.blockNumber());
    } finally {
      await dead.close();
    }
  });
});
