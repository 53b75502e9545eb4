// `npx hardhat breakwater incident claim` (a user claims their leaf, or prints / relays the EIP-712 acceptance for
// Safes and relayed claims) and `npx hardhat breakwater incident sweep` (after the deadline, the remainder goes to
// the treasury). Both read the claims file written by `incident compensation` (claims.json or one
// account's proofs/<account>.json) and find the round on-chain by its root.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { getAddress, isHexString, verifyTypedData } from "ethers";
import { acceptanceTypedData } from "../../client/merkle-claims.js";
import { at, chainNow, resolveSigner, type OperatorChain } from "../lib/chain.js";
import { describeRevert, fail, simulate } from "../lib/errors.js";
import { isoTime, print, toJson } from "../lib/output.js";
import { requireAddress, requireCode } from "../lib/validation.js";
import type { CommonArgs } from "../operator/common.js";
import { CLAIMS_FORMAT, type ClaimEntry, type ClaimsFile } from "./compensation-core.js";

export interface ClaimArgs extends CommonArgs {
  claims: string;
  account: string;
  signatureOnly: boolean;
  signature: string;
  out: string;
}
export const claimDefaults = { claims: "", account: "", signatureOnly: false, signature: "", out: "" };

export interface ClaimResult {
  dryRun: boolean;
  mode: "claim" | "claimWithSig" | "signature-only";
  roundId: number;
  account: string;
  tx?: string;
  /** eth_signTypedData_v4 payload of the acceptance (signature-only). */
  typedData?: Record<string, unknown>;
  digest?: string;
  /** Calldata of `claim(...)` for a contract wallet that sends it itself (Safe execTransaction). */
  claimCalldata: string;
  to: string;
}

export function readClaimsFile(path: string): ClaimsFile {
  if (!path) fail("--claims is required", "pass claims.json (or proofs/<account>.json) written by `npx hardhat breakwater incident compensation`");
  if (!existsSync(path)) fail(`--claims ${path}: no such file`);
  let f: ClaimsFile;
  try {
    f = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    return fail(`--claims ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (f.format !== CLAIMS_FORMAT) fail(`--claims ${path} is not a claims file (format "${String(f?.format)}")`, "use claims.json or proofs/<account>.json from `incident compensation`");
  return f;
}

/** The round of `f` on-chain, by root (the expected id first). */
export async function findRound(chain: OperatorChain, f: ClaimsFile): Promise<{ mc: any; roundId: number; round: any }> {
  if (f.chainId !== chain.chainId) fail(`the claims file is for chain ${f.chainId} (${f.network}), the connected chain is ${chain.chainId}`, `run with --network ${f.network}`);
  await requireCode(chain.ethers.provider, f.merkleClaims, "MerkleClaims");
  const mc = await at(chain, "merkleClaims", f.merkleClaims);
  const count = Number(await mc.roundCount());
  const order = [f.expectedRoundId, ...Array.from({ length: count }, (_, i) => count - 1 - i)].filter((i) => i >= 0 && i < count);
  for (const id of order) {
    const r = await mc.roundInfo(id);
    if (String(r.root).toLowerCase() === f.root.toLowerCase()) return { mc, roundId: id, round: r };
  }
  return fail(`no round with root ${f.root} exists on MerkleClaims ${f.merkleClaims} yet`, "the guardians' createRound proposal has not executed: see proposal/playbook.md of the compensation output");
}

function entryOf(f: ClaimsFile, account: string): ClaimEntry {
  const hit = Object.entries(f.claims).find(([k]) => getAddress(k) === account);
  if (!hit) fail(`${account} has no claim in this round (${Object.keys(f.claims).length} claimant(s) in the file)`, "check --account, or use claims.json rather than another account's proof file");
  return hit![1];
}

const EIP712_DOMAIN = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
];

export async function runClaim(a: ClaimArgs, chain: OperatorChain): Promise<ClaimResult> {
  const f = readClaimsFile(a.claims);
  const account = requireAddress(a.account, "--account");
  const entry = entryOf(f, account);
  const { mc, roundId, round } = await findRound(chain, f);
  const now = await chainNow(chain);
  if (now > BigInt(round.deadline)) fail(`round ${roundId} closed at ${isoTime(round.deadline)}: no claim after the deadline`, "the remainder goes back to the treasury (`incident sweep`)");
  if (await mc.isLeafClaimed(roundId, entry.leaf)) fail(`${account} already claimed in round ${roundId}`);
  const args = [roundId, entry.tokens, entry.amounts, entry.proof] as const;
  const claimCalldata: string = mc.interface.encodeFunctionData("claim", args);
  const to = f.merkleClaims;
  const isContract = (await chain.ethers.provider.getCode(account)) !== "0x";

  if (a.signatureOnly) {
    const td = acceptanceTypedData({ chainId: chain.chainId, claimsAddress: f.merkleClaims, roundId, account, termsHash: round.termsHash });
    const onChain: string = await mc.acceptanceDigest(roundId, account);
    if (onChain.toLowerCase() !== td.digest.toLowerCase()) fail(`MerkleClaims computes the acceptance digest ${onChain}, the tool ${td.digest}`, "the contract at this address is not the expected MerkleClaims version");
    const typedData = {
      types: { EIP712Domain: EIP712_DOMAIN, ...td.types },
      primaryType: "AcceptTerms",
      domain: { ...td.domain, chainId: td.domain.chainId.toString() },
      message: { ...td.message, roundId: td.message.roundId.toString() },
    };
    const payload = {
      account, roundId, digest: td.digest, typedData, claimCalldata, to,
      relay: `npx hardhat --network ${chain.networkName} breakwater incident claim --claims ${a.claims} --account ${account} --signature 0x…`,
    };
    if (a.out && !a.dryRun) writeFileSync(a.out, toJson(payload) + "\n");
    print(toJson(payload));
    print(
      `\n# ${isContract ? `${account} is a contract wallet: its owners sign the digest ${td.digest} as a Safe message (EIP-1271), or the Safe sends \`claim\` itself: execTransaction to ${to} with data claimCalldata.` : `Sign typedData with eth_signTypedData_v4 from ${account}.`}` +
        `\n# Then anyone relays it: ${payload.relay}`,
    );
    return { dryRun: a.dryRun, mode: "signature-only", roundId, account, typedData, digest: td.digest, claimCalldata, to };
  }

  const signer = await resolveSigner(chain, a);
  const sender = getAddress(await signer.getAddress());
  const c = mc.connect(signer);
  let mode: "claim" | "claimWithSig";
  if (a.signature) {
    if (!isHexString(a.signature)) fail(`--signature "${a.signature}" is not hex`);
    const digest: string = await mc.acceptanceDigest(roundId, account);
    if (isContract) {
      const wallet = new chain.ethers.Contract(account, ["function isValidSignature(bytes32,bytes) view returns (bytes4)"], chain.ethers.provider);
      let magic = "0x";
      try {
        magic = await wallet.isValidSignature(digest, a.signature);
      } catch {
        magic = "0x";
      }
      if (magic !== "0x1626ba7e") fail(`${account} (a contract) does not accept --signature for the acceptance digest ${digest} (EIP-1271)`, "have the Safe owners sign the digest printed by --signature-only as a Safe message");
    } else {
      const td = acceptanceTypedData({ chainId: chain.chainId, claimsAddress: f.merkleClaims, roundId, account, termsHash: round.termsHash });
      let rec = "";
      try {
        rec = verifyTypedData(td.domain, td.types, td.message, a.signature);
      } catch (err) {
        fail(`--signature does not decode: ${(err as Error).message.split("(")[0]}`);
      }
      if (getAddress(rec) !== account) fail(`--signature was made by ${rec}, not by ${account}`, "sign the typed data printed by --signature-only with the account's key");
    }
    mode = "claimWithSig";
    await simulate("claimWithSig", () => c.claimWithSig.staticCall(roundId, account, entry.tokens, entry.amounts, entry.proof, a.signature));
  } else {
    if (sender !== account) {
      fail(
        `the sender ${sender} is not ${account}: claim() pays the caller's own leaf`,
        isContract ? "for a Safe: --signature-only prints the calldata for execTransaction and the digest the owners sign; relay with --signature" : `send with the account's key (--key-env), or sign with --signature-only and relay with --signature`,
      );
    }
    mode = "claim";
    await simulate("claim", () => c.claim.staticCall(...args));
  }
  const what = `${mode} round ${roundId} for ${account}: ${entry.tokens.map((t, i) => `${entry.amounts[i]} of ${t}`).join(", ")}`;
  if (a.dryRun) {
    print(`[dry-run] would ${what}. Nothing was sent.`);
    return { dryRun: true, mode, roundId, account, claimCalldata, to };
  }
  let hash: string;
  try {
    const tx = mode === "claim" ? await c.claim(...args) : await c.claimWithSig(roundId, account, entry.tokens, entry.amounts, entry.proof, a.signature);
    hash = tx.hash;
    await tx.wait();
  } catch (err) {
    return fail(`the ${mode} transaction failed: ${describeRevert(err)}`);
  }
  print(`${what} (tx ${hash}); the tokens went to ${account}`);
  return { dryRun: false, mode, roundId, account, tx: hash, claimCalldata, to };
}

export interface SweepArgs extends CommonArgs {
  claims: string;
}

export async function runSweep(a: SweepArgs, chain: OperatorChain): Promise<{ dryRun: boolean; roundId: number; tx?: string; remainder: Record<string, string> }> {
  const f = readClaimsFile(a.claims);
  const { mc, roundId, round } = await findRound(chain, f);
  const now = await chainNow(chain);
  if (now <= BigInt(round.deadline)) fail(`round ${roundId} is open until ${isoTime(round.deadline)}: no sweep before the deadline`);
  if (round.swept) fail(`round ${roundId} was already swept`);
  const remainder: Record<string, string> = {};
  for (const t of round.tokens as string[]) {
    const [funded, claimed] = await mc.tokenAccount(roundId, t);
    remainder[getAddress(t)] = (BigInt(funded) - BigInt(claimed)).toString();
  }
  const signer = await resolveSigner(chain, a);
  const c = mc.connect(signer);
  await simulate("sweep", () => c.sweep.staticCall(roundId));
  const what = `sweep round ${roundId}: ${Object.entries(remainder).map(([t, v]) => `${v} of ${t}`).join(", ")} to the treasury ${round.treasury}`;
  if (a.dryRun) {
    print(`[dry-run] would ${what}. Nothing was sent.`);
    return { dryRun: true, roundId, remainder };
  }
  let hash: string;
  try {
    const tx = await c.sweep(roundId);
    hash = tx.hash;
    await tx.wait();
  } catch (err) {
    return fail(`the sweep transaction failed: ${describeRevert(err)}`);
  }
  print(`${what} (tx ${hash})`);
  return { dryRun: false, roundId, tx: hash, remainder };
}
