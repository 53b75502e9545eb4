// Running an Ignition module from an operator task: the journal next to the address book, the
// task's own signer (a configured account or a --key-env key), Breakwater's shipped artifacts, and
// errors that say how to resume. Ignition (ignition-core) journals every transaction before and
// after it is sent, so a run that stops mid-way resumes on the next run without deploying twice.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  DeploymentResultType,
  deploy,
  status as ignitionStatus,
  wipe,
  type ArtifactResolver,
  type EIP1193Provider,
  type ExecutionEventListener,
  type IgnitionModule,
  type IgnitionModuleResult,
  type StatusResult,
} from "@nomicfoundation/ignition-core";
import { Transaction, type Wallet } from "ethers";
import { isBreakwaterContract, loadArtifact } from "../../client/artifacts.js";
import type { OperatorChain } from "./chain.js";
import { fail, OperatorError } from "./errors.js";

/** Breakwater's artifacts by name; the modules pass artifacts explicitly, so this is a fallback. */
export const artifactResolver: ArtifactResolver = {
  async loadArtifact(name: string) {
    if (!isBreakwaterContract(name)) throw new Error(`breakwater: no artifact for ${name}: the deploy modules only deploy Breakwater's contracts`);
    return { _format: "hh3-artifact-1", ...loadArtifact(name) } as never;
  },
  async getBuildInfo() {
    return undefined;
  },
};

/** `breakwater-<network>-<params file name>`: one journal per network and parameters file. */
export function deploymentIdFor(network: string, paramsFile: string): string {
  const base = paramsFile.split(/[\\/]/).pop()!.replace(/\.json$/i, "");
  return `breakwater-${network}-${base}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 120);
}

/** The journal of a deployment: `<deployments dir>/ignition/<deploymentId>/journal.jsonl`. */
export function journalDir(deploymentsDir: string, deploymentId: string): string {
  return join(deploymentsDir, "ignition", deploymentId);
}

export function hasJournal(dir: string | undefined): dir is string {
  return dir !== undefined && existsSync(join(dir, "journal.jsonl"));
}

/** What the journal says so far (undefined for a new deployment). */
export async function journalStatus(dir: string | undefined): Promise<StatusResult | undefined> {
  if (!hasJournal(dir)) return undefined;
  return ignitionStatus(dir);
}

/**
 * An EIP-1193 provider over the task's connection. With a --key-env Wallet, accounts and
 * eth_sendTransaction are answered by the wallet (signed locally, sent raw).
 */
export function taskProvider(chain: OperatorChain, wallet?: Wallet): EIP1193Provider {
  const send = (method: string, params: unknown[]) => chain.ethers.provider.send(method, params);
  return {
    async request({ method, params }: { method: string; params?: unknown[] | object }) {
      const list = (Array.isArray(params) ? params : params === undefined ? [] : [params]) as unknown[];
      if (wallet) {
        if (method === "eth_accounts" || method === "eth_requestAccounts") return [wallet.address];
        if (method === "eth_sendTransaction") {
          const t = list[0] as Record<string, string | undefined>;
          if (t.from && t.from.toLowerCase() !== wallet.address.toLowerCase()) throw new Error(`cannot sign for ${t.from}: only ${wallet.address} (--key-env)`);
          const q = (v: string | undefined) => (v === undefined ? undefined : BigInt(v));
          const tx = Transaction.from({
            to: t.to ?? null,
            data: t.data ?? "0x",
            value: q(t.value) ?? 0n,
            nonce: Number(q(t.nonce)),
            gasLimit: q(t.gas),
            chainId: BigInt(chain.chainId),
            ...(t.maxFeePerGas !== undefined
              ? { type: 2, maxFeePerGas: q(t.maxFeePerGas), maxPriorityFeePerGas: q(t.maxPriorityFeePerGas) }
              : { type: 0, gasPrice: q(t.gasPrice) }),
          });
          return send("eth_sendRawTransaction", [await wallet.signTransaction(tx)]);
        }
      }
      return send(method, list);
    },
  } as EIP1193Provider;
}

export interface IgnitionRunOptions {
  chain: OperatorChain;
  module: IgnitionModule<string, string, IgnitionModuleResult<string>>;
  provider: EIP1193Provider;
  /** The only account Ignition may use (account 0 of the modules). */
  deployer: string;
  /** undefined: an in-memory journal (a chain that disappears with the process). */
  deploymentDir?: string;
  /** How the operator resumes (printed on failure). */
  resumeHint: string;
  listener?: ExecutionEventListener;
  /** Futures whose journaled state to discard first (a timed-out transaction known to be dropped). */
  wipe?: string[];
}

/** Run (or resume) the deployment; returns future id → address of every contract future. */
export async function runIgnition(o: IgnitionRunOptions): Promise<Record<string, string>> {
  if (o.wipe?.length) {
    if (!hasJournal(o.deploymentDir)) fail(`--wipe-future: there is no journal${o.deploymentDir ? ` in ${o.deploymentDir}` : " (in-process chain)"}`);
    for (const id of o.wipe) {
      try {
        await wipe(o.deploymentDir, artifactResolver, id);
      } catch (err) {
        fail(`--wipe-future ${id}: ${(err as Error).message.split("\n")[0]}`, "name a future of this deployment that has not succeeded (see the error that stopped it)");
      }
    }
  }
  await retryFailedFutures(o.deploymentDir);
  const local = o.chain.isLocal;
  let result;
  try {
    result = await deploy({
      config: local ? { requiredConfirmations: 1, blockPollingInterval: 100 } : {},
      artifactResolver,
      provider: o.provider,
      deploymentDir: o.deploymentDir,
      ignitionModule: o.module,
      deploymentParameters: {},
      accounts: [o.deployer],
      defaultSender: o.deployer,
      ...(o.listener ? { executionEventListener: o.listener } : {}),
    });
  } catch (err) {
    if (err instanceof OperatorError) throw err;
    const msg = (err as Error).message?.split("\n")[0] ?? String(err);
    throw new OperatorError(
      `the deployment was interrupted: ${msg}`,
      o.deploymentDir ? `every transaction sent so far is journaled in ${o.deploymentDir}: ${o.resumeHint}` : "the chain is in-process (no journal): run again",
    );
  }
  switch (result.type) {
    case DeploymentResultType.SUCCESSFUL_DEPLOYMENT:
      return Object.fromEntries(Object.entries(result.contracts).map(([id, c]) => [id, c.address]));
    case DeploymentResultType.VALIDATION_ERROR:
      return fail(`the Ignition module is invalid: ${listErrors(result.errors)}`, "this is a bug in the deploy plan; report it");
    case DeploymentResultType.RECONCILIATION_ERROR:
      return fail(
        `the parameters no longer match what this deployment already did: ${listErrors(result.errors)}`,
        `restore the values it was started with and re-run, or start a separate deployment with --reset (discards the journal in ${o.deploymentDir}; contracts already deployed stay on chain, unused)`,
      );
    case DeploymentResultType.PREVIOUS_RUN_ERROR:
      return fail(
        `a previous run left futures whose transactions timed out: ${listErrors(result.errors)}`,
        `look their transactions up (deployments journal ${o.deploymentDir}); once one is mined the next run picks it up; if it was dropped, re-run with --wipe-future <future id> to send it again`,
      );
    case DeploymentResultType.EXECUTION_ERROR: {
      const failed = result.failed.map((f) => `${f.futureId}: ${f.error}`);
      const timedOut = result.timedOut.map((t) => `${t.futureId}: timed out waiting for its transaction`);
      const held = result.held.map((h) => `${h.futureId}: held (${h.reason})`);
      throw new OperatorError(
        `the deployment stopped after ${result.successful.length} steps: ${[...failed, ...timedOut, ...held].join("; ")}`,
        o.deploymentDir ? `the steps done are journaled in ${o.deploymentDir}; fix the cause, then ${o.resumeHint}` : "fix the cause and run again",
      );
    }
  }
}

/**
 * A future that FAILED in a previous run (its simulation or its transaction reverted) changed
 * nothing on chain: clear it so this run retries it. A timed-out one may still land: left alone
 * (Ignition then refuses, and the operator checks it).
 */
async function retryFailedFutures(dir: string | undefined): Promise<void> {
  const st = await journalStatus(dir);
  if (!st || !dir) return;
  for (const f of st.failed) await wipe(dir, artifactResolver, f.futureId);
}

/** Discard a journal (--reset). */
export function resetJournal(dir: string | undefined): void {
  if (dir !== undefined && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

function listErrors(errors: Record<string, string[]>): string {
  return Object.entries(errors)
    .map(([id, list]) => `${id}: ${list.join(", ")}`)
    .join("; ");
}
