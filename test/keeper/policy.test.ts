import { expect } from "chai";
import { id, zeroPadValue } from "ethers";
import { parseRules, type RuleInput } from "../../keeper/detectors/index.js";
import { Policy, SCOPES } from "../../keeper/policy/index.js";
import { KeeperStore } from "../../keeper/store/store.js";
import type { BlockRef, Finding } from "../../keeper/types.js";
import { addr, hash } from "./detectors-helpers.js";

const BREAKER = addr(0xb7);
const OTHER_BREAKER = addr(0xb8);
const TOKEN = addr(0x70c);
const matcher = { kind: "matcher" as const, events: [{ signature: "Paused(bytes32)" }] };

const blk = (n: number, timestamp = 1_700_000_000 + n * 12): BlockRef => ({ number: n, hash: hash(`b${n}`), parentHash: hash(`b${n - 1}`), timestamp });
const find = (ruleId: string, n: number, key = "k", extra: Partial<Finding> = {}): Finding => ({
  ruleId,
  detector: "matcher",
  severity: "P1",
  fingerprint: `${ruleId}:${key}`,
  blockNumber: n,
  blockHash: hash(`b${n}`),
  summary: `finding of ${ruleId}`,
  details: {},
  ...extra,
});

function setup(rules: RuleInput[]) {
  const store = new KeeperStore(":memory:");
  const policy = new Policy(parseRules(rules), store, { defaultBreaker: BREAKER, named: { other: OTHER_BREAKER }, now: () => 42 });
  return { store, policy };
}

describe("keeper/policy", () => {
  it("scopes match contracts/breaker/Scopes.sol", () => {
    expect(SCOPES.GLOBAL).to.equal(id("breakwater.scope.GLOBAL"));
    expect(SCOPES.WITHDRAW).to.equal(id("breakwater.scope.WITHDRAW"));
  });

  it("only rules marked act pause on their own; the others alert and say what they would do", () => {
    const { policy, store } = setup([
      { id: "acts", severity: "P1", action: "pause", act: true, pause: { scope: "WITHDRAW", durationSeconds: 3600 }, detector: matcher },
      { id: "wants", severity: "P1", action: "pause", pause: { scope: "GLOBAL", durationSeconds: 3600 }, detector: matcher },
      { id: "asset", severity: "P1", action: "pause", act: true, pause: { scope: { asset: "finding" }, durationSeconds: 600, breaker: "$other" }, detector: matcher },
      { id: "prop", severity: "P2", action: "propose", act: true, detector: matcher },
      { id: "alert", severity: "P3", detector: matcher },
    ]);
    const [a, w, s, p, al] = policy.decide(
      [find("acts", 1), find("wants", 1), find("asset", 1, "k", { asset: TOKEN }), find("prop", 1), find("alert", 1)],
      blk(1),
    );
    expect(a).to.deep.include({ action: "pause", act: true });
    expect(a.pause).to.deep.equal({ breaker: BREAKER, scope: SCOPES.WITHDRAW, durationSeconds: 3600 });
    expect(w).to.deep.include({ action: "alert", act: false, requestedAction: "pause" });
    expect(w.pause).to.equal(undefined);
    expect(s.pause).to.deep.equal({ breaker: OTHER_BREAKER, scope: zeroPadValue(TOKEN, 32), durationSeconds: 600 });
    expect(p).to.deep.include({ action: "propose", act: true });
    expect(al).to.deep.include({ action: "alert", act: false });
    expect(store.incidents("open")).to.have.length(5);
    const tl = store.timeline(a.incidentId);
    expect(tl.map((e) => e.kind)).to.deep.equal(["detection", "decision"]);
    expect(tl[1].message).to.match(/pause WITHDRAW/);
  });

  it("a pause on the finding's asset without an asset degrades to an alert", () => {
    const { policy } = setup([{ id: "asset", severity: "P1", action: "pause", act: true, pause: { scope: { asset: "finding" }, durationSeconds: 600 }, detector: matcher }]);
    const [d] = policy.decide([find("asset", 1)], blk(1));
    expect(d).to.deep.include({ action: "alert", act: false, requestedAction: "pause" });
    expect(d.reason).to.match(/names none/);
  });

  it("fails fast at start on a pause rule without a breaker", () => {
    const store = new KeeperStore(":memory:");
    expect(
      () => new Policy(parseRules([{ id: "p", severity: "P1", action: "pause", act: true, pause: { scope: "GLOBAL", durationSeconds: 600 }, detector: matcher }]), store),
    ).to.throw(/no breaker/);
  });

  it("dedups by fingerprint: an open incident gets a timeline entry, not a new incident", () => {
    const { policy, store } = setup([{ id: "r", severity: "P1", action: "pause", act: true, pause: { scope: "GLOBAL", durationSeconds: 600 }, detector: matcher }]);
    const [d1, d2] = policy.decide([find("r", 1), find("r", 1)], blk(1));
    const [d3] = policy.decide([find("r", 2)], blk(2));
    const [d4] = policy.decide([find("r", 2, "other-asset")], blk(2));
    expect(d1.suppressed).to.equal(undefined);
    expect(d2.suppressed).to.equal("dedup");
    expect(d3.suppressed).to.equal("dedup");
    expect(d3.incidentId).to.equal(d1.incidentId);
    expect(d4.suppressed).to.equal(undefined);
    expect(store.incidents()).to.have.length(2);
    expect(store.timeline(d1.incidentId).filter((e) => e.kind === "detection")).to.have.length(3);
  });

  it("cooldown in blocks (per rule + fingerprint) after the incident is closed", () => {
    const { policy, store } = setup([{ id: "r", severity: "P2", cooldown: { blocks: 10 }, detector: matcher }]);
    const [d1] = policy.decide([find("r", 100)], blk(100));
    store.closeIncident(d1.incidentId);
    const [d2] = policy.decide([find("r", 105)], blk(105));
    expect(d2.suppressed).to.equal("cooldown");
    expect(d2.incidentId).to.equal(d1.incidentId);
    const [other] = policy.decide([find("r", 105, "another")], blk(105));
    expect(other.suppressed).to.equal(undefined);
    const [d3] = policy.decide([find("r", 110)], blk(110));
    expect(d3.suppressed).to.equal(undefined);
    expect(d3.incidentId).to.not.equal(d1.incidentId);
  });

  it("cooldown in seconds of block time", () => {
    const { policy, store } = setup([{ id: "r", severity: "P2", cooldown: { seconds: 300 }, detector: matcher }]);
    const [d1] = policy.decide([find("r", 1)], blk(1, 1000));
    store.closeIncident(d1.incidentId);
    expect(policy.decide([find("r", 2)], blk(2, 1299))[0].suppressed).to.equal("cooldown");
    expect(policy.decide([find("r", 3)], blk(3, 1300))[0].suppressed).to.equal(undefined);
  });

  it("a reorg below the fire forgets it (store.rollbackTo)", () => {
    const { policy, store } = setup([{ id: "r", severity: "P2", cooldown: { blocks: 100 }, detector: matcher }]);
    policy.decide([find("r", 10)], blk(10));
    store.rollbackTo(9);
    expect(store.incidents("open")).to.have.length(0);
    expect(policy.decide([find("r", 10)], blk(10))[0].suppressed).to.equal(undefined);
  });

  it("fail-closed: one failing block (an RPC blip) only alerts; three consecutive ones are a detection with the rule's action", () => {
    const { policy, store } = setup([
      { id: "closed", severity: "P1", action: "pause", act: true, onError: "fail-closed", pause: { scope: "GLOBAL", durationSeconds: 600 }, detector: matcher },
    ]);
    const [d1] = policy.onDetectorError("closed", new Error("eth_call timeout"), blk(5));
    expect(d1).to.deep.include({ action: "alert", act: false, requestedAction: "pause" });
    expect(d1.finding.summary).to.match(/1 of 3 consecutive failing blocks/);
    // the same block retried does not count twice; a good block in between resets the run
    policy.onDetectorError("closed", new Error("eth_call timeout"), blk(5));
    const [gap] = policy.onDetectorError("closed", new Error("eth_call timeout"), blk(7));
    expect(gap.finding.details.consecutiveErrors).to.equal(1);
    policy.onDetectorError("closed", new Error("eth_call timeout"), blk(8));
    const [d] = policy.onDetectorError("closed", new Error("eth_call timeout"), blk(9));
    expect(d).to.deep.include({ action: "pause", act: true });
    expect(d.suppressed).to.equal(undefined);
    expect(d.finding).to.deep.include({ detector: "error", severity: "P1", fingerprint: "closed:error:fail-closed" });
    expect(d.finding.summary).to.match(/could not be evaluated.*eth_call timeout.*fail-closed: 3 consecutive/);
    expect(store.timeline().some((e) => e.kind === "error")).to.equal(true);
  });

  it("fail-closed with afterConsecutiveErrors: 1 acts on the first error", () => {
    const { policy } = setup([
      { id: "eager", severity: "P1", action: "pause", act: true, onError: { mode: "fail-closed", afterConsecutiveErrors: 1 }, pause: { scope: "GLOBAL", durationSeconds: 600 }, detector: matcher },
    ]);
    const [d] = policy.onDetectorError("eager", new Error("eth_call timeout"), blk(5));
    expect(d).to.deep.include({ action: "pause", act: true });
  });

  it("fail-open: logged and alerted, never acted on", () => {
    const { policy, store } = setup([
      { id: "open", severity: "P1", action: "pause", act: true, onError: "fail-open", pause: { scope: "GLOBAL", durationSeconds: 600 }, detector: matcher },
    ]);
    const [d] = policy.onDetectorError("open", new Error("rpc down"), blk(5));
    expect(d).to.deep.include({ action: "alert", act: false, requestedAction: "pause" });
    expect(d.pause).to.equal(undefined);
    expect(d.finding.summary).to.match(/rule open could not be evaluated/);
    // repeated errors dedup into the same incident
    const [d2] = policy.onDetectorError("open", new Error("rpc down"), blk(6));
    expect(d2.suppressed).to.equal("dedup");
    expect(store.timeline().filter((e) => e.kind === "error")).to.have.length(2);
  });
});
