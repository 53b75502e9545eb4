import { expect } from "chai";
import { network } from "hardhat";
import { benchMigration } from "../../scripts/bench/migration.js";

const { ethers } = await network.create();

describe("scripts/bench/migration", function () {
  it("reports gasUsed of the recovery operations", async function () {
    const gas = await benchMigration(ethers);
    for (const k of ["merkleClaim", "merkleClaimWithSig", "rescueRelease", "migratePosition"]) {
      expect(gas[k], k).to.be.a("number").and.to.be.greaterThan(21_000);
    }
    if (process.env.BENCH_PRINT) console.log(gas);
  });
});
