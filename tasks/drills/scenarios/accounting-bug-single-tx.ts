// Drill: accounting bug drained in a single transaction — only the outflow limit can help.
//
// Modelled on Euler Finance (2023-03-13, ~$197M): `donateToReserves` (eIP-14) lowered an
// account's collateral without a liquidity check. The attacker levered up 10x with `mint`,
// donated collateral until the account was deeply insolvent, liquidated it from a second account
// at the maximum 20% discount, and withdrew the difference — one flash-loan transaction per
// market. Write-up: https://rekt.news/euler-rekt/
//
// Here: DonationLendingVault (contracts/examples/drills) holds 1,000,000 dDAI of honest deposits.
// No keeper can react inside a transaction, so the protection is the breaker's OUTFLOW LIMIT,
// shown in REVERT mode: capacity = 10% of the honest TVL per hour. Within one transaction the
// limiter nets inflows against outflows (the flash-loaned deposit credits its own withdrawal),
// so the attacker can take out its capital plus at most the remaining capacity; asking for more
// reverts the whole transaction (and the flash loan with it). The attacker here is careful: it
// reads availableCapacity() and takes exactly that. The keeper matches the Liquidation event
// that leaves a violator with debt and no collateral (bad debt — a liquidation that should never
// happen) and pauses BORROW (the `mint` leverage step) in the next block; a copycat's identical
// transaction two blocks later reverts.
import { Contract } from "ethers";
import type { Scenario } from "../types.js";
import { DAY, deploy, E18, HOUR, mined, pausedAlertRule, outflowSpikeRule } from "../helpers.js";

interface State {
  vault: Contract;
  token: Contract;
  vaultAddress: string;
  tokenAddress: string;
  attackers: { contract: Contract; eoa: string }[];
  honestTvl: bigint;
  users: { signer: import("ethers").Signer; address: string }[];
  tick: number;
}

const HONEST_TVL = 1_000_000n * E18;
const LIMIT_SHARE_PCT = 10n; // capacity = 10% of the honest TVL per hour
const CAPITAL = 3_000_000n * E18; // the flash loan

const LIQUIDATION_SIG =
  "Liquidation(address indexed liquidator, address indexed violator, uint256 repay, uint256 yield, uint256 debtLeft, uint256 collateralLeft)";

const scenario: Scenario<State> = {
  id: "accounting-bug-single-tx",
  title: "Accounting bug drained in one transaction (donate-to-reserves, self-liquidation)",
  incidentClass: "accounting bug exploited in a single flash-loan transaction",
  reference: { incident: "Euler Finance", date: "2023-03-13", loss: "~$197M", url: "https://rekt.news/euler-rekt/" },
  summary:
    "donateToReserves skips the health check. In ONE transaction the attacker deposits 3M dDAI of flash-loaned capital, levers up 10x, donates collateral to make itself insolvent, liquidates itself from a second account at a 20% discount and withdraws. No keeper can act inside that transaction: the breaker's outflow limit (Revert mode, 10% of the honest TVL per hour) caps what leaves at capital + remaining capacity. The keeper flags the bad-debt liquidation and pauses BORROW; a copycat's identical transaction reverts.",
  warmupBlocks: 5,
  cooldownBlocks: 3,
  expectations: {
    maxLossPct: Number(LIMIT_SHARE_PCT),
    mustDetect: true,
    maxFalseAlarms: 0,
    custom: (score) => {
      const out: string[] = [];
      const later = score.transactions.filter((t) => t.kind === "malicious" && t.note?.startsWith("copycat"));
      if (later.some((t) => t.success === true)) out.push("a later copycat transaction succeeded (expected it to be contained by the pause)");
      if (score.containedBlock === null) out.push("the keeper did not pause after the first transaction");
      return out;
    },
  },

  async setup(chain, actors) {
    // On a fork too: its own (deliberately vulnerable) contracts are deployed into the fork by a local key.
    const admin = actors.localDeployer;
    const adminAddress = await admin.getAddress();
    const token = await deploy(chain, "TestToken", ["Drill DAI", "dDAI", 18], admin);
    const tokenAddress = await token.getAddress();
    const vault = await deploy(chain, "DonationLendingVault", [tokenAddress, adminAddress, 7 * DAY, HOUR], admin);
    const vaultAddress = await vault.getAddress();
    await mined(
      vault.getFunction("setLimit")(tokenAddress, {
        maxCapacity: (HONEST_TVL * LIMIT_SHARE_PCT) / 100n,
        window: HOUR,
        minTvl: 0,
        mode: 0, // Revert
        settlementDelay: 0,
        inflowCredit: true,
      }),
    );
    await mined(vault.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));
    const users = await Promise.all(actors.users.slice(0, 5).map(async (signer) => ({ signer, address: await signer.getAddress() })));
    for (const u of users) {
      await mined(token.getFunction("mint")(u.address, 400_000n * E18));
      await mined((token.connect(u.signer) as Contract).getFunction("approve")(vaultAddress, 2n ** 256n - 1n));
      await mined((vault.connect(u.signer) as Contract).getFunction("deposit")(HONEST_TVL / BigInt(users.length)));
    }
    const attackers: State["attackers"] = [];
    for (const signer of actors.attackers.slice(0, 2)) {
      const contract = (await deploy(chain, "DonationAttacker", [vaultAddress], signer)) as Contract;
      await mined(token.getFunction("mint")(await contract.getAddress(), CAPITAL));
      attackers.push({ contract, eoa: await signer.getAddress() });
    }
    return { vault, token, vaultAddress, tokenAddress, attackers, honestTvl: HONEST_TVL, users, tick: 0 };
  },

  keeper(s) {
    return {
      breaker: s.vaultAddress,
      named: { vault: s.vaultAddress, asset: s.tokenAddress },
      detectionRules: ["bad-debt-liquidation", "vault-outflow-spike"],
      rules: [
        {
          id: "bad-debt-liquidation",
          description: "A liquidation left the violator with debt and no collateral: bad debt was created (Euler).",
          severity: "P1",
          action: "pause",
          act: true,
          pause: { scope: "BORROW", durationSeconds: HOUR },
          detector: {
            kind: "matcher",
            addresses: ["$vault"],
            events: [
              {
                signature: LIQUIDATION_SIG,
                where: { all: [{ arg: "debtLeft", op: "gt", value: 0 }, { arg: "collateralLeft", op: "eq", value: 0 }] },
              },
            ],
          },
        },
        outflowSpikeRule("vault-outflow-spike", "$asset", "$vault", 0.05),
        pausedAlertRule("vault-paused", "$vault"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.token.getFunction("balanceOf")(s.vaultAddress)) as bigint,
  unit: () => ({ symbol: "dDAI", decimals: 18 }),

  async background(s, ctx) {
    const i = s.tick++;
    const a = s.users[i % s.users.length]!;
    await ctx.send("benign", () => (s.vault.connect(a.signer) as Contract).getFunction("deposit")(1_000n * E18), "deposit 1,000");
    const b = s.users[(i + 3) % s.users.length]!;
    await ctx.send("benign", () => (s.vault.connect(b.signer) as Contract).getFunction("withdraw")(800n * E18), "withdraw 800");
  },

  async attack(s, ctx) {
    const [first, copycat] = s.attackers;
    const [eoa1, eoa2] = ctx.actors.attackers;
    ctx.record.note("one transaction: deposit 3M (flash loan) → mint 30M → donate → self-liquidate at 20% → withdraw capital + capacity");
    await ctx.send("malicious", () => (first!.contract.connect(eoa1!) as Contract).getFunction("exploit")(CAPITAL, true, { gasLimit: 1_500_000 }), "exploit: the whole Euler-style attack in one tx");
    await ctx.nextBlock();
    await ctx.nextBlock();
    ctx.record.note("a copycat replays the same transaction from its own contract");
    await ctx.send("malicious", () => (copycat!.contract.connect(eoa2!) as Contract).getFunction("exploit")(CAPITAL, true, { gasLimit: 1_500_000 }), "copycat: the same exploit two blocks later");
    await ctx.nextBlock();
  },

  async measure(s) {
    // At risk: the honest deposits. Lost: the attackers' gain over their (flash-loaned) capital.
    let gain = 0n;
    for (const a of s.attackers) {
      const eoa = (await s.token.getFunction("balanceOf")(a.eoa)) as bigint;
      const c = (await s.token.getFunction("balanceOf")(await a.contract.getAddress())) as bigint;
      gain += eoa + c - CAPITAL;
    }
    return { fundsAtRisk: s.honestTvl, fundsLost: gain > 0n ? gain : 0n };
  },

  async facts(s) {
    const cap = (await s.vault.getFunction("limitOf")(s.tokenAddress)) as { maxCapacity: bigint };
    return {
      mode: "Revert (the excess would revert the whole transaction; Queue mode would escrow it for a guardian veto)",
      limitCapacity: `${(cap.maxCapacity / E18).toString()} dDAI per hour (${LIMIT_SHARE_PCT}% of the honest TVL)`,
      wouldHaveLostWithoutLimit: "~989,000 dDAI (98.9% of the honest TVL: all the vault's cash)",
      badDebtLeft: ((await s.vault.getFunction("debtOf")(await s.attackers[0]!.contract.getAddress())) as bigint / E18).toString() + " dDAI",
    };
  },
};

export default scenario;
