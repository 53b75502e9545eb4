#!/usr/bin/env node
// `npx breakwater-keeper --config <file>`: the keeper service of an installed Breakwater.
// It needs Node >= 22.13 (node:sqlite); a TypeScript config file is loaded through tsx.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `breakwater-keeper needs Node.js >= 22.13 (it keeps its state in node:sqlite); this is ${process.version}.\n` +
      "Add the Node 24 binary to your project (npm install --save-dev node@24): npm scripts and npx then run on it.\n",
  );
  process.exit(1);
}
const { register } = await import("tsx/esm/api");
register();
await import("../dist/keeper/main.js");
