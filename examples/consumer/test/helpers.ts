// Test plumbing of this project: a real `hardhat node` on a free port, the Hardhat CLI and the
// keeper bin as child processes (exactly the commands the README gives a user).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, Wallet } from "ethers";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const HARDHAT = resolve(ROOT, "node_modules/hardhat/dist/src/cli.js");
const KEEPER = resolve(ROOT, "node_modules/.bin/breakwater-keeper");

/** Hardhat's default accounts #0-#18 (public test keys): #0 deploys, #1-#3 guardians, #4 sentinel. */
export const KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
  "0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897",
  "0x701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82",
  "0xa267530f49f8280200edf313ee7af6b827f2a8bce2897751d06a843f644967b1",
  // #13-#18: the retrofit's accounts (drills/_legacy-vault.ts): #14-#16 depositors, #17 contain key, #18 attacker.
  "0x47c99abed3324a2707c28affff1267e45918ec8c3f20b8aa892e8b065d2942dd",
  "0xc526ee95bf44d8fc405a158bb884d9d1238d99f0612e9f33d006bb0789009aaa",
  "0x8166f546bab6da521a8369cab06c5d2b9e46670292d85c875ee9ec20e84ffb61",
  "0xea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0",
  "0x689af8efa8c651a91ad287602527f3af2fe9f6501a7ac4b061667b5a93e037fd",
  "0xde9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0",
] as const;

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

export interface Node {
  url: string;
  provider: JsonRpcProvider;
  wallet(i: number): Wallet;
  rpc<T>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/** `npx hardhat node --hostname 127.0.0.1 --port P` (with `config`, e.g. interval mining). */
export async function startNode(config?: string): Promise<Node> {
  const port = await freePort();
  const args = [HARDHAT, ...(config ? ["--config", config] : []), "node", "--hostname", "127.0.0.1", "--port", String(port)];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const j = (await res.json()) as { result?: T; error?: { message: string } };
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result as T;
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      await rpc("eth_chainId");
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`hardhat node did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  return {
    url,
    provider,
    rpc,
    wallet: (i) => new Wallet(KEYS[i]!, provider),
    stop: async () => {
      provider.destroy();
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    },
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npx hardhat <args>` in this project. */
export function hardhat(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [HARDHAT, ...args], { cwd: ROOT, encoding: "utf8", timeout: 300_000, env: { ...process.env, NO_COLOR: "1", ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `npx breakwater-keeper <args>` to completion. */
export function keeperCli(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(KEEPER, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The keeper as a service (until `stop`). */
export function startKeeper(args: string[], env: Record<string, string> = {}): { stop(): Promise<void>; output(): string } {
  const child = spawn(KEEPER, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env }, detached: true });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  return {
    output: () => out,
    stop: async () => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 500));
    },
  };
}

export function expectOk(r: Run, what: string): void {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}
