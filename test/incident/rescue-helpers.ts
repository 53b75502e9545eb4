// Shared by test/incident/compensation*.test.ts and rescue*.test.ts: play a generated guardian plan
// (plan.json + action files) on the chain through the REAL operator tasks — `guardian sign` by two
// guardians (accounts #1, #2 of deployments/params/local.json: 2-of-3), `guardian submit`, time
// travel to each eta, `guardian execute-queued` — and external steps from their configured account.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OperatorError } from "../../tasks/lib/errors.js";
import { runExecuteQueued, runSign, runSubmit } from "../../tasks/operator/guardian-core.js";
import type { GuardianPlan, PlanStep } from "../../tasks/incident/rescue-plan.js";
import type { TaskEnv } from "../tasks/helpers.js";

export async function expectFail(p: Promise<unknown>, ...fragments: string[]): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(OperatorError);
    for (const f of fragments) expect((err as Error).message).to.include(f);
    return (err as Error).message;
  }
  throw new Error(`expected a failure mentioning ${fragments.join(", ")}`);
}

/** Run every step of the plan in `dir` in time order; returns the ids executed. */
export async function playPlan(env: TaskEnv, dir: string, signers: string[] = ["1", "2"]): Promise<string[]> {
  const plan: GuardianPlan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"));
  const { time } = env.conn.networkHelpers;
  const t0 = BigInt(plan.t0);
  type Ev = { t: number; exec: boolean; step: PlanStep };
  const events: Ev[] = [];
  for (const s of plan.steps) {
    if (s.path === "queue") events.push({ t: s.queueAt, exec: false, step: s }, { t: s.executableAt, exec: true, step: s });
    else events.push({ t: s.queueAt, exec: true, step: s });
  }
  events.sort((a, b) => a.t - b.t || (a.exec === b.exec ? a.step.n - b.step.n : a.exec ? -1 : 1));
  const done: string[] = [];
  for (const ev of events) {
    const target = t0 + BigInt(ev.t);
    if (BigInt(await time.latest()) < target) await time.increaseTo(target);
    const s = ev.step;
    if (s.path === "external") {
      if (!s.tx) continue;
      const from = await env.chain.ethers.getSigner(s.tx.from);
      await (await from.sendTransaction({ to: s.tx.to, data: s.tx.data, value: BigInt(s.tx.value) })).wait();
      continue;
    }
    const file = join(dir, s.file!);
    if (!ev.exec || s.path === "execute") {
      for (const g of signers) await runSign(env.args({ file, signature: "", signer: "", printTypedData: false, from: g }), env.chain);
      const r = await runSubmit(env.args({ file }), env.chain);
      expect(r.mode).to.equal(s.path);
      if (s.path === "execute") done.push(r.id);
      continue;
    }
    const ms = await env.chain.ethers.getContractAt("GuardianMultisig", plan.multisig);
    const eta = BigInt((await ms.actionInfo(s.digest!))[2]);
    if (BigInt(await time.latest()) < eta) await time.increaseTo(eta);
    await runExecuteQueued(env.args({ id: s.digest!, multisig: "" }), env.chain);
    done.push(s.digest!);
  }
  return done;
}
