// The keeper's source against a real `hardhat node`: order, no skipped block across RPC
// downtime, failover and 429 rotation, reorgs, websocket heads with HTTP polling fallback,
// reads pinned to the block and batched into one Multicall3 call, health and metrics.
import { expect } from "chai";
import { createServer } from "node:http";
import { Interface } from "ethers";
import { startHardhatNode, type HardhatNode } from "./helpers/node.js";
import { startRpcFaultProxy } from "./helpers/rpc-faults.js";
import { startProxy } from "./helpers/proxy.js";
import { MULTICALL3, RecordingDetector, baseConfig, storedChain, testKeeper, until } from "./helpers/keeper.js";
import { KeeperStore } from "../../keeper/store/store.js";

const mc = new Interface(["function getBlockNumber() view returns (uint256)"]);
const READ_BLOCK_NUMBER = { target: MULTICALL3, data: mc.encodeFunctionData("getBlockNumber") };

/** Every number in [from, to] exactly once, ascending, each block's parent the previous one. */
function expectContiguous(blocks: { number: number; hash: string; parentHash: string }[], from: number, to: number) {
  expect(blocks.map((b) => b.number)).to.deep.equal(Array.from({ length: to - from + 1 }, (_, i) => from + i));
  for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.parentHash).to.equal(blocks[i - 1]!.hash);
}

describe("Keeper source (real hardhat node)", function () {
  this.timeout(60_000);
  let node: HardhatNode;

  before(async function () {
    node = await startHardhatNode();
  });
  after(async function () {
    await node?.stop();
  });

  it("processes blocks in order from startBlock, reads pinned to the block in one Multicall3 call per block", async function () {
    await node.mine(3);
    const start = await node.blockNumber();
    const detector = new RecordingDetector("reader", { read: READ_BLOCK_NUMBER });
    const second = new RecordingDetector("reader2", { read: READ_BLOCK_NUMBER });
    const { keeper, store } = testKeeper(baseConfig([node.url], { startBlock: start }), { detector });
    keeper.detectors.push(second);
    const multicallsPerBlock: number[] = [];
    keeper.onBlockProcessed((e) => multicallsPerBlock.push(e.reads.multicalls));
    await keeper.start();
    // Multicall3 was installed at the canonical address at start (dev chain), after `start`.
    await node.mine(5);
    const head = await node.blockNumber();
    await keeper.waitForBlock(head);
    await keeper.stop();
    expectContiguous(storedChain(store), start, head);
    expectContiguous(detector.seen, start, head);
    // Reads pinned to the block: Multicall3.getBlockNumber() answered each block's own number.
    // (The code was installed after `start` was mined, so that first read fails.)
    const firstWithCode = detector.reads.findIndex((r) => r !== -1n);
    expect(firstWithCode).to.be.within(0, 1);
    expect(detector.reads.slice(firstWithCode)).to.deep.equal(
      detector.seen.slice(firstWithCode).map((b) => BigInt(b.number)),
    );
    // Both detectors' reads went out as ONE aggregate3 eth_call per block.
    expect(multicallsPerBlock.every((n) => n === 1)).to.equal(true);
    expect(second.reads).to.deep.equal(detector.reads);
  });

  it("misses no block while the RPC is down, and catches up block by block", async function () {
    const proxy = await startProxy(node.port);
    const start = await node.blockNumber();
    const { keeper, store, detector } = testKeeper(baseConfig([proxy.url], { startBlock: start }));
    let errors = 0;
    keeper.onError(() => errors++);
    await keeper.start();
    await node.mine(2);
    await keeper.waitForBlock(start + 2);

    proxy.down();
    await node.mine(12); // mined while the keeper cannot see the chain
    await until(() => errors >= 2, "the keeper to notice the RPC is down");
    expect(store.checkpoint()!.number).to.be.lessThan(start + 14);
    proxy.up();
    const head = await node.blockNumber();
    await keeper.waitForBlock(head);
    await keeper.stop();
    await proxy.close();

    expectContiguous(storedChain(store), start, head);
    expectContiguous(detector.seen, start, head); // every block seen exactly once
    const metrics = await keeper.metrics.registry.getSingleMetricAsString("keeper_rpc_errors_total");
    expect(metrics).to.match(/keeper_rpc_errors_total\{url="http:\/\/127\.0\.0\.1:\d+",kind="network"\} [1-9]/);
  });

  it("resumes from the checkpoint after a restart and processes the blocks mined while it was stopped", async function () {
    const start = await node.blockNumber();
    const store = new KeeperStore(":memory:");
    const first = testKeeper(baseConfig([node.url], { startBlock: start }), { store });
    await first.keeper.start();
    await node.mine(2);
    await first.keeper.waitForBlock(start + 2);
    await first.keeper.stop();
    await node.mine(6);
    const second = testKeeper(baseConfig([node.url], { startBlock: 0 }), { store });
    await second.keeper.start();
    const head = await node.blockNumber();
    await second.keeper.waitForBlock(head);
    await second.keeper.stop();
    // startBlock only applies to an empty store: the second run continued at checkpoint + 1.
    expect(second.detector.seen[0]!.number).to.equal(start + 3);
    expectContiguous([...first.detector.seen, ...second.detector.seen], start, head);
    expectContiguous(storedChain(store), start, head);
  });

  it("fails over to the next RPC when one is down or answers HTTP 429", async function () {
    // Both answer at start (chain id checked), then one refuses connections and one answers 429.
    const dead = await startProxy(node.port);
    const limiter = await startRpcFaultProxy(node.url);
    const limiterUrl = limiter.url;
    const start = await node.blockNumber();
    const { keeper, store } = testKeeper(baseConfig([limiterUrl, dead.url, node.url], { startBlock: start }));
    await keeper.start();
    dead.down();
    limiter.fail("*", { status: 429 });
    await node.mine(3);
    const head = await node.blockNumber();
    await keeper.waitForBlock(head);
    await keeper.stop();
    await dead.close();
    await limiter.close();
    expectContiguous(storedChain(store), start, head);
    expect([...limiter.injected.values()].reduce((a, b) => a + b, 0)).to.be.greaterThan(0);
    const errors = await keeper.metrics.registry.getSingleMetricAsString("keeper_rpc_errors_total");
    expect(errors).to.include('kind="rate-limit"');
    expect(errors).to.include('kind="network"');
  });

  it("on a reorg rolls back to the fork point, re-evaluates the new blocks and retracts alerts of orphaned blocks", async function () {
    const alice = node.wallet(1);
    const bob = node.wallet(2);
    await node.mine(1);
    const forkPoint = await node.blockNumber();
    const snapshot = await node.rpc<string>("evm_snapshot");
    // Old branch: three blocks, an alert-worthy tx from alice in the second.
    await node.mine(1);
    await (await alice.sendTransaction({ to: bob.address, value: 1n })).wait();
    await node.mine(1);
    const oldHead = await node.blockNumber();
    const oldHashes = await Promise.all([1, 2, 3].map(async (i) => (await node.provider.getBlock(forkPoint + i))!.hash));

    const detector = new RecordingDetector("alice-watch", { flagFrom: alice.address });
    const { keeper, store, responders } = testKeeper(baseConfig([node.url], { startBlock: forkPoint }), { detector });
    const reorgs: { forkPoint: number; orphaned: number[] }[] = [];
    keeper.onReorg((e) => reorgs.push({ forkPoint: e.forkPoint, orphaned: e.orphaned.map((b) => b.number) }));
    await keeper.start();
    await keeper.waitForBlock(oldHead);
    const [incident] = store.incidents("open");
    expect(incident, "an incident on the old branch").to.not.equal(undefined);
    expect(store.alerts()).to.have.length(1);

    // Replace the three blocks by four different ones (bob's tx instead of alice's).
    await node.rpc("evm_revert", [snapshot]);
    await (await bob.sendTransaction({ to: alice.address, value: 2n })).wait();
    await node.mine(3);
    const newHead = await node.blockNumber();
    await keeper.waitForBlock(newHead);
    await until(() => (store.checkpoint()?.hash ?? "") !== oldHashes[2], "the new branch");
    await keeper.stop();

    expect(reorgs.length).to.be.greaterThan(0);
    expect(reorgs[0]!.forkPoint).to.equal(forkPoint);
    expect(detector.rolledBackTo).to.include(forkPoint);
    // Retraction: the alert of the orphaned block was handed back to the responders.
    expect(responders.retracted.map((a) => a.incidentId)).to.deep.equal([incident!.id]);
    expect(store.incident(incident!.id)!.status).to.equal("retracted");
    expect(store.alerts()[0]!.retracted).to.equal(true);
    expect(store.timeline(incident!.id).some((t) => t.kind === "retraction")).to.equal(true);
    // The store's chain is the new branch, contiguous, and the detector saw the new blocks.
    const chain = storedChain(store);
    expectContiguous(chain, forkPoint, newHead);
    for (const b of chain) expect((await node.provider.getBlock(b.number))!.hash).to.equal(b.hash);
    expectContiguous(detector.seen, forkPoint, newHead);
    expect(store.incidents("open")).to.have.length(0); // bob's branch raised nothing
  });

  it("gets new heads by websocket and falls back to HTTP polling when the websocket dies", async function () {
    const wsProxy = await startProxy(node.port);
    const start = await node.blockNumber();
    const { keeper, store, detector } = testKeeper(baseConfig([node.url], { startBlock: start, wsUrls: [wsProxy.wsUrl], pollIntervalMs: 100 }));
    await keeper.start();
    await until(() => keeper.heads.mode === "ws", "the websocket subscription");
    const before = keeper.heads.wsHeads;
    await node.mine(3);
    await keeper.waitForBlock(start + 3);
    await until(() => keeper.heads.wsHeads >= before + 3, "three heads announced by websocket");
    expect((await keeper.metrics.registry.getSingleMetricAsString("keeper_head_websocket"))).to.match(/keeper_head_websocket 1/);

    wsProxy.down(); // the websocket dies and cannot reconnect
    await until(() => keeper.heads.mode === "poll", "the fallback to polling");
    const wsHeadsWhenDown = keeper.heads.wsHeads;
    await node.mine(4);
    const head = await node.blockNumber();
    await keeper.waitForBlock(head); // found by HTTP polling
    expect(keeper.heads.wsHeads).to.equal(wsHeadsWhenDown);

    wsProxy.up(); // and the subscription comes back
    await until(() => keeper.heads.mode === "ws", "the websocket to reconnect");
    await keeper.stop();
    await wsProxy.close();
    expectContiguous(storedChain(store), start, head);
    expectContiguous(detector.seen, start, head);
  });

  it("serves /healthz, /metrics and a status page on 127.0.0.1 without secrets", async function () {
    const start = await node.blockNumber();
    const { keeper } = testKeeper(baseConfig([node.url], { startBlock: start }), { http: { port: 0 } });
    await keeper.start();
    await node.mine(1);
    await keeper.waitForBlock(start + 1);
    expect(keeper.opsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = (await (await fetch(`${keeper.opsUrl}/healthz`)).json()) as Record<string, unknown>;
    expect(health.ok).to.equal(true);
    expect(health.lastProcessedBlock).to.be.at.least(start + 1);
    expect(health.lag).to.be.a("number");
    const metrics = await (await fetch(`${keeper.opsUrl}/metrics`)).text();
    for (const m of ["keeper_checkpoint_lag_blocks", "keeper_detection_lag_seconds", "keeper_rpc_errors_total", "keeper_tx_attempts"]) {
      expect(metrics).to.include(m);
    }
    const page = await (await fetch(`${keeper.opsUrl}/`)).text();
    expect(page).to.include("Open incidents").and.include("last processed block");
    await keeper.stop();
    // Stopped: the server is gone.
    expect(keeper.status().ok).to.equal(false);
  });
});
