// The plan drives the keeper (severity from the runbook, alert routing per severity), the drill
// reports ("Runbook vs what happened"), the communication templates and the suggested plan changes.
import { expect } from "chai";
import { KeeperStore } from "../../keeper/store/store.js";
import { Policy } from "../../keeper/policy/index.js";
import { keeperPlanOf } from "../../keeper/policy/plan.js";
import { AlertDispatcher, routeChannels } from "../../keeper/responders/alerts/index.js";
import { ConfigError, parseConfig } from "../../keeper/config/load.js";
import type { AlertChannel, AlertMessage, Finding } from "../../keeper/types.js";
import exampleKeeper from "../../keeper/examples/example-vault.config.js";

// The example reads deployments/localhost.json (written by `npm run deploy:local`): a book in that format here.
const exampleWithBook = { ...exampleKeeper, contracts: { ...exampleKeeper.contracts, addressBook: "test/keeper/fixtures/address-book.localhost.json" } };
import { loadPlan } from "../../plan/load.js";
import type { IncidentPlan } from "../../plan/schema.js";
import { renderTemplate } from "../../plan/templates.js";
import { suggestFromActionItems, suggestFromDrill } from "../../plan/suggest.js";
import { renderHtml, renderMarkdown } from "../../tasks/drills/report.js";
import type { DrillScore } from "../../tasks/drills/types.js";

const block = { number: 10, hash: "0x" + "ab".repeat(32), parentHash: "0x" + "cd".repeat(32), timestamp: 1_700_000_000 };
const finding = (ruleId: string, severity: Finding["severity"]): Finding => ({ ruleId, detector: "matcher", severity, fingerprint: `${ruleId}:x`, blockNumber: 10, blockHash: block.hash, summary: "seen", details: {} });

class Recorder implements AlertChannel {
  got: AlertMessage[] = [];
  constructor(readonly name: string) {}
  async send(m: AlertMessage): Promise<void> {
    this.got.push(m);
  }
}

const message = (id: string, severity: AlertMessage["severity"]): AlertMessage => ({ id, incidentId: `i-${id}`, severity, title: id, body: id, blockNumber: 1, blockHash: block.hash });

describe("plan: keeper routing, drill reports, templates, suggestions", () => {
  let plan: IncidentPlan;
  before(async () => {
    plan = await loadPlan("plan/examples/example-vault.plan.ts");
  });

  it("the example plan covers every rule of the example keeper config, with its channel names", () => {
    const config = parseConfig({ ...exampleWithBook, plan: "plan/examples/example-vault.plan.ts" });
    const kp = keeperPlanOf(plan, config);
    expect(Object.keys(kp.planSeverities).sort()).to.deep.equal(config.rules.map((r) => r.id).sort());
    expect(kp.routes.P1).to.deep.equal(["ops-webhook", "slack"]);
  });

  it("the policy takes the rule's severity from the plan (plan wins); without a plan, the rule's own", () => {
    const rules = parseConfig({ ...exampleWithBook }).rules;
    const withPlan = new Policy(rules, new KeeperStore(":memory:"), { defaultBreaker: "0x" + "11".repeat(20), named: { vault: "0x" + "22".repeat(20), asset: "0x" + "33".repeat(20) }, planSeverities: { "vault-paused": "P1" } });
    const [d] = withPlan.decide([finding("vault-paused", "P3")], block);
    expect(d!.finding.severity).to.equal("P1");
    expect(d!.finding.details).to.include({ ruleSeverity: "P3", severityFrom: "plan" });
    const without = new Policy(rules, new KeeperStore(":memory:"), { defaultBreaker: "0x" + "11".repeat(20), named: { vault: "0x" + "22".repeat(20), asset: "0x" + "33".repeat(20) } });
    expect(without.decide([finding("vault-paused", "P3")], block)[0]!.finding.severity).to.equal("P3");
  });

  it("alerts route per severity to the plan's channels; unrouted (extra) channels and no-plan keep today's behaviour", async () => {
    const a = new Recorder("ops-webhook");
    const b = new Recorder("slack");
    const extra = new Recorder("drill-capture");
    const routed = routeChannels([a, b], { P1: ["ops-webhook", "slack"], P2: ["slack"], P3: ["ops-webhook"], P4: ["ops-webhook"] });
    const d = new AlertDispatcher({ store: new KeeperStore(":memory:"), channels: [...routed, extra], retry: { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0 } });
    await d.dispatch(message("m1", "P1"));
    await d.dispatch(message("m2", "P2"));
    await d.dispatch(message("m3", "P3"));
    expect(a.got.map((m) => m.id)).to.deep.equal(["m1", "m3"]);
    expect(b.got.map((m) => m.id)).to.deep.equal(["m1", "m2"]);
    expect(extra.got.map((m) => m.id)).to.deep.equal(["m1", "m2", "m3"]);
    const c = new Recorder("ops-webhook");
    const plain = new AlertDispatcher({ store: new KeeperStore(":memory:"), channels: [c], retry: { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0 } });
    await plain.dispatch(message("n1", "P4"));
    expect(c.got).to.have.length(1);
  });

  it("a plan routing to a channel the keeper config lacks is a config error naming it", () => {
    const config = parseConfig({ ...exampleWithBook });
    const bad = { ...plan, severities: { ...plan.severities, P1: { ...plan.severities.P1, channels: ["ops-webhook", "pagerduty"] } } };
    expect(() => keeperPlanOf(bad, config)).to.throw(ConfigError, /config error at plan: P1 routes to "pagerduty", which is not a channel/);
  });

  const score = (over: Partial<DrillScore> = {}): DrillScore => ({
    scenario: "reentrancy-pool-drain", expectationsMet: true, firstMaliciousBlock: 27, detectedBlock: 27, containedBlock: 28,
    fundsAtRisk: "1000000000000000000000000", fundsLost: "24000000000000000000000", savedPct: 97.6, falseAlarms: 0,
    title: "Reentrancy drain", reference: { incident: "Curve / Vyper", date: "2023-07-30", loss: "$70M", url: "https://example.org" }, unmet: [],
    timeToDetectMs: 30, timeToContainMs: 600, blocksToContain: 1, unit: { symbol: "USDS", decimals: 18 }, series: [], transactions: [],
    keeperAttempts: [{ kind: "pause", status: "included", includedBlock: 28, hash: "0x1" }], timeline: [{ at: 1_700_000_000_000, block: 27, kind: "attack", message: "x" }], facts: {}, fork: null,
    incidents: [
      { id: "i1", ruleId: "share-price-drop", severity: "P1", firstBlock: 27, status: "contained", summary: "share price fell", act: true },
      { id: "i2", ruleId: "brand-new-rule", severity: "P2", firstBlock: 27, status: "open", summary: "new", act: false },
    ],
    chainId: 31337, ...over,
  });

  it("drill reports print the plan's runbook next to what happened (Markdown and HTML)", () => {
    const md = renderMarkdown(score(), plan);
    expect(md).to.include("## Runbook vs what happened");
    expect(md).to.include("### `share-price-drop` — runbook `vault-drain`");
    expect(md).to.include("- [ ] Confirm the pause landed");
    expect(md).to.include("### `brand-new-rule` — **no runbook in the plan**");
    expect(md).to.match(/contain within \| 900s \| 0\.6s/);
    expect(renderHtml(score(), plan)).to.include('id="runbook-vs-actual"');
    expect(renderMarkdown(score())).not.to.include("Runbook vs what happened");
  });

  it("renderTemplate fills a template from incident facts and lists what is missing", () => {
    const t = renderTemplate(plan, "status-notice", { severity: "P1", title: "drain", network: "mainnet", startedAt: "2026-01-01T00:00:00Z", firstBlock: 123, status: "contained", actions: ["sentinel pause", "freeze"] });
    expect(t.title).to.equal("[P1] example-vault: drain");
    expect(t.body).to.include("since 2026-01-01T00:00:00Z (block 123)");
    expect(t.body).to.include("Actions taken: sentinel pause, freeze.");
    expect(t.missing).to.deep.equal(["nextUpdateAt"]);
    expect(() => renderTemplate(plan, "nope", {})).to.throw(/plan error at templates\.nope/);
  });

  it("a drill's action items become suggested plan changes (JSON-patch list + unified diff)", () => {
    const s = suggestFromDrill(plan, score());
    const paths = s.changes.map((c) => c.path);
    expect(paths).to.include("/runbooks/-");
    expect(s.changes.find((c) => c.path === "/runbooks/-")!.value).to.include({ id: "brand-new-rule-runbook" });
    expect(s.changes.filter((c) => c.path === "/improvements/-").map((c) => (c.value as { kind: string }).kind)).to.include.members(["add-runbook", "tighten-limit"]);
    expect(s.diff).to.match(/^--- plan \(current\)\n\+\+\+ plan \(suggested from drill:reentrancy-pool-drain\)\n@@ -\d+,\d+ \+\d+,\d+ @@/);
    expect(s.diff).to.include('+      "id": "brand-new-rule-runbook",');
    const inc = suggestFromActionItems(plan, "incident:2026-01", [{ kind: "add-channel", severity: "P1", channel: "pagerduty", description: "nobody saw slack at 3am" }]);
    expect(inc.changes[0]).to.deep.include({ op: "add", path: "/severities/P1/channels/-", value: "pagerduty" });
  });
});
