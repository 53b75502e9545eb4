// `npx hardhat breakwater incident analyze`: forensics of an incident (keeper store + incident id) or of a
// block range with suspect accounts, on the connected network, a fork, or any RPC (--rpc-url).
// Writes the analysis JSON (--out) and prints a readable summary (or the JSON with --json).
// Every input is checked before anything is read or written: a bad one names its option.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runAction } from "../operator/common.js";
import { fail } from "../lib/errors.js";
import { print, toJson } from "../lib/output.js";
import { existsSync, readFileSync } from "node:fs";
import { loadConfigFile } from "../../keeper/config/load.js";
import type { ArtifactLike } from "./forensics/abi.js";
import { analyzeIncident, type AnalyzeOptions, type Rpc } from "./forensics/analyze.js";
import { incidentAnalysisPath, rangeAnalysisPath } from "./paths.js";
import { summarize } from "./forensics/summary.js";

export interface AnalyzeArgs {
  store: string;
  incident: string;
  fromBlock: number;
  toBlock: number;
  suspects: string;
  contracts: string;
  victims: string;
  rpcUrl: string;
  chainId: number;
  prices: string;
  valueIn: string;
  priceBlock: number;
  owed: string;
  lookback: number;
  after: number;
  maxBlocks: number;
  noExpand: boolean;
  noTrace: boolean;
  out: string;
  json: boolean;
  abi: string;
  positions: string;
  keeperConfig: string;
}

export const analyzeDefaults: AnalyzeArgs = {
  store: "", incident: "", fromBlock: -1, toBlock: -1, suspects: "", contracts: "", victims: "", rpcUrl: "", chainId: 0,
  prices: "", valueIn: "", priceBlock: -1, owed: "", lookback: 20, after: 5, maxBlocks: 5_000, noExpand: false, noTrace: false, out: "", json: false,
  abi: "", positions: "", keeperConfig: "",
};

/** The user's project artifacts through Hardhat (hre.artifacts): ABIs and runtime code, for decoding by address. */
export async function projectArtifacts(hre: HardhatRuntimeEnvironment): Promise<ArtifactLike[]> {
  const out: ArtifactLike[] = [];
  let names: Iterable<string> = [];
  try {
    names = await hre.artifacts.getAllFullyQualifiedNames();
  } catch {
    return out; // not built: the known ABIs and --abi still apply
  }
  for (const fqn of names) {
    try {
      const a = (await hre.artifacts.readArtifact(fqn)) as unknown as ArtifactLike;
      if (Array.isArray(a.abi) && a.abi.length) out.push(a);
    } catch {
      /* unreadable artifact: skip */
    }
  }
  return out;
}

/** The keeper config's rules (--keeper-config): to say which stayed silent. */
async function keeperRules(file: string): Promise<AnalyzeOptions["keeperRules"]> {
  if (!existsSync(file)) fail(`--keeper-config ${file}: no such file`, "pass the keeper's config file (the one given to the keeper with --config)");
  let raw: unknown;
  try {
    raw = await loadConfigFile(resolve(file));
  } catch (err) {
    return fail(`--keeper-config ${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  const rules = (raw as { rules?: unknown })?.rules;
  if (!Array.isArray(rules)) fail(`--keeper-config ${file} has no rules list`, "pass the keeper's config file");
  return (rules as { id?: unknown }[]).filter((r) => typeof r?.id === "string") as NonNullable<AnalyzeOptions["keeperRules"]>;
}

const list = (s: string) => s.split(",").map((x) => x.trim()).filter((x) => x !== "");

/** A JSON-RPC client over fetch (no network detection loop: an unreachable URL fails at once). */
export function httpRpc(url: string): Rpc {
  if (!/^https?:\/\//.test(url)) fail(`--rpc-url "${url}" is not an http(s) URL`);
  let id = 0;
  return {
    async send(method, params) {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }) });
      const j = (await res.json()) as { result?: unknown; error?: { message: string } };
      if (j.error) throw new Error(`${method}: ${j.error.message}`);
      return j.result;
    },
  };
}

export async function analyzeAction(args: Partial<AnalyzeArgs>, hre: HardhatRuntimeEnvironment) {
  const a = { ...analyzeDefaults, ...args };
  let rpc: Rpc;
  let label: string;
  if (a.rpcUrl) {
    rpc = httpRpc(a.rpcUrl);
    label = a.rpcUrl;
  } else {
    const conn = await hre.network.getOrCreate();
    rpc = { send: (method, params) => conn.provider.request({ method, params }) };
    label = `hardhat network "${conn.networkName}"`;
  }
  // Labels from the address book of the network, when there is one.
  let addressBook: Record<string, string> | undefined;
  const bookPath = resolve("deployments", `${a.rpcUrl ? "" : hre.globalOptions.network ?? ""}.json`);
  if (!a.rpcUrl && existsSync(bookPath)) {
    try {
      addressBook = (JSON.parse(readFileSync(bookPath, "utf8")) as { contracts?: Record<string, string> }).contracts;
    } catch {
      /* not an address book */
    }
  }
  const analysis = await analyzeIncident({
    rpc,
    rpcLabel: label,
    abi: list(a.abi),
    artifacts: await projectArtifacts(hre),
    ...(addressBook ? { addressBook } : {}),
    ...(a.positions ? { positions: a.positions } : {}),
    ...(a.keeperConfig ? { keeperRules: await keeperRules(a.keeperConfig) } : {}),
    ...(a.store ? { storePath: resolve(a.store) } : {}),
    ...(a.incident ? { incident: a.incident } : {}),
    ...(a.fromBlock >= 0 ? { fromBlock: a.fromBlock } : {}),
    ...(a.toBlock >= 0 ? { toBlock: a.toBlock } : {}),
    suspects: list(a.suspects),
    contracts: list(a.contracts),
    victims: list(a.victims),
    ...(a.chainId > 0 ? { chainId: a.chainId } : {}),
    prices: list(a.prices),
    ...(a.valueIn ? { valueIn: a.valueIn } : {}),
    ...(a.priceBlock >= 0 ? { priceBlock: a.priceBlock } : {}),
    owed: list(a.owed),
    lookback: a.lookback,
    after: a.after,
    maxBlocks: a.maxBlocks,
    expand: !a.noExpand,
    trace: !a.noTrace,
  });
  // The default path is what `incident report` / `incident compensation --incident <id>` read.
  const path = a.out ? resolve(a.out) : analysis.incident ? incidentAnalysisPath(analysis.incident.id) : rangeAnalysisPath(analysis.chain.chainId, analysis.range.fromBlock, analysis.range.toBlock);
  const out = path;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, toJson(analysis) + "\n");
  if (a.json) print(toJson(analysis));
  else {
    print(summarize(analysis));
    print("");
    print(
      `analysis written to ${path} — next: npx hardhat breakwater incident report ${analysis.incident ? `--incident "${analysis.incident.id}"` : `--analysis ${out}`}` +
        (analysis.loss.depositors?.length || analysis.loss.perAccount.some((p) => p.role === "victim") ? `; npx hardhat breakwater incident compensation ${analysis.incident ? `--incident "${analysis.incident.id}"` : `--analysis ${out}`} --treasury <address>` : ""),
    );
  }
  return analysis;
}

export default async function incidentAnalyze(args: Partial<AnalyzeArgs>, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(() => analyzeAction(args, hre));
}
