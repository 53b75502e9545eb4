import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, Wallet, keccak256 } from "ethers";
import {
  CLAIM_LEAF_ENCODING,
  acceptanceTypedData,
  buildClaimRound,
  claimOf,
  hashTerms,
  type ClaimRowInput,
} from "../../client/merkle-claims.js";

const A = Wallet.createRandom().address;
const B = Wallet.createRandom().address;
const T1 = Wallet.createRandom().address;
const T2 = Wallet.createRandom().address;

describe("client/merkle-claims", function () {
  it("builds root, proofs and totals; leaves hash like MerkleClaims.leafHash", function () {
    const round = buildClaimRound([
      { account: A.toLowerCase(), tokens: [T1, T2], amounts: [10n, "20"] },
      { account: B, tokens: [T2], amounts: [5] },
    ]);
    expect(round.tokens).to.deep.equal([T1, T2]);
    expect(round.amounts).to.deep.equal([10n, 25n]);
    expect(round.totals[T2]).to.equal(25n);
    const c = claimOf(round, A);
    expect(c.account).to.equal(A);
    expect(StandardMerkleTree.verify(round.root, [...CLAIM_LEAF_ENCODING], [A, [T1, T2], [10n, 20n]], c.proof)).to.equal(true);
    const inner = keccak256(AbiCoder.defaultAbiCoder().encode(["address", "address[]", "uint256[]"], [A, [T1, T2], [10n, 20n]]));
    expect(c.leaf).to.equal(keccak256(inner));
    expect(() => claimOf(round, T1)).to.throw(/no claim/);
  });

  const bad: Array<[string, ClaimRowInput[], RegExp]> = [
    ["duplicate account", [{ account: A, tokens: [T1], amounts: [1n] }, { account: A.toLowerCase(), tokens: [T1], amounts: [1n] }], /row 1 .*duplicate account, already in row 0/],
    ["bad account", [{ account: "0x1234", tokens: [T1], amounts: [1n] }], /row 0 \(account 0x1234\): account .* not a valid address/],
    ["zero account", [{ account: "0x0000000000000000000000000000000000000000", tokens: [T1], amounts: [1n] }], /row 0 .*zero address/],
    ["bad token", [{ account: A, tokens: ["nope"], amounts: [1n] }], /row 0 .*token 0 "nope" is not a valid address/],
    ["negative amount", [{ account: A, tokens: [T1], amounts: [-1n] }], /row 0 .*amount must be positive, got -1/],
    ["zero amount", [{ account: A, tokens: [T1], amounts: ["0"] }], /row 0 .*amount must be positive, got 0/],
    ["fractional amount", [{ account: A, tokens: [T1], amounts: ["1.5"] }], /row 0 .*not an integer amount/],
    ["unsafe number", [{ account: A, tokens: [T1], amounts: [2 ** 60] }], /row 0 .*not a safe integer/],
    ["mismatched lengths", [{ account: A, tokens: [T1, T2], amounts: [1n] }], /row 0 .*2 tokens but 1 amounts/],
    ["no tokens", [{ account: A, tokens: [], amounts: [] }], /row 0 .*no tokens/],
    ["duplicate token", [{ account: A, tokens: [T1, T1], amounts: [1n, 2n] }], /row 0 .*listed twice/],
    ["too large", [{ account: A, tokens: [T1], amounts: [1n << 128n] }], /exceeds 2\^128-1/],
    ["total too large", [{ account: A, tokens: [T1], amounts: [(1n << 128n) - 1n] }, { account: B, tokens: [T1], amounts: [1n] }], /row 1 .*total of token/],
  ];
  for (const [name, rows, re] of bad) {
    it(`throws naming the row on ${name}`, function () {
      expect(() => buildClaimRound(rows)).to.throw(re);
    });
  }
  it("throws on an empty list and a non-array row", function () {
    expect(() => buildClaimRound([])).to.throw(/no rows/);
    expect(() => buildClaimRound([{ account: A, tokens: T1 as unknown as string[], amounts: [1n] }])).to.throw(/must be arrays/);
  });

  it("builds EIP-712 acceptance typed data", function () {
    const td = acceptanceTypedData({ chainId: 31337, claimsAddress: T1, roundId: 3, account: A.toLowerCase(), termsHash: hashTerms("t") });
    expect(td.primaryType).to.equal("AcceptTerms");
    expect(td.message).to.deep.equal({ roundId: 3n, account: A, termsHash: keccak256(new TextEncoder().encode("t")) });
    expect(td.domain.verifyingContract).to.equal(T1);
    expect(td.digest).to.match(/^0x[0-9a-f]{64}$/);
  });
});
