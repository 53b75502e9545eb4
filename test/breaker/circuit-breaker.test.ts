import { expect } from "chai";
import { network } from "hardhat";
import { CAPACITY, DAY, E18, HOUR, Role, Scope, assetScope, deployExternalSystem, limit, queueLimit, refilled } from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function fixture() {
  return deployExternalSystem(ethers);
}

async function nextTimestamp(offset = 1n): Promise<bigint> {
  const ts = BigInt(await time.latest()) + offset;
  await time.setNextBlockTimestamp(ts);
  return ts;
}

describe("CircuitBreaker (standalone) through ExternalProtectedVault", function () {
  describe("registration", function () {
    it("registerProtected (RECOVERY) validates and emits; twice reverts AlreadyRegistered", async function () {
      const { breaker, recovery, guardian, other, vaultA2Addr, vaultAAddr } = await loadFixture(fixture);
      expect(await breaker.isProtected(vaultAAddr)).to.equal(true);
      expect(await breaker.isProtected(vaultA2Addr)).to.equal(false);
      await expect(breaker.connect(recovery).registerProtected(vaultAAddr))
        .to.be.revertedWithCustomError(breaker, "AlreadyRegistered")
        .withArgs(vaultAAddr);
      await expect(breaker.connect(recovery).registerProtected(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(breaker, "ZeroAddress");
      await expect(breaker.connect(recovery).registerProtected(other.address))
        .to.be.revertedWithCustomError(breaker, "NotAContract")
        .withArgs(other.address);
      await expect(breaker.connect(guardian).registerProtected(vaultA2Addr))
        .to.be.revertedWithCustomError(breaker, "AccessControlUnauthorizedAccount")
        .withArgs(guardian.address, Role.RECOVERY);
      expect(await breaker.isProtected(vaultA2Addr)).to.equal(false);
      await expect(breaker.connect(recovery).registerProtected(vaultA2Addr))
        .to.emit(breaker, "ProtectedContractRegistered")
        .withArgs(vaultA2Addr);
      expect(await breaker.isProtected(vaultA2Addr)).to.equal(true);
    });

    it("hooks refuse unregistered callers (UnregisteredCaller)", async function () {
      const { breaker, alice, aAddr, vaultA2, vaultA2Addr } = await loadFixture(fixture);
      await expect(breaker.connect(alice).onOutflow(Scope.WITHDRAW, aAddr, E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(breaker, "UnregisteredCaller")
        .withArgs(alice.address);
      await expect(breaker.connect(alice).onInflow(Scope.DEPOSIT, aAddr, E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(breaker, "UnregisteredCaller")
        .withArgs(alice.address);
      await expect(breaker.connect(alice).onRepayment(aAddr, E18))
        .to.be.revertedWithCustomError(breaker, "UnregisteredCaller")
        .withArgs(alice.address);
      // A vault the breaker does not know cannot take deposits or donations.
      await expect(vaultA2.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(breaker, "UnregisteredCaller")
        .withArgs(vaultA2Addr);
      await expect(vaultA2.connect(alice).donate(E18))
        .to.be.revertedWithCustomError(breaker, "UnregisteredCaller")
        .withArgs(vaultA2Addr);
      expect(await breaker.availableCapacity(aAddr)).to.equal(CAPACITY);
    });

    it("a deregistered vault is refused; deregistering twice reverts", async function () {
      const { breaker, recovery, alice, vaultA, vaultAAddr } = await loadFixture(fixture);
      await expect(breaker.connect(recovery).deregisterProtected(vaultAAddr))
        .to.emit(breaker, "ProtectedContractDeregistered")
        .withArgs(vaultAAddr);
      expect(await breaker.isProtected(vaultAAddr)).to.equal(false);
      await expect(vaultA.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(breaker, "UnregisteredCaller")
        .withArgs(vaultAAddr);
      await expect(vaultA.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(breaker, "UnregisteredCaller")
        .withArgs(vaultAAddr);
      await expect(breaker.connect(recovery).deregisterProtected(vaultAAddr))
        .to.be.revertedWithCustomError(breaker, "UnregisteredCaller")
        .withArgs(vaultAAddr);
    });
  });

  describe("pauses, freezes and quarantines apply through the hooks", function () {
    it("a global pause stops every protected vault; checkScope reverts too", async function () {
      const { breaker, guardian, alice, vaultA, vaultB } = await loadFixture(fixture);
      const until = (await nextTimestamp()) + HOUR;
      await breaker.connect(guardian).pause(Scope.GLOBAL, HOUR);
      for (const v of [vaultA, vaultB]) {
        await expect(v.connect(alice).withdraw(E18, alice.address, alice.address))
          .to.be.revertedWithCustomError(breaker, "ScopePaused")
          .withArgs(Scope.GLOBAL, until);
        await expect(v.connect(alice).deposit(E18, alice.address))
          .to.be.revertedWithCustomError(breaker, "ScopePaused")
          .withArgs(Scope.GLOBAL, until);
      }
      await expect(breaker.checkScope(Scope.BORROW))
        .to.be.revertedWithCustomError(breaker, "ScopePaused")
        .withArgs(Scope.GLOBAL, until);
      await time.increaseTo(until);
      await breaker.checkScope(Scope.BORROW);
      await expect(vaultA.connect(alice).withdraw(E18, alice.address, alice.address)).to.emit(vaultA, "Withdraw");
    });

    it("a WITHDRAW pause blocks withdrawals only; an asset pause only that asset's vaults", async function () {
      const { breaker, guardian, recovery, alice, vaultA, vaultB, aAddr } = await loadFixture(fixture);
      await breaker.connect(guardian).pause(Scope.WITHDRAW, HOUR);
      await expect(vaultB.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(breaker, "ScopePaused");
      await expect(vaultB.connect(alice).deposit(E18, alice.address)).to.emit(vaultB, "Deposit");
      await breaker.connect(recovery).unpause(Scope.WITHDRAW);
      await breaker.connect(guardian).pause(assetScope(aAddr), HOUR);
      await expect(vaultA.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(breaker, "ScopePaused")
        .withArgs(assetScope(aAddr), (await breaker.pausedUntil(assetScope(aAddr))));
      await expect(vaultB.connect(alice).withdraw(E18, alice.address, alice.address)).to.emit(vaultB, "Withdraw");
    });

    it("freezing asset A stops vaultA and leaves vaultB alone; quarantine spans vaults", async function () {
      const { breaker, guardian, alice, bob, vaultA, vaultB, aAddr } = await loadFixture(fixture);
      await breaker.connect(guardian).freezeAsset(aAddr);
      await expect(vaultA.connect(bob).withdraw(E18, bob.address, bob.address))
        .to.be.revertedWithCustomError(breaker, "AssetIsFrozen")
        .withArgs(aAddr);
      await expect(vaultB.connect(alice).withdraw(E18, alice.address, alice.address)).to.emit(vaultB, "Withdraw");
      await breaker.connect(guardian).quarantine(alice.address);
      await expect(vaultB.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(breaker, "AccountIsQuarantined")
        .withArgs(alice.address);
    });

    it("repayment-like inflows (onRepayment) are never blocked", async function () {
      const { breaker, guardian, alice, vaultA, vaultAAddr, aAddr, tokenA } = await loadFixture(fixture);
      await breaker.connect(guardian).pause(Scope.GLOBAL, HOUR);
      await breaker.connect(guardian).freezeAsset(aAddr);
      await breaker.connect(guardian).quarantine(alice.address);
      await expect(vaultA.connect(alice).donate(E18)).to.changeTokenBalance(ethers, tokenA, vaultAAddr, E18);
    });
  });

  describe("limits are per asset, protocol-wide", function () {
    it("two vaults of asset A share A's capacity; asset B is unaffected by A's breach", async function () {
      const { breaker, recovery, alice, bob, vaultA, vaultA2, vaultA2Addr, vaultB, aAddr, bAddr } =
        await loadFixture(fixture);
      await breaker.connect(recovery).registerProtected(vaultA2Addr);
      await vaultA2.connect(bob).deposit(5_000n * E18, bob.address);
      await vaultA.connect(alice).withdraw(600n * E18, alice.address, alice.address);
      const t0 = BigInt(await time.latest());
      const ts = await nextTimestamp();
      await expect(vaultA2.connect(bob).withdraw(600n * E18, bob.address, bob.address))
        .to.be.revertedWithCustomError(breaker, "OutflowLimitExceeded")
        .withArgs(aAddr, 600n * E18, refilled(400n * E18, ts - t0));
      expect(await breaker.availableCapacity(bAddr)).to.equal(CAPACITY);
      await expect(vaultB.connect(alice).withdraw(CAPACITY, alice.address, alice.address)).to.emit(vaultB, "Withdraw");
    });

    it("a flash round trip across two vaults of the same asset nets out within the transaction", async function () {
      const { breaker, recovery, alice, vaultA, vaultA2, vaultA2Addr, aAddr, tokenA } = await loadFixture(fixture);
      await breaker.connect(recovery).registerProtected(vaultA2Addr);
      const rt = await ethers.deployContract("FlashRoundTrip");
      await tokenA.mint(await rt.getAddress(), 5_000n * E18);
      await rt.depositThenWithdraw(vaultA2Addr, 5_000n * E18);
      expect(await breaker.availableCapacity(aAddr)).to.equal(CAPACITY);
      await expect(vaultA.connect(alice).withdraw(CAPACITY, alice.address, alice.address)).to.emit(vaultA, "Withdraw");
      expect(await vaultA2.totalSupply()).to.equal(0n);
    });
  });

  describe("queued settlement", function () {
    async function queuedFixture() {
      const f = await deployExternalSystem(ethers);
      await f.breaker.setLimit(f.aAddr, queueLimit({ settlementDelay: HOUR }));
      await f.vaultA.connect(f.alice).withdraw(1_500n * E18, f.alice.address, f.alice.address);
      return f;
    }

    it("pays the headroom now; the breaker has the vault pay the rest once, after the delay", async function () {
      const { breaker, alice, bob, vaultA, vaultAAddr, aAddr, tokenA } = await loadFixture(queuedFixture);
      // The queued 500 stay in the vault but no longer back shares.
      expect(await tokenA.balanceOf(vaultAAddr)).to.equal(8_500n * E18 + 500n * E18);
      expect(await breaker.queuedTotal(aAddr)).to.equal(500n * E18);
      expect(await vaultA.totalAssets()).to.equal(8_500n * E18);
      expect(await tokenA.balanceOf(alice.address)).to.equal(15_000n * E18 + 1_000n * E18); // minted 2 x 10,000, deposited 5,000
      const q = await breaker.queuedOutflow(1n);
      expect([q.source, q.asset, q.recipient, q.amount]).to.deep.equal([vaultAAddr, aAddr, alice.address, 500n * E18]);
      await expect(breaker.connect(bob).claimQueuedOutflow(1n))
        .to.be.revertedWithCustomError(breaker, "QueuedOutflowNotClaimable")
        .withArgs(1n, q.claimableAt);
      // Only the breaker may make the vault pay.
      await expect(vaultA.connect(alice).settleQueuedOutflow(aAddr, alice.address, 500n * E18))
        .to.be.revertedWithCustomError(vaultA, "NotBreaker")
        .withArgs(alice.address);
      await time.increaseTo(q.claimableAt);
      const tx = breaker.connect(bob).claimQueuedOutflow(1n);
      await expect(tx).to.emit(breaker, "QueuedOutflowClaimed").withArgs(1n, alice.address, 500n * E18);
      await expect(tx).to.changeTokenBalances(ethers, tokenA, [alice, vaultAAddr], [500n * E18, -500n * E18]);
      await expect(breaker.claimQueuedOutflow(1n))
        .to.be.revertedWithCustomError(breaker, "QueuedOutflowSettled")
        .withArgs(1n);
      expect(await vaultA.totalAssets()).to.equal(8_500n * E18);
    });

    it("a veto leaves the tokens in the vault and returns them to its share holders", async function () {
      const { breaker, guardian, vaultA, vaultAAddr, aAddr, tokenA } = await loadFixture(queuedFixture);
      await expect(breaker.connect(guardian).vetoQueuedOutflow(1n))
        .to.emit(breaker, "QueuedOutflowVetoed")
        .withArgs(1n, guardian.address);
      expect(await tokenA.balanceOf(vaultAAddr)).to.equal(9_000n * E18);
      expect(await breaker.queuedTotal(aAddr)).to.equal(0n);
      expect(await vaultA.totalAssets()).to.equal(9_000n * E18);
    });

    it("a queued outflow is still settled after its vault is deregistered", async function () {
      const { breaker, recovery, alice, vaultAAddr, tokenA } = await loadFixture(queuedFixture);
      await breaker.connect(recovery).deregisterProtected(vaultAAddr);
      await time.increase(DAY);
      await expect(breaker.claimQueuedOutflow(1n)).to.changeTokenBalance(ethers, tokenA, alice, 500n * E18);
    });

    it("a frozen asset's queued outflow waits for the unfreeze", async function () {
      const { breaker, guardian, recovery, aAddr, alice, tokenA } = await loadFixture(queuedFixture);
      await breaker.connect(guardian).freezeAsset(aAddr);
      await time.increase(DAY);
      await expect(breaker.claimQueuedOutflow(1n))
        .to.be.revertedWithCustomError(breaker, "AssetIsFrozen")
        .withArgs(aAddr);
      await breaker.connect(recovery).unfreezeAsset(aAddr);
      await expect(breaker.claimQueuedOutflow(1n)).to.changeTokenBalance(ethers, tokenA, alice, 500n * E18);
    });
  });

  it("inflow credit through onInflow and onRepayment", async function () {
    const { breaker, recovery, alice, vaultA, aAddr } = await loadFixture(fixture);
    await breaker.connect(recovery).setLimit(aAddr, limit({ inflowCredit: true }));
    await vaultA.connect(alice).withdraw(800n * E18, alice.address, alice.address);
    const t0 = BigInt(await time.latest());
    await vaultA.connect(alice).deposit(100n * E18, alice.address);
    await vaultA.connect(alice).donate(100n * E18);
    const t1 = BigInt(await time.latest());
    expect(await breaker.availableCapacity(aAddr)).to.equal(refilled(200n * E18, t1 - t0) + 200n * E18);
  });
});
