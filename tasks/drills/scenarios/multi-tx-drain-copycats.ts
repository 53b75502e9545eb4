// Drill: multi-transaction drain with copycats — broken message verification on a bridge.
//
// Modelled on the Nomad bridge hack (2022-08-01, ~$190M): a routine upgrade initialised the
// Replica's trusted root to 0x00, which is also the "root" of any message never proven. Every
// message therefore passed verification; after the first exploit transaction, hundreds of
// copycats replayed its calldata with their own address over the following hours.
// Post-mortem: https://medium.com/nomad-xyz-blog/nomad-bridge-hack-root-cause-analysis-875ad2e5aacd
//
// Here: DrillBridgeReplica (contracts/examples/drills) holds 1,000,000 bUSDC and integrates the
// inline breaker. Users bridge in and out (proven messages) every block. The attacker processes an
// unproven message for 2% of the bridge; then three copycats per block replay it for 5% each.
// The keeper matches `Process` events whose root is 0x00 (a message that was never proven) and
// pauses the bridge with its sentinel key in the next block; the copycats' replays revert.
import { Contract } from "ethers";
import type { Scenario } from "../types.js";
import { abi, ATTACK_GAS, deploy, at, DAY, E18, HOUR, mined, OPEN_LIMIT, SCOPE, ZERO32, pausedAlertRule, outflowSpikeRule } from "../helpers.js";

interface State {
  bridge: Contract;
  token: Contract;
  bridgeAddress: string;
  tokenAddress: string;
  attached: boolean;
  attackers: string[];
  attackerStart: bigint;
  users: { signer: import("ethers").Signer; address: string }[];
  proven: string[];
  tick: number;
  nonce: number;
}

const FIRST_DRAIN = 20_000n * E18; // ~2% of the bridge: Nomad's first tx took 100 WBTC
const COPYCAT_DRAIN = 50_000n * E18;
const COPYCATS_PER_BLOCK = 3;
const COPYCAT_BLOCKS = 3;

const PROCESS_SIG = "Process(bytes32 indexed messageHash, address indexed recipient, uint256 amount, bytes32 root)";

const scenario: Scenario<State> = {
  id: "multi-tx-drain-copycats",
  title: "Multi-tx bridge drain with copycats (broken message verification)",
  incidentClass: "broken message verification; copycat replays over several blocks",
  reference: {
    incident: "Nomad bridge",
    date: "2022-08-01",
    loss: "~$190M",
    url: "https://medium.com/nomad-xyz-blog/nomad-bridge-hack-root-cause-analysis-875ad2e5aacd",
  },
  summary:
    "The bridge accepts unproven messages (trusted root initialised to 0x00). The attacker withdraws 2% of the bridge with a forged message; three copycats per block then replay the exploit with their own address for 5% each. The keeper's matcher flags a Process event whose root is 0x00 and the sentinel pauses the bridge.",
  warmupBlocks: 5,
  cooldownBlocks: 4,
  expectations: { containWithinBlocks: 1, minSavedPct: 90, maxFalseAlarms: 0 },

  async setup(chain, actors) {
    const book = chain.addressBook?.contracts;
    // Attached: the book's admin (impersonated) configures the deployed bridge; else a local key deploys one.
    const admin = book?.bridgeReplica ? actors.deployer : actors.localDeployer;
    const adminAddress = await admin.getAddress();
    let bridge: Contract;
    let token: Contract;
    let attached = false;
    if (book?.bridgeReplica) {
      // Attach to the deployed bridge (fork): the admin is impersonated from the address book.
      bridge = await at(chain, "DrillBridgeReplica", book.bridgeReplica, admin);
      token = await at(chain, "TestToken", String(await bridge.getFunction("token")()), admin);
      attached = true;
    } else {
      token = await deploy(chain, "TestToken", ["Bridged USDC", "bUSDC", 18], admin);
      bridge = await deploy(chain, "DrillBridgeReplica", [await token.getAddress(), adminAddress, 7 * DAY, DAY], admin);
    }
    const bridgeAddress = await bridge.getAddress();
    const tokenAddress = await token.getAddress();
    await mined(bridge.getFunction("setLimit")(tokenAddress, OPEN_LIMIT));
    await mined(bridge.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));
    const balance = (await token.getFunction("balanceOf")(bridgeAddress)) as bigint;
    if (balance < 1_000_000n * E18) await mined(token.getFunction("mint")(bridgeAddress, 1_000_000n * E18 - balance));
    const root = "0x" + "ab".repeat(32);
    await mined(bridge.getFunction("commitRoot")(root));

    const users = await Promise.all(actors.users.slice(0, 6).map(async (signer) => ({ signer, address: await signer.getAddress() })));
    for (const u of users) {
      await mined(token.getFunction("mint")(u.address, 100_000n * E18));
      await mined((token.connect(u.signer) as Contract).getFunction("approve")(bridgeAddress, 2n ** 256n - 1n));
    }
    // Messages proven in advance: the legitimate traffic delivers one per block.
    const proven: string[] = [];
    for (let i = 0; i < 24; i++) {
      const msg = abi.encode(["uint256", "address", "uint256"], [1_000 + i, users[i % users.length]!.address, 800n * E18]);
      await mined(bridge.getFunction("prove")(msg, root));
      proven.push(msg);
    }
    const attackers = await Promise.all(actors.attackers.map((a) => a.getAddress()));
    let attackerStart = 0n;
    for (const a of attackers) attackerStart += (await token.getFunction("balanceOf")(a)) as bigint;
    return { bridge, token, bridgeAddress, tokenAddress, attached, attackers, attackerStart, users, proven, tick: 0, nonce: 9_000_000 };
  },

  keeper(s) {
    return {
      breaker: s.bridgeAddress,
      named: { bridge: s.bridgeAddress, asset: s.tokenAddress },
      detectionRules: ["unproven-message-processed", "bridge-outflow-anomaly"],
      rules: [
        {
          id: "unproven-message-processed",
          description: "A message was processed whose root is 0x00: it was never proven (Nomad).",
          severity: "P1",
          action: "pause",
          act: true,
          pause: { scope: "GLOBAL", durationSeconds: HOUR },
          detector: {
            kind: "matcher",
            addresses: ["$bridge"],
            events: [{ signature: PROCESS_SIG, where: { arg: "root", op: "eq", value: ZERO32 } }],
          },
        },
        outflowSpikeRule("bridge-outflow-anomaly", "$asset", "$bridge", 0.01),
        pausedAlertRule("bridge-paused", "$bridge"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.token.getFunction("balanceOf")(s.bridgeAddress)) as bigint,
  unit: () => ({ symbol: "bUSDC", decimals: 18 }),

  async background(s, ctx) {
    // One legitimate delivery (a proven message) and one deposit per block.
    const i = s.tick++;
    const msg = s.proven[i % s.proven.length]!;
    if (i < s.proven.length) {
      const u = s.users[i % s.users.length]!;
      await ctx.send("benign", () => (s.bridge.connect(u.signer) as Contract).getFunction("process")(msg, ATTACK_GAS), "deliver a proven message (800)");
    }
    const d = s.users[(i + 1) % s.users.length]!;
    await ctx.send("benign", () => (s.bridge.connect(d.signer) as Contract).getFunction("deposit")(1_000n * E18, 10, ATTACK_GAS), "bridge out 1,000");
  },

  async attack(s, ctx) {
    const [attacker, ...copycats] = ctx.actors.attackers;
    const forged = (to: string, amount: bigint) => abi.encode(["uint256", "address", "uint256"], [s.nonce++, to, amount]);
    ctx.record.note("attacker processes a forged (never proven) message for 20,000 bUSDC");
    await ctx.send(
      "malicious",
      () => (s.bridge.connect(attacker!) as Contract).getFunction("process")(forged(s.attackers[0]!, FIRST_DRAIN), ATTACK_GAS),
      "exploit: process() a forged message for 20,000",
    );
    await ctx.nextBlock();
    for (let round = 0; round < COPYCAT_BLOCKS; round++) {
      if (round === 0) ctx.record.note("copycats replay the exploit calldata with their own address");
      for (let c = 0; c < COPYCATS_PER_BLOCK; c++) {
        const who = copycats[c % copycats.length]!;
        const to = s.attackers[1 + (c % copycats.length)]!;
        await ctx.send(
          "malicious",
          () => (s.bridge.connect(who) as Contract).getFunction("process")(forged(to, COPYCAT_DRAIN), ATTACK_GAS),
          `copycat ${c + 1} replays the exploit for 50,000`,
        );
      }
      await ctx.nextBlock();
    }
  },

  async measure(s, { before }) {
    let now = 0n;
    for (const a of s.attackers) now += (await s.token.getFunction("balanceOf")(a)) as bigint;
    return { fundsAtRisk: before, fundsLost: now - s.attackerStart };
  },

  async facts(s) {
    return {
      bridge: s.bridgeAddress,
      asset: s.tokenAddress,
      attachedToAddressBook: s.attached ? "yes" : "no (deployed fresh)",
      pausedAtEnd: ((await s.bridge.getFunction("isPaused")(SCOPE.GLOBAL)) as boolean) ? "yes" : "no",
    };
  },
};

export default scenario;
