// npm run bench:gas — gas of each protection and of the emergency / recovery paths.
// Writes reports/gas.json and prints Markdown tables (copied into the README).
import { mkdir, writeFile } from "node:fs/promises";
import { network } from "hardhat";
import { benchBreaker, type GasRow } from "./bench/breaker.js";
import { benchGuardian } from "./bench/guardian.js";
import { benchMigration } from "./bench/migration.js";
import { benchPauseGate, pauseGateTable } from "./bench/pause-gate.js";
import { loadArtifact, type BreakwaterContractName } from "../client/artifacts.js";

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

// Deployed bytecode against EIP-170's 24,576-byte limit: the headroom an integrator's own code has.
const SIZED: BreakwaterContractName[] = ["ProtectedVault", "VulnerableVault", "ProtectedLendingMarket", "GuardianMultisig", "CircuitBreaker", "PauseGate"];
const bytecode = Object.fromEntries(SIZED.map((n) => [n, (loadArtifact(n).deployedBytecode.length - 2) / 2]));

const results = { ...breaker, guardian, recovery, pauseGate, bytecode };
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
console.log("\ndeployed bytecode (bytes of 24,576):", Object.entries(bytecode).map(([n, b]) => `${n} ${fmt(b)}`).join(", "));
console.log("\nwritten reports/gas.json");
