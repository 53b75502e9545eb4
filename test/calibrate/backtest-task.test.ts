// `npx hardhat breakwater keeper backtest --fork-url <node>`: the task as the plugin registers it
// (calibrateTasks under the `breakwater` namespace, in a Hardhat runtime of its own), reading a
// FORK of a spawned `hardhat node` that holds the staged history (test/keeper/helpers/history.ts):
// the simulated network forks the node and is served on a local port; the blocks of the range are
// the node's (below the fork point), so the fork answers them from the node. The same engine as
// the CLI finds the drain; the HTML report is then checked in headless Chromium: it loads with no
// console error, exception or external request, and each swept rule's SVG chart marks its grid
// points, its Pareto front and the config's own setting.
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { emptyTask } from "hardhat/config";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import { startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";
import { stageHistory, exampleConfigFile, type StagedHistory } from "../keeper/helpers/history.js";
import { findChromium, openPage } from "../drills/helpers/chromium.js";
import { BACKTEST_TASK, calibrateTasks } from "../../tasks/calibrate/index.js";
import type { BacktestReport } from "../../keeper/backtest/index.js";

describe("breakwater keeper backtest (task) on a fork of a hardhat node", function () {
  let EXAMPLE: string;
  this.timeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), "calibrate-"));
  let node: HardhatNode;
  let h: StagedHistory;
  let report: BacktestReport;

  before(async function () {
    node = await startHardhatNode();
    // The example config, reading its contracts from the staged example's address book.
    EXAMPLE = await exampleConfigFile(dir);
    h = await stageHistory(node, { benignBlocks: 120, afterBlocks: 10 });
    writeFileSync(join(dir, "labels.json"), JSON.stringify(h.labels));
    const hre = await createHardhatRuntimeEnvironment({
      tasks: [emptyTask("breakwater", "Breakwater").build(), ...calibrateTasks],
      // Forking a chain Hardhat does not know needs its hardfork history (TOOLCHAIN.md).
      chainDescriptors: { 31337: { name: "local-node", hardforkHistory: { prague: { blockNumber: 0 } } } },
    });
    const quiet = console.log;
    console.log = () => undefined;
    try {
      report = (await hre.tasks.getTask([...BACKTEST_TASK]).run({
        keeperConfig: EXAMPLE,
        fromBlock: h.from,
        toBlock: h.to,
        forkUrl: node.url,
        labels: join(dir, "labels.json"),
        sweep: "default",
        out: join(dir, "report"),
      })) as BacktestReport;
    } finally {
      console.log = quiet;
    }
  });
  after(async function () {
    await node?.stop();
  });

  it("reads the node's history through the fork and finds the drain at its first transaction", function () {
    expect(report.run.blocks).to.equal(h.to - h.from + 1);
    expect(report.run.rpc.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(report.run.rpc.url).to.not.equal(node.url.replace(/\/$/, ""));
    for (const r of report.run.rules) expect(r.errors.count, `${r.ruleId}: ${r.errors.messages.join("; ")}`).to.equal(0);
    const [attack] = report.evaluation!.attacks;
    expect(attack).to.include({ first: h.drain[0]!.block, delay: 0, caughtAtFirstTx: true });
    expect(attack!.caughtFirstBy).to.include("share-price-drop");
    expect(report.evaluation!.wouldActOnBenign).to.equal(0);
  });

  it("with --network <an http network> it reads that network's URL, and bad task inputs are named", async function () {
    const hre = await createHardhatRuntimeEnvironment(
      { tasks: [emptyTask("breakwater", "Breakwater").build(), ...calibrateTasks], networks: { staged: { type: "http", url: node.url } } },
      { network: "staged" },
    );
    const task = hre.tasks.getTask([...BACKTEST_TASK]);
    const quiet = console.log;
    console.log = () => undefined;
    let r: BacktestReport;
    try {
      r = (await task.run({ keeperConfig: EXAMPLE, fromBlock: h.from, toBlock: h.from + 9, out: join(dir, "http") })) as BacktestReport;
    } finally {
      console.log = quiet;
    }
    expect(r.run.rpc.url).to.equal(node.url);
    expect(r.run.blocks).to.equal(10);
    await task.run({ fromBlock: 1 }).then(
      () => expect.fail("ran without a config"),
      (e: Error) => expect(e.message).to.contain("missing --keeper-config"),
    );
    await task.run({ keeperConfig: EXAMPLE }).then(
      () => expect.fail("ran without --from-block"),
      (e: Error) => expect(e.message).to.contain("missing --from-block"),
    );
  });

  it("the HTML report renders in headless Chromium with the sweep charts marked", async function () {
    const chromium = findChromium();
    if (!chromium) {
      console.log("    (skipped: no chromium on PATH — install the Debian package `chromium`; CI does)");
      this.skip();
    }
    const html = join(dir, "report", "report.html");
    expect(readFileSync(html, "utf8")).to.not.match(/<script|<link|src=|@import|url\(/i);
    const page = await openPage(chromium!, pathToFileURL(html).href);
    try {
      const charts = await page.evaluate<{ rule: string; points: number; front: number; current: number; xLabel: string; yLabel: string; width: number }[]>(`
        [...document.querySelectorAll("svg.sweep-chart")].map((svg) => ({
          rule: svg.getAttribute("data-rule"),
          points: svg.querySelectorAll("circle.point:not(.legend circle)").length,
          front: svg.querySelectorAll("circle.point.front:not(.legend circle)").length,
          current: svg.querySelectorAll("circle.point.current:not(.legend circle)").length,
          xLabel: svg.querySelector(".x-axis .axis-label")?.textContent ?? "",
          yLabel: svg.querySelector(".y-axis .axis-label")?.textContent ?? "",
          width: svg.getBoundingClientRect().width,
        }))`);
      const tables = await page.evaluate<{ rules: number; attacks: string; guidance: number }>(`({
        rules: document.querySelectorAll("#rules tbody tr").length,
        attacks: document.querySelector("#attacks tbody tr td:nth-child(3)")?.textContent ?? "",
        guidance: document.querySelectorAll("#guidance li[data-verdict]").length,
      })`);
      const errors = page.problems.console.filter((c) => c.type === "error" || c.type === "assert");
      expect(errors, JSON.stringify(errors)).to.deep.equal([]);
      expect(page.problems.exceptions).to.deep.equal([]);
      expect(page.problems.failedRequests).to.deep.equal([]);
      const swept = report.sweep!.rules;
      expect(charts.map((c) => c.rule)).to.deep.equal(swept.map((s) => s.ruleId));
      for (const c of charts) {
        const s = swept.find((x) => x.ruleId === c.rule)!;
        expect(c.points, c.rule).to.equal(s.points.length);
        expect(c.front, c.rule).to.equal(s.points.filter((p) => p.front).length).and.be.greaterThan(0);
        expect(c.current, c.rule).to.equal(1);
        expect(c.xLabel).to.equal("false alarms per 10,000 benign blocks");
        expect(c.yLabel).to.equal("detection delay (blocks)");
        expect(c.width).to.be.greaterThan(100);
      }
      expect(tables.rules).to.equal(report.run.rules.length);
      expect(tables.attacks).to.contain("share-price-drop");
      expect(tables.guidance).to.equal(report.run.rules.length);
    } finally {
      await page.close();
    }
  });
});
