import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet, ZeroHash, id } from "ethers";
import hre from "hardhat";
import { readAddressBook } from "../../tasks/lib/address-book.js";
import { OperatorError } from "../../tasks/lib/errors.js";
import { Scopes } from "../../tasks/lib/validation.js";
import { runDeploy } from "../../tasks/operator/deploy-action.js";
import { runPause } from "../../tasks/operator/pause-action.js";
import { runStatus } from "../../tasks/operator/status-action.js";
import { TEST_KEYS } from "../keeper/helpers/node.js";
import { LOCAL_PARAMS, deployWith, newEnv, paramsFile, type TaskEnv } from "./helpers.js";

const E = id("EMERGENCY_ROLE");
const R = id("RECOVERY_ROLE");

async function expectFail(p: Promise<unknown>, ...fragments: string[]): Promise<OperatorError> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(OperatorError);
    for (const f of fragments) expect((err as Error).message).to.include(f);
    return err as OperatorError;
  }
  throw new Error(`expected a failure mentioning ${fragments.join(", ")}`);
}

describe("tasks: deploy", () => {
  let env: TaskEnv;
  before(async () => {
    env = await newEnv();
  });

  it("is registered as Hardhat tasks", () => {
    for (const t of [["deploy"], ["breaker", "status"], ["breaker", "pause"], ["guardian", "propose"], ["guardian", "sign"], ["guardian", "submit"], ["guardian", "queue"], ["guardian", "veto"], ["guardian", "execute-queued"], ["guardian", "export-safe"]]) {
      expect(hre.tasks.getTask(["breakwater", ...t]).id).to.deep.equal(["breakwater", ...t]);
    }
  });

  it("--dry-run sends nothing and writes no address book", async () => {
    const { ethers } = env.chain;
    const [deployer] = await ethers.getSigners();
    const block = await ethers.provider.getBlockNumber();
    const nonce = await ethers.provider.getTransactionCount(deployer.address);
    const res = await deployWith(env, LOCAL_PARAMS, { dryRun: true });
    expect(res.dryRun).to.equal(true);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
    expect(existsSync(join(env.dir, `${env.chain.networkName}.json`))).to.equal(false);
    expect(env.text()).to.match(/batch \d+: would deploy GuardianMultisig \(BreakwaterGuardianMultisig#GuardianMultisig\)/);
    expect(env.text()).to.match(/\d+ transactions, ~\d+ gas .*nothing was sent/);
  });

  it("rejects an invalid parameters file with every problem listed", async () => {
    const bad = paramsFile(env.dir, "bad.json", (p) => {
      p.multisig.fastThreshold = 9;
      p.guardians.push(p.guardians[0]);
      p.limits[0].window = "2x";
    });
    await expectFail(deployWith(env, bad), "fastThreshold 9 exceeds", "duplicate guardian", "limits[0].window");
  });

  it("deploys, wires roles and writes a correct address book; refuses to overwrite it", async () => {
    const { ethers } = env.chain;
    const [deployer] = await ethers.getSigners();
    const res = await deployWith(env);
    const book = readAddressBook(env.dir, env.chain.networkName);
    expect(book).to.deep.equal(res.book);
    expect(book.chainId).to.equal(31337);
    for (const k of ["guardian", "breaker", "vault", "asset", "rescueVault", "migrator", "merkleClaims", "multicall3"]) {
      expect(book.contracts[k], k).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(await ethers.provider.getCode(book.contracts[k]!), k).to.not.equal("0x");
    }
    expect(book.contracts.breaker).to.equal(book.contracts.vault);
    expect(book.roles?.guardians).to.have.length(4);
    expect(book.roles?.admin).to.equal(book.contracts.guardian);
    expect(book.roles?.sentinel).to.equal("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65");

    const vault = await ethers.getContractAt("ProtectedVault", book.contracts.vault!);
    const ms = book.contracts.guardian!;
    for (const role of [ZeroHash, E, R]) {
      expect(await vault.hasRole(role, ms)).to.equal(true);
      expect(await vault.hasRole(role, deployer.address)).to.equal(false);
    }
    expect(await vault.rescueVault()).to.equal(book.contracts.rescueVault);
    expect(await vault.migrator()).to.equal(book.contracts.migrator);
    expect(await vault.asset()).to.equal(book.contracts.asset);
    const [sentinel, armed] = await vault.sentinelState();
    expect([sentinel, armed]).to.deep.equal([book.roles!.sentinel, true]);
    expect((await vault.limitOf(book.contracts.asset!)).maxCapacity).to.equal(10n ** 21n);
    const multisig = await ethers.getContractAt("GuardianMultisig", ms);
    expect(await multisig.isManaged(book.contracts.vault!)).to.equal(true);
    const rescue = await ethers.getContractAt("RescueVault", book.contracts.rescueVault!);
    expect(await rescue.hasRole(R, ms)).to.equal(true);
    const migrator = await ethers.getContractAt("PositionMigrator", book.contracts.migrator!);
    expect(await migrator.owner()).to.equal(ms);

    await expectFail(deployWith(env), "already exists", "--force");
  });
});

describe("tasks: breaker status / pause", () => {
  let env: TaskEnv;
  let book: ReturnType<typeof readAddressBook>;
  before(async () => {
    env = await newEnv();
    // The deployer keeps EMERGENCY_ROLE here (direct path); the fast path needs one approval.
    const params = paramsFile(env.dir, "direct.json", (p) => {
      p.renounceDeployer = false;
      p.multisig.fastThreshold = 1;
    });
    book = (await runDeploy(env.args({ params, withExampleVault: false, force: false, allowEphemeral: true }), env.chain)).book;
  });
  const pauseArgs = (extra: Record<string, unknown>) =>
    env.args({ scope: "GLOBAL", duration: "2h", reason: "test", breaker: "", via: "auto", ...extra });

  it("bad scope, bad duration, out-of-bounds duration, unauthorised key: clear errors, nothing sent", async () => {
    const block = await env.chain.ethers.provider.getBlockNumber();
    await expectFail(runPause(pauseArgs({ scope: "EVERYTHING" }), env.chain), 'is not a scope', "GLOBAL");
    await expectFail(runPause(pauseArgs({ duration: "2x" }), env.chain), "is not a duration", "2h");
    await expectFail(runPause(pauseArgs({ duration: "30d" }), env.chain), "outside the breaker's bounds");
    await expectFail(runPause(pauseArgs({ reason: "" }), env.chain), "--reason is required");
    await expectFail(runPause(pauseArgs({ scope: `asset:${book.contracts.rescueVault}` }), env.chain), "is not an asset registered");
    const err = await expectFail(runPause(pauseArgs({ from: "6" }), env.chain), "does not hold EMERGENCY_ROLE", "is not a guardian");
    expect(err.hint).to.include("npx hardhat breakwater guardian propose --kind Pause");
    process.env.BW_TEST_BAD_KEY = "0x1234";
    await expectFail(runPause(pauseArgs({ keyEnv: "BW_TEST_BAD_KEY" }), env.chain), "not a private key");
    await expectFail(runPause(pauseArgs({ keyEnv: "BW_TEST_UNSET_KEY" }), env.chain), "not set");
    expect(await env.chain.ethers.provider.getBlockNumber()).to.equal(block);
  });

  it("--dry-run prints the decoded effect and sends nothing", async () => {
    const block = await env.chain.ethers.provider.getBlockNumber();
    const res = await runPause(pauseArgs({ dryRun: true, scope: "WITHDRAW" }), env.chain);
    expect(res.summary).to.match(/would pause WITHDRAW until ≈\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(2h\) on 0x/);
    expect(await env.chain.ethers.provider.getBlockNumber()).to.equal(block);
    const vault = await env.chain.ethers.getContractAt("ProtectedVault", book.contracts.vault!);
    expect(await vault.isPaused(Scopes.WITHDRAW)).to.equal(false);
  });

  it("status shows a pause, capacities and a queued outflow (table and --json)", async () => {
    const { ethers } = env.chain;
    const signers = await ethers.getSigners();
    const user = signers[5]!;
    const token: any = await ethers.getContractAt("contracts/test/TestToken.sol:TestToken", book.contracts.asset!);
    const vault = await ethers.getContractAt("ProtectedVault", book.contracts.vault!);
    await (await token.connect(user).approve(book.contracts.vault!, 10n ** 30n)).wait();
    await (await vault.connect(user).deposit(5000n * 10n ** 18n, user.address)).wait();
    await (await vault.connect(user).withdraw(3000n * 10n ** 18n, user.address, user.address)).wait();

    const res = await runPause(pauseArgs({ scope: "DEPOSIT", duration: "3h", reason: "suspicious deposits" }), env.chain);
    expect(res.via).to.equal("direct");
    expect(await vault.isPaused(Scopes.DEPOSIT)).to.equal(true);
    const log = readFileSync(join(env.dir, `${env.chain.networkName}.log.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(log.at(-1)).to.include({ action: "pause", label: "DEPOSIT", reason: "suspicious deposits", via: "direct" });

    await expectFail(runPause(pauseArgs({ scope: "DEPOSIT", duration: "1h" }), env.chain), "already paused until", "ExtendPause");

    env.out.length = 0;
    const s = await runStatus(env.args({ breaker: "" }), env.chain);
    const dep = s.scopes.find((x) => x.label === "DEPOSIT")!;
    expect(dep.paused && dep.ownPause).to.equal(true);
    expect(s.alarm).to.equal(true);
    expect(s.assets[0]).to.include({ asset: book.contracts.asset, maxCapacity: (10n ** 21n).toString(), mode: "Queue", symbol: "tUSD" });
    expect(BigInt(s.assets[0]!.available) < 10n ** 18n, "capacity used up (a few blocks of refill)").to.equal(true);
    expect(s.assets[0]!.queuedTotal).to.equal((2000n * 10n ** 18n).toString());
    expect(s.queued).to.have.length(1);
    expect(s.queued[0]).to.include({ id: 1, state: "pending", recipient: user.address });
    expect(s.sentinel).to.include({ armed: true, maxDuration: 7200 });
    const text = env.text();
    expect(text).to.match(/DEPOSIT\s+PAUSED\s+\d{4}-/);
    expect(text).to.match(/\d+ \/ 1000000000000000000000/);
    expect(text).to.match(/1\s+0x[0-9a-fA-F]{40}\s+0x[0-9a-fA-F]{40}\s+2000000000000000000000\s+\S+\s+pending/);

    env.out.length = 0;
    await runStatus(env.args({ breaker: "", json: true }), env.chain);
    const json = JSON.parse(env.text());
    expect(json.scopes.find((x: any) => x.label === "DEPOSIT").paused).to.equal(true);
  });

  it("a guardian pauses through the multisig fast path when one approval suffices", async () => {
    const vault = await env.chain.ethers.getContractAt("ProtectedVault", book.contracts.vault!);
    const res = await runPause(pauseArgs({ scope: "BORROW", duration: "1h", reason: "fast path", from: "1" }), env.chain);
    expect(res.via).to.equal("multisig");
    expect(await vault.isPaused(Scopes.BORROW)).to.equal(true);
    // A key from the environment works too.
    process.env.BW_TEST_GUARDIAN_KEY = TEST_KEYS[2];
    const res2 = await runPause(pauseArgs({ scope: "TRADE", duration: "1h", reason: "env key", keyEnv: "BW_TEST_GUARDIAN_KEY" }), env.chain);
    expect(res2.by).to.equal(new Wallet(TEST_KEYS[2]).address);
    expect(await vault.isPaused(Scopes.TRADE)).to.equal(true);
  });

  it("checks the address book's chain id", async () => {
    const other = await newEnv();
    const p = join(env.dir, `${env.chain.networkName}.json`);
    const bookJson = JSON.parse(readFileSync(p, "utf8"));
    bookJson.chainId = 1;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(other.dir, `${other.chain.networkName}.json`), JSON.stringify(bookJson));
    await expectFail(runStatus(other.args({ breaker: "" }), other.chain), "is for chain 1", "connected chain is 31337");
    // No code at the breaker on a fresh chain.
    bookJson.chainId = 31337;
    writeFileSync(join(other.dir, `${other.chain.networkName}.json`), JSON.stringify(bookJson));
    await expectFail(runStatus(other.args({ breaker: "" }), other.chain), "has no code");
  });
});
