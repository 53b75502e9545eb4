// Multicall3 on local chains. Live chains have the canonical contract at
// 0xcA11bde05977b3631167028862bE2a173976CA11; a fresh Hardhat/anvil node has nothing there.
// Two ways to get one: deploy contracts/test/Multicall3.sol with a signer (any address; put it in
// `chain.multicall3`), or install its runtime code at the configured address with
// hardhat_setCode / anvil_setCode (dev nodes only). The keeper checks the code at start.
import { readFileSync } from "node:fs";
import { ContractFactory, type Signer } from "ethers";
import { loadArtifact } from "../../client/artifacts.js";
import { RpcError, type RpcPool } from "./rpc.js";

export interface Multicall3Artifact {
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

/** The compiled minimal Multicall3 (shipped with the package; `path`: another artifact file). */
export function multicall3Artifact(path?: string): Multicall3Artifact {
  if (!path) return loadArtifact("Multicall3") as unknown as Multicall3Artifact;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Multicall3Artifact;
  } catch (err) {
    throw new Error(`cannot read the Multicall3 artifact at ${path} (${(err as Error).message})`);
  }
}

/** Deploy the minimal Multicall3 with `signer`; returns its address. */
export async function deployMulticall3(signer: Signer): Promise<string> {
  const { abi, bytecode } = multicall3Artifact();
  const factory = new ContractFactory(abi as never, bytecode, signer);
  const c = await factory.deploy();
  await c.waitForDeployment();
  return c.getAddress();
}

/**
 * Make sure `address` has Multicall3 code at the head. If not and `install` is set, put the
 * runtime code there with hardhat_setCode (or anvil_setCode): dev nodes only.
 */
export async function ensureMulticall3(rpc: RpcPool, address: string, install = false): Promise<"present" | "installed"> {
  const code = await rpc.request<string>("eth_getCode", [address, "latest"]);
  if (code && code !== "0x") return "present";
  if (!install) {
    throw new Error(
      `no Multicall3 code at ${address} (chain.multicall3): deploy contracts/test/Multicall3.sol on this chain and set its address, or use a chain that has the canonical Multicall3`,
    );
  }
  const { deployedBytecode } = multicall3Artifact();
  for (const method of ["hardhat_setCode", "anvil_setCode"]) {
    try {
      await rpc.request(method, [address, deployedBytecode]);
      return "installed";
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
    }
  }
  throw new Error(`cannot install Multicall3 at ${address}: the node supports neither hardhat_setCode nor anvil_setCode`);
}
