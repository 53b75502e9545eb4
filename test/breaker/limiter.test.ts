import { expect } from "chai";
import { network } from "hardhat";
import { CAPACITY, DAY, E18, Mode, WINDOW, deployVaultSystem, limit, queueLimit, refilled } from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function vaultFixture() {
  return deployVaultSystem(ethers);
}

/** The vault in Queue mode: the excess over capacity waits one day in the escrow. */
async function queueFixture() {
  const f = await deployVaultSystem(ethers);
  await f.vault.setLimit(f.tokenAddr, queueLimit());
  return f;
}

const latest = async (): Promise<bigint> => BigInt(await time.latest());

async function nextTimestamp(offset = 1n): Promise<bigint> {
  const ts = (await latest()) + offset;
  await time.setNextBlockTimestamp(ts);
  return ts;
}

describe("Breaker: outflow limiter (ProtectedVault)", function () {
  describe("continuous refill", function () {
    it("refills maxCapacity/window per second, capped at maxCapacity", async function () {
      const { vault, alice, tokenAddr } = await loadFixture(vaultFixture);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY);
      await vault.connect(alice).withdraw(CAPACITY / 2n, alice.address, alice.address);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY / 2n);
      await time.increase(WINDOW / 2n);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY); // half window: full again

      await vault.connect(alice).withdraw(CAPACITY / 2n, alice.address, alice.address);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY / 2n);
      await time.increase(WINDOW / 4n);
      expect(await vault.availableCapacity(tokenAddr)).to.equal((CAPACITY * 3n) / 4n); // quarter: 3/4
      await time.increase(2n * WINDOW);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY); // never above the max
    });

    it("odd amounts refill with floor rounding (within 1 wei of the exact rate)", async function () {
      const { vault, alice, tokenAddr } = await loadFixture(vaultFixture);
      await vault.connect(alice).withdraw(CAPACITY, alice.address, alice.address);
      const t0 = await latest();
      await time.increase(7_777n);
      const got = await vault.availableCapacity(tokenAddr);
      expect(got).to.equal(refilled(0n, (await latest()) - t0));
      const exactTimes86400 = 7_777n * CAPACITY; // exact refill * window
      expect(exactTimes86400 - got * WINDOW).to.be.lessThan(WINDOW); // floor: off by < 1 wei
    });
  });

  describe("Revert mode", function () {
    it("reverts OutflowLimitExceeded(asset, amount, headroom) and changes nothing", async function () {
      const { vault, token, tokenAddr, alice } = await loadFixture(vaultFixture);
      await vault.connect(alice).withdraw(600n * E18, alice.address, alice.address);
      const t0 = await latest();
      const ts = await nextTimestamp(10n);
      const headroom = refilled(400n * E18, ts - t0);
      await expect(vault.connect(alice).withdraw(500n * E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "OutflowLimitExceeded")
        .withArgs(tokenAddr, 500n * E18, headroom);
      expect(await vault.balanceOf(alice.address)).to.equal(9_400n * E18);
      expect(await token.balanceOf(alice.address)).to.equal(90_600n * E18);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(refilled(400n * E18, (await latest()) - t0));
      // Up to the headroom passes.
      await expect(vault.connect(alice).withdraw(400n * E18, alice.address, alice.address))
        .to.changeTokenBalance(ethers, token, alice, 400n * E18);
    });

    it("a single outflow above maxCapacity always reverts", async function () {
      const { vault, tokenAddr, alice } = await loadFixture(vaultFixture);
      await expect(vault.connect(alice).redeem(CAPACITY + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "OutflowLimitExceeded")
        .withArgs(tokenAddr, CAPACITY + 1n, CAPACITY);
    });
  });

  describe("Queue mode", function () {
    it("pays the headroom now, escrows the excess, pays it exactly once after the delay", async function () {
      const { vault, token, tokenAddr, alice, bob, escrowAddr, vaultAddr } = await loadFixture(queueFixture);
      const ts = await nextTimestamp();
      const claimableAt = ts + DAY;
      await expect(vault.connect(alice).withdraw(1_500n * E18, alice.address, alice.address))
        .to.emit(vault, "OutflowQueued")
        .withArgs(1n, tokenAddr, alice.address, 500n * E18, claimableAt)
        .and.to.emit(vault, "Withdraw")
        .withArgs(alice.address, alice.address, alice.address, 1_500n * E18, 1_500n * E18);
      expect(await token.balanceOf(alice.address)).to.equal(90_000n * E18 + 1_000n * E18);
      expect(await token.balanceOf(escrowAddr)).to.equal(500n * E18);
      expect(await token.balanceOf(vaultAddr)).to.equal(18_500n * E18);
      expect(await vault.balanceOf(alice.address)).to.equal(8_500n * E18); // shares burned in full
      expect(await vault.totalAssets()).to.equal(18_500n * E18); // the escrow is not the vault's
      expect(await vault.queuedOutflowCount()).to.equal(1n);
      expect(await vault.queuedTotal(tokenAddr)).to.equal(500n * E18);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(0n);
      const q = await vault.queuedOutflow(1n);
      expect([q.source, q.asset, q.recipient, q.amount, q.claimableAt, q.settled, q.vetoed]).to.deep.equal([
        vaultAddr, tokenAddr, alice.address, 500n * E18, claimableAt, false, false,
      ]);

      await time.increaseTo(claimableAt - 5n);
      await expect(vault.connect(bob).claimQueuedOutflow(1n))
        .to.be.revertedWithCustomError(vault, "QueuedOutflowNotClaimable")
        .withArgs(1n, claimableAt);

      await time.increaseTo(claimableAt);
      // Anyone may trigger the payment; it goes to the recipient.
      const tx = vault.connect(bob).claimQueuedOutflow(1n);
      await expect(tx)
        .to.emit(vault, "QueuedOutflowClaimed")
        .withArgs(1n, alice.address, 500n * E18);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice, bob, escrowAddr], [500n * E18, 0n, -500n * E18]);
      expect(await vault.queuedTotal(tokenAddr)).to.equal(0n);
      expect((await vault.queuedOutflow(1n)).settled).to.equal(true);
      await expect(vault.connect(alice).claimQueuedOutflow(1n))
        .to.be.revertedWithCustomError(vault, "QueuedOutflowSettled")
        .withArgs(1n);
      expect(await token.balanceOf(alice.address)).to.equal(91_500n * E18);
    });

    it("with no headroom left, the whole outflow (minus refill) is queued", async function () {
      const { vault, token, alice, tokenAddr } = await loadFixture(queueFixture);
      await vault.connect(alice).withdraw(CAPACITY, alice.address, alice.address);
      const t0 = await latest();
      const ts = await nextTimestamp(60n);
      const payNow = refilled(0n, ts - t0);
      const tx = vault.connect(alice).withdraw(100n * E18, alice.address, alice.address);
      await expect(tx)
        .to.emit(vault, "OutflowQueued")
        .withArgs(1n, tokenAddr, alice.address, 100n * E18 - payNow, ts + DAY);
      await expect(tx).to.changeTokenBalance(ethers, token, alice, payNow);
      expect(await vault.queuedTotal(tokenAddr)).to.equal(100n * E18 - payNow);
    });

    it("EMERGENCY vetoes during the delay: tokens return to the vault, nothing is paid", async function () {
      const { vault, token, tokenAddr, alice, guardian, escrowAddr, vaultAddr } = await loadFixture(queueFixture);
      await vault.connect(alice).withdraw(1_500n * E18, alice.address, alice.address);
      const tx = vault.connect(guardian).vetoQueuedOutflow(1n);
      await expect(tx)
        .to.emit(vault, "QueuedOutflowVetoed")
        .withArgs(1n, guardian.address);
      await expect(tx).to.changeTokenBalances(ethers, token, [escrowAddr, vaultAddr, alice], [-500n * E18, 500n * E18, 0n]);
      const q = await vault.queuedOutflow(1n);
      expect([q.settled, q.vetoed]).to.deep.equal([true, true]);
      expect(await vault.queuedTotal(tokenAddr)).to.equal(0n);
      await time.increase(DAY);
      await expect(vault.connect(alice).claimQueuedOutflow(1n))
        .to.be.revertedWithCustomError(vault, "QueuedOutflowSettled")
        .withArgs(1n);
      await expect(vault.connect(guardian).vetoQueuedOutflow(1n))
        .to.be.revertedWithCustomError(vault, "QueuedOutflowSettled")
        .withArgs(1n);
    });

    it("the veto window closes when the outflow becomes claimable", async function () {
      const { vault, token, alice, guardian } = await loadFixture(queueFixture);
      const ts = await nextTimestamp();
      await vault.connect(alice).withdraw(1_500n * E18, alice.address, alice.address);
      await time.increaseTo(ts + DAY);
      await expect(vault.connect(guardian).vetoQueuedOutflow(1n))
        .to.be.revertedWithCustomError(vault, "VetoWindowClosed")
        .withArgs(1n, ts + DAY);
      expect((await vault.queuedOutflow(1n)).settled).to.equal(false);
      await expect(vault.claimQueuedOutflow(1n)).to.changeTokenBalance(ethers, token, alice, 500n * E18);
    });

    it("a queued outflow to another receiver is the receiver's claim", async function () {
      const { vault, token, tokenAddr, alice, bob } = await loadFixture(queueFixture);
      await vault.connect(alice).withdraw(1_200n * E18, bob.address, alice.address);
      const q = await vault.queuedOutflow(1n);
      expect([q.recipient, q.amount]).to.deep.equal([bob.address, 200n * E18]);
      await time.increase(DAY);
      await expect(vault.connect(alice).claimQueuedOutflow(1n)).to.changeTokenBalances(
        ethers, token, [alice, bob], [0n, 200n * E18],
      );
      expect(await vault.queuedTotal(tokenAddr)).to.equal(0n);
    });
  });

  describe("minimum TVL", function () {
    it("below minTvl the limit does not apply (event), at or above it does", async function () {
      const { vault, token, tokenAddr, alice, recovery } = await loadFixture(vaultFixture);
      await vault.connect(recovery).setLimit(tokenAddr, limit({ minTvl: 50_000n * E18 }));
      // Within capacity nothing is bypassed (the TVL is not even read).
      await expect(vault.connect(alice).withdraw(100n * E18, alice.address, alice.address))
        .not.to.emit(vault, "LimitBypassedBelowMinTvl");
      // TVL is the vault's balance before the outflow: 19,900 < 50,000.
      const tx = vault.connect(alice).withdraw(5_000n * E18, alice.address, alice.address);
      await expect(tx)
        .to.emit(vault, "LimitBypassedBelowMinTvl")
        .withArgs(tokenAddr, 5_000n * E18, 19_900n * E18);
      await expect(tx).to.changeTokenBalance(ethers, token, alice, 5_000n * E18);
      // The bypassed outflow still drains the bucket (documented: capacity left is floored at 0).
      expect(await vault.availableCapacity(tokenAddr)).to.equal(0n);

      await time.increase(2n * DAY);
      await vault.connect(recovery).setLimit(tokenAddr, limit({ minTvl: 14_900n * E18 })); // TVL 14,900
      await expect(vault.connect(alice).withdraw(1_001n * E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "OutflowLimitExceeded")
        .withArgs(tokenAddr, 1_001n * E18, CAPACITY);
      await vault.connect(recovery).setLimit(tokenAddr, limit({ minTvl: 14_900n * E18 + 1n }));
      await expect(vault.connect(alice).withdraw(1_001n * E18, alice.address, alice.address))
        .to.emit(vault, "LimitBypassedBelowMinTvl")
        .withArgs(tokenAddr, 1_001n * E18, 14_900n * E18);
    });
  });

  describe("inflow credit", function () {
    it("off: deposits in later transactions do not restore capacity", async function () {
      const { vault, alice, tokenAddr } = await loadFixture(vaultFixture);
      await vault.connect(alice).withdraw(600n * E18, alice.address, alice.address);
      const t0 = await latest();
      await vault.connect(alice).deposit(600n * E18, alice.address);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(refilled(400n * E18, (await latest()) - t0));
      expect((await vault.limitOf(tokenAddr)).inflowCredit).to.equal(false);
    });

    it("on: deposits restore capacity, up to maxCapacity", async function () {
      const { vault, alice, tokenAddr, recovery } = await loadFixture(vaultFixture);
      await vault.connect(recovery).setLimit(tokenAddr, limit({ inflowCredit: true }));
      expect((await vault.limitOf(tokenAddr)).inflowCredit).to.equal(true);
      await vault.connect(alice).withdraw(600n * E18, alice.address, alice.address);
      const t0 = await latest();
      await vault.connect(alice).deposit(300n * E18, alice.address);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(
        refilled(400n * E18, (await latest()) - t0) + 300n * E18,
      );
      await vault.connect(alice).deposit(5_000n * E18, alice.address);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY);
      // Turning credit off again stops it.
      await vault.connect(recovery).setLimit(tokenAddr, limit({ inflowCredit: false }));
      await vault.connect(alice).withdraw(600n * E18, alice.address, alice.address);
      const t1 = await latest();
      await vault.connect(alice).deposit(600n * E18, alice.address);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(refilled(400n * E18, (await latest()) - t1));
    });
  });

  describe("changing limits", function () {
    it("raising a limit via setLimit grants no capacity at once; the headroom refills", async function () {
      const { vault, alice, tokenAddr, recovery } = await loadFixture(vaultFixture);
      await vault.connect(alice).withdraw(CAPACITY, alice.address, alice.address);
      const t0 = await latest();
      const config = limit({ maxCapacity: 2n * CAPACITY });
      await expect(vault.connect(recovery).setLimit(tokenAddr, config))
        .to.emit(vault, "LimitSet")
        .withArgs(tokenAddr, [2n * CAPACITY, WINDOW, 0n, Mode.Revert, 0n, false]);
      const t1 = await latest();
      const atRaise = refilled(0n, t1 - t0); // refilled at the old rate, not topped up
      expect(atRaise).to.be.lessThan(E18 / 10n);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(atRaise);
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "OutflowLimitExceeded");
      await time.increaseTo(t1 + WINDOW / 2n);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(atRaise + CAPACITY); // 2000/2
      const l = await vault.limitOf(tokenAddr);
      expect(l.maxCapacity).to.equal(2n * CAPACITY);
    });

    it("raising the limit of a full bucket keeps its capacity; lowering via setLimit clamps", async function () {
      const { vault, tokenAddr, recovery } = await loadFixture(vaultFixture);
      await vault.connect(recovery).setLimit(tokenAddr, limit({ maxCapacity: 2n * CAPACITY }));
      expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY);
      await vault.connect(recovery).setLimit(tokenAddr, limit({ maxCapacity: 300n * E18 }));
      expect(await vault.availableCapacity(tokenAddr)).to.equal(300n * E18);
    });

    it("lowerLimit (EMERGENCY) clamps capacity and the refill rate", async function () {
      const { vault, alice, tokenAddr, guardian } = await loadFixture(vaultFixture);
      await expect(vault.connect(guardian).lowerLimit(tokenAddr, 300n * E18))
        .to.emit(vault, "LimitLowered")
        .withArgs(tokenAddr, CAPACITY, 300n * E18);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(300n * E18);
      const l = await vault.limitOf(tokenAddr);
      expect([l.maxCapacity, l.window]).to.deep.equal([300n * E18, WINDOW]);
      await vault.connect(alice).withdraw(300n * E18, alice.address, alice.address);
      await time.increase(WINDOW / 2n);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(150n * E18);
    });

    it("lowerLimit keeps capacity already below the new limit", async function () {
      const { vault, alice, tokenAddr, guardian } = await loadFixture(vaultFixture);
      await vault.connect(alice).withdraw(800n * E18, alice.address, alice.address);
      const t0 = await latest();
      await vault.connect(guardian).lowerLimit(tokenAddr, 500n * E18);
      const t1 = await latest();
      const kept = refilled(200n * E18, t1 - t0);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(kept);
      await time.increase(WINDOW / 10n);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(kept + 50n * E18); // new rate: 500/day
    });

    it("lowerLimit refuses anything not strictly lower, or zero (LimitNotLower)", async function () {
      const { vault, tokenAddr, guardian } = await loadFixture(vaultFixture);
      for (const v of [CAPACITY, CAPACITY + 1n, 0n]) {
        await expect(vault.connect(guardian).lowerLimit(tokenAddr, v))
          .to.be.revertedWithCustomError(vault, "LimitNotLower")
          .withArgs(tokenAddr, CAPACITY, v);
      }
      expect((await vault.limitOf(tokenAddr)).maxCapacity).to.equal(CAPACITY);
      expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY);
    });
  });
});
