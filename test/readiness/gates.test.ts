// Readiness of the PauseGates the keeper contains through: a gate that lacks the protocol's pause
// role, a gate that cannot release (no unpause permission), a keeper key that is not the gate's
// sentinel, an unarmed gate and an unregistered target — each a finding with its fix; a gate
// wired right yields none. Permissions are probed by eth_call from the gate's address.
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";
import { keeperConfigSchema } from "../../keeper/config/schema.js";
import { checkGates } from "../../tasks/readiness/gates.js";
import { baseConfig } from "../keeper/helpers/keeper.js";
import { deployAaveMarket } from "../helpers/aave-v3.js";
import { aavePoolPauseCalls } from "../../client/pause-gate.js";

const { ethers, networkHelpers } = await network.create();
const HOUR = 3600n;
const DAY = 24n * HOUR;
const keeperKey = Wallet.createRandom();
const otherKey = Wallet.createRandom();

async function system() {
  const [admin] = await ethers.getSigners();
  const gate = await ethers.deployContract("PauseGate", [admin.address, keeperKey.address, HOUR]);
  const token = await ethers.deployContract("WizardToken", [admin.address, await gate.getAddress(), admin.address]);
  await (await gate.registerPausable(await token.getAddress(), DAY, true)).wait();
  await (await gate.armSentinel()).wait();
  return { admin, gate, token };
}

function config(gate: string, target: string) {
  return keeperConfigSchema.parse({
    ...baseConfig(["http://127.0.0.1:8545"]),
    signers: { sentinel: { type: "local", keyEnv: "KEEPER_KEY" } },
    responders: {
      contain: {
        allowedSelectors: ["sentinelPause(address,uint64)"],
        targets: { token: { via: "gate", to: gate, function: "sentinelPause(address,uint64)", args: [target, "3600"], containedWhen: { target, function: "paused()" } } },
      },
    },
  });
}

async function run(gate: any, target: string, key = keeperKey.privateKey) {
  return checkGates({ provider: ethers.provider, keeperConfig: config(await gate.getAddress(), target), keeperConfigPath: "keeper.config.ts", env: { KEEPER_KEY: key } });
}
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id).sort();

describe("readiness: PauseGate", function () {
  it("a gate wired right (registered, armed, holds PAUSER_ROLE, keeper key = sentinel) has no finding", async function () {
    const { gate, token } = await networkHelpers.loadFixture(system);
    const r = await run(gate, await token.getAddress());
    expect(r.findings).to.deep.equal([]);
    expect(r.checks.map((c) => c.name).join("\n")).to.match(/keeper key[\s\S]*armed[\s\S]*may pause[\s\S]*may release/);
  });

  it("a gate that lacks the pause role: high finding naming the role to grant (and it cannot release either)", async function () {
    const { gate, token } = await networkHelpers.loadFixture(system);
    await (await token.revokeRole(await token.PAUSER_ROLE(), await gate.getAddress())).wait();
    const r = await run(gate, await token.getAddress());
    expect(ids(r)).to.deep.equal(["gate.cannot-release", "gate.missing-pause-permission"]);
    const f = r.findings.find((x) => x.id === "gate.missing-pause-permission")!;
    expect(f.severity).to.equal("high");
    expect(f.detail).to.match(/AccessControlUnauthorizedAccount/);
    expect(f.fix).to.match(/grantRole\(PAUSER_ROLE, 0x[0-9a-fA-F]{40}\)/);
  });

  it("a gate that cannot release (registered without the unpause permission): medium finding", async function () {
    const { gate, admin } = await networkHelpers.loadFixture(system);
    const t2 = await ethers.deployContract("WizardToken", [admin.address, await gate.getAddress(), admin.address]);
    await (await gate.registerPausable(await t2.getAddress(), DAY, false)).wait();
    const r = await run(gate, await t2.getAddress());
    expect(ids(r)).to.deep.equal(["gate.cannot-release"]);
    expect(r.findings[0]!.severity).to.equal("medium");
    expect(r.findings[0]!.detail).to.match(/nobody can release\(\) it/);
  });

  it("a keeper key that is not the gate's sentinel: high finding with the setSentinel fix", async function () {
    const { gate, token } = await networkHelpers.loadFixture(system);
    const r = await run(gate, await token.getAddress(), otherKey.privateKey);
    expect(ids(r)).to.deep.equal(["gate.keeper-key-not-sentinel"]);
    expect(r.findings[0]!.title).to.include(otherKey.address).and.include(keeperKey.address);
    expect(r.findings[0]!.fix).to.include(`setSentinel(${otherKey.address}`);
  });

  it("an unarmed gate and an unregistered target are findings", async function () {
    const { gate, admin } = await networkHelpers.loadFixture(system);
    await (await gate.disarmSentinel()).wait();
    const stranger = await ethers.deployContract("WizardToken", [admin.address, admin.address, admin.address]);
    const r = await run(gate, await stranger.getAddress());
    expect(ids(r)).to.deep.equal(["gate.not-armed", "gate.target-not-registered"]);
  });

  it("Aave V3 (selector pair): a gate that is not EMERGENCY_ADMIN cannot pause, with Aave's own error", async function () {
    const [admin] = await ethers.getSigners();
    const gate = await ethers.deployContract("PauseGate", [admin.address, keeperKey.address, HOUR]);
    const m = await deployAaveMarket(admin);
    const { pauseCall, unpauseCall } = aavePoolPauseCalls();
    const cfg = await m.configurator.getAddress();
    await (await gate.registerSelectorPair(cfg, pauseCall, unpauseCall, DAY)).wait();
    await (await gate.armSentinel()).wait();
    let r = await run(gate, cfg);
    expect(ids(r)).to.deep.equal(["gate.cannot-release", "gate.missing-pause-permission"]);
    expect(r.findings.find((f) => f.id === "gate.missing-pause-permission")!.detail).to.match(/reverted with "2" \(Aave V3: CALLER_NOT_EMERGENCY_ADMIN\)/); // CALLER_NOT_EMERGENCY_ADMIN
    expect(r.findings[0]!.fix).to.include("addEmergencyAdmin");
    await (await m.acl.addEmergencyAdmin(await gate.getAddress())).wait();
    r = await run(gate, cfg);
    expect(r.findings).to.deep.equal([]);
  });
});
