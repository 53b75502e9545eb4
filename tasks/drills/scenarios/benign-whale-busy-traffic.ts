// Drill: false-alarm control — a whale's legitimate exit in busy traffic must trip nothing.
//
// Why: a breaker that fires on legitimate activity is itself an outage, and teams disable
// monitors that cry wolf. Real cases: in March 2020 ("Black Thursday", 2020-03-12) MakerDAO's
// own emergency measures and Compound/Aave borrowing were stressed by legitimate mass
// deleveraging that looked like an attack; Bybit/Lido-style whale exits (tens of thousands of ETH
// leaving a pool in one transaction) routinely trigger naive TVL-drop alerts. The detectors that
// catch the drills above must not pause on such days.
// Reference: MakerDAO Black Thursday post-mortem, https://blog.makerdao.com/the-market-collapse-of-march-12-2020-how-it-impacted-makerdao/
//
// Here: a ProtectedVault with the act rules of the library (share price drop, assets covered,
// sustained outflow — the same statistic that catches the slow drip) watches a busy vault: four
// deposits / withdrawals per block, then a whale withdraws 45% of the TVL in one transaction and
// later deposits again. Expectation: no false alarm, the vault is never paused.
import { Contract, type Signer } from "ethers";
import type { Scenario } from "../types.js";
import { at, ATTACK_GAS, DAY, deploy, E18, HOUR, mined, OPEN_LIMIT, pausedAlertRule, sustainedOutflowRule } from "../helpers.js";
import { notABreakwaterVault } from "../helpers.js";

interface State {
  /** Why the address book was not attached to, when it was not. */
  attachNote?: string;
  vault: Contract;
  token: Contract;
  vaultAddress: string;
  tokenAddress: string;
  attached: boolean;
  symbol: string;
  decimals: number;
  whale: { signer: Signer; address: string };
  users: { signer: Signer; address: string }[];
  tick: number;
  whaleExitBlock?: number;
  startBlock: number;
}

const WHALE_DEPOSIT = 2_000_000n * E18;
const WHALE_EXIT = 1_200_000n * E18; // ~45% of the TVL in one transaction

const scenario: Scenario<State> = {
  id: "benign-whale-busy-traffic",
  title: "False-alarm control: whale exit in busy traffic",
  incidentClass: "benign: legitimate large withdrawal and busy traffic (false-positive control)",
  reference: {
    incident: "MakerDAO Black Thursday (legitimate mass deleveraging stressing monitors and emergency measures)",
    date: "2020-03-12",
    loss: "n/a (control scenario)",
    url: "https://blog.makerdao.com/the-market-collapse-of-march-12-2020-how-it-impacted-makerdao/",
  },
  summary:
    "Four deposits / withdrawals per block on a 2.6M USDS vault; a whale withdraws 1.2M (~45% of TVL) in one transaction and later deposits 600k back. The library's act rules (share-price drop, assets covered, sustained outflow) must not fire: no false alarm, the vault is never paused.",
  warmupBlocks: 12,
  cooldownBlocks: 10,
  expectations: {
    maxFalseAlarms: 0,
    mustDetect: false,
    custom: (score) => {
      const out: string[] = [];
      if (score.facts.pausedEvents !== 0) out.push(`the vault was paused ${score.facts.pausedEvents} time(s)`);
      if (score.facts.whaleExited !== "yes") out.push("the whale's withdrawal did not happen (the control did not play)");
      return out;
    },
  },

  async setup(chain, actors) {
    const book = chain.addressBook?.contracts;
    let vault: Contract;
    let token: Contract;
    let attached = false;
    let attachNote: string | undefined;
    const notVault = book?.vault ? await notABreakwaterVault(chain, book.vault) : "the address book names no vault";
    if (book?.vault && notVault) attachNote = (`no: contracts.vault not used (${notVault}); deployed a fresh vault`);
    const admin = !notVault ? actors.deployer : actors.localDeployer;
    if (book?.vault && !notVault) {
      // Fork: attach to the deployed vault and keep its limits as deployed (the control is about
      // the real configuration). Its RECOVERY_ROLE holder (the guardian multisig, per the address
      // book) is impersonated to give the breaker the drill's own sentinel key.
      vault = await at(chain, "ProtectedVault", book.vault);
      token = await at(chain, "TestToken", book.asset ?? String(await vault.getFunction("asset")()));
      attached = true;
      const recovery = chain.addressBook?.roles?.admin ?? book.guardian;
      if (!recovery) throw new Error("the address book names no admin / guardian holding the vault's RECOVERY_ROLE");
      const asRecovery = await chain.impersonate(recovery);
      await mined((vault.connect(asRecovery) as Contract).getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));
    } else {
      token = await deploy(chain, "TestToken", ["USD Stable", "USDS", 18], admin);
      vault = await deploy(chain, "ProtectedVault", [await token.getAddress(), "Protected USDS", "pUSDS", await admin.getAddress(), 7 * DAY, DAY], admin);
      await mined(vault.getFunction("setLimit")(await token.getAddress(), OPEN_LIMIT));
      await mined(vault.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));
    }
    const vaultAddress = await vault.getAddress();
    const tokenAddress = await token.getAddress();
    const all = await Promise.all(actors.users.map(async (signer) => ({ signer, address: await signer.getAddress() })));
    const [whale, ...users] = all;
    for (const u of all) {
      // On a fork the deployed limit may queue the whale's exit (Queue mode: paid out after the
      // settlement delay), so the whale holds its later re-deposit up front.
      const whaleMint = attached ? WHALE_DEPOSIT + WHALE_EXIT / 2n : WHALE_DEPOSIT;
      await mined((token.connect(admin) as Contract).getFunction("mint")(u.address, u === whale ? whaleMint : 200_000n * E18));
      await mined((token.connect(u.signer) as Contract).getFunction("approve")(vaultAddress, 2n ** 256n - 1n));
      await mined((vault.connect(u.signer) as Contract).getFunction("deposit")(u === whale ? WHALE_DEPOSIT : 60_000n * E18, u.address));
    }
    return {
      vault,
      token,
      vaultAddress,
      tokenAddress,
      attached,
      attachNote,
      whale: whale!,
      users,
      tick: 0,
      startBlock: await chain.ethers.provider.getBlockNumber(),
      symbol: String(await token.getFunction("symbol")()),
      decimals: Number(await token.getFunction("decimals")()),
    };
  },

  keeper(s) {
    return {
      breaker: s.vaultAddress,
      named: { vault: s.vaultAddress, asset: s.tokenAddress },
      rules: [
        {
          id: "share-price-drop",
          severity: "P1",
          action: "pause",
          act: true,
          onError: "fail-closed",
          pause: { scope: "GLOBAL", durationSeconds: HOUR },
          detector: { kind: "invariant", invariant: { type: "share-price-drop", vault: "$vault", maxDropBps: 100 } },
        },
        {
          id: "assets-covered",
          severity: "P1",
          action: "pause",
          act: true,
          pause: { scope: "WITHDRAW", durationSeconds: HOUR },
          detector: {
            kind: "invariant",
            invariant: { type: "balance-covers", token: "$asset", holder: "$vault", call: { target: "$vault", signature: "totalAssets()", returns: "uint256" } },
          },
        },
        sustainedOutflowRule("$asset", "$vault"),
        pausedAlertRule("vault-paused", "$vault"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.token.getFunction("balanceOf")(s.vaultAddress)) as bigint,
  unit: (s) => ({ symbol: s.symbol, decimals: s.decimals }),

  async background(s, ctx) {
    const i = s.tick++;
    // Busy traffic: two deposits and two withdrawals per block, 300–1,200 USDS each.
    for (let k = 0; k < 4; k++) {
      const u = s.users[(i * 4 + k) % s.users.length]!;
      const v = s.vault.connect(u.signer) as Contract;
      const amount = BigInt(300 + ((i * 7 + k * 13) % 10) * 100) * E18;
      if (k % 2 === 0) await ctx.send("benign", () => v.getFunction("deposit")(amount, u.address, ATTACK_GAS), "deposit");
      else await ctx.send("benign", () => v.getFunction("withdraw")(amount, u.address, u.address, ATTACK_GAS), "withdraw");
    }
    const w = s.vault.connect(s.whale.signer) as Contract;
    if (i === 14) {
      ctx.record.note("the whale withdraws 1,200,000 USDS (~45% of the TVL) in one transaction");
      await ctx.send("benign", () => w.getFunction("withdraw")(WHALE_EXIT, s.whale.address, s.whale.address, ATTACK_GAS), "whale exit 1,200,000");
      s.whaleExitBlock = await ctx.blockNumber();
    }
    if (i === 19) {
      ctx.record.note("the whale deposits 600,000 USDS back");
      await ctx.send("benign", () => w.getFunction("deposit")(WHALE_EXIT / 2n, s.whale.address, ATTACK_GAS), "whale deposit 600,000");
    }
  },

  async measure() {
    return { fundsAtRisk: 0n, fundsLost: 0n };
  },

  async facts(s) {
    const paused = await s.vault.queryFilter(s.vault.filters.Paused!(), s.startBlock);
    const whaleShares = (await s.vault.getFunction("balanceOf")(s.whale.address)) as bigint;
    return {
      vault: s.vaultAddress,
      attachedToAddressBook: s.attached ? "yes" : (s.attachNote ?? "no (deployed fresh)"),
      pausedEvents: paused.length,
      whaleExited: whaleShares < WHALE_DEPOSIT ? "yes" : "no",
    };
  },
};

export default scenario;
