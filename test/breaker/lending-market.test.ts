import { expect } from "chai";
import { network } from "hardhat";
import {
  DAY, E18, GRACE, HOUR, MAX_PAUSE, Scope, assetScope, deployMarketSystem, limit, queueLimit, refilled,
} from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function marketFixture() {
  return deployMarketSystem(ethers);
}

async function nextTimestamp(offset = 1n): Promise<bigint> {
  const ts = BigInt(await time.latest()) + offset;
  await time.setNextBlockTimestamp(ts);
  return ts;
}

const CF = 8n * E18 / 10n;
const BONUS = 5n * E18 / 100n;
/** healthFactor as the market computes it. */
const hf = (collateral: bigint, price: bigint, debt: bigint) => (((collateral * price) / E18) * CF) / debt;

describe("ProtectedLendingMarket", function () {
  describe("configuration and plain use", function () {
    it("validates its constructor", async function () {
      const { market, colAddr, debtAddr, oracle, admin } = await loadFixture(marketFixture);
      const F = await ethers.getContractFactory("ProtectedLendingMarket");
      const o = await oracle.getAddress();
      const args = (cf: bigint, bonus: bigint, c = colAddr, d = debtAddr, or = o) =>
        F.deploy(c, d, or, cf, bonus, admin.address, MAX_PAUSE, GRACE);
      for (const [cf, bonus] of [[0n, BONUS], [96n * E18 / 100n, BONUS], [E18, 0n], [CF, 21n * E18 / 100n]]) {
        await expect(args(cf, bonus))
          .to.be.revertedWithCustomError(market, "InvalidMarketConfig")
          .withArgs(cf, bonus);
      }
      await expect(args(CF, BONUS, colAddr, colAddr)).to.be.revertedWithCustomError(market, "InvalidMarketConfig");
      await expect(args(CF, BONUS, ethers.ZeroAddress)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await expect(args(CF, BONUS, colAddr, debtAddr, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(market, "ZeroAddress");
      expect(await market.collateralFactor()).to.equal(CF);
      expect(await market.liquidationBonus()).to.equal(BONUS);
    });

    it("tracks positions and health; refuses unhealthy borrows and withdrawals", async function () {
      const { market, alice, bob, debt, collateral, debtAddr } = await loadFixture(marketFixture);
      expect(await market.positionOf(alice.address)).to.deep.equal([1_000n * E18, 1_500n * E18]);
      expect(await market.healthFactor(alice.address)).to.equal(hf(1_000n * E18, 2n * E18, 1_500n * E18));
      expect(await market.healthFactor(bob.address)).to.equal(ethers.MaxUint256);
      expect(await market.suppliedBy((await ethers.getSigners())[3].address)).to.equal(50_000n * E18);
      await expect(market.connect(alice).borrow(101n * E18))
        .to.be.revertedWithCustomError(market, "Unhealthy")
        .withArgs(alice.address, hf(1_000n * E18, 2n * E18, 1_601n * E18));
      await expect(market.connect(alice).withdrawCollateral(63n * E18))
        .to.be.revertedWithCustomError(market, "Unhealthy")
        .withArgs(alice.address, hf(937n * E18, 2n * E18, 1_500n * E18));
      await expect(market.connect(alice).withdrawCollateral(1_001n * E18))
        .to.be.revertedWithCustomError(market, "InsufficientCollateral")
        .withArgs(alice.address, 1_001n * E18, 1_000n * E18);
      await expect(market.connect(alice).repay(1_501n * E18))
        .to.be.revertedWithCustomError(market, "RepayExceedsDebt")
        .withArgs(alice.address, 1_501n * E18, 1_500n * E18);
      await expect(market.connect(alice).borrow(0n)).to.be.revertedWithCustomError(market, "ZeroAmount");
      await expect(market.connect(alice).borrow(100n * E18))
        .to.emit(market, "Borrowed")
        .withArgs(alice.address, 100n * E18, 0n);
      await expect(market.connect(alice).repay(1_600n * E18))
        .to.emit(market, "Repaid")
        .withArgs(alice.address, alice.address, 1_600n * E18);
      await expect(market.connect(alice).withdrawCollateral(1_000n * E18))
        .to.emit(market, "CollateralWithdrawn")
        .withArgs(alice.address, 1_000n * E18, 0n);
      expect(await market.positionOf(alice.address)).to.deep.equal([0n, 0n]);
      expect(await collateral.balanceOf(alice.address)).to.equal(100_000n * E18);
      expect(await debt.balanceOf(alice.address)).to.equal(100_000n * E18);
      expect(await market.availableCapacity(debtAddr)).to.be.lessThan(10_000n * E18); // borrows used it
    });

    it("a zero oracle price is refused (InvalidPrice)", async function () {
      const { market, oracle, alice } = await loadFixture(marketFixture);
      await oracle.setPrice(0n);
      await expect(market.healthFactor(alice.address)).to.be.revertedWithCustomError(market, "InvalidPrice");
    });
  });

  describe("exits are never trapped", function () {
    it("while BORROW is paused: borrow blocked; repay, top-up, withdraw and supply work", async function () {
      const { market, guardian, alice, lender } = await loadFixture(marketFixture);
      const until = (await nextTimestamp()) + DAY;
      await market.connect(guardian).pause(Scope.BORROW, DAY);
      await expect(market.connect(alice).borrow(E18))
        .to.be.revertedWithCustomError(market, "ScopePaused")
        .withArgs(Scope.BORROW, until);
      await expect(market.connect(alice).repay(500n * E18)).to.emit(market, "Repaid");
      await expect(market.connect(alice).depositCollateral(100n * E18))
        .to.emit(market, "CollateralDeposited")
        .withArgs(alice.address, 100n * E18);
      await expect(market.connect(alice).withdrawCollateral(10n * E18)).to.emit(market, "CollateralWithdrawn");
      await expect(market.connect(lender).supplyDebtLiquidity(E18)).to.emit(market, "LiquiditySupplied");
      expect(await market.positionOf(alice.address)).to.deep.equal([1_090n * E18, 1_000n * E18]);
    });

    it("while GLOBAL is paused, the asset is frozen and the user quarantined: repay and top-up still work", async function () {
      const { market, guardian, alice, lender, colAddr, debtAddr } = await loadFixture(marketFixture);
      const until = (await nextTimestamp()) + DAY;
      await market.connect(guardian).pause(Scope.GLOBAL, DAY);
      await market.connect(guardian).freezeAsset(debtAddr);
      await market.connect(guardian).freezeAsset(colAddr);
      await market.connect(guardian).quarantine(alice.address);
      await expect(market.connect(alice).borrow(E18))
        .to.be.revertedWithCustomError(market, "ScopePaused")
        .withArgs(Scope.GLOBAL, until);
      await expect(market.connect(alice).withdrawCollateral(E18)).to.be.revertedWithCustomError(market, "AssetIsFrozen");
      await expect(market.connect(lender).supplyDebtLiquidity(E18))
        .to.be.revertedWithCustomError(market, "AssetIsFrozen");
      await expect(market.connect(alice).repay(1_500n * E18))
        .to.emit(market, "Repaid")
        .withArgs(alice.address, alice.address, 1_500n * E18);
      await expect(market.connect(alice).depositCollateral(E18)).to.emit(market, "CollateralDeposited");
      expect(await market.positionOf(alice.address)).to.deep.equal([1_001n * E18, 0n]);
    });

    it("a GLOBAL pause blocks supply and collateral withdrawal with ScopePaused(GLOBAL)", async function () {
      const { market, guardian, alice, lender } = await loadFixture(marketFixture);
      const until = (await nextTimestamp()) + HOUR;
      await market.connect(guardian).pause(Scope.GLOBAL, HOUR);
      await expect(market.connect(lender).supplyDebtLiquidity(E18))
        .to.be.revertedWithCustomError(market, "ScopePaused")
        .withArgs(Scope.GLOBAL, until);
      await expect(market.connect(alice).withdrawCollateral(E18))
        .to.be.revertedWithCustomError(market, "ScopePaused")
        .withArgs(Scope.GLOBAL, until);
    });

    it("a DEPOSIT pause blocks supply (an entry) but not collateral top-ups", async function () {
      const { market, guardian, alice, lender } = await loadFixture(marketFixture);
      await market.connect(guardian).pause(Scope.DEPOSIT, HOUR);
      await expect(market.connect(lender).supplyDebtLiquidity(E18)).to.be.revertedWithCustomError(market, "ScopePaused");
      await expect(market.connect(alice).depositCollateral(E18)).to.emit(market, "CollateralDeposited");
    });
  });

  describe("liquidation and the grace period", function () {
    it("a position that went bad during a BORROW pause cannot be liquidated until the grace period ends", async function () {
      const { market, guardian, recovery, oracle, alice, liquidator, collateral, debt, marketAddr } =
        await loadFixture(marketFixture);
      await market.connect(guardian).pause(Scope.BORROW, 2n * DAY);
      await oracle.setPrice(15n * E18 / 10n);
      expect(await market.healthFactor(alice.address)).to.equal(8n * E18 / 10n);
      await time.increase(GRACE); // the grace never outlasts the pause (issue 11, finding 6)
      const ts = await nextTimestamp();
      await market.connect(recovery).unpause(Scope.BORROW);
      expect(await market.inGracePeriod(Scope.BORROW)).to.equal(true);
      await expect(market.connect(liquidator).liquidate(alice.address, 750n * E18))
        .to.be.revertedWithCustomError(market, "LiquidationInGracePeriod");
      await time.increaseTo(ts + GRACE - 2n);
      await expect(market.connect(liquidator).liquidate(alice.address, 750n * E18))
        .to.be.revertedWithCustomError(market, "LiquidationInGracePeriod");
      expect(await market.positionOf(alice.address)).to.deep.equal([1_000n * E18, 1_500n * E18]);

      await time.setNextBlockTimestamp(ts + GRACE);
      const seized = (750n * E18 * (E18 + BONUS)) / (15n * E18 / 10n); // 525
      const tx = market.connect(liquidator).liquidate(alice.address, 750n * E18);
      await expect(tx).to.emit(market, "Liquidated").withArgs(alice.address, liquidator.address, 750n * E18, seized);
      await expect(tx).to.changeTokenBalances(ethers, collateral, [liquidator, marketAddr], [seized, -seized]);
      await expect(tx).to.changeTokenBalances(ethers, debt, [liquidator, marketAddr], [-750n * E18, 750n * E18]);
      expect(seized).to.equal(525n * E18);
      expect(await market.positionOf(alice.address)).to.deep.equal([475n * E18, 750n * E18]);
    });

    it("the grace period also follows a GLOBAL pause's natural expiry", async function () {
      const { market, guardian, oracle, alice, liquidator } = await loadFixture(marketFixture);
      const until = (await nextTimestamp()) + HOUR;
      await market.connect(guardian).pause(Scope.GLOBAL, HOUR);
      await oracle.setPrice(15n * E18 / 10n);
      await time.increaseTo(until);
      await expect(market.connect(liquidator).liquidate(alice.address, 100n * E18))
        .to.be.revertedWithCustomError(market, "LiquidationInGracePeriod");
      await time.increaseTo(until + GRACE);
      await expect(market.connect(liquidator).liquidate(alice.address, 100n * E18)).to.emit(market, "Liquidated");
    });

    it("liquidation is not blocked by a BORROW pause, but by a GLOBAL or LIQUIDATION one (issue 11, finding 5)", async function () {
      const { market, guardian, oracle, alice, liquidator } = await loadFixture(marketFixture);
      await market.connect(guardian).pause(Scope.BORROW, DAY);
      await oracle.setPrice(15n * E18 / 10n);
      await expect(market.connect(liquidator).liquidate(alice.address, 100n * E18)).to.emit(market, "Liquidated");
      await market.connect(guardian).pause(Scope.LIQUIDATION, DAY);
      await expect(market.connect(liquidator).liquidate(alice.address, 100n * E18))
        .to.be.revertedWithCustomError(market, "ScopePaused");
    });

    it("refuses healthy positions, over-repayment, zero, and a frozen collateral", async function () {
      const { market, guardian, oracle, alice, liquidator, colAddr } = await loadFixture(marketFixture);
      const h = hf(1_000n * E18, 2n * E18, 1_500n * E18);
      await expect(market.connect(liquidator).liquidate(alice.address, 100n * E18))
        .to.be.revertedWithCustomError(market, "PositionHealthy")
        .withArgs(alice.address, h);
      await oracle.setPrice(15n * E18 / 10n);
      await expect(market.connect(liquidator).liquidate(alice.address, 1_501n * E18))
        .to.be.revertedWithCustomError(market, "RepayExceedsDebt")
        .withArgs(alice.address, 1_501n * E18, 1_500n * E18);
      await expect(market.connect(liquidator).liquidate(alice.address, 0n))
        .to.be.revertedWithCustomError(market, "ZeroAmount");
      await market.connect(guardian).freezeAsset(colAddr);
      await expect(market.connect(liquidator).liquidate(alice.address, 100n * E18))
        .to.be.revertedWithCustomError(market, "AssetIsFrozen")
        .withArgs(colAddr);
    });

    it("the seizure is capped at the position's collateral", async function () {
      const { market, oracle, alice, liquidator } = await loadFixture(marketFixture);
      await oracle.setPrice(E18 / 10n); // collateral now worth 100 D against 1,500 D of debt
      await expect(market.connect(liquidator).liquidate(alice.address, 1_500n * E18))
        .to.emit(market, "Liquidated")
        .withArgs(alice.address, liquidator.address, 1_500n * E18, 1_000n * E18);
      expect(await market.positionOf(alice.address)).to.deep.equal([0n, 0n]);
    });
  });

  describe("the two tokens are isolated", function () {
    it("a collateral breach, pause or freeze leaves borrowing of the debt token alone", async function () {
      const { market, guardian, alice, colAddr, debtAddr } = await loadFixture(marketFixture);
      await market.connect(alice).depositCollateral(1_000n * E18);
      await market.connect(guardian).lowerLimit(colAddr, 100n * E18);
      await expect(market.connect(alice).withdrawCollateral(150n * E18))
        .to.be.revertedWithCustomError(market, "OutflowLimitExceeded")
        .withArgs(colAddr, 150n * E18, 100n * E18);
      await expect(market.connect(alice).borrow(50n * E18)).to.emit(market, "Borrowed");

      const until = (await nextTimestamp()) + HOUR;
      await market.connect(guardian).pause(assetScope(colAddr), HOUR);
      await expect(market.connect(alice).withdrawCollateral(E18))
        .to.be.revertedWithCustomError(market, "ScopePaused")
        .withArgs(assetScope(colAddr), until);
      await expect(market.connect(alice).borrow(50n * E18)).to.emit(market, "Borrowed");

      await market.connect(guardian).freezeAsset(colAddr);
      await expect(market.connect(alice).borrow(50n * E18)).to.emit(market, "Borrowed");
      expect(await market.isFrozen(debtAddr)).to.equal(false);
    });

    it("a debt-token breach leaves collateral withdrawals alone", async function () {
      const { market, guardian, alice, debtAddr, colAddr } = await loadFixture(marketFixture);
      await market.connect(guardian).lowerLimit(debtAddr, 10n * E18);
      await expect(market.connect(alice).borrow(50n * E18))
        .to.be.revertedWithCustomError(market, "OutflowLimitExceeded");
      const capBefore = await market.availableCapacity(colAddr);
      await expect(market.connect(alice).withdrawCollateral(50n * E18)).to.emit(market, "CollateralWithdrawn");
      expect(await market.availableCapacity(colAddr)).to.equal(capBefore - 50n * E18);
    });
  });

  describe("limiter integration", function () {
    it("Queue mode: a large borrow pays the headroom and escrows the rest", async function () {
      const { market, recovery, bob, debt, debtAddr } = await loadFixture(marketFixture);
      await market.connect(recovery).setLimit(debtAddr, queueLimit({ maxCapacity: 1_000n * E18 }));
      expect(await market.availableCapacity(debtAddr)).to.equal(1_000n * E18);
      await market.connect(bob).depositCollateral(2_000n * E18);
      const escrow = await market.outflowEscrow();
      const tx = market.connect(bob).borrow(1_500n * E18);
      await expect(tx).to.emit(market, "Borrowed").withArgs(bob.address, 1_500n * E18, 1n);
      await expect(tx).to.changeTokenBalances(ethers, debt, [bob, escrow], [1_000n * E18, 500n * E18]);
      expect(await market.positionOf(bob.address)).to.deep.equal([2_000n * E18, 1_500n * E18]);
      await time.increase(DAY);
      await expect(market.claimQueuedOutflow(1n)).to.changeTokenBalance(ethers, debt, bob, 500n * E18);
    });

    it("repayments credit the debt token's capacity when inflow credit is on", async function () {
      const { market, recovery, alice, bob, debtAddr } = await loadFixture(marketFixture);
      await market.connect(recovery).setLimit(debtAddr, limit({ maxCapacity: 1_000n * E18, inflowCredit: true }));
      await market.connect(bob).depositCollateral(2_000n * E18);
      await market.connect(bob).borrow(800n * E18);
      const t0 = BigInt(await time.latest());
      await market.connect(alice).repay(500n * E18);
      const t1 = BigInt(await time.latest());
      expect(await market.availableCapacity(debtAddr)).to.equal(
        refilled(200n * E18, t1 - t0, 1_000n * E18) + 500n * E18,
      );
    });
  });
});
