// Output of the operator tasks: human tables by default, JSON for machines. Tests capture it.
type Sink = (text: string) => void;
let sink: Sink = (text) => process.stdout.write(text + "\n");

/** Redirect task output (tests); returns the previous sink. */
export function setOutput(next: Sink): Sink {
  const prev = sink;
  sink = next;
  return prev;
}

export function print(text = ""): void {
  sink(text);
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** Unix seconds → "2026-11-21T13:00:00Z" ("-" for 0). */
export function isoTime(seconds: bigint | number): string {
  const s = Number(seconds);
  if (s === 0) return "-";
  return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A plain-text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? "").padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
