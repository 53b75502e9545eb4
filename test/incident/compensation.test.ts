// `incident compensation` → guardian slow path → claims → sweep, end to end on the deployed suite.
// Ground truth: the loss of a real drill run (accounting-bug-single-tx through tasks/drills/runner.ts
// with the real keeper). The runner closes its chain when it scores, so the victims list is built
// from that DrillScore (its fundsLost, split over four victims, plus a second token) and the
// compensation runs on Hardhat's in-process network with the suite deployed by the deploy task.
// Victims: two EOAs (one claims itself, one never claims), a REAL Safe 1.4.1 that claims through
// execTransaction, and another that claims through claimWithSig with its EIP-1271 signature.
import { expect } from "chai";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import { loadScenarios, runScenario } from "../../tasks/drills/runner.js";
import type { DrillScore } from "../../tasks/drills/types.js";
import { runCompensation, compensationDefaults, type ClaimsFile } from "../../tasks/incident/compensation-core.js";
import { claimDefaults, runClaim, runSweep } from "../../tasks/incident/compensation-claim.js";
import { deploySafe, execSafeTransaction, signSafeMessage } from "../helpers/safe.js";
import { deployWith, newEnv, type TaskEnv } from "../tasks/helpers.js";
import { expectFail, playPlan } from "./rescue-helpers.js";

describe("incident compensation → guardian slow path → claims → sweep", function () {
  this.timeout(120_000);
  let env: TaskEnv;
  let book: any;
  let score: DrillScore;
  let signers: any[];
  let tusd: any;
  let usdx: any;
  let safe1: any;
  let safe2: any;
  let victims: { A: string; S1: string; S2: string; D: string };
  let losses: Record<string, Record<string, bigint>>;
  const E18 = 10n ** 18n;
  const file = (n: string) => join(env.dir, n);
  const comp = (extra: Record<string, unknown>) => runCompensation(env.args({ ...compensationDefaults, ...extra }) as never, env.chain);

  before(async function () {
    const scenario = (await loadScenarios()).find((s) => s.id === "accounting-bug-single-tx")!;
    score = await runScenario(hre, scenario);
    expect(score.expectationsMet, score.unmet.join("; ")).to.equal(true);
    env = await newEnv();
    book = (await deployWith(env)).book;
    signers = await env.chain.ethers.getSigners();
    tusd = await env.chain.ethers.getContractAt("TestToken", book.contracts.asset);
    usdx = await env.chain.ethers.deployContract("TestToken", ["USD X", "USDX", 6]);
    await usdx.mint(signers[5].address, 1_000_000n * 10n ** 6n); // account #5 is the treasury (holds 1M tUSD)
    safe1 = await deploySafe(env.chain.ethers, [signers[8], signers[9]], 2);
    safe2 = await deploySafe(env.chain.ethers, [signers[10], signers[11]], 2);
    victims = { A: signers[7].address, S1: await safe1.getAddress(), S2: await safe2.getAddress(), D: signers[12].address };
    // The drill's ground-truth loss, split 40 / 25 / 20 / rest; A and S2 also lost USDX.
    const lost = BigInt(score.fundsLost);
    expect(lost > 0n).to.equal(true);
    const a = (lost * 40n) / 100n, s1 = (lost * 25n) / 100n, s2 = (lost * 20n) / 100n;
    losses = {
      [victims.A]: { [book.contracts.asset]: a, [await usdx.getAddress()]: 500n * 10n ** 6n },
      [victims.S1]: { [book.contracts.asset]: s1 },
      [victims.S2]: { [book.contracts.asset]: s2, [await usdx.getAddress()]: 125n * 10n ** 6n },
      [victims.D]: { [book.contracts.asset]: lost - a - s1 - s2 },
    };
  });

  function csvText(): string {
    const rows = ["account,token,amount", "# from the drill's ground truth"];
    for (const [acc, byToken] of Object.entries(losses)) for (const [t, v] of Object.entries(byToken)) rows.push(`${acc.toLowerCase()},${t === book.contracts.asset ? "asset" : t},${v}`);
    return rows.join("\n") + "\n";
  }

  it("builds the round from the CSV, proposes it through the slow path, every victim claims exactly their loss, the remainder is swept", async function () {
    writeFileSync(file("losses.csv"), csvText());
    const out = file("comp");
    const res = await comp({ csv: file("losses.csv"), out, treasury: signers[5].address, claimPeriod: "2d", simulate: true, incident: "" });
    expect(res.simulated).to.equal(true);
    // Output: root, proofs per account, claims file, summary (md + json), proposal bundle.
    const claims: ClaimsFile = JSON.parse(readFileSync(join(out, "claims.json"), "utf8"));
    expect(readFileSync(join(out, "root.txt"), "utf8").trim()).to.equal(claims.root);
    expect(readdirSync(join(out, "proofs"))).to.have.length(4);
    expect(claims.claims[victims.A]!.tokens).to.have.length(2); // two CSV rows → one multi-token leaf
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.claimants).to.equal(4);
    const totalT = Object.values(losses).reduce((s, l) => s + (l[book.contracts.asset] ?? 0n), 0n);
    expect(summary.totals.find((t: any) => t.symbol === "tUSD").amount).to.equal(String(totalT));
    expect(summary.totals.find((t: any) => t.symbol === "USDX").amount).to.equal(String(625n * 10n ** 6n));
    expect(totalT).to.equal(BigInt(score.fundsLost));
    expect(readFileSync(join(out, "summary.md"), "utf8")).to.include("| tUSD |");
    const playbook = readFileSync(join(out, "proposal", "playbook.md"), "utf8");
    expect(playbook).to.include("guardian execute-queued --id").and.to.include("SetCallAllowed").and.to.include("## Dry run");
    const plan = JSON.parse(readFileSync(join(out, "proposal", "plan.json"), "utf8"));
    expect(plan.steps.map((s: any) => s.kindName)).to.deep.equal(["SetCallAllowed", "Fund", "Fund", "Call"]);
    expect(plan.steps.filter((s: any) => s.file).every((s: any) => s.path === "queue")).to.equal(true);

    // The simulation reverted everything: no round yet, and claim says so.
    const mc = await env.chain.ethers.getContractAt("MerkleClaims", book.contracts.merkleClaims);
    expect(await mc.roundCount()).to.equal(0n);
    await expectFail(runClaim(env.args({ ...claimDefaults, claims: join(out, "claims.json"), account: victims.A, from: "7" }), env.chain), "no round with root");

    // Guardians: allow-list, queue, wait, execute; treasury funds; createRound (queue, wait, execute).
    const treasuryBefore = await tusd.balanceOf(signers[5].address);
    await playPlan(env, join(out, "proposal"));
    expect(await mc.roundCount()).to.equal(1n);
    expect((await mc.roundInfo(0)).root).to.equal(claims.root);

    const before = async (acc: string) => [await tusd.balanceOf(acc), await usdx.balanceOf(acc)];
    const paid = async (acc: string, b: bigint[]) => {
      const l = losses[acc]!;
      expect(await tusd.balanceOf(acc) - b[0]!).to.equal(l[book.contracts.asset] ?? 0n);
      expect(await usdx.balanceOf(acc) - b[1]!).to.equal(l[await usdx.getAddress()] ?? 0n);
    };
    // EOA: claim itself, from its proof file.
    const bA = await before(victims.A);
    await expectFail(runClaim(env.args({ ...claimDefaults, claims: join(out, "claims.json"), account: victims.A, from: "0" }), env.chain), "claim() pays the caller's own leaf");
    const rA = await runClaim(env.args({ ...claimDefaults, claims: join(out, "proofs", `${victims.A}.json`), account: victims.A, from: "7" }), env.chain);
    expect(rA.mode).to.equal("claim");
    await paid(victims.A, bA);
    await expectFail(runClaim(env.args({ ...claimDefaults, claims: join(out, "claims.json"), account: victims.A, from: "7" }), env.chain), "already claimed");

    // Safe 1: execTransaction with the calldata the task prints.
    const b1 = await before(victims.S1);
    const p1 = await runClaim(env.args({ ...claimDefaults, claims: join(out, "claims.json"), account: victims.S1, signatureOnly: true }), env.chain);
    await execSafeTransaction(safe1, [signers[8], signers[9]], p1.to, p1.claimCalldata);
    await paid(victims.S1, b1);

    // Safe 2: its owners sign the acceptance digest as a Safe message (EIP-1271); a relayer submits claimWithSig.
    const b2 = await before(victims.S2);
    const p2 = await runClaim(env.args({ ...claimDefaults, claims: join(out, "claims.json"), account: victims.S2, signatureOnly: true }), env.chain);
    expect(p2.digest).to.equal(await mc.acceptanceDigest(0, victims.S2));
    const badSig = await signSafeMessage(safe1, [signers[8], signers[9]], p2.digest!);
    await expectFail(runClaim(env.args({ ...claimDefaults, claims: join(out, "claims.json"), account: victims.S2, signature: badSig, from: "0" }), env.chain), "does not accept --signature");
    const sig = await signSafeMessage(safe2, [signers[10], signers[11]], p2.digest!);
    const r2 = await runClaim(env.args({ ...claimDefaults, claims: join(out, "claims.json"), account: victims.S2, signature: sig, from: "0" }), env.chain);
    expect(r2.mode).to.equal("claimWithSig");
    await paid(victims.S2, b2);

    // D never claims. After the deadline: no claim, the sweep returns D's share to the treasury.
    await expectFail(runSweep(env.args({ claims: join(out, "claims.json") }), env.chain), "no sweep before the deadline");
    await env.conn.networkHelpers.time.increaseTo(claims.deadline + 1);
    await expectFail(runClaim(env.args({ ...claimDefaults, claims: join(out, "claims.json"), account: victims.D, from: "12" }), env.chain), "closed");
    const tBefore = await tusd.balanceOf(signers[5].address);
    const sw = await runSweep(env.args({ claims: join(out, "claims.json") }), env.chain);
    expect(sw.remainder[book.contracts.asset]).to.equal(String(losses[victims.D]![book.contracts.asset]));
    expect(await tusd.balanceOf(signers[5].address) - tBefore).to.equal(losses[victims.D]![book.contracts.asset]);
    expect(treasuryBefore - (await tusd.balanceOf(signers[5].address))).to.equal(totalT - losses[victims.D]![book.contracts.asset]!);
    expect(await tusd.balanceOf(book.contracts.merkleClaims)).to.equal(0n);
  });

  it("accepts the analysis JSON of `incident analyze` (same leaves → same root)", async function () {
    const analysis = {
      chainId: env.chain.chainId,
      incident: "drill-accounting-bug",
      victims: Object.entries(losses).map(([account, l]) => ({ account, losses: Object.entries(l).map(([asset, amount]) => ({ asset, amount: String(amount) })) })),
    };
    writeFileSync(file("analysis.json"), JSON.stringify(analysis));
    writeFileSync(file("losses2.csv"), csvText());
    const fromJson = await comp({ analysis: file("analysis.json"), out: file("a-out"), treasury: signers[5].address, dryRun: true });
    const fromCsv = await comp({ csv: file("losses2.csv"), out: file("c-out"), treasury: signers[5].address, dryRun: true });
    expect(fromJson.root).to.equal(fromCsv.root);
    expect(fromJson.summary.incident).to.equal("drill-accounting-bug");
    expect(fromJson.simulated).to.equal(true); // dry run = full simulation of proposal + claims
    expect(existsSync(file("a-out"))).to.equal(false);
    // The full analysis `incident analyze` writes: loss.perAccount, role "victim" (protected contracts' losses are skipped).
    const full = {
      version: 1, chain: { chainId: env.chain.chainId }, input: { incident: "drill-full" },
      loss: { perAccount: [
        { account: book.contracts.vault, role: "protected", byAsset: { [book.contracts.asset]: "999" }, value: null },
        ...Object.entries(losses).map(([account, l]) => ({ account, role: "victim", byAsset: Object.fromEntries(Object.entries(l).map(([k, v]) => [k, String(v)])), value: null })),
      ] },
    };
    writeFileSync(file("full.json"), JSON.stringify(full));
    const fromFull = await comp({ analysis: file("full.json"), out: file("f-out"), treasury: signers[5].address, dryRun: true });
    expect(fromFull.root).to.equal(fromCsv.root);
    expect(fromFull.summary.incident).to.equal("drill-full");
    writeFileSync(file("full-empty.json"), JSON.stringify({ ...full, loss: { perAccount: [full.loss.perAccount[0]] } }));
    await expectFail(comp({ analysis: file("full-empty.json"), out: file("fe-out"), treasury: signers[5].address }), "the loss is the pool's", "does not say which depositors bore it", "--positions", "CSV");
  });

  it("refuses bad input with the row or field named, writes and proposes nothing", async function () {
    const A = victims.A.toLowerCase();
    const cases: [string, string, string[]][] = [
      ["bad-address.csv", `account,token,amount\n${A},asset,5\n0x12345,asset,7\n`, ["line 3", "0x12345", "is not an address"]],
      ["checksum.csv", `account,token,amount\n0x70997970c51812dc3a010C7d01b50e0d17dc79C8,asset,5\n`, ["line 2", "wrong checksum"]],
      ["nan.csv", `account,token,amount\n${A},asset,lots\n`, ["line 2", "is not a number"]],
      ["negative.csv", `${A},asset,-5\n`, ["line 1", "negative"]],
      ["zero.csv", `account,token,amount\n${A},asset,0\n`, ["line 2", "amount is zero"]],
      ["decimal.csv", `account,token,amount\n${A},asset,1.5\n`, ["line 2", "has decimals"]],
      ["token.csv", `account,token,amount\n${A},USDC,5\n`, ["line 2", 'token "USDC"', "not a token address"]],
      ["columns.csv", `account,token,amount\n${A},asset\n`, ["line 2", "expected 3 columns"]],
      ["dup.csv", `account,token,amount\n${A},asset,5\n${A},asset,6\n`, ["line 3", "already has token", "line 2", "conflicting"]],
      ["empty.csv", `account,token,amount\n`, ["no rows"]],
    ];
    const block = await env.chain.ethers.provider.getBlockNumber();
    for (const [name, text, fragments] of cases) {
      writeFileSync(file(name), text);
      await expectFail(comp({ csv: file(name), out: file(`out-${name}`), treasury: signers[5].address }), ...fragments);
      expect(existsSync(file(`out-${name}`)), name).to.equal(false);
    }
    writeFileSync(file("empty.json"), JSON.stringify({ chainId: env.chain.chainId, victims: [] }));
    await expectFail(comp({ analysis: file("empty.json"), out: file("out-e"), treasury: signers[5].address }), "empty analysis");
    writeFileSync(file("badjson.json"), JSON.stringify({ victims: [{ account: A, losses: [{ asset: "asset", amount: "-1" }] }] }));
    await expectFail(comp({ analysis: file("badjson.json"), out: file("out-b"), treasury: signers[5].address }), "victims[0].losses[0].amount", "negative");
    writeFileSync(file("otherchain.json"), JSON.stringify({ chainId: 1, victims: [{ account: A, losses: [{ asset: "asset", amount: "1" }] }] }));
    await expectFail(comp({ analysis: file("otherchain.json"), out: file("out-c"), treasury: signers[5].address }), "for chain 1");
    await expectFail(comp({ incident: "no-such-incident", out: file("out-i"), treasury: signers[5].address }), 'unknown incident "no-such-incident"');
    writeFileSync(file("ok.csv"), `${A},asset,5\n`);
    await expectFail(comp({ csv: file("ok.csv"), out: file("out-f"), treasury: signers[5].address, funding: "rescue-vault" }), "the RescueVault holds 0");
    await expectFail(comp({ csv: file("ok.csv"), out: file("out-t"), treasury: "0x1234" }), "--treasury");
    await expectFail(comp({ csv: file("ok.csv"), out: file("out-p"), treasury: signers[5].address, claimPeriod: "1h" }), "MIN_CLAIM_PERIOD");
    expect(await env.chain.ethers.provider.getBlockNumber()).to.equal(block);
  });
});
