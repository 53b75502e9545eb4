// `npm run build:package` (also before `npm pack`): compile the contracts, ship the ABIs and bytecode
// of every contract the tasks, keeper and drills deploy (build/contracts: the suite; build/drills:
// test tokens and deliberately vulnerable drill contracts), and compile the TypeScript to dist/.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run("npx", ["hardhat", "build", "--quiet"]);

// The names → sources list lives in client/artifacts.ts; read it from the source, not a copy.
const registry = readFileSync(path.join(root, "client/artifacts.ts"), "utf8");
const section = (name) => {
  const body = registry.split(`export const ${name} = {`)[1].split("} as const;")[0];
  return [...body.matchAll(/^\s*(\w+): "([^"]+)",/gm)].map((m) => ({ name: m[1], source: m[2] }));
};
rmSync(path.join(root, "build"), { recursive: true, force: true });
for (const [list, dir] of [["SUITE_CONTRACTS", "contracts"], ["DRILL_CONTRACTS", "drills"]]) {
  mkdirSync(path.join(root, "build", dir), { recursive: true });
  for (const { name, source } of section(list)) {
    const file = path.join(root, "artifacts", source, `${name}.json`);
    if (!existsSync(file)) {
      console.error(`build-package: ${file} is missing (is ${source} in contracts/?)`);
      process.exit(1);
    }
    const a = JSON.parse(readFileSync(file, "utf8"));
    const shipped = {
      contractName: a.contractName,
      sourceName: a.sourceName,
      abi: a.abi,
      bytecode: a.bytecode,
      deployedBytecode: a.deployedBytecode,
      linkReferences: a.linkReferences,
      deployedLinkReferences: a.deployedLinkReferences,
    };
    writeFileSync(path.join(root, "build", dir, `${name}.json`), JSON.stringify(shipped, null, 2) + "\n");
  }
}

rmSync(path.join(root, "dist"), { recursive: true, force: true });
run("npx", ["tsc", "-p", "tsconfig.build.json"]);
console.log("build-package: build/ and dist/ written");
