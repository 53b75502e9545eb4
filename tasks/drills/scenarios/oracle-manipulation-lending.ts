// Drill: oracle manipulation through an AMM spot price, then borrowing against the inflated collateral.
//
// Modelled on Mango Markets (2022-10-11, ~$114M): the attacker pumped MNGO ~10x on the thin spot
// markets the oracle read, then borrowed everything the protocol held against the inflated
// collateral. The same class hit many lending markets that priced collateral off an AMM's spot
// reserves. Write-up: https://rekt.news/mango-markets-rekt/
//
// Here: a REAL Uniswap V2 pair (the compiled @uniswap/v2-core factory creates it) holds
// 1,000,000 dMNGO / 1,000,000 dUSDC; UniV2SpotOracle (contracts/examples/drills) prices dMNGO off
// its current reserves (the vulnerability); ProtectedLendingMarket (contracts/examples) lends
// 2,000,000 dUSDC against dMNGO at a 75% collateral factor. In one block the attacker swaps 1M
// dUSDC into the pair (dMNGO ~4x), deposits 250k dMNGO and borrows 300k; it plans two more
// borrows in the next blocks. The keeper evaluates the oracle every block and flags a move of
// more than 20% from one block to the next — what a team would alert on for a collateral price —
// and pauses BORROW; the later borrows revert. (A matcher on large Swap events on the pair
// alerts alongside.) Loss is measured as the bad debt the attacker leaves at the pre-attack price.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { Contract, ContractFactory } from "ethers";
import { defineInvariant } from "../../../keeper/detectors/index.js";
import type { Scenario } from "../types.js";
import { DAY, deploy, E18, HOUR, mined, MAX_U96, pausedAlertRule } from "../helpers.js";

interface State {
  market: Contract;
  oracle: Contract;
  pair: Contract;
  mngo: Contract;
  usdc: Contract;
  swapper: Contract;
  marketAddress: string;
  oracleAddress: string;
  pairAddress: string;
  mngoAddress: string;
  usdcAddress: string;
  swapperAddress: string;
  attackerEoa: string;
  fairPrice: bigint;
  users: { signer: import("ethers").Signer; address: string }[];
  tick: number;
}

const PAIR_SIDE = 1_000_000n * E18;
const LIQUIDITY = 2_000_000n * E18;
const PUMP = 1_000_000n * E18;
const ATTACK_COLLATERAL = 250_000n * E18;
const CHUNKS = [300_000n * E18, 300_000n * E18, 140_000n * E18];
const JUMP_BPS = 2_000; // 20% from one block to the next

const SWAP_SIG =
  "Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)";

function uniswapArtifact(name: "UniswapV2Factory" | "UniswapV2Pair"): { abi: unknown[]; bytecode: string } {
  const path = createRequire(import.meta.url).resolve(`@uniswap/v2-core/build/${name}.json`);
  const j = JSON.parse(readFileSync(path, "utf8")) as { abi: unknown[]; bytecode?: string; evm?: { bytecode: { object: string } } };
  const bytecode = j.bytecode ?? j.evm?.bytecode.object ?? "";
  return { abi: j.abi, bytecode: bytecode.startsWith("0x") ? bytecode : `0x${bytecode}` };
}

/** Oracle price must not move more than `maxJumpBps` between consecutive blocks (stateful per run). */
function priceJumpInvariant(oracle: string, maxJumpBps: number) {
  const history = new Map<number, bigint>();
  return defineInvariant({
    calls: [{ target: oracle, signature: "price()" }],
    check(results, { block }) {
      const r = results[0]!;
      if (!r.success) return "oracle price() reverted";
      const p = r.value as bigint;
      let prevBlock = -1;
      for (const n of history.keys()) if (n < block.number && n > prevBlock) prevBlock = n;
      history.set(block.number, p);
      for (const n of history.keys()) if (n < block.number - 64) history.delete(n);
      if (prevBlock < 0) return true;
      const prev = history.get(prevBlock)!;
      if (prev === 0n) return true;
      const moveBps = Number(((p > prev ? p - prev : prev - p) * 10_000n) / prev);
      if (moveBps <= maxJumpBps) return true;
      return {
        summary: `collateral oracle moved ${(moveBps / 100).toFixed(1)}% between blocks ${prevBlock} and ${block.number} (max ${maxJumpBps / 100}%)`,
        details: { previous: prev.toString(), current: p.toString(), moveBps },
        target: oracle,
      };
    },
  });
}

const scenario: Scenario<State> = {
  id: "oracle-manipulation-lending",
  title: "Oracle manipulation through a Uniswap V2 spot price, then borrowing against it",
  incidentClass: "price-oracle manipulation (AMM spot price) on a lending market",
  reference: { incident: "Mango Markets", date: "2022-10-11", loss: "~$114M", url: "https://rekt.news/mango-markets-rekt/" },
  summary:
    "The market prices dMNGO collateral from a real Uniswap V2 pair's spot reserves. The attacker swaps 1M dUSDC into the pair (dMNGO ~4x), deposits 250k dMNGO and borrows 300k dUSDC in the same block, planning two more borrows. The keeper's custom invariant sees the oracle jump >20% block to block and pauses BORROW; the later borrows revert. Loss = bad debt at the pre-attack price.",
  warmupBlocks: 5,
  cooldownBlocks: 3,
  expectations: { containWithinBlocks: 1, minSavedPct: 90, maxFalseAlarms: 0 },

  async setup(chain, actors) {
    // On a fork too: its own (deliberately vulnerable) contracts are deployed into the fork by a local key.
    const admin = actors.localDeployer;
    const adminAddress = await admin.getAddress();
    const mngo = await deploy(chain, "TestToken", ["Drill Mango", "dMNGO", 18], admin);
    const usdc = await deploy(chain, "TestToken", ["Drill USDC", "dUSDC", 18], admin);
    const [mngoAddress, usdcAddress] = [await mngo.getAddress(), await usdc.getAddress()];

    // The real Uniswap V2 factory; its createPair deploys the real pair bytecode.
    const f = uniswapArtifact("UniswapV2Factory");
    const factory = (await new ContractFactory(f.abi as never, f.bytecode, admin).deploy(adminAddress)) as unknown as Contract;
    await factory.waitForDeployment();
    await mined(factory.getFunction("createPair")(mngoAddress, usdcAddress));
    const pairAddress = (await factory.getFunction("getPair")(mngoAddress, usdcAddress)) as string;
    const pair = new Contract(pairAddress, uniswapArtifact("UniswapV2Pair").abi as never, admin);
    await mined(mngo.getFunction("mint")(pairAddress, PAIR_SIDE));
    await mined(usdc.getFunction("mint")(pairAddress, PAIR_SIDE));
    await mined(pair.getFunction("mint")(adminAddress));

    const oracle = await deploy(chain, "UniV2SpotOracle", [pairAddress, mngoAddress], admin);
    const oracleAddress = await oracle.getAddress();
    const market = await deploy(
      chain,
      "ProtectedLendingMarket",
      [mngoAddress, usdcAddress, oracleAddress, 75n * 10n ** 16n, 5n * 10n ** 16n, adminAddress, 7 * DAY, HOUR],
      admin,
    );
    const marketAddress = await market.getAddress();
    // Limits: registered for both tokens, deliberately loose (the drill is about detection).
    const loose = { maxCapacity: MAX_U96, window: DAY, minTvl: 0, mode: 0, settlementDelay: 0, inflowCredit: false };
    await mined(market.getFunction("setLimit")(usdcAddress, loose));
    await mined(market.getFunction("setLimit")(mngoAddress, loose));
    await mined(market.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));

    const swapper = await deploy(chain, "DrillPairSwapper", [], admin);
    const swapperAddress = await swapper.getAddress();

    // Lenders supply 2M dUSDC; users hold some dMNGO collateral and small loans.
    const users = await Promise.all(actors.users.slice(0, 4).map(async (signer) => ({ signer, address: await signer.getAddress() })));
    for (const u of users) {
      await mined(usdc.getFunction("mint")(u.address, LIQUIDITY));
      await mined(mngo.getFunction("mint")(u.address, 100_000n * E18));
      for (const t of [usdc, mngo]) {
        await mined((t.connect(u.signer) as Contract).getFunction("approve")(marketAddress, 2n ** 256n - 1n));
        await mined((t.connect(u.signer) as Contract).getFunction("approve")(swapperAddress, 2n ** 256n - 1n));
      }
      await mined((market.connect(u.signer) as Contract).getFunction("supplyDebtLiquidity")(LIQUIDITY / BigInt(users.length)));
      await mined((market.connect(u.signer) as Contract).getFunction("depositCollateral")(20_000n * E18));
      await mined((market.connect(u.signer) as Contract).getFunction("borrow")(5_000n * E18));
    }
    const eoa = actors.attackers[0]!;
    const attackerEoa = await eoa.getAddress();
    await mined(usdc.getFunction("mint")(attackerEoa, PUMP));
    await mined(mngo.getFunction("mint")(attackerEoa, ATTACK_COLLATERAL));
    await mined((usdc.connect(eoa) as Contract).getFunction("approve")(swapperAddress, 2n ** 256n - 1n));
    await mined((mngo.connect(eoa) as Contract).getFunction("approve")(marketAddress, 2n ** 256n - 1n));
    const fairPrice = (await oracle.getFunction("price")()) as bigint;
    return {
      market, oracle, pair, mngo, usdc, swapper,
      marketAddress, oracleAddress, pairAddress, mngoAddress, usdcAddress, swapperAddress,
      attackerEoa, fairPrice, users, tick: 0,
    };
  },

  keeper(s) {
    return {
      breaker: s.marketAddress,
      named: { market: s.marketAddress, oracle: s.oracleAddress, pair: s.pairAddress, debt: s.usdcAddress },
      detectionRules: ["collateral-price-jump", "large-swap-on-collateral-pair"],
      rules: [
        {
          id: "collateral-price-jump",
          description: "The collateral oracle moved more than 20% from one block to the next: manipulation or oracle failure.",
          severity: "P1",
          action: "pause",
          act: true,
          onError: "fail-closed",
          pause: { scope: "BORROW", durationSeconds: HOUR },
          detector: { kind: "invariant", invariant: { type: "custom", definition: priceJumpInvariant(s.oracleAddress, JUMP_BPS) } },
        },
        {
          id: "large-swap-on-collateral-pair",
          description: "A swap of more than 100k into the collateral's pricing pair.",
          severity: "P2",
          action: "alert",
          detector: {
            kind: "matcher",
            addresses: ["$pair"],
            events: [
              {
                signature: SWAP_SIG,
                where: { any: [{ arg: "amount0In", op: "gt", value: "100000e18" }, { arg: "amount1In", op: "gt", value: "100000e18" }] },
              },
            ],
          },
        },
        pausedAlertRule("market-paused", "$market"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.usdc.getFunction("balanceOf")(s.marketAddress)) as bigint,
  unit: () => ({ symbol: "dUSDC", decimals: 18 }),

  async background(s, ctx) {
    // Small two-way trading on the pair, and a user borrowing / repaying a little.
    const i = s.tick++;
    const u = s.users[i % s.users.length]!;
    const [tokenIn, amount] = i % 2 === 0 ? [s.usdcAddress, 2_000n * E18] : [s.mngoAddress, 2_000n * E18];
    await ctx.send("benign", () => (s.swapper.connect(u.signer) as Contract).getFunction("swapExactIn")(s.pairAddress, tokenIn, amount, 0, u.address), "swap 2,000 on the pair");
    const b = s.users[(i + 1) % s.users.length]!;
    await ctx.send("benign", () => (s.market.connect(b.signer) as Contract).getFunction("repay")(500n * E18), "repay 500");
  },

  async attack(s, ctx) {
    const eoa = ctx.actors.attackers[0]!;
    const provider = ctx.chain.ethers.provider;
    let nonce = await provider.getTransactionCount(s.attackerEoa, "pending");
    const gas = { gasLimit: 500_000 };
    ctx.record.note("attacker swaps 1M dUSDC into the pair (dMNGO ~4x), deposits collateral and borrows in the same block");
    const n1 = nonce++;
    await ctx.send("malicious", () => (s.swapper.connect(eoa) as Contract).getFunction("swapExactIn")(s.pairAddress, s.usdcAddress, PUMP, 0, s.attackerEoa, { ...gas, nonce: n1 }), "pump: swap 1,000,000 dUSDC into the pair");
    const n2 = nonce++;
    await ctx.send("malicious", () => (s.market.connect(eoa) as Contract).getFunction("depositCollateral")(ATTACK_COLLATERAL, { ...gas, nonce: n2 }), "deposit 250,000 dMNGO collateral");
    for (let k = 0; k < CHUNKS.length; k++) {
      const n = nonce++;
      await ctx.send("malicious", () => (s.market.connect(eoa) as Contract).getFunction("borrow")(CHUNKS[k]!, { ...gas, nonce: n }), `borrow ${CHUNKS[k]! / E18} dUSDC against the inflated price`);
      await ctx.nextBlock();
    }
  },

  async measure(s, { before }) {
    // At risk: the market's dUSDC when the attack starts. Lost: the bad debt the attacker leaves
    // at the pre-attack price (what the lenders lose when it walks away).
    const [collateral, debt] = (await s.market.getFunction("positionOf")(s.attackerEoa)) as [bigint, bigint];
    const value = (collateral * s.fairPrice) / E18;
    return { fundsAtRisk: before, fundsLost: debt > value ? debt - value : 0n };
  },

  async facts(s) {
    const [collateral, debt] = (await s.market.getFunction("positionOf")(s.attackerEoa)) as [bigint, bigint];
    return {
      pair: s.pairAddress,
      oraclePriceBefore: (Number(s.fairPrice) / 1e18).toFixed(4),
      oraclePriceAtEnd: (Number((await s.oracle.getFunction("price")()) as bigint) / 1e18).toFixed(4),
      attackerDebt: (debt / E18).toString() + " dUSDC",
      attackerCollateralAtFairPrice: ((collateral * s.fairPrice) / E18 / E18).toString() + " dUSDC",
      wouldHaveLostWithoutPause: "~498,000 dUSDC of bad debt (all three borrows: 740k against 250k dMNGO worth 250k)",
    };
  },
};

export default scenario;
