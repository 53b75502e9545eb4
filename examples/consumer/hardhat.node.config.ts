// `npx hardhat --config hardhat.node.config.ts node`: this project's config with interval mining
// (a block every second even without transactions), as a live chain behaves.
import base from "./hardhat.config.js";

export default {
  ...base,
  networks: {
    ...base.networks,
    node: { type: "edr-simulated", chainType: "l1", mining: { auto: false, interval: 1000 } },
  },
};
