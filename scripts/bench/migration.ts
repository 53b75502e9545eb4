// Gas of the recovery contracts (contracts/migration), from receipts' gasUsed.
// `merkleClaim` is the headline: an EOA claims a 2-token leaf in a 100-leaf
// round (7-step proof), a fresh transaction as a user would send it.
import { buildClaimRound, claimOf, hashTerms, type ClaimRowInput } from "../../client/merkle-claims.js";

async function gas(txPromise: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await txPromise).wait();
  if (!receipt) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
}

// `ethers` is Hardhat's ethers (HardhatEthers); typed loosely so any network connection works.
export async function benchMigration(ethers: any): Promise<Record<string, number>> {
  const [admin, claimant, relayer, treasury, user] = await ethers.getSigners();
  const E18 = 10n ** 18n;
  const tokenA = await ethers.deployContract("TestToken", ["Bench A", "BA", 18]);
  const tokenB = await ethers.deployContract("TestToken", ["Bench B", "BB", 6]);
  const a: string = await tokenA.getAddress();
  const b: string = await tokenB.getAddress();
  const out: Record<string, number> = {};

  // ---- MerkleClaims: 100 leaves, each with 2 tokens
  const claims = await ethers.deployContract("MerkleClaims", [admin.address]);
  const claimsAddr: string = await claims.getAddress();
  const rows: ClaimRowInput[] = [
    { account: claimant.address, tokens: [a, b], amounts: [10n * E18, 10_000_000n] },
    { account: relayer.address, tokens: [a, b], amounts: [3n * E18, 2_000_000n] },
  ];
  for (let i = rows.length; i < 100; i++) {
    rows.push({ account: ethers.Wallet.createRandom().address, tokens: [a, b], amounts: [BigInt(i) * E18, BigInt(i) * 1_000_000n] });
  }
  const round = buildClaimRound(rows);
  await (await tokenA.mint(admin.address, round.totals[a])).wait();
  await (await tokenB.mint(admin.address, round.totals[b])).wait();
  await (await tokenA.approve(claimsAddr, round.totals[a])).wait();
  await (await tokenB.approve(claimsAddr, round.totals[b])).wait();
  const now = (await ethers.provider.getBlock("latest")).timestamp as number;
  const termsHash = hashTerms("bench terms");
  out.merkleCreateRound = await gas(
    claims.createRound(round.root, termsHash, BigInt(now + 7 * 86_400), treasury.address, round.tokens, round.amounts),
  );
  const c = claimOf(round, claimant.address);
  out.merkleClaim = await gas(claims.connect(claimant).claim(0n, c.tokens, c.amounts, c.proof));
  // relayed claim with an EOA signature (the account is the relayer's own leaf owner here; any submitter works)
  const r = claimOf(round, relayer.address);
  const { chainId } = await ethers.provider.getNetwork();
  const sig: string = await relayer.signTypedData(
    { name: "Breakwater MerkleClaims", version: "1", chainId, verifyingContract: claimsAddr },
    { AcceptTerms: [{ name: "roundId", type: "uint256" }, { name: "account", type: "address" }, { name: "termsHash", type: "bytes32" }] },
    { roundId: 0n, account: relayer.address, termsHash },
  );
  out.merkleClaimWithSig = await gas(claims.connect(user).claimWithSig(0n, relayer.address, r.tokens, r.amounts, r.proof, sig));

  // ---- RescueVault: release of an ERC-20 to an active destination
  const vault = await ethers.deployContract("RescueVault", [admin.address, 3_600n]);
  const vaultAddr: string = await vault.getAddress();
  await (await tokenA.mint(vaultAddr, 100n * E18)).wait();
  out.rescueProposeDestination = await gas(vault.proposeDestination(treasury.address, ethers.ZeroHash));
  await ethers.provider.send("evm_increaseTime", [3_601]);
  await ethers.provider.send("evm_mine", []);
  out.rescueRelease = await gas(vault.release(a, treasury.address, 40n * E18));

  // ---- PositionMigrator: whole position, old paused vault -> new vault
  const oldVault = await ethers.deployContract("MockMigratableVault", [a, "old", "old"]);
  const newVault = await ethers.deployContract("MockMigratableVault", [a, "new", "new"]);
  const migrator = await ethers.deployContract("PositionMigrator", [admin.address]);
  const [o, n]: string[] = await Promise.all([oldVault.getAddress(), newVault.getAddress()]);
  await (await oldVault.setMigrator(await migrator.getAddress())).wait();
  await (await migrator.setRoute(o, n, true)).wait();
  for (const who of [user, admin]) {
    await (await tokenA.mint(who.address, 100n * E18)).wait();
    await (await tokenA.connect(who).approve(o, ethers.MaxUint256)).wait();
    await (await tokenA.connect(who).approve(n, ethers.MaxUint256)).wait();
    await (await oldVault.connect(who).deposit(50n * E18, who.address)).wait();
    await (await newVault.connect(who).deposit(1n * E18, who.address)).wait();
  }
  await (await oldVault.setPaused(true)).wait();
  out.migratePosition = await gas(migrator.connect(user).migrate(o, n, ethers.MaxUint256, 1n));
  return out;
}
