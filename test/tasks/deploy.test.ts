// `breakwater deploy` against a real `hardhat node` (spawned), as an operator runs it on a protocol's
// own contracts: invalid parameters send nothing and write nothing (no journal, no address book);
// a user's own Breakable contract is wired and handed to the multisig, which manages it from its
// constructor (a guardian fast-path Pause works at once); a deployment interrupted mid-way (the
// connection drops after the k-th transaction) resumes from the Ignition journal to a complete,
// verified suite with no duplicate contracts.
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbiCoder, Contract, Wallet, ZeroHash, id, keccak256, zeroPadValue } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../client/artifacts.js";
import { ActionKind, Args, buildAction, guardianDomainFor, signApprovals } from "../../client/guardian-actions.js";
import { breakwaterModule } from "../../ignition/modules/breakwater.js";
import { readAddressBook } from "../../tasks/lib/address-book.js";
import { fromConnection, type OperatorChain } from "../../tasks/lib/chain.js";
import { OperatorError } from "../../tasks/lib/errors.js";
import { setOutput } from "../../tasks/lib/output.js";
import { Scopes } from "../../tasks/lib/validation.js";
import { commonDefaults } from "../../tasks/operator/common.js";
import { runDeploy, type DeployArgs } from "../../tasks/operator/deploy-action.js";
import { loadDeployParams, toPlan } from "../../tasks/operator/deploy-params.js";
import { pendingFutures } from "../../tasks/operator/deploy-preflight.js";
import { deployArtifact, startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";
import { LOCAL_PARAMS } from "./helpers.js";
import { GATE_ADMIN_SELECTORS, PAUSE_GATE_ABI } from "../../client/pause-gate.js";
import { keeperConfigSchema } from "../../keeper/config/schema.js";
import { checkGates } from "../../tasks/readiness/gates.js";
import { baseConfig } from "../keeper/helpers/keeper.js";
import { deployAaveMarket } from "../helpers/aave-v3.js";

const ROLES = { DEFAULT_ADMIN_ROLE: ZeroHash, EMERGENCY_ROLE: id("EMERGENCY_ROLE"), RECOVERY_ROLE: id("RECOVERY_ROLE") };

async function expectFail(p: Promise<unknown>, ...fragments: string[]): Promise<OperatorError> {
  try {
    await p;
  } catch (err) {
    expect(err, String((err as Error).stack)).to.be.instanceOf(OperatorError);
    for (const f of fragments) expect((err as Error).message).to.include(f);
    return err as OperatorError;
  }
  throw new Error(`expected a failure mentioning ${fragments.join(", ")}`);
}

describe("tasks: deploy a protocol's own contracts (Ignition, against a hardhat node)", function () {
  this.timeout(240_000);
  let node: HardhatNode;
  let chain: OperatorChain;
  let work: string;
  let token: string;
  let token2: string;
  const out: string[] = [];

  before(async () => {
    node = await startHardhatNode();
    chain = await fromConnection((await hre.network.create({ network: "localhost", override: { url: node.url } })) as never);
    work = mkdtempSync(join(tmpdir(), "bw-deploy-"));
    setOutput((t) => out.push(t));
    const deployer = node.wallet(0);
    token = await (await deployArtifact(deployer, "test/TestToken.sol", "TestToken", "USD Coin", "USDC", 6)).getAddress();
    token2 = await (await deployArtifact(deployer, "test/TestToken.sol", "TestToken", "Wrapped Ether", "WETH", 18)).getAddress();
  });
  after(async () => {
    await node?.stop();
  });

  /** A Breakable contract of the user's, deployed with the deployer (account #0) as admin. */
  async function userTreasury(admin?: string): Promise<string> {
    const c = await deployArtifact(node.wallet(0), "test/TestBreakableTreasury.sol", "TestBreakableTreasury", admin ?? node.wallet(0).address, 14 * 86400, 86400);
    return c.getAddress();
  }

  /** A params file: local.json without the example vault, wiring `treasury` as the user's protocol. */
  function params(name: string, treasury: string, patch: (p: any) => void = () => {}): string {
    const p = JSON.parse(readFileSync(LOCAL_PARAMS, "utf8"));
    p.breaker = { exampleVault: false, maxPause: "7d", gracePeriod: "1d" };
    delete p.testToken;
    p.limits = [];
    p.protocol = [
      {
        name: "treasury",
        address: treasury,
        kind: "breakable",
        limits: [
          { asset: token, maxCapacity: "100000e6", window: "1h", mode: "Queue", settlementDelay: "6h" },
          { asset: token2, maxCapacity: "50e18", window: "1h" },
        ],
      },
    ];
    patch(p);
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(p, null, 2));
    return file;
  }

  const args = (dir: string, file: string, extra: Partial<DeployArgs> = {}): DeployArgs => ({ ...commonDefaults, deployments: dir, params: file, withExampleVault: false, force: false, ...extra });

  /** The block a contract was created in (binary search on its code). */
  async function firstCreation(addr: string): Promise<number> {
    let lo = 0;
    let hi = await node.blockNumber();
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await node.provider.getCode(addr, mid)) === "0x") lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async function snapshot() {
    return { nonce: await node.provider.getTransactionCount(node.wallet(0).address), block: await node.blockNumber() };
  }

  describe("nothing is sent on an invalid parameter", () => {
    let treasury: string;
    before(async () => {
      treasury = await userTreasury();
    });

    const cases: [string, (p: any) => void, string[]][] = [
      [
        "a broken checksum",
        (p) => {
          // One character of a checksummed address flipped in case.
          p.protocol[0].limits[1].asset = token2.replace(/[a-f]/, (c: string) => c.toUpperCase());
        },
        ["protocol[0].limits[1].asset", "wrong EIP-55 checksum", "all lower case"],
      ],
      [
        "a missing contract (no code at the address)",
        (p) => {
          p.protocol[0].address = Wallet.createRandom().address;
        },
        ["protocol[0].address", "no code there"],
      ],
      [
        "an absurd duration",
        (p) => {
          p.protocol[0].limits[0].window = "3650d";
          p.breaker.maxPause = "100000d";
        },
        ["protocol[0].limits[0].window", "window 3650d is outside the allowed range 1m..30d", "breaker.maxPause", "allowed range 1m..30d"],
      ],
      [
        "a PauseGate over a contract that is not Pausable, a duplicate target, an absurd maxDuration",
        (p) => {
          const t = { adapter: "pausable", target: token, maxDuration: "1d" };
          p.pauseGates = [{ name: "gate", sentinel: Wallet.createRandom().address, cooldown: "1h", targets: [t, t, { adapter: "aaveV3", poolConfigurator: token2, maxDuration: "60d" }] }];
        },
        ["pauseGates[0].targets[1]", "already targets[0] of this gate", "pauseGates[0].targets[2].maxDuration", "maxDuration 60d is outside the allowed range 1m..30d"],
      ],
      [
        "a PauseGate target that does not answer paused()",
        (p) => {
          p.pauseGates = [{ name: "gate", sentinel: Wallet.createRandom().address, cooldown: "1h", targets: [{ adapter: "pausable", target: token, maxDuration: "1d" }] }];
        },
        ["pauseGates[0].targets[0].target", "does not answer paused()", '"selectorPair"'],
      ],
      [
        "a Breakable whose admin is not the deployer",
        () => {},
        ["does not hold DEFAULT_ADMIN_ROLE and RECOVERY_ROLE", "--from / --key-env"],
      ],
    ];
    for (const [what, patch, fragments] of cases) {
      it(`refuses ${what}, in --dry-run and for real, sending nothing and writing no journal or address book`, async () => {
        const target = what.startsWith("a Breakable whose admin") ? await userTreasury(node.wallet(3).address) : treasury;
        const file = params(what.replace(/\W+/g, "-"), target, patch);
        const dir = mkdtempSync(join(work, "bad-"));
        const before = await snapshot();
        for (const dryRun of [true, false]) await expectFail(runDeploy(args(dir, file, { dryRun }), chain), ...fragments, "nothing was sent");
        expect(await snapshot()).to.deep.equal(before);
        expect(existsSync(join(dir, "localhost.json")), "address book").to.equal(false);
        expect(existsSync(join(dir, "ignition")), "Ignition journal").to.equal(false);
      });
    }
  });

  it("wires the user's own Breakable contract: managed by the multisig from the start, a guardian fast-path Pause works at once", async () => {
    const treasury = await userTreasury();
    const dir = mkdtempSync(join(work, "ok-"));
    const file = params("treasury-ok", treasury);
    const dry = await runDeploy(args(dir, file, { dryRun: true }), chain);
    expect(dry.dryRun).to.equal(true);
    expect(existsSync(join(dir, "ignition"))).to.equal(false);

    const res = await runDeploy(args(dir, file), chain);
    const book = readAddressBook(dir, "localhost");
    expect(book).to.deep.equal(res.book);
    expect(book.contracts.treasury).to.equal(treasury);
    expect(book.contracts.breaker, "the user's contract is the breaker; no unused CircuitBreaker").to.equal(treasury);
    expect(book.contracts.circuitBreaker).to.equal(undefined);
    expect(book.protocol).to.deep.equal([{ name: "treasury", address: treasury, kind: "breakable", breaker: treasury }]);
    const ms = book.contracts.guardian!;
    expect(book.roleHolders?.treasury).to.deep.equal({ DEFAULT_ADMIN_ROLE: [ms], EMERGENCY_ROLE: [ms], RECOVERY_ROLE: [ms] });
    expect(book.ignition?.deploymentId).to.equal("breakwater-localhost-treasury-ok");
    expect(existsSync(join(dir, "ignition", "breakwater-localhost-treasury-ok", "journal.jsonl"))).to.equal(true);

    const t = new Contract(treasury, loadArtifact("Breakable").abi as never, node.provider);
    for (const role of Object.values(ROLES)) {
      expect(await t.hasRole!(role, ms)).to.equal(true);
      expect(await t.hasRole!(role, node.wallet(0).address)).to.equal(false);
    }
    expect((await t.limitOf!(token)).maxCapacity).to.equal(100000n * 10n ** 6n);
    expect((await t.limitOf!(token2)).mode).to.equal(0n);
    expect(await t.rescueVault!()).to.equal(book.contracts.rescueVault);
    expect((await t.sentinelState!())[0]).to.equal(book.roles?.sentinel);
    expect(await t.pauseBounds!()).to.deep.equal([7n * 86400n, 86400n]);

    // The guardians pause it through the multisig's fast path right away: no SetManaged first.
    const multisig = new Contract(ms, loadArtifact("GuardianMultisig").abi as never, node.wallet(1));
    expect(await multisig.isManaged!(treasury)).to.equal(true);
    const now = (await node.provider.getBlock("latest"))!.timestamp;
    const action = buildAction(ActionKind.Pause, treasury, Args.pause(Scopes.GLOBAL, 3600), { deadline: now + 3600 });
    const approvals = await signApprovals([node.wallet(1), node.wallet(2)], guardianDomainFor(ms, 31337), action);
    await (await multisig.execute!(action, approvals)).wait();
    expect(await t.isPaused!(Scopes.GLOBAL)).to.equal(true);

    // Re-running the same deployment is refused (the book exists); with --force it is a no-op resume.
    await expectFail(runDeploy(args(dir, file), chain), "already exists", "--force");
    const nonce = await node.provider.getTransactionCount(node.wallet(0).address);
    const again = await runDeploy(args(dir, file, { force: true }), chain);
    expect(again.resumed).to.equal(true);
    expect(again.book.contracts).to.deep.equal(book.contracts);
    expect(await node.provider.getTransactionCount(node.wallet(0).address), "nothing sent again").to.equal(nonce);
  });

  it("retrofit: PauseGates over an already deployed OpenZeppelin Pausable token and an Aave V3 market, registered, armed and handed to the multisig", async () => {
    const deployer = node.wallet(0);
    const wizard = await deployArtifact(deployer, "test/WizardToken.sol", "WizardToken", deployer.address, deployer.address, deployer.address);
    const aave = await deployAaveMarket(deployer);
    const keeperKey = Wallet.createRandom().connect(node.provider);
    const dir = mkdtempSync(join(work, "gates-"));
    const [wizardAddr, configurator] = [await wizard.getAddress(), await aave.configurator.getAddress()];
    const file = params("gates", await userTreasury(), (p) => {
      p.pauseGates = [
        {
          name: "protocolGate",
          sentinel: keeperKey.address,
          cooldown: "1h",
          targets: [
            { adapter: "pausable", target: wizardAddr, maxDuration: "1d" },
            { adapter: "aaveV3", poolConfigurator: configurator, maxDuration: "6h" },
          ],
        },
      ];
    });
    const res = await runDeploy(args(dir, file), chain);
    const gateAddr = res.book.contracts.protocolGate!;
    const ms = res.book.contracts.guardian!;
    const gate = new Contract(gateAddr, PAUSE_GATE_ABI, node.provider);
    expect(await gate.getFunction("admin")()).to.equal(ms);
    expect((await gate.getFunction("sentinelState")())[0]).to.equal(keeperKey.address);
    expect((await gate.getFunction("sentinelState")())[1], "armed").to.equal(true);
    expect(await gate.getFunction("targets")()).to.deep.equal([await wizard.getAddress(), await aave.configurator.getAddress()]);
    expect(out.join("\n")).to.include("Next, before an incident: the protocol's admin grants each gate its pause permission (readiness probes it)");

    // What readiness then says: the gate cannot pause yet (no role); the multisig can run it (its
    // constructor allow-listed the gate's admin selectors).
    const kc = keeperConfigSchema.parse({
      ...baseConfig([node.url]),
      signers: { contain: { type: "local", keyEnv: "GATE_KEY" } },
      responders: {
        contain: {
          allowedSelectors: ["sentinelPause(address,uint64)"],
          targets: { token: { via: "gate", to: gateAddr, function: "sentinelPause(address,uint64)", args: [await wizard.getAddress(), "3600"], containedWhen: { target: await wizard.getAddress(), function: "paused()" } } },
        },
      },
    });
    const before = await checkGates({ provider: node.provider, keeperConfig: kc, env: { GATE_KEY: keeperKey.privateKey }, multisig: ms });
    expect(before.findings.map((f) => f.id).sort()).to.deep.equal(["gate.cannot-release", "gate.missing-pause-permission"]);
    const multisig = new Contract(ms, loadArtifact("GuardianMultisig").abi as never, node.provider);
    for (const s of GATE_ADMIN_SELECTORS) expect(await multisig.getFunction("isCallAllowed")(gateAddr, s), s).to.equal(true);
    // The protocol's admin grants the pause permission: the keeper's key pauses the token through the gate.
    await (await (wizard.connect(deployer) as any).grantRole(await (wizard as any).PAUSER_ROLE(), gateAddr)).wait();
    await (await aave.acl.connect(deployer).getFunction("addEmergencyAdmin")(gateAddr)).wait();
    const after = await checkGates({ provider: node.provider, keeperConfig: kc, env: { GATE_KEY: keeperKey.privateKey }, multisig: ms });
    expect(after.findings).to.deep.equal([]);
    await (await deployer.sendTransaction({ to: keeperKey.address, value: 10n ** 18n })).wait();
    await (await (gate.connect(keeperKey) as any).getFunction("sentinelPause")(await aave.configurator.getAddress(), 3600)).wait();
    expect(await aave.dataProvider.getFunction("getPaused")(await aave.debt.getAddress())).to.equal(true);
  });

  it("a deployment interrupted after the k-th transaction resumes from the journal: complete, verified, no duplicates", async () => {
    const treasury = await userTreasury();
    const dir = mkdtempSync(join(work, "resume-"));
    const file = params("treasury-resume", treasury);
    const plan = toPlan(loadDeployParams(file), { multicall3: false });
    const txs = pendingFutures(breakwaterModule(plan), new Set()).flat().filter((f) => f.kind !== "attach").length;
    const start = await node.provider.getTransactionCount(node.wallet(0).address);

    // The connection "drops" right after the 6th transaction went out (its receipt never arrives).
    const provider = chain.ethers.provider as any;
    const send = provider.send.bind(provider);
    let sent = 0;
    let down = false;
    provider.send = async (method: string, params: unknown[]) => {
      if (down) throw new Error("connect ECONNRESET 127.0.0.1 (test: the connection dropped)");
      const r = await send(method, params);
      if (method === "eth_sendTransaction" && ++sent === 6) down = true;
      return r;
    };
    let err: OperatorError;
    try {
      err = await expectFail(runDeploy(args(dir, file), chain), "the deployment was interrupted", "ECONNRESET", "journaled in", "re-run the same command to resume");
    } finally {
      provider.send = send;
    }
    expect(err.hint).to.include("breakwater deploy --params");
    expect(existsSync(join(dir, "localhost.json")), "no address book for a half deployment").to.equal(false);
    const afterCrash = await node.provider.getTransactionCount(node.wallet(0).address);
    expect(afterCrash - start).to.equal(6);

    // Discarding the state of a future that does not exist is refused (and sends nothing).
    await expectFail(runDeploy(args(dir, file, { wipeFuture: "BreakwaterWiring#nope" }), chain), "--wipe-future BreakwaterWiring#nope");
    expect(await node.provider.getTransactionCount(node.wallet(0).address)).to.equal(afterCrash);

    const res = await runDeploy(args(dir, file), chain);
    expect(res.resumed).to.equal(true);
    const total = (await node.provider.getTransactionCount(node.wallet(0).address)) - start;
    expect(total, "every future sent exactly once").to.equal(txs);
    const book = readAddressBook(dir, "localhost");
    // The contracts of the first run are the ones in the book (nothing redeployed).
    const firstRun = readFileSync(join(dir, "ignition", "breakwater-localhost-treasury-resume", "journal.jsonl"), "utf8");
    expect(firstRun.toLowerCase()).to.include(book.contracts.guardian!.slice(2).toLowerCase());
    expect(book.roleHolders?.treasury?.DEFAULT_ADMIN_ROLE).to.deep.equal([book.contracts.guardian]);
    const t = new Contract(treasury, loadArtifact("Breakable").abi as never, node.provider);
    expect(await t.hasRole!(ZeroHash, node.wallet(0).address)).to.equal(false);
    expect(book.blockNumber, "the block the first run started at, not this run's").to.be.at.most(afterCrash === start ? Infinity : (await firstCreation(book.contracts.guardian!)));
  });

  it("a wiring call that reverts mid-way stops the run; once the cause is fixed the re-run retries it and completes", async () => {
    const treasury = await userTreasury();
    const dir = mkdtempSync(join(work, "revert-"));
    const file = params("treasury-revert", treasury);
    const plan = toPlan(loadDeployParams(file), { multicall3: false });
    const txs = pendingFutures(breakwaterModule(plan), new Set()).flat().filter((f) => f.kind !== "attach").length;
    const deployer = node.wallet(0).address;
    const start = await node.provider.getTransactionCount(deployer);
    // AccessControl._roles is slot 0: hasRole[RECOVERY_ROLE][deployer] lives at keccak(deployer, keccak(role, 0)).
    const coder = AbiCoder.defaultAbiCoder();
    const slot = keccak256(coder.encode(["address", "bytes32"], [deployer, keccak256(coder.encode(["bytes32", "uint256"], [ROLES.RECOVERY_ROLE, 0]))]));
    expect(BigInt(await node.provider.getStorage(treasury, slot))).to.equal(1n);

    // After the checks passed, the deployer loses RECOVERY_ROLE on the treasury (as if another
    // admin revoked it meanwhile): its wiring calls revert in Ignition's simulation.
    const provider = chain.ethers.provider as any;
    const send = provider.send.bind(provider);
    provider.send = async (method: string, p: unknown[]) => {
      if (method === "eth_sendTransaction" && provider.send !== send) {
        provider.send = send;
        await node.rpc("hardhat_setStorageAt", [treasury, slot, ZeroHash]);
      }
      return send(method, p);
    };
    try {
      const err = await expectFail(runDeploy(args(dir, file), chain), "the deployment stopped after", "treasury_set", "AccessControlUnauthorizedAccount", "journaled in");
      expect(err.hint).to.include("re-run the same command to resume");
    } finally {
      provider.send = send;
    }
    expect(existsSync(join(dir, "localhost.json"))).to.equal(false);

    // Fixed (the role is back): the re-run retries the failed calls and finishes; nothing twice.
    await node.rpc("hardhat_setStorageAt", [treasury, slot, zeroPadValue("0x01", 32)]);
    const res = await runDeploy(args(dir, file), chain);
    expect(res.resumed).to.equal(true);
    expect((await node.provider.getTransactionCount(deployer)) - start, "every future sent exactly once").to.equal(txs);
    expect(res.book.roleHolders?.treasury).to.deep.equal({ DEFAULT_ADMIN_ROLE: [res.book.contracts.guardian], EMERGENCY_ROLE: [res.book.contracts.guardian], RECOVERY_ROLE: [res.book.contracts.guardian] });
  });

  it("refuses a Breakable on which another key also holds a breaker role (it could undo the hand-over)", async () => {
    const treasury = await userTreasury();
    const t = new Contract(treasury, loadArtifact("Breakable").abi as never, node.wallet(0));
    await (await t.grantRole!(ROLES.EMERGENCY_ROLE, node.wallet(3).address)).wait();
    const before = await snapshot();
    await expectFail(runDeploy(args(mkdtempSync(join(work, "extra-")), params("extra-holder", treasury)), chain), `${node.wallet(3).address} holds EMERGENCY_ROLE`, "revoke them first", "nothing was sent");
    expect(await snapshot()).to.deep.equal(before);
  });

  it("wires contracts protected by an existing standalone CircuitBreaker: registered, limits on the breaker, breaker handed over", async () => {
    const deployer = node.wallet(0);
    const cb = await (await deployArtifact(deployer, "breaker/CircuitBreaker.sol", "CircuitBreaker", deployer.address, 7 * 86400, 86400)).getAddress();
    const xvault = await (await deployArtifact(deployer, "test/ExternalProtectedVault.sol", "ExternalProtectedVault", token, cb)).getAddress();
    const dir = mkdtempSync(join(work, "standalone-"));
    const file = params("standalone", xvault, (p) => {
      p.breaker.circuitBreaker = cb.toLowerCase(); // all lower case is accepted
      p.protocol[0] = { name: "xvault", address: xvault, kind: "standalone", limits: [{ asset: token, maxCapacity: "5000e6", window: "2h" }] };
    });
    const res = await runDeploy(args(dir, file), chain);
    const book = res.book;
    expect(book.contracts.circuitBreaker).to.equal(cb);
    expect(book.contracts.breaker).to.equal(cb);
    expect(book.contracts.xvault).to.equal(xvault);
    expect(book.protocol).to.deep.equal([{ name: "xvault", address: xvault, kind: "standalone", breaker: cb }]);
    const c = new Contract(cb, loadArtifact("CircuitBreaker").abi as never, node.provider);
    expect(await c.isProtected!(xvault)).to.equal(true);
    expect((await c.limitOf!(token)).maxCapacity).to.equal(5000n * 10n ** 6n);
    for (const role of Object.values(ROLES)) expect(await c.hasRole!(role, deployer.address)).to.equal(false);
    expect(book.roleHolders?.circuitBreaker?.RECOVERY_ROLE).to.deep.equal([book.contracts.guardian]);
    const ms = new Contract(book.contracts.guardian!, loadArtifact("GuardianMultisig").abi as never, node.provider);
    expect(await ms.isManaged!(cb)).to.equal(true);

    // Registering it again is refused before anything is sent.
    const before = await snapshot();
    await expectFail(runDeploy(args(mkdtempSync(join(work, "standalone2-")), file), chain), "is already registered with breaker.circuitBreaker", "nothing was sent");
    expect(await snapshot()).to.deep.equal(before);
  });

  it("a --key-env deployer: refused without enough ether (nothing sent); funded, it signs every step itself", async () => {
    const key = Wallet.createRandom().connect(node.provider);
    process.env.BW_TEST_DEPLOY_KEY = key.privateKey;
    // Its own treasury (admin = that key); the deployment pays for itself from the key.
    await (await node.wallet(0).sendTransaction({ to: key.address, value: 10n ** 16n })).wait();
    const treasury = await (await deployArtifact(key, "test/TestBreakableTreasury.sol", "TestBreakableTreasury", key.address, 7 * 86400, 86400)).getAddress();
    const dir = mkdtempSync(join(work, "keyenv-"));
    const file = params("keyenv", treasury);
    const nonce = await node.provider.getTransactionCount(key.address);
    await expectFail(runDeploy(args(dir, file, { keyEnv: "BW_TEST_DEPLOY_KEY" }), chain), `the deployer ${key.address} has 0.0`, "need about", "nothing was sent", "fund the deployer");
    expect(await node.provider.getTransactionCount(key.address)).to.equal(nonce);
    expect(existsSync(join(dir, "ignition"))).to.equal(false);

    await (await node.wallet(0).sendTransaction({ to: key.address, value: 10n ** 19n })).wait();
    const res = await runDeploy(args(dir, file, { keyEnv: "BW_TEST_DEPLOY_KEY" }), chain);
    expect(res.book.roles?.deployer).to.equal(key.address);
    expect(res.book.roleHolders?.treasury?.DEFAULT_ADMIN_ROLE).to.deep.equal([res.book.contracts.guardian]);
    const ms = new Contract(res.book.contracts.guardian!, loadArtifact("GuardianMultisig").abi as never, node.provider);
    expect(await ms.isManaged!(treasury)).to.equal(true);
    delete process.env.BW_TEST_DEPLOY_KEY;
  });

  it("refuses to resume a journal whose contracts are not on the chain (a restarted node); --reset starts afresh", async () => {
    const treasury = await userTreasury();
    const dir = mkdtempSync(join(work, "stale-"));
    const file = params("treasury-stale", treasury);
    const snap = await node.rpc<string>("evm_snapshot");
    await runDeploy(args(dir, file), chain);
    await node.rpc("evm_revert", [snap]); // the chain forgets the deployment; the journal does not
    const before = await snapshot();
    await expectFail(runDeploy(args(dir, file, { force: true }), chain), "which has no code on this chain (was the node restarted?)", "--reset");
    expect(await snapshot()).to.deep.equal(before);
    const res = await runDeploy(args(dir, file, { force: true, reset: true }), chain);
    expect(res.resumed).to.equal(false);
    expect(await node.provider.getCode(res.book.contracts.guardian!)).to.not.equal("0x");
  });

  it("refuses the in-process chain (no --network) unless --allow-ephemeral", async () => {
    const inProcess = await fromConnection(await hre.network.create());
    const dir = mkdtempSync(join(work, "eph-"));
    await expectFail(runDeploy(args(dir, LOCAL_PARAMS), inProcess), "no --network given", "disappears", "--allow-ephemeral");
    const res = await runDeploy(args(dir, LOCAL_PARAMS, { allowEphemeral: true }), inProcess);
    expect(res.journal).to.equal(undefined);
    expect(existsSync(join(dir, "ignition"))).to.equal(false);
  });
});
