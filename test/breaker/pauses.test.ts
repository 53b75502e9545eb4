import { expect } from "chai";
import { network } from "hardhat";
import {
  DAY, E18, GRACE, HOUR, MAX_GRACE_PERIOD, MAX_PAUSE, MAX_PAUSE_CAP, MIN_PAUSE, Scope, assetScope,
  deployVaultSystem,
} from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function vaultFixture() {
  return deployVaultSystem(ethers);
}

/** Pin the next block's timestamp to latest + `offset` and return it. */
async function nextTimestamp(offset = 1n): Promise<bigint> {
  const ts = BigInt(await time.latest()) + offset;
  await time.setNextBlockTimestamp(ts);
  return ts;
}

describe("Breaker: scoped, expiring pauses", function () {
  describe("scopes", function () {
    it("a global pause blocks entries and exits, then lifts by itself at expiry", async function () {
      const { vault, guardian, alice } = await loadFixture(vaultFixture);
      const ts = await nextTimestamp();
      const until = ts + HOUR;
      await expect(vault.connect(guardian).pause(Scope.GLOBAL, HOUR))
        .to.emit(vault, "Paused")
        .withArgs(Scope.GLOBAL, until, guardian.address);
      expect(await vault.pausedUntil(Scope.GLOBAL)).to.equal(until);
      for (const s of [Scope.GLOBAL, Scope.DEPOSIT, Scope.WITHDRAW, Scope.BORROW]) {
        expect(await vault.isPaused(s)).to.equal(true);
      }
      await expect(vault.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused")
        .withArgs(Scope.GLOBAL, until);
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused")
        .withArgs(Scope.GLOBAL, until);
      await expect(vault.connect(alice).redeem(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused")
        .withArgs(Scope.GLOBAL, until);

      await time.increaseTo(until - 2n);
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(true);
      await time.increaseTo(until);
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(false);
      // No refresh needed: the expired pause no longer blocks anything.
      expect(await vault.alarmRaised()).to.equal(true);
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address)).to.emit(vault, "Withdraw");
      await expect(vault.connect(alice).deposit(E18, alice.address)).to.emit(vault, "Deposit");
    });

    it("a DEPOSIT pause blocks deposits and mints only", async function () {
      const { vault, guardian, alice } = await loadFixture(vaultFixture);
      const until = (await nextTimestamp()) + HOUR;
      await vault.connect(guardian).pause(Scope.DEPOSIT, HOUR);
      expect(await vault.isPaused(Scope.DEPOSIT)).to.equal(true);
      expect(await vault.isPaused(Scope.WITHDRAW)).to.equal(false);
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(false);
      await expect(vault.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused")
        .withArgs(Scope.DEPOSIT, until);
      await expect(vault.connect(alice).mint(E18, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused")
        .withArgs(Scope.DEPOSIT, until);
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.changeTokenBalance(ethers, vault, alice, -E18);
    });

    it("a WITHDRAW pause blocks withdrawals and redeems only", async function () {
      const { vault, guardian, alice } = await loadFixture(vaultFixture);
      const until = (await nextTimestamp()) + HOUR;
      await vault.connect(guardian).pause(Scope.WITHDRAW, HOUR);
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused")
        .withArgs(Scope.WITHDRAW, until);
      await expect(vault.connect(alice).redeem(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused")
        .withArgs(Scope.WITHDRAW, until);
      await expect(vault.connect(alice).deposit(E18, alice.address))
        .to.changeTokenBalance(ethers, vault, alice, E18);
    });

    it("a BORROW pause leaves the vault's deposits and withdrawals alone", async function () {
      const { vault, guardian, alice } = await loadFixture(vaultFixture);
      await vault.connect(guardian).pause(Scope.BORROW, HOUR);
      expect(await vault.isPaused(Scope.BORROW)).to.equal(true);
      expect(await vault.isPaused(Scope.WITHDRAW)).to.equal(false);
      await expect(vault.connect(alice).deposit(E18, alice.address)).to.emit(vault, "Deposit");
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address)).to.emit(vault, "Withdraw");
    });

    it("an asset pause blocks that asset's exits and entries", async function () {
      const { vault, guardian, alice, tokenAddr } = await loadFixture(vaultFixture);
      const scope = assetScope(tokenAddr);
      const until = (await nextTimestamp()) + HOUR;
      await expect(vault.connect(guardian).pause(scope, HOUR))
        .to.emit(vault, "Paused")
        .withArgs(scope, until, guardian.address);
      expect(await vault.isPaused(scope)).to.equal(true);
      expect(await vault.isPaused(Scope.WITHDRAW)).to.equal(false);
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused")
        .withArgs(scope, until);
      await expect(vault.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused")
        .withArgs(scope, until);
    });

    it("an asset scope of an unregistered asset cannot be paused", async function () {
      const { vault, guardian } = await loadFixture(vaultFixture);
      const stranger = await ethers.deployContract("TestToken", ["X", "X", 18]);
      const addr = await stranger.getAddress();
      await expect(vault.connect(guardian).pause(assetScope(addr), HOUR))
        .to.be.revertedWithCustomError(vault, "UnknownAsset")
        .withArgs(addr);
      expect(await vault.alarmRaised()).to.equal(false);
    });
  });

  describe("bounds", function () {
    it("a pause is bounded by maxPauseDuration (and by MIN_PAUSE)", async function () {
      const { vault, guardian } = await loadFixture(vaultFixture);
      await expect(vault.connect(guardian).pause(Scope.GLOBAL, MAX_PAUSE + 1n))
        .to.be.revertedWithCustomError(vault, "InvalidDuration")
        .withArgs(MAX_PAUSE + 1n, MIN_PAUSE, MAX_PAUSE);
      await expect(vault.connect(guardian).pause(Scope.GLOBAL, MIN_PAUSE - 1n))
        .to.be.revertedWithCustomError(vault, "InvalidDuration")
        .withArgs(MIN_PAUSE - 1n, MIN_PAUSE, MAX_PAUSE);
      expect(await vault.pausedUntil(Scope.GLOBAL)).to.equal(0n);
      expect(await vault.alarmRaised()).to.equal(false);
      const until = (await nextTimestamp()) + MAX_PAUSE;
      await vault.connect(guardian).pause(Scope.GLOBAL, MAX_PAUSE);
      expect(await vault.pausedUntil(Scope.GLOBAL)).to.equal(until);
    });

    it("re-pausing an active pause reverts AlreadyPaused; after expiry it may pause again", async function () {
      const { vault, guardian, admin } = await loadFixture(vaultFixture);
      const until = (await nextTimestamp()) + HOUR;
      await vault.connect(guardian).pause(Scope.WITHDRAW, HOUR);
      await expect(vault.connect(admin).pause(Scope.WITHDRAW, 2n * HOUR))
        .to.be.revertedWithCustomError(vault, "AlreadyPaused")
        .withArgs(Scope.WITHDRAW, until);
      // Cannot shorten either.
      await expect(vault.connect(admin).pause(Scope.WITHDRAW, MIN_PAUSE))
        .to.be.revertedWithCustomError(vault, "AlreadyPaused")
        .withArgs(Scope.WITHDRAW, until);
      expect(await vault.pausedUntil(Scope.WITHDRAW)).to.equal(until);
      await time.increaseTo(until);
      const until2 = (await nextTimestamp()) + HOUR;
      await vault.connect(guardian).pause(Scope.WITHDRAW, HOUR);
      expect(await vault.pausedUntil(Scope.WITHDRAW)).to.equal(until2);
    });

    it("setPauseBounds changes the bounds (RECOVERY) within the hard caps", async function () {
      const { vault, recovery, guardian } = await loadFixture(vaultFixture);
      await expect(vault.connect(recovery).setPauseBounds(DAY, 2n * HOUR))
        .to.emit(vault, "PauseBoundsSet")
        .withArgs(DAY, 2n * HOUR);
      expect(await vault.pauseBounds()).to.deep.equal([DAY, 2n * HOUR]);
      await expect(vault.connect(guardian).pause(Scope.GLOBAL, DAY + 1n))
        .to.be.revertedWithCustomError(vault, "InvalidDuration")
        .withArgs(DAY + 1n, MIN_PAUSE, DAY);
      await expect(vault.connect(recovery).setPauseBounds(MAX_PAUSE_CAP + 1n, HOUR))
        .to.be.revertedWithCustomError(vault, "InvalidDuration")
        .withArgs(MAX_PAUSE_CAP + 1n, MIN_PAUSE, MAX_PAUSE_CAP);
      await expect(vault.connect(recovery).setPauseBounds(DAY, MAX_GRACE_PERIOD + 1n))
        .to.be.revertedWithCustomError(vault, "InvalidGracePeriod")
        .withArgs(MAX_GRACE_PERIOD + 1n, MAX_GRACE_PERIOD);
      expect(await vault.pauseBounds()).to.deep.equal([DAY, 2n * HOUR]);
    });
  });

  describe("slow path: extend and unpause (RECOVERY)", function () {
    it("extendPause moves the expiry later only, bounded from now", async function () {
      const { vault, guardian, recovery } = await loadFixture(vaultFixture);
      const until = (await nextTimestamp()) + HOUR;
      await vault.connect(guardian).pause(Scope.GLOBAL, HOUR);
      const ts = await nextTimestamp();
      await expect(vault.connect(recovery).extendPause(Scope.GLOBAL, DAY))
        .to.emit(vault, "PauseExtended")
        .withArgs(Scope.GLOBAL, ts + DAY, recovery.address);
      expect(await vault.pausedUntil(Scope.GLOBAL)).to.equal(ts + DAY);
      // Earlier than the current expiry: refused, state kept.
      const ts2 = await nextTimestamp();
      await expect(vault.connect(recovery).extendPause(Scope.GLOBAL, HOUR))
        .to.be.revertedWithCustomError(vault, "ExtensionNotLater")
        .withArgs(Scope.GLOBAL, ts + DAY, ts2 + HOUR);
      await expect(vault.connect(recovery).extendPause(Scope.GLOBAL, MAX_PAUSE + 1n))
        .to.be.revertedWithCustomError(vault, "InvalidDuration")
        .withArgs(MAX_PAUSE + 1n, MIN_PAUSE, MAX_PAUSE);
      expect(await vault.pausedUntil(Scope.GLOBAL)).to.equal(ts + DAY);
      expect(until).to.be.lessThan(ts + DAY);
      await expect(vault.connect(recovery).extendPause(Scope.DEPOSIT, DAY))
        .to.be.revertedWithCustomError(vault, "NotPaused")
        .withArgs(Scope.DEPOSIT);
      // After expiry there is nothing to extend.
      await time.increaseTo(ts + DAY);
      await expect(vault.connect(recovery).extendPause(Scope.GLOBAL, DAY))
        .to.be.revertedWithCustomError(vault, "NotPaused")
        .withArgs(Scope.GLOBAL);
    });

    it("unpause lifts a pause early and refreshes the alarm", async function () {
      const { vault, guardian, recovery, alice } = await loadFixture(vaultFixture);
      await vault.connect(guardian).pause(Scope.WITHDRAW, DAY);
      const ts = await nextTimestamp();
      await expect(vault.connect(recovery).unpause(Scope.WITHDRAW))
        .to.emit(vault, "Unpaused")
        .withArgs(Scope.WITHDRAW, recovery.address)
        .and.to.emit(vault, "AlarmCleared");
      expect(await vault.pausedUntil(Scope.WITHDRAW)).to.equal(ts);
      expect(await vault.isPaused(Scope.WITHDRAW)).to.equal(false);
      expect(await vault.alarmRaised()).to.equal(false);
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address)).to.emit(vault, "Withdraw");
      await expect(vault.connect(recovery).unpause(Scope.WITHDRAW))
        .to.be.revertedWithCustomError(vault, "NotPaused")
        .withArgs(Scope.WITHDRAW);
    });

    it("unpausing one scope keeps the alarm up while another is paused", async function () {
      const { vault, guardian, recovery, alice } = await loadFixture(vaultFixture);
      await vault.connect(guardian).pause(Scope.WITHDRAW, DAY);
      await vault.connect(guardian).pause(Scope.DEPOSIT, DAY);
      await expect(vault.connect(recovery).unpause(Scope.WITHDRAW)).not.to.emit(vault, "AlarmCleared");
      expect(await vault.alarmRaised()).to.equal(true);
      await expect(vault.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused");
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address)).to.emit(vault, "Withdraw");
    });
  });

  describe("grace period", function () {
    it("runs for gracePeriod after an early unpause, for that scope only", async function () {
      const { vault, guardian, recovery } = await loadFixture(vaultFixture);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(false); // never paused
      await vault.connect(guardian).pause(Scope.BORROW, 2n * DAY);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(false); // paused, not grace
      await time.increase(DAY); // the grace never outlasts the pause: let it last a full grace period
      const ts = await nextTimestamp();
      await vault.connect(recovery).unpause(Scope.BORROW);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(true);
      expect(await vault.inGracePeriod(Scope.DEPOSIT)).to.equal(false);
      expect(await vault.inGracePeriod(Scope.GLOBAL)).to.equal(false);
      await time.increaseTo(ts + GRACE - 1n);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(true);
      await time.increaseTo(ts + GRACE);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(false);
    });

    it("runs after a natural expiry for min(gracePeriod, the pause's length) (issue 11, finding 6)", async function () {
      const { vault, guardian } = await loadFixture(vaultFixture);
      const until = (await nextTimestamp()) + HOUR;
      await vault.connect(guardian).pause(Scope.BORROW, HOUR);
      await time.increaseTo(until - 1n);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(false);
      await time.increaseTo(until);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(true);
      await time.increaseTo(until + HOUR - 1n); // a 1-hour pause earns 1 hour of grace, not GRACE
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(true);
      await time.increaseTo(until + HOUR);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(false);
    });

    it("a global pause puts every scope in grace after it ends", async function () {
      const { vault, guardian, recovery } = await loadFixture(vaultFixture);
      await vault.connect(guardian).pause(Scope.GLOBAL, DAY);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(false);
      const ts = await nextTimestamp();
      await vault.connect(recovery).unpause(Scope.GLOBAL);
      for (const s of [Scope.GLOBAL, Scope.BORROW, Scope.DEPOSIT, Scope.WITHDRAW]) {
        expect(await vault.inGracePeriod(s)).to.equal(true);
      }
      await time.increaseTo(ts + GRACE);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(false);
    });

    it("the later of the scope's and the global pause's ends counts", async function () {
      const { vault, guardian, recovery } = await loadFixture(vaultFixture);
      await vault.connect(guardian).pause(Scope.GLOBAL, HOUR);
      await vault.connect(guardian).pause(Scope.BORROW, 2n * DAY);
      await vault.connect(recovery).unpause(Scope.GLOBAL);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(false); // BORROW still paused
      const ts = await nextTimestamp(DAY + 2n * HOUR); // BORROW lasted > GRACE: full grace
      await vault.connect(recovery).unpause(Scope.BORROW);
      await time.increaseTo(ts + GRACE - 1n);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(true);
      expect(await vault.inGracePeriod(Scope.DEPOSIT)).to.equal(false); // global grace is over
    });

    it("a zero grace period means no grace", async function () {
      const { vault, guardian, recovery } = await loadFixture(vaultFixture);
      await vault.connect(recovery).setPauseBounds(MAX_PAUSE, 0n);
      await vault.connect(guardian).pause(Scope.BORROW, HOUR);
      await vault.connect(recovery).unpause(Scope.BORROW);
      expect(await vault.inGracePeriod(Scope.BORROW)).to.equal(false);
    });
  });

  describe("alarm", function () {
    it("pausing raises the alarm; refreshAlarm lowers it only after expiry", async function () {
      const { vault, guardian, other, alice } = await loadFixture(vaultFixture);
      expect(await vault.alarmRaised()).to.equal(false);
      const until = (await nextTimestamp()) + HOUR;
      await expect(vault.connect(guardian).pause(Scope.DEPOSIT, HOUR)).to.emit(vault, "AlarmRaised");
      expect(await vault.alarmRaised()).to.equal(true);
      expect(await vault.pausedScopes()).to.deep.equal([Scope.DEPOSIT]);
      await expect(vault.connect(other).refreshAlarm()).not.to.emit(vault, "AlarmCleared");
      expect(await vault.alarmRaised()).to.equal(true);
      await time.increaseTo(until);
      await expect(vault.connect(other).refreshAlarm()).to.emit(vault, "AlarmCleared");
      expect(await vault.alarmRaised()).to.equal(false);
      expect(await vault.pausedScopes()).to.deep.equal([]);
      // A second refresh is a no-op; guarded calls work; the next pause raises it again.
      await expect(vault.connect(other).refreshAlarm()).not.to.emit(vault, "AlarmCleared");
      await expect(vault.connect(alice).deposit(E18, alice.address)).to.emit(vault, "Deposit");
      await expect(vault.connect(guardian).pause(Scope.DEPOSIT, HOUR)).to.emit(vault, "AlarmRaised");
      await expect(vault.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(vault, "ScopePaused");
    });

    it("refreshAlarm keeps the alarm while one of several pauses is active", async function () {
      const { vault, guardian, other } = await loadFixture(vaultFixture);
      const until = (await nextTimestamp()) + HOUR;
      await vault.connect(guardian).pause(Scope.DEPOSIT, HOUR);
      await vault.connect(guardian).pause(Scope.WITHDRAW, DAY);
      await time.increaseTo(until);
      await vault.connect(other).refreshAlarm();
      expect(await vault.alarmRaised()).to.equal(true);
      expect(await vault.pausedScopes()).to.include(Scope.WITHDRAW);
    });

    it("refreshAlarm keeps the alarm while someone is quarantined", async function () {
      const { vault, guardian, recovery, attacker, other } = await loadFixture(vaultFixture);
      await expect(vault.connect(guardian).quarantine(attacker.address)).to.emit(vault, "AlarmRaised");
      await vault.connect(other).refreshAlarm();
      expect(await vault.alarmRaised()).to.equal(true);
      await expect(vault.connect(recovery).release(attacker.address)).to.emit(vault, "AlarmCleared");
      expect(await vault.alarmRaised()).to.equal(false);
    });
  });
});
