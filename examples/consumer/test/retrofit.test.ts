// The retrofit, as the project's team runs it (README "Protecting a protocol that is already
// deployed: the PauseGate", "Retrofit, step by step"): the LegacyVault — already deployed, plain
// OpenZeppelin Pausable + AccessControl — gets a PauseGate from `breakwater deploy` (the
// `pauseGates` entry of deploy/breakwater-retrofit.localhost.json), the vault's admin grants the
// gate PAUSER_ROLE, readiness shows the gate, the drill rehearses it (embedded chain, then a fork of
// the node through its address book and the production keeper config), and the keeper bin contains
// a live drain through the gate; after the pause's expiry anyone releases it and the guardians
// re-arm the gate through the multisig's slow path. Everything through
// the installed package (tasks, bin, `breakwater/drills`); this file keeps its address book,
// journal and reports in a temp dir (deployments/localhost.json stays test/pool.test.ts's).
import { expect } from "chai";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, Wallet, id, parseUnits } from "ethers";
import { PAUSE_GATE_ABI, pauseGateIface } from "breakwater/client";
import { KEYS, ROOT, expectOk, freePort, hardhat, keeperCli, startKeeper, startNode, type Node } from "./helpers.js";
import type { DrillScore as Report } from "breakwater/drills";
import { CONTAIN_SECONDS, DEPOSIT, LEGACY } from "../drills/_legacy-vault.js";

interface Finding {
  id: string;
  severity: string;
  title: string;
}

/** The pool's sentinel (#4) and the gate's sentinel (#17): two lanes, two keys. */
const KEEPER_KEYS = { BREAKWATER_SENTINEL_KEY: KEYS[4], BREAKWATER_CONTAIN_KEY: KEYS[17] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const artifact = (name: string) => JSON.parse(readFileSync(join(ROOT, `artifacts/contracts/${name}.sol/${name}.json`), "utf8")) as { abi: unknown[] };

describe("retrofit: the already deployed LegacyVault contained through a PauseGate (package from its tarball)", function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), "consumer-retrofit-"));
  const book = join(dir, "localhost.json");
  const vaultFile = join(dir, "legacy-vault.localhost.json");
  const protocolFile = join(dir, "protocol.localhost.json");
  const store = join(dir, "keeper-retrofit.sqlite");
  let node: Node;
  let env: Record<string, string>;
  let vault: Contract;
  let gate: Contract;
  let contracts: Record<string, string>;

  const readiness = (extra: string[] = []) => {
    const r = hardhat(["--network", "localhost", "breakwater", "readiness", "--plan", "plan.retrofit.ts", "--keeper-config", "keeper.retrofit.config.ts", "--address-book", book, "--json", ...extra], { ...env, ...KEEPER_KEYS });
    const report = JSON.parse(r.stdout) as { findings?: Finding[] };
    expect(report.findings, r.stdout + r.stderr).to.be.an("array");
    return report.findings!;
  };
  const drill = (extra: string[], out: string): Report => {
    const reports = join(dir, out);
    expectOk(hardhat(["breakwater", "drill", "run", "./drills/legacy-vault-gate.ts", "--no-build", "--out", reports, ...extra], env), `drill run legacy-vault-gate ${extra.join(" ")}`);
    return JSON.parse(readFileSync(join(reports, "legacy-vault-gate.json"), "utf8")) as Report;
  };
  const contained = (r: Report) => {
    expect(r.skipped, "skipped").to.equal(undefined);
    expect(r.unmet, "unmet expectations").to.deep.equal([]);
    expect(r.expectationsMet).to.equal(true);
    expect(r.falseAlarms).to.equal(0);
    expect(String(r.facts.containment)).to.match(/^scored: the keeper contains through PauseGate 0x[0-9a-fA-F]{40}: sentinelPause\(address,uint64\) → OpenZeppelin Pausable: pause\(\), 3600 s$/);
    expect(r.detectedBlock).to.equal(r.firstMaliciousBlock);
    expect(r.blocksToContain).to.equal(1);
    expect(r.transactions.filter((t) => t.kind === "malicious").map((t) => t.success), "the first withdrawal lands, the rest meet EnforcedPause").to.deep.equal([true, false, false, false]);
    expect(BigInt(r.fundsLost)).to.equal(100_000n * 10n ** 6n);
    expect(r.facts.protocolPausedAtEnd).to.equal("yes");
    expect(r.incidents?.map((i) => i.ruleId)).to.deep.equal(["legacy-vault-drain"]);
  };

  before(async () => {
    node = await startNode();
    env = { LOCALHOST_RPC_URL: node.url, POOL_RPC_URL: node.url, POOL_ADDRESS_BOOK: book, POOL_PROTOCOL_FILE: protocolFile, LEGACY_VAULT_FILE: vaultFile, POOL_KEEPER_STORE: store, POOL_KEEPER_PORT: String(await freePort()), POOL_WEBHOOK_SECRET: "test-secret" };
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("drills/legacy-vault-gate.ts on the embedded chain: contained in the next block, 88.89% saved", () => {
    const r = drill([], "embedded");
    contained(r);
    expect(r.fork).to.equal(null);
    expect(r.savedPct).to.be.closeTo(88.89, 0.01);
  });

  it("the deploy flow: the pool, the LegacyVault, `breakwater deploy` with its pauseGates entry; the gate handed to the multisig", async () => {
    expectOk(hardhat(["--network", "localhost", "run", "scripts/deploy-protocol.ts"], env), "deploy-protocol");
    expectOk(hardhat(["--network", "localhost", "run", "scripts/deploy-legacy-vault.ts"], env), "deploy-legacy-vault");
    copyFileSync(join(ROOT, "deployments/protocol.localhost.json"), protocolFile);
    copyFileSync(join(ROOT, "deployments/legacy-vault.localhost.json"), vaultFile);
    const { legacyVault } = JSON.parse(readFileSync(vaultFile, "utf8")) as { legacyVault: string };
    const params = JSON.parse(readFileSync(join(ROOT, "deploy/breakwater-retrofit.localhost.json"), "utf8")) as { pauseGates: { targets: { target: string }[] }[] };
    expect(params.pauseGates[0]!.targets[0]!.target).to.equal(legacyVault);
    expectOk(hardhat(["--network", "localhost", "breakwater", "deploy", "--params", "deploy/breakwater-retrofit.localhost.json", "--deployments", dir], env), "breakwater deploy (retrofit)");
    contracts = (JSON.parse(readFileSync(book, "utf8")) as { contracts: Record<string, string> }).contracts;
    expect(contracts.pool, "the pool is wired as before").to.be.a("string");
    expect(contracts.legacyGate, "the gate lands in the book under its name").to.match(/^0x[0-9a-fA-F]{40}$/);
    gate = new Contract(contracts.legacyGate!, PAUSE_GATE_ABI as unknown as string[], node.provider);
    vault = new Contract(legacyVault, artifact("LegacyVault").abi as never, node.provider);
    expect(await gate.getFunction("admin")()).to.equal(contracts.guardian, "admin handed to the multisig");
    const st = await gate.getFunction("sentinelState")();
    expect([st[0], st[1]]).to.deep.equal([LEGACY.containKey, true]);
    expect(Number((await gate.getFunction("targetConfig")(legacyVault)).adapter), "registered: Pausable adapter").to.equal(1);
    expect(await vault.getFunction("totalDeposits")()).to.equal(3n * DEPOSIT);
  });

  it("readiness names the missing PAUSER_ROLE; after the vault's admin grants it (scripts/grant-legacy-pauser.ts) the gate is clean (the deploy flow allow-listed its admin functions on the multisig)", () => {
    const before = readiness();
    expect(before.map((f) => f.id), JSON.stringify(before, null, 2)).to.include("gate.missing-pause-permission");
    expectOk(hardhat(["--network", "localhost", "run", "scripts/grant-legacy-pauser.ts"], { ...env, BREAKWATER_ADDRESS_BOOK: book }), "grant-legacy-pauser");
    const after = readiness();
    const gateFindings = after.filter((f) => f.id.startsWith("gate."));
    expect(gateFindings, JSON.stringify(gateFindings, null, 2)).to.deep.equal([]);
    // Without the keeper running, its /healthz is the only high finding.
    expect(after.filter((f) => f.severity === "high").map((f) => f.id), JSON.stringify(after, null, 2)).to.deep.equal(["keeper.down"]);
  });

  it("drills/legacy-vault-gate.ts on a fork of the node: attaches to the book's gate and the production keeper config; the node's gate is untouched", async () => {
    const r = drill(["--fork-url", node.url, "--address-book", book, "--keeper-config", "keeper.retrofit.config.ts"], "fork");
    contained(r);
    expect(r.fork?.url).to.equal(node.url);
    expect(r.addressBook).to.equal(book);
    expect(r.facts.gate).to.equal(`PauseGate ${contracts.legacyGate} of the address book`);
    expect(String(r.facts.gateAdminImpersonated)).to.equal(`${contracts.guardian}: setSentinel(the drill's key) replacing ${LEGACY.containKey}, armSentinel()`); // a new sentinel starts unarmed
    expect(r.facts.pausePowerGranted, "the deploy flow's grant is on the forked chain").to.equal(undefined);
    const st = await gate.getFunction("sentinelState")();
    expect([st[0], st[1]]).to.deep.equal([LEGACY.containKey, true]);
    expect(await vault.getFunction("paused")()).to.equal(false);
  });

  it("the keeper bin contains a live drain through the gate: the first withdrawal lands, the rest revert with EnforcedPause; after expiry anyone releases", async () => {
    const keyEnv = { ...env, ...KEEPER_KEYS };
    expectOk(keeperCli(["--config", "keeper.retrofit.config.ts", "--check"], keyEnv), "breakwater-keeper --check");
    const keeper = startKeeper(["--config", "keeper.retrofit.config.ts"], keyEnv);
    const attacker = node.wallet(18);
    const asAttacker = vault.connect(attacker) as Contract;
    try {
      for (let t = 0; !/keeper started/.test(keeper.output()); t++) {
        if (t > 120 || /keeper not started|crashed/.test(keeper.output())) throw new Error(`the keeper did not start:\n${keeper.output()}`);
        await sleep(250);
      }
      const ready = readiness();
      expect(ready.filter((f) => f.severity === "high"), JSON.stringify(ready, null, 2)).to.deep.equal([]);
      expect(ready.filter((f) => f.id.startsWith("gate.")).map((f) => f.id)).to.deep.equal([]);

      // An honest withdrawal (below the rule's 50,000 pUSD) changes nothing.
      await (await (vault.connect(node.wallet(14)) as Contract).getFunction("withdraw")(parseUnits("1000", 6))).wait();
      await node.rpc("evm_setAutomine", [false]);
      await node.rpc("evm_setIntervalMining", [1000]);
      await sleep(3000);
      // The attacker found withdrawFor's missing delegation check: 100,000 pUSD of a depositor per tx.
      const receipts = [];
      for (const victim of [...LEGACY.depositors, LEGACY.depositors[0]]) {
        const tx = await asAttacker.getFunction("withdrawFor")(victim, parseUnits("100000", 6), { gasLimit: 300_000 });
        receipts.push(await node.provider.waitForTransaction(tx.hash));
        await sleep(1500);
      }
      const out = () => keeper.output().slice(-4000);
      expect(receipts[0]?.status, "the first withdrawal lands before anyone can react").to.equal(1);
      expect(await vault.getFunction("paused")(), `the vault is paused (keeper output:\n${out()})`).to.equal(true);
      const landed = receipts.filter((r) => r?.status === 1).length;
      expect(landed, `withdrawals that landed (keeper output:\n${out()})`).to.be.at.most(2);
      expect(receipts.at(-1)?.status).to.equal(0);
      const err = (await asAttacker.getFunction("withdrawFor").staticCall(LEGACY.depositors[1], parseUnits("100000", 6)).catch((e: unknown) => e)) as { revert?: { name: string } };
      expect(err.revert?.name, "a withdrawal now meets the vault's own pause").to.equal("EnforcedPause");
      const st = await gate.getFunction("sentinelState")();
      expect(st[1], "the arming is used up: one pause per arming").to.equal(false);
      expect((await gate.getFunction("gatePause")(vault.target)).expiry, "a bounded pause: it expires").to.be.greaterThan(0n);
    } finally {
      await keeper.stop();
      await node.rpc("evm_setIntervalMining", [0]);
      await node.rpc("evm_setAutomine", [true]);
    }
    // Before expiry nobody can release; after it anyone can (an account with no role at all).
    const anyone = gate.connect(new Wallet(KEYS[13], node.provider)) as Contract;
    expect(await gate.getFunction("isReleasable")(vault.target)).to.equal(false);
    const early = (await anyone.getFunction("release").staticCall(vault.target).catch((e: unknown) => e)) as { revert?: { name: string } };
    expect(early.revert?.name).to.equal("PauseNotExpired");
    await node.rpc("evm_increaseTime", [CONTAIN_SECONDS + 1]);
    await node.rpc("evm_mine");
    expect(await gate.getFunction("isReleasable")(vault.target)).to.equal(true);
    await (await anyone.getFunction("release")(vault.target)).wait();
    expect(await vault.getFunction("paused")()).to.equal(false);
    const depositor = vault.connect(node.wallet(16)) as Contract;
    await (await depositor.getFunction("withdraw")(parseUnits("1000", 6))).wait();
    expect(await vault.getFunction("hasRole")(id("PAUSER_ROLE"), contracts.legacyGate)).to.equal(true);
  });

  it("after the incident the guardians re-arm the gate through the multisig's slow path (a Call of armSentinel, guardian tasks); readiness is clean again", async () => {
    const before = readiness();
    expect(before.map((f) => f.id), JSON.stringify(before, null, 2)).to.include("gate.not-armed");
    // 2 of the 4 guardians (slowThreshold 2), a 1-day delay with a veto window: propose, sign, queue, wait, execute.
    const g = { ...env, G1: KEYS[1], G2: KEYS[2] };
    const bw = (args: string[], what: string) => expectOk(hardhat(["--network", "localhost", "breakwater", "guardian", ...args, "--deployments", dir], g), what);
    const file = join(dir, "rearm.json");
    bw(["propose", "--kind", "Call", "--target", contracts.legacyGate!, "--args", pauseGateIface.encodeFunctionData("armSentinel", []), "--out", file, "--force"], "propose Call armSentinel");
    bw(["sign", "--file", file, "--key-env", "G1"], "sign (guardian 1)");
    bw(["sign", "--file", file, "--key-env", "G2"], "sign (guardian 2)");
    bw(["submit", "--file", file, "--key-env", "G1"], "submit (queued)");
    const queued = (JSON.parse(readFileSync(file, "utf8")) as { submitted: { id: string } }).submitted.id;
    await node.rpc("evm_increaseTime", [86_400 + 60]);
    await node.rpc("evm_mine");
    bw(["execute-queued", "--id", queued, "--key-env", "G1"], "execute-queued");
    expect((await gate.getFunction("sentinelState")())[1], "armed again").to.equal(true);
    const after = readiness();
    expect(after.filter((f) => f.id.startsWith("gate.")), JSON.stringify(after, null, 2)).to.deep.equal([]);
  });
});
