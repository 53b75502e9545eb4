// The issue-6 flow on a FORK: a spawned `hardhat node` stands in for a live chain. The deploy
// task deploys the suite + example vault into it (deployments/params/local.json, temp
// --deployments). On the node, an incident hits individual accounts: three users approved a
// phishing "spender" (an attacker EOA), which drains them over several blocks. Then, on an
// in-process fork of the node (hre.network.createServer with a forking override, served over
// HTTP), `incident analyze` (range + suspects + victims, --rpc-url = the fork) must find each
// victim's staged loss; `incident report` turns it into the post-mortem draft; `incident
// compensation --analysis … --fork-url <node> --simulate` builds the round and plays it (proposal
// + every claim) through the real multisig on its own fork; the proposal is then played again on
// our fork through the real guardian tasks and every victim claims: each is paid exactly its loss.
// The node itself is untouched by all of it.
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, Wallet } from "ethers";
import hre from "hardhat";
import { fromConnection, type OperatorChain } from "../../tasks/lib/chain.js";
import { setOutput } from "../../tasks/lib/output.js";
import { commonDefaults } from "../../tasks/operator/common.js";
import { runDeploy } from "../../tasks/operator/deploy-action.js";
import { analyzeAction } from "../../tasks/incident/analyze.js";
import { reportAction } from "../../tasks/incident/report.js";
import { compensationDefaults, runCompensation, type ClaimsFile } from "../../tasks/incident/compensation-core.js";
import { claimDefaults, runClaim } from "../../tasks/incident/compensation-claim.js";
import type { Analysis } from "../../tasks/incident/forensics/types.js";
import { REPORT_SECTIONS } from "../../tasks/incident/forensics/report.js";
import { startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";
import { playPlan } from "./rescue-helpers.js";
import type { TaskEnv } from "../tasks/helpers.js";

const E18 = 10n ** 18n;
const ERC20 = [
  "function balanceOf(address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
  "function transferFrom(address,address,uint256) returns (bool)",
  "function transfer(address,uint256) returns (bool)",
  "function mint(address,uint256)",
];
// Hardhat's default accounts: #0 deployer, #1-#3 guardians, #4 sentinel, #5 treasury (1M tUSD).
const VICTIM_INDEXES = [6, 7, 8] as const;
const TREASURY = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

describe("incident analyze → report → compensation on a fork of a live chain (spawned hardhat node)", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "bw-incident-fork-"));
  const deployments = join(dir, "deployments");
  const out: string[] = [];
  let prevSink: ReturnType<typeof setOutput> | undefined;
  let node: HardhatNode;
  let nodeChain: OperatorChain;
  let book: any;
  let asset: string;
  let victims: string[];
  let attacker: string;
  const staged: Record<string, bigint> = {};
  let from = 0;
  let to = 0;

  const args = <T extends object>(extra: T) => ({ ...commonDefaults, deployments, ...extra });

  before(async function () {
    prevSink = setOutput((t) => out.push(t));
    node = await startHardhatNode();
    const conn = await hre.network.create({ network: "localhost", override: { url: node.url } as never });
    nodeChain = await fromConnection(conn as never);
    expect(nodeChain.networkName).to.equal("localhost");
    // ---- the suite and the example vault, deployed into the node by the deploy task
    const dep = await runDeploy(args({ params: join(process.cwd(), "deployments/params/local.json"), withExampleVault: true, force: false }), nodeChain);
    book = dep.book;
    asset = book.contracts.asset;
    expect(existsSync(join(deployments, "localhost.json")), "the deploy task wrote the address book").to.equal(true);
    expect(await node.provider.getCode(book.contracts.merkleClaims)).to.not.equal("0x");

    // ---- the incident on the "live" chain: phished approvals, then drains over several blocks
    const signers = await nodeChain.ethers.getSigners();
    const deployer = signers[0]!;
    victims = VICTIM_INDEXES.map((i) => signers[i]!.address);
    const att = Wallet.createRandom().connect(nodeChain.ethers.provider);
    attacker = att.address;
    const token = new Contract(asset, ERC20, deployer);
    const amounts = [400n * E18, 125n * E18, 3n * E18 + 7n];
    for (let i = 0; i < victims.length; i++) {
      await (await (token.getFunction("mint"))(victims[i]!, 1_000n * E18)).wait();
      await (await (token.connect(signers[VICTIM_INDEXES[i]!]!) as Contract).getFunction("approve")(attacker, 2n ** 256n - 1n)).wait();
    }
    from = (await node.blockNumber()) + 1;
    await (await deployer.sendTransaction({ to: attacker, value: E18 })).wait();
    const tokenAsAttacker = token.connect(att) as Contract;
    // Victim #0 drained in two blocks, the others in one each, a block mined in between.
    const drains: [number, bigint][] = [[0, 300n * E18], [1, amounts[1]!], [0, 100n * E18], [2, amounts[2]!]];
    for (const [v, amount] of drains) {
      await (await tokenAsAttacker.getFunction("transferFrom")(victims[v]!, attacker, amount)).wait();
      await node.mine(1);
    }
    to = await node.blockNumber();
    victims.forEach((v, i) => (staged[v] = amounts[i]!));
    for (const v of victims) expect(await token.getFunction("balanceOf")(v)).to.equal(1_000n * E18 - staged[v]!);
  });

  after(async function () {
    if (prevSink) setOutput(prevSink);
    await node?.stop();
  });

  it("analyze on the fork finds each victim's loss; report; compensation simulated on a fork pays each victim exactly; the node is untouched", async function () {
    const token = new Contract(asset, ERC20, node.provider);
    const nodeHead = await node.blockNumber();
    const watched = [...victims, attacker, TREASURY, book.contracts.merkleClaims as string];
    const balancesOf = async (p: typeof node.provider) => Promise.all(watched.map(async (a) => [await token.connect(p).getFunction("balanceOf")(a), await p.getBalance(a)]));
    const nodeBalances = await balancesOf(node.provider);
    const nodeRounds = await new Contract(book.contracts.merkleClaims, ["function roundCount() view returns (uint256)"], node.provider).getFunction("roundCount")();

    // ---- a fork of the node, in process, served over HTTP
    const server = await hre.network.createServer({ network: "default", override: { forking: { enabled: true, url: node.url } } as never }, "127.0.0.1", 0);
    const { port } = await server.listen();
    const forkUrl = `http://127.0.0.1:${port}`;
    try {
      // ---- incident analyze against the fork's RPC
      const analysisFile = join(dir, "analysis.json");
      await analyzeAction({ rpcUrl: forkUrl, fromBlock: from, toBlock: to, suspects: attacker, victims: victims.join(","), out: analysisFile, noTrace: true }, hre);
      const analysis = JSON.parse(readFileSync(analysisFile, "utf8")) as Analysis;
      expect(analysis.chain.chainId).to.equal(31337);
      const perVictim = analysis.loss.perAccount.filter((p) => p.role === "victim");
      expect(perVictim.map((p) => p.account).sort()).to.deep.equal([...victims].sort());
      for (const p of perVictim) expect(p.byAsset, p.account).to.deep.equal({ [asset]: String(staged[p.account]) });
      const total = Object.values(staged).reduce((s, x) => s + x, 0n);
      expect(analysis.loss.byAsset[asset]).to.equal(String(total));
      expect(analysis.loss.perAttacker.find((p) => p.account === attacker)!.byAsset[asset]).to.equal(String(total));
      const drains = analysis.attackerTxs.filter((t) => t.call?.signature === "transferFrom(address,address,uint256)");
      expect(drains).to.have.length(4);
      expect(new Set(drains.map((t) => t.blockNumber)).size, "drained over several blocks").to.equal(4);

      // ---- incident report from that analysis
      const { markdown, path } = reportAction({ analysis: analysisFile });
      expect(existsSync(path)).to.equal(true);
      // Every SEAL section, in order, and the legal-notice appendix.
      const at = REPORT_SECTIONS.map((h) => markdown.split("\n").indexOf(h));
      expect(at.every((i) => i >= 0), `sections: ${at.join(",")}`).to.equal(true);
      expect([...at].sort((x, y) => x - y)).to.deep.equal(at);
      for (const v of victims) expect(markdown.toLowerCase()).to.include(v.toLowerCase());
      expect(markdown.toLowerCase()).to.include(attacker.toLowerCase());

      // ---- incident compensation from the analysis, simulated on an in-process fork of the node
      const compOut = join(dir, "compensation");
      const res = await runCompensation(
        args({ ...compensationDefaults, analysis: analysisFile, out: compOut, treasury: TREASURY, claimPeriod: "2d", forkUrl: node.url, simulate: true }) as never,
        nodeChain,
        hre,
      );
      expect(res.simulated, out.slice(-10).join("\n")).to.equal(true);
      expect(res.plan.steps.map((s) => s.kindName)).to.deep.equal(["SetCallAllowed", "Fund", "Call"]);
      for (const s of res.plan.steps) expect(s.simulated?.ok, `${s.kindName}: ${s.simulated?.detail}`).to.equal(true);
      expect(res.plan.steps.at(-1)!.simulated!.detail).to.match(/3 of 3 claim\(s\) simulated, all paid/);
      const claims: ClaimsFile = JSON.parse(readFileSync(join(compOut, "claims.json"), "utf8"));
      expect(Object.keys(claims.claims).sort()).to.deep.equal([...victims].sort());
      for (const v of victims) {
        expect(claims.claims[v]!.tokens).to.deep.equal([asset]);
        expect(claims.claims[v]!.amounts).to.deep.equal([String(staged[v])]);
      }

      // ---- play the proposal on our fork through the real guardian tasks; every victim claims
      const forkConn: any = await hre.network.create({ network: "localhost", override: { url: forkUrl } as never });
      const forkChain = await fromConnection(forkConn);
      const env: TaskEnv = { conn: forkConn, chain: forkChain, dir: deployments, out, args: args as never, text: () => out.join("\n") };
      await playPlan(env, join(compOut, "proposal"));
      const mc = new Contract(book.contracts.merkleClaims, ["function roundCount() view returns (uint256)"], forkChain.ethers.provider);
      expect(await mc.getFunction("roundCount")()).to.equal(nodeRounds + 1n);
      const forkToken = token.connect(forkChain.ethers.provider) as Contract;
      for (let i = 0; i < victims.length; i++) {
        const v = victims[i]!;
        const before = (await forkToken.getFunction("balanceOf")(v)) as bigint;
        const r = await runClaim(args({ ...claimDefaults, claims: join(compOut, "proofs", `${v}.json`), account: v, from: String(VICTIM_INDEXES[i]) }) as never, forkChain);
        expect(r.mode).to.equal("claim");
        expect((await forkToken.getFunction("balanceOf")(v)) - before, v).to.equal(staged[v]);
        expect(await forkToken.getFunction("balanceOf")(v)).to.equal(1_000n * E18); // made whole
      }
      await forkConn.close();
    } finally {
      await server.close();
    }

    // ---- the node is untouched by all the fork work
    expect(await node.blockNumber()).to.equal(nodeHead);
    expect(await balancesOf(node.provider)).to.deep.equal(nodeBalances);
    expect(await new Contract(book.contracts.merkleClaims, ["function roundCount() view returns (uint256)"], node.provider).getFunction("roundCount")()).to.equal(nodeRounds);
  });
});
