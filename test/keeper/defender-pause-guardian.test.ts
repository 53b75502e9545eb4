// Migration from OpenZeppelin Defender, end to end: the Defender "Pause Guardian" setup (a Monitor
// on large transfers whose Action calls pause() through a Relayer) is imported with
// `--contain pauseGuardian` and runs as a keeper rule acting through a PauseGate, against a real
// `hardhat node` and the OpenZeppelin Wizard ERC20Pausable + AccessControl token whose
// PAUSER_ROLE the gate holds. A small transfer does nothing; a large one pauses the token in the
// keeper's next transaction; the gate's pause expires and anyone releases it.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Contract, type Wallet } from "ethers";
import { deployArtifact, startHardhatNode, TEST_KEYS, ROOT, type HardhatNode } from "./helpers/node.js";
import { until } from "./helpers/keeper.js";
import { Keeper } from "../../keeper/runtime.js";
import type { KeeperConfigInput } from "../../keeper/config/schema.js";
import { deployMulticall3 } from "../../keeper/source/multicall3.js";
import { createLogger } from "../../keeper/ops/log.js";
import { importMonitors } from "../../keeper/migrate/index.js";

const E18 = 10n ** 18n;
const HOUR = 3600;

describe("Defender Pause Guardian → keeper rule acting through a PauseGate (hardhat node)", function () {
  this.timeout(90_000);
  let node: HardhatNode;
  let admin: Wallet;
  let alice: Wallet;
  let sentinel: Wallet;

  before(async function () {
    node = await startHardhatNode();
    admin = node.wallet(0);
    alice = node.wallet(1);
    sentinel = node.wallet(3);
  });
  after(async function () {
    await node?.stop();
  });

  it("imports the Monitor + Action as a contain rule; a large transfer pauses the token through the gate", async function () {
    const multicall3 = await deployMulticall3(admin);
    const gate = (await deployArtifact(admin, "adapters/PauseGate.sol", "PauseGate", admin.address, sentinel.address, HOUR)) as Contract;
    const token = (await deployArtifact(admin, "test/WizardToken.sol", "WizardToken", admin.address, await gate.getAddress(), admin.address)) as Contract;
    const t = await token.getAddress();
    await (await gate.getFunction("registerPausable")(t, 86_400, true)).wait();
    await (await gate.getFunction("armSentinel")()).wait();
    await (await token.getFunction("mint")(alice.address, 10_000n * E18)).wait();

    // 1. Import the Defender monitor (the export names the protocol's token address).
    const exported = JSON.parse(readFileSync(join(ROOT, "test/keeper/fixtures/defender-pause-guardian.json"), "utf8"));
    exported.addressRules[0].addresses = [t];
    const { rules, reports } = importMonitors(exported, { format: "defender", severity: "P1", contain: "pauseGuardian" });
    expect(rules).to.have.length(1);
    expect(rules[0]).to.deep.include({ action: "contain", act: true, contain: { target: "pauseGuardian" } });
    expect(reports[0]!.mapped.join("\n")).to.match(/actionId .* → action "contain" through "pauseGuardian"/);

    // 2. The keeper config: the Relayer's pause() becomes the gate's sentinelPause, signed by the sentinel key.
    const g = await gate.getAddress();
    const cfg: KeeperConfigInput = {
      name: "pause-guardian",
      // Start after the setup (the mint of 10,000 is itself a large Transfer).
      chain: { chainId: 31337, rpcUrls: [node.url], pollIntervalMs: 100, multicall3, startBlock: (await node.blockNumber()) + 1 },
      contracts: {},
      store: { path: ":memory:" },
      signers: { sentinel: { type: "local", keyEnv: "BREAKWATER_SENTINEL_KEY" } },
      rules,
      responders: {
        contain: {
          allowedSelectors: ["sentinelPause(address,uint64)"],
          targets: {
            pauseGuardian: { via: "gate", to: g, function: "sentinelPause(address,uint64)", args: [t, "3600"], containedWhen: { target: t, function: "paused()" } },
          },
        },
      },
      alerts: { channels: [] },
      ops: { logLevel: "silent" },
    };
    const keeper = new Keeper({ config: cfg, env: { BREAKWATER_SENTINEL_KEY: TEST_KEYS[3] }, http: false, retryDelayMs: 50, maxRetryDelayMs: 200, logger: createLogger({ level: process.env.KEEPER_TEST_LOG ?? "silent" }) });
    await keeper.start();
    try {
      await keeper.waitForIdle();
      // A transfer under the threshold: nothing.
      const small = await (await (token.connect(alice) as Contract).getFunction("transfer")(admin.address, 10n * E18)).wait();
      await keeper.waitForBlock(small!.blockNumber);
      expect(keeper.store.incidents()).to.have.length(0);
      // The large transfer: the rule fires and the keeper pauses the token through the gate.
      const big = await (await (token.connect(alice) as Contract).getFunction("transfer")(admin.address, 2_000n * E18)).wait();
      await keeper.waitForBlock(big!.blockNumber);
      await until(() => keeper.store.incidents("contained").length === 1, "the incident to be contained");
      expect(await token.getFunction("paused")()).to.equal(true);
      const attempts = keeper.store.txAttempts().filter((a) => a.kind === "contain");
      expect(attempts.map((a) => a.status)).to.deep.equal(["included"]);
      expect(attempts[0]!.to.toLowerCase()).to.equal(g.toLowerCase());
    } finally {
      await keeper.stop();
    }
    // 3. The pause is bounded: after its expiry anyone releases it.
    await node.rpc("evm_increaseTime", [HOUR]);
    await node.mine(1);
    await (await (gate.connect(alice) as Contract).getFunction("release")(t)).wait();
    expect(await token.getFunction("paused")()).to.equal(false);
  });
});
