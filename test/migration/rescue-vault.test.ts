import { expect } from "chai";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const HOUR = 3_600;
const DAY = 86_400;
const E18 = 10n ** 18n;

describe("RescueVault", function () {
  async function deployFixture() {
    const [admin, guardian, newVault, attacker, other] = await ethers.getSigners();
    const vault = await ethers.deployContract("RescueVault", [admin.address, 2 * DAY]);
    const token = await ethers.deployContract("TestToken", ["Token", "TKN", 18]);
    const vaultAddr = await vault.getAddress();
    // what IBreakableRescue.rescueFrozen does: a plain token.transfer to the vault
    await token.mint(vaultAddr, 1_000n * E18);
    await admin.sendTransaction({ to: vaultAddr, value: 5n * E18 });
    await vault.grantRole(await vault.EMERGENCY_ROLE(), guardian.address);
    return { admin, guardian, newVault, attacker, other, vault, vaultAddr, token };
  }

  async function withActiveDestination() {
    const f = await deployFixture();
    await f.vault.proposeDestination(f.newVault.address, ethers.encodeBytes32String("vault-v2"));
    await time.increase(2 * DAY);
    return f;
  }

  it("receives ETH (event) and ERC-20s", async function () {
    const { vault, vaultAddr, other, token } = await loadFixture(deployFixture);
    await expect(other.sendTransaction({ to: vaultAddr, value: 1n }))
      .to.emit(vault, "NativeReceived")
      .withArgs(other.address, 1n);
    expect(await vault.balanceOf(ethers.ZeroAddress)).to.equal(5n * E18 + 1n);
    expect(await vault.balanceOf(await token.getAddress())).to.equal(1_000n * E18);
  });

  it("validates the constructor", async function () {
    const [admin] = await ethers.getSigners();
    const F = await ethers.getContractFactory("RescueVault");
    const probe = await loadFixture(deployFixture);
    await expect(F.deploy(ethers.ZeroAddress, DAY)).to.be.revertedWithCustomError(probe.vault, "ZeroAddress");
    await expect(F.deploy(admin.address, 60))
      .to.be.revertedWithCustomError(probe.vault, "DelayOutOfBounds")
      .withArgs(60n, BigInt(HOUR), 30n * BigInt(DAY));
  });

  it("releases only to a destination registered under the timelock", async function () {
    const { vault, newVault, token } = await loadFixture(deployFixture);
    const t = await token.getAddress();
    const label = ethers.encodeBytes32String("vault-v2");
    const activeAt = BigInt(await time.latest()) + 1n + 2n * BigInt(DAY);
    await expect(vault.proposeDestination(newVault.address, label))
      .to.emit(vault, "DestinationProposed")
      .withArgs(newVault.address, label, activeAt);
    expect((await vault.destinationOf(newVault.address)).activeAt).to.equal(activeAt);
    expect(await vault.isActiveDestination(newVault.address)).to.equal(false);
    // during the delay: refused, with when it becomes active
    await expect(vault.release(t, newVault.address, 1n))
      .to.be.revertedWithCustomError(vault, "DestinationNotActive");
    await time.increaseTo(activeAt);
    expect(await vault.isActiveDestination(newVault.address)).to.equal(true);
    await expect(vault.release(t, newVault.address, 400n * E18))
      .to.emit(vault, "Released")
      .withArgs(t, newVault.address, 400n * E18, (await ethers.getSigners())[0].address);
    expect(await token.balanceOf(newVault.address)).to.equal(400n * E18);
    const before = await ethers.provider.getBalance(newVault.address);
    await vault.release(ethers.ZeroAddress, newVault.address, 2n * E18);
    expect(await ethers.provider.getBalance(newVault.address)).to.equal(before + 2n * E18);
  });

  it("rejects bad releases with specific errors and moves nothing", async function () {
    const { vault, vaultAddr, newVault, attacker, token } = await loadFixture(withActiveDestination);
    const t = await token.getAddress();
    await expect(vault.release(t, attacker.address, 1n))
      .to.be.revertedWithCustomError(vault, "DestinationNotRegistered")
      .withArgs(attacker.address);
    await expect(vault.release(t, newVault.address, 0n)).to.be.revertedWithCustomError(vault, "ZeroAmount");
    await expect(vault.release(t, ethers.ZeroAddress, 1n)).to.be.revertedWithCustomError(vault, "ZeroAddress");
    await expect(vault.release(t, newVault.address, 1_001n * E18))
      .to.be.revertedWithCustomError(vault, "InsufficientVaultBalance")
      .withArgs(t, 1_000n * E18, 1_001n * E18);
    await expect(vault.connect(attacker).release(t, newVault.address, 1n))
      .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount")
      .withArgs(attacker.address, await vault.RECOVERY_ROLE());
    expect(await token.balanceOf(vaultAddr)).to.equal(1_000n * E18);
  });

  it("rejects bad proposals", async function () {
    const { vault, vaultAddr, newVault, attacker } = await loadFixture(withActiveDestination);
    const label = ethers.ZeroHash;
    await expect(vault.proposeDestination(ethers.ZeroAddress, label)).to.be.revertedWithCustomError(vault, "ZeroAddress");
    await expect(vault.proposeDestination(vaultAddr, label))
      .to.be.revertedWithCustomError(vault, "InvalidDestination")
      .withArgs(vaultAddr);
    await expect(vault.proposeDestination(newVault.address, label))
      .to.be.revertedWithCustomError(vault, "DestinationAlreadyRegistered");
    await expect(vault.connect(attacker).proposeDestination(attacker.address, label))
      .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount");
  });

  it("the fast path cancels a pending destination during the delay (and revokes an active one)", async function () {
    const { vault, guardian, attacker, newVault, token } = await loadFixture(withActiveDestination);
    const t = await token.getAddress();
    // a compromised slow path proposes the attacker; a guardian cancels in the veto window
    await vault.proposeDestination(attacker.address, ethers.ZeroHash);
    await expect(vault.connect(guardian).removeDestination(attacker.address))
      .to.emit(vault, "DestinationRemoved")
      .withArgs(attacker.address, guardian.address, false);
    await time.increase(3 * DAY);
    await expect(vault.release(t, attacker.address, 1n))
      .to.be.revertedWithCustomError(vault, "DestinationNotRegistered");
    await expect(vault.connect(guardian).removeDestination(newVault.address))
      .to.emit(vault, "DestinationRemoved")
      .withArgs(newVault.address, guardian.address, true);
    await expect(vault.release(t, newVault.address, 1n)).to.be.revertedWithCustomError(vault, "DestinationNotRegistered");
    await expect(vault.removeDestination(newVault.address))
      .to.be.revertedWithCustomError(vault, "DestinationNotRegistered");
    await expect(vault.connect(attacker).removeDestination(newVault.address))
      .to.be.revertedWithCustomError(vault, "AccessControlUnauthorizedAccount");
  });

  it("changes the delay within bounds; pending destinations keep their time", async function () {
    const { vault, other, attacker } = await loadFixture(deployFixture);
    await vault.proposeDestination(other.address, ethers.ZeroHash);
    const activeAt = (await vault.destinationOf(other.address)).activeAt;
    await expect(vault.setDelay(HOUR)).to.emit(vault, "DelayChanged").withArgs(2n * BigInt(DAY), BigInt(HOUR));
    expect((await vault.destinationOf(other.address)).activeAt).to.equal(activeAt);
    await expect(vault.setDelay(0)).to.be.revertedWithCustomError(vault, "DelayOutOfBounds");
    await expect(vault.setDelay(31 * DAY)).to.be.revertedWithCustomError(vault, "DelayOutOfBounds");
    await expect(vault.connect(attacker).setDelay(DAY)).to.be.revertedWithCustomError(
      vault,
      "AccessControlUnauthorizedAccount",
    );
    expect(await vault.delay()).to.equal(BigInt(HOUR));
  });

  it("handles fee-on-transfer and no-return tokens", async function () {
    const { vault, vaultAddr, newVault } = await loadFixture(withActiveDestination);
    const fee = await ethers.deployContract("FeeOnTransferTestToken", [100n]);
    await fee.mint(vaultAddr, 1_000n);
    await vault.release(await fee.getAddress(), newVault.address, 500n);
    expect(await fee.balanceOf(vaultAddr)).to.equal(500n);
    expect(await fee.balanceOf(newVault.address)).to.equal(495n);
    const usdt = await ethers.deployContract("NoReturnTestToken");
    await usdt.mint(vaultAddr, 10n);
    await vault.release(await usdt.getAddress(), newVault.address, 10n);
    expect(await usdt.balanceOf(newVault.address)).to.equal(10n);
  });

  it("is not re-enterable through a malicious token", async function () {
    const { vault, vaultAddr, newVault } = await loadFixture(withActiveDestination);
    const evil = await ethers.deployContract("ReentrantTestToken");
    const e = await evil.getAddress();
    await evil.mint(vaultAddr, 100n);
    // worst case: the token itself holds RECOVERY_ROLE and tries a second release mid-transfer
    await vault.grantRole(await vault.RECOVERY_ROLE(), e);
    await evil.arm(vaultAddr, vault.interface.encodeFunctionData("release", [e, newVault.address, 50n]));
    await vault.release(e, newVault.address, 50n);
    expect(await evil.reentered()).to.equal(true);
    expect(await evil.reentrySucceeded()).to.equal(false);
    expect(await evil.balanceOf(newVault.address)).to.equal(50n);
  });
});
