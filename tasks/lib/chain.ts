// The chain an operator task talks to, the signer it sends with, and typed-enough contract handles.
import { Contract, ContractFactory, Wallet, type Signer } from "ethers";
import { loadArtifact } from "../../client/artifacts.js";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { fail, registerErrorAbi } from "./errors.js";
import type { Invocation } from "./output.js";
import { requireAddress } from "./validation.js";

export interface OperatorChain {
  ethers: HardhatEthers;
  networkName: string;
  chainId: number;
  /** Hardhat's simulated network or a local node (31337 / 1337): test tokens, Multicall3 via setCode. */
  isLocal: boolean;
  /** How the task was invoked (for the exact "next:" commands it prints). */
  invocation?: Invocation;
  /** Hardhat's in-process chain (an edr-simulated network): it disappears when the process exits. */
  ephemeral?: boolean;
}

export interface ChainOptions {
  /** Talk to this JSON-RPC URL (an http network such as `localhost` with another URL). */
  rpcUrl?: string;
  /** --deployments as given (repeated in printed "next:" commands). */
  deployments?: string;
}

/**
 * Connect to the task's network (`--network`). With `--rpc-url`, the http network (the chosen one,
 * or `localhost`) is used with that URL instead of its configured one.
 */
export async function connectChain(hre: HardhatRuntimeEnvironment, opts: ChainOptions = {}): Promise<OperatorChain> {
  const globals = hre.globalOptions as { network?: string };
  const chosen = globals.network === "" ? undefined : globals.network;
  const known = Object.keys(hre.config.networks);
  // Hardhat would fall back to `localhost` for --rpc-url (or fail deep inside) on a typo: refuse it here.
  if (chosen !== undefined && !known.includes(chosen)) {
    fail(
      `--network ${chosen} is not a network of this Hardhat config`,
      `use one of ${known.join(", ")}; --network goes before the task name, --rpc-url after it (\`npx hardhat --network localhost breakwater … --rpc-url http://…\`)`,
      "network",
    );
  }
  let conn: { ethers: HardhatEthers; networkName: string };
  if (opts.rpcUrl) {
    if (!/^(https?|wss?):\/\/[^\s]+$/i.test(opts.rpcUrl)) {
      fail(`--rpc-url "${opts.rpcUrl}" is not an http(s) URL`, "e.g. --rpc-url http://127.0.0.1:8545", "rpcUrl");
    }
    if (chosen !== undefined && hre.config.networks[chosen]?.type !== "http") {
      fail(`--rpc-url needs an http network, but --network ${chosen} is Hardhat's in-process simulator`, "pass --network localhost (or another http network) with --rpc-url", "rpcUrl");
    }
    const name = chosen ?? "localhost";
    conn = (await hre.network.create({ network: name, override: { url: opts.rpcUrl } })) as never;
  } else {
    conn = (await hre.network.getOrCreate()) as never;
  }
  const chain = await fromConnection(conn);
  chain.invocation = { network: chosen, rpcUrl: opts.rpcUrl || undefined, deployments: opts.deployments || undefined };
  return chain;
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

/** What identifies each kind of suite contract: view functions only it answers (and their shape). */
const PROBES: Record<"circuitBreaker" | "multisig" | "merkleClaims", { label: string; calls: string[] }> = {
  circuitBreaker: { label: "CircuitBreaker", calls: ["function pauseBounds() view returns (uint64, uint64)", "function MAX_PAUSE_CAP() view returns (uint64)"] },
  multisig: { label: "GuardianMultisig", calls: ["function ACTION_TYPEHASH() view returns (bytes32)", "function vetoThreshold() view returns (uint8)"] },
  merkleClaims: { label: "MerkleClaims", calls: ["function ACCEPT_TERMS_TYPEHASH() view returns (bytes32)", "function roundCount() view returns (uint256)"] },
};

/**
 * The address holds code and answers like a `kind` contract; otherwise an error saying which contract
 * it is not (instead of the node's "function selector was not recognized" halfway through a task).
 */
export async function probeContract(chain: OperatorChain, kind: keyof typeof PROBES, address: string, what: string, field?: string): Promise<void> {
  const { label, calls } = PROBES[kind];
  const code = await chain.ethers.provider.getCode(address);
  if (code === "0x") {
    fail(
      `${what} ${address} has no code on chain ${chain.chainId}: it is not a ${label}`,
      "check --network / --rpc-url and the address book (deployments/<network>.json), or deploy first with `npx hardhat breakwater deploy --params …`",
      field,
    );
  }
  for (const sig of calls) {
    const c = new Contract(address, [sig], chain.ethers.provider);
    const fn = c.interface.fragments[0] as unknown as { name: string };
    try {
      await c.getFunction(fn.name).staticCall();
    } catch {
      fail(
        `${what} ${address} is not a ${label}: it has code but does not answer ${fn.name}()`,
        `check the address (the address book's entry or the option): it must be the suite's ${label}`,
        field,
      );
    }
  }
}
