// This project's drills, run as its team runs them: `npx hardhat breakwater drill run …` (the
// plugin's task from the installed package) for the project's own scenario
// (drills/price-feed-over-borrow.ts) and one run of each attack template (drills/templates/*.json),
// first on the embedded chain (the drill deploys the pool: drills/_pool.ts), then on a fork of a
// spawned `hardhat node` where the pool was deployed by scripts/deploy-protocol.ts and wired by
// `breakwater deploy` — attached through its address book, with the production keeper config
// (keeper.config.ts) and the admin named in the book impersonated. Last, a drain staged on the node
// is replayed by hash from a fork one block before it. Every result is read from the drill's JSON
// report. This file keeps to its own temp directory (address book, journal, reports) so that
// test/pool.test.ts, which owns deployments/localhost.json, is not disturbed.
import { expect } from "chai";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract } from "ethers";
import { ROOT, expectOk, hardhat, startNode, type Node, type Run } from "./helpers.js";
import type { DrillScore as Report } from "breakwater/drills";
import { ACCOUNT, E18, FEED_ABI, POOL_ABI, TOKEN_ABI, USD, seedLiquidityAndPair, type PoolStack } from "../drills/_pool.js";


const TEMPLATES = ["key-compromise", "repeated-drain", "price-manipulation", "replay"] as const;

describe("the project's drills (breakwater drill run, embedded chain and a fork of its deployment)", function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), "consumer-drills-"));
  const book = join(dir, "localhost.json");
  const protocolFile = join(dir, "protocol.localhost.json");
  let node: Node;
  let env: Record<string, string>;
  let stack: PoolStack;
  let admin: string;

  /** `drill run <what>` with the reports in `<dir>/<out>`; returns the run and the JSON report of `id`. */
  const drill = (what: string, id: string, out: string, extra: string[] = [], runEnv: Record<string, string> = {}): { run: Run; report: Report } => {
    const reports = join(dir, out);
    const run = hardhat(["breakwater", "drill", "run", what, "--no-build", "--out", reports, ...extra], runEnv);
    expectOk(run, `drill run ${what} ${extra.join(" ")}`);
    const report = JSON.parse(readFileSync(join(reports, `${id}.json`), "utf8")) as Report;
    return { run, report };
  };
  const met = (r: Report) => {
    expect(r.skipped, `${r.scenario} skipped`).to.equal(undefined);
    expect(r.unmet, `${r.scenario}: unmet expectations`).to.deep.equal([]);
    expect(r.expectationsMet).to.equal(true);
    expect(r.falseAlarms).to.equal(0);
    expect(r.detectedBlock, `${r.scenario} detected`).to.not.equal(null);
    expect(String(r.facts.containment ?? "scored"), `${r.scenario}: containment is scored (the pool is Breakable)`).to.match(/^scored/);
  };
  const fork = () => ["--fork-url", node.url, "--address-book", book, "--keeper-config", "keeper.config.ts"];
  // The production config with this deployment's address book and protocol file; as in a CI job,
  // the ops webhooks' secret is not set (the drill leaves those channels and the plan's routing out).
  const forkEnv = () => ({ ...env, POOL_ADDRESS_BOOK: book, POOL_PROTOCOL_FILE: protocolFile });
  const attached = (r: Report) => {
    expect(r.fork?.url).to.equal(node.url);
    expect(r.addressBook).to.equal(book);
    expect(r.impersonated, "the book's admin is impersonated").to.include(admin);
  };

  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("on the embedded chain (the drill deploys the pool)", () => {
    it("drills/price-feed-over-borrow.ts: the first malicious borrow is detected in its block, BORROW paused in the next, the rest revert", () => {
      const { report } = drill("./drills/price-feed-over-borrow.ts", "price-feed-over-borrow", "embedded");
      met(report);
      expect(report.fork).to.equal(null);
      expect(report.detectedBlock).to.equal(report.firstMaliciousBlock);
      expect(report.blocksToContain).to.equal(1);
      const borrows = report.transactions.filter((t) => t.kind === "malicious" && t.note?.startsWith("borrow"));
      expect(borrows.map((t) => t.success)).to.deep.equal([true, false, false, false]);
      expect(BigInt(report.fundsLost)).to.be.at.most(110_000n * USD);
    });

    for (const t of TEMPLATES) {
      it(`template ${t} (drills/pool-${t}.ts: drills/templates/${t}.json after the pool's setup)`, () => {
        const { report } = drill(`./drills/pool-${t}.ts`, `pool-${t}`, "embedded");
        met(report);
        expect(report.fork).to.equal(null);
        expect(report.facts.template).to.equal(t);
        if (t === "price-manipulation") expect(String(report.facts.swapFundedBy)).to.include(ACCOUNT.whale);
      });
    }
  });

  describe("on a fork of a node where the pool was deployed by its own deploy flow", () => {
    before(async () => {
      node = await startNode();
      env = { LOCALHOST_RPC_URL: node.url };
      // The lead's flow (test/pool.test.ts), but the address book and the Ignition journal go to
      // this file's temp dir (--deployments): deployments/localhost.json stays test/pool.test.ts's.
      expectOk(hardhat(["--network", "localhost", "run", "scripts/deploy-protocol.ts"], env), "deploy-protocol");
      copyFileSync(join(ROOT, "deployments/protocol.localhost.json"), protocolFile);
      expectOk(hardhat(["--network", "localhost", "breakwater", "deploy", "--params", "deploy/breakwater.localhost.json", "--deployments", dir], env), "breakwater deploy");
      const b = JSON.parse(readFileSync(book, "utf8")) as { contracts: Record<string, string>; roles: { admin: string } };
      const p = JSON.parse(readFileSync(protocolFile, "utf8")) as Omit<PoolStack, "reporter">;
      expect(b.contracts.pool).to.equal(p.pool);
      admin = b.roles.admin;
      stack = { ...p, reporter: ACCOUNT.reporter };
      // What a live pool has besides its contracts: lenders' liquidity, and a Uniswap V2 market.
      await seedLiquidityAndPair(stack, await node.provider.getSigner(ACCOUNT.deployer), (a) => node.provider.getSigner(a));
    });

    it("drills/price-feed-over-borrow.ts attaches through the book, rehearses the production keeper config, and contains in 1 block", () => {
      const { report } = drill("./drills/price-feed-over-borrow.ts", "price-feed-over-borrow", "fork", fork(), forkEnv());
      met(report);
      attached(report);
      expect(report.detectedBlock).to.equal(report.firstMaliciousBlock);
      expect(report.blocksToContain).to.equal(1);
      expect(report.incidents?.map((i) => i.ruleId)).to.include("huge-borrow"); // the rule of keeper.config.ts
      expect(report.facts.teamAlertChannels).to.equal(
        "kept: none; left out: ops (POOL_WEBHOOK_SECRET not set), ops-backup (POOL_WEBHOOK_SECRET not set); plan plan.ts not applied (it routes alerts to a channel left out)",
      );
      expect(report.facts.pool).to.equal(stack.pool);
    });

    for (const t of ["key-compromise", "repeated-drain", "price-manipulation"] as const) {
      it(`template:${t} --params drills/templates/${t}.json attaches through the book`, () => {
        const { report } = drill(`template:${t}`, `template-${t}`, "fork", ["--params", `drills/templates/${t}.json`, ...fork()], forkEnv());
        met(report);
        attached(report);
        expect(report.facts.pausePowerGranted, "the drill's keeper was made the sentinel by the impersonated admin").to.equal(`setSentinel by impersonated admin ${admin}`);
        if (t === "price-manipulation") expect(String(report.facts.swapFundedBy)).to.include(ACCOUNT.whale);
      });
    }

    it("safe attachment: a fork block before the deployment is SKIPPED with its reason", () => {
      const { report } = drill("template:repeated-drain", "template-repeated-drain", "fork-early", ["--params", "drills/templates/repeated-drain.json", ...fork(), "--fork-block", "1"], forkEnv());
      expect(report.skipped).to.match(/deployed at block \d+, after the fork block 1/);
      expect(report.expectationsMet).to.equal(false);
    });

    it("template:replay forks one block before a drain staged on the node, replays it by hash and the keeper contains it", async () => {
      // "History": the attacker posts collateral, then the stolen reporter key and two borrows.
      const attacker = await node.provider.getSigner("0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"); // #8, as in replay.json
      const wait = async (p: Promise<{ wait(): Promise<unknown> }>) => void (await (await p).wait());
      await wait((new Contract(stack.weth, TOKEN_ABI, attacker) as Contract).getFunction("approve")(stack.pool, 10n * E18));
      await wait((new Contract(stack.pool, ["function addCollateral(uint256)"], attacker) as Contract).getFunction("addCollateral")(10n * E18));
      const forkBlock = await node.provider.getBlockNumber();
      const hashes: string[] = [];
      const reporter = await node.provider.getSigner(ACCOUNT.reporter);
      for (const tx of [
        await (new Contract(stack.feed, FEED_ABI, reporter) as Contract).getFunction("setPrice")(2_000_000n * 10n ** 8n),
        await (new Contract(stack.pool, ["function borrow(uint256)"], attacker) as Contract).getFunction("borrow")(110_000n * USD),
        await (new Contract(stack.pool, ["function borrow(uint256)"], attacker) as Contract).getFunction("borrow")(110_000n * USD),
      ]) {
        await tx.wait();
        hashes.push(tx.hash);
      }
      expect(await new Contract(stack.pool, ["function debtOf(address) view returns (uint256)"], node.provider).getFunction("debtOf")(await attacker.getAddress())).to.equal(220_000n * USD);
      // replay.json's calls, given by hash instead (the collateral is already on the forked chain).
      const { txs: _raw, retarget: _r, setupCalls: _s, ...base } = JSON.parse(readFileSync(join(ROOT, "drills/templates/replay.json"), "utf8")) as Record<string, unknown>;
      const params = join(dir, "replay-by-hash.json");
      writeFileSync(params, JSON.stringify({ ...base, txs: hashes }, null, 2));
      const { report } = drill("template:replay", "template-replay", "fork", ["--params", params, ...fork(), "--fork-block", String(forkBlock)], forkEnv());
      met(report);
      attached(report);
      expect(report.fork?.blockNumber).to.equal(forkBlock);
      expect(report.facts.replayedTransactions).to.equal(3);
      const replayed = report.transactions.filter((t) => t.kind === "malicious").map((t) => t.success);
      expect(replayed, "price post and first borrow go through; the second borrow meets the pause").to.deep.equal([true, true, false]);
      expect(report.savedPct).to.be.greaterThan(50);
      // The node itself (the "live chain") kept its history: the drill only forked it.
      expect(await new Contract(stack.usd, TOKEN_ABI, node.provider).getFunction("balanceOf")(stack.pool)).to.equal(900_000n * USD - 220_000n * USD);
    });
  });

  it("`drill list` shows the library's scenarios, this project's drills/ files (not the _pool.ts / _legacy-vault.ts helpers) and the templates", () => {
    const r = hardhat(["breakwater", "drill", "list"]);
    expectOk(r, "drill list");
    for (const id of ["multi-tx-drain-copycats", "compromised-admin-key", "price-feed-over-borrow", "legacy-vault-gate", ...TEMPLATES.map((t) => `pool-${t}`), ...TEMPLATES.map((t) => `template:${t}`), "template:existing-pausable"]) expect(r.stdout).to.include(id);
    expect(r.stdout).to.match(/9 library scenario\(s\), 6 of yours/);
    expect(r.stdout).to.not.include("_pool");
    expect(r.stdout).to.not.include("_legacy-vault");
  });

  it("POOL_ABI and the feed ABI match the project's artifacts (the drills call the pool by signature)", () => {
    const abi = (n: string) => (JSON.parse(readFileSync(join(ROOT, `artifacts/contracts/${n}.sol/${n}.json`), "utf8")) as { abi: { type: string; name?: string }[] }).abi.filter((f) => f.type === "function").map((f) => f.name);
    for (const sig of POOL_ABI) expect(abi("LendingPool")).to.include(/function (\w+)/.exec(sig)![1]);
    for (const sig of FEED_ABI) expect(abi("PriceFeed")).to.include(/function (\w+)/.exec(sig)![1]);
  });
});
