export * from "./channels.js";
export * from "./dispatch.js";
export * from "./format.js";
export * from "./http.js";
export * from "./retry.js";
export * from "./routing.js";
