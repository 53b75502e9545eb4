// The chain an operator task talks to, the signer it sends with, and typed-enough contract handles.
import { Contract, ContractFactory, Wallet, type Signer } from "ethers";
import { loadArtifact } from "../../client/artifacts.js";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { fail, registerErrorAbi } from "./errors.js";
import { requireAddress } from "./validation.js";

export interface OperatorChain {
  ethers: HardhatEthers;
  networkName: string;
  chainId: number;
  /** Hardhat's simulated network or a local node (31337 / 1337): test tokens, Multicall3 via setCode. */
  isLocal: boolean;
  /** Hardhat's in-process chain (an edr-simulated network): it disappears when the process exits. */
  ephemeral?: boolean;
}

export interface ChainOptions {
  /** Talk to this JSON-RPC URL (an http network such as `localhost` with another URL). */
  rpcUrl?: string;
}

/**
 * Connect to the task's network (`--network`). With `--rpc-url`, the http network (the chosen one,
 * or `localhost`) is used with that URL instead of its configured one.
 */
export async function connectChain(hre: HardhatRuntimeEnvironment, opts: ChainOptions = {}): Promise<OperatorChain> {
  let conn: { ethers: HardhatEthers; networkName: string };
  if (opts.rpcUrl) {
    const chosen = (hre.globalOptions as { network?: string }).network;
    const name = chosen && hre.config.networks[chosen]?.type === "http" ? chosen : "localhost";
    conn = (await hre.network.create({ network: name, override: { url: opts.rpcUrl } })) as never;
  } else {
    conn = (await hre.network.getOrCreate()) as never;
  }
  return fromConnection(conn);
}

/** Wrap an existing connection (tests: `await hre.network.create()`). */
export async function fromConnection(conn: { ethers: HardhatEthers; networkName: string; networkConfig?: { type?: string } }): Promise<OperatorChain> {
  await loadErrorAbis(conn.ethers);
  const chainId = Number((await conn.ethers.provider.getNetwork()).chainId);
  const ephemeral = conn.networkConfig?.type === "edr-simulated";
  return { ethers: conn.ethers, networkName: conn.networkName, chainId, isLocal: chainId === 31337 || chainId === 1337, ephemeral };
}

let abisLoaded = false;
async function loadErrorAbis(ethers: HardhatEthers): Promise<void> {
  if (abisLoaded) return;
  abisLoaded = true;
  for (const name of [C.multisig, C.circuitBreaker, C.vault, C.rescueVault, C.migrator, C.merkleClaims]) {
    registerErrorAbi(new Contract(ZERO, loadArtifact(name).abi as never).interface);
  }
}

const ZERO = "0x0000000000000000000000000000000000000000";

/** The contracts the tasks use, by role → Breakwater artifact name (client/artifacts.ts: shipped with
 * the package, so a user's project never needs to have compiled Breakwater). */
export const C = {
  multisig: "GuardianMultisig",
  circuitBreaker: "CircuitBreaker",
  vault: "ProtectedVault",
  rescueVault: "RescueVault",
  migrator: "PositionMigrator",
  merkleClaims: "MerkleClaims",
  testToken: "TestToken",
  multicall3: "Multicall3",
} as const;

export interface SignerOptions {
  /** Name of an environment variable holding a 0x private key. */
  keyEnv?: string;
  /** An address or index among the network's configured accounts (default: the first). */
  from?: string;
}

/** The sending key: `--key-env NAME`, else `--from <address|index>` among the configured accounts. */
export async function resolveSigner(chain: OperatorChain, opts: SignerOptions): Promise<Signer> {
  if (opts.keyEnv) {
    const key = process.env[opts.keyEnv];
    if (key === undefined || key === "") fail(`--key-env ${opts.keyEnv}: the environment variable is not set`, `export ${opts.keyEnv}=0x<private key>`);
    try {
      return new Wallet(key.startsWith("0x") ? key : `0x${key}`, chain.ethers.provider);
    } catch {
      return fail(`--key-env ${opts.keyEnv}: the value is not a private key`, "it must be 0x followed by 64 hex digits");
    }
  }
  const signers = await chain.ethers.getSigners();
  if (signers.length === 0) {
    fail(`network "${chain.networkName}" has no configured accounts`, "pass --key-env <ENV VAR holding a private key>");
  }
  if (opts.from === undefined || opts.from === "") return signers[0]!;
  if (/^\d+$/.test(opts.from)) {
    const i = Number(opts.from);
    if (i >= signers.length) fail(`--from ${opts.from}: the network has only ${signers.length} configured accounts`);
    return signers[i]!;
  }
  const want = requireAddress(opts.from, "--from");
  for (const s of signers) if ((await s.getAddress()) === want) return s;
  return fail(`--from ${want} is not one of the configured accounts of "${chain.networkName}"`, "pass --key-env <ENV VAR> with its private key instead");
}

/** A contract handle; `any` because the tasks call many functions and typechain may not be generated. */
export async function at(chain: OperatorChain, name: keyof typeof C, address: string, runner?: Signer): Promise<any> {
  return new Contract(address, loadArtifact(C[name]).abi as never, runner ?? chain.ethers.provider);
}

/** A factory for one of the suite's contracts, from its shipped artifact. */
export function factory(name: keyof typeof C, signer: Signer): ContractFactory {
  const a = loadArtifact(C[name]);
  return new ContractFactory(a.abi as never, a.bytecode, signer);
}

/** The latest block's timestamp (what the contracts compare against). */
export async function chainNow(chain: OperatorChain): Promise<bigint> {
  const block = await chain.ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}
