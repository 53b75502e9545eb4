// Drill: reentrancy pool drain — a broken reentrancy lock lets a payout hook re-enter the pool.
//
// Modelled on the Curve Finance / Vyper exploits (2023-07-30, ~$70M across the alETH, msETH,
// pETH and CRV/ETH pools): Vyper 0.2.15–0.3.0 compiled `@nonreentrant("lock")` with a separate
// slot per function, so `remove_liquidity` — which sent ETH before reducing the LP supply — could
// be re-entered through `add_liquidity`, minting LP tokens at a deflated price. Each pool was hit
// by its own transactions, and copycats / white hats raced over several blocks.
// Write-up: https://rekt.news/curve-vyper-rekt/
//
// Here: ReentrantLpPool (contracts/examples/drills) holds 1,000,000 dTKN of honest liquidity and
// integrates the inline breaker. Its lock is keyed by function selector (the Vyper bug) and
// removeLiquidity pays out — through DrillHookToken's ERC-777-style receive hook — before it
// burns the shares. The attacker contract re-enters addLiquidity from the hook, once per
// transaction, one transaction per block (each strike skims ~2.4% of the pool). The keeper
// watches the pool's virtual price block to block (share-price-drop, as Curve's own monitoring
// tracks get_virtual_price) and pauses DEPOSIT — the smallest scope that stops the exploit:
// exits stay open, like Curve's kill switch that leaves remove_liquidity working.
import { Contract, type Signer } from "ethers";
import type { Scenario } from "../types.js";
import { ATTACK_GAS, deploy, DAY, E18, HOUR, mined, SCOPE, pausedAlertRule, outflowSpikeRule } from "../helpers.js";

interface State {
  pool: Contract;
  token: Contract;
  attacker: Contract;
  poolAddress: string;
  tokenAddress: string;
  attackerAddress: string;
  attackerEoa: string;
  capital: bigint;
  honestTvl: bigint;
  users: { signer: Signer; address: string }[];
  tick: number;
}

const HONEST_TVL = 1_000_000n * E18;
const SEED = 50_000n * E18; // the attacker's own liquidity per strike (~5% of the pool)
const CAPITAL = 1_100_000n * E18; // stands in for the flash loan (the Curve attackers used Balancer's)
const STRIKES = 8;

const scenario: Scenario<State> = {
  id: "reentrancy-pool-drain",
  title: "Reentrancy pool drain (broken reentrancy lock, payout before burn)",
  incidentClass: "reentrancy through a broken lock; multi-tx drain of an LP pool",
  reference: {
    incident: "Curve Finance pools / Vyper compiler reentrancy lock",
    date: "2023-07-30",
    loss: "~$70M",
    url: "https://rekt.news/curve-vyper-rekt/",
  },
  summary:
    "The pool's lock is per function (the Vyper 0.2.15–0.3.0 miscompilation) and removeLiquidity pays out through a receive hook before burning the LP shares. The attacker contract re-enters addLiquidity from the hook and mints LP at a deflated price, skimming ~2.4% of the pool per transaction, one strike per block. The keeper's share-price-drop invariant on the pool's virtual price fires on the first strike and the sentinel pauses DEPOSIT; every later strike reverts, and LPs can still withdraw.",
  warmupBlocks: 5,
  cooldownBlocks: 3,
  expectations: { containWithinBlocks: 1, minSavedPct: 90, maxFalseAlarms: 0 },

  async setup(chain, actors) {
    // On a fork too: its own (deliberately vulnerable) contracts are deployed into the fork by a local key.
    const admin = actors.localDeployer;
    const adminAddress = await admin.getAddress();
    const token = await deploy(chain, "DrillHookToken", ["Drill Token", "dTKN"], admin);
    const tokenAddress = await token.getAddress();
    const pool = await deploy(chain, "ReentrantLpPool", [tokenAddress, adminAddress, 7 * DAY, HOUR], admin);
    const poolAddress = await pool.getAddress();
    // Outflow limit: 20% of the pool per hour (Revert mode), inflows credit capacity back.
    await mined(
      pool.getFunction("setLimit")(tokenAddress, {
        maxCapacity: 200_000n * E18,
        window: HOUR,
        minTvl: 0,
        mode: 0,
        settlementDelay: 0,
        inflowCredit: true,
      }),
    );
    await mined(pool.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));

    const users = await Promise.all(actors.users.slice(0, 5).map(async (signer) => ({ signer, address: await signer.getAddress() })));
    for (const u of users) {
      await mined(token.getFunction("mint")(u.address, 300_000n * E18));
      await mined((token.connect(u.signer) as Contract).getFunction("approve")(poolAddress, 2n ** 256n - 1n));
      await mined((pool.connect(u.signer) as Contract).getFunction("addLiquidity")(HONEST_TVL / BigInt(users.length), u.address));
    }

    const eoa = actors.attackers[0]!;
    const attackerEoa = await eoa.getAddress();
    const attacker = (await deploy(chain, "PoolReentrancyAttacker", [poolAddress], eoa)) as Contract;
    const attackerAddress = await attacker.getAddress();
    await mined(token.getFunction("mint")(attackerAddress, CAPITAL));
    return {
      pool,
      token,
      attacker,
      poolAddress,
      tokenAddress,
      attackerAddress,
      attackerEoa,
      capital: CAPITAL,
      honestTvl: HONEST_TVL,
      users,
      tick: 0,
    };
  },

  keeper(s) {
    return {
      breaker: s.poolAddress,
      named: { pool: s.poolAddress, asset: s.tokenAddress },
      detectionRules: ["pool-virtual-price-drop", "pool-outflow-anomaly"],
      rules: [
        {
          id: "pool-virtual-price-drop",
          description: "The pool's virtual price (tokens per LP share) fell more than 0.5% in one block: LPs are being diluted.",
          severity: "P1",
          action: "pause",
          act: true,
          onError: "fail-closed",
          pause: { scope: "DEPOSIT", durationSeconds: HOUR },
          detector: { kind: "invariant", invariant: { type: "share-price-drop", vault: "$pool", maxDropBps: 50 } },
        },
        outflowSpikeRule("pool-outflow-anomaly", "$asset", "$pool", 0.03),
        pausedAlertRule("pool-paused", "$pool"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.token.getFunction("balanceOf")(s.poolAddress)) as bigint,
  unit: () => ({ symbol: "dTKN", decimals: 18 }),

  async background(s, ctx) {
    // An honest LP adds liquidity, another removes some; deposits stop once DEPOSIT is paused.
    const i = s.tick++;
    const paused = (await s.pool.getFunction("isPaused")(SCOPE.DEPOSIT)) as boolean;
    const a = s.users[i % s.users.length]!;
    if (!paused) {
      await ctx.send("benign", () => (s.pool.connect(a.signer) as Contract).getFunction("addLiquidity")(2_000n * E18, a.address), "add 2,000 liquidity");
    }
    const b = s.users[(i + 2) % s.users.length]!;
    const shares = (await s.pool.getFunction("balanceOf")(b.address)) as bigint;
    if (shares > 0n) {
      await ctx.send("benign", () => (s.pool.connect(b.signer) as Contract).getFunction("removeLiquidity")(shares / 200n, b.address), "remove 0.5% of a position");
    }
  },

  async attack(s, ctx) {
    const eoa = ctx.actors.attackers[0]!;
    const attacker = s.attacker.connect(eoa) as Contract;
    for (let i = 0; i < STRIKES; i++) {
      if (i === 0) ctx.record.note("attacker strikes: removeLiquidity → hook → re-entered addLiquidity, one strike per block");
      await ctx.send("malicious", () => attacker.getFunction("strike")(SEED, { gasLimit: 1_000_000 }), `strike ${i + 1}: re-enter addLiquidity from the payout hook`);
      await ctx.nextBlock();
    }
    await ctx.send("malicious", () => attacker.getFunction("cashOut")(ATTACK_GAS), "cash out");
    await ctx.nextBlock();
  },

  async measure(s, { before }) {
    // The attacker's gain over its capital (contract + EOA), in the pool's token.
    const bal = async (a: string) => (await s.token.getFunction("balanceOf")(a)) as bigint;
    const now = (await bal(s.attackerAddress)) + (await bal(s.attackerEoa));
    const gain = now - s.capital;
    return { fundsAtRisk: before, fundsLost: gain > 0n ? gain : 0n };
  },

  async facts(s) {
    return {
      pool: s.poolAddress,
      virtualPriceAtEnd: ((await s.pool.getFunction("virtualPrice")()) as bigint).toString(),
      depositPausedAtEnd: ((await s.pool.getFunction("isPaused")(SCOPE.DEPOSIT)) as boolean) ? "yes" : "no",
      withdrawOpenAtEnd: ((await s.pool.getFunction("isPaused")(SCOPE.WITHDRAW)) as boolean) ? "no" : "yes",
      strikesAttempted: STRIKES,
    };
  },
};

export default scenario;
