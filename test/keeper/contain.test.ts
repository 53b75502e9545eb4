// The keeper's `contain` action against a real `hardhat node` (spawned by this file): a rule acts
// by calling a configured function — a PauseGate's sentinelPause (the keeper's key is the gate's
// sentinel) or a protocol's own pause() directly with a relayer key — through the sentinel's
// transaction lane: state check, simulation, own nonce, durable intent, confirmation; only
// allow-listed selectors. Targets: the OpenZeppelin Wizard ERC20Pausable + AccessControl token
// and an Aave V3 market deployed from @aave/core-v3's artifacts (gate = EMERGENCY_ADMIN).
import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, type HDNodeWallet } from "ethers";
import { KeeperStore } from "../../keeper/store/store.js";
import { Responders } from "../../keeper/responders/index.js";
import { containResponderSchema, type RespondersConfigInput } from "../../keeper/responders/schema.js";
import { keeperConfigSchema } from "../../keeper/config/schema.js";
import { Policy } from "../../keeper/policy/index.js";
import { ruleSchema } from "../../keeper/detectors/schema.js";
import { createSigner, type KeeperSigner } from "../../keeper/signers/index.js";
import type { BlockRef, Decision, Finding } from "../../keeper/types.js";
import { aavePoolPauseCalls } from "../../client/pause-gate.js";
import { deployAaveMarket, type AaveMarket } from "../helpers/aave-v3.js";
import { deployArtifact, startHardhatNode, type HardhatNode } from "./helpers/node.js";
import { hardhatAccount, setBalance, snapshots, testKey } from "./helpers/chain.js";
import { baseConfig } from "./helpers/keeper.js";
import { startRpcFaultProxy } from "./helpers/rpc-faults.js";

const CHAIN_ID = 31337;
const HOUR = 3600n;
const DAY = 24n * HOUR;
const E18 = 10n ** 18n;
const sentinelWallet = new Wallet(testKey("contain.sentinel"));
const relayerWallet = new Wallet(testKey("contain.relayer"));
const ENV = { TEST_SENTINEL_KEY: sentinelWallet.privateKey, TEST_RELAYER_KEY: relayerWallet.privateKey };

let node: HardhatNode;
let provider: JsonRpcProvider;
let admin: HDNodeWallet;
let user: HDNodeWallet;
let gate: any;
let token: any; // Wizard token, PAUSER_ROLE held by the gate
let direct: any; // Wizard token, PAUSER_ROLE held by the relayer key
let aave: AaveMarket;

async function head(): Promise<BlockRef> {
  const b = (await provider.getBlock("latest"))!;
  return { number: b.number, hash: b.hash!, parentHash: b.parentHash, timestamp: b.timestamp };
}

const signer = (keyEnv: string, label: string): Promise<KeeperSigner> =>
  createSigner({ type: "local", keyEnv }, provider, { env: ENV, chainId: CHAIN_ID, label });

function containConfig(): RespondersConfigInput["contain"] {
  const g = gate.target as string;
  return {
    allowedSelectors: ["sentinelPause(address,uint64)", "pause()"],
    targets: {
      tokenGate: {
        via: "gate", to: g, function: "sentinelPause(address,uint64)", args: [token.target, "3600"],
        containedWhen: { target: token.target, function: "paused()" },
      },
      tokenDirect: {
        via: "direct", to: direct.target, function: "pause()",
        containedWhen: { target: direct.target, function: "paused()" },
      },
      aavePool: {
        via: "gate", to: g, function: "sentinelPause(address,uint64)", args: [aave.configurator.target as string, "21600"],
        containedWhen: { target: aave.dataProvider.target as string, function: "getPaused(address)", args: [aave.debt.target as string] },
      },
    },
  };
}

async function makeResponders(store: KeeperStore, extra: { containSigner?: KeeperSigner } = {}) {
  return new Responders({
    config: { chain: { chainId: CHAIN_ID }, contracts: {}, alerts: {}, responders: { sentinel: { confirmations: 1 }, contain: containConfig() } },
    store, provider, sentinelSigner: await signer("TEST_SENTINEL_KEY", "signers.sentinel"), channels: [], ...extra,
  });
}

function decision(store: KeeperStore, block: BlockRef, target: string, ruleId = "drain"): Decision {
  const f: Finding = { ruleId, detector: "invariant", severity: "P1", fingerprint: `${ruleId}:${target}`, blockNumber: block.number, blockHash: block.hash, summary: "invariant broke", details: {} };
  const { incident } = store.openIncident(f, block.timestamp);
  return { finding: f, action: "contain", act: true, incidentId: incident.id, contain: { target } };
}

const nonce = (a: string, tag: "latest" | "pending" = "latest") => provider.getTransactionCount(a, tag);

describe("keeper contain (hardhat node)", function () {
  this.timeout(120_000);
  let snap: ReturnType<typeof snapshots>;

  before(async function () {
    node = await startHardhatNode();
    provider = node.provider;
    admin = hardhatAccount(node, 0);
    user = hardhatAccount(node, 4);
    await setBalance(node, sentinelWallet.address, 10n ** 20n);
    await setBalance(node, relayerWallet.address, 10n ** 20n);
    // The gate's admin here is an EOA standing for the guardian multisig (test/adapters drives it through the multisig).
    gate = await deployArtifact(admin, "adapters/PauseGate.sol", "PauseGate", admin.address, sentinelWallet.address, HOUR);
    token = await deployArtifact(admin, "test/WizardToken.sol", "WizardToken", admin.address, gate.target, admin.address);
    direct = await deployArtifact(admin, "test/WizardToken.sol", "WizardToken", admin.address, relayerWallet.address, admin.address);
    aave = await deployAaveMarket(admin);
    await (await aave.acl.addEmergencyAdmin(gate.target)).wait();
    const { pauseCall, unpauseCall } = aavePoolPauseCalls();
    await (await gate.registerPausable(token.target, DAY, true)).wait();
    await (await gate.registerSelectorPair(aave.configurator.target, pauseCall, unpauseCall, DAY)).wait();
    await (await gate.armSentinel()).wait();
    snap = snapshots(node);
    await snap.take();
  });
  after(async function () {
    await node?.stop();
  });
  afterEach(async function () {
    await snap.restore();
  });

  it("through the gate: state check, simulate, send, confirm → contained; a second decision sends nothing", async function () {
    const store = new KeeperStore(":memory:");
    const r = await makeResponders(store);
    const block = await head();
    const d = decision(store, block, "tokenGate");
    const [res] = await r.handle([d], block);
    expect(res.contain?.status).to.equal("sent");
    expect(await token.paused()).to.equal(true);
    const contained = await r.onNewBlock(await head());
    expect(contained.map((c) => c.incidentId)).to.deep.equal([d.incidentId]);
    expect(store.incident(d.incidentId)!.status).to.equal("contained");
    const attempts = store.txAttempts(d.incidentId);
    expect(attempts).to.have.length(1);
    expect(attempts[0]).to.include({ kind: "contain", status: "included", nonce: 0, to: gate.target });
    const [again] = await r.handle([d], await head());
    expect(again.contain?.status).to.equal("duplicate");
    expect(await nonce(sentinelWallet.address)).to.equal(1);
    expect((await gate.gatePause(token.target)).expiry).to.be.greaterThan(0n);
  });

  it("already paused → nothing sent, a skipped attempt, incident contained", async function () {
    await (await token.connect(admin).grantRole(await token.PAUSER_ROLE(), admin.address)).wait();
    await (await token.connect(admin).pause()).wait();
    const store = new KeeperStore(":memory:");
    const r = await makeResponders(store);
    const block = await head();
    const d = decision(store, block, "tokenGate");
    const [res] = await r.handle([d], block);
    expect(res.contain?.status).to.equal("already-contained");
    expect(store.txAttempts(d.incidentId).map((a) => a.status)).to.deep.equal(["skipped"]);
    expect(store.incident(d.incidentId)!.status).to.equal("contained");
    expect(await nonce(sentinelWallet.address)).to.equal(0);
  });

  it("a failing simulation sends nothing and says why (gate disarmed; gate lacking the pause role)", async function () {
    await (await gate.disarmSentinel()).wait();
    const store = new KeeperStore(":memory:");
    const r = await makeResponders(store);
    let block = await head();
    const d = decision(store, block, "tokenGate");
    const [res] = await r.handle([d], block);
    expect(res.contain).to.deep.include({ status: "simulation-failed" });
    expect((res.contain as { reason: string }).reason).to.match(/SentinelNotArmed/);
    expect(store.timeline(d.incidentId).some((e) => e.kind === "error" && /contain NOT sent/.test(e.message))).to.equal(true);

    await (await gate.armSentinel()).wait();
    await (await token.connect(admin).revokeRole(await token.PAUSER_ROLE(), gate.target)).wait();
    block = await head();
    const d2 = decision(store, block, "tokenGate", "drain2");
    const [res2] = await r.handle([d2], block);
    expect((res2.contain as { reason: string }).reason).to.match(/AccessControlUnauthorizedAccount.*grant it/);
    expect(await nonce(sentinelWallet.address)).to.equal(0);
    expect(await token.paused()).to.equal(false);
  });

  it("durable: a contain that cannot go through stays pending and is retried on every head; once the gate is armed again it is sent (the same failure is recorded once)", async function () {
    await (await gate.disarmSentinel()).wait();
    const store = new KeeperStore(":memory:");
    const r = await makeResponders(store);
    const d = decision(store, await head(), "tokenGate");
    const [res] = await r.handle([d], await head());
    expect(res.contain?.status).to.equal("simulation-failed");
    expect(store.action(d.incidentId, "contain")).to.include({ status: "pending", tries: 1 });
    // Heads go by while the gate is disarmed: tried each time, nothing sent, no new attempt rows or timeline errors.
    for (let i = 0; i < 2; i++) {
      await provider.send("evm_mine", []);
      expect(await r.retryPending(await head())).to.equal(1);
    }
    expect(store.action(d.incidentId, "contain")).to.include({ status: "pending", tries: 3 });
    expect(store.txAttempts(d.incidentId).filter((a) => a.status === "failed")).to.have.length(1);
    expect(store.timeline(d.incidentId).filter((e) => e.kind === "error")).to.have.length(1);
    expect(await nonce(sentinelWallet.address)).to.equal(0);
    // The guardians re-arm the gate: the next head's retry sends the contain.
    await (await gate.armSentinel()).wait();
    expect(await r.retryPending(await head())).to.equal(1);
    expect(store.action(d.incidentId, "contain")!.status).to.equal("done");
    expect(store.timeline(d.incidentId).some((e) => /contain carried out on try 4/.test(e.message))).to.equal(true);
    await r.onNewBlock(await head());
    expect(await token.paused()).to.equal(true);
    expect(store.incident(d.incidentId)!.status).to.equal("contained");
    expect(await nonce(sentinelWallet.address)).to.equal(1);
    // Nothing left to retry; a retry never sends a second transaction.
    expect(await r.retryPending(await head())).to.equal(0);
    expect(await nonce(sentinelWallet.address)).to.equal(1);
  });

  it("durable: an RPC failure at the state check (HTTP 503 on eth_call) loses nothing: the contain is sent once the RPC answers", async function () {
    const proxy = await startRpcFaultProxy(node.url);
    const viaProxy = new JsonRpcProvider(proxy.url, CHAIN_ID, { staticNetwork: true, batchMaxCount: 1 });
    try {
      const store = new KeeperStore(":memory:");
      const r = new Responders({
        config: { chain: { chainId: CHAIN_ID }, contracts: {}, alerts: {}, responders: { sentinel: { confirmations: 1 }, contain: containConfig() } },
        store, provider: viaProxy, channels: [],
        sentinelSigner: await createSigner({ type: "local", keyEnv: "TEST_SENTINEL_KEY" }, viaProxy, { env: ENV, chainId: CHAIN_ID, label: "signers.sentinel" }),
      });
      const d = decision(store, await head(), "tokenGate");
      proxy.fail("eth_call", { status: 503, times: 1_000 });
      const [res] = await r.handle([d], await head());
      expect(res.contain?.status).to.equal("error");
      expect(store.action(d.incidentId, "contain")).to.include({ status: "pending", tries: 1 });
      expect(store.timeline(d.incidentId).some((e) => e.kind === "error" && /contain not sent \(try 1, retried on every new head/.test(e.message))).to.equal(true);
      expect(await nonce(sentinelWallet.address)).to.equal(0);
      proxy.clear("eth_call");
      await provider.send("evm_mine", []);
      expect(await r.retryPending(await head())).to.equal(1);
      expect(store.action(d.incidentId, "contain")!.status).to.equal("done");
      await provider.send("evm_mine", []);
      await r.onNewBlock(await head());
      expect(await token.paused()).to.equal(true);
      expect(store.incident(d.incidentId)!.status).to.equal("contained");
      expect(await nonce(sentinelWallet.address)).to.equal(1);
    } finally {
      viaProxy.destroy();
      await proxy.close();
    }
  });

  it("a second replica (its own store) does not send a second pause; it sees the first one land and marks its incident contained", async function () {
    await node.rpc("evm_setAutomine", [false]);
    const storeA = new KeeperStore(":memory:");
    const storeB = new KeeperStore(":memory:");
    const a = await makeResponders(storeA);
    const b = await makeResponders(storeB);
    const block = await head();
    const [ra] = await a.handle([decision(storeA, block, "tokenGate")], block);
    expect(ra.contain?.status).to.equal("sent");
    const dB = decision(storeB, block, "tokenGate");
    const [rb] = await b.handle([dB], block);
    expect(rb.contain?.status).to.equal("simulation-failed"); // the pending block already used the arming
    expect((rb.contain as { reason: string }).reason).to.match(/SentinelNotArmed/);
    await node.rpc("evm_mine");
    await node.rpc("evm_setAutomine", [true]);
    const done = await b.onNewBlock(await head());
    expect(done).to.deep.equal([{ incidentId: dB.incidentId, blockNumber: await node.blockNumber(), how: "contained-by-other" }]);
    expect(storeB.incident(dB.incidentId)!.status).to.equal("contained");
    expect(await nonce(sentinelWallet.address)).to.equal(1);
  });

  it("direct: the relayer key calls the protocol's own pause()", async function () {
    const store = new KeeperStore(":memory:");
    const r = await makeResponders(store, { containSigner: await signer("TEST_RELAYER_KEY", "signers.contain") });
    const block = await head();
    const d = decision(store, block, "tokenDirect");
    const [res] = await r.handle([d], block);
    expect(res.contain?.status).to.equal("sent");
    await r.onNewBlock(await head());
    expect(await direct.paused()).to.equal(true);
    expect(store.incident(d.incidentId)!.status).to.equal("contained");
    expect(await nonce(relayerWallet.address)).to.equal(1);
  });

  it("durable intent: a restart follows the transaction left in flight and never sends a second one", async function () {
    await node.rpc("evm_setAutomine", [false]);
    const store = new KeeperStore(":memory:");
    const r1 = await makeResponders(store);
    const block = await head();
    const d = decision(store, block, "tokenGate");
    const [res] = await r1.handle([d], block);
    expect(res.contain?.status).to.equal("sent");
    // "Crash": a new Responders on the same store resumes; the decision replayed is a duplicate.
    const r2 = await makeResponders(store);
    expect(await r2.resumePending()).to.deep.equal([d.incidentId]);
    const [replay] = await r2.handle([d], await head());
    expect(replay.contain?.status).to.equal("duplicate");
    await node.rpc("evm_mine");
    await node.rpc("evm_setAutomine", [true]);
    const done = await r2.onNewBlock(await head());
    expect(done.map((c) => c.incidentId)).to.deep.equal([d.incidentId]);
    expect(await nonce(sentinelWallet.address)).to.equal(1);
    expect(await token.paused()).to.equal(true);
  });

  it("Aave V3: an oracle jump breaks the price invariant; the rule contains through the gate (setPoolPause) before the borrow that would drain the market", async function () {
    const attackerPool = aave.pool.connect(user) as Contract;
    const debt = aave.debt.target as string;
    const col = aave.collateral.target as string;
    await (await aave.debt.connect(admin).getFunction("mint")(admin.address, 1_000_000n * E18)).wait();
    await (await aave.debt.connect(admin).getFunction("approve")(aave.pool.target, 2n ** 255n)).wait();
    await (await aave.pool.connect(admin).getFunction("supply")(debt, 1_000_000n * E18, admin.address, 0)).wait();
    await (await aave.collateral.connect(admin).getFunction("mint")(user.address, E18)).wait();
    await (await aave.collateral.connect(user).getFunction("approve")(aave.pool.target, 2n ** 255n)).wait();
    await (await attackerPool.getFunction("supply")(col, E18, user.address, 0)).wait();

    // Attack step 1: the collateral's price jumps 100x (a manipulated feed).
    await aave.setCollateralPrice(200_000n * 10n ** 8n);
    const price = (await aave.oracle.getFunction("getAssetPrice")(col)) as bigint;
    // The rule as configured: the collateral price must stay <= 10,000 USD; act: contain via the gate.
    const rule = ruleSchema.parse({
      id: "aave-oracle-jump", severity: "P1", action: "contain", act: true, contain: { target: "aavePool" },
      detector: { kind: "invariant", invariant: { type: "view-compare", target: aave.oracle.target, signature: "getAssetPrice(address)", args: [col], op: "lte", value: (10_000n * 10n ** 8n).toString() } },
    });
    expect(price > 10_000n * 10n ** 8n).to.equal(true); // the invariant broke at this block
    const store = new KeeperStore(":memory:");
    const policy = new Policy([rule], store, {});
    const block = await head();
    const f: Finding = { ruleId: rule.id, detector: "invariant", severity: "P1", fingerprint: "aave-oracle-jump", blockNumber: block.number, blockHash: block.hash, summary: `collateral price ${price} > 10000e8`, details: {} };
    const [d] = policy.decide([f], block);
    expect(d).to.deep.include({ action: "contain", act: true, contain: { target: "aavePool" } });
    const r = await makeResponders(store);
    const [res] = await r.handle([d], block);
    expect(res.contain?.status).to.equal("sent");
    await r.onNewBlock(await head());
    expect(store.incident(d.incidentId)!.status).to.equal("contained");
    expect(await aave.dataProvider.getFunction("getPaused")(debt)).to.equal(true);

    // Attack step 2: borrowing 150k TUSD against 1 WTE (worth 2k) is refused: RESERVE_PAUSED ("29").
    let reason = "";
    try {
      await attackerPool.getFunction("borrow").staticCall(debt, 150_000n * E18, 2, 0, user.address);
    } catch (e) {
      reason = String((e as { reason?: string }).reason ?? (e as Error).message);
    }
    expect(reason).to.match(/29/);
    expect(await aave.debt.getFunction("balanceOf")(aave.aDebt)).to.equal(1_000_000n * E18);
  });

  it("config: only allow-listed selectors are callable; unknown targets and bad signatures fail fast with the field", function () {
    const t = { via: "direct", to: token.target, function: "unpause()", containedWhen: { target: token.target, function: "paused()" } };
    const bad = containResponderSchema.safeParse({ allowedSelectors: ["pause()"], targets: { undo: t } });
    expect(bad.success).to.equal(false);
    expect(bad.error!.issues[0]).to.deep.include({ path: ["targets", "undo", "function"] });
    expect(bad.error!.issues[0].message).to.match(/unpause\(\) \(0x3f4ba83a\) is not in responders.contain.allowedSelectors/);
    const wrongGate = containResponderSchema.safeParse({ allowedSelectors: ["pause()"], targets: { g: { ...t, via: "gate", function: "pause()" } } });
    expect(wrongGate.error!.issues[0].message).to.match(/via "gate" calls the PauseGate's sentinelPause/);
    const sig = containResponderSchema.safeParse({ allowedSelectors: ["pause("], targets: {} });
    expect(sig.error!.issues[0].message).to.match(/neither a 4-byte selector/);
    const cfg = keeperConfigSchema.safeParse({
      ...baseConfig(["http://127.0.0.1:1"]),
      signers: {},
      rules: [{ id: "r", severity: "P1", action: "contain", act: true, contain: { target: "nope" }, detector: { kind: "matcher", events: [{ signature: "Transfer(address,address,uint256)" }] } }],
    });
    expect(cfg.success).to.equal(false);
    const msgs = cfg.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(msgs.some((m) => /^rules\.0\.contain\.target: .*"nope".*none defined/.test(m))).to.equal(true);
    expect(msgs.some((m) => /^rules\.0\.action: .*neither signers.contain nor signers.sentinel/.test(m))).to.equal(true);
    const both = keeperConfigSchema.safeParse({
      ...baseConfig(["http://127.0.0.1:1"]),
      signers: { sentinel: { type: "local", keyEnv: "K" } },
      responders: { contain: containConfig() },
      rules: [
        { id: "p", severity: "P1", action: "pause", act: true, pause: { scope: "GLOBAL", durationSeconds: 3600 }, detector: { kind: "matcher", events: [{ signature: "A()" }] } },
        { id: "c", severity: "P1", action: "contain", act: true, contain: { target: "tokenGate" }, detector: { kind: "matcher", events: [{ signature: "B()" }] } },
      ],
    });
    expect(both.success).to.equal(false);
    expect(both.error!.issues.map((i) => i.path.join("."))).to.deep.equal(["signers.contain"]);
  });

  it("config: contain targets name contracts as $name (contracts.named / the address book), resolved once; an unknown name is an error at its field", function () {
    const named = { gate: gate.target as string, token: token.target as string };
    const target = { via: "gate", to: "$gate", function: "sentinelPause(address,uint64)", args: ["$token", "3600"], containedWhen: { target: "$token", function: "paused()" } };
    const base = { ...baseConfig(["http://127.0.0.1:1"]), contracts: { named }, signers: { contain: { type: "local", keyEnv: "K" } } };
    const ok = keeperConfigSchema.parse({ ...base, responders: { contain: { allowedSelectors: ["sentinelPause(address,uint64)"], targets: { t: target } } } });
    expect(ok.responders.contain.targets.t).to.deep.include({ to: named.gate, args: [named.token, "3600"] });
    expect(ok.responders.contain.targets.t!.containedWhen.target).to.equal(named.token);
    const bad = keeperConfigSchema.safeParse({ ...base, responders: { contain: { allowedSelectors: ["sentinelPause(address,uint64)"], targets: { t: { ...target, to: "$nope" } } } } });
    expect(bad.success).to.equal(false);
    expect(bad.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)[0]).to.match(/^responders\.contain\.targets\.t\.to: unknown name "\$nope": define it in contracts\.named or the address book \(gate, token\)/);
  });
});
