// Shared setup for the operator task tests: a fresh in-process chain, a temp deployments dir,
// captured task output, and argument defaults.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
