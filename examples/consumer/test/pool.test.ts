// This project, as its team runs it: compile, deploy the pool, wire Breakwater through the plugin's
// tasks against a real `hardhat node`, check it, let the keeper (the package's bin) contain an
// exploit, pause through the guardians, and pass the readiness check. Nothing here imports
// Breakwater by a relative path: only the installed package (tasks, bin, `breakwater/client`).
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Contract, id, parseUnits } from "ethers";
import { KEYS, ROOT, expectOk, freePort, hardhat, keeperCli, startKeeper, startNode, type Node } from "./helpers.js";

const BOOK = join(ROOT, "deployments/localhost.json");
const STORE = join(ROOT, "keeper-test.sqlite");
const artifact = (name: string) =>
  JSON.parse(readFileSync(join(ROOT, `artifacts/contracts/${name}.sol/${name}.json`), "utf8")) as { abi: unknown[] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("LendingPool protected by Breakwater (package installed from its tarball)", function () {
  this.timeout(900_000);
  let node: Node;
  let env: Record<string, string>;
  let protocol: { usd: string; weth: string; feed: string; pool: string };
  let book: { chainId: number; contracts: Record<string, string> };
  let pool: Contract;

  before(async () => {
    node = await startNode();
    env = { LOCALHOST_RPC_URL: node.url, POOL_RPC_URL: node.url, POOL_KEEPER_STORE: STORE, POOL_KEEPER_PORT: String(await freePort()), POOL_WEBHOOK_SECRET: "test-secret" };
    for (const f of [BOOK, STORE, `${STORE}-wal`, `${STORE}-shm`]) rmSync(f, { force: true });
    rmSync(join(ROOT, "deployments/ignition"), { recursive: true, force: true });
  });
  after(async () => {
    await node?.stop();
  });

  it("compiles, deploys the pool, and wires Breakwater with `breakwater deploy`", () => {
    expectOk(hardhat(["--network", "localhost", "run", "scripts/deploy-protocol.ts"], env), "deploy-protocol");
    protocol = JSON.parse(readFileSync(join(ROOT, "deployments/protocol.localhost.json"), "utf8"));
    // Dry run first: every check, nothing sent.
    const dry = hardhat(["--network", "localhost", "breakwater", "deploy", "--params", "deploy/breakwater.localhost.json", "--dry-run"], env);
    expectOk(dry, "breakwater deploy --dry-run");
    expect(existsSync(BOOK), "a dry run writes no address book").to.equal(false);
    expectOk(hardhat(["--network", "localhost", "breakwater", "deploy", "--params", "deploy/breakwater.localhost.json"], env), "breakwater deploy");
    book = JSON.parse(readFileSync(BOOK, "utf8"));
    expect(book.contracts.pool).to.equal(protocol.pool);
    expect(book.contracts.breaker).to.equal(protocol.pool, "the pool is Breakable: its own breaker");
    pool = new Contract(protocol.pool, artifact("LendingPool").abi as never, node.provider);
  });

  it("breaker status reads the pool's pauses and limits", () => {
    const st = hardhat(["--network", "localhost", "breakwater", "breaker", "status", "--json"], env);
    expectOk(st, "breaker status");
    const text = st.stdout;
    expect(text).to.include(protocol.usd);
    expect(text).to.include(protocol.weth);
  });

  it("the keeper's --check passes on the address book", () => {
    const r = keeperCli(["--config", "keeper.config.ts", "--check"], { ...env, BREAKWATER_SENTINEL_KEY: KEYS[4] });
    expectOk(r, "breakwater-keeper --check");
  });

  it("readiness passes while the keeper runs; then the keeper pauses BORROW after the first malicious borrow of a price-feed compromise", async () => {
    const users = [6, 8, 9, 10].map((i) => node.wallet(i));
    const usd = new Contract(protocol.usd, artifact("MintableToken").abi as never, node.provider);
    const weth = new Contract(protocol.weth, artifact("MintableToken").abi as never, node.provider);
    const feed = new Contract(protocol.feed, artifact("PriceFeed").abi as never, node.provider);
    // Lenders supply 900k pUSD, borrowers post collateral and borrow modestly.
    for (const [i, u] of users.entries()) {
      await (await (usd.connect(u) as Contract).approve(protocol.pool, parseUnits("1000000", 6))).wait();
      await (await (weth.connect(u) as Contract).approve(protocol.pool, parseUnits("1000", 18))).wait();
      if (i < 3) await (await (pool.connect(u) as Contract).supply(parseUnits("300000", 6))).wait();
    }
    await (await (pool.connect(users[3]) as Contract).addCollateral(parseUnits("10", 18))).wait();
    await (await (pool.connect(users[3]) as Contract).borrow(parseUnits("5000", 6))).wait();

    const keeper = startKeeper(["--config", "keeper.config.ts"], { ...env, BREAKWATER_SENTINEL_KEY: KEYS[4] });
    try {
      // The service is up (its log says so) before the attack starts.
      for (let t = 0; !/"msg":"keeper started"|keeper started/.test(keeper.output()); t++) {
        if (t > 120 || /keeper not started|crashed/.test(keeper.output())) throw new Error(`the keeper did not start:\n${keeper.output()}`);
        await sleep(250);
      }
      // Readiness on the freshly wired suite with the keeper running: no high finding
      // (roles held exactly as the plan says, sentinel armed and the keeper's key, limits on every
      // asset with a balance, runbooks for acting rules, two channels for P1, /healthz answers).
      const r = hardhat(["--network", "localhost", "breakwater", "readiness", "--plan", "plan.ts", "--keeper-config", "keeper.config.ts", "--keeper-url", `http://127.0.0.1:${env.POOL_KEEPER_PORT}`, "--json"], { ...env, BREAKWATER_SENTINEL_KEY: KEYS[4] });
      const report = JSON.parse(r.stdout) as { score?: number; findings?: { id: string; severity: string }[]; error?: string };
      expect(report.findings, r.stdout + r.stderr).to.be.an("array");
      expect(report.findings!.filter((f) => f.severity === "high"), JSON.stringify(report.findings, null, 2)).to.deep.equal([]);
      expect(r.code, r.stderr).to.equal(0);
      await node.rpc("evm_setAutomine", [false]);
      await node.rpc("evm_setIntervalMining", [1000]);
      await sleep(4000); // the keeper starts and follows the head

      // The reporter key is stolen: the collateral is priced 1,000x; the attacker borrows in four txs.
      const reporter = node.wallet(5);
      const attacker = node.wallet(11);
      await node.rpc("hardhat_setBalance", [attacker.address, "0x56BC75E2D63100000"]);
      await (await (weth.connect(node.wallet(0)) as Contract).mint(attacker.address, parseUnits("10", 18))).wait();
      await (await (weth.connect(attacker) as Contract).approve(protocol.pool, parseUnits("10", 18))).wait();
      await (await (pool.connect(attacker) as Contract).addCollateral(parseUnits("10", 18))).wait();
      await (await (feed.connect(reporter) as Contract).setPrice(2_000_000n * 10n ** 8n)).wait();
      const receipts = [];
      for (let k = 0; k < 4; k++) {
        const tx = await (pool.connect(attacker) as Contract).borrow(parseUnits("110000", 6), { gasLimit: 500_000 });
        receipts.push(await node.provider.waitForTransaction(tx.hash));
        await sleep(1500);
      }
      const ok = receipts.filter((r) => r?.status === 1).length;
      expect(ok, `attacker borrows that succeeded (keeper output:\n${keeper.output().slice(-3000)})`).to.be.lessThan(4);
      expect(receipts[0]?.status, "the first malicious borrow lands before anyone can react").to.equal(1);
      expect(await pool.getFunction("isPaused")(id("breakwater.scope.BORROW")), `BORROW is paused (keeper output:\n${keeper.output().slice(-4000)})`).to.equal(true);
      const lost = receipts.filter((r) => r?.status === 1).length * 110_000;
      expect(lost).to.be.at.most(220_000, "at most the borrows of the detection block and the next");
    } finally {
      await keeper.stop();
      await node.rpc("evm_setIntervalMining", [0]);
      await node.rpc("evm_setAutomine", [true]);
    }
  });

  it("a guardian pauses DEPOSIT through the fast path with the plugin's guardian tasks", async () => {
    mkdirSync(join(ROOT, "reports"), { recursive: true });
    const file = join(ROOT, "reports/pause-deposit.json");
    rmSync(file, { force: true });
    const g = { ...env, GUARDIAN_KEY: KEYS[1] };
    expectOk(hardhat(["--network", "localhost", "breakwater", "guardian", "propose", "--kind", "Pause", "--args", "DEPOSIT,1h", "--out", file, "--force"], g), "guardian propose");
    expectOk(hardhat(["--network", "localhost", "breakwater", "guardian", "sign", "--file", file, "--key-env", "GUARDIAN_KEY"], g), "guardian sign");
    expectOk(hardhat(["--network", "localhost", "breakwater", "guardian", "submit", "--file", file, "--key-env", "GUARDIAN_KEY"], g), "guardian submit");
    expect(await pool.getFunction("isPaused")(id("breakwater.scope.DEPOSIT")), "DEPOSIT is paused").to.equal(true);
    // Repay is never blocked by a pause.
    const borrower = node.wallet(10);
    await (await (pool.connect(borrower) as Contract).repay(borrower.address, parseUnits("1000", 6))).wait();
  });

});
