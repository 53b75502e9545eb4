// Forensics on an incident nobody here staged a drill for: a collateralised lending pool of its
// own (contracts/test/foreign/CollateralLendingPool.sol: a 6-decimals stable, a collateral token,
// `borrow` checks each loan against the whole credit line, ignoring the debt already taken) on a
// spawned `hardhat node`. Dozens of honest lenders (one of them a real Safe 1.4.1) and borrowers
// use it; then an attacker — funded with ETH by another account and by self-minting both tokens —
// locks collateral, makes a dust deposit, and over-borrows over several blocks; the pause lands in
// the block of the second loan, later loans revert (ScopePaused). The keeper's store is staged
// with the three incidents one attack produces (an alert-only big-borrow matcher naming the
// attacker's tx, the pausing statistic, the breaker's Paused event; keeper clock 2.5 s ahead of
// the chain's) and the config's silent solvency invariant.
//
// Ground truth is recorded from the chain by the test itself (receipts, balances, positions read
// at the block before the first harmful tx) and compared with: funding sources and labels, the
// metrics from the first harmful tx, gross / net loss, decoding with the pool's ABI (by address),
// revert reasons, the merged incident, rules checked against the benign history, a token given as
// a suspect, and a compensation round through the guardian slow path that pays each depositor
// exactly their pro-rata share — claimed by EOAs and the Safe, with the pool never a claimant.
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Contract, Wallet, ZeroAddress, id, type TransactionReceipt } from "ethers";
import hre from "hardhat";
import { KeeperStore } from "../../keeper/store/store.js";
import { fromConnection, type OperatorChain } from "../../tasks/lib/chain.js";
import { setOutput } from "../../tasks/lib/output.js";
import { commonDefaults } from "../../tasks/operator/common.js";
import { runDeploy } from "../../tasks/operator/deploy-action.js";
import { analyzeAction } from "../../tasks/incident/analyze.js";
import { analyzeIncident, type AnalyzeOptions } from "../../tasks/incident/forensics/analyze.js";
import type { Analysis } from "../../tasks/incident/forensics/types.js";
import { httpRpc } from "../../tasks/incident/analyze.js";
import { reportAction } from "../../tasks/incident/report.js";
import { incidentAnalysisPath, incidentDir } from "../../tasks/incident/paths.js";
import { compensationDefaults, runCompensation, type ClaimsFile } from "../../tasks/incident/compensation-core.js";
import { claimDefaults, runClaim } from "../../tasks/incident/compensation-claim.js";
import { deploySafe, execSafeTransaction } from "../helpers/safe.js";
import { startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";
import type { TaskEnv } from "../tasks/helpers.js";
import { expectFail, playPlan } from "./rescue-helpers.js";

const U6 = 10n ** 6n;
const E18 = 10n ** 18n;
const BORROW = id("breakwater.scope.BORROW");
const POOL_ARTIFACT = resolve("artifacts/contracts/test/foreign/CollateralLendingPool.sol/CollateralLendingPool.json");
const LENDERS = 30;
const DRAIN = 60_000n * U6;

describe("incident analyze / report / compensation on a foreign lending-pool exploit (spawned hardhat node)", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let chain: OperatorChain;
  let env: TaskEnv;
  let signers: any[];
  let stable: Contract, col: Contract, pool: Contract;
  let stableAddr: string, colAddr: string, poolAddr: string;
  let safe: Contract;
  let safeOwners: any[];
  const lenders: Wallet[] = [];
  const borrowers: Wallet[] = [];
  let attacker: Wallet;
  let funder: any;
  const truth: {
    fromBlock: number;
    fundingTx: string;
    mintStable: string;
    mintCol: string;
    dust: TransactionReceipt;
    borrows: TransactionReceipt[];
    reverted: TransactionReceipt[];
    pause: TransactionReceipt;
    benignBorrows: string[];
    positions: Map<string, bigint>;
    totalPosition: bigint;
  } = {} as never;
  let storePath: string;
  const ids: Record<string, string> = {};
  const dir = mkdtempSync(join(tmpdir(), "forensics-foreign-"));
  const gas = { gasLimit: 500_000n };

  const mined = async (p: Promise<{ wait(): Promise<TransactionReceipt | null> }>) => (await (await p).wait())!;
  const fund = (a: string) => node.rpc("hardhat_setBalance", [a, "0x3635c9adc5dea00000"]);

  before(async function () {
    node = await startHardhatNode();
    const conn: any = await hre.network.create({ network: "localhost", override: { url: node.url } as never });
    chain = await fromConnection(conn);
    const out: string[] = [];
    setOutput((t) => out.push(t));
    env = { conn, chain, dir, out, args: <T extends object>(extra: T) => ({ ...commonDefaults, deployments: dir, ...extra }), text: () => out.join("\n") } as TaskEnv;
    await runDeploy(env.args({ params: resolve("deployments/params/local.json"), withExampleVault: false, force: false }) as never, chain);
    signers = await chain.ethers.getSigners();
    const admin = signers[0];
    const TT = await chain.ethers.getContractFactory("TestToken", admin);
    stable = (await TT.deploy("Pool USD", "pUSD", 6)) as unknown as Contract;
    col = (await TT.deploy("Collateral", "COL", 18)) as unknown as Contract;
    stableAddr = await stable.getAddress();
    colAddr = await col.getAddress();
    const art = JSON.parse(readFileSync(POOL_ARTIFACT, "utf8"));
    const F = new (await import("ethers")).ContractFactory(art.abi, art.bytecode, admin);
    pool = (await F.deploy(stableAddr, colAddr, 5_000n, 2n * U6, admin.address)) as Contract; // 2 pUSD per COL, 50% LTV
    poolAddr = await pool.getAddress();
    await mined(stable.getFunction("mint")(signers[5].address, 1_000_000n * U6)); // the treasury funds the round
    truth.fromBlock = (await node.blockNumber()) + 1;

    // Honest traffic: 30 lenders, a Safe lender, 5 borrowers (small loans), a few withdrawals.
    for (let i = 0; i < LENDERS; i++) {
      const w = new Wallet(id(`foreign-lender:${i}`), node.provider);
      await fund(w.address);
      lenders.push(w);
      const amount = BigInt(3_000 + 500 * i) * U6 + BigInt(i * 37);
      await mined(stable.getFunction("mint")(w.address, amount));
      await mined((stable.connect(w) as Contract).getFunction("approve")(poolAddr, amount));
      await mined((pool.connect(w) as Contract).getFunction("supply")(amount));
    }
    safeOwners = [signers[8], signers[9]];
    safe = await deploySafe(chain.ethers, safeOwners, 2);
    const safeAmount = 12_345n * U6 + 6n;
    await mined(stable.getFunction("mint")(await safe.getAddress(), safeAmount));
    await execSafeTransaction(safe, safeOwners, stableAddr, stable.interface.encodeFunctionData("approve", [poolAddr, safeAmount]));
    await execSafeTransaction(safe, safeOwners, poolAddr, pool.interface.encodeFunctionData("supply", [safeAmount]));
    truth.benignBorrows = [];
    for (let i = 0; i < 5; i++) {
      const w = new Wallet(id(`foreign-borrower:${i}`), node.provider);
      await fund(w.address);
      borrowers.push(w);
      const c = BigInt(4_000 + 1_000 * i) * E18;
      await mined(col.getFunction("mint")(w.address, c));
      await mined((col.connect(w) as Contract).getFunction("approve")(poolAddr, c));
      await mined((pool.connect(w) as Contract).getFunction("lockCollateral")(c));
      const r = await mined((pool.connect(w) as Contract).getFunction("borrow")(BigInt(1_000 + 1_000 * i) * U6));
      truth.benignBorrows.push(r.hash);
    }
    for (const w of lenders.slice(0, 3)) await mined((pool.connect(w) as Contract).getFunction("withdrawSupply")(500n * U6));

    // The attacker: a fresh key, funded in ETH by another account, self-mints both tokens.
    attacker = new Wallet(id("foreign-attacker"), node.provider);
    funder = signers[6];
    truth.fundingTx = (await mined(funder.sendTransaction({ to: attacker.address, value: 5n * E18 }))).hash;
    const asAtt = (c: Contract) => c.connect(attacker) as Contract;
    truth.mintStable = (await mined(asAtt(stable).getFunction("mint")(attacker.address, 1_000n * U6))).hash;
    truth.mintCol = (await mined(asAtt(col).getFunction("mint")(attacker.address, 60_000n * E18))).hash;
    await mined(asAtt(col).getFunction("approve")(poolAddr, 60_000n * E18));
    await mined(asAtt(stable).getFunction("approve")(poolAddr, 1_000n * U6));
    await mined(asAtt(pool).getFunction("lockCollateral")(60_000n * E18));
    truth.dust = await mined(asAtt(pool).getFunction("supply")(1_000n * U6)); // harmless: value goes IN
    await mined((pool.connect(lenders[5]!) as Contract).getFunction("withdrawSupply")(100n * U6)); // one honest block between
    // Positions at the block before the first harmful transaction (ground truth for the split).
    const before = await node.blockNumber();
    truth.positions = new Map();
    for (const a of [...lenders.map((w) => w.address), await safe.getAddress()]) truth.positions.set(a, await pool.getFunction("supplied")(a, { blockTag: before }));
    truth.totalPosition = [...truth.positions.values()].reduce((x, y) => x + y, 0n);
    expect(await pool.getFunction("supplied")(attacker.address, { blockTag: before })).to.equal(1_000n * U6);

    // The drain: loan 1 (block b1); loan 2 and the pause in block b2 (loan 2 first); loans 3, 4 revert.
    truth.borrows = [await mined(asAtt(pool).getFunction("borrow")(DRAIN, gas))];
    await node.rpc("evm_setAutomine", [false]);
    const b2 = await asAtt(pool).getFunction("borrow").send(DRAIN, { ...gas, maxPriorityFeePerGas: 3n * 10n ** 9n, maxFeePerGas: 100n * 10n ** 9n });
    const p = await (pool.connect(signers[0]) as Contract).getFunction("pause").send(BORROW, 3_600, { gasLimit: 300_000n, maxPriorityFeePerGas: 10n ** 9n, maxFeePerGas: 100n * 10n ** 9n });
    await node.rpc("evm_mine");
    await node.rpc("evm_setAutomine", [true]);
    truth.borrows.push((await b2.wait())!);
    truth.pause = (await p.wait())!;
    expect(truth.pause.blockNumber).to.equal(truth.borrows[1]!.blockNumber);
    expect(truth.pause.index).to.be.greaterThan(truth.borrows[1]!.index);
    truth.reverted = [];
    for (let k = 0; k < 2; k++) {
      // Mined even though it reverts (automine would refuse it at send time).
      await node.rpc("evm_setAutomine", [false]);
      const tx = await asAtt(pool).getFunction("borrow").send(DRAIN, gas);
      await node.rpc("evm_mine");
      await node.rpc("evm_setAutomine", [true]);
      truth.reverted.push((await node.provider.waitForTransaction(tx.hash))!);
    }
    expect(truth.reverted.map((r) => r.status)).to.deep.equal([0, 0]);
    expect(truth.borrows.map((r) => r.status)).to.deep.equal([1, 1]);
    await node.mine(2);

    // The keeper's store, staged as the keeper writes it (three incidents of one attack).
    storePath = join(dir, "keeper.sqlite");
    const store = new KeeperStore(storePath);
    store.bindChain(31337);
    const b1 = truth.borrows[0]!;
    const blk = async (n: number) => (await node.provider.getBlock(n))!;
    const t1 = (await blk(b1.blockNumber)).timestamp;
    const t2 = (await blk(truth.pause.blockNumber)).timestamp;
    const SKEW = 2_500; // the keeper's wall clock runs 2.5 s ahead of the node's block timestamps
    const f = (ruleId: string, severity: "P1" | "P2" | "P3", block: number, hash: string, summary: string, txHash?: string) => ({
      ruleId, detector: "matcher" as const, severity, fingerprint: `${ruleId}:${poolAddr.toLowerCase()}`, blockNumber: block, blockHash: hash, summary, details: {}, ...(txHash ? { txHash } : {}),
    });
    const bigBorrow = store.openIncident(f("big-borrow", "P2", b1.blockNumber, b1.blockHash, "Borrowed above 50,000 pUSD", b1.hash), t1, t1 * 1000 + SKEW).incident;
    store.addTimeline({ incidentId: bigBorrow.id, at: t1 * 1000 + SKEW, blockNumber: b1.blockNumber, kind: "detection", message: "big-borrow: Borrowed(amount 60000000000)", data: { txHash: b1.hash } });
    for (const ch of ["slack", "webhook"]) {
      store.recordAlert({ id: `alert:${bigBorrow.id}`, incidentId: bigBorrow.id, severity: "P2", title: "big borrow", body: "", blockNumber: b1.blockNumber, blockHash: b1.blockHash }, ch);
      store.markAlertDelivered(`alert:${bigBorrow.id}`, ch, t1 * 1000 + SKEW + 300);
    }
    const spike = store.openIncident({ ...f("outflow-spike", "P1", b1.blockNumber, b1.blockHash, "pUSD outflow 18% of TVL in one block"), detector: "statistic" as const }, t1, t1 * 1000 + SKEW + 40).incident;
    store.addTimeline({ incidentId: spike.id, at: t1 * 1000 + SKEW + 40, blockNumber: b1.blockNumber, kind: "detection", message: "outflow-spike: robust z 41.3" });
    store.recordTxAttempt({ incidentId: spike.id, kind: "pause", chainId: 31337, to: poolAddr, data: "0x", hash: truth.pause.hash, status: "included", includedBlock: truth.pause.blockNumber, createdAt: t1 * 1000 + SKEW + 90 });
    store.markContained(spike.id, truth.pause.blockNumber);
    const paused = store.openIncident(f("breaker-paused", "P3", truth.pause.blockNumber, truth.pause.blockHash, "Paused(BORROW) on the pool"), t2, t2 * 1000 + SKEW).incident;
    store.addTimeline({ incidentId: paused.id, at: t2 * 1000 + SKEW, blockNumber: truth.pause.blockNumber, kind: "detection", message: "breaker-paused: Paused(BORROW)", data: { txHash: truth.pause.hash } });
    store.close();
    Object.assign(ids, { bigBorrow: bigBorrow.id, spike: spike.id, paused: paused.id });
    expect(spike.id).to.include(":"); // keeper ids contain colons: taken as they are
  });

  after(async function () {
    rmSync(incidentDir(ids.spike ?? "none"), { recursive: true, force: true });
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const keeperRules = [
    { id: "big-borrow", act: false, detector: { kind: "matcher" } },
    { id: "outflow-spike", act: true, detector: { kind: "statistic" } },
    { id: "breaker-paused", act: false, detector: { kind: "matcher" } },
    { id: "pool-solvency", act: true, detector: { kind: "invariant" } },
  ];
  let a: Analysis;

  it("analyze (the task, with the project's artifacts through Hardhat): writes where report and compensation read", async function () {
    a = await analyzeAction({ rpcUrl: node.url, store: storePath, incident: ids.spike, fromBlock: truth.fromBlock, contracts: poolAddr, abi: `${poolAddr}=${POOL_ARTIFACT}`, positions: "reader:supplied(address)" }, hre);
    expect(existsSync(incidentAnalysisPath(ids.spike!))).to.equal(true);
    expect(JSON.parse(readFileSync(incidentAnalysisPath(ids.spike!), "utf8")).input.incident).to.equal(ids.spike);
  });

  it("funding: ETH from another account and self-mints, labelled; the pool's payouts are not funding", function () {
    expect(a.attackers.map((x) => x.account)).to.deep.equal([attacker.address]);
    const f = a.funding.find((x) => x.account === attacker.address)!;
    expect(f.ethBefore).to.equal("0");
    const rows = f.sources.map((x) => [x.label, x.kind, x.asset, x.from, x.amount, x.txHash]);
    expect(rows).to.deep.equal([
      ["transfer", "native", "ETH", funder.address, (5n * E18).toString(), truth.fundingTx],
      ["self-mint", "token", stableAddr, ZeroAddress, (1_000n * U6).toString(), truth.mintStable],
      ["self-mint", "token", colAddr, ZeroAddress, (60_000n * E18).toString(), truth.mintCol],
    ]);
    expect(f.sources.every((x) => x.verified)).to.equal(true);
    expect(f.sources[0]!.text).to.include(`from EOA ${funder.address}`);
    for (const x of f.sources) expect(x.from).to.not.equal(poolAddr);
  });

  it("metrics from the first harmful transaction (not the dust deposit), one clock per fact, merged incidents", function () {
    const r = a.response;
    const [b1, b2] = truth.borrows;
    expect(r.firstHarmful?.hash).to.equal(b1!.hash);
    expect(a.attackerTxs.find((t) => t.hash === truth.dust.hash)?.harmful).to.equal(false);
    expect(r.detectedBlock).to.equal(b1!.blockNumber);
    expect(r.blocksToDetect).to.equal(0);
    expect(r.containedBlock).to.equal(truth.pause.blockNumber);
    expect(r.blocksToContain).to.equal(b2!.blockNumber - b1!.blockNumber);
    expect(r.blocksToContain).to.equal(1);
    expect(r.attackerTxsAfterContainment).to.deep.equal({ total: 2, reverted: 2, succeeded: 0 });
    // Timeline: ordered; detection before containment although the keeper clock runs ahead.
    const iDetect = r.events.findIndex((e) => e.source === "keeper" && e.kind === "detection");
    const iPause = r.events.findIndex((e) => e.kind === "paused");
    expect(iDetect).to.be.greaterThan(-1);
    expect(iPause).to.be.greaterThan(iDetect);
    expect(r.events.filter((e) => e.kind === "alert")).to.have.length(1); // two channels, one alert
    for (const e of r.events) expect(e.clock).to.equal(e.source === "keeper" ? "keeper" : "chain");
    // One story: all three incidents, which rules fired.
    expect(a.incidents!.map((i) => i.id).sort()).to.deep.equal([ids.bigBorrow, ids.spike, ids.paused].sort());
    expect(a.incidents!.find((i) => i.id === ids.bigBorrow)!.namesAttackerTxs).to.deep.equal([b1!.hash]);
  });

  it("loss gross and net per asset; self-mints flagged and excluded from the attacker's gains", function () {
    const d = a.loss.perAsset![stableAddr]!;
    expect(d.gross).to.equal((2n * DRAIN).toString());
    expect(d.paidInByAttackers).to.equal((1_000n * U6).toString());
    expect(d.net).to.equal((2n * DRAIN - 1_000n * U6).toString());
    expect(a.loss.byAsset[stableAddr]).to.equal(d.net);
    expect(a.loss.perAsset![colAddr]!.paidInByAttackers).to.equal((60_000n * E18).toString());
    // Ground truth from balances: the pool's pUSD fell by the net over the attacker's transactions.
    const gain = a.loss.perAttacker.find((p) => p.account === attacker.address)!;
    expect(gain.byAsset[stableAddr]).to.equal((2n * DRAIN - 1_000n * U6).toString());
    expect(gain.selfMinted).to.deep.equal({ [stableAddr]: (1_000n * U6).toString(), [colAddr]: (60_000n * E18).toString() });
    expect(a.loss.total).to.equal(null); // two assets and no prices: not valued, never silently netted
  });

  it("decoding by address with the pool's ABI; revert reasons decoded; guesses marked", function () {
    const borrow = a.attackerTxs.find((t) => t.hash === truth.borrows[0]!.hash)!;
    expect(borrow.call).to.deep.include({ contract: "CollateralLendingPool", attributedBy: "address", signature: "borrow(uint256)" });
    const ev = borrow.events.find((e) => e.signature?.startsWith("Borrowed"))!;
    expect(ev.contract).to.equal("CollateralLendingPool");
    expect(ev.args).to.deep.equal({ borrower: attacker.address, amount: DRAIN.toString(), debtAfter: DRAIN.toString() });
    expect(a.attackerTxs.find((t) => t.hash === truth.dust.hash)!.call?.signature).to.equal("supply(uint256)");
    expect(a.attackerTxs.find((t) => t.hash === truth.mintCol)!.call?.contract).to.equal("TestToken");
    for (const r of truth.reverted) {
      const t = a.attackerTxs.find((x) => x.hash === r.hash)!;
      expect(t.status).to.equal("reverted");
      expect(t.revert?.signature).to.equal("ScopePaused(bytes32,uint64)");
      expect(t.revert?.attributedBy).to.equal("address");
      expect(t.revert?.text).to.match(new RegExp(`^ScopePaused\\(scope=${BORROW}, until=\\d+\\)$`));
    }
    expect(a.contractsByAddress![poolAddr]).to.deep.equal({ contract: "CollateralLendingPool", by: "--abi" });
    expect(a.attackerTxs.every((t) => !t.call?.signature || t.call.attributedBy !== undefined)).to.equal(true);
  });

  it("the pool's loss is attributed to its depositors pro rata at the block before the first harmful tx", function () {
    const [d] = a.loss.depositors!;
    expect(d!.pool).to.equal(poolAddr);
    expect(d!.asset).to.equal(stableAddr);
    expect(d!.atBlock).to.equal(truth.borrows[0]!.blockNumber - 1);
    expect(d!.excluded).to.deep.equal([{ account: attacker.address, position: (1_000n * U6).toString(), why: "attacker account" }]);
    const loss = 2n * DRAIN - 1_000n * U6;
    expect(d!.loss).to.equal(loss.toString());
    expect(BigInt(d!.totalPosition)).to.equal(truth.totalPosition);
    const got = new Map(d!.depositors.map((x) => [x.account, BigInt(x.share)]));
    expect(got.size).to.equal(LENDERS + 1);
    for (const [acc, pos] of truth.positions) expect(got.get(acc), acc).to.equal((loss * pos) / truth.totalPosition);
    expect(d!.depositors.find((x) => x.account === poolAddr)).to.equal(undefined);
    expect(d!.depositors.filter((x) => x.isContract).map((x) => x.account)).to.deep.equal([[...truth.positions.keys()].at(-1)]); // the Safe
  });

  it("action items: the naive rule would have paused honest borrowers (rejected); the threshold rule has 0 false alarms", function () {
    const naive = a.ruleChecks!.find((c) => c.description.startsWith("pause on every Borrowed"))!;
    expect(naive.verdict).to.equal("rejected");
    expect(naive.falseAlarms).to.equal(truth.benignBorrows.length);
    expect(naive.falseAlarmTxs.map((h) => h.toLowerCase()).sort()).to.deep.equal(truth.benignBorrows.map((h) => h.toLowerCase()).sort());
    const amount = a.ruleChecks!.find((c) => c.description.includes("Borrowed.amount >"))!;
    expect(amount.verdict).to.equal("suggest");
    expect(amount.falseAlarms).to.equal(0);
    expect(amount.description).to.include(`> ${5_000n * U6}`); // the largest honest loan
  });

  it("the post-mortem: read by incident id, one story, silent rules, clocks labelled, verified funding only", async function () {
    const withRules = await analyzeIncident({ rpc: httpRpc(node.url), rpcLabel: node.url, storePath, incident: ids.spike, fromBlock: truth.fromBlock, contracts: [poolAddr], abi: [`${poolAddr}=${POOL_ARTIFACT}`], keeperRules });
    expect(withRules.response.rulesSilent).to.deep.equal(["pool-solvency (invariant, acts)"]);
    const { markdown: md } = reportAction({ incident: ids.spike, out: join(dir, "pm.md") });
    expect(md).to.include(ids.bigBorrow).and.to.include(ids.paused);
    expect(md).to.include(`The first harmful transaction (value out of a protected contract / victim) was \`${truth.borrows[0]!.hash}\``);
    const wrong = md.slice(md.indexOf("## 7. What went wrong"), md.indexOf("## 8. Action items"));
    expect(wrong).to.not.match(/Detection came|Containment took/);
    expect(wrong).to.include("120,000 pUSD left the protocol before containment (gross; ");
    expect(md).to.include("Containment landed 1 block(s) after the first harmful transaction");
    expect(md).to.include("2 reverted, 0 succeeded");
    expect(md).to.include("Not suggested: pause on every Borrowed");
    const appendix = md.slice(md.indexOf("## Appendix A"));
    expect(appendix).to.include("[self-mint]").and.to.include(`[transfer] ${5n * E18} wei from EOA ${funder.address}`);
    expect(appendix).to.not.include(`from contract ${poolAddr}`);
    expect(md).to.include("| keeper |").and.to.include("| chain |");
    const { markdown: md2 } = reportAction({ analysis: incidentAnalysisPath(ids.spike!), out: join(dir, "pm2.md") });
    expect(md2.length).to.be.greaterThan(1000);
    const fromRules = reportAction({ analysis: writeJson("rules.json", withRules), out: join(dir, "pm3.md") }).markdown;
    expect(fromRules).to.include("Rules that stayed silent: pool-solvency (invariant, acts)");
  });

  it("a token given as a suspect: warned about, other people's transactions listed apart", async function () {
    const t = await analyzeIncident({ rpc: httpRpc(node.url), rpcLabel: node.url, fromBlock: truth.fromBlock, suspects: [stableAddr], contracts: [poolAddr], abi: [`${poolAddr}=${POOL_ARTIFACT}`] } as AnalyzeOptions);
    expect(t.attackerTxs).to.have.length(0);
    expect(t.notes.some((n) => n.startsWith(`WARNING: suspect ${stableAddr} is a contract that looks like a token`))).to.equal(true);
    const mints = t.othersToSuspects!.filter((x) => x.to === stableAddr);
    expect(mints.length).to.be.greaterThan(LENDERS);
    expect(new Set(mints.map((x) => x.from)).has(attacker.address)).to.equal(true);
  });

  it("compensation: --treasury 0x0 refused (nothing written); the pool as a victim is refused as a claimant", async function () {
    const out0 = join(dir, "comp-zero");
    await expectFail(runCompensation(env.args({ ...compensationDefaults, incident: ids.spike, out: out0, treasury: ZeroAddress }) as never, chain), "--treasury is the zero address");
    expect(existsSync(out0)).to.equal(false);
    const asVictim = await analyzeIncident({ rpc: httpRpc(node.url), rpcLabel: node.url, fromBlock: truth.fromBlock, suspects: [attacker.address], victims: [poolAddr], abi: [`${poolAddr}=${POOL_ARTIFACT}`] });
    const file = writeJson("pool-victim.json", asVictim);
    await expectFail(runCompensation(env.args({ ...compensationDefaults, analysis: file, out: join(dir, "comp-pool"), treasury: signers[5].address }) as never, chain), `claimant ${poolAddr} is a contract that can neither call claim() nor sign`);
    // Allowed explicitly: the dry run never impersonates it.
    const res = await runCompensation(env.args({ ...compensationDefaults, analysis: file, out: join(dir, "comp-pool2"), treasury: signers[5].address, allowContractClaimants: true, dryRun: true }) as never, chain);
    expect(res.plan.steps.at(-1)!.simulated!.detail).to.include(`0 of 1 claim(s) simulated`).and.to.include(`not simulated: ${poolAddr} cannot act`);
    expect(existsSync(join(dir, "comp-pool2"))).to.equal(false);
  });

  it("compensation round by incident id: every depositor (EOAs and the Safe) claims exactly their pro-rata share; the pool never a claimant", async function () {
    const out = join(dir, "comp");
    const res = await runCompensation(env.args({ ...compensationDefaults, incident: ids.spike, out, treasury: signers[5].address, claimPeriod: "2d", simulate: true }) as never, chain);
    expect(res.simulated).to.equal(true);
    const claims: ClaimsFile = JSON.parse(readFileSync(join(out, "claims.json"), "utf8"));
    const loss = 2n * DRAIN - 1_000n * U6;
    const expected = new Map([...truth.positions].map(([acc, pos]) => [acc, (loss * pos) / truth.totalPosition]));
    expect(Object.keys(claims.claims).sort()).to.deep.equal([...expected.keys()].sort());
    expect(Object.keys(claims.claims)).to.not.include(poolAddr);
    expect(Object.keys(claims.claims)).to.not.include(attacker.address);
    await playPlan(env, join(out, "proposal"));
    const mc = await chain.ethers.getContractAt("MerkleClaims", claims.merkleClaims);
    const roundId = Number(await mc.roundCount()) - 1;
    const bal = (acc: string) => stable.getFunction("balanceOf")(acc) as Promise<bigint>;
    for (const w of lenders) {
      const c = claims.claims[w.address]!;
      const b0 = await bal(w.address);
      await mined((mc.connect(w) as any).claim(roundId, c.tokens, c.amounts, c.proof));
      expect((await bal(w.address)) - b0, w.address).to.equal(expected.get(w.address));
    }
    const safeAddr = await safe.getAddress();
    const p = await runClaim(env.args({ ...claimDefaults, claims: join(out, "claims.json"), account: safeAddr, signatureOnly: true }) as never, chain);
    const s0 = await bal(safeAddr);
    await execSafeTransaction(safe, safeOwners, p.to, p.claimCalldata);
    expect((await bal(safeAddr)) - s0).to.equal(expected.get(safeAddr));
  });

  function writeJson(name: string, v: unknown): string {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(v));
    return f;
  }
});
