// One of the incident-class scenarios (accounting-bug-single-tx: Euler-style one-transaction
// drain capped by the outflow limit) run end to end through the drill runner with the REAL
// keeper on the embedded chain. The whole library runs in CI via `npm run drill`; the exploits
// themselves are unit-tested in test/solidity/examples/DrillExploits.t.sol.
import { expect } from "chai";
import hre from "hardhat";
import { loadScenarios, runScenario } from "../../tasks/drills/runner.js";

describe("drill scenario accounting-bug-single-tx (runner + real keeper)", function () {
  this.timeout(180_000);

  it("caps the one-transaction drain at the limit's window share, detects it and contains the copycat", async function () {
    const scenario = (await loadScenarios()).find((s) => s.id === "accounting-bug-single-tx");
    expect(scenario, "scenario module loaded").to.not.equal(undefined);
    const score = await runScenario(hre, scenario!);
    expect(score.unmet, score.unmet.join("; ")).to.deep.equal([]);
    expect(score.expectationsMet).to.equal(true);
    expect(score.detectedBlock).to.equal(score.firstMaliciousBlock);
    expect(score.containedBlock).to.equal(score.firstMaliciousBlock! + 1);
    const lost = BigInt(score.fundsLost);
    const atRisk = BigInt(score.fundsAtRisk);
    expect(lost > 0n, "the limiter lets the window capacity through").to.equal(true);
    expect(lost * 10n <= atRisk, "loss <= 10% (the limit's share of the honest TVL)").to.equal(true);
    const copycat = score.transactions.find((t) => t.kind === "malicious" && t.note?.startsWith("copycat"));
    expect(copycat?.success, "the copycat reverts once BORROW is paused").to.equal(false);
  });
});
