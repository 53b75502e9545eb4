// Operator tasks under stress through the real CLI (`npx hardhat --network localhost breakwater …
// --rpc-url <node>`) against one spawned `hardhat node`: exit code, the first line on stderr, no stack
// trace, --json errors on stdout, exact "next:" commands, and nothing sent or written on a refusal.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import hre from "hardhat";
import { fromConnection, type OperatorChain } from "../../tasks/lib/chain.js";
import { setNoteOutput, setOutput } from "../../tasks/lib/output.js";
import { commonDefaults } from "../../tasks/operator/common.js";
import { runDeploy } from "../../tasks/operator/deploy-action.js";
import { runPropose, runSign } from "../../tasks/operator/guardian-core.js";
import { ROOT, freePort, startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";
import { LOCAL_PARAMS, hashFiles } from "./helpers.js";

const CLI = resolve(ROOT, "node_modules/hardhat/dist/src/cli.js");
const TWO_256 = (1n << 256n).toString();

function hardhat(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("tasks: bad inputs through the CLI against a hardhat node", function () {
  this.timeout(240_000);
  let node: HardhatNode;
  let chain: OperatorChain;
  let book: any;
  const dir = mkdtempSync(join(tmpdir(), "bw-bad-cli-"));
  const net = ["--network", "localhost"];
  let common: string[];
  const senders = ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"];

  before(async () => {
    node = await startHardhatNode();
    common = ["--rpc-url", node.url, "--deployments", dir];
    const conn = await hre.network.create({ network: "localhost", override: { url: node.url } });
    chain = await fromConnection(conn as never);
    const quiet = setOutput(() => undefined);
    const quietNotes = setNoteOutput(() => undefined);
    try {
      book = (await runDeploy({ ...commonDefaults, deployments: dir, params: LOCAL_PARAMS, withExampleVault: false, force: false } as never, chain)).book;
      const a = { ...commonDefaults, deployments: dir };
      await runPropose({ ...a, kind: "Pause", args: "GLOBAL,2h", out: join(dir, "pause.json"), breaker: "", target: "", multisig: "", deadline: "1d", nonce: "", force: false }, chain);
      await runSign({ ...a, file: join(dir, "pause.json"), signature: "", signer: "", printTypedData: false, from: "1" }, chain);
    } finally {
      setOutput(quiet);
      setNoteOutput(quietNotes);
    }
    // A book whose guardian and breaker entries are the token.
    mkdirSync(join(dir, "token-book"));
    writeFileSync(join(dir, "token-book", "localhost.json"), JSON.stringify({ ...book, contracts: { ...book.contracts, guardian: book.contracts.asset, breaker: book.contracts.asset, vault: book.contracts.asset } }));
  });
  after(async () => {
    await node?.stop();
  });

  async function state() {
    // The node closes idle keep-alive sockets while a CLI run takes seconds: a read that lands on a
    // closed socket ("other side closed") is repeated once; it reads, it never sends.
    const once = async () => ({
      block: await node.blockNumber(),
      nonces: await Promise.all(senders.map((s) => node.provider.getTransactionCount(s))),
      files: hashFiles([dir]),
    });
    try {
      return await once();
    } catch {
      return once();
    }
  }

  /** Run the CLI; it must exit `code` with `first` in the first stderr line, no stack trace, and change nothing. */
  async function refused(args: string[], first: string, code = 1) {
    const before = await state();
    const r = hardhat(args);
    const firstLine = r.stderr.split("\n").find((l) => l.trim() !== "") ?? "";
    expect(r.code, `${args.join(" ")}\n${r.stderr}${r.stdout}`).to.equal(code);
    expect(firstLine, r.stderr).to.include(first);
    expect(r.stderr, "no stack trace").to.not.match(/^\s+at .+:\d+:\d+\)?$/m);
    expect(await state(), "nothing sent or written").to.deep.equal(before);
    return r;
  }

  it("refuses bad input with one sentence, exit 1, nothing sent or written", async () => {
    await refused(["--network", "nosuchnet", "breakwater", "breaker", "status", ...common], "✗ --network nosuchnet is not a network of this Hardhat config");
    // A negative value reaching the task is refused with the bounds read from the chain.
    const neg = await refused([...net, "breakwater", "breaker", "pause", "--scope", "GLOBAL", "--duration=-1", "--reason", "x", ...common], '✗ --duration "-1" is negative: a duration must be positive');
    expect(neg.stderr).to.include("within the breaker's bounds 1m..7d");
    // `-1h` / `-30m` (a dash, then different characters) would die in Hardhat's own parser (HHE509)
    // before the task runs, in both forms: the plugin's command-line guard refuses them first.
    for (const d of [["--duration", "-1h"], ["--duration=-1h"], ["--duration", "-30m"]]) {
      const r = await refused([...net, "breakwater", "breaker", "pause", "--scope", "GLOBAL", ...d, "--reason", "x", ...common], "is negative: a duration must be positive");
      expect(r.stderr).to.not.include("HHE509");
      expect(r.stderr).to.include("→ --duration: Pause duration, positive and within the breaker's pause bounds");
    }
    const negDeadline = await refused([...net, "breakwater", "guardian", "propose", "--kind", "Pause", "--args", "GLOBAL,1h", "--deadline", "-2h", "--out", join(dir, "x.json"), "--json", ...common], '✗ --deadline "-2h" is negative');
    expect(JSON.parse(negDeadline.stdout)).to.include({ ok: false, field: "deadline" });
    await refused([...net, "breakwater", "guardian", "propose", "--kind", "Pause", "--args", "GLOBAL,-1h", "--out", join(dir, "x.json"), ...common], '✗ --args duration "-1h" is negative');
    await refused([...net, "breakwater", "guardian", "propose", "--kind", "Pause", "--args", `GLOBAL,${TWO_256}`, "--out", join(dir, "x.json"), ...common], "is outside the breaker's bounds 1m..7d");
    await refused([...net, "breakwater", "breaker", "status", "--breaker", book.contracts.asset, ...common], `is not a CircuitBreaker: it has code but does not answer pauseBounds()`);
    await refused([...net, "breakwater", "guardian", "submit", "--file", join(dir, "pause.json"), "--rpc-url", node.url, "--deployments", join(dir, "token-book"), "--from", "2"], `✗ the action file is for the multisig ${book.contracts.guardian}, but the address book's guardian multisig is ${book.contracts.asset}`);
    const claimsIsToken = join(dir, "claims-token.json");
    writeFileSync(claimsIsToken, JSON.stringify({ ...book, contracts: { ...book.contracts, merkleClaims: book.contracts.asset } }));
    await refused([...net, "breakwater", "readiness", "--plan", "plan/examples/example-vault.plan.ts", "--address-book", claimsIsToken, "--rpc-url", node.url], `✗ the address book's contracts.merkleClaims ${book.contracts.asset} is not a MerkleClaims`);
    const closed = await freePort();
    await refused([...net, "breakwater", "breaker", "status", "--rpc-url", `http://127.0.0.1:${closed}`, "--deployments", dir], "✗ cannot reach the JSON-RPC node");
  });

  it("--json on failure prints {ok:false,error,hint,field} on stdout", async () => {
    const r = await refused([...net, "breakwater", "guardian", "propose", "--kind", "Pause", "--args", "GLOBAL,2h", "--out", join(dir, "no/such/dir/p.json"), "--json", ...common], "does not exist");
    const err = JSON.parse(r.stdout);
    expect(err).to.include({ ok: false, field: "out" });
    expect(err.error).to.include("does not exist");
    expect(err.hint).to.include("mkdir -p");
  });

  it("--print-typed-data --json keeps stdout valid JSON; the printed next: command runs as printed", async () => {
    const pd = hardhat([...net, "breakwater", "guardian", "sign", "--file", join(dir, "pause.json"), "--print-typed-data", "--json", ...common]);
    expect(pd.code, pd.stderr).to.equal(0);
    expect(JSON.parse(pd.stdout)).to.have.keys(["types", "primaryType", "domain", "message"]);
    expect(pd.stderr).to.include(`npx hardhat --network localhost breakwater guardian sign --file ${join(dir, "pause.json")} --signature 0x… --rpc-url ${node.url} --deployments ${dir}`);

    const out = join(dir, "unpause.json");
    const pr = hardhat([...net, "breakwater", "guardian", "propose", "--kind", "Pause", "--args", "DEPOSIT,1h", "--out", out, ...common]);
    expect(pr.code, pr.stderr).to.equal(0);
    const printed = /next: ask other guardians to run `([^`]+)`/.exec(pr.stdout)?.[1];
    expect(printed).to.equal(`npx hardhat --network localhost breakwater guardian sign --file ${out} --rpc-url ${node.url} --deployments ${dir}`);
    // Copied as printed (plus the guardian's key), it signs on the node's chain, not an in-process one.
    const words = printed!.split(" ").slice(2);
    const sg = hardhat([...words, "--from", "2"]);
    expect(sg.code, sg.stderr).to.equal(0);
    expect(JSON.parse(readFileSync(out, "utf8")).signatures).to.have.length(1);
  });
});
