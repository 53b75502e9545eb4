/**
 * Build compensation rounds for `contracts/migration/MerkleClaims.sol`.
 *
 * A round is a list of rows {account, tokens, amounts}. Each row becomes one
 * leaf of an OpenZeppelin `StandardMerkleTree` with leaf encoding
 * ["address", "address[]", "uint256[]"], i.e. the contract's
 * keccak256(bytes.concat(keccak256(abi.encode(account, tokens, amounts)))).
 *
 * `buildClaimRound` validates every row and throws an Error naming the row
 * (index and account) on: bad or zero addresses, duplicate accounts, empty or
 * mismatched token/amount lists, duplicate tokens in a row, and amounts that
 * are not positive integers. It returns the root, the proof of each account and
 * the totals per token (what `createRound` must be funded with).
 *
 * `acceptanceTypedData` builds the EIP-712 `AcceptTerms` message an account
 * (EOA, or Safe owners via EIP-1271) signs so a relayer may submit its claim.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { TypedDataEncoder, ZeroAddress, getAddress, isAddress, keccak256, toUtf8Bytes } from "ethers";

/** Leaf encoding shared with MerkleClaims.leafHash. */
export const CLAIM_LEAF_ENCODING = ["address", "address[]", "uint256[]"] as const;

/** Upper bound enforced by MerkleClaims (funded amounts are stored as uint128). */
export const MAX_ROUND_AMOUNT = (1n << 128n) - 1n;

/** One compensation row as given by the operator. */
export interface ClaimRowInput {
  account: string;
  tokens: string[];
  amounts: Array<bigint | string | number>;
}

/** A leaf's values exactly as hashed (checksummed addresses, bigint amounts). */
export type ClaimLeaf = [account: string, tokens: string[], amounts: bigint[]];

/** What one account needs to call `claim` / `claimWithSig`. */
export interface AccountClaim {
  account: string;
  tokens: string[];
  amounts: bigint[];
  proof: string[];
  leaf: string;
  index: number;
}

/** A built round: root, per-account claims and funding totals. */
export interface ClaimRound {
  root: string;
  tree: StandardMerkleTree<ClaimLeaf>;
  /** Keyed by checksummed account address. */
  claims: Record<string, AccountClaim>;
  /** Tokens in first-seen order and the matching totals: the `createRound` arguments. */
  tokens: string[];
  amounts: bigint[];
  /** Same totals, keyed by checksummed token address. */
  totals: Record<string, bigint>;
}

function rowName(i: number, account: unknown): string {
  return `row ${i} (account ${typeof account === "string" ? account : JSON.stringify(account)})`;
}

function parseAddress(value: unknown, what: string, where: string): string {
  if (typeof value !== "string" || !isAddress(value)) {
    throw new Error(`${where}: ${what} ${JSON.stringify(value)} is not a valid address`);
  }
  const addr = getAddress(value); // also rejects a wrong mixed-case checksum
  if (addr === ZeroAddress) throw new Error(`${where}: ${what} is the zero address`);
  return addr;
}

function parseAmount(value: unknown, where: string): bigint {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`${where}: ${value} is not a safe integer (pass a bigint or string)`);
    v = BigInt(value);
  } else if (typeof value === "string" && /^-?\d+$/.test(value.trim())) v = BigInt(value.trim());
  else throw new Error(`${where}: ${JSON.stringify(value)} is not an integer amount in token units`);
  if (v <= 0n) throw new Error(`${where}: amount must be positive, got ${v}`);
  if (v > MAX_ROUND_AMOUNT) throw new Error(`${where}: amount ${v} exceeds 2^128-1`);
  return v;
}

/**
 * Validate `rows` and build the round. Throws an Error naming the first bad row.
 */
export function buildClaimRound(rows: readonly ClaimRowInput[]): ClaimRound {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error("buildClaimRound: no rows given");
  const seen = new Map<string, number>();
  const totals: Record<string, bigint> = {};
  const tokenOrder: string[] = [];
  const leaves: ClaimLeaf[] = [];

  rows.forEach((row, i) => {
    const where = rowName(i, row?.account);
    const account = parseAddress(row?.account, "account", where);
    const prev = seen.get(account);
    if (prev !== undefined) throw new Error(`${where}: duplicate account, already in row ${prev}`);
    seen.set(account, i);

    if (!Array.isArray(row.tokens) || !Array.isArray(row.amounts)) {
      throw new Error(`${where}: tokens and amounts must be arrays`);
    }
    if (row.tokens.length === 0) throw new Error(`${where}: no tokens`);
    if (row.tokens.length !== row.amounts.length) {
      throw new Error(`${where}: ${row.tokens.length} tokens but ${row.amounts.length} amounts`);
    }
    const tokens: string[] = [];
    const amounts: bigint[] = [];
    row.tokens.forEach((t: unknown, j: number) => {
      const token = parseAddress(t, `token ${j}`, where);
      if (tokens.includes(token)) throw new Error(`${where}: token ${token} listed twice`);
      const amount = parseAmount(row.amounts[j], `${where}, amount ${j} (token ${token})`);
      tokens.push(token);
      amounts.push(amount);
      if (totals[token] === undefined) {
        totals[token] = 0n;
        tokenOrder.push(token);
      }
      totals[token] += amount;
      if (totals[token] > MAX_ROUND_AMOUNT) throw new Error(`${where}: total of token ${token} exceeds 2^128-1`);
    });
    leaves.push([account, tokens, amounts]);
  });

  const tree = StandardMerkleTree.of<ClaimLeaf>(leaves, [...CLAIM_LEAF_ENCODING]);
  const claims: Record<string, AccountClaim> = {};
  for (const [index, leaf] of tree.entries()) {
    const [account, tokens, amounts] = leaf;
    claims[account] = { account, tokens, amounts, proof: tree.getProof(index), leaf: tree.leafHash(leaf), index };
  }
  return {
    root: tree.root,
    tree,
    claims,
    tokens: tokenOrder,
    amounts: tokenOrder.map((t) => totals[t]),
    totals,
  };
}

/** The claim of `account` in `round`; throws if the account has none. */
export function claimOf(round: ClaimRound, account: string): AccountClaim {
  const c = round.claims[getAddress(account)];
  if (c === undefined) throw new Error(`no claim for ${account} in this round`);
  return c;
}

/** keccak256 of the UTF-8 terms text: the `termsHash` stored per round. */
export function hashTerms(terms: string): string {
  return keccak256(toUtf8Bytes(terms));
}

/** EIP-712 domain name/version of MerkleClaims (must match its constructor). */
export const MERKLE_CLAIMS_DOMAIN_NAME = "Breakwater MerkleClaims";
export const MERKLE_CLAIMS_DOMAIN_VERSION = "1";

export const ACCEPT_TERMS_TYPES = {
  AcceptTerms: [
    { name: "roundId", type: "uint256" },
    { name: "account", type: "address" },
    { name: "termsHash", type: "bytes32" },
  ],
};

/** Typed data for `signer.signTypedData(domain, types, message)`. */
export interface AcceptanceTypedData {
  domain: { name: string; version: string; chainId: bigint; verifyingContract: string };
  types: typeof ACCEPT_TERMS_TYPES;
  primaryType: "AcceptTerms";
  message: { roundId: bigint; account: string; termsHash: string };
  /** The EIP-712 digest (= MerkleClaims.acceptanceDigest(roundId, account)). */
  digest: string;
}

/**
 * Build the EIP-712 acceptance-of-terms message for `account` in `roundId`.
 * An EOA signs it with `signTypedData`; for a Safe, the owners sign `digest`
 * as a Safe message (EIP-1271).
 */
export function acceptanceTypedData(args: {
  chainId: bigint | number;
  claimsAddress: string;
  roundId: bigint | number;
  account: string;
  termsHash: string;
}): AcceptanceTypedData {
  const domain = {
    name: MERKLE_CLAIMS_DOMAIN_NAME,
    version: MERKLE_CLAIMS_DOMAIN_VERSION,
    chainId: BigInt(args.chainId),
    verifyingContract: parseAddress(args.claimsAddress, "claimsAddress", "acceptanceTypedData"),
  };
  const message = {
    roundId: BigInt(args.roundId),
    account: parseAddress(args.account, "account", "acceptanceTypedData"),
    termsHash: args.termsHash,
  };
  return {
    domain,
    types: ACCEPT_TERMS_TYPES,
    primaryType: "AcceptTerms",
    message,
    digest: TypedDataEncoder.hash(domain, ACCEPT_TERMS_TYPES, message),
  };
}
