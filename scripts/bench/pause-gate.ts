/**
 * Gas benchmark of the PauseGate (receipts' gasUsed), per real target, with the direct call it
 * wraps as the baseline (the same pause / unpause sent by an EOA that holds the role itself):
 *  - wizard:        OpenZeppelin Wizard ERC20Pausable + AccessControl, gate holds PAUSER_ROLE
 *  - accessManager: OpenZeppelin AccessManager.setTargetClosed on a Wizard AccessManaged token
 *  - aaveV3:        PoolConfigurator.setPoolPause on an Aave V3 market (2 reserves) from @aave/core-v3
 * Each row: gatePause (sentinel → gate → target), gateRelease (anyone, after expiry → target
 * unpause), directPause / directUnpause, and the gate's overhead on each.
 *
 *   const rows = await benchPauseGate(ethers, (s) => networkHelpers.time.increase(s));
 */
import { aavePoolPauseCalls } from "../../client/pause-gate.js";
import { deployAaveMarket } from "../../test/helpers/aave-v3.js";

export interface GateGasRow {
  gatePause: number;
  directPause: number;
  pauseOverhead: number;
  gateRelease: number;
  directUnpause: number;
  releaseOverhead: number;
}

const HOUR = 3600n;
const gas = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> => Number((await (await tx).wait())!.gasUsed);

export async function benchPauseGate(ethers: any, increase: (s: bigint) => Promise<unknown>): Promise<Record<string, GateGasRow>> {
  const [admin, sentinel, direct, anyone] = await ethers.getSigners();
  const gate = await ethers.deployContract("PauseGate", [admin.address, sentinel.address, 0n]);
  const g = await gate.getAddress();
  const rows: Record<string, GateGasRow> = {};

  const measure = async (name: string, target: string, directPause: () => Promise<number>, directUnpause: () => Promise<number>) => {
    await (await gate.armSentinel()).wait();
    const gatePause = await gas(gate.connect(sentinel).sentinelPause(target, HOUR));
    await increase(HOUR);
    const gateRelease = await gas(gate.connect(anyone).release(target));
    const dp = await directPause();
    const du = await directUnpause();
    rows[name] = { gatePause, directPause: dp, pauseOverhead: gatePause - dp, gateRelease, directUnpause: du, releaseOverhead: gateRelease - du };
  };

  // OpenZeppelin Wizard ERC20Pausable + AccessControl: the gate and the direct EOA both hold PAUSER_ROLE.
  const token = await ethers.deployContract("WizardToken", [admin.address, g, admin.address]);
  await (await token.grantRole(await token.PAUSER_ROLE(), direct.address)).wait();
  await (await gate.registerPausable(await token.getAddress(), HOUR, true)).wait();
  await measure("wizard", await token.getAddress(), () => gas(token.connect(direct).pause()), () => gas(token.connect(direct).unpause()));

  // OpenZeppelin AccessManager: gate and direct EOA hold ADMIN_ROLE (setTargetClosed is admin-restricted).
  const manager = await ethers.deployContract("TestAccessManager", [admin.address]);
  const managed = await ethers.deployContract("WizardManagedToken", [await manager.getAddress()]);
  const m = await managed.getAddress();
  await (await manager.grantRole(0n, g, 0)).wait();
  await (await manager.grantRole(0n, direct.address, 0)).wait();
  await (await gate.registerAccessManaged(await manager.getAddress(), m, HOUR, true)).wait();
  await measure("accessManager", m, () => gas(manager.connect(direct).setTargetClosed(m, true)), () => gas(manager.connect(direct).setTargetClosed(m, false)));

  // Aave V3 (2 reserves): gate and direct EOA are EMERGENCY_ADMIN.
  const aave = await deployAaveMarket(admin);
  await (await aave.acl.addEmergencyAdmin(g)).wait();
  await (await aave.acl.addEmergencyAdmin(direct.address)).wait();
  const cfg = await aave.configurator.getAddress();
  const { pauseCall, unpauseCall } = aavePoolPauseCalls();
  await (await gate.registerSelectorPair(cfg, pauseCall, unpauseCall, HOUR)).wait();
  const c = aave.configurator.connect(direct) as any;
  await measure("aaveV3", cfg, () => gas(c.setPoolPause(true)), () => gas(c.setPoolPause(false)));
  return rows;
}

/** Markdown table of the rows (for the README and bench-gas output). */
export function pauseGateTable(rows: Record<string, GateGasRow>): string {
  const f = (n: number) => n.toLocaleString("en-US");
  const out = ["| target | gate pause (sentinel → gate → target) | direct pause | overhead | gate release (anyone) | direct unpause | overhead |", "|---|---:|---:|---:|---:|---:|---:|"];
  for (const [k, r] of Object.entries(rows)) {
    out.push(`| ${k} | ${f(r.gatePause)} | ${f(r.directPause)} | +${f(r.pauseOverhead)} | ${f(r.gateRelease)} | ${f(r.directUnpause)} | +${f(r.releaseOverhead)} |`);
  }
  return out.join("\n");
}
