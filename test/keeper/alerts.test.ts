import { expect } from "chai";
import { createHmac } from "node:crypto";
import { KeeperStore } from "../../keeper/store/store.js";
import {
  AlertDispatcher,
  Responders,
  alertsSchema,
  createChannels,
  messageFromDecision,
  backoffDelay,
  type AlertsConfigInput,
} from "../../keeper/responders/index.js";
import type { AlertMessage, Decision } from "../../keeper/types.js";
import { truncate } from "../../keeper/responders/alerts/format.js";
import { ozMonitorSignature } from "../../keeper/responders/alerts/channels.js";
import { startReceiver, type Receiver } from "./helpers/receiver.js";

const FAST_RETRY = { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 };

function message(id = "inc-1#alert:100:drain", over: Partial<AlertMessage> = {}): AlertMessage {
  return {
    id, incidentId: "inc-1", severity: "P1", title: "[P1] drain: vault drained", body: "vault share price dropped 40%\nblock 100",
    blockNumber: 100, blockHash: "0x" + "ab".repeat(32), txHash: "0x" + "cd".repeat(32), ...over,
  };
}

function setup(cfg: AlertsConfigInput, env: Record<string, string>) {
  const parsed = alertsSchema.parse(cfg);
  const store = new KeeperStore(":memory:");
  const channels = createChannels(parsed, env);
  const dispatcher = new AlertDispatcher({ store, channels, retry: parsed.retry });
  return { store, channels, dispatcher, parsed };
}

describe("keeper alerts", function () {
  let rx: Receiver;
  afterEach(async () => rx?.close());

  it("webhook: POST JSON with a valid HMAC over timestamp + body and an idempotency key", async function () {
    rx = await startReceiver(() => ({ status: 200 }));
    const { dispatcher } = setup({ channels: [{ type: "webhook", url: `${rx.url}/hook`, secretEnv: "WH_SECRET" }], retry: FAST_RETRY }, { WH_SECRET: "s3cret-hmac-key" });
    const m = message();
    const [res] = await dispatcher.dispatch(m);
    expect(res.status).to.equal("delivered");
    expect(rx.requests).to.have.length(1);
    const req = rx.requests[0];
    expect(req.method).to.equal("POST");
    expect(req.path).to.equal("/hook");
    const ts = req.headers["x-breakwater-timestamp"] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).to.be.lessThan(300);
    const expected = "sha256=" + createHmac("sha256", "s3cret-hmac-key").update(`${ts}.${req.body}`).digest("hex");
    expect(req.headers["x-breakwater-signature"]).to.equal(expected);
    // A replay with another timestamp does not verify.
    const replayed = "sha256=" + createHmac("sha256", "s3cret-hmac-key").update(`${Number(ts) + 600}.${req.body}`).digest("hex");
    expect(replayed).to.not.equal(req.headers["x-breakwater-signature"]);
    expect(req.headers["idempotency-key"]).to.equal(m.id);
    expect(req.json).to.deep.equal({ type: "breakwater.alert", message: m });
  });

  it("a receiver failing twice then succeeding gets exactly one delivery; later dispatches send nothing", async function () {
    rx = await startReceiver((_r, i) => (i < 2 ? { status: 503, body: "busy" } : { status: 200 }));
    const { dispatcher, store } = setup({ channels: [{ type: "webhook", url: rx.url, secretEnv: "S" }], retry: FAST_RETRY }, { S: "k".repeat(16) });
    const m = message();
    const [res] = await dispatcher.dispatch(m);
    expect(res).to.include({ status: "delivered", attempts: 3 });
    expect(rx.requests).to.have.length(3);
    expect(rx.requests.filter((_r, i) => i >= 2)).to.have.length(1);
    const [again] = await dispatcher.dispatch(m);
    expect(again.status).to.equal("already-delivered");
    expect(rx.requests).to.have.length(3);
    expect(store.alerts("inc-1")[0].deliveredAt).to.be.a("number");
    // The same key on every attempt lets the receiver de-duplicate.
    expect(new Set(rx.requests.map((r) => r.headers["idempotency-key"])).size).to.equal(1);
  });

  it("a response lost to a timeout is retried with the same idempotency key (receiver de-duplicates)", async function () {
    const accepted = new Set<string>();
    rx = await startReceiver((r, i) => {
      accepted.add(String(r.headers["idempotency-key"]));
      return i === 0 ? { status: 200, delayMs: 600 } : { status: 200 };
    });
    const { dispatcher } = setup({ channels: [{ type: "webhook", url: rx.url, secretEnv: "S" }], retry: { ...FAST_RETRY, timeoutMs: 150 } }, { S: "k".repeat(16) });
    const [res] = await dispatcher.dispatch(message());
    expect(res).to.include({ status: "delivered", attempts: 2 });
    expect(rx.requests).to.have.length(2);
    expect(accepted.size).to.equal(1);
  });

  it("bounded attempts; a 4xx is not retried; failures are on the timeline without secrets", async function () {
    rx = await startReceiver(() => ({ status: 500 }));
    const token = "123456:SECRET-TELEGRAM-TOKEN";
    const { dispatcher, store } = setup(
      { channels: [{ type: "telegram", botTokenEnv: "TG", chatId: "-100", apiBaseUrl: rx.url }], retry: FAST_RETRY },
      { TG: token },
    );
    const [res] = await dispatcher.dispatch(message());
    expect(res).to.include({ status: "failed", attempts: 4 });
    expect(rx.requests).to.have.length(4);
    expect(res.error).to.not.include(token);
    expect(JSON.stringify(store.timeline())).to.not.include(token);

    rx.respond = () => ({ status: 400, body: { ok: false, description: "Bad Request: chat not found" } });
    const before = rx.requests.length;
    const [r2] = await dispatcher.dispatch(message("other"));
    expect(r2).to.include({ status: "failed", attempts: 1 });
    expect(rx.requests.length - before).to.equal(1);
    expect(r2.error).to.include("chat not found").and.not.include(token);
  });

  it("backoff: exponential ceiling with full jitter, capped", function () {
    const cfg = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, cfg, () => 0.999)).to.equal(99);
    expect(backoffDelay(3, cfg, () => 0.999)).to.equal(399);
    expect(backoffDelay(10, cfg, () => 0.999)).to.equal(999);
    expect(backoffDelay(3, cfg, () => 0)).to.equal(0);
  });

  it("Slack, Discord, Telegram and PagerDuty payloads as each service expects", async function () {
    rx = await startReceiver((r) => {
      if (r.path.startsWith("/discord")) return { status: 204 };
      if (r.path.startsWith("/pd")) return { status: 202, body: { status: "success", message: "Event processed", dedup_key: "inc-1" } };
      if (r.path.startsWith("/tg")) return { status: 200, body: { ok: true, result: { message_id: 1 } } };
      return { status: 200, body: "ok" };
    });
    const { dispatcher } = setup(
      {
        channels: [
          { type: "slack", webhookUrlEnv: "SLACK_URL" },
          { type: "discord", webhookUrlEnv: "DISCORD_URL" },
          { type: "telegram", botTokenEnv: "TG_TOKEN", chatId: -1001234, apiBaseUrl: `${rx.url}/tg` },
          { type: "pagerduty", routingKeyEnv: "PD_KEY", eventsUrl: `${rx.url}/pd/v2/enqueue` },
        ],
        retry: FAST_RETRY,
      },
      { SLACK_URL: `${rx.url}/slack/T000/B000/XXXX`, DISCORD_URL: `${rx.url}/discord/api/webhooks/1/tok`, TG_TOKEN: "42:abc", PD_KEY: "R0UTINGKEY0000000000000000000000" },
    );
    const res = await dispatcher.dispatch(message());
    expect(res.map((r) => r.status)).to.deep.equal(["delivered", "delivered", "delivered", "delivered"]);
    const by = (p: string) => rx.requests.find((r) => r.path.startsWith(p))!;

    const slack = by("/slack").json;
    expect(slack.text).to.include("[P1] drain: vault drained");
    expect(slack.blocks[0]).to.deep.include({ type: "section" });
    expect(slack.blocks[0].text.type).to.equal("mrkdwn");

    const discord = by("/discord").json;
    expect(discord.content).to.include("[P1] drain");
    expect(discord.embeds[0]).to.include({ title: "[P1] drain: vault drained", color: 0xd32f2f });
    expect(discord.allowed_mentions).to.deep.equal({ parse: [] });

    const tg = by("/tg");
    expect(tg.path).to.equal("/tg/bot42:abc/sendMessage");
    expect(tg.json).to.include({ chat_id: -1001234 });
    expect(tg.json.text).to.include("vault share price dropped 40%");

    const pd = by("/pd").json;
    // One PagerDuty alert per keeper alert (a retraction then resolves only its own).
    expect(pd).to.include({ routing_key: "R0UTINGKEY0000000000000000000000", event_action: "trigger", dedup_key: "inc-1#alert:100:drain" });
    expect(pd.payload.group).to.equal("inc-1");
    // Bot API 7.0: link_preview_options replaced disable_web_page_preview.
    expect(tg.json.link_preview_options).to.deep.equal({ is_disabled: true });
    expect(tg.json).to.not.have.property("disable_web_page_preview");
    expect(pd.payload).to.include({ severity: "critical", source: "breakwater-keeper" });
    expect(pd.payload.summary).to.equal("[P1] drain: vault drained");
    expect(pd.payload.custom_details.alertId).to.equal("inc-1#alert:100:drain");
  });

  it("Slack escapes &, <, > and a ``` in the body; every channel truncates without splitting a surrogate pair", async function () {
    rx = await startReceiver((r) => (r.path.startsWith("/discord") ? { status: 204 } : { status: 200, body: "ok" }));
    const { dispatcher } = setup(
      { channels: [{ type: "slack", webhookUrlEnv: "SLACK_URL" }, { type: "discord", webhookUrlEnv: "DISCORD_URL" }], retry: FAST_RETRY },
      { SLACK_URL: `${rx.url}/slack/T/B/X`, DISCORD_URL: `${rx.url}/discord/api/webhooks/1/tok` },
    );
    const long = "a".repeat(3999) + "🔴🔴"; // the 4000th unit is the first half of an emoji
    await dispatcher.dispatch(message("m-esc", { title: "<@channel> A & B > C", body: "x ``` y <!here>\n" + long }));
    const slack = rx.requests.find((r) => r.path.startsWith("/slack"))!.json;
    expect(slack.blocks[0].text.text).to.include("&lt;@channel&gt; A &amp; B &gt; C").and.not.include("<@channel>");
    const code = slack.blocks[1].text.text as string;
    expect(code.startsWith("```") && code.endsWith("```")).to.equal(true);
    expect(code.slice(3, -3)).to.not.include("```");
    expect(code).to.include("&lt;!here&gt;");
    const discord = rx.requests.find((r) => r.path.startsWith("/discord"))!.json;
    const desc = discord.embeds[0].description as string;
    expect(desc.length).to.be.at.most(4000);
    const last = desc.charCodeAt(desc.length - 1);
    expect(last >= 0xd800 && last <= 0xdbff, "ends in half a surrogate pair").to.equal(false);
    expect(truncate("ab🔴", 3)).to.equal("ab");
    expect(truncate("ab🔴", 4)).to.equal("ab🔴");
  });

  it("webhook signature: oz-monitor mode signs like OpenZeppelin Monitor (X-Signature = hex HMAC of body + X-Timestamp ms)", async function () {
    rx = await startReceiver(() => ({ status: 200, body: "ok" }));
    const secret = "some-secret-of-sixteen";
    const { dispatcher } = setup({ channels: [{ type: "webhook", url: `${rx.url}/oz`, secretEnv: "S", signature: "oz-monitor" }], retry: FAST_RETRY }, { S: secret });
    await dispatcher.dispatch(message("m-oz"));
    const req = rx.requests[0]!;
    expect(JSON.parse(req.body)).to.deep.equal({ body: message().body, title: message().title });
    const ts = String(req.headers["x-timestamp"]);
    expect(ts).to.match(/^\d{13}$/);
    // The verification an OZ Monitor receiver does: HMAC-SHA256(secret, rawBody + timestamp), hex.
    expect(req.headers["x-signature"]).to.equal(createHmac("sha256", secret).update(req.body + ts).digest("hex"));
    expect(req.headers["x-signature"]).to.equal(ozMonitorSignature(secret, ts, req.body));
  });

  it("PagerDuty: containment resolves every alert of the incident (and only that incident)", async function () {
    rx = await startReceiver(() => ({ status: 202, body: { status: "success" } }));
    const { dispatcher } = setup({ channels: [{ type: "pagerduty", routingKeyEnv: "PD", eventsUrl: `${rx.url}/pd` }], retry: FAST_RETRY }, { PD: "pdkey-000000000000" });
    await dispatcher.dispatch(message("inc-1#contained", { resolves: ["inc-1#alert:100:drain", "inc-1#alert:101:other"] }));
    expect(rx.requests.map((r) => r.json)).to.deep.equal([
      { routing_key: "pdkey-000000000000", event_action: "resolve", dedup_key: "inc-1#alert:100:drain" },
      { routing_key: "pdkey-000000000000", event_action: "resolve", dedup_key: "inc-1#alert:101:other" },
    ]);
  });

  it("retraction after a reorg: one retraction per channel that got the alert; PagerDuty resolves", async function () {
    rx = await startReceiver((r) => (r.path.startsWith("/pd") ? { status: 202, body: { status: "success" } } : { status: 200 }));
    const parsed = alertsSchema.parse({
      channels: [
        { type: "webhook", url: `${rx.url}/hook`, secretEnv: "S" },
        { type: "pagerduty", routingKeyEnv: "PD", eventsUrl: `${rx.url}/pd` },
      ],
      retry: FAST_RETRY,
    });
    const store = new KeeperStore(":memory:");
    const channels = createChannels(parsed, { S: "k".repeat(16), PD: "pdkey-000000000000" });
    const r = new Responders({ config: { chain: { chainId: 31337 }, contracts: {}, alerts: parsed }, store, provider: {} as any, channels });
    const d: Decision = {
      finding: { ruleId: "drain", detector: "matcher", severity: "P2", fingerprint: "fp", blockNumber: 100, blockHash: "0x" + "11".repeat(32), summary: "big outflow", details: {} },
      action: "alert", act: false, incidentId: "drain:100:fp",
    };
    store.openIncident(d.finding, 1_700_000_000);
    const [res] = await r.handle([d], { number: 100, hash: d.finding.blockHash, parentHash: "0x" + "00".repeat(32), timestamp: 1_700_000_000 });
    expect((await res.alerts).map((a) => a.status)).to.deep.equal(["delivered", "delivered"]);
    const { alertsToRetract } = store.rollbackTo(99);
    expect(alertsToRetract).to.have.length(2);
    const out = await r.retract(alertsToRetract);
    expect(out.map((o) => o.status)).to.deep.equal(["delivered", "delivered"]);
    const hooks = rx.requests.filter((q) => q.path === "/hook");
    expect(hooks).to.have.length(2);
    expect(hooks[1].json.type).to.equal("breakwater.alert.retraction");
    expect(hooks[1].json.message).to.include({ retraction: true, incidentId: "drain:100:fp" });
    const pds = rx.requests.filter((q) => q.path === "/pd").map((q) => q.json);
    expect(pds[1]).to.deep.equal({ routing_key: "pdkey-000000000000", event_action: "resolve", dedup_key: "drain:100:fp#alert:100:drain" });
    // Retracting again sends nothing more; the retraction itself is never re-retracted.
    await r.retract(alertsToRetract);
    expect(rx.requests).to.have.length(4);
    expect(store.rollbackTo(0).alertsToRetract).to.have.length(0);
  });

  it("handle() does not wait for alert delivery: alerts go to an in-order background queue; idle()/stop() drain it", async function () {
    // The channel answers after 300 ms (and fails the first time): handle returns before that.
    rx = await startReceiver((_r, i) => (i === 0 ? { status: 503 } : { status: 200, delayMs: 300 }));
    const parsed = alertsSchema.parse({ channels: [{ type: "webhook", url: `${rx.url}/hook`, secretEnv: "S" }], retry: FAST_RETRY });
    const store = new KeeperStore(":memory:");
    const r = new Responders({ config: { chain: { chainId: 31337 }, contracts: {}, alerts: parsed }, store, provider: {} as any, channels: createChannels(parsed, { S: "k".repeat(16) }) });
    const mk = (n: number): Decision => ({
      finding: { ruleId: "drain", detector: "matcher", severity: "P2", fingerprint: `fp${n}`, blockNumber: 100 + n, blockHash: "0x" + "11".repeat(32), summary: `outflow ${n}`, details: {} },
      action: "alert", act: false, incidentId: `drain:${100 + n}:fp${n}`,
    });
    const t0 = Date.now();
    const out1 = await r.handle([mk(1)], { number: 101, hash: "0x" + "11".repeat(32), parentHash: "0x" + "00".repeat(32), timestamp: 1 });
    const out2 = await r.handle([mk(2)], { number: 102, hash: "0x" + "22".repeat(32), parentHash: "0x" + "11".repeat(32), timestamp: 2 });
    const handled = Date.now() - t0;
    expect(rx.requests.length).to.be.lessThan(3); // not delivered yet when handle returned
    expect(store.alerts().every((a) => a.deliveredAt === undefined)).to.equal(true);
    await r.idle();
    expect(Date.now() - t0).to.be.greaterThan(handled);
    expect((await out1[0].alerts)[0]).to.include({ status: "delivered", attempts: 2 });
    expect((await out2[0].alerts)[0]).to.include({ status: "delivered", attempts: 1 });
    // In order: the first decision's alert (with its retry) before the second.
    const ids = rx.requests.map((q) => q.json.message.id);
    expect(ids).to.deep.equal([ids[0], ids[0], ids[2]]);
    expect(ids[0]).to.include("drain:101");
    expect(ids[2]).to.include("drain:102");
    // stop(): drains what is queued (bounded), then refuses new work.
    void r.handle([mk(3)], { number: 103, hash: "0x" + "33".repeat(32), parentHash: "0x" + "22".repeat(32), timestamp: 3 });
    await r.stop(5_000);
    expect(rx.requests.map((q) => q.json.message.id).some((id: string) => id.includes("drain:103"))).to.equal(true);
  });

  it("a failed retraction stays pending in the store and is delivered on the next attempt (not lost)", async function () {
    let down = false;
    rx = await startReceiver(() => (down ? { status: 503 } : { status: 200 }));
    const parsed = alertsSchema.parse({ channels: [{ type: "webhook", name: "hook", url: `${rx.url}/hook`, secretEnv: "S" }], retry: { ...FAST_RETRY, maxAttempts: 2 } });
    const store = new KeeperStore(":memory:");
    const mkR = () => new Responders({ config: { chain: { chainId: 31337 }, contracts: {}, alerts: parsed }, store, provider: {} as any, channels: createChannels(parsed, { S: "k".repeat(16) }) });
    const r = mkR();
    const d: Decision = {
      finding: { ruleId: "drain", detector: "matcher", severity: "P2", fingerprint: "fp", blockNumber: 100, blockHash: "0x" + "11".repeat(32), summary: "big outflow", details: {} },
      action: "alert", act: false, incidentId: "drain:100:fp",
    };
    store.openIncident(d.finding, 1_700_000_000);
    const [res] = await r.handle([d], { number: 100, hash: d.finding.blockHash, parentHash: "0x" + "00".repeat(32), timestamp: 1_700_000_000 });
    expect((await res.alerts)[0].status).to.equal("delivered");
    down = true;
    const { alertsToRetract } = store.rollbackTo(99);
    expect(alertsToRetract).to.have.length(1);
    const [failed] = await r.retract(alertsToRetract);
    expect(failed).to.include({ status: "failed", attempts: 2 });
    // Still pending: a later rollback (or a restart) returns it again.
    expect(store.pendingRetractions()).to.deep.equal(alertsToRetract);
    expect(store.rollbackTo(99).alertsToRetract).to.deep.equal(alertsToRetract);
    down = false;
    await r.stop(1_000);
    // A restarted keeper (new Responders over the same store) re-queues it at resume.
    const r2 = mkR();
    await r2.resumePending();
    await r2.idle();
    const retractions = rx.requests.filter((q) => q.json.type === "breakwater.alert.retraction");
    expect(retractions.filter((q) => q.headers["idempotency-key"] === `${alertsToRetract[0].id}#retract`).length).to.equal(3); // 2 failed + 1 delivered
    expect(store.pendingRetractions()).to.have.length(0);
    expect(store.rollbackTo(0).alertsToRetract).to.have.length(0);
  });

  it("an alert whose block is orphaned while it waits in the queue is not sent", async function () {
    rx = await startReceiver(() => ({ status: 200, delayMs: 150 }));
    const parsed = alertsSchema.parse({ channels: [{ type: "webhook", name: "hook", url: `${rx.url}/hook`, secretEnv: "S" }], retry: FAST_RETRY });
    const store = new KeeperStore(":memory:");
    const dispatcher = new AlertDispatcher({ store, channels: createChannels(parsed, { S: "k".repeat(16) }), retry: parsed.retry });
    const first = dispatcher.enqueue(message("a#1", { blockNumber: 100 }));
    const second = dispatcher.enqueue(message("a#2", { blockNumber: 101 }));
    // The reorg comes while #1 is in flight and #2 waits.
    await new Promise((ok) => setTimeout(ok, 50));
    expect(store.rollbackTo(99).alertsToRetract).to.have.length(0);
    expect((await second)[0].status).to.equal("orphaned");
    expect((await first)[0].status).to.equal("delivered");
    await dispatcher.idle();
    // #1 landed after the reorg: it is retracted right away; #2 was never sent.
    const sent = rx.requests.map((q) => q.json.message.id);
    expect(sent).to.deep.equal(["a#1", "a#1#retract"]);
  });

  it("missing env variable → clear error naming it (nothing sent); severity filter", async function () {
    expect(() => createChannels(alertsSchema.parse({ channels: [{ type: "slack", webhookUrlEnv: "BW_NO_SUCH_SLACK" }] }), {})).to.throw(
      /alert channel "slack".*BW_NO_SUCH_SLACK is not set/,
    );
    expect(() => alertsSchema.parse({ channels: [{ type: "slack", webhookUrlEnv: "https://hooks.slack.com/x" }] })).to.throw(/NAME of an environment variable/);
    rx = await startReceiver();
    const { dispatcher } = setup({ channels: [{ type: "webhook", url: rx.url, secretEnv: "S", minSeverity: "P2" }], retry: FAST_RETRY }, { S: "k".repeat(16) });
    const [res] = await dispatcher.dispatch(message("low", { severity: "P4" }));
    expect(res.status).to.equal("filtered");
    expect(rx.requests).to.have.length(0);
  });

  it("messageFromDecision: deterministic id (same decision → same message)", function () {
    const d: Decision = {
      finding: { ruleId: "r", detector: "matcher", severity: "P1", fingerprint: "f", blockNumber: 5, blockHash: "0x01", summary: "s", details: {} },
      action: "pause", act: false, incidentId: "i",
    };
    expect(messageFromDecision(d).id).to.equal(messageFromDecision(d).id);
    expect(messageFromDecision(d).body).to.include("would pause");
  });
});
