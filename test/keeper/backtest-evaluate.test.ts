// The backtest's arithmetic, on hand-made inputs whose answers are known: labels from drill
// reports (the shape tasks/drills/score.ts writes) and from a { block, label } file; precision,
// recall, detection delay and false alarms per 10,000 benign blocks (a run of consecutive flagged
// blocks is one alarm); the verdicts; Pareto layers.
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluate, loadLabels, score, attacksOf, paretoLayers, type BacktestRun, type RuleStats } from "../../keeper/backtest/index.js";

const rule = (id: string, flagged: number[], over: Partial<RuleStats> = {}): RuleStats => ({
  ruleId: id,
  kind: "invariant",
  severity: "P1",
  action: "pause",
  act: true,
  findings: flagged.length,
  blocksFlagged: flagged,
  firstBlock: flagged[0] ?? null,
  lastBlock: flagged.at(-1) ?? null,
  decisions: { pause: 0, propose: 0, contain: 0, alert: 0, suppressed: 0 },
  downgraded: 0,
  errors: { count: 0, blocks: [], firstBlock: null, messages: [] },
  ...over,
});

const run = (rules: RuleStats[], decisions: BacktestRun["decisions"] = []): BacktestRun => ({
  version: 1,
  config: { name: "t", chainId: 1 },
  rpc: { url: "http://x" },
  range: { from: 1, to: 10_000 },
  blocks: 10_000,
  resumed: { fromCheckpoint: 0, fetched: 10_000 },
  durationMs: 1,
  blocksPerSec: 1,
  rpcPerBlock: 1,
  rpcCallsPerBlock: 1,
  rules,
  decisions,
});

describe("backtest evaluation (labels, scores, verdicts, Pareto layers)", function () {
  it("reads labels from a drill-report directory (skipping summary.json) and from a { block, label } file", function () {
    const dir = mkdtempSync(join(tmpdir(), "bt-labels-"));
    writeFileSync(join(dir, "multi-tx-drain.json"), JSON.stringify({ scenario: "multi-tx-drain", transactions: [
      { kind: "benign", blockNumber: 10 },
      { kind: "malicious", blockNumber: 12 },
      { kind: "malicious", blockNumber: 13 },
      { kind: "malicious", blockNumber: null },
    ] }));
    writeFileSync(join(dir, "summary.json"), JSON.stringify({ scenarios: [] }));
    writeFileSync(join(dir, "notes.json"), JSON.stringify({ unrelated: true }));
    expect(loadLabels(dir).map((l) => [l.block, l.label])).to.deep.equal([[12, "multi-tx-drain"], [13, "multi-tx-drain"]]);
    // A drill report of another chain is not scored against this one: it is listed instead.
    writeFileSync(join(dir, "other-chain.json"), JSON.stringify({ scenario: "elsewhere", chainId: 5, transactions: [{ kind: "malicious", blockNumber: 40 }] }));
    const ev = evaluate(run([rule("r", [40])]), loadLabels(dir));
    expect(ev.attacks.map((a) => a.label)).to.deep.equal(["multi-tx-drain"]);
    expect(ev.outsideRange).to.deep.equal(["elsewhere (chain 5, not 1)"]);
    const file = join(dir, "..", `bt-labels-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ labels: [{ block: 500, label: "euler-2023" }, { block: 9, label: "benign" }] }));
    expect(loadLabels(file).map((l) => [l.block, l.label])).to.deep.equal([[500, "euler-2023"]]);
    writeFileSync(file, JSON.stringify([{ block: 5, label: "" }]));
    expect(() => loadLabels(file)).to.throw(/entry \[0\]\.label must be a non-empty string/);
    expect(() => loadLabels(join(dir, "missing.json"))).to.throw(/no such file or directory/);
  });

  it("scores delay, precision, recall and false alarms per 10,000 benign blocks", function () {
    const attacks = attacksOf([{ block: 100, label: "a" }, { block: 102, label: "a" }, { block: 5_000, label: "b" }], 5);
    expect(attacks.map((a) => [a.label, a.first, a.windowEnd])).to.deep.equal([["a", 100, 107], ["b", 5_000, 5_005]]);
    // Flags: 101-103 (one alarm, in a), 300 and 301 (one false alarm), 900 (another), none for b.
    const s = score([101, 102, 103, 300, 301, 900], attacks, { from: 1, to: 10_000 });
    expect(s).to.include({ attacks: 2, detected: 1, meanDelay: 1, maxDelay: 1, flagged: 6, alarms: 3, truePositives: 1, falseAlarms: 2, precision: 0.3333, recall: 0.5 });
    expect(s.delays).to.deep.equal([1, null]);
    expect(s.benignBlocks).to.equal(10_000 - 8 - 6);
    expect(s.falseAlarmsPer10k).to.equal(Math.round((2 / s.benignBlocks) * 10_000 * 100) / 100);
    // An alarm's tail after the attack window is not a false alarm: it started inside it.
    expect(score([104, 105, 106, 107, 108, 109], attacks, { from: 1, to: 10_000 })).to.include({ falseAlarms: 0, truePositives: 1 });
  });

  it("says which rule caught each attack first and which rules can act on their own", function () {
    const r = run(
      [
        rule("invariant", [100]),
        rule("stat", [102, 103, 4_000], { kind: "statistic", action: "alert", act: false }),
        rule("noisy", [7, 100, 2_000, 3_000], { action: "pause", act: true }),
        rule("broken", [], { errors: { count: 3, blocks: [1, 2, 3], firstBlock: 1, messages: ["balanceOf on 0xdead reverted"] } }),
      ],
      [
        { block: 100, ruleId: "invariant", action: "pause", act: true, from: "finding", summary: "" },
        { block: 7, ruleId: "noisy", action: "pause", act: true, from: "finding", summary: "" },
        { block: 2_000, ruleId: "noisy", action: "pause", act: true, suppressed: "dedup", from: "finding", summary: "" },
      ],
    );
    const ev = evaluate(r, [{ block: 100, label: "drain" }, { block: 101, label: "drain" }]);
    expect(ev.attacks[0]).to.include({ label: "drain", delay: 0, caughtAtFirstTx: true });
    expect(ev.attacks[0]!.caughtFirstBy).to.deep.equal(["invariant", "noisy"]);
    expect(ev.attacks[0]!.byRule).to.deep.equal({ invariant: 0, stat: 2, noisy: 0, broken: null });
    expect(ev.wouldActOnBenign).to.equal(1); // the suppressed one would not have been sent
    const v = Object.fromEntries(ev.rules.map((x) => [x.ruleId, x.verdict]));
    expect(v).to.deep.equal({ invariant: "no-false-alarm-yet", stat: "alert-only", noisy: "alert-only", broken: "fix-errors" });
    expect(ev.rules.find((x) => x.ruleId === "noisy")!.guidance).to.match(/It is marked act: it would have paused 1 time\(s\) on benign traffic/);
    // With 30,000+ benign blocks and no false alarm, the invariant has earned the right to act.
    const long = evaluate({ ...r, range: { from: 1, to: 40_000 }, blocks: 40_000 }, [{ block: 100, label: "drain" }]);
    expect(long.rules.find((x) => x.ruleId === "invariant")).to.include({ verdict: "can-act", canActAlone: true });
  });

  it("sorts settings into Pareto layers: fewer missed attacks, less delay, fewer false alarms", function () {
    const mk = (detected: number, meanDelay: number | null, falseAlarms: number) => ({ ...score([], [], { from: 1, to: 1 }), attacks: 1, detected, meanDelay, falseAlarms });
    const layers = paretoLayers([mk(1, 0, 0), mk(1, 2, 0), mk(1, 0, 3), mk(0, null, 0), mk(1, 1, 0), mk(1, 0, 0)]);
    expect(layers).to.deep.equal([1, 3, 2, 4, 2, 1]);
  });
});
