/**
 * A PauseGate administered by a real GuardianMultisig (5 guardians, 3-of-5 slow path with a 48 h
 * delay): the multisig allow-lists the gate's admin selectors for its `Call` kind, then every
 * admin step (register, arm, extend, end) is a slow Call action queued with three signatures and
 * executed after the delay — exactly how a deployment manages it.
 */
import type { Signer } from "ethers";
import { ActionKind, Args, actionDigest, buildAction, guardianDomain, signApprovals } from "../../client/guardian-actions.js";
import { GATE_ADMIN_SELECTORS } from "../../client/pause-gate.js";
import { SLOW_DELAY, deployMultisig } from "../helpers/guardian-fixture.js";

export const HOUR = 3600n;
export const DAY = 24n * HOUR;
export const COOLDOWN = HOUR;

export interface GateSystem {
  deployer: Signer;
  guardians: Signer[];
  sentinel: Signer;
  attacker: Signer;
  user: Signer;
  multisig: any;
  gate: any;
  /** Queue every call as a slow Call action (3-of-5), wait the delay, execute them in order. */
  slow(calls: { target: string; data: string }[]): Promise<void>;
  /** The same for calls on the gate. */
  gateAdmin(...data: string[]): Promise<void>;
}

export async function deployGateSystem(ethers: any, time: { latest(): Promise<number>; increase(s: bigint | number): Promise<unknown> }): Promise<GateSystem> {
  const signers: Signer[] = await ethers.getSigners();
  const [deployer] = signers;
  const guardians = signers.slice(1, 6);
  const [sentinel, attacker, user] = signers.slice(6, 9);
  const multisig = await deployMultisig(ethers, await Promise.all(guardians.map((g) => g.getAddress())));
  const gate = await ethers.deployContract("PauseGate", [await multisig.getAddress(), await sentinel.getAddress(), COOLDOWN]);
  await gate.waitForDeployment();
  const domain = await guardianDomain(multisig);
  const ms = await multisig.getAddress();

  const run = async (actions: { kind: number; target: string; data: string }[]) => {
    const deadline = BigInt(await time.latest()) + 10n * DAY;
    const built = actions.map((a) => buildAction(a.kind, a.target, a.data, { deadline }));
    for (const a of built) await (await multisig.queue(a, await signApprovals(guardians.slice(0, 3), domain, a))).wait();
    await time.increase(SLOW_DELAY);
    for (const a of built) await (await multisig.executeQueued(actionDigest(domain, a))).wait();
  };
  const g = await gate.getAddress();
  await run(GATE_ADMIN_SELECTORS.map((s) => ({ kind: ActionKind.SetCallAllowed, target: ms, data: Args.setCallAllowed(g, s, true) })));

  const slow = (calls: { target: string; data: string }[]) => run(calls.map((c) => ({ kind: ActionKind.Call, target: c.target, data: Args.call(c.data) })));
  return {
    deployer, guardians, sentinel, attacker, user, multisig, gate, slow,
    gateAdmin: (...data: string[]) => slow(data.map((d) => ({ target: g, data: d }))),
  };
}
