import { expect } from "chai";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Interface } from "ethers";
import { createDetectors, parseRules } from "../../keeper/detectors/index.js";
import { importDefenderMonitor, importMonitorFiles, importMonitors, importOzMonitor, parseExpression } from "../../keeper/migrate/index.js";
import { alertsSchema } from "../../keeper/responders/schema.js";
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
    expect(m!.events[1].where).to.deep.equal({ arg: "assets", op: "gt", value: "5" }); // "memo contains": no such argument, dropped
    expect(m!.functions.map((f) => f.signature)).to.deep.equal(["unpause(bytes32 scope, uint64 duration)", "setOwner(address)"]);
    expect(m!.functions[1].where).to.deep.equal({ arg: "$0", op: "neq", value: "0x0000000000000000000000000000000000000000" });
    expect(m!.transactions).to.deep.equal([{ status: "success", where: { all: [{ arg: "value", op: "gt", value: "0" }, { arg: "gasPrice", op: "gt", value: "100000000000" }] } }]);
    const dropped = report.dropped.join("\n");
    expect(dropped).to.match(/memo contains 'exploit'/);
    expect(dropped).to.not.match(/gas_price/);
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
    expect(m!.transactions).to.deep.equal([{ status: "success", where: { all: [{ arg: "gasPrice", op: "gt", value: "50000000000" }, { arg: "value", op: "eq", value: "0" }] } }]);
    expect(reports[0].dropped.join("\n")).to.not.match(/gasPrice/);
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

describe("keeper/migrate: the services' own payloads (OZ Monitor examples, Defender SDK)", () => {
  const oz = (f: string) => load(`oz-monitor/${f}`);

  it("Defender SDK's own payload (addresses ['0xdead']): refused, not turned into 'every contract'", () => {
    const { rules, report } = importDefenderMonitor(load("defender-sdk-create-block-payload.json"));
    expect(rules).to.deep.equal([]);
    expect(report.dropped.join("\n")).to.include('"0xdead" is not an address').and.include("every address was dropped: no rule");
  });

  it("Defender '=' comparisons, OZ contains / starts_with / ends_with, and the gas / index transaction fields", () => {
    const f = (n: string) => (["value", "name", "$0"].includes(n) ? n : { error: `unknown ${n}` });
    expect(parseExpression("value = 1", f).condition).to.deep.equal({ arg: "value", op: "eq", value: "1" });
    expect(parseExpression("name contains 'USD' AND name starts_with 'a' AND name ends_with 'z'", f)).to.deep.equal({
      condition: { all: [{ arg: "name", op: "contains", value: "USD" }, { arg: "name", op: "starts_with", value: "a" }, { arg: "name", op: "ends_with", value: "z" }] },
      dropped: [],
    });
    const { rules, report } = importOzMonitor({
      name: "gas watch",
      networks: ["ethereum_mainnet"],
      addresses: [{ address: USDC }],
      match_conditions: { transactions: [{ status: "Success", expression: "gas_price > 100 AND max_fee_per_gas >= 5 AND gas_limit > 21000 AND gas_used < 1000000 AND transaction_index == 0 AND input starts_with '0xa9059cbb'" }] },
    });
    expect(report.dropped).to.deep.equal([]);
    const [rule] = parseRules(rules);
    const [d] = createDetectors([rule!]);
    const hit = tx({ to: USDC, input: "0xa9059cbb00", gasPrice: 200n, maxFeePerGas: 9n, gasLimit: 50_000n, gasUsed: 40_000n, index: 0 });
    const miss = tx({ to: USDC, input: "0xa9059cbb00", gasPrice: 50n, maxFeePerGas: 9n, gasLimit: 50_000n, gasUsed: 40_000n, index: 0 });
    return d!.evaluate(new FakeChain().ctx(block(1, [hit, miss], []))).then((fs) => expect(fs.map((x) => x.txHash)).to.deep.equal([hit.hash]));
  });

  it("OZ Monitor trigger files become alerts.channels (secrets never copied), network files become chain; no monitor is misread", () => {
    const slack = importMonitors(oz("triggers-slack_notifications.json"));
    expect(slack.rules).to.deep.equal([]);
    expect(slack.channels.map((c) => c.type)).to.include("slack");
    expect(JSON.stringify(slack.channels)).to.not.include("hooks.slack.com");
    const all = ["slack", "discord", "telegram", "webhook", "email"].flatMap((t) => importMonitors(oz(`triggers-${t}_notifications.json`)).channels);
    expect(new Set(all.map((c) => c.type))).to.deep.equal(new Set(["slack", "discord", "telegram", "webhook"]));
    const names = new Set<string>();
    const unique = all.filter((c) => !names.has(c.name) && names.add(c.name));
    const parsed = alertsSchema.parse({ channels: unique });
    expect(parsed.channels.find((c) => c.type === "webhook")).to.include({ signature: "oz-monitor" });
    const tg = all.find((c) => c.type === "telegram") as { chatId: string };
    expect(tg.chatId).to.equal("9876543210");
    const email = importMonitors(oz("triggers-email_notifications.json"));
    expect(email.reports[0]!.dropped.join("\n")).to.include('trigger type "email"');

    const eth = importMonitors(oz("networks-ethereum_mainnet.json"));
    expect(eth.rules).to.deep.equal([]);
    expect(eth.chain).to.deep.include({ chainId: 1, rpcUrls: ["https://eth.drpc.org"], confirmations: 12 });
    const stellar = importMonitors(oz("networks-stellar_mainnet.json"));
    expect(stellar.chain).to.equal(undefined);
    expect(stellar.reports[0]!.dropped.join("\n")).to.include("EVM chains only");

    const usdc = importMonitors(oz("monitors-evm_transfer_usdc.json"));
    expect(usdc.rules).to.have.length(1);
    expect(usdc.reports[0]!.source).to.equal("openzeppelin-monitor");
  });

  it("importMonitorFiles writes <out>.keeper.json with chain and alerts.channels next to the rules", () => {
    const dir = mkdtempSync(join(tmpdir(), "bw-migrate-oz-"));
    const out = join(dir, "rules.json");
    const r = importMonitorFiles(["monitors-evm_transfer_usdc.json", "triggers-slack_notifications.json", "networks-ethereum_mainnet.json"].map((f) => join(fixtures, "oz-monitor", f)), out);
    const keeper = JSON.parse(readFileSync(join(dir, "rules.keeper.json"), "utf8"));
    expect(keeper.chain.chainId).to.equal(1);
    expect(keeper.alerts.channels.length).to.equal(r.channels.length).and.to.be.greaterThan(0);
    expect(r.text).to.include("rules.keeper.json");
  });
});
