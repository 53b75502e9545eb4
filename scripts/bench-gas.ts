// npm run bench:gas — gas of each protection and of the emergency / recovery paths.
// Writes reports/gas.json and prints Markdown tables (copied into the README).
import { mkdir, writeFile } from "node:fs/promises";
import { network } from "hardhat";
import { benchBreaker, type GasRow } from "./bench/breaker.js";
import { benchGuardian } from "./bench/guardian.js";
import { benchMigration } from "./bench/migration.js";
import { benchPauseGate, pauseGateTable } from "./bench/pause-gate.js";

const fmt = (n: number) => n.toLocaleString("en-US");

const breaker = await (async () => {
  const { ethers, networkHelpers } = await network.create();
  return benchBreaker(ethers, async (s) => {
    await networkHelpers.time.increase(s);
  });
})();
const guardian = await benchGuardian((await network.create()).ethers);
const recovery = await benchMigration((await network.create()).ethers);

const pauseGate = await (async () => {
  const { ethers, networkHelpers } = await network.create();
  return benchPauseGate(ethers, async (s) => {
    await networkHelpers.time.increase(s);
  });
})();

const results = { ...breaker, guardian, recovery, pauseGate };
await mkdir("reports", { recursive: true });
await writeFile("reports/gas.json", JSON.stringify(results, null, 2) + "\n");

const overhead = ["| operation | baseline | protected | overhead |", "|---|---:|---:|---:|"];
for (const [op, r] of Object.entries(breaker)) {
  const row = r as Partial<GasRow>;
  if (typeof row.overhead !== "number") continue;
  overhead.push(`| ${op} | ${fmt(row.baseline!)} | ${fmt(row.protected!)} | +${fmt(row.overhead)} |`);
}
const absolute = ["| operation | gasUsed |", "|---|---:|"];
const emergency = breaker.emergency as Record<string, number>;
for (const [op, g] of Object.entries({ ...emergency, ...guardian, ...recovery })) absolute.push(`| ${op} | ${fmt(g)} |`);

console.log(overhead.join("\n"));
console.log("\nreference (OpenZeppelin whenNotPaused on the same vault):", JSON.stringify(breaker.reference));
console.log("\n" + absolute.join("\n"));
console.log("\n" + pauseGateTable(pauseGate));
console.log("\nwritten reports/gas.json");
