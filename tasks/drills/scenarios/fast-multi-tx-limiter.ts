// Drill: a fast multi-transaction attack that lands before detection can react — the limiter's job.
//
// Modelled on Radiant Capital (2024-01-02, ~$4.5M / ~1,900 ETH on Arbitrum): minutes after the
// new native-USDC market went live, the attacker inflated its liquidity index with flash loans and
// exploited a rounding step in rayDiv on deposit/withdraw, in a handful of transactions a few
// seconds apart — faster than anyone could pause. (Not the 2024-10-16 Radiant incident, a $50M
// multisig key compromise.) Report: https://cointelegraph.com/news/radiant-capital-lending-protocol-flash-loan-attack-arbitrum
//
// Here: RoundingVault (contracts/examples/drills) holds 1,000,000 dUSD of honest deposits in
// large share units (1 share = 1,000 dUSD at launch); withdraw() rounds the shares it burns DOWN,
// so withdrawing just under two shares' worth burns one. The attacker buys 300 shares in one
// block, then sends THREE drain transactions into the SAME next block (each loops the bug up to
// 100 times). The keeper's share-price-drop invariant sees the damage only when that block is
// mined: all three are already in. What saves the vault is the outflow limit (Revert mode,
// capacity = 10% of the honest TVL per hour): the first drain stops at the capacity, the next two
// get nothing. The keeper then pauses WITHDRAW and the attacker's follow-up reverts.
import { Contract } from "ethers";
import type { Scenario } from "../types.js";
import { DAY, deploy, E18, HOUR, mined, SCOPE, pausedAlertRule, outflowSpikeRule } from "../helpers.js";

interface State {
  vault: Contract;
  token: Contract;
  attacker: Contract;
  vaultAddress: string;
  tokenAddress: string;
  attackerAddress: string;
  attackerEoa: string;
  users: { signer: import("ethers").Signer; address: string }[];
  tick: number;
}

const UNIT = 1_000n * E18;
const HONEST_TVL = 1_000_000n * E18;
const LIMIT_SHARE_PCT = 10n;
const CAPITAL = 300_000n * E18;
const LOOPS = 100;

const scenario: Scenario<State> = {
  id: "fast-multi-tx-limiter",
  title: "Fast multi-tx attack within one block: what the limiter saves when detection is too late",
  incidentClass: "rounding bug exploited in a burst of transactions within seconds",
  reference: {
    incident: "Radiant Capital (native USDC market, Arbitrum)",
    date: "2024-01-02",
    loss: "~$4.5M",
    url: "https://cointelegraph.com/news/radiant-capital-lending-protocol-flash-loan-attack-arbitrum",
  },
  summary:
    "withdraw() rounds the shares it burns down; with 1,000-dUSD share units each call takes almost a share of other holders' money. The attacker buys 300 shares, then lands three drain transactions in the same block — before any keeper can see the first. The outflow limit (Revert, 10% of the honest TVL per hour) stops the first drain at the capacity and leaves nothing for the other two; the keeper's share-price-drop invariant then pauses WITHDRAW and a follow-up drain reverts.",
  warmupBlocks: 5,
  cooldownBlocks: 3,
  expectations: {
    maxLossPct: Number(LIMIT_SHARE_PCT),
    mustDetect: true,
    maxFalseAlarms: 0,
    custom: (score) => {
      const out: string[] = [];
      const drains = score.transactions.filter((t) => t.kind === "malicious" && t.note?.startsWith("drain"));
      const blocks = new Set(drains.map((t) => t.blockNumber));
      if (drains.length !== 3 || blocks.size !== 1 || blocks.has(null)) out.push(`the three drains did not land in one block (blocks: ${[...blocks].join(", ")})`);
      const after = score.transactions.filter((t) => t.kind === "malicious" && t.note?.startsWith("follow-up"));
      if (after.some((t) => t.success === true)) out.push("the follow-up drain after the pause succeeded");
      return out;
    },
  },

  async setup(chain, actors) {
    // On a fork too: its own (deliberately vulnerable) contracts are deployed into the fork by a local key.
    const admin = actors.localDeployer;
    const adminAddress = await admin.getAddress();
    const token = await deploy(chain, "TestToken", ["Drill USD", "dUSD", 18], admin);
    const tokenAddress = await token.getAddress();
    const vault = await deploy(chain, "RoundingVault", [tokenAddress, UNIT, adminAddress, 7 * DAY, HOUR], admin);
    const vaultAddress = await vault.getAddress();
    await mined(
      vault.getFunction("setLimit")(tokenAddress, {
        maxCapacity: (HONEST_TVL * LIMIT_SHARE_PCT) / 100n,
        window: HOUR,
        minTvl: 0,
        mode: 0,
        settlementDelay: 0,
        inflowCredit: true,
      }),
    );
    await mined(vault.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));
    const users = await Promise.all(actors.users.slice(0, 5).map(async (signer) => ({ signer, address: await signer.getAddress() })));
    for (const u of users) {
      await mined(token.getFunction("mint")(u.address, 300_000n * E18));
      await mined((token.connect(u.signer) as Contract).getFunction("approve")(vaultAddress, 2n ** 256n - 1n));
      await mined((vault.connect(u.signer) as Contract).getFunction("deposit")(HONEST_TVL / BigInt(users.length)));
    }
    const eoa = actors.attackers[0]!;
    const attacker = (await deploy(chain, "RoundingAttacker", [vaultAddress], eoa)) as Contract;
    const attackerAddress = await attacker.getAddress();
    await mined(token.getFunction("mint")(attackerAddress, CAPITAL));
    return { vault, token, attacker, vaultAddress, tokenAddress, attackerAddress, attackerEoa: await eoa.getAddress(), users, tick: 0 };
  },

  keeper(s) {
    return {
      breaker: s.vaultAddress,
      named: { vault: s.vaultAddress, asset: s.tokenAddress },
      detectionRules: ["unit-price-drop", "vault-outflow-spike"],
      rules: [
        {
          id: "unit-price-drop",
          description: "The value of one share fell more than 1% in one block: the vault is being drained.",
          severity: "P1",
          action: "pause",
          act: true,
          onError: "fail-closed",
          pause: { scope: "WITHDRAW", durationSeconds: HOUR },
          // Shares have 0 decimals: price one whole share.
          detector: { kind: "invariant", invariant: { type: "share-price-drop", vault: "$vault", maxDropBps: 100, decimals: 0 } },
        },
        outflowSpikeRule("vault-outflow-spike", "$asset", "$vault", 0.05),
        pausedAlertRule("vault-paused", "$vault"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.token.getFunction("balanceOf")(s.vaultAddress)) as bigint,
  unit: () => ({ symbol: "dUSD", decimals: 18 }),

  async background(s, ctx) {
    const i = s.tick++;
    const a = s.users[i % s.users.length]!;
    await ctx.send("benign", () => (s.vault.connect(a.signer) as Contract).getFunction("deposit")(2_000n * E18), "deposit 2 shares");
    if (!((await s.vault.getFunction("isPaused")(SCOPE.WITHDRAW)) as boolean)) {
      const b = s.users[(i + 2) % s.users.length]!;
      await ctx.send("benign", () => (s.vault.connect(b.signer) as Contract).getFunction("redeem")(1n), "redeem 1 share");
    }
  },

  async attack(s, ctx) {
    const eoa = ctx.actors.attackers[0]!;
    const attacker = s.attacker.connect(eoa) as Contract;
    const provider = ctx.chain.ethers.provider;
    await ctx.send("malicious", () => attacker.getFunction("deposit")(CAPITAL, { gasLimit: 300_000 }), "preparation: buy 300 shares");
    await ctx.nextBlock();
    ctx.record.note("three drain transactions sent back to back: they land in the same block");
    let nonce = await provider.getTransactionCount(s.attackerEoa, "pending");
    for (let k = 1; k <= 3; k++) {
      const n = nonce++;
      await ctx.send("malicious", () => attacker.getFunction("drain")(LOOPS, { gasLimit: 8_000_000, nonce: n }), `drain ${k}: up to ${LOOPS} rounding withdrawals`);
    }
    await ctx.nextBlock();
    await ctx.nextBlock();
    await ctx.send("malicious", () => attacker.getFunction("drain")(LOOPS, { gasLimit: 8_000_000 }), "follow-up drain after the keeper's pause");
    await ctx.nextBlock();
  },

  async measure(s) {
    // Lost: what the attacker holds now (tokens + its remaining shares at their current value)
    // over its capital. At risk: the honest deposits.
    const bal = async (a: string) => (await s.token.getFunction("balanceOf")(a)) as bigint;
    const shares = (await s.vault.getFunction("balanceOf")(s.attackerAddress)) as bigint;
    const claim = (await s.vault.getFunction("convertToAssets")(shares)) as bigint;
    const gain = (await bal(s.attackerAddress)) + (await bal(s.attackerEoa)) + claim - CAPITAL;
    return { fundsAtRisk: HONEST_TVL, fundsLost: gain > 0n ? gain : 0n };
  },

  async facts(s) {
    const shares = (await s.vault.getFunction("balanceOf")(s.attackerAddress)) as bigint;
    return {
      limit: `Revert mode, ${LIMIT_SHARE_PCT}% of the honest TVL per hour`,
      attackerSharesLeft: shares.toString(),
      attackerTokens: ((await s.token.getFunction("balanceOf")(s.attackerAddress)) as bigint / E18).toString() + " dUSD",
      wouldHaveLostWithoutLimit: "~230,000 dUSD (23% of the honest TVL: 3 x 100 rounding withdrawals; test/solidity/examples/DrillExploits.t.sol)",
      withdrawPausedAtEnd: ((await s.vault.getFunction("isPaused")(SCOPE.WITHDRAW)) as boolean) ? "yes" : "no",
    };
  },
};

export default scenario;
