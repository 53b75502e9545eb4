// PauseGate against real third-party targets, administered by a real GuardianMultisig:
//  (a) an ERC-20 with ERC20Pausable + AccessControl exactly as OpenZeppelin Contracts Wizard
//      generates it (the gate holds PAUSER_ROLE);
//  (b) a Wizard AccessManaged token governed by OpenZeppelin's AccessManager (the gate closes the
//      target with setTargetClosed);
//  (c) an Aave V3 market deployed from @aave/core-v3's artifacts (the gate holds EMERGENCY_ADMIN
//      and calls PoolConfigurator.setPoolPause(true)).
// From the attacker's side: the hot key gets one bounded pause per arming and nothing else.
import { expect } from "chai";
import { network } from "hardhat";
import { GateCalls, aavePoolPauseCalls } from "../../client/pause-gate.js";
import { ActionKind, Args, buildAction, guardianDomain, signApprovals } from "../../client/guardian-actions.js";
import { deployAaveMarket } from "../helpers/aave-v3.js";
import { COOLDOWN, DAY, HOUR, deployGateSystem } from "./gate-fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

async function wizardSystem() {
  const s = await deployGateSystem(ethers, time);
  const me = await s.deployer.getAddress();
  const token = await ethers.deployContract("WizardToken", [me, await s.gate.getAddress(), me]);
  const t = await token.getAddress();
  await (await token.mint(await s.user.getAddress(), 1000n * 10n ** 18n)).wait();
  await s.gateAdmin(GateCalls.registerPausable(t, DAY, true), GateCalls.armSentinel());
  return { ...s, token, t };
}

describe("PauseGate: OpenZeppelin Wizard ERC20Pausable + AccessControl", function () {
  it("the multisig registers and arms through slow Call actions; the sentinel pauses once; anyone releases after expiry", async function () {
    const { gate, token, t, sentinel, attacker, user } = await loadFixture(wizardSystem);
    expect(await token.hasRole(await token.PAUSER_ROLE(), await gate.getAddress())).to.equal(true);
    const tx = gate.connect(sentinel).sentinelPause(t, 2n * HOUR);
    const expiry = BigInt(await time.latest()) + 1n + 2n * HOUR;
    await expect(tx).to.emit(gate, "SentinelPaused").withArgs(t, await sentinel.getAddress(), expiry);
    await expect(tx).to.emit(token, "Paused").withArgs(await gate.getAddress());
    await expect(tx).to.not.emit(gate, "ReleaseUnavailable");
    await expect(token.connect(user).transfer(await attacker.getAddress(), 1n)).to.be.revertedWithCustomError(token, "EnforcedPause");

    await expect(gate.connect(attacker).release(t)).to.be.revertedWithCustomError(gate, "PauseNotExpired");
    await time.increaseTo(expiry);
    await expect(gate.connect(attacker).release(t))
      .to.emit(gate, "PauseEnded").withArgs(t, await attacker.getAddress(), true, true)
      .and.to.emit(token, "Unpaused");
    await token.connect(user).transfer(await attacker.getAddress(), 1n);
  });

  it("the hot key cannot pause twice per arming, longer than maxDuration, or what is not registered; nobody else can pause", async function () {
    const { gate, t, sentinel, attacker, deployer } = await loadFixture(wizardSystem);
    await expect(gate.connect(sentinel).sentinelPause(t, DAY + 1n)).to.be.revertedWithCustomError(gate, "DurationOutOfBounds").withArgs(t, DAY + 1n, DAY);
    await expect(gate.connect(attacker).sentinelPause(t, HOUR)).to.be.revertedWithCustomError(gate, "NotSentinel");
    const other = await ethers.deployContract("WizardToken", [await deployer.getAddress(), await gate.getAddress(), await deployer.getAddress()]);
    await expect(gate.connect(sentinel).sentinelPause(await other.getAddress(), HOUR)).to.be.revertedWithCustomError(gate, "TargetNotRegistered");
    await gate.connect(sentinel).sentinelPause(t, HOUR);
    await time.increase(COOLDOWN + 2n * HOUR);
    await gate.release(t);
    await expect(gate.connect(sentinel).sentinelPause(t, HOUR)).to.be.revertedWithCustomError(gate, "SentinelNotArmed");
    // The admin functions are the multisig's alone: a direct call from a guardian is refused too.
    await expect(gate.connect(sentinel).armSentinel()).to.be.revertedWithCustomError(gate, "NotAdmin");
    await expect(gate.connect(attacker).extendPause(t, 1n)).to.be.revertedWithCustomError(gate, "NotAdmin");
  });

  it("one guardian cannot reach the gate: Call actions must be queued (slow), never executed at once", async function () {
    const { gate, multisig, guardians } = await loadFixture(wizardSystem);
    const a = buildAction(ActionKind.Call, await gate.getAddress(), Args.call(GateCalls.armSentinel()), { deadline: BigInt(await time.latest()) + DAY });
    const [threshold, delay] = await multisig.policyOf(ActionKind.Call);
    await expect(multisig.execute(a, await signApprovals(guardians.slice(0, 1), await guardianDomain(multisig), a)))
      .to.be.revertedWithCustomError(multisig, "ActionMustBeQueued").withArgs(ActionKind.Call, delay);
    expect(threshold).to.equal(3n);
  });

  it("the slow path extends a pause (release refused until the new expiry) and ends one early", async function () {
    const s = await loadFixture(wizardSystem);
    const { gate, token, t, sentinel } = s;
    await gate.connect(sentinel).sentinelPause(t, DAY);
    const first = (await gate.gatePause(t)).expiry as bigint;
    // The 48 h slow delay outlasts this 1-day pause: anyone could release it before the extension
    // executes (nobody does here). Queue extensions early, or register a longer maxDuration.
    const newExpiry = first + 5n * DAY;
    await s.gateAdmin(GateCalls.extendPause(t, newExpiry));
    expect((await gate.gatePause(t)).extended).to.equal(true);
    expect(await token.paused()).to.equal(true);
    await expect(gate.release(t)).to.be.revertedWithCustomError(gate, "PauseNotExpired").withArgs(t, newExpiry, BigInt(await time.latest()) + 1n);
    await s.gateAdmin(GateCalls.endPause(t));
    expect(await token.paused()).to.equal(false);
    expect((await gate.gatePause(t)).expiry).to.equal(0n);
  });

  it("a target the gate cannot unpause: the view and a ReleaseUnavailable event say so; release is refused", async function () {
    const s = await loadFixture(wizardSystem);
    const { gate, sentinel, deployer } = s;
    const me = await deployer.getAddress();
    const t2 = await (await ethers.deployContract("WizardToken", [me, await gate.getAddress(), me])).getAddress();
    await s.gateAdmin(GateCalls.registerPausable(t2, DAY, false));
    expect(await gate.canRelease(t2)).to.equal(false);
    const expiry = BigInt(await time.latest()) + 1n + HOUR;
    await expect(gate.connect(sentinel).sentinelPause(t2, HOUR)).to.emit(gate, "ReleaseUnavailable").withArgs(t2, expiry);
    await time.increaseTo(expiry);
    expect(await gate.isReleasable(t2)).to.equal(false);
    await expect(gate.release(t2)).to.be.revertedWithCustomError(gate, "CannotRelease").withArgs(t2);
  });
});

describe("PauseGate: OpenZeppelin AccessManager (setTargetClosed)", function () {
  async function managedSystem() {
    const s = await deployGateSystem(ethers, time);
    const me = await s.deployer.getAddress();
    const manager = await ethers.deployContract("TestAccessManager", [me]);
    const token = await ethers.deployContract("WizardManagedToken", [await manager.getAddress()]);
    const MINTER = 7n;
    await (await manager.setTargetFunctionRole(await token.getAddress(), [token.interface.getFunction("mint")!.selector], MINTER)).wait();
    await (await manager.grantRole(MINTER, me, 0)).wait();
    // setTargetClosed is restricted to the manager's ADMIN_ROLE (0): the gate must hold it.
    await (await manager.grantRole(0n, await s.gate.getAddress(), 0)).wait();
    await s.gateAdmin(GateCalls.registerAccessManaged(await manager.getAddress(), await token.getAddress(), DAY, true), GateCalls.armSentinel());
    return { ...s, manager, token };
  }

  it("closes the managed target: restricted functions stop; released after expiry they work again", async function () {
    const { gate, manager, token, sentinel, user, deployer } = await loadFixture(managedSystem);
    const t = await token.getAddress();
    await token.mint(await user.getAddress(), 5n);
    await expect(gate.connect(sentinel).sentinelPause(t, HOUR)).to.emit(manager, "TargetClosed").withArgs(t, true);
    expect(await gate.targetPaused(t)).to.deep.equal([true, true]);
    await expect(token.mint(await user.getAddress(), 5n)).to.be.revertedWithCustomError(token, "AccessManagedUnauthorized").withArgs(await deployer.getAddress());
    await time.increase(HOUR);
    await expect(gate.connect(user).release(t)).to.emit(manager, "TargetClosed").withArgs(t, false);
    await token.mint(await user.getAddress(), 5n);
    expect(await token.balanceOf(await user.getAddress())).to.equal(10n);
  });
});

describe("PauseGate: Aave V3 market from @aave/core-v3 artifacts (EMERGENCY_ADMIN, setPoolPause)", function () {
  async function aaveSystem() {
    const s = await deployGateSystem(ethers, time);
    const m = await deployAaveMarket(s.deployer);
    const g = await s.gate.getAddress();
    await (await m.acl.addEmergencyAdmin(g)).wait();
    const { pauseCall, unpauseCall } = aavePoolPauseCalls();
    const cfg = await m.configurator.getAddress();
    await s.gateAdmin(GateCalls.registerSelectorPair(cfg, pauseCall, unpauseCall, DAY), GateCalls.armSentinel());
    // A depositor and a borrower.
    const u = await s.user.getAddress();
    const pool = await m.pool.getAddress();
    await (await m.debt.mint(await s.deployer.getAddress(), 1_000_000n * 10n ** 18n)).wait();
    await (await m.debt.approve(pool, ethers.MaxUint256)).wait();
    await (await m.pool.supply(await m.debt.getAddress(), 1_000_000n * 10n ** 18n, await s.deployer.getAddress(), 0)).wait();
    await (await m.collateral.mint(u, 10n * 10n ** 18n)).wait();
    await (await (m.collateral.connect(s.user) as any).approve(pool, ethers.MaxUint256)).wait();
    await (await (m.pool.connect(s.user) as any).supply(await m.collateral.getAddress(), 10n * 10n ** 18n, u, 0)).wait();
    return { ...s, m, cfg };
  }

  it("the market works, the gate pauses every reserve, borrowing stops; after expiry anyone unpauses", async function () {
    const { gate, m, cfg, sentinel, user, attacker } = await loadFixture(aaveSystem);
    const u = await user.getAddress();
    const debt = await m.debt.getAddress();
    const pool = m.pool.connect(user) as any;
    await pool.borrow(debt, 1000n * 10n ** 18n, 2, 0, u);
    expect(await m.acl.isEmergencyAdmin(await gate.getAddress())).to.equal(true);

    await expect(gate.connect(sentinel).sentinelPause(cfg, 6n * HOUR)).to.emit(m.configurator, "ReservePaused");
    expect(await m.dataProvider.getPaused(debt)).to.equal(true);
    expect(await m.dataProvider.getPaused(await m.collateral.getAddress())).to.equal(true);
    await expect(pool.borrow(debt, 1n, 2, 0, u)).to.be.revertedWith("29"); // Errors.RESERVE_PAUSED
    await expect(pool.withdraw(await m.collateral.getAddress(), 1n, u)).to.be.revertedWith("29");

    await time.increase(6n * HOUR);
    await expect(gate.connect(attacker).release(cfg)).to.emit(gate, "PauseEnded").withArgs(cfg, await attacker.getAddress(), true, true);
    expect(await m.dataProvider.getPaused(debt)).to.equal(false);
    await pool.borrow(debt, 1n, 2, 0, u);
  });

  it("without EMERGENCY_ADMIN the pause fails with Aave's own error and the arming is kept", async function () {
    const { gate, m, cfg, sentinel } = await loadFixture(aaveSystem);
    await (await m.acl.removeEmergencyAdmin(await gate.getAddress())).wait();
    const reason = ethers.AbiCoder.defaultAbiCoder().encode(["string"], ["2"]); // Errors.CALLER_NOT_EMERGENCY_ADMIN
    await expect(gate.connect(sentinel).sentinelPause(cfg, HOUR))
      .to.be.revertedWithCustomError(gate, "TargetCallFailed")
      .withArgs(cfg, aavePoolPauseCalls().pauseCall.slice(0, 10), ethers.concat(["0x08c379a0", reason]));
    expect((await gate.sentinelState()).armed).to.equal(true);
  });
});
