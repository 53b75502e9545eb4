import { expect } from "chai";
import { network } from "hardhat";
import { DAY, E18, HOUR, Role, Scope, deployVaultSystem, limit, queueLimit } from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, impersonateAccount, setBalance } = networkHelpers;

/** Queue mode with queued outflow #1, and an active WITHDRAW pause: every function has a target. */
async function fixture() {
  const f = await deployVaultSystem(ethers);
  await f.vault.setLimit(f.tokenAddr, queueLimit());
  await f.vault.connect(f.alice).withdraw(1_500n * E18, f.alice.address, f.alice.address);
  await f.vault.connect(f.guardian).pause(Scope.WITHDRAW, HOUR);
  await f.vault.connect(f.recovery).setSentinel(f.sentinel.address, HOUR, 0n);
  return f;
}

type Vault = Awaited<ReturnType<typeof deployVaultSystem>>["vault"];
type F = Awaited<ReturnType<typeof fixture>>;

const fastCalls = (v: Vault, f: F): [string, () => Promise<unknown>][] => [
  ["pause", () => v.pause(Scope.DEPOSIT, HOUR)],
  ["freezeAsset", () => v.freezeAsset(f.tokenAddr)],
  ["quarantine", () => v.quarantine(f.attacker.address)],
  ["lowerLimit", () => v.lowerLimit(f.tokenAddr, E18)],
  ["vetoQueuedOutflow", () => v.vetoQueuedOutflow(1n)],
];

const slowCalls = (v: Vault, f: F): [string, () => Promise<unknown>][] => [
  ["unpause", () => v.unpause(Scope.WITHDRAW)],
  ["extendPause", () => v.extendPause(Scope.WITHDRAW, DAY)],
  ["unfreezeAsset", () => v.unfreezeAsset(f.tokenAddr)],
  ["release", () => v.release(f.attacker.address)],
  ["setLimit", () => v.setLimit(f.tokenAddr, limit({ maxCapacity: 10n ** 30n }))],
  ["setSentinel", () => v.setSentinel(f.other.address, HOUR, 0n)],
  ["armSentinel", () => v.armSentinel()],
  ["setPauseBounds", () => v.setPauseBounds(DAY, 0n)],
  ["setRescueVault", () => v.setRescueVault(f.tokenAddr)],
  ["rescueFrozen", () => v.rescueFrozen(f.tokenAddr, E18)],
  ["setMigrator", () => v.setMigrator(f.tokenAddr)],
];

describe("Breaker: role separation", function () {
  it("every fast function refuses accounts without EMERGENCY_ROLE (incl. RECOVERY-only)", async function () {
    const f = await loadFixture(fixture);
    for (const who of [f.alice, f.recovery, f.sentinel]) {
      for (const [name, call] of fastCalls(f.vault.connect(who), f)) {
        await expect(call(), name)
          .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, Role.EMERGENCY);
      }
    }
    expect(await f.vault.isPaused(Scope.DEPOSIT)).to.equal(false);
    expect(await f.vault.isFrozen(f.tokenAddr)).to.equal(false);
    expect(await f.vault.isQuarantined(f.attacker.address)).to.equal(false);
    expect((await f.vault.queuedOutflow(1n)).settled).to.equal(false);
  });

  it("every fast function works for the EMERGENCY-only guardian (positive control)", async function () {
    const f = await loadFixture(fixture);
    for (const [name, call] of fastCalls(f.vault.connect(f.guardian), f)) {
      await expect(call(), name).not.to.be.revert(ethers);
    }
    expect(await f.vault.isFrozen(f.tokenAddr)).to.equal(true);
    expect((await f.vault.queuedOutflow(1n)).vetoed).to.equal(true);
  });

  it("every slow function refuses an EMERGENCY-only account", async function () {
    const f = await loadFixture(fixture);
    // Lifting an ACTIVE freeze / quarantine is slow (an expired one anyone may clear).
    await f.vault.connect(f.guardian).freezeAsset(f.tokenAddr);
    await f.vault.connect(f.guardian).quarantine(f.attacker.address);
    for (const who of [f.guardian, f.alice]) {
      for (const [name, call] of slowCalls(f.vault.connect(who), f)) {
        await expect(call(), name)
          .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, Role.RECOVERY);
      }
    }
    expect(await f.vault.isPaused(Scope.WITHDRAW)).to.equal(true);
    expect((await f.vault.limitOf(f.tokenAddr)).maxCapacity).to.equal(1_000n * E18);
    expect(await f.vault.migrator()).to.equal(ethers.ZeroAddress);
  });

  it("the slow functions work for the RECOVERY-only account (positive control)", async function () {
    const f = await loadFixture(fixture);
    const v = f.vault.connect(f.recovery);
    await expect(v.extendPause(Scope.WITHDRAW, DAY)).to.emit(f.vault, "PauseExtended");
    await expect(v.unpause(Scope.WITHDRAW)).to.emit(f.vault, "Unpaused");
    await expect(v.setLimit(f.tokenAddr, limit())).to.emit(f.vault, "LimitSet");
    await expect(v.setPauseBounds(DAY, 0n)).to.emit(f.vault, "PauseBoundsSet");
    await expect(v.setMigrator(f.tokenAddr)).to.emit(f.vault, "MigratorSet").withArgs(f.tokenAddr);
  });

  it("roles are granted only by DEFAULT_ADMIN", async function () {
    const f = await loadFixture(fixture);
    for (const who of [f.guardian, f.recovery]) {
      await expect(f.vault.connect(who).grantRole(Role.EMERGENCY, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(who.address, Role.DEFAULT_ADMIN);
    }
    expect(await f.vault.hasRole(Role.EMERGENCY, f.alice.address)).to.equal(false);
    await f.vault.connect(f.admin).grantRole(Role.EMERGENCY, f.alice.address);
    await expect(f.vault.connect(f.alice).pause(Scope.DEPOSIT, HOUR)).to.emit(f.vault, "Paused");
  });

  it("migratePosition: only the migrator; it works while paused, within the limit, not while frozen", async function () {
    const f = await loadFixture(fixture);
    for (const who of [f.alice, f.admin]) {
      await expect(f.vault.connect(who).migratePosition(f.alice.address, E18))
        .to.be.revertedWithCustomError(f.vault, "NotMigrator")
        .withArgs(who.address);
    }
    // Any contract address may be the migrator; impersonate one to act as it.
    const migratorAddr = f.escrowAddr;
    await expect(f.vault.connect(f.recovery).setMigrator(f.other.address))
      .to.be.revertedWithCustomError(f.vault, "NotAContract")
      .withArgs(f.other.address);
    await f.vault.connect(f.recovery).setMigrator(migratorAddr);
    await impersonateAccount(migratorAddr);
    await setBalance(migratorAddr, E18);
    const migrator = await ethers.getSigner(migratorAddr);
    await expect(f.vault.connect(f.alice).migratePosition(f.alice.address, E18))
      .to.be.revertedWithCustomError(f.vault, "NotMigrator");
    expect(await f.vault.isPaused(Scope.WITHDRAW)).to.equal(true);
    // The fixture's withdrawal used the capacity: a migration counts against it (issue 11, finding 2).
    await expect(f.vault.connect(migrator).migratePosition(f.bob.address, 100n * E18))
      .to.be.revertedWithCustomError(f.vault, "OutflowLimitExceeded");
    const part = E18 / 100n;
    const tx = f.vault.connect(migrator).migratePosition(f.bob.address, part);
    await expect(tx).to.emit(f.vault, "PositionMigrated").withArgs(f.bob.address, migratorAddr, part, part);
    await expect(tx).to.changeTokenBalance(ethers, f.token, migratorAddr, part);
    expect(await f.vault.balanceOf(f.bob.address)).to.equal(10_000n * E18 - part);
    await f.vault.connect(f.guardian).freezeAsset(f.tokenAddr);
    await expect(f.vault.connect(migrator).migratePosition(f.bob.address, E18))
      .to.be.revertedWithCustomError(f.vault, "AssetIsFrozen")
      .withArgs(f.tokenAddr);
  });
});
