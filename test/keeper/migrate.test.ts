import { expect } from "chai";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Interface } from "ethers";
import { createDetectors, parseRules } from "../../keeper/detectors/index.js";
import { importDefenderMonitor, importMonitorFiles, importMonitors, importOzMonitor, parseExpression } from "../../keeper/migrate/index.js";
import { block, coder, FakeChain, hash, log, topicAddr, transfer, tx, TRANSFER } from "./detectors-helpers.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const load = (f: string) => JSON.parse(readFileSync(join(fixtures, f), "utf8"));
const USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";

describe("keeper/migrate: expressions", () => {
  const fields = (n: string) => (["value", "from", "$0"].includes(n) ? n : { error: `unknown field ${n}` });
  it("maps comparisons joined by AND / OR / NOT with parentheses", () => {
    const r = parseExpression("(value > 5 OR from == '0xAb') AND NOT value == 7", fields);
    expect(r.dropped).to.deep.equal([]);
    expect(r.condition).to.deep.equal({
      all: [{ any: [{ arg: "value", op: "gt", value: "5" }, { arg: "from", op: "eq", value: "0xAb" }] }, { not: { arg: "value", op: "eq", value: "7" } }],
    });
  });
  it("drops untranslatable parts so the rule only gets broader, and says so", () => {
    expect(parseExpression("value > 5 AND gas > 1", fields)).to.deep.include({ condition: { arg: "value", op: "gt", value: "5" } });
    const or = parseExpression("value > 5 OR gas > 1", fields);
    expect(or.condition).to.equal(undefined);
    expect(or.dropped.join("\n")).to.match(/unknown field gas[\s\S]*OR with an untranslatable part/);
    const not = parseExpression("NOT gas > 1", fields);
    expect(not.condition).to.equal(undefined);
    expect(parseExpression("value * 2 > 4", fields).dropped[0]).to.match(/not a comparison/);
    expect(parseExpression("value > 'abc'", fields).dropped[0]).to.match(/non-number/);
  });
});

describe("keeper/migrate: OpenZeppelin Monitor", () => {
  it("maps the USDC large-transfer example and reports the script trigger", async () => {
    const { rules, report } = importOzMonitor(load("oz-evm-transfer-usdc.json"));
    expect(rules).to.have.length(1);
    const [rule] = parseRules(rules);
    expect(rule.id).to.equal("oz-large-transfer-of-usdc-token");
    expect(rule.detector).to.deep.include({ kind: "matcher" });
    const m = rule.detector.kind === "matcher" ? rule.detector : undefined;
    expect(m!.events[0].signature).to.equal("Transfer(address indexed from, address indexed to, uint256 value)");
    expect(m!.events[0].where).to.deep.equal({ arg: "value", op: "gt", value: "10000000000" });
    expect(m!.functions[0].signature).to.equal("transfer(address to, uint256 value) returns (bool)");
    expect(m!.transactions).to.deep.equal([{ status: "success" }]);
    expect(report.dropped.join("\n")).to.match(/evm_filter_block_number\.sh/);
    expect(report.notes.join("\n")).to.match(/evm_large_transfer_usdc_slack/);

    // the imported rule runs: a 20,000 USDC transfer matches, a 5 USDC one does not
    const [d] = createDetectors([rule]);
    const h1 = hash("big");
    const h2 = hash("small");
    const iface = new Interface(["function approve(address,uint256)"]);
    const input = iface.encodeFunctionData("approve", [USDC, 1n]); // not transfer(): only the event can match
    const fs = await d.evaluate(
      new FakeChain().ctx(
        block(1, [tx({ hash: h1, to: USDC, input }), tx({ hash: h2, to: USDC, input })], [
          transfer(USDC, "0x" + "1".repeat(40), "0x" + "2".repeat(40), 20_000_000_000n, h1),
          transfer(USDC, "0x" + "1".repeat(40), "0x" + "2".repeat(40), 5_000_000n, h2, 1),
        ]),
      ),
    );
    expect(fs).to.have.length(1);
    expect(fs[0].txHash).to.equal(h1);
  });

  it("maps named and positional arguments, keeps OR groups, reports what it drops", () => {
    const { rules, report } = importOzMonitor(load("oz-vault-withdrawals.json"));
    const [rule] = parseRules(rules);
    const m = rule.detector.kind === "matcher" ? rule.detector : undefined;
    expect(m!.events).to.have.length(2);
    expect(m!.events[0].where).to.deep.equal({
      all: [
        { arg: "assets", op: "gte", value: "1000000000000000000000" },
        { any: [{ arg: "receiver", op: "eq", value: "0x2222222222222222222222222222222222222222" }, { arg: "owner", op: "eq", value: "0x3333333333333333333333333333333333333333" }] },
      ],
    });
    expect(m!.events[1].where).to.deep.equal({ arg: "assets", op: "gt", value: "5" }); // contains dropped
    expect(m!.functions.map((f) => f.signature)).to.deep.equal(["unpause(bytes32 scope, uint64 duration)", "setOwner(address)"]);
    expect(m!.functions[1].where).to.deep.equal({ arg: "$0", op: "neq", value: "0x0000000000000000000000000000000000000000" });
    expect(m!.transactions).to.deep.equal([{ status: "success", where: { arg: "value", op: "gt", value: "0" } }]);
    const dropped = report.dropped.join("\n");
    expect(dropped).to.match(/memo contains 'exploit'/);
    expect(dropped).to.match(/gas_price/);
    expect(report.notes.join("\n")).to.match(/ethereum_mainnet, arbitrum_one/);
    expect(() => createDetectors([rule])).to.not.throw();
  });

  it("does not import non-EVM (Stellar) monitors and says why", () => {
    const { rules, report } = importOzMonitor(load("oz-stellar-swap.json"));
    expect(rules).to.have.length(0);
    expect(report.dropped[0]).to.match(/non-EVM networks only.*stellar_mainnet/);
  });
});

describe("keeper/migrate: Defender", () => {
  it("maps a BLOCK monitor from monitor.list(), drops FORTA, Actions and thresholds with reasons", () => {
    const { rules, reports } = importMonitors(load("defender-monitors.json"));
    expect(rules.map((r) => r.id)).to.deep.equal(["defender-ownership-and-large-transfers", "defender-paused-vault-pause-calls"]);
    const parsed = parseRules(rules);
    const [own, paused] = parsed;
    expect(own.severity).to.equal("P2"); // HIGH
    expect(own.cooldown).to.deep.equal({ seconds: 60 });
    const m = own.detector.kind === "matcher" ? own.detector : undefined;
    expect(m!.events.map((e) => e.signature)).to.deep.equal([
      "OwnershipTransferred(address indexed previousOwner, address indexed newOwner)",
      "Transfer(address indexed from, address indexed to, uint256 value)",
    ]);
    expect(m!.functions[0].where).to.deep.equal({ arg: "newOwner", op: "neq", value: "0x0000000000000000000000000000000000000000" });
    expect(m!.transactions).to.deep.equal([{ status: "success", where: { arg: "value", op: "eq", value: "0" } }]);
    expect(reports[0].dropped.join("\n")).to.match(/gasPrice/);
    expect(reports[0].dropped.join("\n")).to.match(/alert message template/);
    expect(reports[1].dropped[0]).to.match(/FORTA/);
    expect(paused.enabled).to.equal(false);
    expect(paused.severity).to.equal("P4");
    expect(reports[2].dropped.join("\n")).to.match(/actionCondition[\s\S]*actionId/);
    for (const r of parsed) expect(() => createDetectors([r])).to.not.throw();
  });

  it("maps the SDK create-request shape", () => {
    const { rules, report } = importDefenderMonitor(load("defender-create-request.json"));
    const [rule] = parseRules(rules);
    expect(rule.severity).to.equal("P3");
    expect(rule.cooldown).to.deep.equal({ seconds: 300 });
    const m = rule.detector.kind === "matcher" ? rule.detector : undefined;
    expect(m!.events[0].where).to.deep.equal({
      all: [
        { arg: "from", op: "eq", value: "0x0000000000000000000000000000000000000000" },
        { arg: "value", op: "gte", value: "1e24" },
      ],
    });
    expect(m!.transactions).to.deep.equal([{ status: "any", where: { arg: "value", op: "gt", value: "0" } }]);
    expect(report.dropped.join("\n")).to.match(/status == 'success'/);
    expect(report.dropped.join("\n")).to.match(/alertThreshold \(3 matches in 600s\)/);
  });

  it("the imported mint rule fires on a large mint only", async () => {
    const [rule] = parseRules(importDefenderMonitor(load("defender-create-request.json")).rules);
    const [d] = createDetectors([rule]);
    const T = "0x4444444444444444444444444444444444444444";
    const zero = "0x" + "0".repeat(40);
    const h1 = hash("mint-big");
    const h2 = hash("mint-small");
    const fs = await d.evaluate(
      new FakeChain().ctx(
        block(1, [tx({ hash: h1, to: T, value: 1n }), tx({ hash: h2, to: T, value: 1n })], [
          log(T, [TRANSFER, topicAddr(zero), topicAddr("0x" + "5".repeat(40))], coder.encode(["uint256"], [2n * 10n ** 24n]), h1),
          log(T, [TRANSFER, topicAddr(zero), topicAddr("0x" + "5".repeat(40))], coder.encode(["uint256"], [10n ** 18n]), h2, 1),
        ]),
      ),
    );
    expect(fs.map((f) => f.txHash)).to.deep.equal([h1]);
  });
});

describe("keeper/migrate: files", () => {
  it("writes a rules JSON file valid for the keeper config, and a report", () => {
    const dir = mkdtempSync(join(tmpdir(), "bw-migrate-"));
    const out = join(dir, "rules.json");
    const reportPath = join(dir, "report.md");
    const { rules, text } = importMonitorFiles(
      ["oz-evm-transfer-usdc.json", "oz-vault-withdrawals.json", "oz-stellar-swap.json", "defender-monitors.json", "defender-create-request.json"].map((f) => join(fixtures, f)),
      out,
      { reportPath },
    );
    expect(rules).to.have.length(5);
    expect(parseRules(JSON.parse(readFileSync(out, "utf8")))).to.have.length(5);
    const md = readFileSync(reportPath, "utf8");
    expect(md).to.equal(text);
    expect(md).to.match(/NOT mapped:/);
    expect(md).to.match(/Forta attack detector feed/);
  });
});
