import { expect } from "chai";
import { MIGRATE_TYPES, migratorDomain } from "../../client/position-migration.js";
import { network } from "hardhat";
import { deploySafe, execSafeTransaction, signSafeMessage } from "../helpers/safe.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const E18 = 10n ** 18n;
const ALL = ethers.MaxUint256;

describe("PositionMigrator", function () {
  async function deployFixture() {
    const [admin, alice, bob, relayer, mallory, s1, s2] = await ethers.getSigners();
    const token = await ethers.deployContract("TestToken", ["Asset", "AST", 18]);
    const t = await token.getAddress();
    const oldVault = await ethers.deployContract("MockMigratableVault", [t, "Old vault", "oVLT"]);
    const newVault = await ethers.deployContract("MockMigratableVault", [t, "New vault", "nVLT"]);
    const migrator = await ethers.deployContract("PositionMigrator", [admin.address]);
    const [o, n, m] = await Promise.all([oldVault.getAddress(), newVault.getAddress(), migrator.getAddress()]);
    await oldVault.setMigrator(m);
    await expect(migrator.setRoute(o, n, true)).to.emit(migrator, "RouteSet").withArgs(o, n, true);
    for (const u of [alice, bob]) {
      await token.mint(u.address, 1_000n * E18);
      await token.connect(u).approve(o, ethers.MaxUint256);
    }
    await oldVault.connect(alice).deposit(300n * E18, alice.address);
    await oldVault.connect(bob).deposit(100n * E18, bob.address);
    await token.mint(o, 40n * E18); // yield: share price 1.1
    // the new vault already has other depositors at a different share price
    await token.mint(admin.address, 1_000n * E18);
    await token.approve(n, ethers.MaxUint256);
    await newVault.deposit(200n * E18, admin.address);
    await token.mint(n, 100n * E18); // share price 1.5
    await oldVault.setPaused(true); // incident: the old vault is paused
    const { chainId } = await ethers.provider.getNetwork();
    return { admin, alice, bob, relayer, mallory, s1, s2, token, oldVault, newVault, migrator, o, n, m, chainId };
  }

  async function signMigrate(
    signer: Awaited<ReturnType<typeof ethers.getSigners>>[number],
    f: Awaited<ReturnType<typeof deployFixture>>,
    msg: { account: string; shares: bigint; minSharesOut: bigint; nonce: bigint; deadline: bigint },
    chainId = f.chainId,
  ) {
    const domain = migratorDomain(f.m, chainId);
    return signer.signTypedData(domain, MIGRATE_TYPES, { ...msg, oldVault: f.o, newVault: f.n });
  }

  it("moves the caller's whole position out of a paused vault, preserving its assets", async function () {
    const { alice, oldVault, newVault, migrator, o, n, token } = await loadFixture(deployFixture);
    await expect(oldVault.connect(alice).redeem(1n, alice.address, alice.address)).to.be.revertedWithCustomError(
      oldVault,
      "VaultPaused",
    );
    const shares = await oldVault.balanceOf(alice.address);
    const assets = await oldVault.previewRedeem(shares);
    const expected = await newVault.previewDeposit(assets);
    await expect(migrator.connect(alice).migrate(o, n, ALL, expected))
      .to.emit(migrator, "PositionMigrated")
      .withArgs(alice.address, o, n, shares, assets, expected, alice.address);
    expect(await oldVault.balanceOf(alice.address)).to.equal(0n);
    expect(await newVault.balanceOf(alice.address)).to.equal(expected);
    const after = await newVault.convertToAssets(expected);
    expect(after).to.be.lte(assets);
    expect(assets - after).to.be.lte(1n); // rounding only
    expect(await token.balanceOf(await migrator.getAddress())).to.equal(0n);
    expect(await token.allowance(await migrator.getAddress(), n)).to.equal(0n);
  });

  it("moves a partial position", async function () {
    const { bob, oldVault, newVault, migrator, o, n } = await loadFixture(deployFixture);
    await migrator.connect(bob).migrate(o, n, 40n * E18, 1n);
    expect(await oldVault.balanceOf(bob.address)).to.equal(60n * E18);
    expect(await newVault.balanceOf(bob.address)).to.be.gt(0n);
  });

  it("relays an EOA's EIP-712 signature once; the position goes to the signer", async function () {
    const f = await loadFixture(deployFixture);
    const { alice, relayer, migrator, newVault, o, n } = f;
    const deadline = BigInt(await time.latest()) + 3_600n;
    const msg = { account: alice.address, shares: ALL, minSharesOut: 1n, nonce: 0n, deadline };
    expect(await migrator.migrateDigest(alice.address, o, n, ALL, 1n, deadline)).to.equal(
      ethers.TypedDataEncoder.hash(
        { name: "Breakwater PositionMigrator", version: "1", chainId: f.chainId, verifyingContract: f.m },
        {
          Migrate: [
            { name: "account", type: "address" }, { name: "oldVault", type: "address" },
            { name: "newVault", type: "address" }, { name: "shares", type: "uint256" },
            { name: "minSharesOut", type: "uint256" }, { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        { ...msg, oldVault: o, newVault: n },
      ),
    );
    expect(await migrator.DOMAIN_SEPARATOR()).to.equal(
      ethers.TypedDataEncoder.hashDomain({ name: "Breakwater PositionMigrator", version: "1", chainId: f.chainId, verifyingContract: f.m }),
    );
    const sig = await signMigrate(alice, f, msg);
    await expect(migrator.connect(relayer).migrateWithSig(alice.address, o, n, ALL, 1n, deadline, sig))
      .to.emit(migrator, "PositionMigrated");
    expect(await newVault.balanceOf(alice.address)).to.be.gt(0n);
    expect(await newVault.balanceOf(relayer.address)).to.equal(0n);
    expect(await migrator.nonces(alice.address)).to.equal(1n);
    await expect(migrator.connect(relayer).migrateWithSig(alice.address, o, n, ALL, 1n, deadline, sig))
      .to.be.revertedWithCustomError(migrator, "InvalidSignature")
      .withArgs(alice.address);
  });

  it("rejects expired, forged, tampered and cross-chain signatures", async function () {
    const f = await loadFixture(deployFixture);
    const { alice, bob, relayer, migrator, oldVault, o, n } = f;
    const deadline = BigInt(await time.latest()) + 3_600n;
    const msg = { account: alice.address, shares: ALL, minSharesOut: 1n, nonce: 0n, deadline };
    const good = await signMigrate(alice, f, msg);
    for (const sig of [await signMigrate(bob, f, msg), await signMigrate(alice, f, msg, f.chainId + 1n), "0x"]) {
      await expect(migrator.connect(relayer).migrateWithSig(alice.address, o, n, ALL, 1n, deadline, sig))
        .to.be.revertedWithCustomError(migrator, "InvalidSignature");
    }
    // tampered slippage bound
    await expect(migrator.connect(relayer).migrateWithSig(alice.address, o, n, ALL, 0n, deadline, good))
      .to.be.revertedWithCustomError(migrator, "InvalidSignature");
    await time.setNextBlockTimestamp(deadline + 1n);
    await expect(migrator.connect(relayer).migrateWithSig(alice.address, o, n, ALL, 1n, deadline, good))
      .to.be.revertedWithCustomError(migrator, "SignatureExpired")
      .withArgs(deadline, deadline + 1n);
    expect(await oldVault.balanceOf(alice.address)).to.equal(300n * E18);
    expect(await migrator.nonces(alice.address)).to.equal(0n);
  });

  it("relays a real Safe's EIP-1271 signature", async function () {
    const f = await loadFixture(deployFixture);
    const { relayer, s1, s2, token, oldVault, newVault, migrator, admin, o, n } = f;
    const safe = await deploySafe(ethers, [s1, s2], 2);
    const safeAddr = await safe.getAddress();
    // the Safe deposited before the incident
    await oldVault.setPaused(false);
    await token.connect(admin).transfer(safeAddr, 50n * E18);
    await execSafeTransaction(safe, [s1, s2], await token.getAddress(), token.interface.encodeFunctionData("approve", [o, 50n * E18]));
    await execSafeTransaction(safe, [s1, s2], o, oldVault.interface.encodeFunctionData("deposit", [50n * E18, safeAddr]));
    await oldVault.setPaused(true);
    const deadline = BigInt(await time.latest()) + 3_600n;
    const digest = await migrator.migrateDigest(safeAddr, o, n, ALL, 1n, deadline);
    const sig = await signSafeMessage(safe, [s2, s1], digest);
    await migrator.connect(relayer).migrateWithSig(safeAddr, o, n, ALL, 1n, deadline, sig);
    expect(await oldVault.balanceOf(safeAddr)).to.equal(0n);
    expect(await newVault.balanceOf(safeAddr)).to.be.gt(0n);
  });

  it("rejects bad migrations with specific errors and changes nothing", async function () {
    const { admin, alice, mallory, token, oldVault, newVault, migrator, o, n, m } = await loadFixture(deployFixture);
    const shares = await oldVault.balanceOf(alice.address);
    await expect(migrator.connect(alice).migrate(n, o, ALL, 0n))
      .to.be.revertedWithCustomError(migrator, "RouteNotEnabled")
      .withArgs(n, o);
    await expect(migrator.connect(mallory).migrate(o, n, ALL, 0n)).to.be.revertedWithCustomError(migrator, "ZeroShares");
    await expect(migrator.connect(alice).migrate(o, n, 0n, 0n)).to.be.revertedWithCustomError(migrator, "ZeroShares");
    await expect(migrator.connect(alice).migrate(o, n, ALL, ethers.MaxUint256))
      .to.be.revertedWithCustomError(migrator, "SlippageExceeded");
    // the old vault only lets the migrator pull positions
    await expect(oldVault.connect(mallory).migratePosition(alice.address, 1n))
      .to.be.revertedWithCustomError(oldVault, "NotMigrator")
      .withArgs(mallory.address);
    // after a total loss, shares are worth nothing: nothing to migrate
    await oldVault.connect(admin).simulateLoss(await token.balanceOf(o));
    await expect(migrator.connect(alice).migrate(o, n, ALL, 0n))
      .to.be.revertedWithCustomError(migrator, "NothingMigrated")
      .withArgs(o, alice.address, shares);
    expect(await oldVault.balanceOf(alice.address)).to.equal(shares);
    expect(await newVault.balanceOf(alice.address)).to.equal(0n);
    expect(await token.balanceOf(m)).to.equal(0n);
  });

  it("only the owner sets routes, between distinct vaults of the same asset", async function () {
    const { mallory, migrator, o, n } = await loadFixture(deployFixture);
    const other = await ethers.deployContract("TestToken", ["Other", "OTH", 18]);
    const otherVault = await ethers.deployContract("MockMigratableVault", [await other.getAddress(), "x", "x"]);
    const ov = await otherVault.getAddress();
    await expect(migrator.connect(mallory).setRoute(o, n, true))
      .to.be.revertedWithCustomError(migrator, "OwnableUnauthorizedAccount");
    await expect(migrator.setRoute(o, ov, true)).to.be.revertedWithCustomError(migrator, "AssetMismatch");
    await expect(migrator.setRoute(o, o, true)).to.be.revertedWithCustomError(migrator, "SameVault").withArgs(o);
    await expect(migrator.setRoute(ethers.ZeroAddress, n, true)).to.be.revertedWithCustomError(migrator, "ZeroAddress");
    await expect(migrator.setRoute(o, n, false)).to.emit(migrator, "RouteSet").withArgs(o, n, false);
    expect(await migrator.isRoute(o, n)).to.equal(false);
  });

  it("test vault: admin-only setters, paused entries, open exits when unpaused", async function () {
    const { alice, mallory, oldVault } = await loadFixture(deployFixture);
    for (const call of [
      oldVault.connect(mallory).setPaused(false),
      oldVault.connect(mallory).setMigrator(mallory.address),
      oldVault.connect(mallory).simulateLoss(1n),
    ]) {
      await expect(call).to.be.revertedWithCustomError(oldVault, "NotAdmin").withArgs(mallory.address);
    }
    await expect(oldVault.connect(alice).deposit(1n, alice.address)).to.be.revertedWithCustomError(oldVault, "VaultPaused");
    await oldVault.setPaused(false);
    await oldVault.connect(alice).redeem(1n, alice.address, alice.address);
    expect(await oldVault.balanceOf(alice.address)).to.equal(300n * E18 - 1n);
  });
});
