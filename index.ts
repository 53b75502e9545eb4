// `import breakwater from "breakwater"`: the Hardhat 3 plugin (add it to `plugins: [...]`).
// The client library, keeper, plan and drill APIs have their own entry points: breakwater/client,
// breakwater/keeper, breakwater/plan, breakwater/drills, breakwater/ignition.
export { default } from "./tasks/plugin.js";
