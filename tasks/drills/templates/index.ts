// The attack templates: functions that turn an address book and a few parameters into a whole
// scenario. Use them from a scenario file (`export default repeatedDrain({...})`) or from the CLI:
// `npx hardhat breakwater drill run template:<name> --params params.json`.
import type { Scenario } from "../types.js";
import { existingPausable, type ExistingPausableParams } from "./existing-pausable.js";
import { keyCompromise, type KeyCompromiseParams } from "./key-compromise.js";
import { priceManipulation, type PriceManipulationParams } from "./price-manipulation.js";
import { repeatedDrain, type RepeatedDrainParams } from "./repeated-drain.js";
import { replay, type ReplayParams } from "./replay.js";

export { existingPausable, keyCompromise, priceManipulation, repeatedDrain, replay };
export type { ExistingPausableParams, KeyCompromiseParams, PriceManipulationParams, RepeatedDrainParams, ReplayParams };
export type { TemplateBase } from "./common.js";

export const templates: Record<string, { describe: string; build: (params: any) => Scenario<any> }> = {
  "key-compromise": { describe: "impersonate a named privileged key and make configured calls", build: keyCompromise },
  "repeated-drain": { describe: "an attacker and copycats drain through a configured function over several blocks", build: repeatedDrain },
  "price-manipulation": { describe: "push a real AMM pair's price (whale-funded swap, or inside a flash swap), then configured exploit calls", build: priceManipulation },
  "existing-pausable": { describe: "an attack on an already deployed pausable protocol; the keeper contains through a PauseGate (its own pause)", build: existingPausable },
  replay: { describe: "replay a real incident's attacker txs (by hash or {from,to,data,value}) on a fork before it", build: replay },
};
