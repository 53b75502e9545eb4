// Re-exports the importers need from the detector vocabulary.
export { addressRe, type RuleInput } from "../detectors/schema.js";
export type { Severity } from "../types.js";
