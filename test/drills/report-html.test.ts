// The drill's HTML report, rendered by headless Chromium (DevTools protocol): it loads without
// console errors, exceptions or external requests, and its SVG timeline carries one mark per
// attack transaction, one detection mark and one containment mark. Runs ONE scenario
// (multi-tx-drain-copycats) on the embedded chain; the whole library runs in `npm run drill`.
// Skipped (with a message) when no Chromium is installed; CI installs the `chromium` package.
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import hre from "hardhat";
import { loadScenarios, runScenario } from "../../tasks/drills/runner.js";
import { writeReports } from "../../tasks/drills/report.js";
import type { DrillScore } from "../../tasks/drills/types.js";
import { findChromium, openPage } from "./helpers/chromium.js";

describe("drill HTML report in headless Chromium", function () {
  this.timeout(180_000);
  const chromium = findChromium();
  const dir = mkdtempSync(join(tmpdir(), "drill-report-"));
  let score: DrillScore;
  let html: string;

  before(async function () {
    if (!chromium) {
      console.log("    (skipped: no chromium on PATH — install the Debian package `chromium`; CI does)");
      this.skip();
    }
    const scenario = (await loadScenarios()).find((s) => s.id === "multi-tx-drain-copycats");
    expect(scenario, "scenario multi-tx-drain-copycats").to.not.equal(undefined);
    score = await runScenario(hre, scenario!, { intervalMs: 500 });
    html = writeReports(score, dir).html;
  });

  it("scored the drill and wrote a self-contained report", function () {
    expect(score.expectationsMet, score.unmet.join("; ")).to.equal(true);
    const text = readFileSync(html, "utf8");
    expect(text).to.not.match(/<script|<link|src=|@import|url\(/i);
    const json = JSON.parse(readFileSync(join(dir, "multi-tx-drain-copycats.json"), "utf8")) as Record<string, unknown>;
    for (const k of ["scenario", "expectationsMet", "firstMaliciousBlock", "detectedBlock", "containedBlock", "fundsAtRisk", "fundsLost", "savedPct", "falseAlarms"]) {
      expect(json, k).to.have.property(k);
    }
  });

  it("renders without console errors and with the expected timeline marks", async function () {
    const page = await openPage(chromium!, pathToFileURL(html).href);
    try {
      const counts = await page.evaluate<Record<string, number | string | null>>(`(() => ({
        svg: document.querySelectorAll("svg#drill-chart").length,
        attack: document.querySelectorAll("#drill-chart .mark-attack").length,
        detection: document.querySelectorAll("#drill-chart #mark-detection.mark-detection").length,
        containment: document.querySelectorAll("#drill-chart #mark-containment.mark-containment").length,
        fundsLine: document.getElementById("funds-line")?.getAttribute("d") ?? null,
        xLabel: document.querySelector("#x-axis .axis-label")?.textContent ?? null,
        yLabel: document.querySelector("#y-axis .axis-label")?.textContent ?? null,
        legend: document.querySelectorAll("#legend text").length,
        detectionBlock: document.getElementById("mark-detection")?.getAttribute("data-block") ?? null,
        containmentBlock: document.getElementById("mark-containment")?.getAttribute("data-block") ?? null,
        chartWidth: document.getElementById("drill-chart")?.getBoundingClientRect().width ?? 0,
        result: document.getElementById("result")?.textContent ?? null,
      }))()`);
      const errors = page.problems.console.filter((c) => c.type === "error" || c.type === "assert");
      expect(errors, JSON.stringify(errors)).to.deep.equal([]);
      expect(page.problems.exceptions).to.deep.equal([]);
      expect(page.problems.failedRequests).to.deep.equal([]);
      const malicious = score.transactions.filter((t) => t.kind === "malicious").length;
      expect(malicious).to.be.greaterThan(1);
      expect(counts.svg).to.equal(1);
      expect(counts.attack).to.equal(malicious);
      expect(counts.detection).to.equal(1);
      expect(counts.containment).to.equal(1);
      expect(counts.detectionBlock).to.equal(String(score.detectedBlock));
      expect(counts.containmentBlock).to.equal(String(score.containedBlock));
      expect(String(counts.fundsLine)).to.match(/^M [\d.]+ [\d.]+ H/);
      expect(counts.xLabel).to.equal("block");
      expect(String(counts.yLabel)).to.contain("protected funds");
      expect(counts.legend).to.equal(4);
      expect(Number(counts.chartWidth)).to.be.greaterThan(100);
      expect(counts.result).to.equal("PASS");
    } finally {
      await page.close();
    }
  });

  it("the Chromium check does see console errors (sanity of the harness)", async function () {
    const bad = join(dir, "broken.html");
    writeFileSync(bad, `<!doctype html><html><body><script>console.error("drill-boom"); undefinedFn();</script></body></html>`);
    const page = await openPage(chromium!, pathToFileURL(bad).href);
    try {
      expect(page.problems.console.some((c) => c.type === "error" && c.text.includes("drill-boom"))).to.equal(true);
      expect(page.problems.exceptions.length).to.equal(1);
    } finally {
      await page.close();
    }
  });
});
