// Loading the keeper's config file (TypeScript via tsx, or JSON) and turning zod issues into
// messages for people: `config error at rules[2].pause.durationSeconds: Number must be ...`.
// Also the preflight of secrets: every `...Env` field must name a set environment variable.
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ZodError, ZodIssue } from "zod";
import { keeperConfigSchema, type KeeperConfig } from "./schema.js";

export class ConfigError extends Error {
  constructor(readonly problems: { path: string; message: string }[]) {
    super(problems.map((p) => `config error at ${p.path}: ${p.message}`).join("\n"));
    this.name = "ConfigError";
  }
}

/** ["rules", 0, "pause", "scope"] → "rules[0].pause.scope" ("<root>" for the whole file). */
export function formatPath(path: (string | number)[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${p}` : p;
  return out || "<root>";
}

/** Flatten zod issues; for a union, the branch that got furthest explains best. */
function flatten(issue: ZodIssue): ZodIssue[] {
  if (issue.code === "invalid_union" && issue.unionErrors.length > 0) {
    let best: ZodIssue[] = [];
    let bestDepth = -1;
    for (const e of issue.unionErrors) {
      const issues = e.issues.flatMap(flatten);
      const depth = Math.max(...issues.map((i) => i.path.length));
      if (depth > bestDepth) {
        best = issues;
        bestDepth = depth;
      }
    }
    if (bestDepth > issue.path.length) return best;
  }
  return [issue];
}

export function zodProblems(err: ZodError): { path: string; message: string }[] {
  const seen = new Set<string>();
  const out: { path: string; message: string }[] = [];
  for (const i of err.issues.flatMap(flatten)) {
    const p = { path: formatPath(i.path), message: i.message };
    const k = `${p.path}\0${p.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(p);
    }
  }
  return out;
}

/** Read a config file: .json parsed, .ts/.mts/.js/.mjs imported (default export or `config`). */
export async function loadConfigFile(file: string): Promise<unknown> {
  const abs = resolve(file);
  const ext = extname(abs).toLowerCase();
  if (ext === ".json") {
    let text: string;
    try {
      text = await readFile(abs, "utf8");
    } catch (err) {
      throw new ConfigError([{ path: "<file>", message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigError([{ path: "<file>", message: `${file} is not valid JSON: ${(err as Error).message}` }]);
    }
  }
  if (![".ts", ".mts", ".js", ".mjs", ".cts", ".cjs"].includes(ext)) {
    throw new ConfigError([{ path: "<file>", message: `${file}: use a .ts or .json config file` }]);
  }
  let mod: { default?: unknown; config?: unknown };
  try {
    mod = (await import(pathToFileURL(abs).href)) as { default?: unknown; config?: unknown };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "ERR_MODULE_NOT_FOUND" && e.message.includes(abs) ? "file not found" : e.message;
    throw new ConfigError([{ path: "<file>", message: `cannot load ${file}: ${why}` }]);
  }
  const cfg = mod.default ?? mod.config;
  if (cfg === undefined) throw new ConfigError([{ path: "<file>", message: `${file} must export the config as default (export default defineKeeperConfig({...}))` }]);
  return cfg;
}

/** Validate; throws ConfigError listing every bad field with its path. */
export function parseConfig(raw: unknown): KeeperConfig {
  const r = keeperConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(zodProblems(r.error));
  return r.data;
}

/**
 * Every field whose name ends in `Env` (keyEnv, secretEnv, apiKeyEnv, passwordEnv, ...) must name
 * a set, non-empty environment variable. Returns the secret values (for log scrubbing).
 */
export function checkSecrets(config: unknown, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: { path: string; message: string }[] = [];
  const secrets: string[] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (/Env$/.test(k) && typeof x === "string") {
          const value = env[x];
          if (value === undefined || value.trim() === "") {
            problems.push({ path: formatPath([...path, k]), message: `environment variable ${x} is not set (or empty); nothing was sent` });
          } else secrets.push(value.trim());
        } else walk(x, [...path, k]);
      }
    }
  };
  walk(config, []);
  if (problems.length) throw new ConfigError(problems);
  return secrets;
}

/** Load + validate + check secrets. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<{ config: KeeperConfig; secrets: string[] }> {
  const config = parseConfig(await loadConfigFile(file));
  const secrets = checkSecrets(config, env);
  return { config, secrets };
}
