// Outflow statistics on synthetic traffic. Normal traffic: every block, 0-0.1% of TVL leaves
// (30% of blocks nothing) and about as much comes back, from a seeded generator.
//
// What the defaults do (alpha 0.1, window 200, warm-up 50, z 6, spikeShare 5%, minShare 0.2%,
// clipShare 1%, scaleFloor 0.05%):
//  - a single block losing >= 5% of TVL far outside the baseline alerts at once (spike);
//  - a slow drip (0.5% of TVL per block, split in transactions of 0.25%) alerts within a few
//    blocks through the EWMA of the clipped per-block share (sustained);
//  - a single benign whale withdrawing 4.5% of TVL does NOT alert: below spikeShare for the
//    spike test, and clipped at 1% in the EWMA it moves it by at most alpha * 1% = 0.1%, which
//    keeps it under minShare (0.2%) with normal traffic on top. A 6% whale would alert (spike).
import { expect } from "chai";
import { createDetectors, parseRules, median, mad, robustZ } from "../../keeper/detectors/index.js";
import type { Detector, Finding } from "../../keeper/types.js";
import { addr, block, FakeChain, hash, rng, transfer, tx } from "./detectors-helpers.js";

const TOKEN = addr(0x70c);
const VAULT = addr(0xa11);
const E18 = 10n ** 18n;
const TVL0 = 1_000_000n * E18;

type Extra = (n: number, tvl: bigint) => bigint[]; // extra outflows (one tx each) in block n

function simulate(opts: { blocks: number; extra?: Extra; seed?: number; rule?: Record<string, unknown> }) {
  const chain = new FakeChain();
  let balance = TVL0;
  chain.view(TOKEN, "balanceOf(address)", ["uint256"], () => [balance]);
  const [d] = createDetectors(
    parseRules([{ id: "outflow", severity: "P2", detector: { kind: "statistic", token: TOKEN, holder: VAULT, ...(opts.rule ?? {}) } }]),
  ) as Detector[];
  const r = rng(opts.seed ?? 7);
  const findings: Finding[] = [];
  return {
    d,
    chain,
    async run(from = 1, to = opts.blocks) {
      for (let n = from; n <= to; n++) {
        const logs = [];
        const txs = [];
        const outs: bigint[] = [];
        if (r() > 0.3) outs.push((balance * BigInt(Math.floor(r() * 1000))) / 1_000_000n); // 0-0.1%
        outs.push(...(opts.extra?.(n, balance) ?? []));
        const inflow = (balance * BigInt(Math.floor(r() * 700))) / 1_000_000n;
        let i = 0;
        for (const amount of outs) {
          const h = hash(`${n}-out-${i}`);
          txs.push(tx({ hash: h, to: VAULT }));
          logs.push(transfer(TOKEN, VAULT, addr(0x1000 + i), amount, h, i++));
          balance -= amount;
        }
        const hin = hash(`${n}-in`);
        txs.push(tx({ hash: hin, to: VAULT }));
        logs.push(transfer(TOKEN, addr(0x2000), VAULT, inflow, hin, i));
        balance += inflow;
        findings.push(...(await d.evaluate(chain.ctx(block(n, txs, logs)))));
      }
      return findings;
    },
    findings,
  };
}

describe("keeper/detectors: outflow statistics", () => {
  it("robust helpers: median, MAD, z-score with a floor", () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 2, 3])).to.equal(2.5);
    expect(mad([1, 1, 2, 2, 4, 6, 9])).to.equal(1);
    expect(robustZ(10, [0, 0, 0], 0.5).z).to.equal(20);
  });

  it("does not alert during the warm-up, even on a large outflow", async () => {
    const s = simulate({ blocks: 49, extra: (n, tvl) => (n === 20 ? [tvl / 5n] : []) });
    expect(await s.run()).to.have.length(0);
  });

  it("alerts at once on a spike after the warm-up (20% of TVL in one block)", async () => {
    const s = simulate({ blocks: 120, extra: (n, tvl) => (n === 100 ? [tvl / 5n] : []) });
    const fs = await s.run();
    expect(fs.length).to.be.greaterThan(0);
    expect(fs[0].blockNumber).to.equal(100);
    expect(fs[0].details.signal).to.equal("spike");
    expect(fs[0].fingerprint).to.equal(`outflow:outflow:${TOKEN}:${VAULT}`);
    expect(fs[0].asset).to.equal(TOKEN);
    expect(Math.abs((fs[0].details.share as number) - 0.2) < 0.002, "share ~20%").to.equal(true); // not closeTo: hardhat-chai-matchers overrides it for bigints
  });

  it("catches a slow drip under per-tx thresholds through the EWMA z-score", async () => {
    // 0.5% of TVL per block from block 120, as two withdrawals of 0.25% (under a 1% per-tx limit)
    const s = simulate({ blocks: 160, extra: (n, tvl) => (n >= 120 ? [tvl / 400n, tvl / 400n] : []) });
    const fs = await s.run();
    expect(fs.filter((f) => f.blockNumber < 120)).to.have.length(0);
    expect(fs.length).to.be.greaterThan(0);
    expect(fs[0].details.signal).to.equal("sustained");
    expect(fs[0].blockNumber).to.be.within(120, 127);
    // no single block of the drip would have tripped the spike test
    expect(fs.every((f) => (f.details.share as number) < 0.05)).to.equal(true);
  });

  it("does not alert on a single benign whale of 4.5% of TVL amid normal traffic (defaults)", async () => {
    const s = simulate({ blocks: 200, extra: (n, tvl) => (n === 120 ? [(tvl * 45n) / 1000n] : []) });
    expect(await s.run()).to.have.length(0);
  });

  it("a 6% whale is above spikeShare and does alert (documented limit of the defaults)", async () => {
    const s = simulate({ blocks: 130, extra: (n, tvl) => (n === 120 ? [(tvl * 6n) / 100n] : []) });
    const fs = await s.run();
    expect(fs.map((f) => f.blockNumber)).to.include(120);
  });

  it("normal traffic alone never alerts over 1000 blocks (3 seeds)", async () => {
    for (const seed of [1, 2, 3]) {
      const s = simulate({ blocks: 1000, seed });
      expect(await s.run(), `seed ${seed}`).to.have.length(0);
    }
  });

  it("keeps per-block history and rolls it back on a reorg", async () => {
    const s = simulate({ blocks: 60, rule: { window: 20 } });
    await s.run();
    const stat = s.d as unknown as { history: { blockNumber: number; ewma: number }[] };
    expect(stat.history).to.have.length(21);
    const at55 = stat.history.find((p) => p.blockNumber === 55)!.ewma;
    s.d.rollback!(55);
    expect(stat.history.at(-1)!.blockNumber).to.equal(55);
    expect(stat.history.at(-1)!.ewma).to.equal(at55);
    // re-processing the same height without an explicit rollback also truncates
    await s.run(50, 52);
    expect(stat.history.at(-1)!.blockNumber).to.equal(52);
  });
});
