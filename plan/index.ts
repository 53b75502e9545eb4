// The incident plan as code (`import { definePlan } from "breakwater/plan"`).
export * from "./schema.js";
export * from "./load.js";
export { renderTemplate } from "./templates.js";
