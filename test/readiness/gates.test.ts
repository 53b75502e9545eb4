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
import { GateCalls, aavePoolPauseCalls, pauseGateIface } from "../../client/pause-gate.js";
import { ActionKind, Args, actionDigest, buildAction, guardianDomain, signApprovals } from "../../client/guardian-actions.js";
import { deployGateSystem } from "../adapters/gate-fixture.js";
import { SLOW_DELAY } from "../helpers/guardian-fixture.js";

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

/** The fixture's gate admin is an EOA standing for the multisig: its own finding (gate.admin-eoa) is tested apart. */
async function run(gate: any, target: string, key = keeperKey.privateKey) {
  const r = await checkGates({ provider: ethers.provider, keeperConfig: config(await gate.getAddress(), target), keeperConfigPath: "keeper.config.ts", env: { KEEPER_KEY: key } });
  return { ...r, findings: r.findings.filter((f) => f.id !== "gate.admin-eoa") };
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

  it("the gate's admin: an EOA is a high finding; the book's multisig without the incident functions allow-listed is a medium one; allow-listed, none", async function () {
    const { gate, token, admin } = await networkHelpers.loadFixture(system);
    const eoa = await checkGates({ provider: ethers.provider, keeperConfig: config(await gate.getAddress(), await token.getAddress()), env: { KEEPER_KEY: keeperKey.privateKey } });
    expect(eoa.findings.map((f) => f.id)).to.deep.equal(["gate.admin-eoa"]);
    expect(eoa.findings[0]!.severity).to.equal("high");
    expect(eoa.findings[0]!.title).to.include(admin.address);

    // A real GuardianMultisig as admin, the gate's admin selectors allow-listed through its slow path.
    const sys = await deployGateSystem(ethers, networkHelpers.time);
    const g = await sys.gate.getAddress();
    const ms = await sys.multisig.getAddress();
    const t2 = await ethers.deployContract("WizardToken", [admin.address, g, admin.address]);
    await sys.gateAdmin(GateCalls.setSentinel(keeperKey.address, HOUR), GateCalls.registerPausable(await t2.getAddress(), DAY, true), GateCalls.armSentinel());
    const check = () => checkGates({ provider: ethers.provider, keeperConfig: config(g, t2.target as string), env: { KEEPER_KEY: keeperKey.privateKey }, multisig: ms, hh: "npx hardhat --network prod breakwater" });
    let r = await check();
    expect(r.findings).to.deep.equal([]);
    expect(r.checks.find((c) => c.name === `gate ${g}: admin`)!.detail).to.match(/guardian multisig.*armSentinel/);

    // The multisig forbids re-arming (SetCallAllowed false, slow): the guardians could not re-arm after the gate fires.
    const arm = pauseGateIface.getFunction("armSentinel")!.selector;
    const deadline = BigInt(await networkHelpers.time.latest()) + 10n * DAY;
    const domain = await guardianDomain(sys.multisig);
    const a = buildAction(ActionKind.SetCallAllowed, ms, Args.setCallAllowed(g, arm, false), { deadline });
    await (await sys.multisig.queue(a, await signApprovals(sys.guardians.slice(0, 3), domain, a))).wait();
    await networkHelpers.time.increase(SLOW_DELAY);
    await (await sys.multisig.executeQueued(actionDigest(domain, a))).wait();
    r = await check();
    expect(r.findings.map((f) => f.id)).to.deep.equal(["gate.admin-calls-not-allowed"]);
    expect(r.findings[0]!.severity).to.equal("medium");
    expect(r.findings[0]!.detail).to.include(`armSentinel (${arm})`);
    expect(r.findings[0]!.fix).to.include(`npx hardhat --network prod breakwater guardian propose --kind SetCallAllowed --args ${g},${arm},true`);
  });
});
