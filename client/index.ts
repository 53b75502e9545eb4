// The client library: TypeScript that mirrors the contracts, for the keeper, the tasks and your own
// scripts (`import { … } from "breakwater/client"`).
export * from "./artifacts.js";
export * from "./guardian-actions.js";
export * from "./merkle-claims.js";
export * from "./position-migration.js";
export * from "./pause-gate.js";
