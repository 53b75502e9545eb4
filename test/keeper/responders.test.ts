// Sentinel pause and guardian proposals against a real `hardhat node` spawned by this file
// (one node for the file; evm_snapshot/evm_revert between tests; contracts deployed from
// artifacts/).
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HDNodeWallet, JsonRpcProvider, Wallet, toBeHex } from "ethers";
import { KeeperStore } from "../../keeper/store/store.js";
import { Responders } from "../../keeper/responders/index.js";
import { createSigner, type KeeperSigner } from "../../keeper/signers/index.js";
import type { BlockRef, Decision, Finding } from "../../keeper/types.js";
import { HOUR, Scope } from "../breaker/helpers.js";
import { startHardhatNode, type HardhatNode } from "./helpers/node.js";
import { startRpcFaultProxy } from "./helpers/rpc-faults.js";
import { armSentinel, deployGuardianSystemOn, deployVaultSystemOn, snapshots, testKey, type GuardianSystemOnNode, type VaultSystem } from "./helpers/chain.js";

const CHAIN_ID = 31337;
const sentinelWallet = new Wallet(testKey("responders.sentinel"));
const ENV = { TEST_SENTINEL_KEY: sentinelWallet.privateKey };

let node: HardhatNode;
let provider: JsonRpcProvider;
let vaultSys: VaultSystem;
let guardianSys: GuardianSystemOnNode;

/** The vault system with the sentinel armed and funded: the state every test starts from (restored by evm_revert). */
const fixture = (): VaultSystem => vaultSys;

async function head(): Promise<BlockRef> {
  const b = (await provider.getBlock("latest"))!;
  return { number: b.number, hash: b.hash!, parentHash: b.parentHash, timestamp: b.timestamp };
}

function finding(ruleId: string, blockNumber: number, blockHash: string): Finding {
  return {
    ruleId, detector: "invariant", severity: "P1", fingerprint: `${ruleId}:fp`, blockNumber, blockHash,
    summary: "vault share price dropped 40% in one block", details: {},
  };
}

function openDecision(store: KeeperStore, block: BlockRef, breaker: string, scope: string = Scope.GLOBAL, ruleId = "drain"): Decision {
  const f = finding(ruleId, block.number, block.hash);
  const { incident } = store.openIncident(f, block.timestamp);
  return { finding: f, action: "pause", act: true, incidentId: incident.id, pause: { breaker, scope, durationSeconds: 1800 } };
}

async function sentinelSigner(): Promise<KeeperSigner> {
  return createSigner({ type: "local", keyEnv: "TEST_SENTINEL_KEY" }, provider, { env: ENV, chainId: CHAIN_ID, label: "signers.sentinel" });
}

async function makeResponders(store: KeeperStore, signer?: KeeperSigner, extra: Partial<ConstructorParameters<typeof Responders>[0]> = {}) {
  return new Responders({
    config: { chain: { chainId: CHAIN_ID }, contracts: {}, alerts: {}, responders: { sentinel: { confirmations: 1 } } },
    store,
    provider,
    sentinelSigner: signer ?? (await sentinelSigner()),
    channels: [],
    ...extra,
  });
}

const nonceOf = (a: string, tag: "latest" | "pending" = "latest") => provider.getTransactionCount(a, tag);
const mine = () => node.rpc("evm_mine");
const automine = (on: boolean) => node.rpc("evm_setAutomine", [on]);

describe("keeper responders (hardhat node)", function () {
  this.timeout(60_000);
  let snap: ReturnType<typeof snapshots>;

  before(async function () {
    node = await startHardhatNode();
    provider = node.provider;
    expect(Number((await provider.getNetwork()).chainId)).to.equal(CHAIN_ID);
    vaultSys = await deployVaultSystemOn(node);
    await armSentinel(node, vaultSys, sentinelWallet.address);
    guardianSys = await deployGuardianSystemOn(node);
    snap = snapshots(node);
    await snap.take();
  });
  after(async function () {
    await node?.stop();
  });
  afterEach(async function () {
    await snap.restore();
  });

  describe("keeper responders: sentinel pause", function () {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "bw-resp-"));
    });
    afterEach(async () => {
      await automine(true);
      rmSync(dir, { recursive: true, force: true });
    });

    it("a pause decision pauses the scope and the incident is marked contained", async function () {
      const { vault, vaultAddr } = fixture();
      const store = new KeeperStore(":memory:");
      const r = await makeResponders(store);
      const block = await head();
      const d = openDecision(store, block, vaultAddr);
      const [res] = await r.handle([d], block);
      expect(res.pause?.status).to.equal("sent");
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(true);
      const contained = await r.onNewBlock(await head());
      expect(contained.map((c) => c.incidentId)).to.deep.equal([d.incidentId]);
      expect(store.incident(d.incidentId)!.status).to.equal("contained");
      const attempts = store.txAttempts(d.incidentId);
      expect(attempts).to.have.length(1);
      expect(attempts[0]).to.include({ status: "included", kind: "pause", nonce: 0 });
      expect(attempts[0].hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(store.timeline(d.incidentId).some((e) => e.kind === "containment")).to.equal(true);
      // Handling the same decision again sends nothing.
      const [again] = await r.handle([d], await head());
      expect(again.pause?.status).to.equal("duplicate");
      expect(await nonceOf(sentinelWallet.address)).to.equal(1);
    });

    it("scope already paused → nothing sent, skipped attempt, incident contained", async function () {
      const { vault, vaultAddr, guardian } = fixture();
      await (await vault.connect(guardian).pause(Scope.WITHDRAW, HOUR)).wait();
      const store = new KeeperStore(":memory:");
      const r = await makeResponders(store);
      const block = await head();
      const d = openDecision(store, block, vaultAddr, Scope.WITHDRAW);
      const [res] = await r.handle([d], block);
      expect(res.pause?.status).to.equal("already-paused");
      expect(await nonceOf(sentinelWallet.address, "pending")).to.equal(0);
      expect(store.txAttempts(d.incidentId).map((a) => a.status)).to.deep.equal(["skipped"]);
      expect(store.incident(d.incidentId)!.status).to.equal("contained");
    });

    it("a stuck pause is replaced with bumped fees (same nonce) and included", async function () {
      const { vault, vaultAddr } = fixture();
      const store = new KeeperStore(":memory:");
      const r = await makeResponders(store);
      await automine(false);
      const block = await head();
      const d = openDecision(store, block, vaultAddr);
      const [res] = await r.handle([d], block);
      expect(res.pause?.status).to.equal("sent");
      const first = store.txAttempts(d.incidentId)[0];
      // Next block's base fee above the tx's max fee: it cannot be included.
      await node.rpc("hardhat_setNextBlockBaseFeePerGas", [toBeHex(first.maxFeePerGas! + 1n)]);
      await mine();
      expect(await provider.getTransactionReceipt(first.hash!)).to.equal(null);
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(false);
      await r.onNewBlock(await head()); // bump
      const attempts = store.txAttempts(d.incidentId);
      expect(attempts).to.have.length(2);
      const [a, b] = attempts;
      expect(b.nonce).to.equal(a.nonce);
      expect(b.hash).to.not.equal(a.hash);
      expect(b.maxFeePerGas! * 1000n >= a.maxFeePerGas! * 1125n).to.equal(true);
      expect(b.maxPriorityFeePerGas! * 1000n >= a.maxPriorityFeePerGas! * 1125n).to.equal(true);
      expect(a.status).to.equal("replaced");
      await mine();
      const receipt = await provider.getTransactionReceipt(b.hash!);
      expect(receipt?.status).to.equal(1);
      const contained = await r.onNewBlock(await head());
      expect(contained).to.have.length(1);
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(true);
      expect(store.txAttempts(d.incidentId).map((x) => x.status)).to.deep.equal(["replaced", "included"]);
      expect(store.incident(d.incidentId)!.status).to.equal("contained");
      expect(await nonceOf(sentinelWallet.address)).to.equal(1);
    });

    it("the fee cap stops bumping (no replacement above maxFeePerGas)", async function () {
      const { vaultAddr } = fixture();
      const store = new KeeperStore(":memory:");
      const base = (await provider.getBlock("latest"))!.baseFeePerGas!;
      const cap = base * 3n;
      const r = new Responders({
        config: { chain: { chainId: CHAIN_ID }, contracts: {}, alerts: {}, responders: { sentinel: { maxFeePerGas: cap, priorityFeePerGas: base } } },
        store, provider, sentinelSigner: await sentinelSigner(), channels: [],
      });
      await automine(false);
      const block = await head();
      const d = openDecision(store, block, vaultAddr);
      await r.handle([d], block);
      for (let i = 0; i < 3; i++) {
        await node.rpc("hardhat_setNextBlockBaseFeePerGas", [toBeHex(cap * 2n)]);
        await mine();
        await r.onNewBlock(await head());
      }
      const attempts = store.txAttempts(d.incidentId).filter((a) => a.status !== "failed");
      for (const a of attempts) expect(a.maxFeePerGas! <= cap).to.equal(true);
      expect(store.timeline(d.incidentId).some((e) => /at the cap/.test(e.message))).to.equal(true);
    });

    it("restart: a new Responders over the same store follows the pending pause and sends no second one", async function () {
      const { vault, vaultAddr } = fixture();
      const file = path.join(dir, "keeper.sqlite");
      const store1 = new KeeperStore(file);
      const r1 = await makeResponders(store1);
      await automine(false);
      const block = await head();
      const d = openDecision(store1, block, vaultAddr);
      const [res] = await r1.handle([d], block);
      expect(res.pause?.status).to.equal("sent");
      store1.close();

      const store2 = new KeeperStore(file);
      const r2 = await makeResponders(store2);
      expect(await r2.resumePending()).to.deep.equal([d.incidentId]);
      const [again] = await r2.handle([d], await head());
      expect(again.pause?.status).to.equal("duplicate");
      expect(await nonceOf(sentinelWallet.address, "pending")).to.equal(1);
      await mine();
      const contained = await r2.onNewBlock(await head());
      expect(contained.map((c) => c.incidentId)).to.deep.equal([d.incidentId]);
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(true);
      expect(await nonceOf(sentinelWallet.address)).to.equal(1);
      expect(store2.txAttempts(d.incidentId).map((a) => a.status)).to.deep.equal(["included"]);
      store2.close();
    });

    it("restart after a crash between intent and broadcast re-broadcasts the same transaction (same hash)", async function () {
      const { vault, vaultAddr } = fixture();
      const file = path.join(dir, "keeper.sqlite");
      const store1 = new KeeperStore(file);
      const real = await sentinelSigner();
      // A signer whose broadcast never reaches the node (the process "dies" there).
      const crashing: KeeperSigner = Object.assign(Object.create(Object.getPrototypeOf(real)), real, {
        broadcast: async () => {
          throw new Error("connection reset");
        },
      });
      const r1 = await makeResponders(store1, crashing);
      const block = await head();
      const d = openDecision(store1, block, vaultAddr);
      const [res] = await r1.handle([d], block);
      expect(res.pause?.status).to.equal("pending-broadcast");
      const [intent] = store1.txAttempts(d.incidentId);
      expect(intent.status).to.equal("intent");
      expect(await nonceOf(sentinelWallet.address, "pending")).to.equal(0);
      store1.close();

      const store2 = new KeeperStore(file);
      const r2 = await makeResponders(store2);
      await r2.resumePending();
      await r2.onNewBlock(await head()); // re-broadcasts the recorded transaction (automine mines it)
      expect(await provider.getTransactionReceipt(intent.hash!)).to.not.equal(null);
      await r2.onNewBlock(await head());
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(true);
      expect(store2.incident(d.incidentId)!.status).to.equal("contained");
      expect(await nonceOf(sentinelWallet.address)).to.equal(1);
      store2.close();
    });

    it("a second replica without the store sees the pending pause and does not broadcast", async function () {
      const { vault, vaultAddr } = fixture();
      const storeA = new KeeperStore(":memory:");
      const storeB = new KeeperStore(":memory:");
      const rA = await makeResponders(storeA);
      const rB = await makeResponders(storeB);
      await automine(false);
      const block = await head();
      const dA = openDecision(storeA, block, vaultAddr);
      const dB = openDecision(storeB, block, vaultAddr);
      expect((await rA.handle([dA], block))[0].pause?.status).to.equal("sent");
      const [b] = await rB.handle([dB], block);
      expect(b.pause?.status).to.equal("deferred");
      expect(await nonceOf(sentinelWallet.address, "pending")).to.equal(1);
      await mine();
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(true);
      const contained = await rB.onNewBlock(await head());
      expect(contained[0]).to.include({ incidentId: dB.incidentId, how: "paused-by-other" });
      // And once mined, a late replica's state check finds the scope paused.
      const storeC = new KeeperStore(":memory:");
      const rC = await makeResponders(storeC);
      const dC = openDecision(storeC, await head(), vaultAddr);
      expect((await rC.handle([dC], await head()))[0].pause?.status).to.equal("already-paused");
      expect(await nonceOf(sentinelWallet.address, "pending")).to.equal(1);
    });

    it("simulation failure (sentinel not armed) → nothing broadcast, clear error on the timeline", async function () {
      const { vault, vaultAddr } = fixture();
      // The sentinel fires once (on DEPOSIT) and is now disarmed.
      await (await vault.connect(sentinelWallet.connect(provider)).sentinelPause(Scope.DEPOSIT, HOUR)).wait();
      const store = new KeeperStore(":memory:");
      const r = await makeResponders(store);
      const block = await head();
      const d = openDecision(store, block, vaultAddr, Scope.WITHDRAW);
      const [res] = await r.handle([d], block);
      expect(res.pause?.status).to.equal("simulation-failed");
      expect((res.pause as { reason: string }).reason).to.match(/SentinelNotArmed/);
      expect(await nonceOf(sentinelWallet.address, "pending")).to.equal(1);
      expect(await vault.isPaused(Scope.WITHDRAW)).to.equal(false);
      const errors = store.timeline(d.incidentId).filter((e) => e.kind === "error");
      expect(errors.map((e) => e.message).join("\n")).to.match(/pause NOT sent: simulation of sentinelPause failed: SentinelNotArmed/);
      expect(store.txAttempts(d.incidentId).map((a) => [a.status, a.hash])).to.deep.equal([["failed", undefined]]);
      expect(store.incident(d.incidentId)!.status).to.equal("open");
    });

    it("missing sentinel key → clear error naming the variable, nothing sent", async function () {
      let err: Error | undefined;
      try {
        await createSigner({ type: "local", keyEnv: "BW_MISSING_SENTINEL_KEY" }, provider, { env: {}, label: "signers.sentinel" });
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).to.match(/signers\.sentinel.*BW_MISSING_SENTINEL_KEY is not set/);
      expect(await nonceOf(sentinelWallet.address, "pending")).to.equal(0);
    });
  });

  describe("keeper responders: guardian proposals", function () {
    const MNEMONIC = "test test test test test test test test test test test junk";
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "bw-guard-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("signs the EIP-712 action, writes the action file and, at 1-of-N, submits it", async function () {
      const sys = guardianSys;
      const g1 = sys.guardians[0]!.address;
      const key = HDNodeWallet.fromPhrase(MNEMONIC, undefined, "m/44'/60'/0'/0/1");
      expect(key.address).to.equal(g1);
      const guardianSigner = await createSigner({ type: "local", keyEnv: "G_KEY" }, provider, { env: { G_KEY: key.privateKey }, chainId: CHAIN_ID });
      const store = new KeeperStore(":memory:");
      const multisig = await sys.multisig.getAddress();
      const breaker = await sys.breaker.getAddress();
      const r = new Responders({
        config: {
          chain: { chainId: CHAIN_ID }, contracts: { breaker, guardian: multisig }, alerts: {},
          responders: { guardian: { actionsDir: dir, submitWhenThresholdMet: true } },
        },
        store, provider, guardianSigner, channels: [],
      });
      const block = await head();
      const f = finding("oracle", block.number, block.hash);
      const { incident } = store.openIncident(f, block.timestamp);
      const d: Decision = { finding: f, action: "propose", act: true, incidentId: incident.id, pause: { breaker, scope: Scope.BORROW, durationSeconds: 3600 } };
      const [res] = await r.handle([d], block);
      expect(res.proposal?.status).to.equal("published");
      const p = res.proposal as { file: string; digest: string; signatures: number; threshold: number; submitted?: string };
      expect(p.signatures).to.equal(1);
      expect(p.threshold).to.equal(1);
      const file = JSON.parse(readFileSync(p.file, "utf8"));
      expect(file.digest).to.equal(await sys.multisig.hashAction({ ...file.action, nonce: BigInt(file.action.nonce), deadline: BigInt(file.action.deadline) }));
      expect(file.signatures[0].signer).to.equal(g1);
      expect(p.submitted).to.match(/^0x/);
      expect(await sys.breaker.isPaused(Scope.BORROW)).to.equal(true);
      // Idempotent: same decision again → the same file, nothing new sent.
      const [again] = await r.handle([d], await head());
      expect(again.proposal?.status).to.equal("already-published");
      expect(store.txAttempts(incident.id).filter((a) => a.kind === "propose")).to.have.length(1);
    });

    it("a 503 on the fast-path simulation does not lose the proposal: kept pending, submitted on the next head", async function () {
      const sys = guardianSys;
      const proxy = await startRpcFaultProxy(node.url);
      const faulty = new JsonRpcProvider(proxy.url, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
      try {
        const key = HDNodeWallet.fromPhrase(MNEMONIC, undefined, "m/44'/60'/0'/0/1");
        const guardianSigner = await createSigner({ type: "local", keyEnv: "G_KEY" }, faulty, { env: { G_KEY: key.privateKey }, chainId: CHAIN_ID });
        const store = new KeeperStore(":memory:");
        const multisig = await sys.multisig.getAddress();
        const breaker = await sys.breaker.getAddress();
        const r = new Responders({
          config: { chain: { chainId: CHAIN_ID }, contracts: { breaker, guardian: multisig }, alerts: {}, responders: { guardian: { actionsDir: dir, submitWhenThresholdMet: true } } },
          store, provider: faulty, guardianSigner, channels: [],
        });
        const block = await head();
        const f = finding("oracle-503", block.number, block.hash);
        const { incident } = store.openIncident(f, block.timestamp);
        const d: Decision = { finding: f, action: "propose", act: true, incidentId: incident.id, pause: { breaker, scope: Scope.BORROW, durationSeconds: 3600 } };
        proxy.fail("eth_estimateGas", { status: 503 });
        const [res] = await r.handle([d], block);
        expect(res.proposal?.status).to.equal("error");
        expect(store.action(incident.id, "propose")).to.deep.include({ status: "pending", tries: 1 });
        expect(await sys.breaker.isPaused(Scope.BORROW)).to.equal(false);
        proxy.clear();
        await mine();
        await r.onNewBlock(await head()); // retries the pending proposal: the file exists, only the submission is redone
        expect(store.action(incident.id, "propose")!.status).to.equal("done");
        expect(store.txAttempts(incident.id).filter((a) => a.kind === "propose")).to.have.length(1);
        expect(await sys.breaker.isPaused(Scope.BORROW)).to.equal(true);
      } finally {
        faulty.destroy();
        await proxy.close();
      }
    });
  });
});
