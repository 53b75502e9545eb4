// `breakwater/ignition`: Ignition modules of the Breakwater suite and the wiring of a protocol's own
// contracts, to compose into a protocol's own Ignition deployment with `m.useModule(...)`.
export * from "./breakwater.js";
