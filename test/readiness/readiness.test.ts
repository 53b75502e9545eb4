// `readiness` against a really deployed suite: the operator deploy logic on an in-process chain
// served over HTTP, a real Keeper in process (its /healthz on a free port, loading the example
// plan), a fresh drill report. A fully armed suite scores clean; each test breaks exactly one thing
// on a fresh deployment and expects exactly that finding.
import { expect } from "chai";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Contract, Wallet, id, parseEther } from "ethers";
import hre from "hardhat";
import exampleKeeper from "../../keeper/examples/example-vault.config.js";
import { parseConfig } from "../../keeper/config/load.js";
import type { KeeperConfigInput } from "../../keeper/config/schema.js";
import { Keeper } from "../../keeper/runtime.js";
import { createLogger } from "../../keeper/ops/log.js";
import { loadPlan, parsePlan, PlanError } from "../../plan/load.js";
import type { IncidentPlan } from "../../plan/schema.js";
import { fromConnection, type OperatorChain } from "../../tasks/lib/chain.js";
import { setOutput } from "../../tasks/lib/output.js";
import { Scopes } from "../../tasks/lib/validation.js";
import { commonDefaults } from "../../tasks/operator/common.js";
import { runDeploy } from "../../tasks/operator/deploy-action.js";
import type { AddressBook } from "../../tasks/drills/types.js";
import { checkReadiness, type ReadinessReport } from "../../tasks/readiness/check.js";
import { runReadiness } from "../../tasks/readiness/action.js";
import { renderMarkdown, renderText } from "../../tasks/readiness/render.js";

const PLAN_FILE = "plan/examples/example-vault.plan.ts";
const LOCAL_PARAMS = resolve("deployments/params/local.json");
const SENTINEL_KEY = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"; // Hardhat #4
const ENV = { RT_SENTINEL_KEY: SENTINEL_KEY, RT_WEBHOOK_SECRET: "test-secret", RT_SLACK_URL: "http://127.0.0.1:9/slack" };
const EMERGENCY = id("EMERGENCY_ROLE");

describe("readiness: the plan against a deployed suite, the keeper and the drills", function () {
  this.timeout(60_000);
  let server: { close(): Promise<void> };
  let conn: { close(): Promise<void> };
  let rpcUrl: string;
  let chain: OperatorChain;
  let plan: IncidentPlan;
  let keeper: Keeper;
  let keeperUrl: string;
  let work: string;
  let drillsDir: string;
  let restoreOutput: (t: string) => void;
  const out: string[] = [];

  function keeperConfig(book: AddressBook, patch: (c: KeeperConfigInput) => void = () => undefined): KeeperConfigInput {
    const vault = book.contracts.vault!;
    const c: KeeperConfigInput = {
      name: "readiness-test-keeper",
      chain: { chainId: 31337, rpcUrls: [rpcUrl], pollIntervalMs: 50, multicall3: book.contracts.multicall3! },
      contracts: { breaker: vault, named: { vault, asset: book.contracts.asset! } },
      store: { path: ":memory:" },
      signers: { sentinel: { type: "local", keyEnv: "RT_SENTINEL_KEY" } },
      rules: structuredClone(exampleKeeper.rules),
      alerts: {
        channels: [
          { type: "webhook", name: "ops-webhook", url: "http://127.0.0.1:9/breakwater", secretEnv: "RT_WEBHOOK_SECRET" },
          { type: "slack", minSeverity: "P2", webhookUrlEnv: "RT_SLACK_URL" },
        ],
        retry: { maxAttempts: 1 },
      },
      ops: { host: "127.0.0.1", port: 0, logLevel: "silent" },
      plan: PLAN_FILE,
    };
    patch(c);
    return c;
  }

  async function deploy(patch?: (p: any) => void): Promise<AddressBook> {
    const dir = mkdtempSync(join(work, "deploy-"));
    let params = LOCAL_PARAMS;
    if (patch) {
      const p = JSON.parse((await import("node:fs")).readFileSync(LOCAL_PARAMS, "utf8"));
      patch(p);
      params = join(dir, "params.json");
      writeFileSync(params, JSON.stringify(p));
    }
    const res = await runDeploy({ ...commonDefaults, deployments: dir, params, withExampleVault: true, force: true, allowEphemeral: true }, chain);
    const file = join(dir, "book.json");
    writeFileSync(file, JSON.stringify(res.book));
    (res.book as AddressBook & { file?: string }).file = file;
    return res.book;
  }

  async function caughtUp(): Promise<void> {
    const head = await chain.ethers.provider.getBlockNumber();
    await keeper.waitForBlock(head, 20_000);
  }

  async function check(book: AddressBook, o: { plan?: IncidentPlan; config?: KeeperConfigInput; drillsDir?: string; keeperUrl?: string } = {}): Promise<ReadinessReport> {
    if (keeper.isRunning) await caughtUp();
    return checkReadiness({
      plan: o.plan ?? plan,
      planPath: PLAN_FILE,
      provider: chain.ethers.provider,
      book,
      keeperConfig: parseConfig(o.config ?? keeperConfig(book)),
      keeperUrl: o.keeperUrl ?? keeperUrl,
      drillsDir: o.drillsDir ?? drillsDir,
      env: ENV,
    });
  }

  const ids = (r: ReadinessReport) => r.findings.map((f) => f.id);

  function writeDrill(dir: string, at: number): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "multi-tx-drain-copycats.json"),
      JSON.stringify({ scenario: "multi-tx-drain-copycats", expectationsMet: true, timeline: [{ at, block: 1, kind: "attack", message: "x" }] }),
    );
  }

  async function asMultisig(book: AddressBook): Promise<any> {
    const ms = book.contracts.guardian!;
    await chain.ethers.provider.send("hardhat_impersonateAccount", [ms]);
    await chain.ethers.provider.send("hardhat_setBalance", [ms, "0x56BC75E2D63100000"]);
    return chain.ethers.getContractAt("contracts/examples/ProtectedVault.sol:ProtectedVault", book.contracts.vault!, await chain.ethers.getSigner(ms));
  }

  before(async function () {
    restoreOutput = setOutput((t) => out.push(t));
    work = mkdtempSync(join(tmpdir(), "bw-readiness-"));
    drillsDir = join(work, "drills");
    writeDrill(drillsDir, Date.now());
    const srv = await hre.network.createServer({ network: "default" }, "127.0.0.1", 0);
    const { port } = await srv.listen();
    server = srv;
    rpcUrl = `http://127.0.0.1:${port}`;
    const c = await hre.network.create({ network: "localhost", override: { url: rpcUrl } as never });
    conn = c as never;
    chain = await fromConnection(c as never);
    plan = await loadPlan(PLAN_FILE);
    const book = await deploy();
    keeper = new Keeper({ config: keeperConfig(book), env: ENV, logger: createLogger({ level: "silent" }) });
    await keeper.start();
    keeperUrl = keeper.opsUrl!;
  });

  after(async () => {
    await keeper?.stop();
    await conn?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    setOutput(restoreOutput);
  });

  it("a fully armed suite scores clean (100, no finding, exit code 0) — text and Markdown", async () => {
    const book = await deploy();
    const r = await check(book);
    expect(r.findings, renderText(r)).to.deep.equal([]);
    expect(r.score).to.equal(100);
    expect(r.ok).to.equal(true);
    expect(r.checks.map((c) => c.name)).to.include.members(["sentinel armed", "keeper sentinel key", "guardian heartbeats", "outflow limits", "pause bounds", "slow-path delays", "runbooks", "P1 route", "keeper /healthz", "last drill"]);
    expect(renderMarkdown(r)).to.include("**Score:** 100/100");
  });

  it("the task: `readiness --rpc-url --address-book --keeper-config` prints the score; exit code 0 when armed", async () => {
    const book = await deploy();
    const cfgFile = join(work, "keeper.json");
    writeFileSync(cfgFile, JSON.stringify(keeperConfig(book)));
    await caughtUp();
    out.length = 0;
    process.exitCode = undefined;
    const prevKey = process.env.RT_SENTINEL_KEY;
    process.env.RT_SENTINEL_KEY = SENTINEL_KEY;
    try {
      const r = await runReadiness(
        { plan: PLAN_FILE, addressBook: (book as AddressBook & { file: string }).file, keeperConfig: cfgFile, keeperUrl, drillsDir, maxDrillAge: "", json: false, md: join(work, "r.md"), out: join(work, "r.json"), rpcUrl, deployments: "" },
        hre,
      );
      expect(r.score, renderText(r)).to.equal(100);
      expect(process.exitCode ?? 0).to.equal(0);
      expect(out.join("\n")).to.include("score 100/100");
    } finally {
      if (prevKey === undefined) delete process.env.RT_SENTINEL_KEY;
      else process.env.RT_SENTINEL_KEY = prevKey;
    }
  });

  it("revoked role: the multisig lost EMERGENCY_ROLE → role.missing (high, exit 1)", async () => {
    const book = await deploy();
    await (await (await asMultisig(book)).revokeRole(EMERGENCY, book.contracts.guardian)).wait();
    const r = await check(book);
    expect(ids(r)).to.deep.equal(["role.missing"]);
    expect(r.findings[0]!.severity).to.equal("high");
    expect(r.findings[0]!.fix).to.match(/guardian propose --kind Call --target 0x[0-9a-fA-F]{40} --args 0x2f2ff15d/);
    expect(r.ok).to.equal(false);
  });

  it("extra holder: EMERGENCY_ROLE granted to an address the plan does not name → role.unexpected-holder", async () => {
    const book = await deploy();
    const intruder = Wallet.createRandom().address;
    await (await (await asMultisig(book)).grantRole(EMERGENCY, intruder)).wait();
    const r = await check(book);
    expect(ids(r)).to.deep.equal(["role.unexpected-holder"]);
    expect(r.findings[0]!.title).to.include(intruder);
    expect(r.findings[0]!.fix).to.include("revokeRole");
    expect(r.ok).to.equal(false);
  });

  it("unarmed sentinel: the sentinel fired once → sentinel.unarmed (fix: ArmSentinel)", async () => {
    const book = await deploy();
    const sentinel = new Wallet(SENTINEL_KEY, chain.ethers.provider);
    const vault = new Contract(book.contracts.vault!, ["function sentinelPause(bytes32 scope, uint64 duration)"], sentinel);
    await (await vault.sentinelPause(Scopes.GLOBAL, 3600)).wait();
    const r = await check(book);
    expect(ids(r)).to.deep.equal(["sentinel.unarmed"]);
    expect(r.findings[0]!.fix).to.include("npx hardhat breakwater guardian propose --kind ArmSentinel");
    expect(r.ok).to.equal(false);
    // the task sets exit code 1 on a high finding (deploys gate on it), and --json prints the report
    const cfgFile = join(work, "keeper-unarmed.json");
    writeFileSync(cfgFile, JSON.stringify(keeperConfig(book)));
    out.length = 0;
    process.exitCode = undefined;
    process.env.RT_SENTINEL_KEY = SENTINEL_KEY;
    try {
      await runReadiness({ plan: PLAN_FILE, addressBook: (book as AddressBook & { file: string }).file, keeperConfig: cfgFile, keeperUrl, drillsDir, maxDrillAge: "", json: true, md: "", out: "", rpcUrl, deployments: "" }, hre);
      expect(process.exitCode).to.equal(1);
      expect(JSON.parse(out.join("\n")).findings.map((f: { id: string }) => f.id)).to.deep.equal(["sentinel.unarmed"]);
    } finally {
      process.exitCode = undefined;
      delete process.env.RT_SENTINEL_KEY;
    }
  });

  it("asset without a limit: a second token sent to the vault → limit.missing", async () => {
    const book = await deploy();
    const [deployer] = await chain.ethers.getSigners();
    const f = await chain.ethers.getContractFactory("contracts/test/TestToken.sol:TestToken", deployer);
    const t2 = await f.deploy("Other", "OTH", 18);
    await t2.waitForDeployment();
    await (await (t2 as any).mint(book.contracts.vault, parseEther("5000"))).wait();
    const r = await check(book);
    expect(ids(r)).to.deep.equal(["limit.missing"]);
    expect(r.findings[0]!.title).to.include(await t2.getAddress());
    expect(r.findings[0]!.fix).to.include(`guardian propose --kind SetLimit --args ${await t2.getAddress()}`);
    expect(r.ok).to.equal(false);
  });

  it("missing runbook: an act rule the plan has no runbook for → runbook.missing", async () => {
    const book = await deploy();
    const cfg = keeperConfig(book, (c) => {
      const rule = structuredClone(c.rules.find((x) => x.id === "share-price-drop")!);
      c.rules.push({ ...rule, id: "new-acting-rule" });
    });
    const r = await check(book, { config: cfg });
    expect(ids(r)).to.deep.equal(["runbook.missing"]);
    expect(r.findings[0]!.fix).to.include('rules: ["new-acting-rule"]');
    expect(r.ok).to.equal(false);
  });

  it("a P1 route with one channel → route.p1-single-channel", async () => {
    const book = await deploy();
    const one = parsePlan({ ...structuredClone(plan), severities: { ...plan.severities, P1: { ...plan.severities.P1, channels: ["ops-webhook"] } } });
    const r = await check(book, { plan: one });
    expect(ids(r)).to.deep.equal(["route.p1-single-channel"]);
    expect(r.ok).to.equal(false);
  });

  it("an old drill report → drill.stale (medium: score drops, exit code stays 0)", async () => {
    const book = await deploy();
    const old = join(work, "old-drills");
    writeDrill(old, Date.now() - 10 * 86_400_000);
    const r = await check(book, { drillsDir: old });
    expect(ids(r)).to.deep.equal(["drill.stale"]);
    expect(r.score).to.equal(90);
    expect(r.ok).to.equal(true);
  });

  it("pause max and slow delays out of bounds → bounds.max-pause and bounds.slow-delay", async () => {
    const book = await deploy((p) => {
      p.breaker.maxPause = "30d";
      p.multisig.slowDelay = "20d"; // the plan allows 1h..14d (a 20-day unpause is a lockout)
    });
    const r = await check(book);
    expect(ids(r).sort()).to.deep.equal(["bounds.max-pause", "bounds.slow-delay"]);
    expect(r.findings.find((f) => f.id === "bounds.max-pause")!.fix).to.include("guardian propose --kind SetPauseBounds --args 14d,1d");
    expect(r.ok).to.equal(true);
  });

  it("a slow quorum that leaves too few honest guardians to veto → guardian.veto-unreachable (high)", async () => {
    const book = await deploy((p) => {
      p.multisig.vetoThreshold = 3; // 4 guardians, slow 2: the 2 honest ones left cannot reach 3
    });
    const r = await check(book);
    expect(ids(r)).to.deep.equal(["guardian.veto-unreachable"]);
    expect(r.findings[0]!.fix).to.include("--kind ChangeVetoThreshold --args 2");
    expect(r.ok).to.equal(false);
  });

  it("stale heartbeat: one guardian silent past heartbeatPeriod → guardian.heartbeat-stale for it only", async () => {
    const book = await deploy();
    await chain.ethers.provider.send("evm_increaseTime", [91 * 86_400]);
    await chain.ethers.provider.send("evm_mine", []);
    const signers = await chain.ethers.getSigners();
    const ms = new Contract(book.contracts.guardian!, ["function ping()"], chain.ethers.provider);
    for (const g of [signers[2]!, signers[3]!, signers[17]!]) await (await (ms.connect(g) as Contract).ping()).wait();
    const r = await check(book);
    expect(ids(r)).to.deep.equal(["guardian.heartbeat-stale"]);
    expect(r.findings[0]!.title).to.include(signers[1]!.address);
    expect(r.ok).to.equal(false);
  });

  it("a keeper config whose contracts are not the address book's (multicall3 at the multisig, a stale asset) → keeper.contracts-mismatch", async () => {
    const book = await deploy();
    const stale = "0x" + "42".repeat(20);
    const r = await check(book, {
      config: keeperConfig(book, (c) => {
        c.chain.multicall3 = book.contracts.guardian!;
        c.contracts.named = { ...c.contracts.named, asset: stale };
      }),
    });
    expect(ids(r)).to.deep.equal(["keeper.contracts-mismatch"]);
    expect(r.findings[0]!.detail).to.include(`chain.multicall3 is ${book.contracts.guardian}`).and.include("contracts.named.asset");
    expect(r.findings[0]!.fix).to.include("addressBook");
    expect(r.ok).to.equal(false);
  });

  it("a keeper without signers.sentinel that pauses no breaker (contain / alert only) is not a finding (the config itself refuses pause rules without the key)", async () => {
    const book = await deploy();
    await caughtUp();
    const noKey = () =>
      keeperConfig(book, (c) => {
        delete (c.signers as { sentinel?: unknown }).sentinel;
        c.rules = c.rules!.map((x) => ({ ...x, act: false, action: "alert" })) as never;
      });
    const alertOnly = await check(book, { config: noKey() });
    expect(ids(alertOnly)).to.not.include("sentinel.keeper-no-key");
    expect(alertOnly.checks.find((c) => c.name === "keeper sentinel key")!.detail).to.match(/pauses no breaker/);
  });

  it("dead keeper: the keeper stopped → keeper.down", async () => {
    const book = await deploy();
    await caughtUp();
    await keeper.stop();
    const r = await check(book);
    expect(ids(r)).to.deep.equal(["keeper.down"]);
    expect(r.findings[0]!.fix).to.include("npx breakwater-keeper --config");
    expect(r.ok).to.equal(false);
  });

  it("a malformed plan fails with the path of the bad field", async () => {
    const bad = structuredClone(plan) as any;
    bad.severities.P1.channels = [];
    bad.runbooks[0].unpause.decidedBy = "nobody";
    expect(() => parsePlan(bad)).to.throw(PlanError, /plan error at severities\.P1\.channels: route each severity/);
    expect(() => parsePlan(bad)).to.throw(/plan error at runbooks\[0\]\.unpause\.decidedBy: unknown role "nobody"/);
    const file = join(work, "bad-plan.json");
    writeFileSync(file, JSON.stringify({ ...structuredClone(plan), roles: { ...plan.roles, scribe: { people: [] } } }));
    let err: unknown;
    try {
      await loadPlan(file);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(PlanError);
    expect(String((err as Error).message)).to.include("plan error at roles.scribe.people: a role needs at least one person");
  });
});
