import { expect } from "chai";
import { network } from "hardhat";
import { CAPACITY, DAY, E18, deployVaultSystem, limit, queueLimit, refilled } from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const LOAN = 5_000n * E18; // five times the capacity: a flash-loan-sized round trip

/** The vault system plus a FlashRoundTrip contract funded with LOAN tokens (the "flash loan"). */
async function flashFixture() {
  const f = await deployVaultSystem(ethers);
  const rt = await ethers.deployContract("FlashRoundTrip");
  const rtAddr = await rt.getAddress();
  await f.token.mint(rtAddr, LOAN);
  return { ...f, rt, rtAddr };
}

const latest = async (): Promise<bigint> => BigInt(await time.latest());

describe("Breaker: flash-loan griefing of the limiter", function () {
  it("deposit X then withdraw X in ONE transaction leaves capacity unchanged (bucket full)", async function () {
    const { vault, vaultAddr, rt, tokenAddr, token, bob, rtAddr } = await loadFixture(flashFixture);
    const before = await vault.availableCapacity(tokenAddr);
    expect(before).to.equal(CAPACITY);
    // X is five times the capacity, yet the round trip passes: it nets to zero.
    await expect(rt.depositThenWithdraw(vaultAddr, LOAN)).to.emit(vault, "Withdraw");
    expect(await token.balanceOf(rtAddr)).to.equal(LOAN);
    expect(await vault.availableCapacity(tokenAddr)).to.equal(before);
    // An honest user can still take the full capacity right after.
    await expect(vault.connect(bob).withdraw(CAPACITY, bob.address, bob.address))
      .to.changeTokenBalance(ethers, token, bob, CAPACITY);
  });

  it("deposit X then withdraw X in ONE transaction leaves a partly used bucket where it was", async function () {
    const { vault, vaultAddr, rt, tokenAddr, bob, alice } = await loadFixture(flashFixture);
    await vault.connect(alice).withdraw(700n * E18, alice.address, alice.address);
    const t0 = await latest();
    await rt.depositThenWithdraw(vaultAddr, LOAN);
    // Exactly what the refill alone would give: no capacity consumed, none minted.
    expect(await vault.availableCapacity(tokenAddr)).to.equal(refilled(300n * E18, (await latest()) - t0));
    await expect(vault.connect(bob).withdraw(300n * E18, bob.address, bob.address)).to.emit(vault, "Withdraw");
  });

  it("with inflow credit on, an in-then-out round trip mints no capacity", async function () {
    const { vault, vaultAddr, rt, tokenAddr, alice, recovery } = await loadFixture(flashFixture);
    await vault.connect(recovery).setLimit(tokenAddr, limit({ inflowCredit: true }));
    await vault.connect(alice).withdraw(700n * E18, alice.address, alice.address);
    const t0 = await latest();
    await rt.depositThenWithdraw(vaultAddr, LOAN);
    expect(await vault.availableCapacity(tokenAddr)).to.equal(refilled(300n * E18, (await latest()) - t0));
  });

  it("withdraw X then deposit X in ONE transaction leaves capacity unchanged", async function () {
    const { vault, vaultAddr, rt, tokenAddr, bob } = await loadFixture(flashFixture);
    await rt.deposit(vaultAddr, LOAN); // a position opened earlier
    const before = await vault.availableCapacity(tokenAddr);
    expect(before).to.equal(CAPACITY);
    await expect(rt.withdrawThenDeposit(vaultAddr, 800n * E18)).to.emit(vault, "Deposit");
    expect(await vault.availableCapacity(tokenAddr)).to.equal(before);
    await expect(vault.connect(bob).withdraw(CAPACITY, bob.address, bob.address)).to.emit(vault, "Withdraw");
  });

  it("an out-then-in larger than capacity is refused up front (it cannot consume capacity either)", async function () {
    const { vault, vaultAddr, rt, tokenAddr } = await loadFixture(flashFixture);
    await rt.deposit(vaultAddr, LOAN);
    await expect(rt.withdrawThenDeposit(vaultAddr, LOAN))
      .to.be.revertedWithCustomError(vault, "OutflowLimitExceeded")
      .withArgs(tokenAddr, LOAN, CAPACITY);
    expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY);
  });

  it("a cross-transaction round trip DOES consume capacity (documented) and blocks honest users in Revert mode", async function () {
    const { vault, vaultAddr, rt, tokenAddr, bob } = await loadFixture(flashFixture);
    await rt.deposit(vaultAddr, 900n * E18);
    await rt.withdraw(vaultAddr, 900n * E18);
    const t0 = await latest();
    expect(await vault.availableCapacity(tokenAddr)).to.equal(100n * E18);
    await expect(vault.connect(bob).withdraw(500n * E18, bob.address, bob.address))
      .to.be.revertedWithCustomError(vault, "OutflowLimitExceeded");
    // The capacity comes back with time, at the refill rate.
    await time.increaseTo(t0 + DAY);
    await expect(vault.connect(bob).withdraw(500n * E18, bob.address, bob.address)).to.emit(vault, "Withdraw");
  });

  it("with inflow credit on and a full bucket, the deposit leg earns nothing: the trip still consumes", async function () {
    const { vault, vaultAddr, rt, tokenAddr, recovery } = await loadFixture(flashFixture);
    await vault.connect(recovery).setLimit(tokenAddr, limit({ inflowCredit: true }));
    await rt.deposit(vaultAddr, 900n * E18);
    expect(await vault.availableCapacity(tokenAddr)).to.equal(CAPACITY);
    await rt.withdraw(vaultAddr, 900n * E18);
    expect(await vault.availableCapacity(tokenAddr)).to.equal(100n * E18);
  });

  it("in Queue mode an honest user is still paid in full after a cross-transaction grief", async function () {
    const { vault, vaultAddr, rt, token, tokenAddr, bob, recovery } = await loadFixture(flashFixture);
    await vault.connect(recovery).setLimit(tokenAddr, queueLimit());
    await rt.deposit(vaultAddr, CAPACITY);
    await rt.withdraw(vaultAddr, CAPACITY); // the whole capacity is gone
    const t0 = await latest();
    const balance0 = await token.balanceOf(bob.address);
    await vault.connect(bob).withdraw(500n * E18, bob.address, bob.address);
    const paidNow = refilled(0n, (await latest()) - t0);
    expect(await token.balanceOf(bob.address)).to.equal(balance0 + paidNow);
    const q = await vault.queuedOutflow(1n);
    expect([q.recipient, q.amount]).to.deep.equal([bob.address, 500n * E18 - paidNow]);
    await time.increaseTo(q.claimableAt);
    await vault.claimQueuedOutflow(1n);
    expect(await token.balanceOf(bob.address)).to.equal(balance0 + 500n * E18);
  });
});
