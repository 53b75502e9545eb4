// ABI helpers shared by the detectors and the importers: signatures (canonical or
// human-readable), log / calldata decoding into named + positional arguments, bigint-safe
// literals and the evaluation of argument conditions.
import { AbiCoder, EventFragment, FunctionFragment, Fragment, Indexed, type ParamType } from "ethers";
import type { ComparisonOp, Condition, Literal } from "./schema.js";

/** Decoded arguments: by position and, when the ABI names them, by name. Values normalized:
 *  integers → bigint, addresses / bytes → lowercase hex, indexed dynamic values → topic hash. */
export interface DecodedArgs {
  values: unknown[];
  names: (string | undefined)[];
}

const stripKind = (sig: string) => sig.trim().replace(/^(event|function)\s+/, "");

/** Parse "Name(type,...)" or "Name(type indexed name, ...)" into an event fragment. */
export function parseEvent(signature: string, abi?: readonly (string | Record<string, unknown>)[]): EventFragment {
  const frag = EventFragment.from(`event ${stripKind(signature)}`);
  if (abi && !frag.inputs.some((i) => i.name)) {
    const named = findInAbi(abi, "event", frag.format("sighash"));
    if (named) return named as EventFragment;
  }
  return frag;
}

/** Parse a function signature (returns clause optional). */
export function parseFunction(signature: string, abi?: readonly (string | Record<string, unknown>)[]): FunctionFragment {
  const frag = FunctionFragment.from(`function ${stripKind(signature)}`);
  if (abi && !frag.inputs.some((i) => i.name)) {
    const named = findInAbi(abi, "function", frag.format("sighash"));
    if (named) return named as FunctionFragment;
  }
  return frag;
}

function findInAbi(abi: readonly (string | Record<string, unknown>)[], type: "event" | "function", sighash: string): Fragment | undefined {
  for (const item of abi) {
    try {
      const f = Fragment.from(item as never);
      if (f.type === type && (f as EventFragment | FunctionFragment).format("sighash") === sighash) return f;
    } catch {
      // not a fragment we understand (constructor, error, malformed): skip
    }
  }
  return undefined;
}

const coder = AbiCoder.defaultAbiCoder();

export function normalize(v: unknown): unknown {
  if (v instanceof Indexed) return v.hash?.toLowerCase();
  if (typeof v === "string") return /^0x[0-9a-fA-F]*$/.test(v) ? v.toLowerCase() : v;
  if (typeof v === "number") return BigInt(v);
  if (Array.isArray(v)) return Array.from(v, normalize);
  return v;
}

/**
 * Decode a log with `frag`. If the fragment carries no `indexed` flags (a canonical signature),
 * the first `topics.length - 1` parameters are taken as indexed (the common layout); the
 * fragment's topic hash does not depend on it.
 */
export function decodeLog(frag: EventFragment, topics: readonly string[], data: string): DecodedArgs {
  const inputs = frag.inputs;
  const declared = inputs.filter((i) => i.indexed).length;
  const indexedCount = topics.length - 1;
  let flags: boolean[];
  if (declared === indexedCount && inputs.some((i) => i.indexed !== null)) flags = inputs.map((i) => !!i.indexed);
  else if (indexedCount <= inputs.length) flags = inputs.map((_, i) => i < indexedCount);
  else throw new Error(`log has ${indexedCount} indexed topics but ${frag.format("sighash")} has ${inputs.length} parameters`);

  const dataTypes = inputs.filter((_, i) => !flags[i]);
  const decodedData = coder.decode(dataTypes as ParamType[], data);
  const values: unknown[] = [];
  let t = 1;
  let d = 0;
  inputs.forEach((p, i) => {
    if (flags[i]) {
      const topic = topics[t++];
      if (["string", "bytes", "tuple", "array"].includes(p.baseType)) values.push(topic.toLowerCase());
      else values.push(normalize(coder.decode([p], topic)[0]));
    } else {
      values.push(normalize(deepToArray(decodedData[d++])));
    }
  });
  return { values, names: inputs.map((i) => i.name || undefined) };
}

export function decodeCall(frag: FunctionFragment, input: string): DecodedArgs {
  const decoded = coder.decode(frag.inputs as ParamType[], "0x" + input.slice(10));
  return {
    values: frag.inputs.map((_, i) => normalize(deepToArray(decoded[i]))),
    names: frag.inputs.map((i) => i.name || undefined),
  };
}

function deepToArray(v: unknown): unknown {
  if (v && typeof v === "object" && typeof (v as { toArray?: unknown }).toArray === "function") {
    return (v as { toArray(deep?: boolean): unknown[] }).toArray(true);
  }
  return v;
}

/** Get an argument by name, by index (number) or "$index". */
export function argOf(args: DecodedArgs, ref: string | number): { found: boolean; value?: unknown } {
  let idx: number;
  if (typeof ref === "number") idx = ref;
  else if (/^\$?\d+$/.test(ref)) idx = Number(ref.replace("$", ""));
  else idx = args.names.indexOf(ref);
  if (idx < 0 || idx >= args.values.length) return { found: false };
  return { found: true, value: args.values[idx] };
}

/** Check at config time that every argument a condition names exists. */
export function checkConditionArgs(cond: Condition | undefined, names: (string | undefined)[], where: string, extra: string[] = []): void {
  if (!cond) return;
  if ("all" in cond) return cond.all.forEach((c) => checkConditionArgs(c, names, where, extra));
  if ("any" in cond) return cond.any.forEach((c) => checkConditionArgs(c, names, where, extra));
  if ("not" in cond) return checkConditionArgs(cond.not, names, where, extra);
  const ref = cond.arg;
  if (typeof ref === "number" || /^\$?\d+$/.test(ref)) {
    const i = typeof ref === "number" ? ref : Number(ref.replace("$", ""));
    if (i >= names.length) throw new Error(`${where}: argument #${i} does not exist (${names.length} parameters)`);
    return;
  }
  if (!names.includes(ref) && !extra.includes(ref)) {
    const known = [...names.filter(Boolean), ...extra];
    throw new Error(
      `${where}: no argument named "${ref}"${known.length ? ` (known: ${known.join(", ")})` : " (the signature has no names: use positions like \"$0\" or give names in the signature / abi)"}`,
    );
  }
}

/** "123", "0x7b", "1.5e18", 123 → bigint (exact; throws on fractions). */
export function toBigInt(v: Literal): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error(`${v} is not a safe integer: write it as a string`);
    return BigInt(v);
  }
  if (typeof v === "boolean") return v ? 1n : 0n;
  const s = v.trim().replace(/_/g, "");
  if (/^-?\d+$/.test(s)) return BigInt(s);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return BigInt(s);
  const m = /^(-?)(\d+)(?:\.(\d+))?e(\d+)$/i.exec(s);
  if (m) {
    const frac = m[3] ?? "";
    const exp = Number(m[4]);
    if (frac.length > exp) throw new Error(`"${v}" is not an integer`);
    const n = BigInt(m[2] + frac) * 10n ** BigInt(exp - frac.length);
    return m[1] ? -n : n;
  }
  throw new Error(`"${v}" is not a number`);
}

function eqValue(actual: unknown, expected: Literal): boolean {
  if (typeof actual === "bigint") return actual === toBigInt(expected);
  if (typeof actual === "boolean") return actual === (expected === true || expected === "true");
  if (typeof actual === "string") return actual.toLowerCase() === String(expected).toLowerCase();
  if (Array.isArray(actual)) return false;
  return actual === expected;
}

export function compare(actual: unknown, op: ComparisonOp, expected: Literal | Literal[]): boolean {
  switch (op) {
    case "in":
      return (expected as Literal[]).some((e) => eqValue(actual, e));
    case "nin":
      return !(expected as Literal[]).some((e) => eqValue(actual, e));
    case "eq":
      return eqValue(actual, expected as Literal);
    case "neq":
      return !eqValue(actual, expected as Literal);
    case "contains":
    case "starts_with":
    case "ends_with": {
      const a = String(actual).toLowerCase();
      const e = String(expected).toLowerCase();
      return op === "contains" ? a.includes(e) : op === "starts_with" ? a.startsWith(e) : a.endsWith(e);
    }
    default: {
      if (typeof actual !== "bigint") throw new Error(`"${op}" compares numbers, got ${typeof actual}`);
      const e = toBigInt(expected as Literal);
      if (op === "gt") return actual > e;
      if (op === "gte") return actual >= e;
      if (op === "lt") return actual < e;
      return actual <= e;
    }
  }
}

/** Evaluate a condition tree; `get` resolves an argument reference. A missing argument is false. */
export function evalCondition(cond: Condition | undefined, get: (ref: string | number) => { found: boolean; value?: unknown }): boolean {
  if (!cond) return true;
  if ("all" in cond) return cond.all.every((c) => evalCondition(c, get));
  if ("any" in cond) return cond.any.some((c) => evalCondition(c, get));
  if ("not" in cond) return !evalCondition(cond.not, get);
  const a = get(cond.arg);
  if (!a.found) return false;
  return compare(a.value, cond.op, cond.value);
}

/** JSON-safe copy (bigint → decimal string). */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  return v;
}

export function namedArgs(args: DecodedArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  args.values.forEach((v, i) => {
    out[args.names[i] ?? `$${i}`] = jsonSafe(v);
  });
  return out;
}
