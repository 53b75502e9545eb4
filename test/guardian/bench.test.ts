import { expect } from "chai";
import { network } from "hardhat";
import { benchGuardian } from "../../scripts/bench/guardian.js";

const { ethers } = await network.create();

describe("scripts/bench/guardian.ts", function () {
  it("returns gasUsed for every benchmark key", async function () {
    const r = await benchGuardian(ethers);
    for (const k of [
      "guardianPause1ofN",
      "guardianQueued3of5EcdsaQueue",
      "guardianQueued3of5EcdsaExecute",
      "guardianQueued3of5WithSafeQueue",
      "guardianQueued3of5WithSafeExecute",
    ]) {
      expect(r[k], k).to.be.greaterThan(21_000);
    }
    console.log("      gas:", JSON.stringify(r));
  });
});
