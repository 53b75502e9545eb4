// Where the incident tasks read and write, in one place: `incident analyze --incident <id>` writes
// reports/incidents/<dir>/analysis.json, and `incident report` / `incident compensation --incident
// <id>` read exactly that by default. Keeper incident ids are taken as they are (they contain
// colons: "rule:fingerprint:block"); the directory name replaces characters a file system may refuse.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fail } from "../lib/errors.js";

/** A file-system-safe directory name for an incident id ("share-price:0xab…:120" → "share-price_0xab…_120"). */
export function incidentDirName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, 120);
}

export function incidentDir(id: string, root = process.cwd()): string {
  return join(root, "reports", "incidents", incidentDirName(id));
}

/** The analysis `incident analyze` writes for an incident. */
export function incidentAnalysisPath(id: string, root = process.cwd()): string {
  return join(incidentDir(id, root), "analysis.json");
}

/** The analysis `incident analyze` writes for a block range (no incident). */
export function rangeAnalysisPath(chainId: number, from: number, to: number, root = process.cwd()): string {
  return join(root, "reports", "incidents", `analysis-${chainId}-${from}-${to}.json`);
}

export function checkIncidentId(id: string, option = "--incident"): string {
  const t = id.trim();
  if (t === "" || /[\0\n\r]/.test(t) || t.length > 200) fail(`${option} "${id}" is not an incident id`, "pass the id as the keeper or `incident analyze` printed it (colons are fine)");
  return t;
}

/** Every analysis under reports/incidents (top level and one directory deep) with the incident ids it covers (merged incidents included). */
export function scanAnalyses(root = process.cwd()): { path: string; incidents: string[] }[] {
  const dir = join(root, "reports", "incidents");
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith(".json")) files.push(join(dir, e.name));
    else if (e.isDirectory() && existsSync(join(dir, e.name, "analysis.json"))) files.push(join(dir, e.name, "analysis.json"));
  }
  const out: { path: string; incidents: string[] }[] = [];
  for (const f of files) {
    try {
      const j = JSON.parse(readFileSync(f, "utf8"));
      const ids = new Set<string>();
      for (const x of [j?.input?.incident, j?.incident?.id, typeof j?.incident === "string" ? j.incident : undefined, ...(Array.isArray(j?.incidents) ? j.incidents.map((i: { id?: string }) => i?.id) : [])]) if (typeof x === "string") ids.add(x);
      out.push({ path: f, incidents: [...ids] });
    } catch {
      /* not an analysis */
    }
  }
  return out;
}

/** The analysis of incident `id`: analyze's default path first, then any analysis that covers the id. */
export function resolveIncidentAnalysis(id: string, root = process.cwd()): string {
  const t = checkIncidentId(id);
  const p = incidentAnalysisPath(t, root);
  if (existsSync(p)) return p;
  const hit = scanAnalyses(root).find((x) => x.incidents.includes(t));
  if (hit) return hit.path;
  const known = [...new Set(scanAnalyses(root).flatMap((x) => x.incidents))].sort();
  return fail(
    `unknown incident "${t}": no analysis at ${p}`,
    known.length ? `known incidents: ${known.slice(0, 10).join(", ")}${known.length > 10 ? ", …" : ""}; or pass --analysis <file>` : "run `npx hardhat breakwater incident analyze --store <keeper store> --incident <id>` first, or pass --analysis <file>",
  );
}
