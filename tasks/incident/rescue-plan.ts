// Guardian plans shared by `incident rescue` and `incident compensation`: an ordered list of
// guardian action files (the operator format of tasks/operator/guardian-file.ts) grouped in
// batches, with when each can be queued and executed, the Markdown playbook that tells guardians
// who signs what and the exact `guardian sign / submit / execute-queued` commands, and a dry-run
// that plays the whole plan on a fork (or a snapshot of a local chain) through the REAL multisig:
// impersonated guardians approveHash each action, it is executed or queued, time is advanced to its
// eta, it is executed, and the chain is reverted at the end.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Interface, getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ActionKind, Args, EMERGENCY_KINDS, buildAction, randomNonce, type GuardianAction } from "../../client/guardian-actions.js";
import { at, chainNow, fromConnection, type OperatorChain } from "../lib/chain.js";
import { describeRevert, fail } from "../lib/errors.js";
import { isoTime } from "../lib/output.js";
import { formatDuration } from "../lib/validation.js";
import { newActionFile, type ActionFile } from "../operator/guardian-file.js";

export const PLAN_FORMAT = "breakwater.guardian-plan/1";

/** Slack added after a RescueVault destination timelock before a release is planned (the real
 * times drift by the seconds between planned and actual submissions). */
export const TIMELOCK_MARGIN = 600;

/** ABIs of the recovery contracts' guardian-owned functions (Call actions). */
export const RESCUE_VAULT_IFACE = new Interface([
  "function proposeDestination(address destination, bytes32 label) returns (uint64)",
  "function release(address asset, address destination, uint256 amount)",
]);
export const MIGRATOR_IFACE = new Interface(["function setRoute(address oldVault, address newVault, bool enabled)"]);
export const MERKLE_CLAIMS_IFACE = new Interface([
  "function createRound(bytes32 root, bytes32 termsHash, uint64 deadline, address treasury, address[] tokens, uint256[] amounts) returns (uint256)",
]);
export const ERC20_IFACE = new Interface([
  "function transfer(address to, uint256 amount) returns (bool)",
  "function balanceOf(address) view returns (uint256)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
]);

/** One step of a plan: a guardian action (file) or something done outside the multisig. */
export interface PlanStep {
  n: number;
  /** Action file name inside the plan directory (guardian steps). */
  file?: string;
  kindName: string;
  description: string;
  /** "execute": fast path; "queue": slow path (queue, wait, execute-queued); "external": a transaction outside the multisig. */
  path: "execute" | "queue" | "external";
  /** Steps with the same batch are signed and submitted together. */
  batch: number;
  /** Seconds after t0 when the step can be submitted (guardian steps) or must be done by (external). */
  queueAt: number;
  /** Seconds after t0 when the step can run (eta, or later when it waits for something else). */
  executableAt: number;
  /** Why executableAt is later than the eta, if it is. */
  waitsFor?: string;
  /** Action id (EIP-712 digest). */
  digest?: string;
  /** Approvals needed (effective threshold when planned) and the delay of the kind. */
  need?: number;
  delay?: number;
  /** External step: the raw transaction to send (from `from`). */
  tx?: { from: string; to: string; data: string; value: string };
  /** Dry run: result of the simulation. */
  simulated?: { ok: boolean; detail: string };
}

export interface GuardianPlan {
  format: typeof PLAN_FORMAT;
  title: string;
  network: string;
  chainId: number;
  multisig: string;
  /** Chain time when the plan was made (t0). */
  t0: number;
  guardians: string[];
  steps: PlanStep[];
  notes: string[];
}

/** Multisig facts a plan needs: guardians, per-kind policy, allow-list. */
export interface MultisigView {
  address: string;
  ms: any;
  guardians: string[];
  policy(kind: number): Promise<{ need: number; delay: number }>;
  callAllowed(target: string, selector: string): Promise<boolean>;
}

export async function multisigView(chain: OperatorChain, address: string): Promise<MultisigView> {
  const ms = await at(chain, "multisig", address);
  const guardians = ((await ms.guardians()) as string[]).map((g) => getAddress(g));
  const cache = new Map<number, { need: number; delay: number }>();
  return {
    address: getAddress(address),
    ms,
    guardians,
    async policy(kind: number) {
      if (!cache.has(kind)) {
        const [, delay] = await ms.policyOf(kind);
        cache.set(kind, { need: Number(await ms.effectiveThreshold(kind)), delay: Number(delay) });
      }
      return cache.get(kind)!;
    },
    async callAllowed(target: string, selector: string) {
      return Boolean(await ms.isCallAllowed(target, selector));
    },
  };
}

/** Builds the steps and action files of a plan, in order. */
export class PlanBuilder {
  readonly steps: PlanStep[] = [];
  readonly files = new Map<string, ActionFile>();
  readonly notes: string[] = [];
  constructor(
    readonly chain: OperatorChain,
    readonly view: MultisigView,
    readonly now: bigint,
    /** Seconds guardians have to sign each action after it becomes submittable. */
    readonly signWindow: bigint,
  ) {}

  /** Add a guardian action; returns the step (its executableAt is the eta, or `notBefore` if later). */
  async action(
    batch: number,
    queueAt: number,
    slug: string,
    kind: number,
    target: string,
    data: string,
    description: string,
    opts: { notBefore?: number; waitsFor?: string } = {},
  ): Promise<PlanStep> {
    const kindName = Object.entries(ActionKind).find(([, v]) => v === kind)![0];
    const { need, delay } = await this.view.policy(kind);
    const deadline = this.now + BigInt(queueAt) + this.signWindow;
    const action: GuardianAction = buildAction(kind, target, data, { nonce: randomNonce(), deadline });
    const f = newActionFile(this.chain, this.view.address, { type: "action", action, kindName, description });
    const path = delay === 0 ? "execute" : "queue";
    f.policy = { policyKind: kind, threshold: need, effectiveThreshold: need, delay, path };
    const n = this.steps.length + 1;
    const file = `${String(n).padStart(2, "0")}-${slug}.json`;
    this.files.set(file, f);
    const eta = queueAt + delay;
    const executableAt = Math.max(eta, opts.notBefore ?? 0);
    const step: PlanStep = {
      n, file, kindName, description, path, batch, queueAt, executableAt, digest: f.digest, need, delay,
      ...(executableAt > eta ? { waitsFor: opts.waitsFor } : {}),
    };
    this.steps.push(step);
    return step;
  }

  /** Allow-list `selector` on `target` for Call actions when it is not yet (a slow SetCallAllowed). */
  async allowCall(batch: number, queueAt: number, target: string, iface: Interface, fn: string, label: string): Promise<PlanStep | undefined> {
    const selector = iface.getFunction(fn)!.selector;
    if (await this.view.callAllowed(target, selector)) return undefined;
    return this.action(batch, queueAt, `allow-${fn.toLowerCase()}`, ActionKind.SetCallAllowed, this.view.address, Args.setCallAllowed(target, selector, true), `Allow Call actions to ${label} ${target}.${fn} (selector ${selector})`);
  }

  external(batch: number, queueAt: number, kindName: string, description: string, tx: PlanStep["tx"]): PlanStep {
    const step: PlanStep = { n: this.steps.length + 1, kindName, description, path: "external", batch, queueAt, executableAt: queueAt, ...(tx ? { tx } : {}) };
    this.steps.push(step);
    return step;
  }

  /** Latest executableAt of the given steps (0 when none). */
  static doneAt(steps: (PlanStep | undefined)[]): number {
    return Math.max(0, ...steps.filter((s): s is PlanStep => s !== undefined).map((s) => s.executableAt));
  }

  plan(title: string): GuardianPlan {
    return {
      format: PLAN_FORMAT,
      title,
      network: this.chain.networkName,
      chainId: this.chain.chainId,
      multisig: this.view.address,
      t0: Number(this.now),
      guardians: this.view.guardians,
      steps: this.steps,
      notes: this.notes,
    };
  }
}

export function isEmergencyKind(kind: number): boolean {
  return EMERGENCY_KINDS.includes(kind);
}

function offset(s: number): string {
  return s === 0 ? "t0" : `t0 + ${formatDuration(s)}`;
}

/** Write the action files, plan.json and playbook.md into `dir` (created). */
export function writePlan(dir: string, plan: GuardianPlan, files: Map<string, ActionFile>, playbook: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, f] of files) writeFileSync(join(dir, name), JSON.stringify(f, null, 2) + "\n");
  writeFileSync(join(dir, "plan.json"), JSON.stringify(plan, null, 2) + "\n");
  writeFileSync(join(dir, "playbook.md"), playbook);
}

/** The Markdown playbook: timeline, who signs what, exact commands. */
export function renderPlaybook(plan: GuardianPlan, dir: string, intro: string[]): string {
  const rel = relative(process.cwd(), dir) || ".";
  const net = `--network ${plan.network}`;
  const lines: string[] = [];
  lines.push(`# ${plan.title}`, "");
  lines.push(...intro, "");
  lines.push(`- network: \`${plan.network}\` (chain ${plan.chainId}); guardian multisig \`${plan.multisig}\``);
  lines.push(`- t0 = ${isoTime(plan.t0)} (chain time when this plan was generated); action signatures are accepted until each file's deadline`);
  lines.push(`- guardians: ${plan.guardians.map((g) => `\`${g}\``).join(", ")}`, "");
  lines.push("## Timeline", "", "| # | when (submit) | runs from | path | action | approvals | file |", "|---|---|---|---|---|---|---|");
  for (const s of plan.steps) {
    const pathTxt = s.path === "execute" ? "fast (executes at once)" : s.path === "queue" ? `slow (${formatDuration(s.delay ?? 0)} delay, veto window)` : "outside the multisig";
    lines.push(`| ${s.n} | ${offset(s.queueAt)} | ${offset(s.executableAt)}${s.waitsFor ? ` (waits for ${s.waitsFor})` : ""} | ${pathTxt} | ${s.kindName}: ${s.description} | ${s.need !== undefined ? `${s.need} of ${plan.guardians.length}` : "-"} | ${s.file ? `\`${s.file}\`` : "-"} |`);
  }
  lines.push("");
  const batches = [...new Set(plan.steps.map((s) => s.batch))].sort((a, b) => a - b);
  lines.push("## Steps and commands", "");
  lines.push("Every guardian signs with their own key (`--key-env NAME` holding the key, `--from` for a configured account, or offline: `--print-typed-data`, then `--signature 0x…`). A guardian Safe approves with `guardian export-safe --file <file> --safe <safe>` instead. Anyone with gas may submit and execute.", "");
  for (const b of batches) {
    const steps = plan.steps.filter((s) => s.batch === b);
    const when = Math.min(...steps.map((s) => s.queueAt));
    lines.push(`### Batch ${b} — at ${offset(when)}`, "");
    for (const s of steps) {
      lines.push(`**${s.n}. ${s.kindName}** — ${s.description}`, "");
      if (s.path === "external") {
        lines.push(s.tx ? `Send from \`${s.tx.from}\`: to \`${s.tx.to}\`, value ${s.tx.value}, data \`${s.tx.data}\` (before ${offset(s.executableAt)} at the latest).` : "Done outside the multisig.", "");
        continue;
      }
      const file = `${rel}/${s.file}`;
      lines.push("```sh");
      lines.push(`# ${s.need} guardian(s) sign (each with their own key):`);
      lines.push(`npx hardhat ${net} guardian sign --file ${file} --key-env GUARDIAN_KEY`);
      lines.push(`npx hardhat ${net} guardian submit --file ${file}${s.path === "queue" ? `   # queues it: executable from ${offset(s.queueAt + (s.delay ?? 0))}` : "   # executes at once"}`);
      if (s.path === "queue") {
        lines.push(`# from ${offset(s.executableAt)}${s.waitsFor ? ` (after ${s.waitsFor})` : ""}, anyone:`);
        lines.push(`npx hardhat ${net} guardian execute-queued --id ${s.digest}`);
      }
      lines.push("```", "");
      if (s.path === "queue") lines.push(`Veto during the delay: \`npx hardhat ${net} guardian propose --kind Veto --args ${s.digest} --out veto.json\`, sign it, then \`guardian veto --id ${s.digest} --file veto.json\`.`, "");
    }
  }
  lines.push("Execute queued actions in the order of this list: a later action of the same batch may depend on an earlier one (e.g. `release` before `createRound`).", "");
  if (plan.notes.length) lines.push("## Notes", "", ...plan.notes.map((n) => `- ${n}`), "");
  if (plan.steps.some((s) => s.simulated)) {
    lines.push("## Dry run", "", "| # | action | result |", "|---|---|---|");
    for (const s of plan.steps) lines.push(`| ${s.n} | ${s.kindName} | ${s.simulated ? `${s.simulated.ok ? "ok" : "FAILED"}: ${s.simulated.detail}` : "not simulated"} |`);
    lines.push("");
  }
  return lines.join("\n");
}

// ------------------------------------------------------------------ dry run

export interface SimulationHandle {
  chain: OperatorChain;
  /** Undo everything the simulation did. */
  close(): Promise<void>;
}

/**
 * A chain to simulate on: the connected chain itself under evm_snapshot when it is a local one
 * (Hardhat's simulated network, `hardhat node`), else an in-process fork of `forkUrl`.
 */
export async function simulationChain(chain: OperatorChain, hre: HardhatRuntimeEnvironment | undefined, forkUrl: string): Promise<SimulationHandle> {
  if (chain.isLocal && !forkUrl) {
    const id = await chain.ethers.provider.send("evm_snapshot", []);
    return { chain, close: async () => void (await chain.ethers.provider.send("evm_revert", [id])) };
  }
  if (!forkUrl) fail(`--dry-run on "${chain.networkName}" simulates on a fork`, "pass --fork-url <JSON-RPC URL of this chain> (an archive node is not needed: the fork starts at the latest block)");
  if (!hre) fail("--dry-run with --fork-url needs the Hardhat runtime (run it as a task)");
  const conn = await hre!.network.create({ network: "default", override: { forking: { enabled: true, url: forkUrl } } as never });
  const forked = await fromConnection(conn as never);
  if (forked.chainId !== chain.chainId && forked.chainId !== 31337) {
    await conn.close();
    fail(`--fork-url serves chain ${forked.chainId}, not ${chain.chainId}`);
  }
  return { chain: { ...forked, networkName: chain.networkName, chainId: chain.chainId, isLocal: true }, close: async () => void (await conn.close()) };
}

async function impersonate(chain: OperatorChain, address: string) {
  await chain.ethers.provider.send("hardhat_impersonateAccount", [address]);
  await chain.ethers.provider.send("hardhat_setBalance", [address, "0x56BC75E2D63100000"]);
  return chain.ethers.getSigner(address);
}

async function setTime(chain: OperatorChain, target: bigint) {
  const now = await chainNow(chain);
  if (target > now) await chain.ethers.provider.send("evm_setNextBlockTimestamp", [`0x${target.toString(16)}`]);
  await chain.ethers.provider.send("evm_mine", []);
}

/**
 * Play the plan on `sim`: guardian actions through the real multisig (impersonated active guardians
 * approveHash the digest up to the threshold; fast kinds execute, slow kinds queue, then
 * execute-queued at their time), external steps from their impersonated sender. Marks every step
 * with its result; stops at the first failure. Returns true when all steps succeeded.
 */
export async function simulatePlan(sim: OperatorChain, plan: GuardianPlan, files: Map<string, ActionFile>): Promise<boolean> {
  const ms = await at(sim, "multisig", plan.multisig);
  const active: string[] = [];
  for (const g of plan.guardians) {
    const [, , isActive] = await ms.guardianStatus(g);
    if (isActive) active.push(g);
  }
  const start = await chainNow(sim);
  type Ev = { t: number; exec: boolean; step: PlanStep };
  const events: Ev[] = [];
  for (const s of plan.steps) {
    if (s.path === "queue") events.push({ t: s.queueAt, exec: false, step: s }, { t: s.executableAt, exec: true, step: s });
    else events.push({ t: s.queueAt, exec: true, step: s });
  }
  // Executions before submissions at the same time (an allow-list must exist before a Call is queued).
  events.sort((a, b) => a.t - b.t || (a.exec === b.exec ? a.step.n - b.step.n : a.exec ? -1 : 1));
  for (const ev of events) {
    const s = ev.step;
    await setTime(sim, start + BigInt(ev.t));
    const at_ = `at ${offset(ev.t)}`;
    try {
      if (s.path === "external") {
        if (!s.tx) {
          s.simulated = { ok: true, detail: "manual step, not simulated" };
          continue;
        }
        const from = await impersonate(sim, s.tx.from);
        await (await from.sendTransaction({ to: s.tx.to, data: s.tx.data, value: BigInt(s.tx.value) })).wait();
        s.simulated = { ok: true, detail: `sent from ${s.tx.from} ${at_}` };
        continue;
      }
      const f = files.get(s.file!)!;
      const action = { kind: Number(f.message.kind), target: String(f.message.target), data: String(f.message.data), nonce: BigInt(f.message.nonce!), deadline: BigInt(f.message.deadline!) };
      if (!ev.exec || s.path === "execute") {
        if (active.length < (s.need ?? 1)) throw new Error(`only ${active.length} active guardian(s), ${s.need} needed`);
        for (const g of active.slice(0, s.need)) {
          const signer = await impersonate(sim, g);
          await (await (ms.connect(signer) as any).approveHash(s.digest)).wait();
        }
        const caller = await impersonate(sim, active[0]!);
        if (s.path === "execute") {
          await (await (ms.connect(caller) as any).execute(action, [])).wait();
          s.simulated = { ok: true, detail: `executed ${at_}` };
        } else {
          await (await (ms.connect(caller) as any).queue(action, [])).wait();
          s.simulated = { ok: true, detail: `queued ${at_}` };
        }
        continue;
      }
      // The real eta is the queue block's time + delay: a few seconds after the planned one.
      const eta = BigInt((await ms.actionInfo(s.digest))[2]);
      if (eta > (await chainNow(sim))) await setTime(sim, eta);
      const caller = await impersonate(sim, active[0]!);
      await (await (ms.connect(caller) as any).executeQueued(s.digest)).wait();
      s.simulated = { ok: true, detail: `queued at ${offset(s.queueAt)}, executed ${at_}` };
    } catch (err) {
      s.simulated = { ok: false, detail: `${ev.exec ? "execution" : "submission"} ${at_} reverted: ${describeRevert(err)}` };
      return false;
    }
  }
  return true;
}
