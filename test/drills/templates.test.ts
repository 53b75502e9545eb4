// The attack templates and a user's scenario file on the embedded chain, against protocols the
// templates' author did not write: a real Uniswap V2 pair (@uniswap/v2-core build) and a
// third-party-style lending pool (contracts/test/drills-foreign/ForeignLendingPool.sol) that has
// no Breakwater pause — so the drills score detection only and say why — plus a Breakable vault,
// where the same template's containment is scored.
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Contract } from "ethers";
import hre from "hardhat";
import { at, deploy, keyCompromise, mined, priceManipulation, register, repeatedDrain, withSetup } from "../../tasks/drills/api.js";
import { loadProjectScenarios, runScenario } from "../../tasks/drills/runner.js";
import { renderMarkdown } from "../../tasks/drills/report.js";
import type { DrillChain, DrillScore } from "../../tasks/drills/types.js";
import { deployForeignStack, deployVaultStack, E18 } from "./helpers/foreign.js";
import { ROOT } from "../keeper/helpers/node.js";

const FIXTURES = resolve(ROOT, "test/drills/fixtures");
const FAST = { intervalMs: 250 };
/** Containment cases: blocks long enough for the keeper to simulate and send its pause on a loaded CI machine. */
const CONTAIN = { intervalMs: 600 };

/** On the embedded chain the "address book" is what the user's setup registers. */
const foreign = async (chain: DrillChain, actors: { localDeployer: import("ethers").Signer; users: import("ethers").Signer[] }) => {
  const s = await deployForeignStack(actors.localDeployer, actors.users[5]!);
  for (const [k, v] of Object.entries(s)) register(chain, k, v);
};

/** The attacker's collateral, then the borrow at the pumped price (the price-manipulation tests). */
const BORROW_AGAINST_PUMP = {
  attackerFunds: { token: "$collateral", amount: "10000e18" },
  attackerSetup: [
    { to: "$collateral", signature: "approve(address,uint256)", args: ["$pool", "10000e18"] },
    { to: "$pool", signature: "depositCollateral(uint256)", args: ["10000e18"] },
  ],
  exploit: [{ to: "$pool", signature: "borrow(uint256)", args: ["70000e18"], note: "borrow 70,000 against the pumped collateral" }],
  warmupBlocks: 5,
  cooldownBlocks: 2,
};
const met = (s: DrillScore) => expect(s.unmet, s.unmet.join("; ")).to.deep.equal([]);

describe("drill templates on the embedded chain (foreign protocols)", function () {
  this.timeout(120_000);

  it("repeated-drain: attacker + copycats through ForeignLendingPool.withdrawSupply — detected, containment not scored (no pause path) and the report says why", async function () {
    const scenario = withSetup(
      repeatedDrain({
        funds: { token: "$debt", holder: "$pool" },
        breaker: "$pool",
        call: { to: "$pool", signature: "withdrawSupply(uint256)", args: ["50000e18"] },
        copycats: 2,
        rounds: 2,
        warmupBlocks: 5,
        cooldownBlocks: 2,
      }),
      foreign,
    );
    const score = await runScenario(hre, scenario, FAST);
    met(score);
    expect(score.detectedBlock).to.equal(score.firstMaliciousBlock);
    expect(score.containedBlock).to.equal(null);
    expect(String(score.facts.containment)).to.match(/^not scored — detection only: .*has no sentinelState\(\)/);
    // Attacker + 2 copycats × 2 rounds, 50,000 each: the pool really lost 250,000 FUSD.
    expect(BigInt(score.fundsLost)).to.equal(250_000n * E18);
    expect(score.transactions.filter((t) => t.kind === "malicious" && t.success).length).to.equal(5);
  });

  it("key-compromise: the pool owner's key raises the LTV and sweeps the liquidity — detected", async function () {
    const scenario = withSetup(
      keyCompromise({
        funds: { token: "$debt", holder: "$pool" },
        key: "$owner",
        calls: [
          { to: "$pool", signature: "setLtv(uint256)", args: [10_000], note: "raise the LTV to 100%" },
          { to: "$pool", signature: "sweep(address,address,uint256)", args: ["$debt", "$attacker", "600000e18"], note: "sweep 600,000 FUSD" },
        ],
        warmupBlocks: 5,
        cooldownBlocks: 2,
      }),
      foreign,
    );
    const score = await runScenario(hre, scenario, FAST);
    met(score);
    expect(score.transactions.filter((t) => t.kind === "malicious").map((t) => [t.note, t.success])).to.deep.equal([
      ["raise the LTV to 100%", true],
      ["sweep 600,000 FUSD", true],
    ]);
    expect(score.detectedBlock).to.be.greaterThan(score.firstMaliciousBlock!);
    expect(BigInt(score.fundsLost)).to.equal(600_000n * E18);
  });

  it("price-manipulation: a whale-sized swap through the real Uniswap V2 pair, then a borrow at the inflated spot price — detected", async function () {
    const scenario = withSetup(
      priceManipulation({
        funds: { token: "$debt", holder: "$pool" },
        factory: "$factory",
        tokenIn: "$debt",
        tokenOut: "$collateral",
        amountIn: "300000e18",
        ...BORROW_AGAINST_PUMP,
      }),
      foreign,
    );
    const score = await runScenario(hre, scenario, FAST);
    met(score);
    const mal = score.transactions.filter((t) => t.kind === "malicious");
    expect(mal.map((t) => t.success)).to.deep.equal([true, true, true]);
    // Without the swap 10,000 FCOL at 1 FUSD allow 5,000; the borrow of 70,000 only passed at the manipulated price.
    expect(new Set(mal.map((t) => t.blockNumber)).size).to.equal(1);
    expect(score.facts.pair).to.match(/^0x/);
    expect(BigInt(score.fundsLost)).to.equal(70_000n * E18);
  });

  it("price-manipulation with flashSwap.from: the attacker's contract flash-borrows FUSD from a second real pair, pumps FCOL in the pool's pair, borrows and sells back inside uniswapV2Call, repays with the 0.3% fee — one transaction, only the fee funded", async function () {
    let second = "";
    const scenario = withSetup(
      priceManipulation({
        funds: { token: "$debt", holder: "$pool" },
        pair: "$pair",
        tokenIn: "$debt",
        amountIn: "300000e18",
        flashSwap: { from: "$loanPair" },
        ...BORROW_AGAINST_PUMP,
      }),
      async (chain, actors) => {
        await foreign(chain, actors);
        // A second FUSD pair of the same real factory, deeper than the pool's: the flash loan's source.
        const admin = actors.localDeployer;
        const other = await deploy(chain, "TestToken", ["Other", "OTH", 18], admin);
        const factory = new Contract(chain.names.factory!, ["function createPair(address,address) returns (address)", "function getPair(address,address) view returns (address)"], admin);
        await mined(factory.getFunction("createPair")(chain.names.debt!, await other.getAddress()));
        second = String(await factory.getFunction("getPair")(chain.names.debt!, await other.getAddress()));
        const debt = await at(chain, "TestToken", chain.names.debt!, admin);
        await mined(debt.getFunction("mint")(second, 1_000_000n * E18));
        await mined(other.getFunction("mint")(second, 1_000_000n * E18));
        await mined(new Contract(second, ["function mint(address) returns (uint256)"], admin).getFunction("mint")(await admin.getAddress()));
        register(chain, "loanPair", second);
      },
    );
    const score = await runScenario(hre, scenario, FAST);
    met(score);
    const mal = score.transactions.filter((t) => t.kind === "malicious");
    expect(mal.map((t) => [t.success, t.note])).to.deep.equal([[true, "flash swap: borrow, move the price, exploit, repay (one transaction)"]]);
    expect(BigInt(score.fundsLost)).to.equal(70_000n * E18);
    expect(String(score.facts.flashSwap)).to.match(new RegExp(`^300,000 FUSD borrowed from ${second} by the attacker's contract 0x[0-9a-fA-F]{40}, repaid 300,902.7\\d* FUSD \\(0\\.3% fee\\)`));
    expect(String(score.facts.swapFundedBy)).to.match(/^flash swap; [\d,.]+ FUSD for the fee and the round trip's slippage minted/);
    // The one transaction succeeded, so the loan pair's K check (with the 0.3% fee) passed.
  });

  it("price-manipulation with flashSwap: true borrows from the pair itself and makes the exploit calls with the loan inside the callback (capital, no price move), repaying the fee", async function () {
    const scenario = withSetup(
      priceManipulation({
        funds: { token: "$debt", holder: "$pool" },
        pair: "$pair",
        tokenIn: "$debt",
        amountIn: "50000e18",
        flashSwap: true,
        exploit: [
          { to: "$debt", signature: "approve(address,uint256)", args: ["$pool", "50000e18"] },
          { to: "$pool", signature: "supply(uint256)", args: ["50000e18"], note: "supply the flash loan" },
          { to: "$pool", signature: "withdrawSupply(uint256)", args: ["110000e18"], note: "withdraw more than supplied (the unchecked bug)" },
        ],
        warmupBlocks: 5,
        cooldownBlocks: 2,
      }),
      foreign,
    );
    const score = await runScenario(hre, scenario, FAST);
    met(score);
    expect(score.transactions.filter((t) => t.kind === "malicious").map((t) => t.success)).to.deep.equal([true]);
    expect(BigInt(score.fundsLost)).to.equal(60_000n * E18);
    expect(String(score.facts.flashSwap)).to.match(/^50,000 FUSD borrowed from 0x[0-9a-fA-F]{40} \(the pair itself\) by the attacker's contract .*, repaid 50,150.45 FUSD/);
    expect(String(score.facts.swapFundedBy)).to.match(/^flash swap; 150.45 FUSD for the fee minted/);
  });

  it("repeated-drain against a Breakable vault: the keeper gets the pause (admin impersonated) and containment is scored", async function () {
    const scenario = withSetup(
      repeatedDrain({
        id: "vault-repeated-drain",
        funds: { token: "$asset", holder: "$vault" },
        breaker: "$vault",
        call: { to: "$vault", signature: "emergencyWithdraw(address,address,uint256)", args: ["$victim", "$self", "60000e18"] },
        copycats: 3,
        rounds: 3,
        warmupBlocks: 5,
        cooldownBlocks: 2,
      }),
      async (chain, actors) => {
        const s = await deployVaultStack(actors.localDeployer, actors.users[5]!);
        register(chain, "vault", s.vault);
        register(chain, "asset", s.asset);
        register(chain, "victim", s.victim);
      },
    );
    const score = await runScenario(hre, scenario, CONTAIN);
    met(score);
    expect(String(score.facts.containment)).to.match(/^scored/);
    expect(score.facts.pausePowerGranted).to.match(/setSentinel by impersonated admin/);
    expect(score.blocksToContain).to.be.at.most(1);
    expect(score.savedPct).to.be.greaterThan(90);
    const after = score.transactions.filter((t) => t.kind === "malicious" && t.blockNumber !== null && t.blockNumber >= score.containedBlock!);
    expect(after.length).to.be.greaterThan(0);
    expect(after.every((t) => t.success === false)).to.equal(true);
  });

  it("guardian response mode: the keeper only alerts (webhook), scripted guardians sign a pause through the guardian tasks after a delay; the report times each step against the plan's targets", async function () {
    const scenario = withSetup(
      repeatedDrain({
        id: "vault-drain-guardians-respond",
        funds: { token: "$asset", holder: "$vault" },
        breaker: "$vault",
        call: { to: "$vault", signature: "emergencyWithdraw(address,address,uint256)", args: ["$victim", "$self", "60000e18"] },
        copycats: 1,
        rounds: 12,
        warmupBlocks: 5,
        cooldownBlocks: 2,
      }),
      async (chain, actors) => {
        const s = await deployVaultStack(actors.localDeployer, actors.users[5]!);
        const guardians = await Promise.all(actors.guardians.map((g) => g.getAddress()));
        const ms = await deploy(chain, "GuardianMultisig", [{ guardians, fastThreshold: 2, slowThreshold: 3, slowDelay: 2 * 86_400, vetoThreshold: 2, heartbeatPeriod: 90 * 86_400, managed: [s.vault], overrides: [], allowedCalls: [] }], actors.localDeployer);
        const vault = await at(chain, "VulnerableVault", s.vault, actors.localDeployer);
        await mined(vault.getFunction("grantRole")(await vault.getFunction("EMERGENCY_ROLE")(), await ms.getAddress()));
        register(chain, "vault", s.vault);
        register(chain, "asset", s.asset);
        register(chain, "victim", s.victim);
        register(chain, "guardian", await ms.getAddress());
      },
    );
    const score = await runScenario(hre, { ...scenario, guardiansRespond: { signDelaysMs: [400, 600] } }, {
      intervalMs: 300,
      responseTargets: { timeToAcknowledgeMs: 60_000, timeToContainMs: 120_000 },
    });
    met(score);
    const g = score.guardianResponse!;
    expect(g, "guardian response timings").to.not.equal(undefined);
    // Each step happened, in order: detection → alert delivered → first signature → threshold → pause included.
    const steps = [g.detectedAt, g.alertDeliveredAt, g.firstSignatureAt, g.thresholdMetAt, g.pauseIncludedAt];
    expect(steps.every((x) => typeof x === "number"), JSON.stringify(g)).to.equal(true);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).to.be.at.least(steps[i - 1]!);
    expect(g.guardians).to.have.length(2);
    expect(g.firstSignatureAt! - g.alertDeliveredAt!).to.be.at.least(400); // the first guardian's delay
    expect(g.timeToAcknowledgeMs).to.equal(g.firstSignatureAt! - g.detectedAt!);
    expect(g.targets).to.deep.equal({ timeToAcknowledgeMs: 60_000, timeToContainMs: 120_000 });
    // The keeper did not pause (alert only): the multisig did, and that contained the drain.
    expect(score.keeperAttempts.filter((a) => a.kind === "pause")).to.deep.equal([]);
    expect(score.containedBlock).to.equal(g.pauseBlock);
    const after = score.transactions.filter((t) => t.kind === "malicious" && t.blockNumber !== null && t.blockNumber > g.pauseBlock!);
    expect(after.length).to.be.greaterThan(0);
    expect(after.every((t) => t.success === false)).to.equal(true);
    const md = renderMarkdown(score);
    expect(md).to.include("### Guardian response").and.to.include("| first guardian signature | +").and.to.match(/Time to acknowledge .* \(target 1\.0 min|Time to acknowledge .* \(target 60\.0 s: met\)/);
    if (process.env.DEBUG_DRILL) console.log(md);
  });

  it("a user's scenario file in drills/ is discovered, and runs by path through the task", async function () {
    const found = await loadProjectScenarios(FIXTURES);
    expect(found.map((f) => f.scenario.id)).to.deep.equal(["foreign-pool-supply-drain"]);
    const out = mkdtempSync(join(tmpdir(), "drill-user-file-"));
    const scores = (await hre.tasks.getTask(["breakwater", "drill", "run"]).run({
      scenario: join(FIXTURES, "drills/foreign-pool-drain.ts"),
      forkBlock: -1,
      out,
      intervalMs: 250,
      noBuild: true,
    })) as DrillScore[];
    expect(scores).to.have.length(1);
    met(scores[0]!);
    expect(scores[0]!.detectedBlock).to.equal(scores[0]!.firstMaliciousBlock);
    expect(scores[0]!.incidents?.map((i) => i.ruleId)).to.include("large-supply-withdrawal");
  });
});
