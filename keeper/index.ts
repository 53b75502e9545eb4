// The keeper as a library (`import { defineKeeperConfig, defineInvariant } from "breakwater/keeper"`).
// The service itself runs as `npx breakwater-keeper --config <file>`.
export { defineKeeperConfig, keeperConfigSchema, type KeeperConfig, type KeeperConfigInput } from "./config/schema.js";
export type { RuleInput, RuleConfig } from "./detectors/schema.js";
export { ConfigError, loadConfig } from "./config/load.js";
export { defineInvariant, type InvariantCall, type InvariantDefinition, type InvariantViolation, type CallResult } from "./detectors/invariant.js";
export { Keeper, type KeeperOptions } from "./runtime.js";
export type * from "./types.js";
