/**
 * One place that walks every state and parameter change of the breaker and checks its
 * event and arguments (the behaviour files check many of them again in context).
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";
import {
  CAPACITY, DAY, E18, GRACE, HOUR, MAX_PAUSE, Mode, Role, Scope, WINDOW, deployExternalSystem, deployMarketSystem,
  deployVaultSystem, queueLimit,
} from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function vaultFixture() {
  return deployVaultSystem(ethers);
}
async function marketFixture() {
  return deployMarketSystem(ethers);
}
async function externalFixture() {
  return deployExternalSystem(ethers);
}

async function nextTimestamp(offset = 1n): Promise<bigint> {
  const ts = BigInt(await time.latest()) + offset;
  await time.setNextBlockTimestamp(ts);
  return ts;
}

describe("Breaker: every state and parameter change emits an event", function () {
  it("deployment: PauseBoundsSet and the admin's role grants", async function () {
    const { admin, tokenAddr } = await loadFixture(vaultFixture);
    const v = await ethers.deployContract("ProtectedVault", [tokenAddr, "v", "v", admin.address, MAX_PAUSE, GRACE]);
    const tx = v.deploymentTransaction()!;
    await expect(tx).to.emit(v, "PauseBoundsSet").withArgs(MAX_PAUSE, GRACE);
    await expect(tx).to.emit(v, "RoleGranted").withArgs(Role.EMERGENCY, admin.address, admin.address);
    await expect(tx).to.emit(v, "RoleGranted").withArgs(Role.RECOVERY, admin.address, admin.address);
  });

  it("pause lifecycle: Paused, AlarmRaised, PauseExtended, Unpaused, AlarmCleared", async function () {
    const { vault, guardian, recovery } = await loadFixture(vaultFixture);
    const t1 = await nextTimestamp();
    await expect(vault.connect(guardian).pause(Scope.WITHDRAW, HOUR))
      .to.emit(vault, "Paused").withArgs(Scope.WITHDRAW, t1 + HOUR, guardian.address)
      .and.to.emit(vault, "AlarmRaised");
    const t2 = await nextTimestamp();
    await expect(vault.connect(recovery).extendPause(Scope.WITHDRAW, DAY))
      .to.emit(vault, "PauseExtended").withArgs(Scope.WITHDRAW, t2 + DAY, recovery.address);
    await expect(vault.connect(recovery).unpause(Scope.WITHDRAW))
      .to.emit(vault, "Unpaused").withArgs(Scope.WITHDRAW, recovery.address)
      .and.to.emit(vault, "AlarmCleared");
  });

  it("freeze, quarantine and their slow-path reversals", async function () {
    const { vault, guardian, recovery, tokenAddr, attacker } = await loadFixture(vaultFixture);
    await expect(vault.connect(guardian).freezeAsset(tokenAddr))
      .to.emit(vault, "AssetFrozen").withArgs(tokenAddr, anyValue, guardian.address);
    await expect(vault.connect(recovery).unfreezeAsset(tokenAddr))
      .to.emit(vault, "AssetUnfrozen").withArgs(tokenAddr, recovery.address);
    await expect(vault.connect(guardian).quarantine(attacker.address))
      .to.emit(vault, "AccountQuarantined").withArgs(attacker.address, anyValue, guardian.address);
    await expect(vault.connect(recovery).release(attacker.address))
      .to.emit(vault, "AccountReleased").withArgs(attacker.address, recovery.address);
  });

  it("limits: LimitSet (full config), LimitLowered, LimitBypassedBelowMinTvl", async function () {
    const { vault, guardian, recovery, tokenAddr, alice } = await loadFixture(vaultFixture);
    const cfg = queueLimit({ minTvl: 100_000n * E18, inflowCredit: true });
    await expect(vault.connect(recovery).setLimit(tokenAddr, cfg))
      .to.emit(vault, "LimitSet")
      .withArgs(tokenAddr, [CAPACITY, WINDOW, 100_000n * E18, Mode.Queue, DAY, true]);
    await expect(vault.connect(guardian).lowerLimit(tokenAddr, 10n * E18))
      .to.emit(vault, "LimitLowered").withArgs(tokenAddr, CAPACITY, 10n * E18);
    await expect(vault.connect(alice).withdraw(11n * E18, alice.address, alice.address))
      .to.emit(vault, "LimitBypassedBelowMinTvl").withArgs(tokenAddr, 11n * E18, 20_000n * E18);
  });

  it("queue: OutflowQueued, QueuedOutflowClaimed, QueuedOutflowVetoed", async function () {
    const { vault, guardian, recovery, tokenAddr, alice, bob } = await loadFixture(vaultFixture);
    await vault.connect(recovery).setLimit(tokenAddr, queueLimit());
    const ts = await nextTimestamp();
    await expect(vault.connect(alice).withdraw(1_100n * E18, alice.address, alice.address))
      .to.emit(vault, "OutflowQueued").withArgs(1n, tokenAddr, alice.address, 100n * E18, ts + DAY);
    await expect(vault.connect(bob).withdraw(50n * E18, bob.address, bob.address))
      .to.emit(vault, "OutflowQueued");
    await expect(vault.connect(guardian).vetoQueuedOutflow(2n))
      .to.emit(vault, "QueuedOutflowVetoed").withArgs(2n, guardian.address);
    await time.increaseTo(ts + DAY);
    await expect(vault.claimQueuedOutflow(1n))
      .to.emit(vault, "QueuedOutflowClaimed").withArgs(1n, alice.address, 100n * E18);
  });

  it("sentinel: SentinelSet, SentinelArmed, SentinelFired; bounds: PauseBoundsSet", async function () {
    const { vault, recovery, sentinel } = await loadFixture(vaultFixture);
    await expect(vault.connect(recovery).setSentinel(sentinel.address, HOUR, 0n))
      .to.emit(vault, "SentinelSet").withArgs(sentinel.address, HOUR, 0n)
      .and.to.emit(vault, "SentinelArmed").withArgs(sentinel.address);
    const ts = await nextTimestamp();
    await expect(vault.connect(sentinel).sentinelPause(Scope.DEPOSIT, HOUR))
      .to.emit(vault, "SentinelFired").withArgs(sentinel.address, Scope.DEPOSIT, ts + HOUR);
    await expect(vault.connect(recovery).armSentinel())
      .to.emit(vault, "SentinelArmed").withArgs(sentinel.address);
    await expect(vault.connect(recovery).setPauseBounds(2n * DAY, HOUR))
      .to.emit(vault, "PauseBoundsSet").withArgs(2n * DAY, HOUR);
  });

  it("Breakable and ProtectedVault: RescueVaultSet, FrozenAssetRescued, MigratorSet", async function () {
    const { vault, guardian, recovery, tokenAddr, escrowAddr } = await loadFixture(vaultFixture);
    await expect(vault.connect(recovery).setRescueVault(escrowAddr))
      .to.emit(vault, "RescueVaultSet").withArgs(escrowAddr);
    await vault.connect(guardian).freezeAsset(tokenAddr);
    await expect(vault.connect(recovery).rescueFrozen(tokenAddr, E18))
      .to.emit(vault, "FrozenAssetRescued").withArgs(tokenAddr, escrowAddr, E18);
    await expect(vault.connect(recovery).setMigrator(ethers.ZeroAddress))
      .to.emit(vault, "MigratorSet").withArgs(ethers.ZeroAddress);
  });

  it("CircuitBreaker: ProtectedContractRegistered / Deregistered, and the core events", async function () {
    const { breaker, recovery, guardian, vaultA2Addr } = await loadFixture(externalFixture);
    await expect(breaker.connect(recovery).registerProtected(vaultA2Addr))
      .to.emit(breaker, "ProtectedContractRegistered").withArgs(vaultA2Addr);
    await expect(breaker.connect(recovery).deregisterProtected(vaultA2Addr))
      .to.emit(breaker, "ProtectedContractDeregistered").withArgs(vaultA2Addr);
    const ts = await nextTimestamp();
    await expect(breaker.connect(guardian).pause(Scope.GLOBAL, HOUR))
      .to.emit(breaker, "Paused").withArgs(Scope.GLOBAL, ts + HOUR, guardian.address);
  });

  it("ProtectedLendingMarket: one event per user action", async function () {
    const { market, lender, alice, liquidator, oracle } = await loadFixture(marketFixture);
    await expect(market.connect(lender).supplyDebtLiquidity(E18))
      .to.emit(market, "LiquiditySupplied").withArgs(lender.address, E18);
    await expect(market.connect(alice).depositCollateral(E18))
      .to.emit(market, "CollateralDeposited").withArgs(alice.address, E18);
    await expect(market.connect(alice).withdrawCollateral(E18))
      .to.emit(market, "CollateralWithdrawn").withArgs(alice.address, E18, 0n);
    await expect(market.connect(alice).borrow(E18))
      .to.emit(market, "Borrowed").withArgs(alice.address, E18, 0n);
    await expect(market.connect(alice).repay(E18))
      .to.emit(market, "Repaid").withArgs(alice.address, alice.address, E18);
    await expect(oracle.setPrice(E18)).to.emit(oracle, "PriceSet").withArgs(E18);
    await expect(market.connect(liquidator).liquidate(alice.address, 100n * E18))
      .to.emit(market, "Liquidated").withArgs(alice.address, liquidator.address, 100n * E18, 105n * E18);
  });
});
