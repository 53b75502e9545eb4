// The scenario API for users, exported from the package as `breakwater/drills`:
//
//   import { defineScenario, repeatedDrain, register, balanceOf } from "breakwater/drills";
//   export default defineScenario({ id: "my-pool-drain", ... });
//
// `npx hardhat breakwater drill run ./drills/my-pool-drain.ts` runs a file; files in the project's
// drills/ folder are listed by `drill list`. Templates (keyCompromise, repeatedDrain,
// priceManipulation, replay, existingPausable) build a whole scenario from an address book and a few parameters;
// `drill run template:<name> --params file.json` runs one without writing code.
export * from "./kit.js";
export { existingPausable, keyCompromise, repeatedDrain, priceManipulation, replay, templates } from "./templates/index.js";
export type { ExistingPausableParams, KeyCompromiseParams, RepeatedDrainParams, PriceManipulationParams, ReplayParams, TemplateBase } from "./templates/index.js";
export type { RuleInput } from "../../keeper/detectors/schema.js";
