import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { relative } from "node:path";
import { loadProjectScenarios, loadScenarios } from "../runner.js";
import { templates } from "../templates/index.js";

export default async function drillList(_args: Record<string, unknown>, hre: HardhatRuntimeEnvironment): Promise<void> {
  const root = hre.config.paths.root;
  const scenarios = await loadScenarios();
  const project = await loadProjectScenarios(root);
  const ids = [...scenarios.map((s) => s.id), ...project.map((p) => p.scenario.id), ...Object.keys(templates).map((t) => `template:${t}`)];
  const w = Math.max(...ids.map((id) => id.length), 8);
  console.log(`${"scenario".padEnd(w)}  ${"modelled on".padEnd(44)}  class`);
  for (const s of scenarios) {
    const ref = `${s.reference.incident} (${s.reference.date}, ${s.reference.loss})`;
    console.log(`${s.id.padEnd(w)}  ${ref.padEnd(44)}  ${s.incidentClass}`);
  }
  console.log(`\nyour project's drills (${relative(process.cwd(), root + "/drills") || "drills"}/):`);
  if (project.length === 0) console.log("  none yet: write drills/<name>.ts with defineScenario() from \"breakwater/drills\"");
  for (const p of project) console.log(`${p.scenario.id.padEnd(w)}  ${relative(root, p.file).padEnd(44)}  ${p.scenario.title}`);
  console.log("\ntemplates (run with --params <file.json>):");
  for (const [name, t] of Object.entries(templates)) console.log(`${`template:${name}`.padEnd(w)}  ${t.describe}`);
  console.log(`\n${scenarios.length} library scenario(s), ${project.length} of yours. Run one: npx hardhat breakwater drill run <scenario | ./drills/file.ts | template:name --params p.json>; all: npx hardhat breakwater drill run all`);
}
