// The fork path against a deployment made by the DEPLOY TASK: a local `hardhat node` stands in
// for a live chain; `npx hardhat --network localhost breakwater deploy --params … --with-example-vault`
// (the real CLI, as an operator would run it) deploys the suite and the example protocol into it
// and writes the address book; then `drill run compromised-admin-key --fork-url <node>
// --address-book <book>` (through the task) must attach to the book's vault and guardian
// multisig (no fresh deploy), impersonate the multisig (it holds the breaker roles: the deployer
// renounced) and the book's guardians, run the real keeper against the fork, and meet the
// scenario's expectations — while the node itself stays untouched.
//
// The parameters are deployments/params/local.json with five guardians (addresses no local key
// controls: only impersonation can act as them) and ChangeGuardians 3-of-5, veto 2: with
// local.json's own 3 guardians (slow 2, veto 2) the two keys that can queue a takeover leave one
// honest guardian, below the veto quorum — the scenario reports that as unmet (see its attack).
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Contract, Wallet, id } from "ethers";
import hre from "hardhat";
import { ROOT, startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";
import type { AddressBook, DrillScore } from "../../tasks/drills/types.js";

const CLI = resolve(ROOT, "node_modules/hardhat/dist/src/cli.js");
const GLOBAL = id("breakwater.scope.GLOBAL");
const VIEW_ABI = [
  "function isPaused(bytes32 scope) view returns (bool)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function guardians() view returns (address[])",
  "function balanceOf(address) view returns (uint256)",
];

function hardhat(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("drill run --fork-url against a deployment made by the deploy task", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  const dir = mkdtempSync(join(tmpdir(), "drill-fork-deploy-"));

  let book: AddressBook;
  let bookFile: string;
  let guardians: string[];
  let params: { testToken: { symbol: string } } & Record<string, any>;
  let vault: string, guardian: string, asset: string;

  before(async function () {
    node = await startHardhatNode();
    // ---- the suite and the example vault, deployed into the node by the deploy task
    params = JSON.parse(readFileSync(join(ROOT, "deployments/params/local.json"), "utf8"));
    guardians = Array.from({ length: 5 }, () => Wallet.createRandom().address);
    params.guardians = guardians;
    params.multisig = { ...params.multisig, fastThreshold: 2, slowThreshold: 3, vetoThreshold: 2 };
    const paramsFile = join(dir, "params.json");
    writeFileSync(paramsFile, JSON.stringify(params, null, 2));
    const deployments = join(dir, "deployments");
    const dep = hardhat(["--network", "localhost", "breakwater", "deploy", "--params", paramsFile, "--with-example-vault", "--rpc-url", node.url, "--deployments", deployments]);
    expect(dep.code, dep.stderr + dep.stdout).to.equal(0);
    bookFile = join(deployments, "localhost.json");
    expect(existsSync(bookFile), "the deploy task wrote the address book").to.equal(true);
    book = JSON.parse(readFileSync(bookFile, "utf8")) as AddressBook;
    ({ vault, guardian, asset } = book.contracts as Record<string, string> & { vault: string; guardian: string; asset: string });
    expect(vault && guardian && asset, "book names vault, guardian and asset").to.be.a("string");
    expect(book.roles?.admin).to.equal(guardian);
    expect(book.roles?.deployerRenounced).to.equal(true);
    expect(book.roles?.guardians).to.deep.equal(guardians);
  });
  after(async function () {
    await node?.stop();
  });

  it("compromised-admin-key attaches to the book's vault and multisig, impersonates its roles, and scores", async function () {
    // ---- the live chain before the drill: the contracts exist, the multisig holds the roles
    const codeBefore = { vault: await node.provider.getCode(vault), guardian: await node.provider.getCode(guardian) };
    expect(codeBefore.vault).to.not.equal("0x");
    expect(codeBefore.guardian).to.not.equal("0x");
    const vaultOnNode = new Contract(vault, VIEW_ABI, node.provider);
    const msOnNode = new Contract(guardian, VIEW_ABI, node.provider);
    const tokenOnNode = new Contract(asset, VIEW_ABI, node.provider);
    expect(await vaultOnNode.getFunction("hasRole")(id("RECOVERY_ROLE"), guardian)).to.equal(true);
    expect(await vaultOnNode.getFunction("hasRole")(id("RECOVERY_ROLE"), book.roles!.deployer!)).to.equal(false);
    const vaultBalanceBefore = (await tokenOnNode.getFunction("balanceOf")(vault)) as bigint;
    const nodeHeadBefore = await node.blockNumber();

    // ---- the drill, through the task, on a fork of the node
    const out = join(dir, "reports");
    const scores = (await hre.tasks.getTask(["breakwater", "drill", "run"]).run({
      scenario: "compromised-admin-key",
      forkUrl: node.url,
      forkBlock: -1,
      addressBook: bookFile,
      out,
      intervalMs: 500,
      noBuild: true,
    })) as DrillScore[];
    const score = scores[0]!;
    expect(score.unmet, score.unmet.join("; ")).to.deep.equal([]);
    expect(score.expectationsMet).to.equal(true);
    expect(score.fork?.url).to.equal(node.url);
    expect(score.addressBook).to.equal(bookFile);

    // Attached to the deployed contracts, no fresh deploy.
    expect(score.facts.attachedToAddressBook).to.equal("yes");
    expect(String(score.facts.vault).toLowerCase()).to.equal(vault.toLowerCase());
    expect(String(score.facts.guardianMultisig).toLowerCase()).to.equal(guardian.toLowerCase());
    expect(score.facts.guardianPolicy).to.equal("ChangeGuardians 3-of-5, veto 2");
    expect(score.unit.symbol).to.equal(params.testToken.symbol);
    // The keeper's pause landed on the deployed vault: the malicious queue() and executeQueued
    // went to the deployed multisig; the attempt to execute the takeover reverted.
    expect(score.containedBlock! - score.firstMaliciousBlock!).to.be.at.most(1);
    expect(score.containedBlock).to.not.equal(null);
    expect(score.keeperAttempts.some((a) => a.includedBlock !== undefined)).to.equal(true);
    expect(score.facts.maliciousActionState).to.equal("Vetoed");
    expect(score.facts.pausedAtEnd).to.equal("yes");
    const execute = score.transactions.find((t) => t.kind === "malicious" && t.note?.includes("executeQueued"));
    expect(execute?.success).to.not.equal(true);

    // Impersonated the roles of the book: the multisig (admin: it holds the breaker roles) and
    // every guardian (none of them has a local key).
    const impersonated = (score.impersonated ?? []).map((a) => a.toLowerCase());
    expect(impersonated).to.include(guardian.toLowerCase());
    for (const g of guardians) expect(impersonated).to.include(g.toLowerCase());

    // The reports name the deployed addresses.
    const json = JSON.parse(readFileSync(join(out, "compromised-admin-key.json"), "utf8")) as DrillScore;
    expect(json.facts.vault).to.equal(score.facts.vault);
    const md = readFileSync(join(out, "compromised-admin-key.md"), "utf8");
    expect(md).to.include(vault).and.to.include(bookFile);

    // Writes on the fork stay on the fork: the node (the live chain) is untouched.
    expect(await node.provider.getCode(vault)).to.equal(codeBefore.vault);
    expect(await node.blockNumber()).to.equal(nodeHeadBefore);
    expect(await vaultOnNode.getFunction("isPaused")(GLOBAL)).to.equal(false);
    expect(((await msOnNode.getFunction("guardians")()) as string[]).map(String)).to.deep.equal(guardians);
    expect(await tokenOnNode.getFunction("balanceOf")(vault)).to.equal(vaultBalanceBefore);
  });

  it("benign-whale-busy-traffic attaches to the book's vault (deployed limits kept) and raises no false alarm", async function () {
    const vaultOnNode = new Contract(vault, VIEW_ABI, node.provider);
    const codeBefore = await node.provider.getCode(vault);
    expect(codeBefore).to.not.equal("0x");
    const out = join(dir, "reports-whale");
    const scores = (await hre.tasks.getTask(["breakwater", "drill", "run"]).run({
      scenario: "benign-whale-busy-traffic",
      forkUrl: node.url,
      forkBlock: -1,
      addressBook: bookFile,
      out,
      intervalMs: 500,
      noBuild: true,
    })) as DrillScore[];
    const score = scores[0]!;
    expect(score.unmet, score.unmet.join("; ")).to.deep.equal([]);
    expect(score.expectationsMet).to.equal(true);
    expect(score.addressBook).to.equal(bookFile);
    expect(score.facts.attachedToAddressBook).to.equal("yes");
    expect(String(score.facts.vault).toLowerCase()).to.equal(vault.toLowerCase());
    expect(score.facts.whaleExited).to.equal("yes");
    const whaleTxs = score.transactions.filter((t) => t.note?.startsWith("whale"));
    expect(whaleTxs.map((t) => [t.note, t.success])).to.deep.equal([["whale exit 1,200,000", true], ["whale deposit 600,000", true]]);
    expect(score.facts.pausedEvents).to.equal(0);
    expect(score.falseAlarms).to.equal(0);
    expect((score.impersonated ?? []).map((a) => a.toLowerCase())).to.include(guardian.toLowerCase());
    expect(await node.provider.getCode(vault)).to.equal(codeBefore);
    expect(await vaultOnNode.getFunction("isPaused")(GLOBAL)).to.equal(false);
  });
});
