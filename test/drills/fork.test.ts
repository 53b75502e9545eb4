// The fork path: a local `hardhat node` stands in for a live chain. The vulnerable bridge is
// deployed INTO the node (admin = an address no local key controls), an address book names it,
// and `drill run multi-tx-drain-copycats --fork-url <node> --address-book <file>` (through the
// task) must attach to the deployed bridge (no fresh deploy), impersonate the admin to configure
// the breaker and the sentinel, run the real keeper against the fork, and meet the expectations.
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet, type Contract } from "ethers";
import hre from "hardhat";
import { deployArtifact, startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";
import type { AddressBook, DrillScore } from "../../tasks/drills/types.js";

const E18 = 10n ** 18n;

describe("drill run --fork-url (local hardhat node as the live chain)", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  const dir = mkdtempSync(join(tmpdir(), "drill-fork-"));

  before(async function () {
    node = await startHardhatNode();
  });
  after(async function () {
    await node?.stop();
  });

  it("attaches to the address book's bridge, impersonates its admin, and contains the drain", async function () {
    const deployer = node.wallet(0);
    const admin = Wallet.createRandom().address; // only impersonation can act as it
    const token = (await deployArtifact(deployer, "test/TestToken.sol", "TestToken", "Bridged USDC", "bUSDC", 18)) as Contract;
    const bridge = (await deployArtifact(deployer, "examples/drills/DrillBridgeReplica.sol", "DrillBridgeReplica", await token.getAddress(), admin, 7n * 86_400n, 86_400n)) as Contract;
    const bridgeAddress = await bridge.getAddress();
    await (await token.getFunction("mint")(bridgeAddress, 1_000_000n * E18)).wait();
    const book: AddressBook = {
      network: "local-node",
      chainId: 31337,
      deployedAt: new Date().toISOString(),
      blockNumber: await node.blockNumber(),
      contracts: { bridgeReplica: bridgeAddress, asset: await token.getAddress() },
      roles: { admin },
    };
    const bookFile = join(dir, "local-node.json");
    writeFileSync(bookFile, JSON.stringify(book, null, 2));
    const codeBefore = await node.provider.getCode(bridgeAddress);

    const out = join(dir, "reports");
    const scores = (await hre.tasks.getTask(["breakwater", "drill", "run"]).run({
      scenario: "multi-tx-drain-copycats",
      forkUrl: node.url,
      forkBlock: -1,
      addressBook: bookFile,
      out,
      intervalMs: 500,
      noBuild: true,
    })) as DrillScore[];
    const score = scores[0]!;
    expect(score.unmet).to.deep.equal([]);
    expect(score.expectationsMet).to.equal(true);
    expect(score.fork?.url).to.equal(node.url);
    expect(score.addressBook).to.equal(bookFile);
    // Attached: the drill played against the deployed bridge, not a fresh one.
    expect(String(score.facts.bridge).toLowerCase()).to.equal(bridgeAddress.toLowerCase());
    expect(score.facts.attachedToAddressBook).to.equal("yes");
    expect((score.impersonated ?? []).map((a) => a.toLowerCase())).to.include(admin.toLowerCase());
    expect(score.containedBlock! - score.firstMaliciousBlock!).to.be.at.most(1);
    expect(score.savedPct!).to.be.at.least(90);
    const json = JSON.parse(readFileSync(join(out, "multi-tx-drain-copycats.json"), "utf8")) as DrillScore;
    expect(json.facts.bridge).to.equal(score.facts.bridge);
    // Writes on the fork stay on the fork: the live chain (node) is untouched.
    expect(await node.provider.getCode(bridgeAddress)).to.equal(codeBefore);
    expect(await token.getFunction("balanceOf")(bridgeAddress)).to.equal(1_000_000n * E18);
  });
});
