import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { loadScenarios } from "../runner.js";

export default async function drillList(_args: Record<string, unknown>, _hre: HardhatRuntimeEnvironment): Promise<void> {
  const scenarios = await loadScenarios();
  const w = Math.max(...scenarios.map((s) => s.id.length), 8);
  console.log(`${"scenario".padEnd(w)}  ${"modelled on".padEnd(44)}  class`);
  for (const s of scenarios) {
    const ref = `${s.reference.incident} (${s.reference.date}, ${s.reference.loss})`;
    console.log(`${s.id.padEnd(w)}  ${ref.padEnd(44)}  ${s.incidentClass}`);
  }
  console.log(`\n${scenarios.length} scenario(s). Run one: npx hardhat breakwater drill run <scenario>; all: npx hardhat breakwater drill run all`);
}
