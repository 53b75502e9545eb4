import { expect } from "chai";
import { network } from "hardhat";
import {
  DAY, E18, GRACE, HOUR, MAX_GRACE_PERIOD, MAX_PAUSE, MAX_PAUSE_CAP, MAX_SETTLEMENT_DELAY, MAX_U96, MAX_WINDOW,
  MIN_PAUSE, MIN_SETTLEMENT_DELAY, MIN_WINDOW, Mode, Scope, assetScope, deployVaultSystem, limit,
} from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/** The vault system plus a second, still unregistered token. */
async function fixture() {
  const f = await deployVaultSystem(ethers);
  const fresh = await ethers.deployContract("TestToken", ["Fresh", "FRS", 18]);
  return { ...f, fresh, freshAddr: await fresh.getAddress() };
}

describe("Breaker: bad input is refused with a specific error and changes nothing", function () {
  it("zero addresses: setSentinel, quarantine, setLimit", async function () {
    const { vault, recovery, guardian } = await loadFixture(fixture);
    await expect(vault.connect(recovery).setSentinel(ethers.ZeroAddress, HOUR, DAY))
      .to.be.revertedWithCustomError(vault, "ZeroAddress");
    expect(await vault.sentinelState()).to.deep.equal([ethers.ZeroAddress, false, 0n, 0n, 0n]);
    await expect(vault.connect(guardian).quarantine(ethers.ZeroAddress))
      .to.be.revertedWithCustomError(vault, "ZeroAddress");
    expect(await vault.isQuarantined(ethers.ZeroAddress)).to.equal(false);
    expect(await vault.alarmRaised()).to.equal(false);
    const assets = await vault.assets();
    await expect(vault.connect(recovery).setLimit(ethers.ZeroAddress, limit()))
      .to.be.revertedWithCustomError(vault, "ZeroAddress");
    expect(await vault.assets()).to.deep.equal(assets);
  });

  it("constructor: zero admin, bad pause bounds", async function () {
    const { vault, tokenAddr, admin } = await loadFixture(fixture);
    const F = await ethers.getContractFactory("ProtectedVault");
    await expect(F.deploy(tokenAddr, "v", "v", ethers.ZeroAddress, MAX_PAUSE, GRACE))
      .to.be.revertedWithCustomError(vault, "ZeroAddress");
    await expect(F.deploy(tokenAddr, "v", "v", admin.address, MAX_PAUSE_CAP + 1n, GRACE))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(MAX_PAUSE_CAP + 1n, MIN_PAUSE, MAX_PAUSE_CAP);
    await expect(F.deploy(tokenAddr, "v", "v", admin.address, MAX_PAUSE, MAX_GRACE_PERIOD + 1n))
      .to.be.revertedWithCustomError(vault, "InvalidGracePeriod")
      .withArgs(MAX_GRACE_PERIOD + 1n, MAX_GRACE_PERIOD);
  });

  it("setLimit: non-contract asset (NotAContract)", async function () {
    const { vault, recovery, other } = await loadFixture(fixture);
    await expect(vault.connect(recovery).setLimit(other.address, limit()))
      .to.be.revertedWithCustomError(vault, "NotAContract")
      .withArgs(other.address);
    expect(await vault.assets()).to.have.length(1);
  });

  it("setLimit: zero or absurd capacity (InvalidCapacity, incl. above 2^96-1)", async function () {
    const { vault, recovery, tokenAddr, freshAddr } = await loadFixture(fixture);
    for (const c of [0n, MAX_U96 + 1n, ethers.MaxUint256]) {
      await expect(vault.connect(recovery).setLimit(tokenAddr, limit({ maxCapacity: c })))
        .to.be.revertedWithCustomError(vault, "InvalidCapacity")
        .withArgs(c, MAX_U96);
    }
    expect((await vault.limitOf(tokenAddr)).maxCapacity).to.equal(1_000n * E18);
    // The largest valid capacity is accepted.
    await vault.connect(recovery).setLimit(freshAddr, limit({ maxCapacity: MAX_U96 }));
    expect(await vault.availableCapacity(freshAddr)).to.equal(MAX_U96);
  });

  it("setLimit: window out of bounds (InvalidWindow)", async function () {
    const { vault, recovery, tokenAddr } = await loadFixture(fixture);
    for (const w of [0n, MIN_WINDOW - 1n, MAX_WINDOW + 1n]) {
      await expect(vault.connect(recovery).setLimit(tokenAddr, limit({ window: w })))
        .to.be.revertedWithCustomError(vault, "InvalidWindow")
        .withArgs(w, MIN_WINDOW, MAX_WINDOW);
    }
    expect((await vault.limitOf(tokenAddr)).window).to.equal(DAY);
    await vault.connect(recovery).setLimit(tokenAddr, limit({ window: MAX_WINDOW }));
    expect((await vault.limitOf(tokenAddr)).window).to.equal(MAX_WINDOW);
  });

  it("setLimit: settlement delay rules (InvalidSettlementDelay)", async function () {
    const { vault, recovery, tokenAddr } = await loadFixture(fixture);
    for (const d of [0n, MIN_SETTLEMENT_DELAY - 1n, MAX_SETTLEMENT_DELAY + 1n]) {
      await expect(vault.connect(recovery).setLimit(tokenAddr, limit({ mode: Mode.Queue, settlementDelay: d })))
        .to.be.revertedWithCustomError(vault, "InvalidSettlementDelay")
        .withArgs(d, MIN_SETTLEMENT_DELAY, MAX_SETTLEMENT_DELAY);
    }
    // Revert mode takes no delay at all.
    await expect(vault.connect(recovery).setLimit(tokenAddr, limit({ mode: Mode.Revert, settlementDelay: HOUR })))
      .to.be.revertedWithCustomError(vault, "InvalidSettlementDelay")
      .withArgs(HOUR, 0n, 0n);
    const l = await vault.limitOf(tokenAddr);
    expect([l.mode, l.settlementDelay]).to.deep.equal([BigInt(Mode.Revert), 0n]);
  });

  it("durations 0 or above the maximum (InvalidDuration); grace above the maximum (InvalidGracePeriod)", async function () {
    const { vault, guardian, recovery } = await loadFixture(fixture);
    await expect(vault.connect(guardian).pause(Scope.GLOBAL, 0n))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(0n, MIN_PAUSE, MAX_PAUSE);
    await expect(vault.connect(recovery).setPauseBounds(0n, HOUR))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(0n, MIN_PAUSE, MAX_PAUSE_CAP);
    await expect(vault.connect(recovery).setPauseBounds(MAX_PAUSE_CAP + 1n, HOUR))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(MAX_PAUSE_CAP + 1n, MIN_PAUSE, MAX_PAUSE_CAP);
    await expect(vault.connect(recovery).setPauseBounds(DAY, MAX_GRACE_PERIOD + 1n))
      .to.be.revertedWithCustomError(vault, "InvalidGracePeriod")
      .withArgs(MAX_GRACE_PERIOD + 1n, MAX_GRACE_PERIOD);
    await expect(vault.connect(recovery).setSentinel(recovery.address, 0n, 0n))
      .to.be.revertedWithCustomError(vault, "InvalidDuration")
      .withArgs(0n, MIN_PAUSE, MAX_PAUSE);
    expect(await vault.pauseBounds()).to.deep.equal([MAX_PAUSE, GRACE]);
    expect(await vault.pausedUntil(Scope.GLOBAL)).to.equal(0n);
  });

  it("unknown asset (UnknownAsset) on pause, freeze, unfreeze, lowerLimit, limitOf, availableCapacity", async function () {
    const { vault, guardian, recovery, freshAddr } = await loadFixture(fixture);
    const calls = [
      () => vault.connect(guardian).pause(assetScope(freshAddr), HOUR),
      () => vault.connect(guardian).freezeAsset(freshAddr),
      () => vault.connect(recovery).unfreezeAsset(freshAddr),
      () => vault.connect(guardian).lowerLimit(freshAddr, 1n),
      () => vault.limitOf(freshAddr),
      () => vault.availableCapacity(freshAddr),
    ];
    for (const call of calls) {
      await expect(call()).to.be.revertedWithCustomError(vault, "UnknownAsset").withArgs(freshAddr);
    }
    expect(await vault.isFrozen(freshAddr)).to.equal(false);
    expect(await vault.alarmRaised()).to.equal(false);
    expect(await vault.queuedTotal(freshAddr)).to.equal(0n);
  });

  it("a vault of an unregistered asset reverts on deposit (UnknownAsset)", async function () {
    const { vault, admin, alice, fresh, freshAddr } = await loadFixture(fixture);
    const v = await ethers.deployContract("ProtectedVault", [freshAddr, "u", "u", admin.address, MAX_PAUSE, GRACE]);
    await fresh.mint(alice.address, E18);
    await fresh.connect(alice).approve(await v.getAddress(), E18);
    await expect(v.connect(alice).deposit(E18, alice.address))
      .to.be.revertedWithCustomError(vault, "UnknownAsset")
      .withArgs(freshAddr);
    expect(await v.totalSupply()).to.equal(0n);
  });

  it("invalid scope bytes32(0) (InvalidScope)", async function () {
    const { vault, guardian } = await loadFixture(fixture);
    await expect(vault.connect(guardian).pause(ethers.ZeroHash, HOUR))
      .to.be.revertedWithCustomError(vault, "InvalidScope")
      .withArgs(ethers.ZeroHash);
    expect(await vault.alarmRaised()).to.equal(false);
    expect(await vault.pausedScopes()).to.deep.equal([]);
  });

  it("unknown queue id (UnknownQueuedOutflow) on claim, veto and the view", async function () {
    const { vault, guardian } = await loadFixture(fixture);
    for (const id of [0n, 1n, 7n]) {
      await expect(vault.claimQueuedOutflow(id))
        .to.be.revertedWithCustomError(vault, "UnknownQueuedOutflow")
        .withArgs(id);
      await expect(vault.connect(guardian).vetoQueuedOutflow(id))
        .to.be.revertedWithCustomError(vault, "UnknownQueuedOutflow")
        .withArgs(id);
      await expect(vault.queuedOutflow(id))
        .to.be.revertedWithCustomError(vault, "UnknownQueuedOutflow")
        .withArgs(id);
    }
    expect(await vault.queuedOutflowCount()).to.equal(0n);
  });

  it("amounts above 2^96-1 (AmountTooLarge)", async function () {
    const { vault, token, alice } = await loadFixture(fixture);
    await token.mint(alice.address, MAX_U96 + 1n);
    await expect(vault.connect(alice).deposit(MAX_U96 + 1n, alice.address))
      .to.be.revertedWithCustomError(vault, "AmountTooLarge")
      .withArgs(MAX_U96 + 1n, MAX_U96);
    expect(await vault.balanceOf(alice.address)).to.equal(10_000n * E18);
  });

  it("at most MAX_ASSETS assets (TooManyAssets); existing ones can still be updated", async function () {
    const { vault, recovery, tokenAddr } = await loadFixture(fixture);
    const max = await vault.MAX_ASSETS();
    expect(max).to.equal(32n);
    // One token (the vault's) is registered; register 31 more.
    const token = await ethers.deployContract("TestToken", ["Many", "M", 18]);
    const F = await ethers.getContractFactory("TestToken");
    let last = await token.getAddress();
    await vault.connect(recovery).setLimit(last, limit());
    for (let i = 2n; i < max; i++) {
      const t = await F.deploy("Many", "M", 18);
      last = await t.getAddress();
      await vault.connect(recovery).setLimit(last, limit());
    }
    expect(await vault.assets()).to.have.length(32);
    const extra = await F.deploy("Extra", "X", 18);
    await expect(vault.connect(recovery).setLimit(await extra.getAddress(), limit()))
      .to.be.revertedWithCustomError(vault, "TooManyAssets")
      .withArgs(max);
    expect(await vault.assets()).to.have.length(32);
    await vault.connect(recovery).setLimit(tokenAddr, limit({ maxCapacity: 5n * E18 }));
    expect((await vault.limitOf(tokenAddr)).maxCapacity).to.equal(5n * E18);
  });

  it("slow-path state errors: NotPaused, AccountNotQuarantined, AssetNotFrozen", async function () {
    const { vault, recovery, alice, tokenAddr } = await loadFixture(fixture);
    await expect(vault.connect(recovery).unpause(Scope.GLOBAL))
      .to.be.revertedWithCustomError(vault, "NotPaused")
      .withArgs(Scope.GLOBAL);
    await expect(vault.connect(recovery).release(alice.address))
      .to.be.revertedWithCustomError(vault, "AccountNotQuarantined")
      .withArgs(alice.address);
    await expect(vault.connect(recovery).unfreezeAsset(tokenAddr))
      .to.be.revertedWithCustomError(vault, "AssetNotFrozen")
      .withArgs(tokenAddr);
  });
});
