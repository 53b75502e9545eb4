// The existing-pausable template on protocols it does not know, the keeper containing through a
// PauseGate: (a) a lending pool whose liquidity is the OpenZeppelin Wizard ERC20Pausable token
// (contracts/test/WizardToken.sol, the Wizard's output unchanged) — drained through the pool's
// unchecked withdrawSupply; the gate pauses the TOKEN and the drain stops — on the embedded
// chain, with and without the gate holding PAUSER_ROLE; an OpenZeppelin AccessManager closing a
// Wizard AccessManaged token whose minter key is compromised (mint, deposit as collateral, borrow);
// the pool's own setPaused(bool) as a selector pair; (b) an Aave V3 market from @aave/core-v3's
// artifacts (test/drills/fixtures/aave-v3-gate.ts): an oracle jump and insolvent borrows, contained
// by setPoolPause(true) through a gate holding EMERGENCY_ADMIN, on the embedded chain and on a fork
// of a spawned `hardhat node` where the market and the gate were deployed beforehand and named in
// an address book.
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Contract, ContractFactory, Wallet, id, type Signer } from "ethers";
import hre from "hardhat";
import { existingPausable, register, withSetup } from "../../tasks/drills/api.js";
import { drillKeeperConfig, runScenario } from "../../tasks/drills/runner.js";
import { keeperConfigSchema } from "../../keeper/config/schema.js";
import { renderMarkdown } from "../../tasks/drills/report.js";
import type { AddressBook, DrillChain, DrillScore } from "../../tasks/drills/types.js";
import { loadArtifact } from "../../client/artifacts.js";
import { aavePoolPauseCalls } from "../../client/pause-gate.js";
import { ROOT, deployArtifact, startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";
import { E18, deployWith, projectArtifact, uniswap } from "./helpers/foreign.js";
import aaveGate, { params as aaveParams } from "./fixtures/aave-v3-gate.js";
import { aaveArtifact, deployAaveMarket } from "../helpers/aave-v3.js";

const CONTAIN = { intervalMs: 600 };
const met = (s: DrillScore) => expect(s.unmet, `${s.scenario}: ${s.skipped ?? ""} ${s.unmet.join("; ")}`).to.deep.equal([]);
const send = async (p: Promise<{ wait(): Promise<unknown> }>) => void (await (await p).wait());

/** The protocol, deployed by its own team: WizardToken (admin + minter = deployer, pauser = the team's own key),
 * a real Uniswap V2 pair for the pool's pricing, ForeignLendingPool lending 1,000,000 WZT. */
async function wizardPool(chain: DrillChain, actors: { localDeployer: Signer; users: Signer[] }) {
  const deployer = actors.localDeployer;
  const me = await deployer.getAddress();
  const token = await deployWith(projectArtifact("contracts/test/WizardToken.sol", "WizardToken"), deployer, [me, await actors.users[8]!.getAddress(), me]);
  const collateral = await deployWith(loadArtifact("TestToken"), deployer, ["Foreign Collateral", "FCOL", 18]);
  const factory = await deployWith(uniswap("UniswapV2Factory"), deployer, [me]);
  await send(factory.getFunction("createPair")(collateral.target, token.target));
  const pair = String(await factory.getFunction("getPair")(collateral.target, token.target));
  const pool = await deployWith(projectArtifact("contracts/test/drills-foreign/ForeignLendingPool.sol", "ForeignLendingPool"), deployer, [collateral.target, token.target, pair, me, 5_000]);
  const lender = actors.users[5]!;
  await send(token.getFunction("mint")(await lender.getAddress(), 1_000_000n * E18));
  await send((token.connect(lender) as Contract).getFunction("approve")(pool.target, 2n ** 256n - 1n));
  await send((pool.connect(lender) as Contract).getFunction("supply")(1_000_000n * E18));
  register(chain, "token", String(token.target));
  register(chain, "pool", String(pool.target));
}

const drain = (grant: boolean, via: "gate" | "direct" = "gate") =>
  withSetup(
    existingPausable({
      id: `wizard-token-${via}${grant ? "" : "-no-grant"}`,
      target: "$token",
      pause: { kind: "pausable" },
      via,
      ...(grant ? { grant: [{ to: "$token", signature: "grantRole(bytes32,address)", args: [id("PAUSER_ROLE"), via === "gate" ? "$gate" : "$containKey"], note: "the token admin grants PAUSER_ROLE" }] } : {}),
      funds: { token: "$token", holder: "$pool" },
      attack: [1, 2, 3, 4].map((i) => ({ to: "$pool", signature: "withdrawSupply(uint256)", args: ["100000e18"], note: `drain ${i}: withdrawSupply(100,000 WZT) never supplied` })),
      cooldownBlocks: 2,
    }),
    wizardPool,
  );

/** A lending pool taking an AccessManager-governed Wizard token (WMT, `restricted` mint) as collateral,
 * priced by a real Uniswap V2 pair; the attacker holds the minter role (a compromised minter key). */
async function managedCollateralPool(chain: DrillChain, actors: { localDeployer: Signer; users: Signer[]; attackers: Signer[] }) {
  const deployer = actors.localDeployer;
  const me = await deployer.getAddress();
  const manager = await deployWith(projectArtifact("contracts/test/TestAccessManager.sol", "TestAccessManager"), deployer, [me]);
  const wmt = await deployWith(projectArtifact("contracts/test/WizardManagedToken.sol", "WizardManagedToken"), deployer, [manager.target]);
  const MINTER = 1n;
  await send(manager.getFunction("setTargetFunctionRole")(wmt.target, [wmt.interface.getFunction("mint")!.selector], MINTER));
  await send(manager.getFunction("grantRole")(MINTER, me, 0));
  await send(manager.getFunction("grantRole")(MINTER, await actors.attackers[0]!.getAddress(), 0)); // the compromised minter
  const usd = await deployWith(loadArtifact("TestToken"), deployer, ["Foreign USD", "FUSD", 18]);
  const factory = await deployWith(uniswap("UniswapV2Factory"), deployer, [me]);
  await send(factory.getFunction("createPair")(wmt.target, usd.target));
  const pair = String(await factory.getFunction("getPair")(wmt.target, usd.target));
  await send(wmt.getFunction("mint")(pair, 100_000n * E18));
  await send(usd.getFunction("mint")(pair, 100_000n * E18));
  await send(new Contract(pair, ["function mint(address) returns (uint256)"], deployer).getFunction("mint")(me));
  const pool = await deployWith(projectArtifact("contracts/test/drills-foreign/ForeignLendingPool.sol", "ForeignLendingPool"), deployer, [wmt.target, usd.target, pair, me, 5_000]);
  const lender = actors.users[5]!;
  await send(usd.getFunction("mint")(await lender.getAddress(), 1_000_000n * E18));
  await send((usd.connect(lender) as Contract).getFunction("approve")(pool.target, 2n ** 256n - 1n));
  await send((pool.connect(lender) as Contract).getFunction("supply")(1_000_000n * E18));
  for (const [k, v] of Object.entries({ manager: manager.target, wmt: wmt.target, usd: usd.target, pool: pool.target })) register(chain, k, String(v));
}

describe("drill template existing-pausable (PauseGate containment)", function () {
  this.timeout(180_000);
  const out = mkdtempSync(join(tmpdir(), "drill-existing-pausable-"));

  it("Wizard ERC20Pausable: the default outflow rule contains through a gate the drill deploys and grants PAUSER_ROLE; the drain stops at the token", async function () {
    const score = await runScenario(hre, drain(true), CONTAIN);
    met(score);
    expect(String(score.facts.containment)).to.match(/^scored: the keeper contains through PauseGate 0x[0-9a-fA-F]{40}: sentinelPause\(address,uint64\) → OpenZeppelin Pausable: pause\(\), 3600 s$/);
    expect(String(score.facts.gate)).to.match(/deployed by the drill/);
    expect(score.facts.pausePowerGranted).to.equal("grantRole(bytes32,address) by $admin");
    expect(score.facts.protocolPausedAtEnd).to.equal("yes");
    expect(score.detectedBlock).to.equal(score.firstMaliciousBlock);
    expect(score.blocksToContain).to.equal(1);
    expect(score.keeperAttempts.filter((a) => a.kind === "contain").map((a) => [a.status, a.includedBlock])).to.deep.equal([["included", score.containedBlock]]);
    // What containment cost, from the receipt: gas × effective price of the included contain call.
    const contain = score.keeperAttempts.find((a) => a.kind === "contain")!;
    expect(Number(contain.gasUsed)).to.be.greaterThan(21_000);
    expect(score.keeperFeesWei).to.equal(contain.feePaidWei);
    expect(BigInt(score.keeperFeesWei!)).to.be.greaterThan(0n);
    expect(renderMarkdown(score)).to.match(/The keeper paid [\d.,]+ ETH in fees for its transactions/);
    const mal = score.transactions.filter((t) => t.kind === "malicious");
    expect(mal.map((t) => t.success)).to.deep.equal([true, false, false, false]); // EnforcedPause at the token
    expect(BigInt(score.fundsLost)).to.equal(100_000n * E18);
    expect(score.savedPct).to.equal(90);
    expect(score.timeline.some((e) => e.kind === "contained" && /paused\(\) on 0x.* says contained/.test(e.message))).to.equal(true);
    expect(score.timeline.some((e) => e.kind === "paused" && /SentinelPaused .* by the keeper's contain key/.test(e.message))).to.equal(true);
  });

  it("without the grant the gate has no pause power: detection only, and the report says why (the token's own error)", async function () {
    const score = await runScenario(hre, drain(false), { intervalMs: 250 });
    met(score);
    expect(String(score.facts.containment)).to.match(/^not scored — detection only: the gate 0x[0-9a-fA-F]{40} cannot pause 0x[0-9a-fA-F]{40}: .*AccessControlUnauthorizedAccount.*grant it .*params\.grant/);
    expect(score.containedBlock).to.equal(null);
    expect(score.detectedBlock).to.equal(score.firstMaliciousBlock);
    expect(score.keeperAttempts).to.deep.equal([]);
    expect(BigInt(score.fundsLost)).to.equal(400_000n * E18);
    expect(renderMarkdown(score)).to.include("Containment: not scored — detection only: the gate");
  });

  it("direct (no gate): the drill's key, granted PAUSER_ROLE, calls the token's own pause() — scored the same, and the report says there is no bound", async function () {
    const score = await runScenario(hre, drain(true, "direct"), CONTAIN);
    met(score);
    expect(String(score.facts.containment)).to.match(/^scored: the keeper's key calls pause\(\) on 0x[0-9a-fA-F]{40} directly \(no gate: no bound on the pause\)$/);
    expect(score.blocksToContain).to.equal(1);
    expect(score.savedPct).to.equal(90);
  });

  it("AccessManager: a compromised minter mints collateral and borrows against it; the gate closes the token (setTargetClosed) and the next mints revert", async function () {
    const round = (i: number) => [
      { to: "$wmt", signature: "mint(address,uint256)", args: ["$self", "100000e18"], note: `mint ${i}: 100,000 WMT with the stolen minter key` },
      { to: "$wmt", signature: "approve(address,uint256)", args: ["$pool", "100000e18"] },
      { to: "$pool", signature: "depositCollateral(uint256)", args: ["100000e18"] },
      { to: "$pool", signature: "borrow(uint256)", args: ["50000e18"], note: `borrow ${i}: 50,000 FUSD against it` },
    ];
    const scenario = withSetup(
      existingPausable({
        id: "access-manager-minter",
        target: "$wmt",
        pause: { kind: "access-manager", manager: "$manager" },
        grant: [{ to: "$manager", signature: "grantRole(uint64,address,uint32)", args: [0, "$gate", 0], note: "the manager's admin gives the gate ADMIN_ROLE (setTargetClosed)" }],
        funds: { token: "$usd", holder: "$pool" },
        attack: [1, 2, 3, 4].map(round),
        cooldownBlocks: 2,
      }),
      managedCollateralPool,
    );
    const score = await runScenario(hre, scenario, CONTAIN);
    met(score);
    expect(String(score.facts.containment)).to.match(/^scored: the keeper contains through PauseGate 0x[0-9a-fA-F]{40}: sentinelPause\(address,uint64\) → OpenZeppelin AccessManager 0x[0-9a-fA-F]{40}: setTargetClosed\(target, true\)/);
    expect(score.blocksToContain).to.equal(1);
    expect(score.facts.protocolPausedAtEnd).to.equal("yes");
    const mints = score.transactions.filter((t) => t.kind === "malicious" && /^mint /.test(t.note ?? ""));
    expect(mints.map((t) => t.success)).to.deep.equal([true, false, false, false]); // AccessManagedUnauthorized once closed
    expect(BigInt(score.fundsLost)).to.equal(50_000n * E18);
  });

  it("selectors: the pool's own setPaused(true) through a gate that holds the pool's ownership", async function () {
    const scenario = withSetup(
      existingPausable({
        id: "selectors-set-paused",
        target: "$pool",
        pause: { kind: "selectors", pause: { signature: "setPaused(bool)", args: [true] }, unpause: { signature: "setPaused(bool)", args: [false] }, containedWhen: { target: "$pool", signature: "paused()" } },
        grant: [{ to: "$pool", signature: "transferOwnership(address)", args: ["$gate"], note: "the pool's owner hands ownership to the gate" }],
        funds: { token: "$token", holder: "$pool" },
        attack: [1, 2, 3, 4].map((i) => ({ to: "$pool", signature: "withdrawSupply(uint256)", args: ["100000e18"], note: `drain ${i}` })),
        cooldownBlocks: 2,
      }),
      wizardPool,
    );
    const score = await runScenario(hre, scenario, CONTAIN);
    met(score);
    expect(String(score.facts.containment)).to.match(/^scored: the keeper contains through PauseGate/);
    expect(score.blocksToContain).to.equal(1);
    expect(score.transactions.filter((t) => t.kind === "malicious").map((t) => t.success)).to.deep.equal([true, false, false, false]);
    expect(BigInt(score.fundsLost)).to.equal(100_000n * E18);
  });

  it("drillKeeperConfig passes contain targets with and without the team's config (the team's targets kept, the drill's over them), and needs no breaker", function () {
    const [a, b, c] = [Wallet.createRandom().address, Wallet.createRandom().address, Wallet.createRandom().address];
    const target = (to: string, fn: string) => ({ via: "direct" as const, to, function: fn, containedWhen: { target: to, function: "paused()" } });
    const rule = { id: "r", severity: "P1" as const, action: "contain" as const, act: true, contain: { target: "mine" }, detector: { kind: "matcher" as const, events: [{ signature: "Transfer(address,address,uint256)" }] } };
    const setup = { rules: [rule], contain: { targets: { mine: target(a, "pause()") } } };
    const chain = { chainId: 31337, rpcUrl: "http://127.0.0.1:1", names: {} } as unknown as DrillChain;
    const plain = keeperConfigSchema.parse(drillKeeperConfig("x", chain, setup, ":memory:", 0));
    expect(plain.contracts.breaker).to.equal(undefined);
    expect(Object.keys(plain.responders.contain.targets)).to.deep.equal(["mine"]);
    expect(plain.responders.contain.allowedSelectors).to.deep.equal(["pause()"]);
    const team = keeperConfigSchema.parse({
      chain: { chainId: 31337, rpcUrls: ["https://rpc.example.org"] },
      contracts: {},
      store: { path: "/var/lib/keeper.sqlite" },
      signers: { contain: { type: "local", keyEnv: "PROD_KEY_NOT_HERE" } },
      alerts: { channels: [] },
      responders: { contain: { allowedSelectors: ["setPaused(bool)"], targets: { theirs: { ...target(b, "setPaused(bool)"), args: [true] }, mine: target(c, "setPaused(bool)") } } },
      rules: [{ ...rule, contain: { target: "theirs" } }],
    });
    const merged = keeperConfigSchema.parse(drillKeeperConfig("x", { ...chain, keeperConfig: team } as DrillChain, setup, ":memory:", 0));
    expect(Object.keys(merged.responders.contain.targets).sort()).to.deep.equal(["mine", "theirs"]);
    expect(merged.responders.contain.targets.mine!.to).to.equal(a); // the drill's target over the team's of the same name
    expect(merged.responders.contain.allowedSelectors.sort()).to.deep.equal(["pause()", "setPaused(bool)"]);
    // Production keys are never needed: each lane gets its drill key.
    expect(merged.signers).to.deep.equal({ sentinel: { type: "local", keyEnv: "BREAKWATER_DRILL_SENTINEL_KEY" }, contain: { type: "local", keyEnv: "BREAKWATER_DRILL_CONTAIN_KEY" } });
    // A drill whose rules both pause a breaker and contain through a gate: two lanes, two keys — accepted.
    const both = { ...setup, breaker: c, rules: [rule, { ...rule, id: "p", action: "pause" as const, contain: undefined, pause: { scope: "GLOBAL", durationSeconds: 3600 } }] };
    const mixed = keeperConfigSchema.parse(drillKeeperConfig("x", chain, both, ":memory:", 0));
    expect(mixed.signers.contain).to.deep.equal({ type: "local", keyEnv: "BREAKWATER_DRILL_CONTAIN_KEY" });
    expect(mixed.contracts.breaker).to.equal(c);
  });

  it("bad params are refused with the field and what to pass", function () {
    const base = { target: "$token", funds: { token: "$token", holder: "$pool" }, attack: [{ to: "$pool", signature: "f()" }] };
    expect(() => existingPausable({ ...base, pause: { kind: "nope" } as never })).to.throw(/params\.pause\.kind must be one of pausable, access-manager, aave-v3, selectors/);
    expect(() => existingPausable({ ...base, pause: { kind: "access-manager" } as never })).to.throw(/params\.pause\.manager is required/);
    expect(() => existingPausable({ ...base, pause: { kind: "pausable" }, attack: [] })).to.throw(/params\.attack must be a non-empty list/);
    expect(() => existingPausable({ ...base, pause: { kind: "pausable" }, pauseDuration: 90_000 })).to.throw(/pauseDuration 90000 exceeds params\.maxDuration 86400/);
    expect(() => existingPausable({ ...base, target: "", pause: { kind: "pausable" } })).to.throw(/params\.target is required/);
  });

  it("Aave V3 (embedded): oracle jump + insolvent borrow; the invariant rule contains through the gate (EMERGENCY_ADMIN → setPoolPause); later borrows revert", async function () {
    const score = await runScenario(hre, aaveGate, CONTAIN);
    met(score);
    aaveExpectations(score);
    expect(String(score.facts.gate)).to.match(/deployed by the drill/);
    expect(score.facts.pausePowerGranted).to.equal("addEmergencyAdmin(address) by $admin");
    writeFileSync(join(out, "aave-v3-gate.md"), renderMarkdown(score));
  });

  describe("on a fork of a spawned hardhat node (market and gate deployed beforehand, named in an address book)", function () {
    let node: HardhatNode;
    let bookFile: string;
    let bookWithFeed: string;
    let gate: Contract;
    let bookDebt: string;
    let bookADebt: string;
    const productionKeeper = Wallet.createRandom().address;

    before(async function () {
      node = await startHardhatNode();
      const owner = node.wallet(0);
      const m = await deployAaveMarket(owner);
      gate = (await deployArtifact(owner, "adapters/PauseGate.sol", "PauseGate", owner.address, productionKeeper, 3600)) as unknown as Contract;
      await send(m.acl.getFunction("addEmergencyAdmin")(gate.target));
      const { pauseCall, unpauseCall } = aavePoolPauseCalls();
      await send(gate.getFunction("registerSelectorPair")(m.configurator.target, pauseCall, unpauseCall, 86_400));
      await send(gate.getFunction("armSentinel")());
      const contracts: Record<string, string> = { gate: String(gate.target), aDebt: m.aDebt };
      for (const k of ["provider", "acl", "pool", "configurator", "oracle", "dataProvider", "collateral", "debt"] as const) contracts[k] = String(m[k].target);
      const book: AddressBook = { network: "localhost", chainId: 31337, deployedAt: new Date().toISOString(), blockNumber: await node.blockNumber(), contracts, roles: { admin: owner.address } };
      [bookDebt, bookADebt] = [contracts.debt!, contracts.aDebt!];
      bookFile = join(out, "aave-book.json");
      writeFileSync(bookFile, JSON.stringify(book, null, 2));
      // For the JSON-params run (no scenario file to deploy it): the attacker's feed is on the chain already.
      const a = aaveArtifact("mocks/oracle/CLAggregators/MockAggregator.sol/MockAggregator");
      const feed = await new ContractFactory(a.abi as never, a.bytecode, owner).deploy(200_000n * 10n ** 8n);
      await feed.waitForDeployment();
      bookWithFeed = join(out, "aave-book-feed.json");
      writeFileSync(bookWithFeed, JSON.stringify({ ...book, blockNumber: await node.blockNumber(), contracts: { ...contracts, jumpFeed: await feed.getAddress() } }, null, 2));
    });
    after(async function () {
      await node?.stop();
    });

    it("the drill attaches to the book's market and gate, makes its key the gate's sentinel as the gate's admin, and contains; the node is untouched", async function () {
      const [score] = (await hre.tasks.getTask(["breakwater", "drill", "run"]).run({
        scenario: resolve(ROOT, "test/drills/fixtures/aave-v3-gate.ts"),
        forkUrl: node.url,
        forkBlock: -1,
        addressBook: bookFile,
        out: join(out, "fork"),
        intervalMs: 600,
        noBuild: true,
      })) as DrillScore[];
      met(score!);
      expect(score!.fork?.url).to.equal(node.url);
      expect(score!.addressBook).to.equal(bookFile);
      aaveExpectations(score!);
      expect(String(score!.facts.gate)).to.equal(`PauseGate ${gate.target} of the address book`);
      expect(String(score!.facts.gateAdminImpersonated)).to.match(new RegExp(`setSentinel\\(the drill's key\\) replacing ${productionKeeper}, armSentinel\\(\\)`));
      expect(score!.facts.pausePowerGranted).to.equal(undefined); // the book's gate already holds EMERGENCY_ADMIN
      // The live chain keeps its own keeper as the gate's sentinel, armed, and its market unpaused.
      const st = await (gate.connect(node.provider) as Contract).getFunction("sentinelState")();
      expect([st[0], st[1]]).to.deep.equal([productionKeeper, true]);
      const paramsFile = join(out, "aave-gate.json");
      writeFileSync(paramsFile, JSON.stringify({ ...aaveParams, id: "aave-v3-gate-cli" }, null, 2));
      const [cli] = (await hre.tasks.getTask(["breakwater", "drill", "run"]).run({
        scenario: "template:existing-pausable",
        params: paramsFile,
        forkUrl: node.url,
        forkBlock: -1,
        addressBook: bookWithFeed,
        out: join(out, "fork"),
        intervalMs: 600,
        noBuild: true,
      })) as DrillScore[];
      met(cli!);
      aaveExpectations(cli!);
      const debt = (await node.provider.send("eth_call", [{ to: bookDebt, data: "0x70a08231" + bookADebt.slice(2).padStart(64, "0") }, "latest"])) as string;
      expect(BigInt(debt)).to.equal(0n); // the fork's liquidity and borrows never reached the node
    });
  });
});

function aaveExpectations(score: DrillScore) {
  expect(String(score.facts.containment)).to.match(/^scored: the keeper contains through PauseGate 0x[0-9a-fA-F]{40}: sentinelPause\(address,uint64\) → Aave V3 PoolConfigurator\.setPoolPause\(true\) \(EMERGENCY_ADMIN\), 21600 s$/);
  expect(score.incidents?.map((i) => i.ruleId)).to.deep.equal(["aave-collateral-price-jump"]);
  expect(score.detectedBlock).to.equal(score.firstMaliciousBlock);
  expect(score.blocksToContain).to.equal(1);
  expect(score.facts.protocolPausedAtEnd).to.equal("yes");
  const mal = score.transactions.filter((t) => t.kind === "malicious");
  const layout = mal.map((t) => [t.blockNumber! - score.firstMaliciousBlock!, t.success]);
  if (layout[1]![0] === 0) {
    // Block 1: the feed switch and the first insolvent borrow land; the accomplices' borrows revert (RESERVE_PAUSED).
    expect(layout).to.deep.equal([[0, true], [0, true], [1, false], [2, false]]);
    expect(BigInt(score.fundsLost)).to.equal(150_000n * E18);
    expect(score.savedPct).to.equal(85);
  } else {
    // The two were sent milliseconds apart and a block was mined between them: the pause (outbidding) came first.
    expect(layout.slice(1).every(([, ok]) => ok === false), JSON.stringify(layout)).to.equal(true);
    expect(BigInt(score.fundsLost)).to.equal(0n);
  }
  expect(score.timeline.some((e) => e.kind === "contained" && /getPaused\(address\) on 0x.* says contained/.test(e.message))).to.equal(true);
}
