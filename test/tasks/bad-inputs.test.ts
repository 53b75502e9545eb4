// Operator tasks under stress, in-process: every bad input an operator under pressure might type,
// table-driven per task. Each row asserts the failure is an OperatorError whose first line says
// what is wrong (and which field), and that nothing moved: the senders' nonces, the block number and
// every file under the test's directories are unchanged. The real CLI runs a subset (bad-inputs.cli.test.ts).
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Signature, Wallet, concat, toBeHex } from "ethers";
import hre from "hardhat";
import { probeContract } from "../../tasks/lib/chain.js";
import { OperatorError } from "../../tasks/lib/errors.js";
import { setNoteOutput } from "../../tasks/lib/output.js";
import { runReadiness, type ReadinessArgs } from "../../tasks/readiness/action.js";
import { runExecuteQueued, runExportSafe, runPing, runPropose, runSign, runSubmit, runVeto } from "../../tasks/operator/guardian-core.js";
import { readActionFile } from "../../tasks/operator/guardian-file.js";
import { runAction } from "../../tasks/operator/common.js";
import { runPause } from "../../tasks/operator/pause-action.js";
import { runStatus } from "../../tasks/operator/status-action.js";
import { TEST_KEYS } from "../keeper/helpers/node.js";
import { deploySafe, signSafeMessage } from "../helpers/safe.js";
import { deployWith, flipCase, hashFiles, newEnv, paramsFile, type TaskEnv } from "./helpers.js";

const TWO_256 = (1n << 256n).toString();

interface Row {
  name: string;
  run: () => Promise<unknown>;
  /** The message's first line contains this. */
  first: string | RegExp;
  /** The hint contains this. */
  hint?: string;
  field?: string;
}

describe("tasks: bad inputs (in-process)", function () {
  this.timeout(120_000);
  let env: TaskEnv;
  let book: any;
  let safe: any;
  let owners: any[];
  const notes: string[] = [];
  const file = (n: string) => join(env.dir, n);
  const g = (i: number) => new Wallet(TEST_KEYS[i]!).address;
  const propose = (extra: Record<string, unknown>) =>
    runPropose(env.args({ kind: "Pause", args: "GLOBAL,2h", out: file(`p-${Math.random().toString(16).slice(2)}.json`), breaker: "", target: "", multisig: "", deadline: "1d", nonce: "", force: false, ...extra }), env.chain);
  const sign = (extra: Record<string, unknown>) => runSign(env.args({ file: file("pause.json"), signature: "", signer: "", printTypedData: false, ...extra }), env.chain);
  const submit = (extra: Record<string, unknown>) => runSubmit(env.args({ file: file("pause.json"), ...extra }), env.chain);
  const exportSafe = (extra: Record<string, unknown>) => runExportSafe(env.args({ file: file("pause.json"), safe: "", out: file("batch.json"), includeSubmit: false, ...extra }), env.chain);
  const pause = (extra: Record<string, unknown>) => runPause(env.args({ scope: "GLOBAL", duration: "2h", reason: "drill", breaker: "", via: "auto", ...extra }), env.chain);

  /** A copy of the address book dir with `patch` applied to the book. */
  function bookDir(name: string, patch: (b: any) => void): string {
    const d = join(env.dir, name);
    mkdirSync(d, { recursive: true });
    const b = JSON.parse(readFileSync(join(env.dir, `${env.chain.networkName}.json`), "utf8"));
    patch(b);
    writeFileSync(join(d, `${env.chain.networkName}.json`), JSON.stringify(b, null, 2));
    return d;
  }

  async function expectRefused(row: Row): Promise<void> {
    const provider = env.chain.ethers.provider;
    const senders = [g(0), g(1), g(2)];
    const before = { block: await provider.getBlockNumber(), nonces: await Promise.all(senders.map((a) => provider.getTransactionCount(a))), files: hashFiles([env.dir]) };
    let err: unknown;
    try {
      await row.run();
    } catch (e) {
      err = e;
    }
    expect(err, `${row.name}: expected a refusal`).to.be.instanceOf(OperatorError);
    const e = err as OperatorError;
    const firstLine = e.message.split("\n")[0]!;
    expect(firstLine, row.name).to.equal(e.reason);
    if (typeof row.first === "string") expect(firstLine, row.name).to.include(row.first);
    else expect(firstLine, row.name).to.match(row.first);
    if (row.hint) expect(e.hint ?? "", `${row.name} (hint)`).to.include(row.hint);
    if (row.field) expect(e.field, `${row.name} (field)`).to.equal(row.field);
    expect(e.stack ?? "", row.name).to.not.include("function selector was not recognized");
    expect(await provider.getBlockNumber(), `${row.name}: block`).to.equal(before.block);
    expect(await Promise.all(senders.map((a) => provider.getTransactionCount(a))), `${row.name}: nonces`).to.deep.equal(before.nonces);
    expect(hashFiles([env.dir]), `${row.name}: files`).to.deep.equal(before.files);
  }

  /** Run each row; `rows` may prepare its inputs (files, signatures) before the first row runs. */
  const battery = (rows: () => Row[] | Promise<Row[]>) => async () => {
    for (const row of await rows()) await expectRefused(row);
  };

  before(async () => {
    env = await newEnv();
    setNoteOutput((t) => notes.push(t));
    const signers = await env.chain.ethers.getSigners();
    owners = [signers[7]!, signers[8]!];
    safe = await deploySafe(env.chain.ethers, owners, 2);
    // Guardians: #1, #2 and a 2-of-2 Safe; 2 approvals fast, 2 slow with a 1 day delay.
    const params = paramsFile(env.dir, "params.json", (p) => {
      p.guardians = [g(1), g(2), safe.target];
    });
    book = (await deployWith(env, params)).book;
    await propose({ out: file("pause.json") });
    await sign({ from: "1" });
    await propose({ out: file("expiring.json"), deadline: "1m" });
    await propose({ args: "DEPOSIT,1h", out: file("fresh.json") });
    notes.length = 0;
  });

  after(() => {
    setNoteOutput((t) => process.stderr.write(t + "\n"));
  });

  it(
    "guardian propose: durations out of the chain's bounds, deadlines, uint256 overflow, paths, addresses of the wrong kind",
    battery(() => [
      { name: "GLOBAL,0", run: () => propose({ args: "GLOBAL,0" }), first: "--args duration 0 (0s) is outside the breaker's bounds 1m..7d", field: "args" },
      { name: "GLOBAL,100000d", run: () => propose({ args: "GLOBAL,100000d" }), first: "is outside the breaker's bounds 1m..7d", field: "args" },
      { name: "GLOBAL,-1h", run: () => propose({ args: "GLOBAL,-1h" }), first: '--args duration "-1h" is negative: a duration must be positive', hint: "1m..7d", field: "args" },
      { name: "GLOBAL,2^256", run: () => propose({ args: `GLOBAL,${TWO_256}` }), first: "(more than 2^64 s) is outside the breaker's bounds", field: "args" },
      { name: "ExtendPause GLOBAL,0", run: () => propose({ kind: "ExtendPause", args: "GLOBAL,0" }), first: "is outside the breaker's bounds", field: "args" },
      { name: "--deadline 0", run: () => propose({ deadline: "0" }), first: "--deadline 0 (0s) is outside the deadline bounds 1m..30d", field: "deadline" },
      { name: "--deadline 100000d", run: () => propose({ deadline: "100000d" }), first: "is outside the deadline bounds 1m..30d", field: "deadline" },
      { name: "--deadline -1h", run: () => propose({ deadline: "-1h" }), first: "is negative", hint: "1m..30d", field: "deadline" },
      { name: "--deadline soon", run: () => propose({ deadline: "soon" }), first: '--deadline "soon" is not a duration', field: "deadline" },
      { name: "--out in a missing directory", run: () => propose({ out: join(env.dir, "no/such/dir/p.json") }), first: "does not exist", hint: "mkdir -p", field: "out" },
      { name: "--out exists", run: () => propose({ out: file("pause.json") }), first: "already exists", hint: "--force", field: "out" },
      { name: "--out missing", run: () => propose({ out: "" }), first: "--out is required", field: "out" },
      { name: "--breaker bad checksum", run: () => propose({ breaker: flipCase(book.contracts.breaker) }), first: "has a wrong checksum", field: "breaker" },
      { name: "--breaker is the token", run: () => propose({ breaker: book.contracts.asset }), first: "is not a CircuitBreaker: it has code but does not answer pauseBounds()", field: "breaker" },
      { name: "--breaker is an EOA", run: () => propose({ breaker: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" }), first: "has no code on chain 31337: it is not a CircuitBreaker", field: "breaker" },
      { name: "--multisig is the breaker", run: () => propose({ multisig: book.contracts.breaker }), first: "is not a GuardianMultisig", field: "multisig" },
      { name: "--nonce 2^256", run: () => propose({ nonce: TWO_256 }), first: "--nonce", field: "nonce" },
      { name: "--nonce -1", run: () => propose({ nonce: "-1" }), first: "is negative", field: "nonce" },
      { name: "--kind Frobnicate", run: () => propose({ kind: "Frobnicate" }), first: '--kind "Frobnicate" is not an action kind', field: "kind" },
      { name: "--kind missing", run: () => propose({ kind: "" }), first: "--kind is required", field: "kind" },
      { name: "SetLimit capacity 2^256", run: () => propose({ kind: "SetLimit", args: `${book.contracts.asset},${TWO_256},1h,0,Queue,6h,true` }), first: "--args maxCapacity", field: "args" },
      { name: "SetLimit window 0", run: () => propose({ kind: "SetLimit", args: `${book.contracts.asset},1000e18,0,0,Queue,6h,true` }), first: "--args window 0 (0s) is outside the breaker's bounds 1m..30d", field: "args" },
      { name: "SetLimit capacity over uint96", run: () => propose({ kind: "SetLimit", args: `${book.contracts.asset},${1n << 96n},1h,0,Queue,6h,true` }), first: "--args maxCapacity", field: "args" },
      { name: "SetLimit Queue settlement 0", run: () => propose({ kind: "SetLimit", args: `${book.contracts.asset},1000e18,1h,0,Queue,0,true` }), first: "--args settlementDelay 0 (0s) is outside the breaker's bounds 1h..30d", field: "args" },
      { name: "SetSentinel maxDuration past the max pause", run: () => propose({ kind: "SetSentinel", args: `${g(1)},8d,1d` }), first: "--args maxDuration 8d (8d) is outside the breaker's bounds 1m..7d", field: "args" },
      { name: "SetSentinel cooldown 31d", run: () => propose({ kind: "SetSentinel", args: `${g(1)},1h,31d` }), first: "--args cooldown 31d (31d) is outside the breaker's bounds 0s..30d", field: "args" },
      { name: "SetPauseBounds 60d", run: () => propose({ kind: "SetPauseBounds", args: "60d,1d" }), first: "--args maxPauseDuration 60d (60d) is outside the breaker's bounds 1m..30d", field: "args" },
      { name: "SetPauseBounds grace 8d", run: () => propose({ kind: "SetPauseBounds", args: "7d,8d" }), first: "--args gracePeriod 8d (8d) is outside the breaker's bounds 0s..7d", field: "args" },
      { name: "ChangeThreshold delay 31d", run: () => propose({ kind: "ChangeThreshold", args: "Pause,2,31d" }), first: "--args delay 31d (31d) is outside the multisig's bounds 0s..30d", field: "args" },
      { name: "SetHeartbeat 1d", run: () => propose({ kind: "SetHeartbeat", args: "1d" }), first: "--args period 1d (1d) is outside the multisig's heartbeat bounds 7d..730d", field: "args" },
      { name: "ChangeGuardians with a duplicate", run: () => propose({ kind: "ChangeGuardians", args: `${g(1)},${g(1).toLowerCase()}` }), first: `--args lists guardian ${g(1)} twice`, field: "args" },
      { name: "ChangeThreshold x", run: () => propose({ kind: "ChangeThreshold", args: "Pause,x,0" }), first: '--args threshold "x" is not a whole number', field: "args" },
      { name: "Pause GLOBAL (one value)", run: () => propose({ args: "GLOBAL" }), first: "takes 2 value(s)", field: "args" },
      { name: "Veto of a non-id", run: () => propose({ kind: "Veto", args: "12" }), first: "must be the queued action id", field: "args" },
      { name: "Veto of an unknown id", run: () => propose({ kind: "Veto", args: "0x" + "11".repeat(32) }), first: "is None, not Queued", field: "args" },
    ]),
  );

  it("guardian propose warns (stderr) on Unpause / ExtendPause of a scope that is not paused, and still writes the file", async () => {
    notes.length = 0;
    const out = file("unpause-active.json");
    await propose({ kind: "Unpause", args: "WITHDRAW", out });
    expect(existsSync(out)).to.equal(true);
    expect(notes.join("\n")).to.include("WITHDRAW is not paused on breaker").and.to.include("would revert NotPaused");
    notes.length = 0;
    await propose({ kind: "ExtendPause", args: "WITHDRAW,2h", out: file("extend-active.json") });
    expect(notes.join("\n")).to.include("WITHDRAW is not paused");
  });

  it("guardian sign: expired actions, another chain's book, signatures for another digest, a Safe's signature without --signer", async () => {
    const f = readActionFile(file("pause.json"));
    // A signature of the same message for chain id 1: valid, but for another digest.
    const otherChain = await new Wallet(TEST_KEYS[2]!).signTypedData({ ...f.domain, chainId: 1 }, f.types, f.message);
    const otherNonce = await new Wallet(TEST_KEYS[2]!).signTypedData(f.domain, f.types, { ...f.message, nonce: "1" });
    const safeSig = await signSafeMessage(safe, owners, f.digest);
    const otherChainBook = bookDir("chain1", (b) => (b.chainId = 1));
    const tokenBook = bookDir("token-book", (b) => {
      b.contracts.guardian = b.contracts.asset;
      b.contracts.breaker = b.contracts.asset;
      b.contracts.vault = b.contracts.asset;
    });
    writeFileSync(file("truncated.json"), readFileSync(file("pause.json"), "utf8").slice(0, 200));
    const edited = JSON.parse(readFileSync(file("pause.json"), "utf8"));
    edited.message.deadline = String(BigInt(edited.message.deadline) + 1n);
    writeFileSync(file("edited.json"), JSON.stringify(edited));
    writeFileSync(file("not-an-action.json"), JSON.stringify({ hello: "world" }));
    await env.conn.networkHelpers.time.increase(120); // expiring.json (deadline 1m) lapses
    await battery(() => [
      { name: "expired action", run: () => sign({ file: file("expiring.json"), from: "1" }), first: /^the action expired at .*: the multisig refuses its signatures$/, hint: "propose it again", field: "file" },
      { name: "book of another chain id", run: () => sign({ from: "2", deployments: otherChainBook }), first: "is for chain 1, but the connected chain is 31337", field: "deployments" },
      { name: "book whose guardian is the token", run: () => sign({ from: "2", deployments: tokenBook }), first: "the action file is for the multisig", field: "file" },
      { name: "signature for another chain id", run: () => sign({ signature: otherChain }), first: /^the signature recovers to 0x[0-9a-fA-F]{40}, which is not a guardian of/, hint: "another chain id, multisig contract or nonce", field: "signature" },
      { name: "signature for another chain id, --signer given", run: () => sign({ signature: otherChain, signer: g(2) }), first: `not by --signer ${g(2)}`, hint: "another chain id", field: "signature" },
      { name: "signature for another nonce", run: () => sign({ signature: otherNonce }), first: "which is not a guardian of", hint: "nonce", field: "signature" },
      { name: "Safe signature without --signer", run: () => sign({ signature: safeSig }), first: "--signature is 130 bytes, not a 65-byte ECDSA signature", hint: `pass --signer <safe address>`, field: "signature" },
      { name: "--signer with a bad checksum", run: () => sign({ signature: otherChain, signer: flipCase(g(2)) }), first: "has a wrong checksum", field: "signer" },
      { name: "--signer without --signature", run: () => sign({ signer: g(2) }), first: "--signer only goes with --signature", field: "signer" },
      { name: "--signature not hex", run: () => sign({ signature: "hello" }), first: '--signature "hello" is not hex', field: "signature" },
      { name: "non-guardian key", run: () => sign({ from: "6" }), first: "is not a guardian of", field: "from" },
      { name: "truncated action file", run: () => sign({ file: file("truncated.json"), from: "2" }), first: "is not valid JSON", hint: "", field: "file" },
      { name: "edited action file", run: () => sign({ file: file("edited.json"), from: "2" }), first: "the file was edited", field: "file" },
      { name: "not an action file", run: () => sign({ file: file("not-an-action.json"), from: "2" }), first: "is not a guardian action file", field: "file" },
      { name: "missing action file", run: () => sign({ file: file("nope.json"), from: "2" }), first: "no such file", field: "file" },
      { name: "a directory as action file", run: () => sign({ file: env.dir, from: "2" }), first: "is a directory", field: "file" },
    ])();
    // The Safe's EIP-1271 signature with --signer counts.
    const signed = await sign({ file: file("pause.json"), signature: safeSig, signer: safe.target, dryRun: true });
    expect(signed.signatures.map((s) => s.signer)).to.include(safe.target);
  });

  it(
    "guardian submit: the action file's multisig and target are compared with the address book; approvals are counted before sending",
    battery(() => {
      const tokenBook = join(env.dir, "token-book");
      const breakerIsToken = bookDir("breaker-token", (b) => {
        b.contracts.breaker = b.contracts.asset;
        b.contracts.vault = b.contracts.asset;
      });
      return [
        { name: "book whose guardian and breaker are the token", run: () => submit({ deployments: tokenBook, from: "2" }), first: `the action file is for the multisig ${book.contracts.guardian}, but the address book's guardian multisig is ${book.contracts.asset}`, field: "file" },
        { name: "book whose breaker is the token", run: () => submit({ deployments: breakerIsToken, from: "2" }), first: `targets ${book.contracts.breaker}, which is not in the address book`, field: "file" },
        { name: "1 of 2 approvals", run: () => submit({ from: "0" }), first: "Pause has 1 of the 2 approvals it needs", hint: "guardian sign --file" },
        { name: "missing file", run: () => submit({ file: file("nothing.json") }), first: "no such file", field: "file" },
        { name: "--file missing", run: () => submit({ file: "" }), first: "--file is required", field: "file" },
        { name: "expired", run: () => submit({ file: file("expiring.json"), from: "2" }), first: "the action's deadline passed", field: "file" },
        { name: "book of another chain", run: () => submit({ deployments: join(env.dir, "chain1"), from: "2" }), first: "is for chain 1", field: "deployments" },
      ];
    }),
  );

  it(
    "guardian export-safe: expired actions, and --include-submit of a batch whose submit would revert",
    battery(() => [
      { name: "expired action", run: () => exportSafe({ file: file("expiring.json"), safe: safe.target }), first: "the action expired at", field: "file" },
      { name: "--include-submit with too few approvals", run: () => exportSafe({ file: file("fresh.json"), safe: safe.target, includeSubmit: true, out: file("fresh.batch.json") }), first: "with --include-submit the batch's submit would revert: 1 of the 2 approvals", field: "includeSubmit" },
      { name: "--safe not an address", run: () => exportSafe({ safe: "safe" }), first: '--safe "safe" is not an address', field: "safe" },
      { name: "--safe missing", run: () => exportSafe({ safe: "" }), first: "--safe is required", field: "safe" },
      { name: "--safe not a guardian", run: () => exportSafe({ safe: book.contracts.asset }), first: "is not a guardian of", field: "safe" },
      { name: "--out in a missing directory", run: () => exportSafe({ safe: safe.target, out: join(env.dir, "nope/b.json") }), first: "does not exist", field: "out" },
    ]),
  );

  it(
    "breaker pause / status, guardian ping / veto / execute-queued: addresses of the wrong kind and malformed ids",
    battery(() => {
      const tokenBook = join(env.dir, "token-book");
      return [
        { name: "pause --duration -1h", run: () => pause({ duration: "-1h" }), first: '--duration "-1h" is negative', hint: "within the breaker's bounds 1m..7d", field: "duration" },
        { name: "pause --duration 2^256", run: () => pause({ duration: TWO_256 }), first: "is outside the breaker's bounds 1m..7d", field: "duration" },
        { name: "pause --duration missing", run: () => pause({ duration: "" }), first: "--duration is required", field: "duration" },
        { name: "pause --breaker token", run: () => pause({ breaker: book.contracts.asset }), first: "is not a CircuitBreaker", field: "breaker" },
        { name: "pause with a book whose breaker is the token", run: () => pause({ deployments: tokenBook }), first: "the address book's contracts.breaker", field: "deployments" },
        { name: "pause --via sideways", run: () => pause({ via: "sideways" }), first: '--via "sideways" must be one of auto, direct, multisig', field: "via" },
        { name: "pause --reason blank", run: () => pause({ reason: "  " }), first: "--reason is required", field: "reason" },
        { name: "status --breaker multisig", run: () => runStatus(env.args({ breaker: book.contracts.guardian }), env.chain), first: "is not a CircuitBreaker", field: "breaker" },
        { name: "ping --multisig breaker", run: () => runPing(env.args({ multisig: book.contracts.breaker, from: "1" }), env.chain), first: "is not a GuardianMultisig", field: "multisig" },
        { name: "ping with a book whose guardian is the token", run: () => runPing(env.args({ multisig: "", from: "1", deployments: tokenBook }), env.chain), first: "the address book's contracts.guardian", field: "deployments" },
        { name: "veto --id 12", run: () => runVeto(env.args({ id: "12", file: file("pause.json") }), env.chain), first: '--id "12" must be the queued action id', field: "id" },
        { name: "veto of an action file", run: () => runVeto(env.args({ id: readActionFile(file("pause.json")).digest, file: file("pause.json") }), env.chain), first: "is an action file, not a veto", field: "file" },
        { name: "a token where MerkleClaims is expected", run: () => probeContract(env.chain, "merkleClaims", book.contracts.asset, "--claims", "claims"), first: `--claims ${book.contracts.asset} is not a MerkleClaims: it has code but does not answer ACCEPT_TERMS_TYPEHASH()`, field: "claims" },
        { name: "a multisig where MerkleClaims is expected", run: () => probeContract(env.chain, "merkleClaims", book.contracts.guardian, "--claims", "claims"), first: "is not a MerkleClaims", field: "claims" },
        { name: "execute-queued --id xyz", run: () => runExecuteQueued(env.args({ id: "xyz", multisig: "" }), env.chain), first: "must be the queued action id", field: "id" },
        { name: "execute-queued of an unknown id", run: () => runExecuteQueued(env.args({ id: "0x" + "22".repeat(32), multisig: "" }), env.chain), first: "is None, not Queued", hint: "queue it first", field: "id" },
      ];
    }),
  );

  it("the interface probe accepts the suite's own contracts", async () => {
    await probeContract(env.chain, "merkleClaims", book.contracts.merkleClaims, "claims");
    await probeContract(env.chain, "multisig", book.contracts.guardian, "guardian");
    await probeContract(env.chain, "circuitBreaker", book.contracts.breaker, "breaker");
  });

  it("guardian sign --print-typed-data prints only the typed data on stdout (hints go to stderr)", async () => {
    env.out.length = 0;
    notes.length = 0;
    await sign({ printTypedData: true, json: true });
    expect(() => JSON.parse(env.out.join("\n"))).to.not.throw();
    expect(env.out.join("\n")).to.not.include("# Sign this");
    expect(notes.join("\n")).to.include("# Sign this").and.to.include("guardian sign --file");
  });

  it(
    "readiness: missing plan, bad keeper URL, output in a missing directory, truncated address book",
    battery(() => {
      const r = (extra: Partial<ReadinessArgs>) => runReadiness({ plan: "plan/examples/example-vault.plan.ts", addressBook: "", keeperConfig: "", keeperUrl: "", drillsDir: "", maxDrillAge: "", json: false, md: "", out: "", rpcUrl: "", deployments: env.dir, ...extra }, hre);
      writeFileSync(file("book-truncated.json"), readFileSync(file(`${env.chain.networkName}.json`), "utf8").slice(0, 100));
      return [
        { name: "--plan missing", run: () => r({ plan: "" }), first: "--plan is required", field: "plan" },
        { name: "--plan not a plan file", run: () => r({ plan: "README.md" }), first: "a plan is a .ts, .js, .json or .yaml file", field: "plan" },
        { name: "--keeper-url bad", run: () => r({ keeperUrl: "localhost:9464" }), first: "is not an http(s) URL", field: "keeperUrl" },
        { name: "--md in a missing directory", run: () => r({ md: join(env.dir, "no/such/r.md") }), first: "does not exist", field: "md" },
        { name: "--max-drill-age -1d", run: () => r({ maxDrillAge: "-1d" }), first: "is negative", field: "maxDrillAge" },
        { name: "--address-book truncated", run: () => r({ addressBook: file("book-truncated.json") }), first: "is not valid JSON", hint: "", field: "addressBook" },
      ];
    }),
  );

  it(
    "forgeries: a malleated signature; the same guardian twice counts once",
    battery(async () => {
      const f = readActionFile(file("fresh.json"));
      const sig = Signature.from(await new Wallet(TEST_KEYS[2]!).signTypedData(f.domain, f.types, f.message));
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n; // secp256k1 order
      const high = concat([sig.r, toBeHex(n - BigInt(sig.s), 32), sig.v === 27 ? "0x1c" : "0x1b"]);
      const one = await new Wallet(TEST_KEYS[1]!).signTypedData(f.domain, f.types, f.message);
      const dup = file("dup.json");
      writeFileSync(dup, JSON.stringify({ ...f, signatures: [{ signer: g(1), signature: one }, { signer: g(1), signature: one }] }));
      return [
        { name: "malleated (high-s) signature", run: () => sign({ file: file("fresh.json"), signature: high }), first: "--signature does not decode", field: "signature" },
        { name: "the same guardian twice counts once", run: () => submit({ file: dup }), first: "Pause has 1 of the 2 approvals it needs" },
      ];
    }),
  );

  it("execute-queued after the pause it would lift already lapsed: refused with a hint, nothing sent", async () => {
    // A 1h WITHDRAW pause, executed; an Unpause of it queued (1 day delay); the pause lapses first.
    const out = file("w-pause.json");
    await propose({ args: "WITHDRAW,1h", out });
    await runSign(env.args({ file: out, signature: "", signer: "", printTypedData: false, from: "1" }), env.chain);
    await runSign(env.args({ file: out, signature: "", signer: "", printTypedData: false, from: "2" }), env.chain);
    await runSubmit(env.args({ file: out }), env.chain);
    const un = file("w-unpause.json");
    await propose({ kind: "Unpause", args: "WITHDRAW", out: un });
    await runSign(env.args({ file: un, signature: "", signer: "", printTypedData: false, from: "1" }), env.chain);
    await runSign(env.args({ file: un, signature: "", signer: "", printTypedData: false, from: "2" }), env.chain);
    const q = await runSubmit(env.args({ file: un }), env.chain);
    expect(q.mode).to.equal("queue");
    await env.conn.networkHelpers.time.increase(86_400 + 1);
    await expectRefused({
      name: "execute-queued of a lapsed pause",
      run: () => runExecuteQueued(env.args({ id: q.id, multisig: "" }), env.chain),
      first: `the pause of WITHDRAW that queued action ${q.id} would lift already lapsed`,
      hint: "nothing is left to unpause",
      field: "id",
    });
    const used = readActionFile(out).message.nonce as string;
    await battery(() => [
      { name: "a reused nonce", run: () => propose({ nonce: used }), first: `--nonce ${used} was already used`, field: "nonce" },
      { name: "a veto after the window", run: () => propose({ kind: "Veto", args: q.id }), first: "the veto window of", field: "args" },
      { name: "submit of an executed action", run: () => submit({ file: out, from: "1" }), first: "already used", field: "file" },
    ])();
  });

});

describe("tasks: the top level of a task (runAction)", () => {
  async function capture(body: () => Promise<unknown>, flags: { json?: boolean; verbose?: boolean }) {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = process.stdout.write;
    const stderr = process.stderr.write;
    const prevCode = process.exitCode;
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as never;
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as never;
    let code: number | string | undefined;
    try {
      await runAction(body, flags);
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
      code = process.exitCode ?? undefined;
      process.exitCode = prevCode;
    }
    return { out: out.join(""), err: err.join(""), code };
  }

  it("a refusal is one sentence (exit 1); with --json also {ok:false,error,hint,field} on stdout", async () => {
    const refusal = () => Promise.reject(new OperatorError("--out x: the directory /nope does not exist", "create it first", "out"));
    const text = await capture(refusal, { json: false });
    expect(text.code).to.equal(1);
    expect(text.out).to.equal("");
    expect(text.err).to.equal("✗ --out x: the directory /nope does not exist\n  → create it first\n");
    const json = await capture(refusal, { json: true });
    expect(json.code).to.equal(1);
    expect(JSON.parse(json.out)).to.deep.equal({ ok: false, error: "--out x: the directory /nope does not exist", hint: "create it first", field: "out" });
  });

  it("a bug says so (exit 2) and shows its stack only with --verbose", async () => {
    const bug = () => Promise.reject(new TypeError("cannot read properties of undefined (reading 'x')"));
    const quiet = await capture(bug, {});
    expect(quiet.code).to.equal(2);
    expect(quiet.err).to.match(/^✗ unexpected error: cannot read properties of undefined/).and.to.include("rerun with --verbose");
    expect(quiet.err).to.not.match(/^\s+at /m);
    const verbose = await capture(bug, { verbose: true });
    expect(verbose.code).to.equal(2);
    expect(verbose.err).to.match(/^\s+at /m);
  });
});
