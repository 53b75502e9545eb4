// Drill: compromised admin keys — a takeover queued through the guardian multisig's slow path.
//
// Modelled on the Ronin bridge hack (2022-03-23, ~$625M): the attacker obtained 5 of the 9
// validator keys (4 Sky Mavis keys plus an Axie DAO allow-list signature left in place), enough
// for the bridge's threshold, and nobody noticed for six days.
// Post-mortem: https://roninchain.com/blog/posts/back-to-building-ronin-security-breach-6513cc78a5edc1001b03c364
//
// Here: a ProtectedVault (1M USDS) whose EMERGENCY / RECOVERY roles are held by a GuardianMultisig
// (5 guardians; slow path 3-of-5 with a 48 h delay; veto 2-of-5). The attacker holds 3 guardian
// keys and queues ChangeGuardians → its own addresses (with them, RECOVERY_ROLE over the vault:
// migrator, rescue, limits — everything). The keeper watches ActionQueued: a control-changing
// kind pauses the vault with the sentinel at once (the pause holds while people look) and pages
// the guardians; the two honest guardians veto within the delay window; the attacker's attempt
// to execute the takeover fails.
import { Contract, Wallet, hexlify, randomBytes, toBigInt, type Signer } from "ethers";
import type { Scenario } from "../types.js";
import { abi, ATTACK_GAS, at, DAY, deploy, E18, HOUR, mined, OPEN_LIMIT, SCOPE, pausedAlertRule } from "../helpers.js";
import { notABreakwaterVault } from "../helpers.js";

const ACTION_QUEUED_SIG =
  "ActionQueued(bytes32 indexed id, uint8 indexed kind, uint8 policyKind, address target, uint256 nonce, uint64 eta, address[] approvers)";
const CHANGE_GUARDIANS = 15;
/** effectiveThreshold(VETO): the veto quorum (GuardianActions.sol). */
const VETO = 255;
/** Slow-path kinds that change who controls the breaker or the multisig (GuardianActions.sol). */
const CONTROL_KINDS = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
/** queue() stores the action and its approvers (~470k gas). */
const BIG_GAS = { gasLimit: 1_500_000 };
const STATE_NAMES = ["None", "Queued", "Executed", "Vetoed", "Expired"];

interface State {
  /** Why the address book was not attached to, when it was not. */
  attachNote?: string;
  vault: Contract;
  token: Contract;
  multisig: Contract;
  vaultAddress: string;
  tokenAddress: string;
  multisigAddress: string;
  attached: boolean;
  guardiansBefore: string[];
  attackers: string[];
  attackerStart: bigint;
  users: { signer: Signer; address: string }[];
  actionId?: string;
  tick: number;
  /** The multisig's policy, read from the chain: approvals needed to queue ChangeGuardians
   * (the number of keys the attacker holds) and to veto it (the honest guardians' response). */
  slowThreshold: number;
  vetoThreshold: number;
  symbol: string;
  decimals: number;
}

const scenario: Scenario<State> = {
  id: "compromised-admin-key",
  title: "Compromised guardian keys queue a takeover (slow path, vetoed)",
  incidentClass: "private-key compromise of admin / multisig signers",
  reference: {
    incident: "Ronin bridge",
    date: "2022-03-23",
    loss: "~$625M",
    url: "https://roninchain.com/blog/posts/back-to-building-ronin-security-breach-6513cc78a5edc1001b03c364",
  },
  summary:
    "The attacker holds 3 of 5 guardian keys — the slow-path threshold — and queues ChangeGuardians to its own addresses (48 h delay). The keeper's matcher on ActionQueued pauses the vault with the sentinel in the next block and pages the guardians; the two honest guardians veto within the window; executing the takeover then fails.",
  warmupBlocks: 4,
  cooldownBlocks: 3,
  expectations: {
    containWithinBlocks: 1,
    minSavedPct: 90,
    maxFalseAlarms: 0,
    custom: (score) => {
      const out: string[] = [];
      if (score.facts.maliciousActionState !== "Vetoed") out.push(`the malicious ChangeGuardians action was not vetoed (state: ${score.facts.maliciousActionState ?? "unknown"})`);
      if (score.facts.guardiansUnchanged !== "yes") out.push("the guardian set changed");
      if (score.facts.pausedAtEnd !== "yes") out.push("the sentinel's pause did not hold to the end of the drill");
      return out;
    },
  },

  async setup(chain, actors) {
    const book = chain.addressBook?.contracts;
    // Attached: the book's admin (impersonated); else a local key deploys the scenario's own suite.
    let vault: Contract;
    let token: Contract;
    let multisig: Contract;
    let attached = false;
    const guardianAddrs = await Promise.all(actors.guardians.map((g) => g.getAddress()));
    let attachNote: string | undefined;
    const notVault = !book?.vault ? "the address book names no vault" : ((await notABreakwaterVault(chain, book.vault)) ?? (book.guardian ? null : "the address book names no guardian multisig"));
    if (book?.vault && notVault) attachNote = (`no: contracts.vault not used (${notVault}); deployed a fresh vault and multisig`);
    const deployer = !notVault ? actors.deployer : actors.localDeployer;
    if (book?.vault && book.guardian && !notVault) {
      vault = await at(chain, "ProtectedVault", book.vault);
      token = await at(chain, "TestToken", book.asset ?? String(await vault.getFunction("asset")()));
      multisig = await at(chain, "GuardianMultisig", book.guardian);
      attached = true;
      // The guardians the runner impersonated (address book roles) must be the multisig's.
      const onChain = ((await multisig.getFunction("guardians")()) as string[]).map((a) => a.toLowerCase());
      const missing = onChain.filter((a) => !guardianAddrs.some((g) => g.toLowerCase() === a));
      if (missing.length > 0) {
        throw new Error(`the address book's roles.guardians do not match the multisig ${book.guardian}'s guardians (missing ${missing.join(", ")})`);
      }
      // The multisig holds RECOVERY_ROLE (the deployer renounced): give the breaker the drill's
      // own sentinel key as the multisig (impersonated) — on the fork only.
      const asMultisig = await chain.impersonate(book.guardian);
      await mined((vault.connect(asMultisig) as Contract).getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));
    } else {
      token = await deploy(chain, "TestToken", ["USD Stable", "USDS", 18], deployer);
      vault = await deploy(chain, "ProtectedVault", [await token.getAddress(), "Protected USDS", "pUSDS", await deployer.getAddress(), 7 * DAY, DAY], deployer);
      multisig = await deploy(
        chain,
        "GuardianMultisig",
        [
          {
            guardians: guardianAddrs,
            fastThreshold: 1,
            slowThreshold: 3,
            slowDelay: 48 * HOUR,
            vetoThreshold: 2,
            heartbeatPeriod: 90 * DAY,
            managed: [await vault.getAddress()],
            overrides: [],
            allowedCalls: [],
          },
        ],
        deployer,
      );
      const v = vault.connect(deployer) as Contract;
      await mined(v.getFunction("setLimit")(await token.getAddress(), OPEN_LIMIT));
      await mined(v.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));
      // Hand the breaker roles to the multisig and renounce them (the reference deployment).
      const me = await deployer.getAddress();
      for (const role of ["EMERGENCY_ROLE", "RECOVERY_ROLE"]) {
        const r = (await v.getFunction(role)()) as string;
        await mined(v.getFunction("grantRole")(r, await multisig.getAddress()));
        await mined(v.getFunction("renounceRole")(r, me));
      }
    }
    const vaultAddress = await vault.getAddress();
    const tokenAddress = await token.getAddress();
    const users = await Promise.all(actors.users.slice(0, 8).map(async (signer) => ({ signer, address: await signer.getAddress() })));
    for (const u of users) {
      await mined((token.connect(deployer) as Contract).getFunction("mint")(u.address, 200_000n * E18));
      await mined((token.connect(u.signer) as Contract).getFunction("approve")(vaultAddress, 2n ** 256n - 1n));
      await mined((vault.connect(u.signer) as Contract).getFunction("deposit")(125_000n * E18, u.address));
    }
    const attackers = await Promise.all(actors.attackers.map((a) => a.getAddress()));
    const slowThreshold = Number(await multisig.getFunction("effectiveThreshold")(CHANGE_GUARDIANS));
    const vetoThreshold = Number(await multisig.getFunction("effectiveThreshold")(VETO));
    let attackerStart = 0n;
    for (const a of attackers) attackerStart += (await token.getFunction("balanceOf")(a)) as bigint;
    return {
      vault,
      token,
      multisig,
      vaultAddress,
      tokenAddress,
      multisigAddress: await multisig.getAddress(),
      attached,
      attachNote,
      guardiansBefore: ((await multisig.getFunction("guardians")()) as string[]).map(String),
      attackers,
      attackerStart,
      users,
      tick: 0,
      slowThreshold,
      vetoThreshold,
      symbol: String(await token.getFunction("symbol")()),
      decimals: Number(await token.getFunction("decimals")()),
    };
  },

  keeper(s) {
    return {
      breaker: s.vaultAddress,
      named: { vault: s.vaultAddress, asset: s.tokenAddress, guardian: s.multisigAddress },
      detectionRules: ["guardian-control-change-queued", "guardian-action-queued"],
      rules: [
        {
          id: "guardian-control-change-queued",
          description: "A slow-path action that changes who controls the breaker or the multisig was queued",
          severity: "P1",
          action: "pause",
          act: true,
          pause: { scope: "GLOBAL", durationSeconds: HOUR },
          detector: {
            kind: "matcher",
            addresses: ["$guardian"],
            events: [{ signature: ACTION_QUEUED_SIG, where: { arg: "kind", op: "in", value: CONTROL_KINDS } }],
            fingerprintBy: ["address", "arg:id"],
          },
        },
        {
          id: "guardian-action-queued",
          description: "Any slow-path guardian action queued: the guardians must review it within the delay",
          severity: "P3",
          action: "alert",
          detector: { kind: "matcher", addresses: ["$guardian"], events: [{ signature: ACTION_QUEUED_SIG }], fingerprintBy: ["address", "arg:id"] },
        },
        pausedAlertRule("vault-paused", "$vault"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.token.getFunction("balanceOf")(s.vaultAddress)) as bigint,
  unit: (s) => ({ symbol: s.symbol, decimals: s.decimals }),

  async background(s, ctx) {
    const i = s.tick++;
    const u = s.users[i % s.users.length]!;
    const v = s.vault.connect(u.signer) as Contract;
    if (i % 2 === 0) await ctx.send("benign", () => v.getFunction("deposit")(2_000n * E18, u.address, ATTACK_GAS), "deposit 2,000");
    else await ctx.send("benign", () => v.getFunction("withdraw")(1_500n * E18, u.address, u.address, ATTACK_GAS), "withdraw 1,500");
  },

  async attack(s, ctx) {
    // The attacker holds exactly the slow-path threshold of keys (3 of 5 on the default chain;
    // on a fork, whatever the deployed policy needs); the next `vetoThreshold` guardians are honest.
    const g = ctx.actors.guardians;
    const compromised = g.slice(0, s.slowThreshold);
    const honest = g.slice(s.slowThreshold, s.slowThreshold + s.vetoThreshold);
    if (compromised.length < s.slowThreshold) throw new Error(`the drill needs ${s.slowThreshold} guardian keys to queue ChangeGuardians; it has ${g.length}`);
    const ms = (x: Signer) => s.multisig.connect(x) as Contract;
    const newGuardians = [...s.attackers, Wallet.createRandom().address];
    const latest = await ctx.chain.ethers.provider.getBlock("latest");
    const action = {
      kind: CHANGE_GUARDIANS,
      target: s.multisigAddress,
      data: abi.encode(["address[]"], [newGuardians]),
      nonce: toBigInt(hexlify(randomBytes(16))),
      deadline: BigInt(latest!.timestamp + DAY),
    };
    const id = (await s.multisig.getFunction("hashAction")(action)) as string;
    s.actionId = id;
    const n = g.length;
    ctx.record.note(`attacker (${s.slowThreshold} of ${n} guardian keys) approves and queues ChangeGuardians → attacker addresses`);
    const queuer = compromised[compromised.length - 1]!;
    for (const [i, c] of compromised.slice(0, -1).entries()) {
      await ctx.send("malicious", () => ms(c).getFunction("approveHash")(id, ATTACK_GAS), `compromised guardian ${i + 1} approves the takeover`);
    }
    await ctx.send("malicious", () => ms(queuer).getFunction("queue")(action, [], BIG_GAS), `compromised guardian ${s.slowThreshold} queues ChangeGuardians (slow-path delay)`);
    await ctx.nextBlock();
    // Paged by the keeper, the honest guardians veto within the delay window.
    if (honest.length < s.vetoThreshold) {
      ctx.record.note(
        `the ${n - s.slowThreshold} honest guardian(s) cannot reach the veto threshold ${s.vetoThreshold}: with this policy ${s.slowThreshold} compromised keys cannot be vetoed`,
      );
    } else {
      ctx.record.note("honest guardians, paged by the keeper, veto the queued action");
      const vetoDigest = (await s.multisig.getFunction("hashVeto")(id)) as string;
      const submitter = honest[honest.length - 1]!;
      for (const h of honest.slice(0, -1)) {
        await ctx.send("benign", () => ms(h).getFunction("approveHash")(vetoDigest, ATTACK_GAS), "honest guardian approves the veto");
      }
      await ctx.send("benign", () => ms(submitter).getFunction("veto")(id, [], BIG_GAS), `honest guardian submits the veto (${s.vetoThreshold} of ${n})`);
    }
    await ctx.nextBlock();
    ctx.record.note("attacker tries to execute the takeover anyway");
    await ctx.send("malicious", () => ms(queuer).getFunction("executeQueued")(id, BIG_GAS), "attacker tries executeQueued(takeover)");
    await ctx.nextBlock();
  },

  async measure(s, { before }) {
    let now = 0n;
    for (const a of s.attackers) now += (await s.token.getFunction("balanceOf")(a)) as bigint;
    return { fundsAtRisk: before, fundsLost: now - s.attackerStart };
  },

  async facts(s) {
    const state = s.actionId ? Number(await s.multisig.getFunction("actionState")(s.actionId)) : 0;
    const guardians = ((await s.multisig.getFunction("guardians")()) as string[]).map(String);
    return {
      vault: s.vaultAddress,
      guardianMultisig: s.multisigAddress,
      attachedToAddressBook: s.attached ? "yes" : (s.attachNote ?? "no (deployed fresh)"),
      guardianPolicy: `ChangeGuardians ${s.slowThreshold}-of-${s.guardiansBefore.length}, veto ${s.vetoThreshold}`,
      maliciousActionId: s.actionId ?? "",
      maliciousActionState: STATE_NAMES[state] ?? String(state),
      guardiansUnchanged: guardians.join() === s.guardiansBefore.join() ? "yes" : "no",
      pausedAtEnd: ((await s.vault.getFunction("isPaused")(SCOPE.GLOBAL)) as boolean) ? "yes" : "no",
    };
  },
};

export default scenario;
