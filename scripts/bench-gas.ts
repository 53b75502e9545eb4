// npm run bench:gas — measures the gas overhead of each protection and writes
// reports/gas.json plus a Markdown table (copied into the README).
import { mkdir, writeFile } from "node:fs/promises";
import { network } from "hardhat";
import { benchBreaker, type GasRow } from "./bench/breaker.js";

const { ethers, networkHelpers } = await network.create();
const results: Record<string, unknown> = await benchBreaker(ethers, async (s) => {
  await networkHelpers.time.increase(s);
});

await mkdir("reports", { recursive: true });
await writeFile("reports/gas.json", JSON.stringify(results, null, 2) + "\n");

const lines = ["| operation | baseline | protected | overhead |", "|---|---:|---:|---:|"];
for (const [op, r] of Object.entries(results)) {
  const row = r as Partial<GasRow>;
  if (typeof row.overhead !== "number") continue;
  lines.push(`| ${op} | ${row.baseline!.toLocaleString("en-US")} | ${row.protected!.toLocaleString("en-US")} | +${row.overhead.toLocaleString("en-US")} |`);
}
console.log(lines.join("\n"));
console.log("\nreference:", JSON.stringify(results.reference));
console.log("\nwritten reports/gas.json");
