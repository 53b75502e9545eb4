// Output of the operator tasks: human tables by default, JSON for machines. Results go to stdout;
// hints and warnings (`note`) go to stderr, so redirected output stays parseable. Tests capture both.
type Sink = (text: string) => void;
let sink: Sink = (text) => process.stdout.write(text + "\n");
let noteSink: Sink = (text) => process.stderr.write(text + "\n");

/** Redirect task output (tests); returns the previous sink. */
export function setOutput(next: Sink): Sink {
  const prev = sink;
  sink = next;
  return prev;
}

/** Redirect notes (stderr) (tests); returns the previous sink. */
export function setNoteOutput(next: Sink): Sink {
  const prev = noteSink;
  noteSink = next;
  return prev;
}

export function print(text = ""): void {
  sink(text);
}

/** A hint or warning for the person at the terminal: stderr, never mixed into the result. */
export function note(text: string): void {
  noteSink(text);
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

/** How the running task was invoked: what a printed "next:" command must repeat to hit the same chain. */
export interface Invocation {
  /** `--network` as given before the task name (undefined: Hardhat's default network). */
  network?: string;
  rpcUrl?: string;
  deployments?: string;
}

function shellWord(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/**
 * The exact command to run next: global options before `breakwater`, the task's own options after it,
 * and the connection options (--rpc-url, --deployments) as this run was given them.
 */
export function nextCommand(inv: Invocation | undefined, task: string, options: (string | undefined | false)[] = []): string {
  const words = ["npx", "hardhat"];
  if (inv?.network) words.push("--network", inv.network);
  words.push("breakwater", ...task.split(" "));
  // "--file my file.json" is one option: the flag, then its value (quoted when it needs it).
  const opts: string[] = [];
  for (const o of options) if (o) opts.push(o);
  if (inv?.rpcUrl) opts.push(`--rpc-url ${inv.rpcUrl}`);
  if (inv?.deployments) opts.push(`--deployments ${inv.deployments}`);
  const head = words.map(shellWord).join(" ");
  const tail = opts.map((o) => {
    const i = o.indexOf(" ");
    if (!o.startsWith("--") || i < 0) return o;
    const value = o.slice(i + 1);
    return `${o.slice(0, i)} ${value === "…" || value === "0x…" || /^<.*>$/.test(value) ? value : shellWord(value)}`;
  });
  return [head, ...tail].join(" ");
}
