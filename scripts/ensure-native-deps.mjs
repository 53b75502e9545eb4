// Hardhat 3 needs Node >= 22.13 and its simulator (EDR) ships its native part
// as an optional dependency whose `engines` says node >= 22. npm skips optional
// packages whose engines do not match the Node that runs npm itself, so an
// `npm install` under a system Node 20 silently leaves EDR's binding out.
// This postinstall hook runs under node_modules/.bin/node (the `node` package,
// v24) and, when the binding does not load, re-runs `npm install` with that
// Node first on PATH so npm itself runs on v24 and installs the binding.
import { spawnSync } from "node:child_process";
import path from "node:path";

const GUARD = "BREAKWATER_NATIVE_REINSTALL";

function bindingLoads() {
  // A fresh process: require() caches a failed native load.
  const probe = spawnSync(process.execPath, ["-e", "require('@nomicfoundation/edr')"], {
    stdio: "ignore",
  });
  return probe.status === 0;
}

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    `[breakwater] postinstall runs on Node ${process.versions.node}; expected the bundled Node 24 ` +
      "from the `node` devDependency. Run `npm install` again, or install with Node >= 22.13.",
  );
  process.exit(1);
}

if (bindingLoads()) process.exit(0);

if (process.env[GUARD]) {
  console.error("[breakwater] EDR native binding still missing after a reinstall under Node " + process.version);
  process.exit(1);
}

console.log(`[breakwater] installing Hardhat's native EDR binding with npm running on Node ${process.version}`);
const binDir = path.dirname(process.execPath);
const npmCli = process.env.npm_execpath; // the npm that started this install
const args = npmCli ? [npmCli, "install", "--no-audit", "--no-fund"] : null;
const env = { ...process.env, [GUARD]: "1", PATH: `${binDir}${path.delimiter}${process.env.PATH}` };
const result = args
  ? spawnSync(process.execPath, args, { stdio: "inherit", env })
  : spawnSync("npm", ["install", "--no-audit", "--no-fund"], { stdio: "inherit", env, shell: process.platform === "win32" });
if (result.status !== 0 || !bindingLoads()) {
  console.error("[breakwater] could not install the EDR native binding; see the npm output above.");
  process.exit(1);
}
