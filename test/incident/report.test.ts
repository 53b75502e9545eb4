// `incident report` at unit level: the SEAL sections in order, the legal-notice appendix with the
// facts (amounts, times, addresses, chain) and no advice, TODO markers where people must write,
// action items derived from what tripped and what did not; bad inputs write nothing.
import { expect } from "chai";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { OperatorError } from "../../tasks/lib/errors.js";
import { buildReport, REPORT_SECTIONS } from "../../tasks/incident/forensics/report.js";
import { ANALYSIS_VERSION, type Analysis } from "../../tasks/incident/forensics/types.js";
import { LOSS_DEFINITION } from "../../tasks/incident/forensics/analyze.js";
import { reportAction, reportActionWithPlan } from "../../tasks/incident/report.js";

const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const VAULT = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const ATT = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

function analysis(over: Partial<Analysis> = {}): Analysis {
  return {
    version: ANALYSIS_VERSION,
    generatedAt: "2026-01-02T03:04:05.000Z",
    chain: { chainId: 31337, rpc: "http://127.0.0.1:8545", head: 60 },
    input: { mode: "range", fromBlock: 40, toBlock: 55, suspects: [ATT], contracts: [VAULT], victims: [] },
    range: { fromBlock: 40, toBlock: 55, fromTimestamp: 1_767_323_045, toTimestamp: 1_767_323_060, blocks: 16 },
    assets: { ETH: { address: "ETH", symbol: "ETH", decimals: 18 }, [TOKEN]: { address: TOKEN, symbol: "dUSD", decimals: 18 } },
    labels: {},
    attackers: [{ account: ATT, reason: "--suspects", isContract: false }],
    protectedContracts: [VAULT],
    attackerTxs: [
      {
        hash: "0x" + "ab".repeat(32), blockNumber: 48, timestamp: 1_767_323_053, index: 0, from: ATT, to: VAULT, value: "0", status: "success", gasUsed: "90000",
        call: { selector: "0x2e1a7d4d", signature: "withdraw(uint256)", source: "RoundingVault", args: { assets: "1" } },
        events: [{ address: VAULT, logIndex: 0, topic0: "0x1", signature: "Drained(uint256,uint256,uint256)", args: {} }],
        transfers: [{ asset: TOKEN, from: VAULT, to: ATT, amount: (20_000n * 10n ** 18n).toString(), txHash: "0x" + "ab".repeat(32), via: "log" }],
      },
      { hash: "0x" + "cd".repeat(32), blockNumber: 50, timestamp: 1_767_323_055, index: 0, from: ATT, to: VAULT, value: "0", status: "reverted", gasUsed: "30000", call: { selector: "0x12345678", raw: "0x12345678" }, events: [], transfers: [] },
    ],
    firstAttackBlock: 48,
    lastAttackBlock: 50,
    flows: [],
    ethPerBlock: [],
    loss: {
      byAsset: { [TOKEN]: (20_000n * 10n ** 18n).toString() }, shareClaims: [], owed: [],
      total: (20_000n * 10n ** 18n).toString(), totalSigned: (20_000n * 10n ** 18n).toString(), totalUnit: TOKEN,
      perAccount: [{ account: VAULT, role: "protected", byAsset: { [TOKEN]: (20_000n * 10n ** 18n).toString() }, value: (20_000n * 10n ** 18n).toString() }],
      perAttacker: [{ account: ATT, byAsset: { [TOKEN]: (20_000n * 10n ** 18n).toString() } }],
    },
    funding: [{ account: ATT, ethBefore: "0", note: "[transfer] 1 wei from EOA 0x70997970C51812dc3A010C7d01b50e0d17dc79C8", excluded: [], sources: [{ kind: "native", asset: "ETH", label: "transfer", from: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", amount: "1", txHash: "0x" + "ee".repeat(32), blockNumber: 41, text: "1 wei from EOA 0x70997970C51812dc3A010C7d01b50e0d17dc79C8", verified: true }] }],
    response: {
      events: [{ at: 1_767_323_053_200, block: 48, source: "keeper", kind: "detection", message: "unproven message" }],
      detectedBlock: 48, detectedAt: 1_767_323_053_200, containedBlock: 49, containedAt: 1_767_323_054_000, timeToDetectMs: 200, timeToContainMs: 1000,
      pauses: [{ block: 49, contract: VAULT, scope: "0x" + "00".repeat(32), by: ATT, txHash: "0x" + "ff".repeat(32) }],
      rulesFired: ["unproven-message-processed (P1, block 48, contained)"],
    },
    notes: [],
    lossDefinition: LOSS_DEFINITION,
    ...over,
  };
}

async function expectRejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(OperatorError);
    expect((err as Error).message).to.match(re);
    return;
  }
  throw new Error(`expected a rejection matching ${re}`);
}

describe("incident report (post-mortem draft)", function () {
  const dir = mkdtempSync(join(tmpdir(), "forensics-report-"));

  it("has every SEAL section in order and the legal-notice appendix with the facts", function () {
    const md = buildReport({ analysis: analysis(), title: "Example exploit" });
    let at = -1;
    for (const s of REPORT_SECTIONS) {
      const i = md.indexOf(s);
      expect(i, s).to.be.greaterThan(at);
      at = i;
    }
    expect(md).to.include("# Post-mortem (draft): Example exploit");
    expect(md).to.include("20,000 dUSD");
    expect(md).to.include("| Chain (chain id) | 31337 |");
    expect(md).to.include(`| Attacker addresses | ${ATT} |`);
    expect(md).to.include(new Date(1_767_323_053_000).toISOString().replace(".000Z", "Z")); // first attacker tx (block timestamp, UTC)
    expect(md).to.include("not legal advice");
    expect(md).to.include("200 ms between the two blocks' timestamps (chain clock)");
    expect(md).to.include("(keeper clock)");
    expect(md).to.include("unknown selector 0x12345678");
    expect(md).to.match(/Outflow limit for dUSD: 20,000 dUSD/);
    expect(md.match(/\*\*TODO\*\*/g)!.length).to.be.greaterThan(5);
  });

  it("suggests a rule when detection was late or missing, and notes a scope that let txs through", function () {
    const late = analysis();
    late.response = { ...late.response, detectedBlock: null, detectedAt: null, timeToDetectMs: null, rulesFired: [] };
    late.attackerTxs[1] = { ...late.attackerTxs[1]!, status: "success" };
    const md = buildReport({ analysis: late });
    expect(md).to.include("The keeper did not detect the attack.");
    // No candidate rule was checked against benign traffic: none is suggested, the report says why.
    expect(md).to.include("Add detection that tells the attack from honest traffic: candidate rules were not checked against benign traffic");
    expect(md).to.not.include("Add a keeper rule:");
    expect(md).to.include("Widen the pause scope");
  });

  it("went well / went wrong follows the targets: next-block containment is well by default, wrong against a same-block target", function () {
    const md = buildReport({ analysis: analysis() });
    const well = md.slice(md.indexOf("## 6. What went well"), md.indexOf("## 7. What went wrong"));
    const wrong = md.slice(md.indexOf("## 7. What went wrong"), md.indexOf("## 8. Action items"));
    expect(well).to.include("Detection came in the block of the first harmful transaction").and.to.include("Containment landed 1 block(s)");
    expect(wrong).to.not.match(/Detection came|Containment took/);
    const strict = buildReport({ analysis: analysis(), targets: { detectWithinBlocks: 0, containWithinBlocks: 0, source: "a same-block plan" } });
    expect(strict).to.include("Targets: a same-block plan.");
    expect(strict.slice(strict.indexOf("## 7. What went wrong"))).to.include("Containment took 1 block(s)");
  });

  it("--plan: the incident severity's containWithin is the target", async function () {
    const file = join(dir, "plan-a.json");
    writeFileSync(file, JSON.stringify(analysis()));
    const { markdown } = await reportActionWithPlan({ analysis: file, plan: resolve("plan/examples/example-vault.plan.ts"), out: join(dir, "plan-a.md") });
    expect(markdown).to.match(/Targets: the plan's P1 target \(contain within 15m\)/);
    expect(markdown).to.include("Containment landed 1 block(s) after the first harmful transaction (target: within 1 and 900 s)");
    await expectRejects(reportActionWithPlan({ analysis: file, plan: join(dir, "no-plan.ts"), out: join(dir, "never2.md") }), /--plan .*no-plan\.ts: no such file/);
    expect(existsSync(join(dir, "never2.md"))).to.equal(false);
  });

  it("writes the draft from the analysis JSON; bad inputs name the option and write nothing", function () {
    const file = join(dir, "a.json");
    writeFileSync(file, JSON.stringify(analysis()));
    const { path } = reportAction({ analysis: file });
    expect(path).to.equal(join(dir, "a.postmortem.md"));
    expect(existsSync(path)).to.equal(true);
    const out = join(dir, "never.md");
    const bad = (args: Record<string, string>, re: RegExp) => {
      expect(() => reportAction({ ...args, out })).to.throw(OperatorError, re);
      expect(existsSync(out)).to.equal(false);
    };
    bad({}, /--analysis is required/);
    bad({ analysis: join(dir, "missing.json") }, /--analysis .*missing\.json: no such file/);
    writeFileSync(join(dir, "junk.json"), "{ not json");
    bad({ analysis: join(dir, "junk.json") }, /--analysis .* is not valid JSON/);
    writeFileSync(join(dir, "other.json"), JSON.stringify({ hello: 1 }));
    bad({ analysis: join(dir, "other.json") }, /is not an analysis of `incident analyze`/);
    bad({ analysis: file, score: join(dir, "other.json") }, /--score .* is not a drill score/);
  });
});
