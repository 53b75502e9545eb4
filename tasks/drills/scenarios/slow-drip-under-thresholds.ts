// Drill: slow drip under per-transaction thresholds — a rewards reservoir leaking claim by claim.
//
// Modelled on Compound's Proposal 062 bug (2021-09-29, ~$80M of COMP distributed in error): a
// faulty upgrade of the Comptroller's reward accounting let accounts claim COMP they were not
// owed. No single claim looked abnormal — the reservoir leaked through many ordinary-looking
// claimComp() calls over days, and governance could not stop it faster than its 7-day timelock.
// Reference: https://compound.finance/governance/proposals/62
//
// Here: DrillRewardsDistributor (contracts/examples/drills) holds 1,000,000 RWD and integrates the
// inline breaker. A comparison bug lets an eligible account claim its entitlement again every
// block. Honest users claim once (400 RWD, 0.04%). The attacker's four eligible accounts claim
// 2,500 RWD each, every block: 1% of the reservoir per block, each claim a quarter of the 1%
// per-claim alert threshold. The keeper's statistic detector (EWMA of the per-block outflow share
// against its robust baseline; act: pause) catches the sustained outflow within a few blocks.
import { Contract, type Signer } from "ethers";
import type { Scenario } from "../types.js";
import { ATTACK_GAS, DAY, deploy, E18, HOUR, mined, OPEN_LIMIT, SCOPE, pausedAlertRule, sustainedOutflowRule } from "../helpers.js";

interface State {
  dist: Contract;
  token: Contract;
  distAddress: string;
  tokenAddress: string;
  users: { signer: Signer; address: string }[];
  attackers: string[];
  attackerStart: bigint;
  legit: bigint;
  tick: number;
}

const RESERVE = 1_000_000n * E18;
const USER_ENTITLEMENT = 400n * E18;
const ATTACKER_ENTITLEMENT = 2_500n * E18;
const DRIP_BLOCKS = 12;

const CLAIMED_SIG = "Claimed(address indexed account, uint256 amount, uint64 epoch)";


const scenario: Scenario<State> = {
  id: "slow-drip-under-thresholds",
  title: "Slow drip under per-transaction thresholds (reward reservoir)",
  incidentClass: "many small withdrawals, each below per-tx alert thresholds",
  reference: {
    incident: "Compound Proposal 062 COMP distribution bug",
    date: "2021-09-29",
    loss: "~$80M of COMP distributed in error",
    url: "https://compound.finance/governance/proposals/62",
  },
  summary:
    "A claim bug lets eligible accounts re-claim every block. The attacker's four accounts each claim 2,500 RWD (0.25% of the reservoir; the per-claim alert is at 1%) every block: a 1%-per-block drip. The keeper's outflow statistic (EWMA vs robust baseline, act: pause) trips within a few blocks and the sentinel pauses the reservoir.",
  warmupBlocks: 12,
  cooldownBlocks: 3,
  expectations: { minSavedPct: 90, maxFalseAlarms: 0, containWithinBlocks: 5 },

  async setup(chain, actors) {
    const admin = actors.deployer;
    const token = await deploy(chain, "TestToken", ["Reward", "RWD", 18], admin);
    const dist = await deploy(chain, "DrillRewardsDistributor", [await token.getAddress(), await admin.getAddress(), 7 * DAY, DAY], admin);
    const distAddress = await dist.getAddress();
    const tokenAddress = await token.getAddress();
    await mined(dist.getFunction("setLimit")(tokenAddress, OPEN_LIMIT));
    await mined(dist.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));
    await mined(token.getFunction("mint")(distAddress, RESERVE));
    const users = await Promise.all(actors.users.map(async (signer) => ({ signer, address: await signer.getAddress() })));
    for (const u of users) await mined(dist.getFunction("setEntitlement")(u.address, USER_ENTITLEMENT));
    const attackers = await Promise.all(actors.attackers.map((a) => a.getAddress()));
    for (const a of attackers) await mined(dist.getFunction("setEntitlement")(a, ATTACKER_ENTITLEMENT));
    let attackerStart = 0n;
    for (const a of attackers) attackerStart += (await token.getFunction("balanceOf")(a)) as bigint;
    return { dist, token, distAddress, tokenAddress, users, attackers, attackerStart, legit: ATTACKER_ENTITLEMENT * BigInt(attackers.length), tick: 0 };
  },

  keeper(s) {
    return {
      breaker: s.distAddress,
      named: { reservoir: s.distAddress, reward: s.tokenAddress },
      detectionRules: ["sustained-outflow", "large-claim", "outflow-spike"],
      rules: [
        sustainedOutflowRule("$reward", "$reservoir"),
        {
          id: "large-claim",
          description: "One claim above 1% of the reservoir",
          severity: "P1",
          action: "pause",
          act: true,
          pause: { scope: "GLOBAL", durationSeconds: HOUR },
          detector: { kind: "matcher", addresses: ["$reservoir"], events: [{ signature: CLAIMED_SIG, where: { arg: "amount", op: "gt", value: "10000e18" } }] },
        },
        {
          id: "outflow-spike",
          severity: "P2",
          action: "alert",
          cooldown: { blocks: 20 },
          detector: { kind: "statistic", token: "$reward", holder: "$reservoir", window: 20, warmupBlocks: 10, spikeShare: 0.05, minShare: 1 },
        },
        pausedAlertRule("reservoir-paused", "$reservoir"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.token.getFunction("balanceOf")(s.distAddress)) as bigint,
  unit: () => ({ symbol: "RWD", decimals: 18 }),

  async background(s, ctx) {
    // Honest users claim their entitlement once each, one per block.
    const i = s.tick++;
    if (i >= s.users.length) return;
    const u = s.users[i]!;
    await ctx.send("benign", () => (s.dist.connect(u.signer) as Contract).getFunction("claim")(ATTACK_GAS), "honest claim (400)");
  },

  async attack(s, ctx) {
    ctx.record.note("the attacker's four eligible accounts re-claim 2,500 RWD each, every block (1% of the reservoir per block)");
    for (let b = 0; b < DRIP_BLOCKS; b++) {
      for (const a of ctx.actors.attackers) {
        await ctx.send("malicious", () => (s.dist.connect(a) as Contract).getFunction("claim")(ATTACK_GAS), `re-claim 2,500 (block ${b + 1} of the drip)`);
      }
      await ctx.nextBlock();
    }
  },

  async measure(s, { before }) {
    let now = 0n;
    for (const a of s.attackers) now += (await s.token.getFunction("balanceOf")(a)) as bigint;
    const gained = now - s.attackerStart;
    // The first claim of each account was owed: only the re-claims are a loss.
    return { fundsAtRisk: before, fundsLost: gained > s.legit ? gained - s.legit : 0n };
  },

  async facts(s) {
    return {
      reservoir: s.distAddress,
      reward: s.tokenAddress,
      perClaim: "2,500 RWD (0.25% of the reservoir; per-claim alert threshold 1%)",
      pausedAtEnd: ((await s.dist.getFunction("isPaused")(SCOPE.GLOBAL)) as boolean) ? "yes" : "no",
    };
  },
};

export default scenario;
