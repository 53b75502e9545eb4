// Shared setup for the operator task tests: a fresh in-process chain, a temp deployments dir,
// captured task output, and argument defaults.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import hre from "hardhat";
import { fromConnection, type OperatorChain } from "../../tasks/lib/chain.js";
import { setOutput } from "../../tasks/lib/output.js";
import { commonDefaults, type CommonArgs } from "../../tasks/operator/common.js";
import { runDeploy } from "../../tasks/operator/deploy-action.js";

export const LOCAL_PARAMS = resolve("deployments/params/local.json");

export interface TaskEnv {
  conn: any;
  chain: OperatorChain;
  dir: string;
  out: string[];
  args<T extends object>(extra: T): CommonArgs & T;
  text(): string;
}

export async function newEnv(): Promise<TaskEnv> {
  const conn = await hre.network.create();
  const chain = await fromConnection(conn);
  const dir = mkdtempSync(join(tmpdir(), "bw-tasks-"));
  const out: string[] = [];
  setOutput((t) => out.push(t));
  return {
    conn,
    chain,
    dir,
    out,
    args: <T extends object>(extra: T) => ({ ...commonDefaults, deployments: dir, ...extra }),
    text: () => out.join("\n"),
  };
}

/** A params file derived from local.json with `patch` applied. */
export function paramsFile(dir: string, name: string, patch: (p: any) => void): string {
  const p = JSON.parse(readFileSync(LOCAL_PARAMS, "utf8"));
  patch(p);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(p, null, 2));
  return file;
}

export async function deployWith(env: TaskEnv, params = LOCAL_PARAMS, extra: Record<string, unknown> = {}) {
  // The in-process chain is ephemeral: the deploy task refuses it unless told (tests are).
  return runDeploy(env.args({ params, withExampleVault: false, force: false, allowEphemeral: true, ...extra }), env.chain);
}

/** sha256 of every file under `dirs` (a write anywhere shows). */
export function hashFiles(dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[p] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  dirs.forEach(walk);
  return out;
}

/** The address with the case of its first letter flipped: mixed case, wrong EIP-55 checksum. */
export function flipCase(address: string): string {
  const i = address.slice(2).search(/[a-fA-F]/) + 2;
  const c = address[i]!;
  return address.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + address.slice(i + 1);
}
