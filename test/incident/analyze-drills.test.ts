// Forensics against ground truth: every drill scenario is run through the drill runner (real
// keeper, 500 ms blocks) and, while its chain and keeper store are still alive (RunOptions.onFinished),
// `incident analyze` runs on it through the chain's HTTP JSON-RPC. The analysis's loss and
// per-account figures must equal the drill's own ground truth (DrillScore.fundsLost, which each
// scenario's measure() computes its own way), and the post-mortem draft built from it must hold
// every SEAL section and the legal appendix.
//
// Where a scenario's ground truth is defined differently from the plain outflow, the analysis is
// given the matching option, as an operator would:
//   oracle-manipulation-lending  bad debt at the pre-attack price → --prices dMNGO=<oracle>@<drill start block> --value-in dUSDC
//   derivatives-oracle-failure   bad debt at the recovered price  → --prices dWETH=1400 --value-in dUSDC
//   slow-drip-under-thresholds   the first claim of each attacker account was owed → --owed <account>=2500e18
//   fast-multi-tx-limiter        the attacker's remaining shares count at their value → automatic (share claims)
//   benign-whale-busy-traffic    control: the whale as "suspect" → its redemptions are no loss (0)
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress } from "ethers";
import hre from "hardhat";
import { loadScenarios, runScenario } from "../../tasks/drills/runner.js";
import type { DrillScore } from "../../tasks/drills/types.js";
import { analyzeIncident, type AnalyzeOptions } from "../../tasks/incident/forensics/analyze.js";
import { REPORT_SECTIONS } from "../../tasks/incident/forensics/report.js";
import type { Analysis } from "../../tasks/incident/forensics/types.js";
import { reportAction } from "../../tasks/incident/report.js";
import { httpRpc } from "../../tasks/incident/analyze.js";

// Every scenario of the library, in the runner's order: a new scenario is covered automatically.
const SCENARIOS = await loadScenarios();
/** Scenarios whose ground truth is the attacker accounts' gain in the unit asset (measure()). */
const GAIN_TRUTH = new Set(["multi-tx-drain-copycats", "reentrancy-pool-drain", "accounting-bug-single-tx", "compromised-admin-key", "slow-drip-under-thresholds", "fast-multi-tx-limiter"]);

const dir = mkdtempSync(join(tmpdir(), "forensics-drills-"));
const results: { scenario: string; truth: string; analysis: string | null; ok: boolean }[] = [];

describe("incident analyze on every drill scenario (ground truth)", function () {
  this.timeout(240_000);

  after(function () {
    if (results.length) console.log("\n" + results.map((r) => `    ${r.ok ? "✓" : "✗"} ${r.scenario.padEnd(30)} ground truth ${r.truth.padStart(26)}  analysis ${String(r.analysis).padStart(26)}`).join("\n"));
  });

  it("covers the whole scenario library (nine incident classes)", function () {
    expect(SCENARIOS.map((s) => s.id)).to.have.length.at.least(9);
  });

  for (const scenario of SCENARIOS) {
    const id = scenario.id;
    it(`${id}: loss and per-account figures equal the drill's ground truth; the post-mortem has every section`, async function () {
      let analysis: Analysis | undefined;
      let incidentAnalysis: Analysis | undefined;
      let direct: Map<string, bigint> = new Map();
      let breaker = "";
      const score: DrillScore = await runScenario(hre, scenario, {
        intervalMs: 500,
        onFinished: async ({ chain, storePath, setup, score }) => {
          const provider = chain.ethers.provider;
          breaker = setup.breaker!; // every library scenario pauses a Breakwater breaker
          const rpc = httpRpc(chain.rpcUrl);
          const head = await provider.getBlockNumber();
          const fromBlock = score.startBlock! + 1;
          const malicious = score.transactions.filter((t) => t.kind === "malicious" && t.hash);
          const senders = new Set<string>();
          for (const t of malicious) senders.add((await provider.getTransaction(t.hash))!.from);
          if (id === "benign-whale-busy-traffic") {
            const whale = score.transactions.find((t) => t.note?.startsWith("whale exit"))!;
            senders.add((await provider.getTransaction(whale.hash))!.from);
          }
          const opts: AnalyzeOptions = { rpc, rpcLabel: chain.rpcUrl, fromBlock, toBlock: head, suspects: [...senders], contracts: [breaker] };
          if (id === "oracle-manipulation-lending") Object.assign(opts, { prices: [`dMNGO=${setup.named!.oracle}@${score.startBlock}`], valueIn: "dUSDC" });
          if (id === "derivatives-oracle-failure") Object.assign(opts, { prices: ["dWETH=1400"], valueIn: "dUSDC" });
          if (id === "slow-drip-under-thresholds") opts.owed = [...senders].map((a) => `${a}=2500e18`);
          analysis = await analyzeIncident(opts);
          // Independent ground truth per attacker account: its balance of the unit asset, read directly.
          const unitAsset = Object.values(analysis.assets).find((x) => x.symbol === score.unit.symbol)?.address;
          direct = new Map();
          if (unitAsset) {
            const erc20 = new chain.ethers.Contract(unitAsset, ["function balanceOf(address) view returns (uint256)"], provider);
            for (const x of analysis.attackers) {
              const d = ((await erc20.balanceOf(x.account, { blockTag: head })) as bigint) - ((await erc20.balanceOf(x.account, { blockTag: fromBlock - 1 })) as bigint);
              direct.set(x.account, d);
            }
          }
          // The same through the keeper's incident (store + id): the response timeline comes from the store.
          const act = score.incidents?.find((i) => i.act && score.firstMaliciousBlock !== null && i.firstBlock >= score.firstMaliciousBlock);
          if (act) incidentAnalysis = await analyzeIncident({ ...opts, storePath, incident: act.id });
        },
      });
      expect(analysis, "onFinished ran").to.not.equal(undefined);
      const a = analysis!;
      const truth = BigInt(score.fundsLost);
      results.push({ scenario: id, truth: score.fundsLost, analysis: a.loss.total, ok: a.loss.total === score.fundsLost });
      expect(score.unmet, score.unmet.join("; ")).to.deep.equal([]);

      // Total loss.
      expect(a.loss.total, `total loss (notes: ${a.notes.join(" | ")})`).to.equal(score.fundsLost);
      // Per affected account: the protected contract bears the loss.
      const victim = a.loss.perAccount.find((p) => p.role === "protected");
      const victimValue = victim?.value === null || victim === undefined ? 0n : BigInt(victim.value);
      expect(victimValue > 0n ? victimValue : 0n, "protected contract's loss").to.equal(truth);
      // Per attacker account: token flows equal the balances read directly; where the ground truth
      // is the attackers' gain, their gains (shares valued, owed deducted) sum to it.
      const unitAsset = Object.values(a.assets).find((x) => x.symbol === score.unit.symbol)?.address;
      if (unitAsset) {
        for (const x of a.attackers) {
          const flow = a.flows.find((f) => f.account === x.account);
          expect(BigInt(flow?.netByAsset[unitAsset] ?? "0"), `attacker ${x.account}: token flow vs balance`).to.equal(direct.get(x.account) ?? 0n);
        }
      }
      if (GAIN_TRUTH.has(id)) {
        let gain = 0n;
        for (const p of a.loss.perAttacker) gain += BigInt(p.byAsset[unitAsset ?? ""] ?? "0");
        for (const w of a.loss.owed) gain -= BigInt(w.amount);
        expect(gain > 0n ? gain : 0n, "attackers' gain").to.equal(truth);
      }
      // Balances at the block boundaries reconcile with the Transfer logs.
      for (const f of a.flows) for (const [asset, b] of Object.entries(f.balances ?? {})) expect(b.reconciled, `${f.account} ${asset}`).to.not.equal(false);
      // Attacker transactions decoded; first attack block matches the drill's.
      if (id !== "benign-whale-busy-traffic") {
        expect(a.firstAttackBlock).to.equal(score.firstMaliciousBlock);
        const included = score.transactions.filter((t) => t.kind === "malicious" && t.blockNumber !== null).map((t) => t.hash);
        for (const h of included) expect(a.attackerTxs.map((t) => t.hash), `malicious tx ${h}`).to.include(h);
        expect(a.attackerTxs.every((t) => t.call === undefined || t.call.signature !== undefined || t.call.raw !== undefined)).to.equal(true);
        expect(a.attackerTxs.some((t) => t.call?.signature), "some calls decoded with the project's ABIs").to.equal(true);
        expect(a.funding.length).to.equal(a.attackers.length);
      }
      // Issue 17 on every drill: the clock starts at the first harmful tx (never before the first
      // malicious one), the timeline is ordered by block, funding never comes from the protected
      // contract, net = gross - paid in, decoded calls say how they were attributed, and the
      // protected contract is identified by its runtime code.
      if (id !== "benign-whale-busy-traffic" && a.response.firstHarmful) expect(a.response.firstHarmful.blockNumber).to.be.at.least(score.firstMaliciousBlock!);
      const blocks = a.response.events.map((e) => e.block ?? Infinity);
      expect(blocks, "timeline ordered by block").to.deep.equal([...blocks].sort((x, y) => x - y));
      for (const f of a.funding) for (const x of f.sources) expect(a.protectedContracts, `${f.account} funded by ${x.from}`).to.not.include(x.from);
      for (const [asset, d] of Object.entries(a.loss.perAsset ?? {})) expect(BigInt(d.net), asset).to.equal(BigInt(d.gross) - BigInt(d.paidIn));
      for (const t of a.attackerTxs) if (t.call?.signature) expect(["address", "selector-guess"]).to.include(t.call.attributedBy);
      // ERC-4626 pools: the loss is split over the share holders at the block before the first harmful tx, to the base unit.
      for (const d of a.loss.depositors ?? []) {
        expect(d.depositors.reduce((x, y) => x + BigInt(y.share), 0n) + BigInt(d.dust), `${d.pool} split`).to.equal(BigInt(d.loss));
        expect(BigInt(d.dust) < BigInt(d.depositors.length || 1)).to.equal(true);
        for (const x of d.depositors) expect(a.attackers.map((y) => y.account)).to.not.include(x.account);
      }
      expect(a.contractsByAddress?.[getAddress(breaker)]?.by, "protected contract identified by its code").to.equal("bytecode");
      if (incidentAnalysis) {
        expect(incidentAnalysis.loss.total).to.equal(score.fundsLost);
        if (incidentAnalysis.response.firstHarmful?.blockNumber === score.firstMaliciousBlock) {
          expect(incidentAnalysis.response.blocksToContain, "blocks to contain (the drill score's definition)").to.equal(score.blocksToContain);
        }
        expect(incidentAnalysis.response.events.some((e) => e.source === "keeper" && e.kind === "detection")).to.equal(true);
        expect(incidentAnalysis.response.containedBlock).to.equal(score.containedBlock);
      }

      // Post-mortem draft from the analysis JSON (+ the drill score).
      const aFile = join(dir, `${id}.analysis.json`);
      const sFile = join(dir, `${id}.score.json`);
      writeFileSync(aFile, JSON.stringify(incidentAnalysis ?? a));
      writeFileSync(sFile, JSON.stringify(score));
      const { path, markdown } = reportAction({ analysis: aFile, score: sFile, out: join(dir, `${id}.md`) });
      expect(readFileSync(path, "utf8")).to.equal(markdown + "\n");
      let at = -1;
      for (const s of REPORT_SECTIONS) {
        const i = markdown.indexOf(s);
        expect(i, `section "${s}"`).to.be.greaterThan(at);
        at = i;
      }
      expect(markdown).to.match(/not legal advice/);
      expect(markdown).to.include(`| Chain (chain id) | ${a.chain.chainId} |`);
      expect(markdown).to.include("TODO");
      for (const x of a.attackers) expect(markdown).to.include(x.account);
    });
  }
});
