// The Breakwater Hardhat 3 plugin: every task under one `breakwater` namespace, so nothing clashes
// with other plugins (`npx hardhat breakwater deploy`, `… breakwater guardian sign`, `… breakwater drill run`).
// Add it to `plugins: [...]` in hardhat.config.ts; it needs hardhat-ethers (the toolbox brings it).
import { emptyTask } from "hardhat/config";
import type { HardhatPlugin } from "hardhat/types/plugins";
import { breakwaterTasks } from "./index.js";
import { guardCommandLine } from "./lib/argv-guard.js";

// Before Hardhat parses the command line: a negative option value gets the task's sentence, not HHE509.
guardCommandLine(breakwaterTasks);

const breakwater: HardhatPlugin = {
  id: "breakwater",
  npmPackage: "breakwater",
  dependencies: () => [import("@nomicfoundation/hardhat-ethers")],
  tasks: [
    emptyTask("breakwater", "Breakwater: deploy, operate, drill, check readiness and respond to incidents").build(),
    ...breakwaterTasks,
  ],
};

export default breakwater;
