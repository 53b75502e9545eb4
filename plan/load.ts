// Loading an incident plan: a TypeScript module (default export, `definePlan({...})`), JSON, or
// YAML (through js-yaml). Every bad field is
// reported as `plan error at <path>: <why>`, e.g. `plan error at severities.P1.channels: …`.
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { zodProblems } from "../keeper/config/load.js";
import { planSchema, type IncidentPlan } from "./schema.js";

export class PlanError extends Error {
  constructor(readonly problems: { path: string; message: string }[]) {
    super(problems.map((p) => `plan error at ${p.path}: ${p.message}`).join("\n"));
    this.name = "PlanError";
  }
}

/** Validate a plan object; throws PlanError listing every bad field with its path. */
export function parsePlan(raw: unknown): IncidentPlan {
  const r = planSchema.safeParse(raw);
  if (!r.success) throw new PlanError(zodProblems(r.error));
  return r.data;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(resolve(file), "utf8");
  } catch (err) {
    throw new PlanError([{ path: "<file>", message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
}

/** Read a plan file without validating it. */
export async function loadPlanFile(file: string): Promise<unknown> {
  const abs = resolve(file);
  const ext = extname(abs).toLowerCase();
  if (ext === ".json") {
    const text = await readText(file);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new PlanError([{ path: "<file>", message: `${file} is not valid JSON: ${(err as Error).message}` }]);
    }
  }
  if (ext === ".yaml" || ext === ".yml") {
    const text = await readText(file);
    let yaml: { load(s: string): unknown };
    try {
      const mod = (await import("js-yaml" as string)) as { default?: { load(s: string): unknown }; load?(s: string): unknown };
      yaml = (mod.default ?? mod) as { load(s: string): unknown };
    } catch {
      throw new PlanError([{ path: "<file>", message: `${file}: YAML needs the js-yaml package (run npm install), or write the plan as .ts / .json` }]);
    }
    try {
      return yaml.load(text);
    } catch (err) {
      throw new PlanError([{ path: "<file>", message: `${file} is not valid YAML: ${(err as Error).message}` }]);
    }
  }
  if (![".ts", ".mts", ".js", ".mjs"].includes(ext)) {
    throw new PlanError([{ path: "<file>", message: `${file}: use a .ts, .json or .yaml plan file` }]);
  }
  let mod: { default?: unknown; plan?: unknown };
  try {
    mod = (await import(pathToFileURL(abs).href)) as { default?: unknown; plan?: unknown };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "ERR_MODULE_NOT_FOUND" && e.message.includes(abs) ? "file not found" : e.message;
    throw new PlanError([{ path: "<file>", message: `cannot load ${file}: ${why}` }]);
  }
  const plan = mod.default ?? mod.plan;
  if (plan === undefined) throw new PlanError([{ path: "<file>", message: `${file} must export the plan as default (export default definePlan({...}))` }]);
  return plan;
}

/** Load and validate. */
export async function loadPlan(file: string): Promise<IncidentPlan> {
  return parsePlan(await loadPlanFile(file));
}
