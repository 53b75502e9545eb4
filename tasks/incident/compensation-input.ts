// Inputs of `incident compensation`: the analysis JSON written by `incident analyze`, or a CSV the
// team edits. Both become claim rows {account, tokens[], amounts[]} (one multi-token leaf per
// account). Every error names the file and the row / field; nothing is written on an error.
//
// Analysis interface (the only fields read; anything else is ignored):
//   { "chainId": 31337, "incident": "<id>",               // chainId optional, checked when present
//     "victims": [ { "account": "0x…",
//                    "losses": [ { "asset": "0x…" | "<address-book name>", "amount": "123" } ] } ] }
//   amounts are whole token units (decimal string, number, or "1000e18"); `token` is accepted for `asset`.
// CSV: `account,token,amount` (header optional, `#` comments and blank lines skipped); several rows
// per account are merged into one leaf; the same account and token twice is refused.
import { existsSync, readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { getAddress, isAddress } from "ethers";
import { MAX_ROUND_AMOUNT, type ClaimRowInput } from "../../client/merkle-claims.js";
import { fail } from "../lib/errors.js";
import { resolveIncidentAnalysis } from "./paths.js";

export interface LossRows {
  kind: "analysis" | "csv";
  path: string;
  incident?: string;
  chainId?: number;
  rows: ClaimRowInput[];
  /** Per account (checksummed): where its rows came from ("line 3", "victims[0].losses[1]"). */
  sources: Record<string, string[]>;
  /** The analysis's protected contracts (never claimants). */
  protectedContracts?: string[];
}

/** The analysis of an incident id (analyze's default output path; keeper ids with colons as they are). */
export function resolveIncident(incident: string, root = process.cwd()): string {
  return resolveIncidentAnalysis(incident, root);
}

/** Resolve a token cell: a 0x address, or a name of the address book's contracts (e.g. "asset"). */
export type TokenResolver = (text: string) => string | undefined;

export function bookTokenResolver(contracts: Record<string, string>): TokenResolver {
  return (text) => {
    const t = text.trim();
    if (/^0x/i.test(t)) {
      if (!isAddress(t)) return undefined;
      try {
        return getAddress(t);
      } catch {
        return undefined;
      }
    }
    const hit = Object.entries(contracts).find(([k]) => k.toLowerCase() === t.toLowerCase());
    return hit ? getAddress(hit[1]) : undefined;
  };
}

function parseAccount(value: unknown, where: string): string {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value.trim())) fail(`${where}: account ${JSON.stringify(value)} is not an address`, "write 0x followed by 40 hex digits");
  let a: string;
  try {
    a = getAddress((value as string).trim());
  } catch {
    return fail(`${where}: account ${value} has a wrong checksum`, "copy it again, or write it in lower case");
  }
  if (BigInt(a) === 0n) fail(`${where}: account is the zero address`);
  return a;
}

function parseToken(value: unknown, where: string, resolveToken: TokenResolver): string {
  if (typeof value !== "string" || value.trim() === "") fail(`${where}: token is missing`);
  const t = resolveToken(value as string);
  if (!t) fail(`${where}: token "${value}" is not a token address or a name in the address book`, "write the token's 0x address (40 hex digits, checksum or lower case) or an address-book name such as \"asset\"");
  if (BigInt(t!) === 0n) fail(`${where}: token is the zero address`);
  return t!;
}

/** Whole token units: "123", "1_000", "1000e18"; refuses decimals, negatives, zero, junk. */
export function parseUnits(value: unknown, where: string): bigint {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) fail(`${where}: amount ${value} is not a whole number below 2^53`, "write large amounts as strings");
    text = String(value);
  } else if (typeof value === "string") text = value.replace(/_/g, "").trim();
  else return fail(`${where}: amount ${JSON.stringify(value)} is not a number`);
  if (text === "") fail(`${where}: amount is empty`);
  if (/^-/.test(text)) fail(`${where}: amount ${text} is negative`, "compensation amounts are positive token units");
  let v: bigint;
  const exp = /^(\d+)e(\d+)$/i.exec(text);
  if (exp) v = BigInt(exp[1]!) * 10n ** BigInt(exp[2]!);
  else if (/^\d+$/.test(text)) v = BigInt(text);
  else if (/^\d*\.\d+$/.test(text)) return fail(`${where}: amount ${text} has decimals`, "write whole token base units (e.g. 1.5 tokens with 18 decimals = 1500000000000000000, or 15e17)");
  else return fail(`${where}: amount "${text}" is not a number`, "write whole token base units, e.g. 1000000 or 1000e18");
  if (v === 0n) fail(`${where}: amount is zero`, "remove the row: a claim pays a positive amount");
  if (v > MAX_ROUND_AMOUNT) fail(`${where}: amount ${v} exceeds 2^128-1 (MerkleClaims' limit)`);
  return v;
}

class Merger {
  private readonly byAccount = new Map<string, { tokens: string[]; amounts: bigint[]; where: string[] }>();
  add(account: string, token: string, amount: bigint, where: string) {
    let e = this.byAccount.get(account);
    if (!e) {
      e = { tokens: [], amounts: [], where: [] };
      this.byAccount.set(account, e);
    }
    const i = e.tokens.indexOf(token);
    if (i >= 0) {
      fail(
        `${where}: account ${account} already has token ${token} (${e.where[i]}); conflicting rows are refused`,
        "merge them into one row with the total, or remove one",
      );
    }
    e.tokens.push(token);
    e.amounts.push(amount);
    e.where.push(where);
  }
  result(): { rows: ClaimRowInput[]; sources: Record<string, string[]> } {
    const rows: ClaimRowInput[] = [];
    const sources: Record<string, string[]> = {};
    for (const [account, e] of this.byAccount) {
      rows.push({ account, tokens: e.tokens, amounts: e.amounts });
      sources[account] = e.where;
    }
    return { rows, sources };
  }
}

/** Split one CSV line (commas; double quotes around a cell allowed). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

export function parseCsv(text: string, path: string, resolveToken: TokenResolver): LossRows {
  const name = basename(path);
  const merger = new Merger();
  let data = 0;
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const where = `${name} line ${i + 1}`;
    if (line === "" || line.startsWith("#")) return;
    const c = cells(line);
    if (data === 0 && c[0]!.toLowerCase() === "account") {
      if (c.length !== 3 || c[1]!.toLowerCase() !== "token" || c[2]!.toLowerCase() !== "amount") fail(`${where}: the header must be account,token,amount (got "${line}")`);
      data = -1;
      return;
    }
    if (c.length !== 3) fail(`${where}: expected 3 columns account,token,amount, got ${c.length} ("${line}")`);
    data++;
    const account = parseAccount(c[0], where);
    const token = parseToken(c[1], where, resolveToken);
    const amount = parseUnits(c[2], where);
    merger.add(account, token, amount, `line ${i + 1}`);
  });
  const { rows, sources } = merger.result();
  if (rows.length === 0) fail(`${path}: no rows`, "write one `account,token,amount` row per loss");
  return { kind: "csv", path: resolve(path), rows, sources };
}

export function parseAnalysis(text: string, path: string, resolveToken: TokenResolver): LossRows {
  const name = basename(path);
  let json: any;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) fail(`${name}: expected an object { chainId, victims: [...] }`);
  if (json.chainId === undefined && json.chain && typeof json.chain === "object") json.chainId = json.chain.chainId;
  if (json.chainId !== undefined && !(Number.isInteger(json.chainId) && json.chainId > 0)) fail(`${name}: chainId ${JSON.stringify(json.chainId)} is not a chain id`);
  const incidentId = typeof json.incident === "string" ? json.incident : json.incident?.id ?? json.input?.incident;
  if (!Array.isArray(json.victims) && Array.isArray(json.loss?.perAccount)) {
    // The full analysis of `incident analyze`: the depositors who bore a protected pool's loss
    // (loss.depositors, pro rata at the block before the first harmful tx) and the victim accounts
    // whose own funds left (loss.perAccount, role "victim"). A pool itself is never a claimant.
    const merger = new Merger();
    const pools = new Set<string>((json.protectedContracts ?? []).map((x: string) => String(x).toLowerCase()));
    (Array.isArray(json.loss.depositors) ? json.loss.depositors : []).forEach((d: any, i: number) => {
      const where = `${name} loss.depositors[${i}]`;
      const token = parseToken(d?.asset, `${where}.asset`, resolveToken);
      (d?.depositors ?? []).forEach((x: any, j: number) => {
        if (String(x?.share) === "0") return; // a position too small to get a base unit
        const account = parseAccount(x?.account, `${where}.depositors[${j}].account`);
        if (pools.has(account.toLowerCase())) fail(`${where}.depositors[${j}]: ${account} is a protected contract: a pool is never a claimant`);
        merger.add(account, token, parseUnits(x?.share, `${where}.depositors[${j}].share`), `loss.depositors[${i}].depositors[${j}]`);
      });
    });
    const entries = (json.loss.perAccount as any[]).map((p, i) => ({ p, i })).filter(({ p }) => p?.role === "victim");
    for (const { p, i } of entries) {
      const where = `${name} loss.perAccount[${i}]`;
      const account = parseAccount(p.account, `${where}.account`);
      for (const [asset, amount] of Object.entries(p.byAsset ?? {})) {
        if (/^-/.test(String(amount)) || String(amount) === "0") continue; // gains or nothing lost
        if (asset.toUpperCase() === "ETH") fail(`${where}.byAsset.ETH: MerkleClaims pays ERC-20 tokens only`, "compensate native ETH in WETH: write a CSV row with the WETH address");
        merger.add(account, parseToken(asset, `${where}.byAsset`, resolveToken), parseUnits(amount, `${where}.byAsset.${asset}`), `loss.perAccount[${i}].byAsset.${asset}`);
      }
    }
    const { rows, sources } = merger.result();
    if (rows.length === 0) {
      const pooled = (json.loss.perAccount as any[]).filter((p) => p?.role === "protected" && Object.values(p.byAsset ?? {}).some((v) => !/^-/.test(String(v)) && String(v) !== "0"));
      fail(
        pooled.length
          ? `${name}: the loss is the pool's (${pooled.map((p) => p.account).join(", ")}), and the analysis does not say which depositors bore it`
          : `${name}: the analysis lists no loss to compensate (no victim account, no depositor of a protected pool lost anything)`,
        pooled.length
          ? "re-run `incident analyze` with --positions erc4626 | reader:<fn(address)> (e.g. reader:supplied(address)) | csv:<file>, or write the per-depositor losses as a CSV (account,token,amount); never --victims <pool>: a pool cannot claim"
          : "check the analysis, or write a CSV (account,token,amount)",
      );
    }
    return { kind: "analysis", path: resolve(path), rows, sources, protectedContracts: [...pools], ...(incidentId ? { incident: incidentId } : {}), ...(json.chainId !== undefined ? { chainId: json.chainId } : {}) };
  }
  if (!Array.isArray(json.victims)) fail(`${name}: "victims" is missing or not a list`, "the analysis must list victims: [{ account, losses: [{ asset, amount }] }]");
  if (json.victims.length === 0) fail(`${name}: the analysis lists no victims (empty analysis): nothing to compensate`, "check the analysis (incident analyze) or write a CSV");
  const merger = new Merger();
  json.victims.forEach((v: any, i: number) => {
    const where = `${name} victims[${i}]`;
    if (!v || typeof v !== "object") fail(`${where}: not an object`);
    const account = parseAccount(v.account, `${where}.account`);
    if (!Array.isArray(v.losses) || v.losses.length === 0) fail(`${where}.losses: no losses for ${account}`, "remove the victim or list its losses [{ asset, amount }]");
    v.losses.forEach((l: any, j: number) => {
      const w = `${where}.losses[${j}]`;
      if (!l || typeof l !== "object") fail(`${w}: not an object`);
      const token = parseToken(l.asset ?? l.token, `${w}.asset`, resolveToken);
      const amount = parseUnits(l.amount, `${w}.amount`);
      merger.add(account, token, amount, `victims[${i}].losses[${j}]`);
    });
  });
  const { rows, sources } = merger.result();
  return {
    kind: "analysis",
    path: resolve(path),
    rows,
    sources,
    ...(incidentId ? { incident: incidentId } : {}),
    ...(json.chainId !== undefined ? { chainId: json.chainId } : {}),
  };
}

/** Read --analysis / --csv / --incident (exactly one). */
export function readLosses(opts: { analysis?: string; csv?: string; incident?: string }, resolveToken: TokenResolver): LossRows {
  const given = [opts.analysis, opts.csv, opts.incident].filter((x) => x);
  if (given.length === 0) fail("no input: pass --incident <id>, --analysis <analysis.json> or --csv <losses.csv>");
  if (given.length > 1) fail("pass only one of --incident, --analysis and --csv");
  if (opts.csv) {
    if (!existsSync(opts.csv)) fail(`--csv ${opts.csv}: no such file`);
    return parseCsv(readFileSync(opts.csv, "utf8"), opts.csv, resolveToken);
  }
  const path = opts.analysis || resolveIncident(opts.incident!);
  if (!existsSync(path)) fail(`--analysis ${path}: no such file`, "run `npx hardhat breakwater incident analyze` first");
  const rows = parseAnalysis(readFileSync(path, "utf8"), path, resolveToken);
  return opts.incident ? { ...rows, incident: rows.incident ?? opts.incident } : rows;
}
