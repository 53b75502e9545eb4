import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Interface, Wallet } from "ethers";
import { OperatorError } from "../../tasks/lib/errors.js";
import { Scopes } from "../../tasks/lib/validation.js";
import { runExecuteQueued, runExportSafe, runPing, runPropose, runSign, runSubmit, runVeto, safeBatchChecksum, type SafeBatch } from "../../tasks/operator/guardian-core.js";
import { readActionFile, toAction, typedDataV4 } from "../../tasks/operator/guardian-file.js";
import { TEST_KEYS } from "../keeper/helpers/node.js";
import { deploySafe, execSafeTransaction } from "../helpers/safe.js";
import { deployWith, newEnv, paramsFile, type TaskEnv } from "./helpers.js";

async function expectFail(p: Promise<unknown>, ...fragments: string[]): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(OperatorError);
    for (const f of fragments) expect((err as Error).message).to.include(f);
    return;
  }
  throw new Error(`expected a failure mentioning ${fragments.join(", ")}`);
}

describe("tasks: guardian flow", () => {
  let env: TaskEnv;
  let book: any;
  let vault: any;
  const file = (n: string) => join(env.dir, n);
  const propose = (kind: string, args: string, out: string, extra: Record<string, unknown> = {}) =>
    runPropose(env.args({ kind, args, out: file(out), breaker: "", target: "", multisig: "", deadline: "1d", nonce: "", force: false, ...extra }), env.chain);
  const sign = (f: string, extra: Record<string, unknown>) => runSign(env.args({ file: file(f), signature: "", signer: "", printTypedData: false, ...extra }), env.chain);

  before(async () => {
    env = await newEnv();
    book = (await deployWith(env)).book; // 2-of-3 fast, 2-of-3 slow with 1 day, veto 2-of-3
    vault = await env.chain.ethers.getContractAt("ProtectedVault", book.contracts.vault);
  });

  it("guardian ping records the sender's heartbeat; a non-guardian is refused and nothing is sent", async () => {
    const ms = await env.chain.ethers.getContractAt("GuardianMultisig", book.contracts.guardian);
    const g1 = new Wallet(TEST_KEYS[1]).address;
    const [, before] = await ms.guardianStatus(g1);
    await env.chain.ethers.provider.send("evm_increaseTime", [3_600]);
    await env.chain.ethers.provider.send("evm_mine", []);
    const block = await env.chain.ethers.provider.getBlockNumber();
    await expectFail(runPing(env.args({ multisig: "", from: "0" }), env.chain), "is not a guardian");
    await runPing(env.args({ multisig: "", from: "1", dryRun: true }), env.chain);
    expect(await env.chain.ethers.provider.getBlockNumber()).to.equal(block);
    const r = await runPing(env.args({ multisig: "", from: "1" }), env.chain);
    expect(r.tx).to.be.a("string");
    const [, after] = await ms.guardianStatus(g1);
    expect(after).to.be.greaterThan(before);
  });

  it("propose → sign (a key and an offline signature) → submit executes a fast Pause", async () => {
    const f = await propose("Pause", "GLOBAL,3d", "pause.json");
    expect(f.policy).to.include({ path: "execute", effectiveThreshold: 2 });
    expect(f.description).to.include("Pause GLOBAL for 3d");
    const ms = await env.chain.ethers.getContractAt("GuardianMultisig", book.contracts.guardian);
    expect(f.digest).to.equal(await ms.hashAction(toAction(f)));

    await sign("pause.json", { from: "1" });
    // Not enough yet: 1 of 2 (the submitter, account 0, is not a guardian). Nothing is sent.
    const block = await env.chain.ethers.provider.getBlockNumber();
    await expectFail(runSubmit(env.args({ file: file("pause.json") }), env.chain), "has 1 of the 2 approvals", "guardian sign");
    expect(await env.chain.ethers.provider.getBlockNumber()).to.equal(block);

    // Offline: print the typed data, sign it elsewhere (a Wallet with no provider), add the signature.
    env.out.length = 0;
    await sign("pause.json", { printTypedData: true });
    const typed = JSON.parse(env.out[0]!);
    expect(typed).to.deep.equal(JSON.parse(JSON.stringify(typedDataV4(readActionFile(file("pause.json"))))));
    const offline = new Wallet(TEST_KEYS[2]);
    const { EIP712Domain: _d, ...types } = typed.types;
    const sig = await offline.signTypedData(typed.domain, types, typed.message);
    await expectFail(sign("pause.json", { signature: sig, signer: new Wallet(TEST_KEYS[3]).address }), "was made by");
    await sign("pause.json", { signature: sig });
    const signed = readActionFile(file("pause.json"));
    expect(signed.signatures.map((s) => s.signer)).to.have.members([new Wallet(TEST_KEYS[1]).address, offline.address]);

    const dry = await runSubmit(env.args({ file: file("pause.json"), dryRun: true }), env.chain);
    expect(dry.dryRun).to.equal(true);
    expect(await vault.isPaused(Scopes.GLOBAL)).to.equal(false);

    const res = await runSubmit(env.args({ file: file("pause.json") }), env.chain);
    expect(res.mode).to.equal("execute");
    expect(await vault.isPaused(Scopes.GLOBAL)).to.equal(true);
    // Replaying the file fails on the used nonce, before anything is sent.
    await expectFail(runSubmit(env.args({ file: file("pause.json") }), env.chain), "already used");
  });

  it("rejects a tampered file and a non-guardian signer", async () => {
    await propose("Pause", "WITHDRAW,1h", "p2.json");
    await expectFail(sign("p2.json", { from: "6" }), "is not a guardian");
    const f = JSON.parse(readFileSync(file("p2.json"), "utf8"));
    f.message.deadline = String(BigInt(f.message.deadline) + 1n);
    (await import("node:fs")).writeFileSync(file("p2.json"), JSON.stringify(f));
    await expectFail(sign("p2.json", { from: "1" }), "the file was edited");
    await expectFail(propose("Pause", "GLOBAL", "p3.json"), "takes 2 value(s)");
    await expectFail(propose("Frobnicate", "", "p4.json"), "is not an action kind");
  });

  it("a slow Unpause is queued, vetoed, re-proposed and executed after the delay", async () => {
    const { networkHelpers } = env.conn;
    const f = await propose("Unpause", "GLOBAL", "unpause.json");
    expect(f.policy).to.include({ path: "queue", delay: 86400 });
    await sign("unpause.json", { from: "1" });
    await sign("unpause.json", { from: "3" });
    const q = await runSubmit({ ...env.args({ file: file("unpause.json") }), mode: "queue" }, env.chain);
    expect(q.mode).to.equal("queue");
    expect(q.eta).to.be.a("bigint");

    // Veto it: a veto file for the id, two guardian signatures.
    const v = await propose("Veto", q.id, "veto.json");
    expect(v.type).to.equal("veto");
    await sign("veto.json", { from: "2" });
    await expectFail(runVeto(env.args({ id: q.id, file: file("veto.json") }), env.chain), "has 1 of the 2");
    await sign("veto.json", { from: "3" });
    const vetoed = await runVeto(env.args({ id: q.id, file: file("veto.json") }), env.chain);
    expect(vetoed.mode).to.equal("veto");
    const ms = await env.chain.ethers.getContractAt("GuardianMultisig", book.contracts.guardian);
    expect(Number(await ms.actionState(q.id))).to.equal(3); // Vetoed
    await expectFail(runExecuteQueued(env.args({ id: q.id, multisig: "" }), env.chain), "is Vetoed");

    // Re-propose (new nonce), queue, too early, then after the delay.
    await propose("Unpause", "GLOBAL", "unpause2.json");
    await sign("unpause2.json", { from: "1" });
    await sign("unpause2.json", { from: "2" });
    await expectFail(runSubmit({ ...env.args({ file: file("pause.json") }), mode: "queue" }, env.chain), "cannot be queued");
    const q2 = await runSubmit(env.args({ file: file("unpause2.json") }), env.chain);
    expect(q2.mode).to.equal("queue");
    await expectFail(runExecuteQueued(env.args({ id: q2.id, multisig: "" }), env.chain), "is not executable before");
    await networkHelpers.time.increase(86400 + 1);
    expect(await vault.isPaused(Scopes.GLOBAL)).to.equal(true);
    await runExecuteQueued(env.args({ id: q2.id, multisig: "" }), env.chain);
    expect(await vault.isPaused(Scopes.GLOBAL)).to.equal(false);
    const log = readFileSync(join(env.dir, `${env.chain.networkName}.log.jsonl`), "utf8");
    expect(log).to.include('"action":"guardian.veto"').and.to.include('"action":"guardian.executeQueued"');
  });
});

describe("tasks: guardian export-safe", () => {
  it("writes a Transaction Builder batch whose calldata is approveHash(digest); the Safe's approval counts", async () => {
    const env = await newEnv();
    const { ethers } = env.chain;
    const signers = await ethers.getSigners();
    const owners = [signers[7]!, signers[8]!];
    const safe = await deploySafe(ethers, owners, 2);
    const safeAddr = await safe.getAddress();
    const params = paramsFile(env.dir, "safe.json", (p) => {
      p.guardians = [p.guardians[0], p.guardians[1], safeAddr];
    });
    const book = (await deployWith(env, params)).book;
    const out = join(env.dir, "pause.json");
    const f = await runPropose(env.args({ kind: "Pause", args: "WITHDRAW,2h", out, breaker: "", target: "", multisig: "", deadline: "1d", nonce: "", force: false }), env.chain);

    await expectFail(runExportSafe(env.args({ file: out, safe: signers[1]!.address, out: "", includeSubmit: false }), env.chain), "has no code");
    const batchFile = join(env.dir, "batch.json");
    const batch = await runExportSafe(env.args({ file: out, safe: safeAddr, out: batchFile, includeSubmit: false }), env.chain);
    const onDisk: SafeBatch = JSON.parse(readFileSync(batchFile, "utf8"));
    expect(onDisk).to.deep.equal(batch);
    expect(onDisk).to.have.keys(["version", "chainId", "createdAt", "meta", "transactions"]);
    expect(onDisk.version).to.equal("1.0");
    expect(onDisk.chainId).to.equal("31337");
    expect(onDisk.createdAt).to.be.a("number");
    expect(onDisk.meta).to.include({ createdFromSafeAddress: safeAddr });
    expect(onDisk.meta).to.have.keys(["name", "description", "txBuilderVersion", "createdFromSafeAddress", "createdFromOwnerAddress", "checksum"]);
    expect(onDisk.meta.checksum).to.equal(safeBatchChecksum(onDisk));
    expect(onDisk.transactions).to.have.length(1);
    const tx = onDisk.transactions[0]!;
    expect(tx).to.have.keys(["to", "value", "data", "contractMethod", "contractInputsValues"]);
    expect(tx.to).to.equal(book.contracts.guardian);
    expect(tx.value).to.equal("0");
    expect(tx.contractMethod).to.deep.equal({ inputs: [{ internalType: "bytes32", name: "digest", type: "bytes32" }], name: "approveHash", payable: false });
    expect(tx.contractInputsValues).to.deep.equal({ digest: f.digest });
    const iface = new Interface(["function approveHash(bytes32 digest)"]);
    const decoded = iface.parseTransaction({ data: tx.data! })!;
    expect(decoded.name).to.equal("approveHash");
    expect(decoded.args[0]).to.equal(f.digest);
    // Encoding from contractMethod + inputs (what the Transaction Builder does) gives the same calldata.
    expect(iface.encodeFunctionData(tx.contractMethod!.name, [tx.contractInputsValues!.digest])).to.equal(tx.data);

    // The Safe runs the batch; with one more guardian signature the Pause executes.
    await execSafeTransaction(safe, owners, tx.to, tx.data!);
    const ms = await ethers.getContractAt("GuardianMultisig", book.contracts.guardian);
    expect(await ms.hasApproved(f.digest, safeAddr)).to.equal(true);
    await runSign(env.args({ file: out, signature: "", signer: "", printTypedData: false, from: "1" }), env.chain);
    await runSubmit(env.args({ file: out }), env.chain);
    const vault = await ethers.getContractAt("ProtectedVault", book.contracts.vault!);
    expect(await vault.isPaused(Scopes.WITHDRAW)).to.equal(true);

    const withSubmit = await runExportSafe(env.args({ file: out, safe: safeAddr, out: join(env.dir, "b2.json"), includeSubmit: true, dryRun: true }), env.chain).catch((e) => e);
    expect(String(withSubmit)).to.include("already approved");
  });
});
