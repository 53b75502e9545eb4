// The whole keeper (real detectors, policy, responders, sentinel signer, webhook channel) against
// a real `hardhat node` and a ProtectedVault: a restart mid-incident resumes from the checkpoint
// and sends no second pause; a reorg retracts the webhook alert of the orphaned block.
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, id, parseUnits, type Wallet } from "ethers";
import { deployArtifact, startHardhatNode, TEST_KEYS, type HardhatNode } from "./helpers/node.js";
import { startReceiver } from "./helpers/receiver.js";
import { storedChain, until } from "./helpers/keeper.js";
import { Keeper } from "../../keeper/runtime.js";
import type { KeeperConfigInput } from "../../keeper/config/schema.js";
import { KeeperStore } from "../../keeper/store/store.js";
import { deployMulticall3 } from "../../keeper/source/multicall3.js";
import { createLogger } from "../../keeper/ops/log.js";

const E18 = 10n ** 18n;
const GLOBAL = id("breakwater.scope.GLOBAL");
const WITHDRAW_SIG = "Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares)";

describe("Keeper end to end (real pipeline, hardhat node, ProtectedVault)", function () {
  this.timeout(90_000);
  let node: HardhatNode;
  let multicall3: string;
  let admin: Wallet;
  let alice: Wallet;
  let sentinel: Wallet;
  const dir = mkdtempSync(join(tmpdir(), "keeper-e2e-"));
  const env = { BREAKWATER_SENTINEL_KEY: TEST_KEYS[3], TEST_WEBHOOK_SECRET: "whsec-test-0123456789" };

  before(async function () {
    node = await startHardhatNode();
    admin = node.wallet(0);
    alice = node.wallet(1);
    sentinel = node.wallet(3);
    multicall3 = await deployMulticall3(admin); // a configured (non-canonical) Multicall3 address
  });
  after(async function () {
    await node?.stop();
  });

  /** TestToken + ProtectedVault; the sentinel armed; alice deposited 10,000. */
  async function deployVault() {
    const token = (await deployArtifact(admin, "test/TestToken.sol", "TestToken", "Vault asset", "VA", 18)) as Contract;
    const vault = (await deployArtifact(admin, "examples/ProtectedVault.sol", "ProtectedVault", await token.getAddress(), "Protected", "pVA", admin.address, 7n * 86_400n, 86_400n)) as Contract;
    const vaultAddr = await vault.getAddress();
    await (await vault.getFunction("setSentinel")(sentinel.address, 3_600, 86_400)).wait();
    const limit = { maxCapacity: 2n ** 96n - 1n, window: 86_400, minTvl: 0, mode: 0, settlementDelay: 0, inflowCredit: false };
    await (await vault.getFunction("setLimit")(await token.getAddress(), limit)).wait();
    await (await token.getFunction("mint")(alice.address, 100_000n * E18)).wait();
    await (await (token.connect(alice) as Contract).getFunction("approve")(vaultAddr, 2n ** 256n - 1n)).wait();
    await (await (vault.connect(alice) as Contract).getFunction("deposit")(10_000n * E18, alice.address)).wait();
    return { token, vault, vaultAddr };
  }

  function config(vault: string, hookUrl: string, storePath: string, startBlock: number, rules: KeeperConfigInput["rules"]): KeeperConfigInput {
    return {
      name: "e2e-keeper",
      chain: { chainId: 31337, rpcUrls: [node.url], pollIntervalMs: 100, multicall3, startBlock },
      contracts: { breaker: vault, named: { vault } },
      store: { path: storePath },
      signers: { sentinel: { type: "local", keyEnv: "BREAKWATER_SENTINEL_KEY" } },
      rules,
      alerts: {
        channels: [{ type: "webhook", name: "hook", url: hookUrl, secretEnv: "TEST_WEBHOOK_SECRET" }],
        retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50, timeoutMs: 2_000 },
      },
      ops: { logLevel: "silent" },
    };
  }

  const keeperFor = (cfg: KeeperConfigInput) =>
    new Keeper({ config: cfg, env, http: false, retryDelayMs: 50, maxRetryDelayMs: 200, logger: createLogger({ level: process.env.KEEPER_TEST_LOG ?? "silent" }) });

  it("restarted mid-incident, resumes from the checkpoint and sends no second pause", async function () {
    const { vault, vaultAddr } = await deployVault();
    const receiver = await startReceiver();
    const hookUrl = `${receiver.url}/hook`;
    const storePath = join(dir, "restart.sqlite");
    const start = await node.blockNumber();
    const cfg = config(vaultAddr, hookUrl, storePath, start, [
      {
        id: "big-withdrawal",
        severity: "P1",
        action: "pause",
        act: true,
        pause: { scope: "GLOBAL", durationSeconds: 3_600 },
        detector: { kind: "matcher", addresses: ["$vault"], events: [{ signature: WITHDRAW_SIG, where: { arg: "assets", op: "gt", value: "1000e18" } }] },
      },
    ]);
    const sentinelNonceBefore = await node.provider.getTransactionCount(sentinel.address, "latest");

    const first = keeperFor(cfg);
    await first.start();
    await first.waitForIdle();
    // The attack: a block with a big withdrawal; blocks are mined by hand from here on, so the
    // sentinel's pause waits in the mempool while the keeper is restarted.
    await node.rpc("evm_setAutomine", [false]);
    try {
      await (vault.connect(alice) as Contract).getFunction("withdraw")(2_000n * E18, alice.address, alice.address);
      await node.mine(1);
      const attackBlock = await node.blockNumber();
      await first.waitForBlock(attackBlock);
      await until(() => first.store.txAttempts().some((a) => a.kind === "pause" && a.status === "sent"), "the pause to be sent");
      const [incident] = first.store.incidents("open");
      expect(incident!.firstBlock).to.equal(attackBlock);
      await first.stop();

      // While the keeper is down: the pause gets included, and more blocks follow.
      await node.mine(3);
      const store = new KeeperStore(storePath); // the same file, as a restarted process opens it
      expect(store.checkpoint()!.number).to.equal(attackBlock);
      store.close();

      const second = keeperFor(cfg);
      const seen: number[] = [];
      second.onBlockProcessed((e) => seen.push(e.block.number));
      await second.start();
      const head = await node.blockNumber();
      await second.waitForBlock(head);
      await until(() => second.store.incidents("contained").length === 1, "containment to be recorded");
      expect(seen[0]).to.equal(attackBlock + 1); // resumed at checkpoint + 1
      expect(storedChain(second.store).map((b) => b.number)).to.deep.equal(Array.from({ length: head - start + 1 }, (_, i) => start + i));
      // Exactly one pause: one transaction from the sentinel key, one sent attempt.
      const pauses = second.store.txAttempts().filter((a) => a.kind === "pause" && a.status !== "skipped");
      expect(new Set(pauses.map((a) => a.nonce))).to.have.property("size", 1);
      expect(await node.provider.getTransactionCount(sentinel.address, "latest")).to.equal(sentinelNonceBefore + 1);
      expect(await vault.getFunction("isPaused")(GLOBAL)).to.equal(true);
      await second.stop();
    } finally {
      await node.rpc("evm_setAutomine", [true]);
      await receiver.close();
    }
  });

  it("on a reorg, the webhook receives a retraction of the alert raised on the orphaned block", async function () {
    const { vault, vaultAddr } = await deployVault();
    const receiver = await startReceiver();
    const start = await node.blockNumber();
    const cfg = config(vaultAddr, `${receiver.url}/hook`, join(dir, "reorg.sqlite"), start, [
      {
        id: "any-withdrawal",
        severity: "P3",
        action: "alert",
        detector: { kind: "matcher", addresses: ["$vault"], events: [{ signature: WITHDRAW_SIG }], fingerprintBy: ["tx"] },
      },
    ]);
    const keeper = keeperFor(cfg);
    await keeper.start();
    await keeper.waitForIdle();
    const snapshot = await node.rpc<string>("evm_snapshot");
    await (await (vault.connect(alice) as Contract).getFunction("withdraw")(parseUnits("5", 18), alice.address, alice.address)).wait();
    const orphan = await node.blockNumber();
    await keeper.waitForBlock(orphan);
    await until(() => receiver.requests.some((r) => (r.json as { type?: string } | undefined)?.type === "breakwater.alert"), "the alert");
    const alert = receiver.requests.find((r) => (r.json as { type?: string } | undefined)?.type === "breakwater.alert")!;
    const alertMsg = (alert.json as { message: { id: string; blockNumber: number } }).message;
    expect(alertMsg.blockNumber).to.equal(orphan);

    // The block with the withdrawal is replaced by two empty ones.
    await node.rpc("evm_revert", [snapshot]);
    await node.rpc("evm_mine", [Number((await node.provider.getBlock("latest"))!.timestamp) + 7]);
    await node.mine(1);
    const head = await node.blockNumber();
    await keeper.waitForBlock(head);
    await until(() => receiver.requests.some((r) => (r.json as { type?: string } | undefined)?.type === "breakwater.alert.retraction"), "the retraction");
    const retraction = receiver.requests.find((r) => (r.json as { type?: string } | undefined)?.type === "breakwater.alert.retraction")!;
    const msg = (retraction.json as { message: { id: string; retraction: boolean } }).message;
    expect(msg.retraction).to.equal(true);
    expect(msg.id).to.equal(`${alertMsg.id}#retract`);
    expect(keeper.store.incidents("retracted")).to.have.length(1);
    expect(keeper.store.incidents("open")).to.have.length(0);
    // Secrets stay out of the store.
    const dump = JSON.stringify([keeper.store.timeline(), keeper.store.alerts(), keeper.store.txAttempts()]);
    expect(dump).to.not.include(env.TEST_WEBHOOK_SECRET);
    expect(dump).to.not.include(env.BREAKWATER_SENTINEL_KEY.slice(2));
    await keeper.stop();
    await receiver.close();
  });
});
