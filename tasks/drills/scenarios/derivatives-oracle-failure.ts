// Drill: oracle failure under leveraged positions — pause the entries, keep repay and top-up
// open, and hold off the liquidation cascade with the grace period after the unpause.
//
// Modelled on the cascading-liquidation risk of oracle failures, e.g. Compound's DAI oracle
// incident (2020-11-26): a bad price from one source (DAI at $1.30 on Coinbase Pro) made
// leveraged positions look undercollateralised and ~$89M was liquidated within the hour, before
// users could react. Report: https://decrypt.co/49657/oracle-exploit-sees-100-million-liquidated-on-compound
// The failure mode played here is the other common one — the feed STALLS while the market
// moves, then catches up in one jump — and the response is Aave 3.1's lesson: freeze the
// entries while the price is untrusted, never block repay / top-up, and give users a grace
// period after the unpause before liquidations resume.
//
// Here: ProtectedLendingMarket (contracts/examples) lends dUSDC against dWETH (leveraged longs)
// priced by DrillPriceFeed (contracts/examples/drills), a push feed the reporter updates every
// block; the market refuses prices older than 10 s. At the failure the reporter stops while the
// real price falls from 2,000 to 1,400. An opportunist borrows against the stale price; the
// keeper's custom invariant (feed age > 2 s, the heartbeat) pauses BORROW. While paused, users
// top up and repay. The guardian then unpauses and, in the same block, the feed catches up:
// four honest positions are now unhealthy. A liquidation bot tries every block: the market
// refuses during the 12 s grace period; three users top up in time; only the fourth is
// liquidated, after the grace period.
import { Contract, type Signer } from "ethers";
import { defineInvariant } from "../../../keeper/detectors/index.js";
import type { DrillScore, Scenario } from "../types.js";
import { DAY, deploy, E18, HOUR, mined, MAX_U96, pausedAlertRule } from "../helpers.js";


interface Trader {
  signer: Signer;
  address: string;
  debt: bigint;
  topsUpInGrace: boolean;
}

interface State {
  market: Contract;
  feed: Contract;
  weth: Contract;
  usdc: Contract;
  marketAddress: string;
  feedAddress: string;
  wethAddress: string;
  usdcAddress: string;
  reporter: Signer;
  traders: Trader[];
  opportunistEoa: string;
  feedDown: boolean;
  /** What the reporter pushes while the feed is up. */
  price: bigint;
  tick: number;
  whilePaused: { topUp: string[]; repay: string[] };
  inGrace: { liquidations: string[]; topUps: string[] };
  afterGrace: { liquidations: string[] };
  atRisk: number;
}

const PRICE = 2_000n * E18;
const CRASH_PRICE = 1_400n * E18;
const MAX_AGE = 10; // the market refuses older prices
const HEARTBEAT = 2; // the keeper's threshold (seconds without a report)
const GRACE = 12;
const COLLATERAL = 100n * E18;
const LTVS = [45n, 60n, 65n, 70n, 75n]; // % of the collateral value at 2,000
const OPP_COLLATERAL = 200n * E18;
const OPP_CHUNKS = [120_000n * E18, 120_000n * E18, 80_000n * E18];

function feedFreshInvariant(feed: string, heartbeat: number) {
  return defineInvariant({
    calls: [{ target: feed, signature: "updatedAt()" }],
    check(results, { block }) {
      const r = results[0]!;
      if (!r.success) return "feed updatedAt() reverted";
      const age = block.timestamp - Number(r.value as bigint);
      if (age <= heartbeat) return true;
      return { summary: `price feed not updated for ${age} s (heartbeat ${heartbeat} s): stale price`, details: { age, heartbeat }, target: feed };
    },
  });
}

async function succeeded(s: State, hashes: string[], provider: import("ethers").Provider): Promise<number> {
  let n = 0;
  for (const h of hashes) if ((await provider.getTransactionReceipt(h))?.status === 1) n++;
  void s;
  return n;
}

let providerRef: import("ethers").Provider | undefined;

const scenario: Scenario<State> = {
  id: "derivatives-oracle-failure",
  title: "Oracle failure under leveraged positions: paused entries, open exits, grace before liquidations",
  incidentClass: "oracle failure (stale feed) and the liquidation cascade it causes",
  reference: {
    incident: "Compound DAI oracle liquidations (Coinbase Pro price spike)",
    date: "2020-11-26",
    loss: "~$89M liquidated",
    url: "https://decrypt.co/49657/oracle-exploit-sees-100-million-liquidated-on-compound",
  },
  summary:
    "The price feed stalls at 2,000 while the market falls to 1,400. An opportunist borrows against the stale price; the keeper's feed-age invariant pauses BORROW. Repay and top-up keep working while paused. The guardian unpauses as the feed catches up; four leveraged positions are suddenly unhealthy, but the market refuses liquidations during the 12 s grace period, three users top up, and only the fourth is liquidated after the grace period.",
  warmupBlocks: 5,
  cooldownBlocks: 2,
  expectations: {
    containWithinBlocks: 3,
    minSavedPct: 90,
    maxFalseAlarms: 0,
    custom: (score: DrillScore) => {
      const f = score.facts;
      const out: string[] = [];
      if (Number(f.liquidatedDuringGrace) !== 0) out.push(`${f.liquidatedDuringGrace} position(s) liquidated during the grace period`);
      if (Number(f.toppedUpWhilePaused) < 1) out.push("no top-up succeeded while BORROW was paused");
      if (Number(f.repaidWhilePaused) < 1) out.push("no repay succeeded while BORROW was paused");
      if (Number(f.toppedUpDuringGrace) < 1) out.push("no user topped up during the grace period");
      if (Number(f.liquidationAttemptsRefusedInGrace) < 1) out.push("the liquidation bot never tried during the grace period (the drill did not test it)");
      return out;
    },
  },

  async setup(chain, actors) {
    // On a fork too: its own (deliberately vulnerable) contracts are deployed into the fork by a local key.
    providerRef = chain.ethers.provider;
    const admin = actors.localDeployer;
    const adminAddress = await admin.getAddress();
    const reporter = actors.guardians[0]!; // the oracle operator's key
    const weth = await deploy(chain, "TestToken", ["Drill WETH", "dWETH", 18], admin);
    const usdc = await deploy(chain, "TestToken", ["Drill USDC", "dUSDC", 18], admin);
    const [wethAddress, usdcAddress] = [await weth.getAddress(), await usdc.getAddress()];
    const feed = await deploy(chain, "DrillPriceFeed", [await reporter.getAddress(), MAX_AGE, PRICE], admin);
    const feedAddress = await feed.getAddress();
    const market = await deploy(
      chain,
      "ProtectedLendingMarket",
      [wethAddress, usdcAddress, feedAddress, 80n * 10n ** 16n, 5n * 10n ** 16n, adminAddress, 7 * DAY, GRACE],
      admin,
    );
    const marketAddress = await market.getAddress();
    const loose = { maxCapacity: MAX_U96, window: DAY, minTvl: 0, mode: 0, settlementDelay: 0, inflowCredit: false };
    await mined(market.getFunction("setLimit")(usdcAddress, loose));
    await mined(market.getFunction("setLimit")(wethAddress, loose));
    await mined(market.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));

    const lender = actors.users[5]!;
    await mined(usdc.getFunction("mint")(await lender.getAddress(), 2_000_000n * E18));
    await mined((usdc.connect(lender) as Contract).getFunction("approve")(marketAddress, 2n ** 256n - 1n));
    await mined((market.connect(lender) as Contract).getFunction("supplyDebtLiquidity")(2_000_000n * E18));

    const traders: Trader[] = [];
    for (let i = 0; i < LTVS.length; i++) {
      const signer = actors.users[i]!;
      const address = await signer.getAddress();
      await mined(weth.getFunction("mint")(address, 200n * E18));
      await mined(usdc.getFunction("mint")(address, 50_000n * E18));
      for (const t of [weth, usdc]) await mined((t.connect(signer) as Contract).getFunction("approve")(marketAddress, 2n ** 256n - 1n));
      await mined((market.connect(signer) as Contract).getFunction("depositCollateral")(COLLATERAL));
      const debt = (COLLATERAL * PRICE * LTVS[i]!) / 100n / E18;
      // Setup mines one block (>= 1 s) per transaction: keep the feed fresh for the borrow.
      await mined((feed.connect(reporter) as Contract).getFunction("report")(PRICE));
      await mined((market.connect(signer) as Contract).getFunction("borrow")(debt));
      // Positions 1..3 (60–70% LTV) top up during the grace period; the 75% one does not.
      traders.push({ signer, address, debt, topsUpInGrace: i >= 1 && i <= 3 });
    }
    const opp = actors.attackers[0]!;
    const opportunistEoa = await opp.getAddress();
    await mined(weth.getFunction("mint")(opportunistEoa, OPP_COLLATERAL));
    await mined((weth.connect(opp) as Contract).getFunction("approve")(marketAddress, 2n ** 256n - 1n));
    const bot = actors.attackers[1]!;
    await mined(usdc.getFunction("mint")(await bot.getAddress(), 1_000_000n * E18));
    await mined((usdc.connect(bot) as Contract).getFunction("approve")(marketAddress, 2n ** 256n - 1n));
    // Last setup transaction: a fresh report, so the keeper's first block sees a live feed.
    await mined((feed.connect(reporter) as Contract).getFunction("report")(PRICE));
    return {
      market, feed, weth, usdc, marketAddress, feedAddress, wethAddress, usdcAddress, reporter, traders, opportunistEoa,
      feedDown: false, price: PRICE, tick: 0, whilePaused: { topUp: [], repay: [] }, inGrace: { liquidations: [], topUps: [] }, afterGrace: { liquidations: [] }, atRisk: 0,
    };
  },

  keeper(s) {
    return {
      breaker: s.marketAddress,
      named: { market: s.marketAddress, feed: s.feedAddress },
      detectionRules: ["price-feed-stale"],
      rules: [
        {
          id: "price-feed-stale",
          description: "The collateral price feed missed its heartbeat: the price the market serves is stale.",
          severity: "P1",
          action: "pause",
          act: true,
          cooldown: { blocks: 30 },
          pause: { scope: "BORROW", durationSeconds: HOUR },
          detector: { kind: "invariant", invariant: { type: "custom", definition: feedFreshInvariant(s.feedAddress, HEARTBEAT) } },
        },
        pausedAlertRule("market-paused", "$market"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.usdc.getFunction("balanceOf")(s.marketAddress)) as bigint,
  unit: () => ({ symbol: "dUSDC", decimals: 18 }),

  async background(s, ctx) {
    // The reporter pushes a price every block (small noise) — until the outage.
    const i = s.tick++;
    if (!s.feedDown) {
      const p = s.price + BigInt((i % 3) - 1) * 2n * E18;
      await ctx.send("benign", () => (s.feed.connect(s.reporter) as Contract).getFunction("report")(p), "feed report");
    }
  },

  async attack(s, ctx) {
    const opp = ctx.actors.attackers[0]!;
    const bot = ctx.actors.attackers[1]!;
    const gas = { gasLimit: 400_000 };
    const m = (signer: Signer) => s.market.connect(signer) as Contract;
    const provider = ctx.chain.ethers.provider;

    // ---- the outage: no more reports; the real price falls to 1,400
    s.feedDown = true;
    ctx.record.note("the price feed stops reporting (outage) at 2,000 while the market falls to 1,400");
    // The opportunist, like the keeper, waits to see a missed heartbeat before it moves.
    await ctx.nextBlock();
    await ctx.send("malicious", () => m(opp).getFunction("depositCollateral")(OPP_COLLATERAL, gas), "opportunist deposits 200 dWETH (worth 280k, valued 400k by the stale feed)");
    await ctx.nextBlock();
    for (const c of OPP_CHUNKS) {
      await ctx.send("malicious", () => m(opp).getFunction("borrow")(c, gas), `opportunist borrows ${c / E18} against the stale price`);
      await ctx.nextBlock();
    }

    // ---- paused: repay and top-up still work
    const [t0, t4] = [s.traders[0]!, s.traders[4]!];
    const up = await ctx.send("benign", () => m(t4.signer).getFunction("depositCollateral")(5n * E18, gas), "top-up while BORROW is paused");
    const rp = await ctx.send("benign", () => m(t0.signer).getFunction("repay")(10_000n * E18, gas), "repay while BORROW is paused");
    if (up) s.whilePaused.topUp.push(up);
    if (rp) s.whilePaused.repay.push(rp);
    await ctx.nextBlock();

    // ---- recovery: the guardian unpauses and, in the same block (after it), the feed catches up.
    // The grace after a pause never outlasts the pause (issue 11): hold BORROW at least GRACE s.
    const deployer = ctx.actors.deployer;
    const scope = ctx.chain.ethers.id("breakwater.scope.BORROW");
    const [, pausedSince] = (await s.market.getFunction("restrictionOf")(0, scope)) as [bigint, bigint];
    for (;;) {
      const blk = await provider.getBlock("latest");
      if (!blk || blk.timestamp >= Number(pausedSince) + GRACE) break;
      await ctx.nextBlock();
    }
    ctx.record.note("guardian unpauses BORROW (grace period starts) and the feed catches up at 1,400 in the same block");
    await ctx.send("benign", () => (s.market.connect(deployer) as Contract).getFunction("unpause")(scope, { gasLimit: 200_000, maxPriorityFeePerGas: 100n * 10n ** 9n, maxFeePerGas: 3_000n * 10n ** 9n }), "guardian: unpause BORROW");
    await ctx.send("benign", () => (s.feed.connect(s.reporter) as Contract).getFunction("report")(CRASH_PRICE, { gasLimit: 100_000 }), "feed recovers: 1,400");
    s.price = CRASH_PRICE;
    await ctx.nextBlock();
    s.feedDown = false; // the reporter is back: background reports every block again

    const atRisk: Trader[] = [];
    for (const t of s.traders) if (((await s.market.getFunction("healthFactor")(t.address)) as bigint) < E18) atRisk.push(t);
    s.atRisk = atRisk.length;
    ctx.record.note(`${atRisk.length} positions unhealthy at the recovered price; liquidations wait for the grace period`);

    // ---- grace period: the bot tries every block, users top up
    const graceEnd = Number(await s.market.getFunction("pausedUntil")(scope)) + GRACE;
    let k = 0;
    while (true) {
      const blk = await provider.getBlock("latest");
      if (!blk || blk.timestamp + 1 >= graceEnd) break;
      for (const t of atRisk) {
        if (((await s.market.getFunction("healthFactor")(t.address)) as bigint) >= E18) continue;
        const h = await ctx.send("benign", () => m(bot).getFunction("liquidate")(t.address, t.debt / 2n, gas), "bot: liquidation attempt during the grace period");
        if (h) s.inGrace.liquidations.push(h);
      }
      const t = atRisk.filter((x) => x.topsUpInGrace)[k++];
      if (t) {
        const h = await ctx.send("benign", () => m(t.signer).getFunction("depositCollateral")(50n * E18, gas), "user tops up during the grace period");
        if (h) s.inGrace.topUps.push(h);
      }
      await ctx.nextBlock();
    }
    await ctx.nextBlock();
    // ---- after the grace period: liquidations resume (fair: users had time)
    for (const t of atRisk) {
      if (((await s.market.getFunction("healthFactor")(t.address)) as bigint) >= E18) continue;
      const h = await ctx.send("benign", () => m(bot).getFunction("liquidate")(t.address, t.debt / 2n, gas), "bot: liquidation after the grace period");
      if (h) s.afterGrace.liquidations.push(h);
    }
    await ctx.nextBlock();
  },

  async measure(s, { before }) {
    // Lost: the opportunist's bad debt at the real (recovered) price.
    const [collateral, debt] = (await s.market.getFunction("positionOf")(s.opportunistEoa)) as [bigint, bigint];
    const value = (collateral * CRASH_PRICE) / E18;
    return { fundsAtRisk: before, fundsLost: debt > value ? debt - value : 0n };
  },

  async facts(s) {
    const p = providerRef!;
    const liquidatedDuringGrace = await succeeded(s, s.inGrace.liquidations, p);
    const [, oppDebt] = (await s.market.getFunction("positionOf")(s.opportunistEoa)) as [bigint, bigint];
    return {
      positionsAtRiskDuringPause: s.atRisk,
      liquidationAttemptsRefusedInGrace: s.inGrace.liquidations.length - liquidatedDuringGrace,
      liquidatedDuringGrace,
      toppedUpDuringGrace: await succeeded(s, s.inGrace.topUps, p),
      liquidatedAfterGrace: await succeeded(s, s.afterGrace.liquidations, p),
      toppedUpWhilePaused: await succeeded(s, s.whilePaused.topUp, p),
      repaidWhilePaused: await succeeded(s, s.whilePaused.repay, p),
      opportunistDebt: (oppDebt / E18).toString() + " dUSDC",
      opportunistMaxWithoutPause: "320,000 dUSDC against 280,000 of real collateral value",
    };
  },
};

export default scenario;
