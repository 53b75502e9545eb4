/**
 * Deploy and drive a REAL Safe v1.4.1 (from @safe-global/safe-contracts' npm
 * artifacts) in tests: singleton + SafeProxyFactory + CompatibilityFallbackHandler.
 *
 *  - `deploySafe(ethers, owners, threshold)` -> the Safe proxy, attached with the Safe ABI.
 *  - `signSafeMessage(safe, owners, dataHash)` -> EIP-1271 signature bytes that make
 *    `safe.isValidSignature(dataHash, sig)` (through the fallback handler) return
 *    0x1626ba7e, i.e. what OpenZeppelin `SignatureChecker.isValidSignatureNow` accepts.
 *  - `execSafeTransaction(safe, owners, to, data, value?)` -> owners sign a SafeTx and
 *    the first owner submits `execTransaction`.
 *
 * How Safe 1.4.1 checks an EIP-1271 signature (CompatibilityFallbackHandler):
 *   isValidSignature(bytes32 h, sig) -> isValidSignature(abi.encode(h), sig) on the Safe
 *   -> messageHash = keccak256(0x1901 ‖ safe.domainSeparator() ‖
 *                              keccak256(abi.encode(SAFE_MSG_TYPEHASH, keccak256(abi.encode(h)))))
 *   -> safe.checkSignatures(messageHash, ...). That is exactly the EIP-712 hash of
 *   `SafeMessage(bytes message)` with message = abi.encode(h) (= h as 32 bytes) under the
 *   domain {chainId, verifyingContract: safe}, so owners sign it with `signTypedData`
 *   (v = 27/28, plain ecrecover branch), packed r‖s‖v sorted by owner address ascending.
 */
import { createRequire } from "node:module";
import { Contract, type Signer, TypedDataEncoder, ZeroAddress, getBytes, concat, Signature } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

const require = createRequire(import.meta.url);
const ART = "@safe-global/safe-contracts/build/artifacts/contracts";

interface Artifact {
  abi: any[];
  bytecode: string;
}

const SafeArtifact: Artifact = require(`${ART}/Safe.sol/Safe.json`);
const FactoryArtifact: Artifact = require(`${ART}/proxies/SafeProxyFactory.sol/SafeProxyFactory.json`);
const HandlerArtifact: Artifact = require(
  `${ART}/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json`,
);

/** The Safe ABI, for callers that want to attach to a Safe themselves. */
export const SAFE_ABI = SafeArtifact.abi;
/** The fallback handler ABI (isValidSignature(bytes32,bytes) etc.), attach it at the Safe address. */
export const SAFE_FALLBACK_HANDLER_ABI = HandlerArtifact.abi;

interface SafeInfra {
  singleton: string;
  factory: Contract;
  handler: string;
}

// One set of infrastructure per ethers instance (i.e. per network connection).
// Re-deployed if a snapshot revert wiped it.
const infraCache = new WeakMap<object, SafeInfra>();
let saltCounter = 0n;

async function infra(ethers: HardhatEthers, deployer: Signer): Promise<SafeInfra> {
  const cached = infraCache.get(ethers);
  if (cached !== undefined && (await ethers.provider.getCode(cached.singleton)) !== "0x") return cached;
  const deploy = async (a: Artifact) => {
    const f = new ethers.ContractFactory(a.abi, a.bytecode, deployer);
    const c = await f.deploy();
    await c.waitForDeployment();
    return c;
  };
  const singleton = await deploy(SafeArtifact);
  const factory = (await deploy(FactoryArtifact)) as unknown as Contract;
  const handler = await deploy(HandlerArtifact);
  const fresh = { singleton: await singleton.getAddress(), factory, handler: await handler.getAddress() };
  infraCache.set(ethers, fresh);
  return fresh;
}

/**
 * Deploy a Safe v1.4.1 proxy with `owners` and `threshold`, with the
 * CompatibilityFallbackHandler set (so it answers EIP-1271). Returns the proxy
 * attached with the Safe ABI and connected to `owners[0]`.
 */
export async function deploySafe(ethers: HardhatEthers, owners: Signer[], threshold: number): Promise<Contract> {
  if (owners.length === 0) throw new Error("deploySafe: at least one owner is required");
  if (threshold < 1 || threshold > owners.length) {
    throw new Error(`deploySafe: threshold ${threshold} must be within 1..${owners.length}`);
  }
  const deployer = owners[0];
  const { singleton, factory, handler } = await infra(ethers, deployer);
  const ownerAddrs = await Promise.all(owners.map((o) => o.getAddress()));
  const safeIface = new ethers.Interface(SAFE_ABI);
  const initializer = safeIface.encodeFunctionData("setup", [
    ownerAddrs,
    threshold,
    ZeroAddress, // no setup delegatecall
    "0x",
    handler, // fallback handler: EIP-1271 isValidSignature(bytes32,bytes)
    ZeroAddress,
    0,
    ZeroAddress,
  ]);
  const salt = BigInt(Date.now()) * 1000n + saltCounter++;
  const f = factory.connect(deployer) as Contract;
  const proxyAddr: string = await f.createProxyWithNonce.staticCall(singleton, initializer, salt);
  await (await f.createProxyWithNonce(singleton, initializer, salt)).wait();
  return new Contract(proxyAddr, SAFE_ABI, deployer);
}

/** Pack owner ECDSA signatures the way Safe.checkNSignatures wants: sorted by owner, r‖s‖v each. */
async function packSorted(owners: Signer[], sign: (o: Signer) => Promise<string>): Promise<string> {
  const entries = await Promise.all(
    owners.map(async (o) => ({ addr: (await o.getAddress()).toLowerCase(), sig: await sign(o) })),
  );
  entries.sort((a, b) => (BigInt(a.addr) < BigInt(b.addr) ? -1 : BigInt(a.addr) > BigInt(b.addr) ? 1 : 0));
  // ethers returns 65-byte r‖s‖v with v in {27, 28}: the Safe's plain ecrecover branch.
  return concat(entries.map((e) => Signature.from(e.sig).serialized));
}

/** The Safe's EIP-712 domain: {chainId, verifyingContract} (Safe >= 1.3.0). */
async function safeDomain(safe: Contract) {
  const provider = safe.runner?.provider;
  if (!provider) throw new Error("safe contract has no provider");
  const { chainId } = await provider.getNetwork();
  return { chainId, verifyingContract: await safe.getAddress() };
}

/**
 * EIP-1271 signature bytes by `owners` (at least the Safe's threshold of them)
 * for `dataHash`, valid for `safe.isValidSignature(dataHash, sig)` via the
 * CompatibilityFallbackHandler.
 */
export async function signSafeMessage(safe: Contract, owners: Signer[], dataHash: string): Promise<string> {
  if (getBytes(dataHash).length !== 32) throw new Error(`signSafeMessage: dataHash must be 32 bytes, got ${dataHash}`);
  const domain = await safeDomain(safe);
  const types = { SafeMessage: [{ name: "message", type: "bytes" }] };
  // The handler wraps the bytes32 as abi.encode(dataHash): the same 32 bytes.
  const value = { message: dataHash };
  return packSorted(owners, (o) => o.signTypedData(domain, types, value));
}

/** The Safe message hash owners sign for `dataHash` (for debugging / off-chain checks). */
export async function safeMessageHash(safe: Contract, dataHash: string): Promise<string> {
  return TypedDataEncoder.hash(await safeDomain(safe), { SafeMessage: [{ name: "message", type: "bytes" }] }, {
    message: dataHash,
  });
}

const SAFE_TX_TYPES = {
  SafeTx: [
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "operation", type: "uint8" },
    { name: "safeTxGas", type: "uint256" },
    { name: "baseGas", type: "uint256" },
    { name: "gasPrice", type: "uint256" },
    { name: "gasToken", type: "address" },
    { name: "refundReceiver", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
};

/**
 * Have `owners` (at least the threshold) sign a plain CALL from the Safe to
 * `to` with `data` and `value`, and submit it with `execTransaction` from
 * `owners[0]`. Returns the mined receipt. With safeTxGas = 0 and gasPrice = 0,
 * Safe 1.4.1 reverts the whole transaction (GS013) if the inner call fails, so a
 * failing inner call surfaces as a rejected promise.
 */
export async function execSafeTransaction(
  safe: Contract,
  owners: Signer[],
  to: string,
  data: string,
  value: bigint = 0n,
) {
  const nonce: bigint = await safe.nonce();
  const tx = {
    to,
    value,
    data,
    operation: 0,
    safeTxGas: 0,
    baseGas: 0,
    gasPrice: 0,
    gasToken: ZeroAddress,
    refundReceiver: ZeroAddress,
    nonce,
  };
  const domain = await safeDomain(safe);
  const sigs = await packSorted(owners, (o) => o.signTypedData(domain, SAFE_TX_TYPES, tx));
  const submitter = safe.connect(owners[0]) as Contract;
  const sent = await submitter.execTransaction(
    tx.to,
    tx.value,
    tx.data,
    tx.operation,
    tx.safeTxGas,
    tx.baseGas,
    tx.gasPrice,
    tx.gasToken,
    tx.refundReceiver,
    sigs,
  );
  return sent.wait();
}
