import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";
import { DAY, E18, HOUR, Role, Scope, assetScope, deployVaultSystem, queueLimit } from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function vaultFixture() {
  return deployVaultSystem(ethers);
}

/** Queue mode with alice's outflow #1 of 500 waiting in the escrow (claimable after one day). */
async function queuedFixture() {
  const f = await deployVaultSystem(ethers);
  await f.vault.setLimit(f.tokenAddr, queueLimit());
  await f.vault.connect(f.alice).withdraw(1_500n * E18, f.alice.address, f.alice.address);
  const claimableAt = (await f.vault.queuedOutflow(1n)).claimableAt;
  return { ...f, claimableAt };
}

/** A contract to serve as rescue vault (any contract will do for the Breakable side). */
async function rescueFixture() {
  const f = await deployVaultSystem(ethers);
  const sink = await ethers.deployContract("TestToken", ["Rescue sink", "SINK", 18]);
  return { ...f, sink, sinkAddr: await sink.getAddress() };
}

describe("Breaker: asset isolation (freeze, quarantine, rescue)", function () {
  describe("freeze", function () {
    it("freezeAsset (EMERGENCY) blocks withdrawals and entries; only RECOVERY unfreezes", async function () {
      const { vault, token, tokenAddr, guardian, recovery, alice } = await loadFixture(vaultFixture);
      await expect(vault.connect(guardian).freezeAsset(tokenAddr))
        .to.emit(vault, "AssetFrozen")
        .withArgs(tokenAddr, anyValue, guardian.address);
      expect(await vault.isFrozen(tokenAddr)).to.equal(true);
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "AssetIsFrozen")
        .withArgs(tokenAddr);
      await expect(vault.connect(alice).deposit(E18, alice.address))
        .to.be.revertedWithCustomError(vault, "AssetIsFrozen")
        .withArgs(tokenAddr);
      expect(await vault.balanceOf(alice.address)).to.equal(10_000n * E18);
      await expect(vault.connect(guardian).freezeAsset(tokenAddr))
        .to.be.revertedWithCustomError(vault, "AssetIsFrozen")
        .withArgs(tokenAddr);
      // A freeze expires at maxPauseDuration like a pause (test/solidity/threat/Findings.t.sol, F4).

      await expect(vault.connect(guardian).unfreezeAsset(tokenAddr))
        .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
        .withArgs(guardian.address, Role.RECOVERY);
      await expect(vault.connect(recovery).unfreezeAsset(tokenAddr))
        .to.emit(vault, "AssetUnfrozen")
        .withArgs(tokenAddr, recovery.address);
      expect(await vault.isFrozen(tokenAddr)).to.equal(false);
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.changeTokenBalance(ethers, token, alice, E18);
      await expect(vault.connect(recovery).unfreezeAsset(tokenAddr))
        .to.be.revertedWithCustomError(vault, "AssetNotFrozen")
        .withArgs(tokenAddr);
    });

    it("a frozen asset's queued outflow cannot be claimed until unfrozen", async function () {
      const { vault, token, tokenAddr, guardian, recovery, alice, claimableAt } = await loadFixture(queuedFixture);
      await vault.connect(guardian).freezeAsset(tokenAddr);
      await time.increaseTo(claimableAt);
      await expect(vault.claimQueuedOutflow(1n))
        .to.be.revertedWithCustomError(vault, "AssetIsFrozen")
        .withArgs(tokenAddr);
      expect((await vault.queuedOutflow(1n)).settled).to.equal(false);
      await vault.connect(recovery).unfreezeAsset(tokenAddr);
      await expect(vault.claimQueuedOutflow(1n)).to.changeTokenBalance(ethers, token, alice, 500n * E18);
    });

    it("a veto during the delay is allowed while the asset is frozen", async function () {
      const { vault, tokenAddr, guardian } = await loadFixture(queuedFixture);
      await vault.connect(guardian).freezeAsset(tokenAddr);
      await expect(vault.connect(guardian).vetoQueuedOutflow(1n)).to.emit(vault, "QueuedOutflowVetoed");
    });

    it("a global, asset or WITHDRAW pause holds queued claims, and the guardians may still veto them", async function () {
      const { vault, token, tokenAddr, guardian, recovery, alice, claimableAt } = await loadFixture(queuedFixture);
      await time.increaseTo(claimableAt);
      await vault.connect(guardian).pause(Scope.GLOBAL, HOUR);
      await expect(vault.claimQueuedOutflow(1n)).to.be.revertedWithCustomError(vault, "ScopePaused");
      await vault.connect(recovery).unpause(Scope.GLOBAL);
      await vault.connect(guardian).pause(assetScope(tokenAddr), HOUR);
      await expect(vault.claimQueuedOutflow(1n)).to.be.revertedWithCustomError(vault, "ScopePaused");
      await vault.connect(recovery).unpause(assetScope(tokenAddr));
      // The outflow left through WITHDRAW: that pause holds its claim too.
      await vault.connect(guardian).pause(Scope.WITHDRAW, HOUR);
      await expect(vault.claimQueuedOutflow(1n)).to.be.revertedWithCustomError(vault, "ScopePaused");
      // Past the delay, but held: still vetoable while the pause lasts...
      expect((await vault.queuedOutflow(1n)).scope).to.equal(Scope.WITHDRAW);
      await vault.connect(recovery).unpause(Scope.WITHDRAW);
      // ...and no longer once nothing holds it.
      await expect(vault.connect(guardian).vetoQueuedOutflow(1n)).to.be.revertedWithCustomError(vault, "VetoWindowClosed");
      await expect(vault.claimQueuedOutflow(1n)).to.changeTokenBalance(ethers, token, alice, 500n * E18);
    });
  });

  describe("quarantine", function () {
    it("blocks every guarded flow from or to the account, and only that account", async function () {
      const { vault, token, guardian, attacker, alice } = await loadFixture(vaultFixture);
      await vault.connect(attacker).deposit(100n * E18, attacker.address);
      await expect(vault.connect(guardian).quarantine(attacker.address))
        .to.emit(vault, "AccountQuarantined")
        .withArgs(attacker.address, anyValue, guardian.address);
      expect(await vault.isQuarantined(attacker.address)).to.equal(true);
      expect(await vault.isQuarantined(alice.address)).to.equal(false);
      // From the account, to another receiver.
      await expect(vault.connect(attacker).withdraw(E18, alice.address, attacker.address))
        .to.be.revertedWithCustomError(vault, "AccountIsQuarantined")
        .withArgs(attacker.address);
      // To the account, from someone else.
      await expect(vault.connect(alice).withdraw(E18, attacker.address, alice.address))
        .to.be.revertedWithCustomError(vault, "AccountIsQuarantined")
        .withArgs(attacker.address);
      // Entries for the account.
      await expect(vault.connect(attacker).deposit(E18, attacker.address))
        .to.be.revertedWithCustomError(vault, "AccountIsQuarantined")
        .withArgs(attacker.address);
      // Everybody else is unaffected.
      await expect(vault.connect(alice).withdraw(E18, alice.address, alice.address))
        .to.changeTokenBalance(ethers, token, alice, E18);
      await expect(vault.connect(guardian).quarantine(attacker.address))
        .to.be.revertedWithCustomError(vault, "AccountIsQuarantined")
        .withArgs(attacker.address);
    });

    it("only RECOVERY releases; release of a free account reverts", async function () {
      const { vault, token, guardian, recovery, attacker } = await loadFixture(vaultFixture);
      await vault.connect(attacker).deposit(100n * E18, attacker.address);
      await vault.connect(guardian).quarantine(attacker.address);
      await expect(vault.connect(guardian).release(attacker.address))
        .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
        .withArgs(guardian.address, Role.RECOVERY);
      expect(await vault.isQuarantined(attacker.address)).to.equal(true);
      await expect(vault.connect(recovery).release(attacker.address))
        .to.emit(vault, "AccountReleased")
        .withArgs(attacker.address, recovery.address);
      expect(await vault.isQuarantined(attacker.address)).to.equal(false);
      await expect(vault.connect(attacker).withdraw(E18, attacker.address, attacker.address))
        .to.changeTokenBalance(ethers, token, attacker, E18);
      await expect(vault.connect(recovery).release(attacker.address))
        .to.be.revertedWithCustomError(vault, "AccountNotQuarantined")
        .withArgs(attacker.address);
    });

    it("a quarantined recipient cannot claim a queued outflow", async function () {
      const { vault, guardian, alice, claimableAt } = await loadFixture(queuedFixture);
      await vault.connect(guardian).quarantine(alice.address);
      await time.increaseTo(claimableAt);
      await expect(vault.claimQueuedOutflow(1n))
        .to.be.revertedWithCustomError(vault, "AccountIsQuarantined")
        .withArgs(alice.address);
    });
  });

  describe("rescue of a frozen asset", function () {
    it("setRescueVault (RECOVERY) needs a contract", async function () {
      const { vault, recovery, guardian, other, sinkAddr } = await loadFixture(rescueFixture);
      await expect(vault.connect(recovery).setRescueVault(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(vault, "ZeroAddress");
      await expect(vault.connect(recovery).setRescueVault(other.address))
        .to.be.revertedWithCustomError(vault, "NotAContract")
        .withArgs(other.address);
      await expect(vault.connect(guardian).setRescueVault(sinkAddr))
        .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
        .withArgs(guardian.address, Role.RECOVERY);
      expect(await vault.rescueVault()).to.equal(ethers.ZeroAddress);
      await expect(vault.connect(recovery).setRescueVault(sinkAddr))
        .to.emit(vault, "RescueVaultSet")
        .withArgs(sinkAddr);
      expect(await vault.rescueVault()).to.equal(sinkAddr);
    });

    it("rescueFrozen moves a frozen asset to the rescue vault, and nothing else", async function () {
      const { vault, vaultAddr, token, tokenAddr, recovery, guardian, sinkAddr } = await loadFixture(rescueFixture);
      await expect(vault.connect(recovery).rescueFrozen(tokenAddr, E18))
        .to.be.revertedWithCustomError(vault, "AssetNotFrozen")
        .withArgs(tokenAddr);
      await vault.connect(guardian).freezeAsset(tokenAddr);
      await expect(vault.connect(recovery).rescueFrozen(tokenAddr, E18))
        .to.be.revertedWithCustomError(vault, "RescueVaultNotSet");
      await vault.connect(recovery).setRescueVault(sinkAddr);
      await expect(vault.connect(recovery).rescueFrozen(tokenAddr, 0n))
        .to.be.revertedWithCustomError(vault, "ZeroAmount");
      await expect(vault.connect(guardian).rescueFrozen(tokenAddr, E18))
        .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
        .withArgs(guardian.address, Role.RECOVERY);
      expect(await token.balanceOf(vaultAddr)).to.equal(20_000n * E18);
      const tx = vault.connect(recovery).rescueFrozen(tokenAddr, 20_000n * E18);
      await expect(tx).to.emit(vault, "FrozenAssetRescued").withArgs(tokenAddr, sinkAddr, 20_000n * E18);
      await expect(tx).to.changeTokenBalances(ethers, token, [vaultAddr, sinkAddr], [-20_000n * E18, 20_000n * E18]);
      // An unfrozen (or unknown) asset cannot be rescued.
      const other = await ethers.deployContract("TestToken", ["O", "O", 18]);
      await expect(vault.connect(recovery).rescueFrozen(await other.getAddress(), E18))
        .to.be.revertedWithCustomError(vault, "AssetNotFrozen");
    });
  });
});
