// A real `hardhat node` as a child process on a free port, for the keeper tests. Started with
// the same Node that runs the tests (Node 24), killed (process group) at the end.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ContractFactory, JsonRpcProvider, Wallet, type Signer } from "ethers";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Hardhat's default accounts (public test keys). */
export const TEST_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
] as const;

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolvePort(port));
    });
  });
}

export interface HardhatNode {
  port: number;
  url: string;
  wsUrl: string;
  provider: JsonRpcProvider;
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  mine(blocks?: number): Promise<void>;
  blockNumber(): Promise<number>;
  wallet(i: number): Wallet;
  stop(): Promise<void>;
}

export async function startHardhatNode(opts: { timeoutMs?: number } = {}): Promise<HardhatNode> {
  const port = await freePort();
  const cli = resolve(ROOT, "node_modules/hardhat/dist/src/cli.js");
  const child: ChildProcess = spawn(process.execPath, [cli, "node", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const post = async (method: string, params: unknown[] = []) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const j = (await res.json()) as { result?: unknown; error?: { message: string } };
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result;
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited (${child.exitCode}):\n${output}`);
    try {
      await post("eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline) {
        kill(child);
        throw new Error(`hardhat node did not start on ${port}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
  return {
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    provider,
    rpc: async <T>(method: string, params: unknown[] = []) => (await post(method, params)) as T,
    mine: async (blocks = 1) => {
      for (let i = 0; i < blocks; i++) await post("evm_mine");
    },
    blockNumber: async () => Number(BigInt((await post("eth_blockNumber")) as string)),
    wallet: (i: number) => new Wallet(TEST_KEYS[i]!, provider),
    stop: async () => {
      provider.destroy();
      await new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once("exit", () => r());
        kill(child);
      });
    },
  };
}

function kill(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  } catch {
    child.kill("SIGTERM");
  }
}

/** Deploy a contract from the Hardhat artifacts: `deploy(signer, "examples/ProtectedVault.sol", "ProtectedVault", ...args)`. */
export async function deployArtifact(signer: Signer, source: string, name: string, ...args: unknown[]) {
  const artifact = JSON.parse(readFileSync(resolve(ROOT, "artifacts/contracts", source, `${name}.json`), "utf8")) as {
    abi: unknown[];
    bytecode: string;
  };
  const factory = new ContractFactory(artifact.abi as never, artifact.bytecode, signer);
  const c = await factory.deploy(...args);
  await c.waitForDeployment();
  return c;
}
