import { expect } from "chai";
import { network } from "hardhat";
import { deploySafe, execSafeTransaction, signSafeMessage } from "../helpers/safe.js";
import { acceptanceTypedData, buildClaimRound, claimOf, hashTerms, type ClaimRowInput } from "../../client/merkle-claims.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const DAY = 86_400;
const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
const TERMS = "Breakwater incident #1 compensation: claiming releases all further claims.";

describe("MerkleClaims", function () {
  async function deployFixture() {
    const [owner, treasury, alice, bob, relayer, mallory, s1, s2, s3] = await ethers.getSigners();
    const tokenA = await ethers.deployContract("TestToken", ["Token A", "TKA", 18]);
    const tokenB = await ethers.deployContract("TestToken", ["Token B", "TKB", 6]);
    const claims = await ethers.deployContract("MerkleClaims", [owner.address]);
    const safeA = await deploySafe(ethers, [s1, s2, s3], 2);
    const safeB = await deploySafe(ethers, [s1, s2, s3], 2);
    const [a, b, claimsAddr] = await Promise.all([tokenA.getAddress(), tokenB.getAddress(), claims.getAddress()]);
    const rows: ClaimRowInput[] = [
      { account: alice.address, tokens: [a, b], amounts: [100n * E18, 50n * E6] },
      { account: bob.address, tokens: [a], amounts: [25n * E18] },
      { account: await safeA.getAddress(), tokens: [a, b], amounts: [7n * E18, 3n * E6] },
      { account: await safeB.getAddress(), tokens: [b], amounts: [11n * E6] },
    ];
    for (let i = 0; i < 6; i++) {
      rows.push({ account: ethers.Wallet.createRandom().address, tokens: [a, b], amounts: [BigInt(i + 1) * E18, BigInt(i + 1) * E6] });
    }
    const round = buildClaimRound(rows);
    const termsHash = hashTerms(TERMS);
    await tokenA.mint(owner.address, 1_000_000n * E18);
    await tokenB.mint(owner.address, 1_000_000n * E6);
    await tokenA.approve(claimsAddr, ethers.MaxUint256);
    await tokenB.approve(claimsAddr, ethers.MaxUint256);
    const deadline = BigInt((await time.latest()) + 7 * DAY);
    await claims.createRound(round.root, termsHash, deadline, treasury.address, round.tokens, round.amounts);
    const { chainId } = await ethers.provider.getNetwork();
    return { owner, treasury, alice, bob, relayer, mallory, s1, s2, s3, tokenA, tokenB, claims, claimsAddr, safeA, safeB, round, termsHash, deadline, chainId, rows };
  }

  describe("createRound", function () {
    it("pulls the totals, records them and emits events", async function () {
      const { claims, claimsAddr, tokenA, tokenB, round, termsHash, deadline, treasury } = await loadFixture(deployFixture);
      expect(await claims.roundCount()).to.equal(1n);
      const info = await claims.roundInfo(0);
      expect(info.root).to.equal(round.root);
      expect(info.termsHash).to.equal(termsHash);
      expect(info.deadline).to.equal(deadline);
      expect(info.treasury).to.equal(treasury.address);
      expect(info.tokens).to.deep.equal(round.tokens);
      expect(await tokenA.balanceOf(claimsAddr)).to.equal(round.totals[await tokenA.getAddress()]);
      expect(await tokenB.balanceOf(claimsAddr)).to.equal(round.totals[await tokenB.getAddress()]);
      expect(await claims.reserved(await tokenA.getAddress())).to.equal(round.totals[await tokenA.getAddress()]);
      const [funded, claimed] = await claims.tokenAccount(0, await tokenB.getAddress());
      expect(funded).to.equal(round.totals[await tokenB.getAddress()]);
      expect(claimed).to.equal(0n);
    });

    it("uses tokens already sent (e.g. released by the RescueVault) and pulls only the shortfall", async function () {
      const { claims, claimsAddr, owner, tokenA, treasury } = await loadFixture(deployFixture);
      const a = await tokenA.getAddress();
      await tokenA.transfer(claimsAddr, 60n * E18); // pre-sent, unreserved
      const deadline = BigInt((await time.latest()) + 2 * DAY);
      const root = ethers.id("root-2");
      await expect(claims.createRound(root, ethers.ZeroHash, deadline, treasury.address, [a], [100n * E18]))
        .to.emit(claims, "RoundFunded")
        .withArgs(1n, a, 100n * E18, 40n * E18)
        .and.to.emit(claims, "RoundCreated");
      // fully pre-funded: nothing pulled, no approval needed
      await tokenA.approve(claimsAddr, 0);
      await tokenA.transfer(claimsAddr, 5n * E18);
      await expect(claims.createRound(root, ethers.ZeroHash, deadline, treasury.address, [a], [5n * E18]))
        .to.emit(claims, "RoundFunded")
        .withArgs(2n, a, 5n * E18, 0n);
      expect(await tokenA.balanceOf(owner.address)).to.equal(1_000_000n * E18 - (await claims.reserved(a)));
    });

    it("rejects bad inputs with specific errors and changes nothing", async function () {
      const { claims, claimsAddr, owner, mallory, tokenA, tokenB, treasury } = await loadFixture(deployFixture);
      const a = await tokenA.getAddress();
      const b = await tokenB.getAddress();
      const root = ethers.id("r");
      const dl = BigInt((await time.latest()) + 2 * DAY);
      const balBefore = await tokenA.balanceOf(claimsAddr);
      const create = (over: Partial<{ root: string; deadline: bigint; treasury: string; tokens: string[]; amounts: bigint[] }>) =>
        claims.createRound(
          over.root ?? root,
          ethers.ZeroHash,
          over.deadline ?? dl,
          over.treasury ?? treasury.address,
          over.tokens ?? [a],
          over.amounts ?? [1n],
        );
      await expect(claims.connect(mallory).createRound(root, ethers.ZeroHash, dl, treasury.address, [a], [1n]))
        .to.be.revertedWithCustomError(claims, "OwnableUnauthorizedAccount")
        .withArgs(mallory.address);
      await expect(create({ root: ethers.ZeroHash })).to.be.revertedWithCustomError(claims, "ZeroRoot");
      await expect(create({ treasury: ethers.ZeroAddress })).to.be.revertedWithCustomError(claims, "ZeroAddress");
      await expect(create({ tokens: [], amounts: [] })).to.be.revertedWithCustomError(claims, "EmptyRound");
      await expect(create({ tokens: [a, b], amounts: [1n] }))
        .to.be.revertedWithCustomError(claims, "LengthMismatch")
        .withArgs(2n, 1n);
      await expect(create({ tokens: [a, a], amounts: [1n, 2n] }))
        .to.be.revertedWithCustomError(claims, "DuplicateToken")
        .withArgs(a);
      await expect(create({ tokens: [ethers.ZeroAddress] })).to.be.revertedWithCustomError(claims, "ZeroAddress");
      await expect(create({ amounts: [0n] })).to.be.revertedWithCustomError(claims, "ZeroAmount").withArgs(a);
      await expect(create({ amounts: [1n << 128n] }))
        .to.be.revertedWithCustomError(claims, "AmountTooLarge")
        .withArgs(a, 1n << 128n);
      const now = BigInt(await time.latest());
      await expect(create({ deadline: now + 100n }))
        .to.be.revertedWithCustomError(claims, "DeadlineTooSoon");
      // no allowance: clear error naming the token and what is available
      await tokenA.approve(claimsAddr, 10n);
      await expect(create({ amounts: [11n] }))
        .to.be.revertedWithCustomError(claims, "InsufficientFunding")
        .withArgs(a, 11n, 10n);
      expect(await claims.roundCount()).to.equal(1n);
      expect(await tokenA.balanceOf(claimsAddr)).to.equal(balBefore);
      expect(await tokenA.balanceOf(owner.address)).to.equal(1_000_000n * E18 - balBefore);
    });

    it("rejects a fee-on-transfer token that would leave the round underfunded", async function () {
      const { claims, claimsAddr, treasury } = await loadFixture(deployFixture);
      const fee = await ethers.deployContract("FeeOnTransferTestToken", [100n]); // 1%
      const [owner] = await ethers.getSigners();
      await fee.mint(owner.address, 1000n);
      await fee.approve(claimsAddr, 1000n);
      const dl = BigInt((await time.latest()) + 2 * DAY);
      await expect(claims.createRound(ethers.id("r"), ethers.ZeroHash, dl, treasury.address, [await fee.getAddress()], [1000n]))
        .to.be.revertedWithCustomError(claims, "InsufficientFunding")
        .withArgs(await fee.getAddress(), 1000n, 990n);
    });

    it("works with a token that returns nothing (USDT-style)", async function () {
      const { claims, claimsAddr, treasury, alice } = await loadFixture(deployFixture);
      const usdt = await ethers.deployContract("NoReturnTestToken");
      const u = await usdt.getAddress();
      const round = buildClaimRound([
        { account: alice.address, tokens: [u], amounts: [500n] },
        { account: treasury.address, tokens: [u], amounts: [1n] },
      ]);
      const [owner] = await ethers.getSigners();
      await usdt.mint(owner.address, 501n);
      await usdt.approve(claimsAddr, 501n);
      const dl = BigInt((await time.latest()) + 2 * DAY);
      await claims.createRound(round.root, ethers.ZeroHash, dl, treasury.address, round.tokens, round.amounts);
      const c = claimOf(round, alice.address);
      await claims.connect(alice).claim(1, c.tokens, c.amounts, c.proof);
      expect(await usdt.balanceOf(alice.address)).to.equal(500n);
    });
  });

  describe("claim (account itself)", function () {
    it("pays an EOA its leaf once, to itself", async function () {
      const { claims, alice, tokenA, tokenB, round } = await loadFixture(deployFixture);
      const c = claimOf(round, alice.address);
      expect(await claims.leafHash(alice.address, c.tokens, c.amounts)).to.equal(c.leaf);
      await expect(claims.connect(alice).claim(0, c.tokens, c.amounts, c.proof))
        .to.emit(claims, "Claimed")
        .withArgs(0n, alice.address, c.leaf, c.tokens, c.amounts, alice.address);
      expect(await tokenA.balanceOf(alice.address)).to.equal(100n * E18);
      expect(await tokenB.balanceOf(alice.address)).to.equal(50n * E6);
      expect(await claims.isClaimed(0, alice.address, c.tokens, c.amounts)).to.equal(true);
      expect(await claims.isLeafClaimed(0, c.leaf)).to.equal(true);
      const [, claimedA] = await claims.tokenAccount(0, await tokenA.getAddress());
      expect(claimedA).to.equal(100n * E18);
      await expect(claims.connect(alice).claim(0, c.tokens, c.amounts, c.proof))
        .to.be.revertedWithCustomError(claims, "AlreadyClaimed")
        .withArgs(0n, c.leaf);
    });

    it("rejects forged leaves, other accounts' proofs, unknown rounds and malformed input", async function () {
      const { claims, claimsAddr, alice, mallory, tokenA, round } = await loadFixture(deployFixture);
      const c = claimOf(round, alice.address);
      const before = await tokenA.balanceOf(claimsAddr);
      const inflated = [c.amounts[0] * 2n, c.amounts[1]];
      await expect(claims.connect(alice).claim(0, c.tokens, inflated, c.proof))
        .to.be.revertedWithCustomError(claims, "InvalidProof")
        .withArgs(0n, await claims.leafHash(alice.address, c.tokens, inflated));
      // mallory replays alice's leaf and proof: leaf is bound to the caller
      await expect(claims.connect(mallory).claim(0, c.tokens, c.amounts, c.proof)).to.be.revertedWithCustomError(
        claims,
        "InvalidProof",
      );
      await expect(claims.connect(alice).claim(7, c.tokens, c.amounts, c.proof))
        .to.be.revertedWithCustomError(claims, "RoundNotFound")
        .withArgs(7n);
      await expect(claims.connect(alice).claim(0, c.tokens, [c.amounts[0]], c.proof))
        .to.be.revertedWithCustomError(claims, "LengthMismatch")
        .withArgs(2n, 1n);
      expect(await tokenA.balanceOf(claimsAddr)).to.equal(before);
      expect(await claims.isLeafClaimed(0, c.leaf)).to.equal(false);
    });

    it("a real Safe claims by executing claim() through execTransaction", async function () {
      const { claims, claimsAddr, safeA, s1, s3, tokenA, tokenB, round } = await loadFixture(deployFixture);
      const safeAddr = await safeA.getAddress();
      const c = claimOf(round, safeAddr);
      const data = claims.interface.encodeFunctionData("claim", [0n, c.tokens, c.amounts, c.proof]);
      const receipt = await execSafeTransaction(safeA, [s3, s1], claimsAddr, data);
      expect(receipt?.status).to.equal(1);
      expect(await tokenA.balanceOf(safeAddr)).to.equal(7n * E18);
      expect(await tokenB.balanceOf(safeAddr)).to.equal(3n * E6);
      expect(await claims.isLeafClaimed(0, c.leaf)).to.equal(true);
    });
  });

  describe("claimWithSig (relayed)", function () {
    it("relays an EOA's EIP-712 acceptance; tokens go to the account, not the relayer", async function () {
      const { claims, claimsAddr, alice, relayer, tokenA, round, termsHash, chainId } = await loadFixture(deployFixture);
      const c = claimOf(round, alice.address);
      const td = acceptanceTypedData({ chainId, claimsAddress: claimsAddr, roundId: 0, account: alice.address, termsHash });
      expect(td.digest).to.equal(await claims.acceptanceDigest(0, alice.address));
      expect(await claims.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(td.domain));
      const sig = await alice.signTypedData(td.domain, td.types, td.message);
      await expect(claims.connect(relayer).claimWithSig(0, alice.address, c.tokens, c.amounts, c.proof, sig))
        .to.emit(claims, "Claimed")
        .withArgs(0n, alice.address, c.leaf, c.tokens, c.amounts, relayer.address);
      expect(await tokenA.balanceOf(alice.address)).to.equal(100n * E18);
      expect(await tokenA.balanceOf(relayer.address)).to.equal(0n);
      // the same signature cannot pay twice
      await expect(
        claims.connect(relayer).claimWithSig(0, alice.address, c.tokens, c.amounts, c.proof, sig),
      ).to.be.revertedWithCustomError(claims, "AlreadyClaimed");
    });

    it("relays a real Safe's EIP-1271 signature (owners sign the SafeMessage)", async function () {
      const { claims, relayer, safeB, s2, s3, tokenB, round } = await loadFixture(deployFixture);
      const safeAddr = await safeB.getAddress();
      const c = claimOf(round, safeAddr);
      const digest = await claims.acceptanceDigest(0, safeAddr);
      // below threshold: the Safe's handler reverts, SignatureChecker reads it as invalid
      const weak = await signSafeMessage(safeB, [s2], digest);
      await expect(claims.connect(relayer).claimWithSig(0, safeAddr, c.tokens, c.amounts, c.proof, weak))
        .to.be.revertedWithCustomError(claims, "InvalidSignature")
        .withArgs(0n, safeAddr);
      const sig = await signSafeMessage(safeB, [s2, s3], digest);
      await expect(claims.connect(relayer).claimWithSig(0, safeAddr, c.tokens, c.amounts, c.proof, sig))
        .to.emit(claims, "Claimed")
        .withArgs(0n, safeAddr, c.leaf, c.tokens, c.amounts, relayer.address);
      expect(await tokenB.balanceOf(safeAddr)).to.equal(11n * E6);
    });

    it("rejects signatures by someone else, for another round, contract, chain or terms", async function () {
      const { claims, claimsAddr, owner, alice, bob, relayer, treasury, round, termsHash, chainId } =
        await loadFixture(deployFixture);
      const c = claimOf(round, alice.address);
      const td = (over: Partial<{ chainId: bigint; claimsAddress: string; roundId: number; termsHash: string }>) =>
        acceptanceTypedData({
          chainId: over.chainId ?? chainId,
          claimsAddress: over.claimsAddress ?? claimsAddr,
          roundId: over.roundId ?? 0,
          account: alice.address,
          termsHash: over.termsHash ?? termsHash,
        });
      const sign = async (signer: typeof alice, t: ReturnType<typeof td>) => signer.signTypedData(t.domain, t.types, t.message);
      // a second round with the same root: a signature for round 1 must not claim round 0 and vice versa
      const dl = BigInt((await time.latest()) + 2 * DAY);
      await claims.connect(owner).createRound(round.root, termsHash, dl, treasury.address, round.tokens, round.amounts);
      const other = await ethers.deployContract("MerkleClaims", [owner.address]);
      const bad = [
        await sign(bob, td({})), // wrong signer
        await sign(alice, td({ roundId: 1 })), // other round
        await sign(alice, td({ claimsAddress: await other.getAddress() })), // other contract
        await sign(alice, td({ chainId: chainId + 1n })), // other chain
        await sign(alice, td({ termsHash: ethers.id("other terms") })), // other terms
        "0x1234", // malformed
      ];
      for (const sig of bad) {
        await expect(claims.connect(relayer).claimWithSig(0, alice.address, c.tokens, c.amounts, c.proof, sig))
          .to.be.revertedWithCustomError(claims, "InvalidSignature")
          .withArgs(0n, alice.address);
      }
      await expect(claims.acceptanceDigest(9, alice.address)).to.be.revertedWithCustomError(claims, "RoundNotFound");
      expect(await claims.isLeafClaimed(0, c.leaf)).to.equal(false);
      // the round-1 signature works for round 1 only
      await claims.connect(relayer).claimWithSig(1, alice.address, c.tokens, c.amounts, c.proof, bad[1]);
      expect(await claims.isLeafClaimed(1, c.leaf)).to.equal(true);
      expect(await claims.isLeafClaimed(0, c.leaf)).to.equal(false);
    });
  });

  describe("deadline and sweep", function () {
    it("no claim after the deadline, no sweep before; the remainder goes to the treasury once", async function () {
      const { claims, claimsAddr, alice, bob, mallory, treasury, tokenA, tokenB, round, deadline } =
        await loadFixture(deployFixture);
      const a = await tokenA.getAddress();
      const b = await tokenB.getAddress();
      const ca = claimOf(round, alice.address);
      await claims.connect(alice).claim(0, ca.tokens, ca.amounts, ca.proof);
      await expect(claims.connect(mallory).sweep(0))
        .to.be.revertedWithCustomError(claims, "ClaimWindowOpen");
      await time.increaseTo(deadline); // last second: claims still allowed
      const cb = claimOf(round, bob.address);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(claims.connect(bob).claim(0, cb.tokens, cb.amounts, cb.proof))
        .to.be.revertedWithCustomError(claims, "ClaimWindowClosed")
        .withArgs(0n, deadline, deadline + 1n);
      const remA = round.totals[a] - 100n * E18;
      const remB = round.totals[b] - 50n * E6;
      await expect(claims.connect(mallory).sweep(0))
        .to.emit(claims, "Swept")
        .withArgs(0n, a, treasury.address, remA)
        .and.to.emit(claims, "Swept")
        .withArgs(0n, b, treasury.address, remB);
      expect(await tokenA.balanceOf(treasury.address)).to.equal(remA);
      expect(await tokenB.balanceOf(treasury.address)).to.equal(remB);
      expect(await tokenA.balanceOf(claimsAddr)).to.equal(0n);
      expect(await claims.reserved(a)).to.equal(0n);
      expect((await claims.roundInfo(0)).swept).to.equal(true);
      await expect(claims.sweep(0)).to.be.revertedWithCustomError(claims, "AlreadySwept").withArgs(0n);
      await expect(claims.sweep(5)).to.be.revertedWithCustomError(claims, "RoundNotFound").withArgs(5n);
    });

    it("a root whose leaves exceed the funding cannot overpay (ClaimExceedsFunding)", async function () {
      const { claims, alice, bob, treasury, tokenA } = await loadFixture(deployFixture);
      const a = await tokenA.getAddress();
      const round = buildClaimRound([
        { account: alice.address, tokens: [a], amounts: [60n] },
        { account: bob.address, tokens: [a], amounts: [60n] },
      ]);
      const dl = BigInt((await time.latest()) + 2 * DAY);
      await claims.createRound(round.root, ethers.ZeroHash, dl, treasury.address, [a], [100n]); // underfunded
      const ca = claimOf(round, alice.address);
      const cb = claimOf(round, bob.address);
      await claims.connect(alice).claim(1, ca.tokens, ca.amounts, ca.proof);
      await expect(claims.connect(bob).claim(1, cb.tokens, cb.amounts, cb.proof))
        .to.be.revertedWithCustomError(claims, "ClaimExceedsFunding")
        .withArgs(1n, a, 60n, 40n);
      const [funded, claimed] = await claims.tokenAccount(1, a);
      expect(claimed).to.be.lte(funded);
    });
  });

  describe("attacks", function () {
    it("a reentrant token cannot claim a leaf twice", async function () {
      const { claims, claimsAddr, alice, treasury } = await loadFixture(deployFixture);
      const evil = await ethers.deployContract("ReentrantTestToken");
      const e = await evil.getAddress();
      const [owner] = await ethers.getSigners();
      // the "claimant" is the token contract itself, so its re-entrant call claims its own leaf again
      const round = buildClaimRound([
        { account: e, tokens: [e], amounts: [10n] },
        { account: alice.address, tokens: [e], amounts: [10n] },
      ]);
      await evil.mint(owner.address, 20n);
      await evil.approve(claimsAddr, 20n);
      const dl = BigInt((await time.latest()) + 2 * DAY);
      await claims.createRound(round.root, ethers.ZeroHash, dl, treasury.address, round.tokens, round.amounts);
      const c = claimOf(round, e);
      const payload = claims.interface.encodeFunctionData("claim", [1n, c.tokens, c.amounts, c.proof]);
      await evil.arm(claimsAddr, payload);
      const ca = claimOf(round, alice.address);
      await claims.connect(alice).claim(1, ca.tokens, ca.amounts, ca.proof);
      expect(await evil.reentered()).to.equal(true);
      expect(await evil.reentrySucceeded()).to.equal(false);
      expect((await evil.reentryError()).slice(0, 10)).to.equal(
        claims.interface.getError("ReentrancyGuardReentrantCall")!.selector,
      );
      const [, claimed] = await claims.tokenAccount(1, e);
      expect(claimed).to.equal(10n);
    });
  });
});
