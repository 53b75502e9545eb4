import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";
import breakwater from "./tasks/plugin.js";

// Compile offline: Hardhat would download solc; we load the `solc` npm package
// instead. SOLC_VERSION must equal the exact version pinned in package.json,
// because Hardhat labels the build with `version` and does not check it.
const SOLC_VERSION = "0.8.30";
const soljsonPath = createRequire(import.meta.url).resolve("solc/soljson.js");

const compiler = {
  version: SOLC_VERSION,
  path: soljsonPath,
  settings: {
    evmVersion: "prague",
    optimizer: { enabled: true, runs: 200 },
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, breakwater],
  solidity: {
    profiles: {
      default: compiler,
      production: compiler,
    },
  },
  paths: {
    tests: { mocha: "test", solidity: "test/solidity" },
  },
  // `default` keeps `npm test` quick; `npm run test:fuzz` runs the long campaign.
  test: {
    solidity: {
      profiles: {
        default: {
          fuzz: { runs: 200 },
          invariant: { runs: 200, depth: 32, failOnRevert: false },
        },
        deep: {
          fuzz: { runs: 10_000 },
          invariant: { runs: 1_000, depth: 64, failOnRevert: false },
        },
      },
    },
  },
  // A local `hardhat node` stands in for a live chain in fork tests; Hardhat
  // must know its hardfork history to fork it.
  chainDescriptors: {
    31337: { name: "local-node", hardforkHistory: { prague: { blockNumber: 0 } } },
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
  },
});
