// The expression subset shared by OpenZeppelin Monitor and Defender conditions that we can
// translate reliably: comparisons (== != > >= < <=) of a named ("value") or positional ("$0")
// parameter with a number / address / quoted string / boolean (also Defender's "=", and OZ
// Monitor's contains / starts_with / ends_with), joined by AND / OR (also and, or, &&, ||), NOT,
// parentheses. Anything else (arithmetic, comparisons of two fields, unknown fields) is DROPPED, always in the direction that makes the
// rule broader — an imported rule never misses what the original monitor would have caught:
// inside AND a dropped part is left out; an OR or NOT containing one is dropped whole.
import type { ArgCondition, ComparisonOp, Condition, Literal } from "../detectors/schema.js";

export interface ParsedExpression {
  /** undefined = no constraint left (matches every event / call / tx of the signature). */
  condition?: Condition;
  /** Human-readable list of what was dropped and why. */
  dropped: string[];
}

type Tok =
  | { t: "id"; v: string }
  | { t: "lit"; v: Literal; raw: string }
  | { t: "op"; v: string }
  | { t: "and" | "or" | "not" | "(" | ")" }
  | { t: "other"; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = s.slice(i);
    let m: RegExpExecArray | null;
    if (c === "(" || c === ")") {
      out.push({ t: c });
      i++;
    } else if ((m = /^(&&|\|\|)/.exec(rest))) {
      out.push({ t: m[1] === "&&" ? "and" : "or" });
      i += 2;
    } else if ((m = /^(===|!==|==|!=|>=|<=|>|<|=)/.exec(rest))) {
      out.push({ t: "op", v: m[1] });
      i += m[1].length;
    } else if (c === "!") {
      out.push({ t: "not" });
      i++;
    } else if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated string at ${i}`);
      out.push({ t: "lit", v: s.slice(i + 1, end), raw: s.slice(i, end + 1) });
      i = end + 1;
    } else if ((m = /^(0x[0-9a-fA-F]+|-?\d+(?:\.\d+)?(?:e\d+)?)(?![\w.])/i.exec(rest))) {
      out.push({ t: "lit", v: m[1], raw: m[1] });
      i += m[1].length;
    } else if ((m = /^\$\d+/.exec(rest))) {
      out.push({ t: "id", v: m[0] });
      i += m[0].length;
    } else if ((m = /^[A-Za-z_][A-Za-z0-9_.[\]]*/.exec(rest))) {
      const w = m[0];
      const lw = w.toLowerCase();
      if (lw === "and" || lw === "or" || lw === "not") out.push({ t: lw });
      else if (lw === "contains" || lw === "starts_with" || lw === "ends_with") out.push({ t: "op", v: lw });
      else if (lw === "true" || lw === "false") out.push({ t: "lit", v: lw === "true", raw: w });
      else out.push({ t: "id", v: w });
      i += w.length;
    } else {
      out.push({ t: "other", v: c });
      i++;
    }
  }
  return out;
}

// "=" is Defender's equality; contains / starts_with / ends_with are OZ Monitor's string operators.
const OPS: Record<string, ComparisonOp> = { "=": "eq", "==": "eq", "===": "eq", "!=": "neq", "!==": "neq", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", contains: "contains", starts_with: "starts_with", ends_with: "ends_with" };
const FLIP: Partial<Record<ComparisonOp, ComparisonOp>> = { eq: "eq", neq: "neq", gt: "lt", gte: "lte", lt: "gt", lte: "gte", in: "in", nin: "nin" };

/** A node: a condition, or "dropped" (no constraint, with the reason recorded). */
type Node = { c: Condition } | { dropped: true };

/**
 * Parse `expr`. `field(name)` maps a parameter name to the matcher's argument reference (or
 * returns an error string when it cannot be used, e.g. an unsupported transaction field).
 */
export function parseExpression(expr: string | null | undefined, field: (name: string) => string | number | { error: string }): ParsedExpression {
  const dropped: string[] = [];
  if (expr === null || expr === undefined || expr.trim() === "") return { dropped };
  let toks: Tok[];
  try {
    toks = tokenize(expr);
  } catch (e) {
    return { dropped: [`"${expr}": ${(e as Error).message}; whole expression dropped`] };
  }
  let p = 0;
  const peek = () => toks[p];
  const text = (from: number, to: number) =>
    toks
      .slice(from, to)
      .map((t) => ("raw" in t ? t.raw : "v" in t ? String(t.v) : t.t.toUpperCase()))
      .join(" ");

  const parseOr = (): Node => {
    const start = p;
    const parts = [parseAnd()];
    while (peek()?.t === "or") {
      p++;
      parts.push(parseAnd());
    }
    if (parts.length === 1) return parts[0];
    if (parts.some((x) => "dropped" in x)) {
      dropped.push(`"${text(start, p)}": an OR with an untranslatable part is dropped whole`);
      return { dropped: true };
    }
    return { c: { any: parts.map((x) => (x as { c: Condition }).c) } };
  };
  const parseAnd = (): Node => {
    const parts = [parseUnary()];
    while (peek()?.t === "and") {
      p++;
      parts.push(parseUnary());
    }
    const kept = parts.filter((x): x is { c: Condition } => "c" in x).map((x) => x.c);
    if (kept.length === 0) return { dropped: true };
    return kept.length === 1 ? { c: kept[0] } : { c: { all: kept } };
  };
  const parseUnary = (): Node => {
    const start = p;
    const t = peek();
    if (!t) throw new Error("unexpected end");
    if (t.t === "not") {
      p++;
      const before = dropped.length;
      const inner = parseUnary();
      if ("dropped" in inner || dropped.length > before) {
        dropped.push(`"${text(start, p)}": NOT of an untranslatable part is dropped whole`);
        return { dropped: true };
      }
      return { c: { not: inner.c } };
    }
    if (t.t === "(") {
      p++;
      const inner = parseOr();
      if (peek()?.t !== ")") throw new Error("missing )");
      p++;
      return inner;
    }
    return parseAtom();
  };
  const parseAtom = (): Node => {
    const start = p;
    // consume up to the next AND / OR / ) at this level
    let depth = 0;
    while (p < toks.length) {
      const t = toks[p];
      if (t.t === "(") depth++;
      else if (t.t === ")") {
        if (depth === 0) break;
        depth--;
      } else if ((t.t === "and" || t.t === "or") && depth === 0) break;
      p++;
    }
    const atom = toks.slice(start, p);
    const src = text(start, p);
    if (atom.length === 3 && atom[1].t === "op") {
      let [l, , r] = atom;
      let op = OPS[(atom[1] as { v: string }).v];
      if (l.t === "lit" && r.t === "id") {
        const flipped = FLIP[op];
        if (!flipped) {
          dropped.push(`"${src}": a literal on the left of ${op}`);
          return { dropped: true };
        }
        [l, r] = [r, l];
        op = flipped;
      }
      if (l.t === "id" && r.t === "lit") {
        const ref = field(l.v);
        if (typeof ref === "object") {
          dropped.push(`"${src}": ${ref.error}`);
          return { dropped: true };
        }
        const c: ArgCondition = { arg: ref, op, value: r.v };
        if ((op === "gt" || op === "gte" || op === "lt" || op === "lte") && typeof r.v === "string" && !/^(0x[0-9a-f]+|-?\d+(\.\d+)?(e\d+)?)$/i.test(r.v)) {
          dropped.push(`"${src}": ordering comparison with a non-number`);
          return { dropped: true };
        }
        if (typeof r.v === "string" && /^-?\d+\.\d+$/.test(r.v)) {
          dropped.push(`"${src}": fractional number`);
          return { dropped: true };
        }
        return { c };
      }
    }
    dropped.push(`"${src}": not a comparison of a parameter with a literal (unsupported operator or form)`);
    return { dropped: true };
  };

  try {
    const node = parseOr();
    if (p < toks.length) throw new Error(`unexpected "${text(p, p + 1)}"`);
    return { condition: "c" in node ? node.c : undefined, dropped };
  } catch (e) {
    return { dropped: [`"${expr}": ${(e as Error).message}; whole expression dropped`] };
  }
}
