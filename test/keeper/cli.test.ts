// `keeper/main.ts` as a process: bad config, bad / unreachable / wrong-chain RPC, missing key all
// stop with a clear message and a non-zero exit, before anything is sent. The example config
// validates.
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ROOT, TEST_KEYS, startHardhatNode, type HardhatNode } from "./helpers/node.js";
import { Keeper } from "../../keeper/runtime.js";
import { KeeperStore } from "../../keeper/store/store.js";
import { createLogger } from "../../keeper/ops/log.js";
import { loadConfigFile, parseConfig } from "../../keeper/config/load.js";
import { createDetectors } from "../../keeper/detectors/index.js";

const TSX = resolve(ROOT, "node_modules/tsx/dist/cli.mjs");
const EXAMPLE = resolve(ROOT, "keeper/examples/example-vault.config.ts");
const HARDHAT = resolve(ROOT, "node_modules/hardhat/dist/src/cli.js");

function runKeeper(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const clean: NodeJS.ProcessEnv = { ...process.env, BREAKWATER_SENTINEL_KEY: undefined, ...env };
    for (const k of Object.keys(clean)) if (clean[k] === undefined) delete clean[k];
    const child = spawn(process.execPath, [TSX, "keeper/main.ts", ...args], { cwd: ROOT, env: clean, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** A JSON-RPC stand-in that answers eth_chainId with `chainId` and records every method asked. */
async function fakeRpc(chainId: number): Promise<{ url: string; methods: string[]; server: Server }> {
  const methods: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const parsed = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
      const answer = (r: { id: number; method: string }) => {
        methods.push(r.method);
        return r.method === "eth_chainId"
          ? { jsonrpc: "2.0", id: r.id, result: `0x${chainId.toString(16)}` }
          : { jsonrpc: "2.0", id: r.id, error: { code: -32601, message: "not here" } };
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, methods, server };
}

const dir = mkdtempSync(join(tmpdir(), "keeper-cli-"));
function configFile(name: string, cfg: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(cfg, null, 2));
  return p;
}

function validConfig(rpcUrl: string) {
  return {
    chain: { chainId: 31337, rpcUrls: [rpcUrl] },
    contracts: { breaker: "0x00000000000000000000000000000000000000b1" },
    store: { path: join(dir, "store.sqlite") },
    signers: { sentinel: { type: "local", keyEnv: "BREAKWATER_SENTINEL_KEY" } },
    rules: [
      {
        id: "pause-on-drop",
        severity: "P1",
        action: "pause",
        act: true,
        pause: { scope: "GLOBAL", durationSeconds: 3600 },
        detector: { kind: "invariant", invariant: { type: "share-price-drop", vault: "0x00000000000000000000000000000000000000b1", maxDropBps: 100 } },
      },
    ],
    alerts: { channels: [] },
  };
}

describe("Keeper CLI (keeper/main.ts)", function () {
  this.timeout(60_000);

  it("the example config for the ProtectedVault validates, and its rules build detectors", async function () {
    const raw = (await loadConfigFile(EXAMPLE)) as { contracts: Record<string, unknown> };
    // The example reads deployments/localhost.json (npm run deploy:local); a book of that format here.
    const cfg = parseConfig({ ...raw, contracts: { ...raw.contracts, addressBook: "test/keeper/fixtures/address-book.localhost.json" } });
    expect(cfg.contracts.breaker).to.equal("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
    expect(cfg.chain.multicall3).to.equal("0xcA11bde05977b3631167028862bE2a173976CA11");
    expect(cfg.contracts.named).to.include({ vault: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", asset: "0x5FbDB2315678afecb367f032d93F642f64180aa3" });
    expect(cfg.signers.sentinel).to.deep.include({ type: "local", keyEnv: "BREAKWATER_SENTINEL_KEY" });
    const kinds = new Set(cfg.rules.map((r) => r.detector.kind));
    expect([...kinds].sort()).to.deep.equal(["attack-stage", "invariant", "matcher", "statistic"]);
    const detectors = createDetectors(cfg.rules, { named: cfg.contracts.named });
    expect(detectors).to.have.length(cfg.rules.length);
  });

  it("a bad config stops at start with the path of the bad field", async function () {
    const bad = validConfig("http://127.0.0.1:1");
    (bad.rules[0] as Record<string, unknown>).severity = "P9";
    (bad.chain as Record<string, unknown>).rpcUrls = ["not a url"];
    const r = await runKeeper(["--config", configFile("bad.json", bad)]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include("config error at rules[0].severity:");
    expect(r.stderr).to.include("config error at chain.rpcUrls[0]: must be a URL");
  });

  it("a config file that does not exist or is not JSON is refused", async function () {
    const missing = await runKeeper(["--config", join(dir, "nope.json")]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include("cannot read");
    const p = join(dir, "broken.json");
    writeFileSync(p, "{ not json");
    const broken = await runKeeper(["--config", p]);
    expect(broken.code).to.equal(1);
    expect(broken.stderr).to.include("is not valid JSON");
    const usage = await runKeeper([]);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.include("missing --config");
  });

  it("a missing sentinel key stops at start naming the variable, and nothing is sent", async function () {
    const rpc = await fakeRpc(31337);
    const r = await runKeeper(["--config", configFile("nokey.json", validConfig(rpc.url))]);
    rpc.server.close();
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include("config error at signers.sentinel.keyEnv: environment variable BREAKWATER_SENTINEL_KEY is not set");
    expect(rpc.methods).to.deep.equal([]);
  });

  it("an unreachable RPC stops at start with a clear error, without leaking the key", async function () {
    const r = await runKeeper(["--config", configFile("unreachable.json", validConfig("http://127.0.0.1:1/v2/SECRETPATH"))], {
      BREAKWATER_SENTINEL_KEY: TEST_KEYS[3],
    });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include("chain.rpcUrls[0] is unreachable");
    expect(r.stderr).to.not.include("SECRETPATH"); // RPC paths often hold API keys: redacted
    expect(r.stderr).to.not.include(TEST_KEYS[3].slice(2));
  });

  it("an RPC of another chain is refused; only eth_chainId was asked", async function () {
    const rpc = await fakeRpc(1);
    const r = await runKeeper(["--config", configFile("wrongchain.json", validConfig(rpc.url))], { BREAKWATER_SENTINEL_KEY: TEST_KEYS[3] });
    rpc.server.close();
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/chain\.rpcUrls\[0\] \(http:\/\/127\.0\.0\.1:\d+\) is chain 1, but chain\.chainId is 31337/);
    expect(new Set(rpc.methods)).to.deep.equal(new Set(["eth_chainId"]));
  });

  it("--check refuses a config whose contracts are not on chain (fake RPC: no Multicall3, no code)", async function () {
    const rpc = await fakeRpc(31337);
    const r = await runKeeper(["--check", "--config", configFile("nocode.json", validConfig(rpc.url))], { BREAKWATER_SENTINEL_KEY: TEST_KEYS[3] });
    rpc.server.close();
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include("does not answer aggregate3");
  });

  it("--check refuses a config whose incident plan is invalid (the keeper would not start with it)", async function () {
    const rpc = await fakeRpc(31337);
    const planFile = join(dir, "broken.plan.json");
    writeFileSync(planFile, JSON.stringify({ name: "broken", version: 1 }));
    const r = await runKeeper(["--check", "--config", configFile("badplan.json", { ...validConfig(rpc.url), plan: planFile })], { BREAKWATER_SENTINEL_KEY: TEST_KEYS[3] });
    rpc.server.close();
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include("plan error at");
    expect(rpc.methods, "nothing asked of the chain before the plan was refused").to.deep.equal([]);
  });

  it("incident list / close: a person ends the retries of a pending decision", async function () {
    const cfg = validConfig("http://127.0.0.1:1");
    const storeFile = join(dir, "incident-cli.sqlite");
    (cfg as { store: { path: string } }).store.path = storeFile;
    const s = new KeeperStore(storeFile);
    const f = { ruleId: "pause-on-drop", detector: "invariant" as const, severity: "P1" as const, fingerprint: "fp", blockNumber: 7, blockHash: "0x07", summary: "share price dropped", details: {} };
    const { incident } = s.openIncident(f, 1);
    s.recordAction({ finding: f, action: "pause", act: true, incidentId: incident.id }, "pause", { number: 7, hash: "0x07", parentHash: "0x06", timestamp: 1 });
    s.noteActionTry(incident.id, "pause", "no RPC endpoint answered");
    s.close();
    const file = configFile("incident-cli.json", cfg);
    const list = await runKeeper(["incident", "list", "--config", file]);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.include(incident.id).and.include("pending: pause (1 tries, last error: no RPC endpoint answered)");
    const close = await runKeeper(["incident", "close", incident.id, "--config", file, "--note", "false alarm", "--by", "alice"]);
    expect(close.code, close.stderr).to.equal(0);
    expect(close.stdout).to.include("closed (was open)");
    const after = new KeeperStore(storeFile, 128, { readOnly: true });
    expect(after.incident(incident.id)!.status).to.equal("closed");
    expect(after.actions("closed")[0]).to.deep.include({ closedBy: "alice" });
    after.close();
    const unknown = await runKeeper(["incident", "close", "nope", "--config", file]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include('no incident "nope"');
  });

  describe("after the documented deploy (deploy task → deployments/localhost.json)", function () {
    this.timeout(240_000);
    let node: HardhatNode;
    let book: { chainId: number; contracts: Record<string, string> };
    let bookFile: string;
    const env = { BREAKWATER_SENTINEL_KEY: TEST_KEYS[3], BREAKWATER_WEBHOOK_SECRET: "w".repeat(32), SLACK_WEBHOOK_URL: "http://127.0.0.1:9/slack" };

    before(async function () {
      node = await startHardhatNode();
      const deployments = join(dir, "deployments");
      const dep = spawnSync(process.execPath, [HARDHAT, "--network", "localhost", "breakwater", "deploy", "--params", "deployments/params/local.json", "--with-example-vault", "--rpc-url", node.url, "--deployments", deployments], { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
      expect(dep.status, dep.stderr + dep.stdout).to.equal(0);
      bookFile = join(deployments, "localhost.json");
      book = JSON.parse(readFileSync(bookFile, "utf8"));
    });
    after(async function () {
      await node?.stop();
    });

    /** The example config, pointed at this node and this book (as JSON, like a user's copy). */
    async function exampleJson(over: (c: Record<string, any>) => void = () => undefined): Promise<string> {
      const raw = structuredClone(await loadConfigFile(EXAMPLE)) as Record<string, any>;
      raw.chain.rpcUrls = [node.url];
      raw.chain.wsUrls = [];
      raw.contracts.addressBook = bookFile;
      raw.store = { path: join(dir, `example-${Math.random().toString(16).slice(2)}.sqlite`) };
      raw.ops = { ...raw.ops, port: 0, logLevel: "silent" };
      over(raw);
      return configFile(`example-${Math.random().toString(16).slice(2)}.json`, raw);
    }

    it("the example config reads the book: --check passes (Multicall3 answers aggregate3, contracts have code), with one RPC down it warns and passes", async function () {
      const ok = await runKeeper(["--check", "--config", await exampleJson((c) => (c.chain.rpcUrls = ["http://127.0.0.1:1", node.url]))], env);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout).to.include(`Multicall3 ${book.contracts.multicall3} answers aggregate3`);
      expect(ok.stderr).to.include("warning: chain.rpcUrls[0] is unreachable").and.include("keeps probing it");
    });

    it("--check fails on the old bug: multicall3 pointing at the GuardianMultisig, and a named contract without code", async function () {
      const r = await runKeeper(["--check", "--config", await exampleJson((c) => {
        c.chain.multicall3 = book.contracts.guardian;
        c.contracts.named = { nothing: "0x000000000000000000000000000000000000dEaD" };
      })], env);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(`chain.multicall3 ${book.contracts.guardian} does not answer aggregate3`);
      expect(r.stderr).to.include("contracts.named.nothing ($nothing) 0x000000000000000000000000000000000000dEaD has no code");
    });

    it("the keeper run from the example config evaluates every rule without an error", async function () {
      const cfg = parseConfig(await loadConfigFile(await exampleJson()));
      expect(cfg.contracts.breaker).to.equal(book.contracts.breaker);
      const keeper = new Keeper({ config: cfg, env, http: false, logger: createLogger({ level: "silent" }) });
      const errors: string[] = [];
      keeper.onBlockProcessed((e) => errors.push(...e.detectorErrors.map((d) => `${d.ruleId}: ${d.error}`)));
      await keeper.start();
      await node.mine(3);
      await keeper.waitForBlock(await node.blockNumber());
      await keeper.stop();
      expect(errors).to.deep.equal([]);
    });

    it("a book of another chain is refused, naming contracts.addressBook", async function () {
      const other = join(dir, "other-chain.json");
      writeFileSync(other, JSON.stringify({ ...book, chainId: 1 }));
      const r = await runKeeper(["--check", "--config", await exampleJson((c) => (c.contracts.addressBook = other))], env);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include("config error at contracts.addressBook").and.include("is for chain 1, but chain.chainId is 31337");
    });
  });
});
