// One zod schema per task: the task's raw CLI strings in, parsed values out, or one OperatorError
// naming the field and saying what to do. Tasks parse their inputs with it before touching the chain
// (checks that need the chain — bounds, the address book, code, interfaces — follow, before any write).
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { OperatorError, fail } from "./errors.js";
import { fieldOf, parseAmount, parseDuration, requireAddress, type DurationBounds } from "./validation.js";

/** A zod field whose parsing is one of the throwing validators: their OperatorError becomes the issue. */
export function lift<T>(fn: (v: unknown) => T) {
  return z.unknown().transform((v, ctx): T => {
    try {
      return fn(v);
    } catch (err) {
      if (!(err instanceof OperatorError)) throw err;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: err.reason, params: { hint: err.hint, field: err.field } });
      return z.NEVER;
    }
  });
}

const text = (v: unknown): string => (v === undefined || v === null ? "" : String(v).trim());

/** Deadlines of guardian actions: long enough to collect signatures, short enough to stay relevant. */
export const DEADLINE_BOUNDS: DurationBounds = { min: 60n, max: 30n * 86400n, source: "the deadline bounds" };

export const inputs = {
  /** A required address: checksummed, all-lowercase, or refused naming the option. */
  address: (option: string) => lift((v) => requireAddress(text(v), option)),
  /** An optional address ("" → undefined). */
  optionalAddress: (option: string) => lift((v) => (text(v) === "" ? undefined : requireAddress(text(v), option))),
  /** A required positive duration in seconds (bounded when the bounds are known without the chain). */
  duration: (option: string, bounds?: DurationBounds) =>
    lift((v) => {
      if (text(v) === "") fail(`${option} is required`, "e.g. 2h, 30m, 1d (durations are positive)", fieldOf(option));
      return parseDuration(text(v), option, bounds);
    }),
  /** A guardian action's deadline, relative: 1m..30d (default 1d). */
  deadline: (option = "--deadline") => lift((v) => parseDuration(text(v) || "1d", option, DEADLINE_BOUNDS)),
  /** A uint256 ("" → undefined when optional). */
  uint256: (option: string, opts: { optional?: boolean } = {}) =>
    lift((v) => {
      if (text(v) === "") return opts.optional ? undefined : fail(`${option} is required`, undefined, fieldOf(option));
      return parseAmount(text(v), option);
    }),
  /** A required non-empty string. */
  required: (option: string, hint?: string) => lift((v) => (text(v) === "" ? fail(`${option} is required`, hint, fieldOf(option)) : text(v))),
  /** An optional string ("" when not given). */
  optional: () => lift((v) => text(v)),
  /** One of a fixed set of words (case-insensitive), returned as listed. */
  oneOf: <T extends string>(option: string, values: readonly T[], fallback?: T) =>
    lift((v): T => {
      const t = text(v);
      if (t === "" && fallback !== undefined) return fallback;
      const hit = values.find((x) => x.toLowerCase() === t.toLowerCase());
      return hit ?? fail(`${option} "${t}" must be one of ${values.join(", ")}`, undefined, fieldOf(option));
    }),
  /** A file that must exist and hold JSON: returns { path, json }. */
  jsonFile: (option: string, hint?: string) =>
    lift((v) => {
      const path = text(v);
      if (path === "") fail(`${option} is required`, hint, fieldOf(option));
      return { path, json: readJson(path, option, hint) };
    }),
  /** A file to write: its directory must exist; it must not exist unless `force`. "" → the default. */
  outPath: (option: string, opts: { force?: boolean; fallback?: string } = {}) =>
    lift((v) => {
      const path = text(v) || opts.fallback || "";
      if (path === "") fail(`${option} is required`, `the file to write, e.g. ${option} action.json`, fieldOf(option));
      return checkOutPath(path, option, opts.force ?? false);
    }),
  flag: () => z.boolean().optional().default(false),
};

/** Read `path` as JSON, or an error naming `option` (missing file, a directory, broken JSON). */
export function readJson(path: string, option: string, hint?: string): unknown {
  const field = fieldOf(option);
  if (!existsSync(path)) fail(`${option} ${path}: no such file`, hint, field);
  if (statSync(path).isDirectory()) fail(`${option} ${path} is a directory, not a file`, hint, field);
  const raw = readFileSync(path, "utf8");
  try {
    return JSON.parse(raw);
  } catch (err) {
    return fail(`${option} ${path} is not valid JSON (${raw.trim() === "" ? "the file is empty" : (err as Error).message}): it may be truncated`, hint ?? "restore the file or write it again", field);
  }
}

/** A path the task may write: the parent directory exists; the file itself only with `force`. */
export function checkOutPath(path: string, option: string, force: boolean): string {
  const field = fieldOf(option);
  const parent = dirname(resolve(path));
  if (!existsSync(parent)) fail(`${option} ${path}: the directory ${parent} does not exist`, `create it first (mkdir -p ${parent}) or write somewhere else`, field);
  if (!statSync(parent).isDirectory()) fail(`${option} ${path}: ${parent} is not a directory`, undefined, field);
  if (existsSync(path) && statSync(path).isDirectory()) fail(`${option} ${path} is a directory`, "name a file", field);
  if (existsSync(path) && !force) fail(`${option} ${path} already exists`, "pick another file name or pass --force", field);
  return path;
}

/** Parse a task's arguments with its schema: the first issue becomes an OperatorError naming the field. */
export function parseInputs<S extends z.ZodTypeAny>(schema: S, args: unknown): z.output<S> {
  const r = schema.safeParse(args);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const params = (issue as { params?: { hint?: string; field?: string } }).params;
  const field = params?.field ?? (issue.path.length > 0 ? String(issue.path[0]) : undefined);
  throw new OperatorError(issue.message, params?.hint, field);
}
