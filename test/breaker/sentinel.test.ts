import { expect } from "chai";
import { network } from "hardhat";
import {
  DAY, E18, HOUR, MAX_PAUSE, MAX_SENTINEL_COOLDOWN, MIN_PAUSE, Role, Scope, deployVaultSystem, limit,
} from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const SENTINEL_MAX = HOUR;
const COOLDOWN = DAY;

/** The vault system with `sentinel` set: at most one hour per pause, one day between pauses. */
async function sentinelFixture() {
  const f = await deployVaultSystem(ethers);
  await f.vault.connect(f.recovery).setSentinel(f.sentinel.address, SENTINEL_MAX, COOLDOWN);
  return f;
}

async function plainFixture() {
  return deployVaultSystem(ethers);
}

async function nextTimestamp(offset = 1n): Promise<bigint> {
  const ts = BigInt(await time.latest()) + offset;
  await time.setNextBlockTimestamp(ts);
  return ts;
}

describe("Breaker: sentinel", function () {
  it("setSentinel stores the key and its bounds, armed, with events", async function () {
    const { vault, recovery, sentinel } = await loadFixture(plainFixture);
    expect(await vault.sentinelState()).to.deep.equal([ethers.ZeroAddress, false, 0n, 0n, 0n]);
    await expect(vault.connect(recovery).setSentinel(sentinel.address, SENTINEL_MAX, COOLDOWN))
      .to.emit(vault, "SentinelSet")
      .withArgs(sentinel.address, SENTINEL_MAX, COOLDOWN)
      .and.to.emit(vault, "SentinelArmed")
      .withArgs(sentinel.address);
    expect(await vault.sentinelState()).to.deep.equal([sentinel.address, true, SENTINEL_MAX, COOLDOWN, 0n]);
  });

  it("only the sentinel may call sentinelPause (not even the admin)", async function () {
    const { vault, alice, admin, guardian } = await loadFixture(sentinelFixture);
    for (const who of [alice, admin, guardian]) {
      await expect(vault.connect(who).sentinelPause(Scope.GLOBAL, HOUR))
        .to.be.revertedWithCustomError(vault, "NotSentinel")
        .withArgs(who.address);
    }
    expect(await vault.isPaused(Scope.GLOBAL)).to.equal(false);
  });

  it("nobody is the sentinel before one is set", async function () {
    const { vault, sentinel } = await loadFixture(plainFixture);
    await expect(vault.connect(sentinel).sentinelPause(Scope.GLOBAL, HOUR))
      .to.be.revertedWithCustomError(vault, "NotSentinel")
      .withArgs(sentinel.address);
  });

  it("the sentinel pauses once, bounded by its maxDuration, then is disarmed", async function () {
    const { vault, sentinel, alice } = await loadFixture(sentinelFixture);
    await expect(vault.connect(sentinel).sentinelPause(Scope.WITHDRAW, SENTINEL_MAX + 1n))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(SENTINEL_MAX + 1n, MIN_PAUSE, SENTINEL_MAX);
    await expect(vault.connect(sentinel).sentinelPause(Scope.WITHDRAW, MIN_PAUSE - 1n))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(MIN_PAUSE - 1n, MIN_PAUSE, MAX_PAUSE);
    expect((await vault.sentinelState())[1]).to.equal(true); // failed attempts keep it armed

    const ts = await nextTimestamp();
    await expect(vault.connect(sentinel).sentinelPause(Scope.WITHDRAW, SENTINEL_MAX))
      .to.emit(vault, "SentinelFired")
      .withArgs(sentinel.address, Scope.WITHDRAW, ts + SENTINEL_MAX)
      .and.to.emit(vault, "Paused")
      .withArgs(Scope.WITHDRAW, ts + SENTINEL_MAX, sentinel.address);
    expect(await vault.sentinelState()).to.deep.equal([sentinel.address, false, SENTINEL_MAX, COOLDOWN, ts]);
    await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
      .to.be.revertedWithCustomError(vault, "ScopePaused")
      .withArgs(Scope.WITHDRAW, ts + SENTINEL_MAX);

    await expect(vault.connect(sentinel).sentinelPause(Scope.DEPOSIT, MIN_PAUSE))
      .to.be.revertedWithCustomError(vault, "SentinelNotArmed");
    expect(await vault.isPaused(Scope.DEPOSIT)).to.equal(false);
  });

  it("a failed sentinel pause (scope already paused) does not disarm it", async function () {
    const { vault, sentinel, guardian } = await loadFixture(sentinelFixture);
    const until = (await nextTimestamp()) + DAY;
    await vault.connect(guardian).pause(Scope.GLOBAL, DAY);
    await expect(vault.connect(sentinel).sentinelPause(Scope.GLOBAL, HOUR))
      .to.be.revertedWithCustomError(vault, "AlreadyPaused")
      .withArgs(Scope.GLOBAL, until);
    expect(await vault.sentinelState()).to.deep.equal([sentinel.address, true, SENTINEL_MAX, COOLDOWN, 0n]);
  });

  it("re-arming (RECOVERY) allows another pause, but only after the cooldown", async function () {
    const { vault, sentinel, recovery } = await loadFixture(sentinelFixture);
    const fired = await nextTimestamp();
    await vault.connect(sentinel).sentinelPause(Scope.DEPOSIT, HOUR);
    await expect(vault.connect(recovery).armSentinel())
      .to.emit(vault, "SentinelArmed")
      .withArgs(sentinel.address);
    expect((await vault.sentinelState())[1]).to.equal(true);
    await expect(vault.connect(sentinel).sentinelPause(Scope.WITHDRAW, HOUR))
      .to.be.revertedWithCustomError(vault, "SentinelCoolingDown")
      .withArgs(fired + COOLDOWN);
    await time.increaseTo(fired + COOLDOWN - 2n);
    await expect(vault.connect(sentinel).sentinelPause(Scope.WITHDRAW, HOUR))
      .to.be.revertedWithCustomError(vault, "SentinelCoolingDown")
      .withArgs(fired + COOLDOWN);
    expect(await vault.isPaused(Scope.WITHDRAW)).to.equal(false);
    await time.setNextBlockTimestamp(fired + COOLDOWN);
    await expect(vault.connect(sentinel).sentinelPause(Scope.WITHDRAW, HOUR)).to.emit(vault, "SentinelFired");
    expect(await vault.isPaused(Scope.WITHDRAW)).to.equal(true);
  });

  it("armSentinel reverts when already armed or when no sentinel is set", async function () {
    const { vault, recovery } = await loadFixture(sentinelFixture);
    await expect(vault.connect(recovery).armSentinel()).to.be.revertedWithCustomError(vault, "SentinelAlreadyArmed");
    const plain = await loadFixture(plainFixture);
    await expect(plain.vault.connect(plain.recovery).armSentinel())
      .to.be.revertedWithCustomError(plain.vault, "SentinelNotSet");
  });

  it("the sentinel can do nothing but its one bounded pause", async function () {
    const { vault, sentinel, tokenAddr, alice, guardian } = await loadFixture(sentinelFixture);
    await vault.connect(sentinel).sentinelPause(Scope.GLOBAL, HOUR);
    // Active restrictions, so lifting them is a slow-path call (expired ones anyone may clear).
    await vault.connect(guardian).freezeAsset(tokenAddr);
    await vault.connect(guardian).quarantine(alice.address);
    const s = vault.connect(sentinel);
    const fast: [string, () => Promise<unknown>][] = [
      ["pause", () => s.pause(Scope.DEPOSIT, HOUR)],
      ["freezeAsset", () => s.freezeAsset(tokenAddr)],
      ["quarantine", () => s.quarantine(alice.address)],
      ["lowerLimit", () => s.lowerLimit(tokenAddr, 1n)],
      ["vetoQueuedOutflow", () => s.vetoQueuedOutflow(1n)],
    ];
    const slow: [string, () => Promise<unknown>][] = [
      ["unpause", () => s.unpause(Scope.GLOBAL)],
      ["extendPause", () => s.extendPause(Scope.GLOBAL, DAY)],
      ["unfreezeAsset", () => s.unfreezeAsset(tokenAddr)],
      ["release", () => s.release(alice.address)],
      ["setLimit", () => s.setLimit(tokenAddr, limit())],
      ["setSentinel", () => s.setSentinel(sentinel.address, HOUR, 0n)],
      ["armSentinel", () => s.armSentinel()],
      ["setPauseBounds", () => s.setPauseBounds(DAY, 0n)],
      ["setRescueVault", () => s.setRescueVault(tokenAddr)],
      ["rescueFrozen", () => s.rescueFrozen(tokenAddr, 1n)],
    ];
    for (const [, call] of fast) {
      await expect(call())
        .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
        .withArgs(sentinel.address, Role.EMERGENCY);
    }
    for (const [, call] of slow) {
      await expect(call())
        .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
        .withArgs(sentinel.address, Role.RECOVERY);
    }
    await expect(s.grantRole(Role.RECOVERY, sentinel.address))
      .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
      .withArgs(sentinel.address, Role.DEFAULT_ADMIN);
    expect(await vault.isPaused(Scope.GLOBAL)).to.equal(true);
    expect((await vault.sentinelState())[1]).to.equal(false);
  });

  it("setSentinel validates its inputs and leaves state unchanged on failure", async function () {
    const { vault, recovery, sentinel, other } = await loadFixture(sentinelFixture);
    const before = await vault.sentinelState();
    await expect(vault.connect(recovery).setSentinel(ethers.ZeroAddress, HOUR, DAY))
      .to.be.revertedWithCustomError(vault, "ZeroAddress");
    await expect(vault.connect(recovery).setSentinel(other.address, MAX_PAUSE + 1n, DAY))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(MAX_PAUSE + 1n, MIN_PAUSE, MAX_PAUSE);
    await expect(vault.connect(recovery).setSentinel(other.address, MIN_PAUSE - 1n, DAY))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(MIN_PAUSE - 1n, MIN_PAUSE, MAX_PAUSE);
    await expect(vault.connect(recovery).setSentinel(other.address, HOUR, MAX_SENTINEL_COOLDOWN + 1n))
      .to.be.revertedWithCustomError(vault, "InvalidCooldown")
      .withArgs(MAX_SENTINEL_COOLDOWN + 1n, MAX_SENTINEL_COOLDOWN);
    expect(await vault.sentinelState()).to.deep.equal(before);
    expect(before[0]).to.equal(sentinel.address);
    // The extreme valid values are accepted.
    await vault.connect(recovery).setSentinel(other.address, MAX_PAUSE, MAX_SENTINEL_COOLDOWN);
    expect(await vault.sentinelState()).to.deep.equal([other.address, true, MAX_PAUSE, MAX_SENTINEL_COOLDOWN, 0n]);
  });

  it("replacing the sentinel revokes the old key; the cooldown belongs to the breaker", async function () {
    const { vault, recovery, sentinel, other } = await loadFixture(sentinelFixture);
    const fired = await nextTimestamp();
    await vault.connect(sentinel).sentinelPause(Scope.DEPOSIT, HOUR);
    await vault.connect(recovery).setSentinel(other.address, HOUR, COOLDOWN);
    expect((await vault.sentinelState())[1]).to.equal(true); // a new sentinel starts armed
    await expect(vault.connect(sentinel).sentinelPause(Scope.WITHDRAW, HOUR))
      .to.be.revertedWithCustomError(vault, "NotSentinel")
      .withArgs(sentinel.address);
    // Documented behaviour: the last sentinel pause time is per breaker, so a fresh key
    // still waits out the cooldown started by the previous one.
    await expect(vault.connect(other).sentinelPause(Scope.WITHDRAW, HOUR))
      .to.be.revertedWithCustomError(vault, "SentinelCoolingDown")
      .withArgs(fired + COOLDOWN);
    await time.increaseTo(fired + COOLDOWN);
    await expect(vault.connect(other).sentinelPause(Scope.WITHDRAW, HOUR)).to.emit(vault, "SentinelFired");
  });

  it("a setPauseBounds below the sentinel's maxDuration still caps its pause", async function () {
    const { vault, recovery, sentinel } = await loadFixture(sentinelFixture);
    await vault.connect(recovery).setPauseBounds(30n * MIN_PAUSE, HOUR);
    await expect(vault.connect(sentinel).sentinelPause(Scope.GLOBAL, HOUR))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(HOUR, MIN_PAUSE, 30n * MIN_PAUSE);
    expect((await vault.sentinelState())[1]).to.equal(true);
  });
});
