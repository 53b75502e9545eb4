import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import breakwater from "breakwater";
import { defineConfig } from "hardhat/config";

// Offline solc: the `solc` npm package, pinned to the exact version named here.
const compiler = {
  version: "0.8.30",
  path: createRequire(import.meta.url).resolve("solc/soljson.js"),
  settings: { evmVersion: "prague", optimizer: { enabled: true, runs: 200 } },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, breakwater],
  solidity: { profiles: { default: compiler, production: compiler } },
  // A local `hardhat node` stands in for a live chain when drills fork it.
  chainDescriptors: {
    31337: { name: "local-node", hardforkHistory: { prague: { blockNumber: 0 } } },
  },
  networks: {
    // Tests point it at their own node: LOCALHOST_RPC_URL=http://127.0.0.1:<port>.
    localhost: { type: "http", url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545" },
  },
});
