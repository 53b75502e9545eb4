// End to end on the real contracts: a protected ERC-4626 vault, a guardian multisig with a
// real Safe v1.4.1 among its guardians, the RescueVault and the PositionMigrator.
// Incident: the Safe pauses (fast path), a guardian freezes the asset, the slow path rescues
// part of the funds to the RescueVault, which can only pay a destination registered under its
// timelock; the slow path unfreezes and users migrate their positions to a fixed vault while
// the old one stays paused.
import { expect } from "chai";
import { network } from "hardhat";
import {
  ACTION_TYPES,
  ActionKind,
  Args,
  actionDigest,
  buildAction,
  guardianDomain,
  sortApprovals,
  type Approval,
  type GuardianAction,
} from "../../client/guardian-actions.js";
import { MIGRATE_TYPES, migratorDomain } from "../../client/position-migration.js";
import { DAY, SLOW_DELAY, deployMultisig } from "../helpers/guardian-fixture.js";
import { deploySafe, signSafeMessage } from "../helpers/safe.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const GLOBAL = ethers.id("breakwater.scope.GLOBAL");
const E18 = 10n ** 18n;

describe("incident recovery, end to end (vault + multisig with a Safe + rescue + migration)", function () {
  async function deployed() {
    const signers = await ethers.getSigners();
    const [deployer, alice, bob, g1, g2, g3, g4, o1, o2, o3, destination] = signers;
    const safe = await deploySafe(ethers, [o1, o2, o3], 2);
    const token = await ethers.deployContract("TestToken", ["USD Stable", "USDS", 18]);
    const oldVault = await ethers.deployContract("ProtectedVault", [
      await token.getAddress(), "Old vault", "oVLT", deployer.address, 14n * DAY, DAY,
    ]);
    const newVault = await ethers.deployContract("ProtectedVault", [
      await token.getAddress(), "Fixed vault", "fVLT", deployer.address, 14n * DAY, DAY,
    ]);
    const limit = { maxCapacity: 50_000n * E18, window: DAY, minTvl: 0n, mode: 0, settlementDelay: 0n, inflowCredit: true };
    await oldVault.setLimit(await token.getAddress(), limit);
    await newVault.setLimit(await token.getAddress(), limit);

    const guardians = [g1, g2, g3, g4].map((g) => g.address);
    const multisig = await deployMultisig(ethers, [...guardians, await safe.getAddress()], {
      managed: [await oldVault.getAddress()],
    });
    const rescue = await ethers.deployContract("RescueVault", [deployer.address, 3_600n]);
    const migrator = await ethers.deployContract("PositionMigrator", [deployer.address]);
    await migrator.setRoute(await oldVault.getAddress(), await newVault.getAddress(), true);
    // Setup by the deployer, then every breaker role moves to the multisig.
    await oldVault.setRescueVault(await rescue.getAddress());
    await oldVault.setMigrator(await migrator.getAddress());
    for (const role of ["EMERGENCY_ROLE", "RECOVERY_ROLE", "DEFAULT_ADMIN_ROLE"]) {
      const id = role === "DEFAULT_ADMIN_ROLE" ? ethers.ZeroHash : ethers.id(role);
      await oldVault.grantRole(id, await multisig.getAddress());
    }
    for (const role of ["EMERGENCY_ROLE", "RECOVERY_ROLE", "DEFAULT_ADMIN_ROLE"]) {
      const id = role === "DEFAULT_ADMIN_ROLE" ? ethers.ZeroHash : ethers.id(role);
      await oldVault.renounceRole(id, deployer.address);
    }

    for (const [user, amount] of [[alice, 60_000n * E18], [bob, 40_000n * E18]] as const) {
      await token.mint(user.address, amount);
      await token.connect(user).approve(await oldVault.getAddress(), amount);
      await oldVault.connect(user).deposit(amount, user.address);
    }
    return { deployer, alice, bob, g1, g2, g3, o1, o2, destination, safe, token, oldVault, newVault, multisig, rescue, migrator };
  }

  async function safeApproval(safe: any, owners: any[], domain: any, action: GuardianAction): Promise<Approval> {
    const digest = actionDigest(domain, action);
    return { signer: await safe.getAddress(), signature: await signSafeMessage(safe, owners, digest) };
  }

  async function deadline() {
    return BigInt(await time.latest()) + 10n * DAY;
  }

  it("contains, rescues to a timelocked destination, and migrates users out of the paused vault", async function () {
    const f = await loadFixture(deployed);
    const { alice, bob, g1, g2, o1, o2, destination, safe, token, oldVault, newVault, multisig, rescue, migrator } = f;
    const domain = await guardianDomain(multisig);
    const vaultAddr = await oldVault.getAddress();
    const tokenAddr = await token.getAddress();

    // Fast path, signed by the Safe alone (1 of 5): pause everything.
    const pause = buildAction(ActionKind.Pause, vaultAddr, Args.pause(GLOBAL, 7n * DAY), { deadline: await deadline() });
    await expect(multisig.execute(pause, [await safeApproval(safe, [o1, o2], domain, pause)])).to.emit(oldVault, "Paused");
    await expect(oldVault.connect(alice).withdraw(1n * E18, alice.address, alice.address))
      .to.be.revertedWithCustomError(oldVault, "ScopePaused");

    // Fast path: freeze the asset (one EOA guardian, relayed by anyone).
    const freeze = buildAction(ActionKind.FreezeAsset, vaultAddr, Args.freezeAsset(tokenAddr), { deadline: await deadline() });
    await multisig.execute(freeze, [{ signer: g1.address, signature: await g1.signTypedData(domain, ACTION_TYPES, freeze) }]);
    expect(await oldVault.isFrozen(tokenAddr)).to.equal(true);

    // Slow path, 3 of 5 (two EOAs and the Safe): rescue 30,000 of the frozen asset.
    const rescueAction = buildAction(ActionKind.Rescue, vaultAddr, Args.rescue(tokenAddr, 30_000n * E18), { deadline: await deadline() });
    const approvals = sortApprovals([
      { signer: g1.address, signature: await g1.signTypedData(domain, ACTION_TYPES, rescueAction) },
      { signer: g2.address, signature: await g2.signTypedData(domain, ACTION_TYPES, rescueAction) },
      await safeApproval(safe, [o1, o2], domain, rescueAction),
    ]);
    await multisig.queue(rescueAction, approvals);
    const id = actionDigest(domain, rescueAction);
    await expect(multisig.executeQueued(id)).to.be.revertedWithCustomError(multisig, "ActionNotReady");
    await time.increase(SLOW_DELAY);
    await expect(multisig.executeQueued(id)).to.emit(oldVault, "FrozenAssetRescued");
    expect(await token.balanceOf(await rescue.getAddress())).to.equal(30_000n * E18);

    // The RescueVault pays only a destination registered under its timelock.
    await expect(rescue.release(tokenAddr, destination.address, 1n)).to.be.revertedWithCustomError(rescue, "DestinationNotRegistered");
    await rescue.proposeDestination(destination.address, ethers.encodeBytes32String("recovery multisig"));
    await expect(rescue.release(tokenAddr, destination.address, 1n)).to.be.revertedWithCustomError(rescue, "DestinationNotActive");
    await time.increase(3_600);
    await rescue.release(tokenAddr, destination.address, 30_000n * E18);
    expect(await token.balanceOf(destination.address)).to.equal(30_000n * E18);

    // Slow path: unfreeze so positions can migrate; the vault itself stays paused.
    const unfreeze = buildAction(ActionKind.UnfreezeAsset, vaultAddr, Args.unfreezeAsset(tokenAddr), { deadline: await deadline() });
    await multisig.queue(unfreeze, sortApprovals([
      { signer: g1.address, signature: await g1.signTypedData(domain, ACTION_TYPES, unfreeze) },
      { signer: g2.address, signature: await g2.signTypedData(domain, ACTION_TYPES, unfreeze) },
      await safeApproval(safe, [o1, o2], domain, unfreeze),
    ]));
    await time.increase(SLOW_DELAY);
    await multisig.executeQueued(actionDigest(domain, unfreeze));
    expect(await oldVault.isPaused(GLOBAL)).to.equal(true);

    // Users migrate what is left, pro rata: alice by her own call, bob by signature.
    const aliceShares = await oldVault.balanceOf(alice.address);
    const aliceAssets = await oldVault.previewRedeem(aliceShares);
    expect(aliceAssets).to.equal(42_000n * E18); // 60% of the 70,000 left
    await migrator.connect(alice).migrate(vaultAddr, await newVault.getAddress(), ethers.MaxUint256, 0n);
    expect(await oldVault.balanceOf(alice.address)).to.equal(0n);
    expect(await newVault.previewRedeem(await newVault.balanceOf(alice.address))).to.equal(aliceAssets);

    // A migration counts against the old vault's outflow limit (issue 11, finding 2): alice's
    // 42,000 used most of the 50,000 per day, so bob's 28,000 waits for the refill.
    await time.increase(DAY);
    const bobShares = await oldVault.balanceOf(bob.address);
    const sigDeadline = await deadline();
    const { chainId } = await ethers.provider.getNetwork();
    const sig = await bob.signTypedData(
      migratorDomain(await migrator.getAddress(), chainId),
      MIGRATE_TYPES,
      {
        account: bob.address, oldVault: vaultAddr, newVault: await newVault.getAddress(),
        shares: bobShares, minSharesOut: 0n, nonce: await migrator.nonces(bob.address), deadline: sigDeadline,
      },
    );
    await migrator.migrateWithSig(bob.address, vaultAddr, await newVault.getAddress(), bobShares, 0n, sigDeadline, sig);
    expect(await newVault.previewRedeem(await newVault.balanceOf(bob.address))).to.equal(28_000n * E18);
    expect(await token.balanceOf(vaultAddr)).to.equal(0n);
  });
});

