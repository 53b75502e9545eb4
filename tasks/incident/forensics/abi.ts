// ABI registry for forensics: every artifact of the project (artifacts/contracts/**) plus known
// public ABIs (ERC-20, ERC-4626, WETH9, Uniswap V2 pair / factory / router). Decodes calls by
// selector and logs by topic0 (trying every fragment that shares a topic0, e.g. ERC-20 vs
// ERC-721 Transfer); unknown selectors and events are returned raw.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join, resolve } from "node:path";
import { AbiCoder, ErrorFragment, EventFragment, FunctionFragment, Interface, type Result } from "ethers";
import { fail } from "../../lib/errors.js";

export const KNOWN_ABIS: Record<string, string[]> = {
  ERC20: [
    "function transfer(address to, uint256 amount) returns (bool)",
    "function transferFrom(address from, address to, uint256 amount) returns (bool)",
    "function approve(address spender, uint256 amount) returns (bool)",
    "function balanceOf(address account) view returns (uint256)",
    "function totalSupply() view returns (uint256)",
    "function decimals() view returns (uint8)",
    "function symbol() view returns (string)",
    "event Transfer(address indexed from, address indexed to, uint256 value)",
    "event Approval(address indexed owner, address indexed spender, uint256 value)",
  ],
  ERC4626: [
    "function asset() view returns (address)",
    "function totalAssets() view returns (uint256)",
    "function convertToAssets(uint256 shares) view returns (uint256)",
    "function convertToShares(uint256 assets) view returns (uint256)",
    "function deposit(uint256 assets, address receiver) returns (uint256)",
    "function mint(uint256 shares, address receiver) returns (uint256)",
    "function withdraw(uint256 assets, address receiver, address owner) returns (uint256)",
    "function redeem(uint256 shares, address receiver, address owner) returns (uint256)",
    "event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares)",
    "event Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares)",
  ],
  WETH9: [
    "function deposit() payable",
    "function withdraw(uint256 wad)",
    "event Deposit(address indexed dst, uint256 wad)",
    "event Withdrawal(address indexed src, uint256 wad)",
  ],
  UniswapV2Router02: [
    "function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)",
    "function swapTokensForExactTokens(uint256 amountOut, uint256 amountInMax, address[] path, address to, uint256 deadline) returns (uint256[] amounts)",
    "function swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline) payable returns (uint256[] amounts)",
    "function swapExactTokensForETH(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)",
    "function addLiquidity(address tokenA, address tokenB, uint256 amountADesired, uint256 amountBDesired, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline) returns (uint256 amountA, uint256 amountB, uint256 liquidity)",
    "function removeLiquidity(address tokenA, address tokenB, uint256 liquidity, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline) returns (uint256 amountA, uint256 amountB)",
  ],
};

export interface DecodedCall {
  selector: string;
  /** "Contract.fn(type,…)" when known; undefined for an unknown selector (raw data kept). */
  signature?: string;
  source?: string;
  /** The contract the call was attributed to (by its address: address book, artifact bytecode, --abi binding). */
  contract?: string;
  /** How the ABI was chosen: "address" (the callee is a known contract) or "selector-guess" (first ABI with this selector: a guess). */
  attributedBy?: "address" | "selector-guess";
  args?: Record<string, string>;
  raw?: string;
}

export interface DecodedEvent {
  address: string;
  logIndex: number;
  topic0: string;
  signature?: string;
  /** With indexed flags and names ("Borrowed(address indexed borrower, uint256 amount)"): what a keeper matcher takes. */
  full?: string;
  source?: string;
  contract?: string;
  attributedBy?: "address" | "selector-guess";
  args?: Record<string, string>;
  raw?: { topics: string[]; data: string };
}

export interface DecodedRevert {
  /** "Error(string)", "Panic(uint256)", a custom error signature, or undefined (raw data). */
  signature?: string;
  /** Human-readable: the reason string, the panic code, or Name(arg=value, …). */
  text: string;
  contract?: string;
  attributedBy?: "address" | "selector-guess";
  args?: Record<string, string>;
  raw: string;
}

/** An artifact as Hardhat writes it (only the fields read). */
export interface ArtifactLike {
  contractName: string;
  sourceName?: string;
  abi: readonly unknown[];
  deployedBytecode?: string;
  immutableReferences?: Record<string, { start: number; length: number }[]>;
}

function stringify(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return `[${v.map(stringify).join(",")}]`;
  if (v && typeof v === "object" && "toArray" in v) return stringify((v as Result).toArray());
  return String(v);
}

function named(fragmentInputs: readonly { name: string }[], values: Result): Record<string, string> {
  const out: Record<string, string> = {};
  fragmentInputs.forEach((inp, i) => {
    out[inp.name || `arg${i}`] = stringify(values[i]);
  });
  return out;
}

const PANIC: Record<number, string> = { 0x01: "assert failed", 0x11: "arithmetic overflow/underflow", 0x12: "division by zero", 0x21: "invalid enum value", 0x22: "bad storage byte array", 0x31: "pop on empty array", 0x32: "array index out of bounds", 0x41: "out of memory", 0x51: "call to an invalid function" };

/** Runtime code with the immutable ranges zeroed, for comparison with on-chain code. */
function maskImmutables(code: string, refs: ArtifactLike["immutableReferences"]): string {
  const hex = code.startsWith("0x") ? code.slice(2) : code;
  if (!refs) return hex.toLowerCase();
  const chars = hex.toLowerCase().split("");
  for (const list of Object.values(refs)) for (const r of list) for (let i = r.start * 2; i < (r.start + r.length) * 2 && i < chars.length; i++) chars[i] = "0";
  return chars.join("");
}

export class AbiRegistry {
  private readonly functions = new Map<string, { iface: Interface; fragment: FunctionFragment; source: string }[]>();
  private readonly events = new Map<string, { iface: Interface; fragment: EventFragment; source: string }[]>();
  private readonly errors = new Map<string, { iface: Interface; fragment: ErrorFragment; source: string }[]>();
  /** lc address -> the contract deployed there and its ABI. */
  private readonly byAddress = new Map<string, { name: string; iface: Interface; source: string; how: string }>();
  /** Artifacts with runtime code, for attribution by bytecode. */
  private readonly bytecodes: { name: string; iface: Interface; source: string; masked: string; refs: ArtifactLike["immutableReferences"] }[] = [];
  private readonly ifaces = new Map<string, Interface>();
  readonly sources: string[] = [];

  add(source: string, abi: readonly unknown[]): Interface | undefined {
    let iface: Interface;
    try {
      iface = new Interface(abi as never);
    } catch {
      return undefined;
    }
    this.sources.push(source);
    this.ifaces.set(source, iface);
    iface.forEachFunction((fragment) => {
      const list = this.functions.get(fragment.selector) ?? [];
      if (!list.some((x) => x.fragment.format("sighash") === fragment.format("sighash"))) list.push({ iface, fragment, source });
      this.functions.set(fragment.selector, list);
    });
    iface.forEachEvent((fragment) => {
      const list = this.events.get(fragment.topicHash) ?? [];
      const key = fragment.format("full");
      if (!list.some((x) => x.fragment.format("full") === key)) list.push({ iface, fragment, source });
      this.events.set(fragment.topicHash, list);
    });
    for (const fragment of iface.fragments) {
      if (!(fragment instanceof ErrorFragment)) continue;
      const list = this.errors.get(fragment.selector) ?? [];
      if (!list.some((x) => x.fragment.format("sighash") === fragment.format("sighash"))) list.push({ iface, fragment, source });
      this.errors.set(fragment.selector, list);
    }
    return iface;
  }

  /** An artifact: its ABI, and its runtime code for attribution by bytecode. Later artifacts win over earlier ones of the same name. */
  addArtifact(a: ArtifactLike, origin: string): void {
    const source = a.sourceName ? `${a.sourceName}:${a.contractName}` : a.contractName;
    const iface = this.add(`${origin} ${source}`, a.abi);
    if (!iface) return;
    const code = a.deployedBytecode;
    if (code && code !== "0x" && code.length > 4 && !/__\$[0-9a-f]{34}\$__/.test(code)) {
      this.bytecodes.unshift({ name: a.contractName, iface, source: `${origin} ${source}`, masked: maskImmutables(code, a.immutableReferences), refs: a.immutableReferences });
    }
  }

  /** Bind an address to a contract's ABI (address book, --abi address=file, matched bytecode). */
  bind(address: string, name: string, abi: readonly unknown[] | Interface, how: string): void {
    const iface = abi instanceof Interface ? abi : new Interface(abi as never);
    if (!(abi instanceof Interface)) this.add(`${how} ${name}`, abi);
    this.byAddress.set(address.toLowerCase(), { name, iface, source: `${how} ${name}`, how });
  }

  /** The ABI of an artifact by contract name (for address-book entries). */
  artifactByName(name: string): Interface | undefined {
    return this.bytecodes.find((b) => b.name === name)?.iface ?? [...this.ifaces.entries()].find(([s]) => s.endsWith(`:${name}`) || s.endsWith(` ${name}`))?.[1];
  }

  bound(address: string): { name: string; how: string } | undefined {
    const b = this.byAddress.get(address.toLowerCase());
    return b && { name: b.name, how: b.how };
  }

  /** Attribute an address by its runtime code: the artifact whose code (immutables masked) equals it. */
  attributeByCode(address: string, code: string): string | undefined {
    if (this.byAddress.has(address.toLowerCase())) return this.byAddress.get(address.toLowerCase())!.name;
    if (!code || code === "0x") return undefined;
    for (const b of this.bytecodes) {
      if (b.masked.length !== code.length - 2) continue;
      if (maskImmutables(code, b.refs) === b.masked) {
        this.byAddress.set(address.toLowerCase(), { name: b.name, iface: b.iface, source: b.source, how: "bytecode" });
        return b.name;
      }
    }
    return undefined;
  }

  decodeCall(input: string, to?: string | null): DecodedCall | undefined {
    if (!input || input === "0x") return undefined;
    const selector = input.slice(0, 10).toLowerCase();
    const known = to ? this.byAddress.get(to.toLowerCase()) : undefined;
    if (known) {
      const fragment = known.iface.getFunction(selector);
      if (fragment) {
        try {
          const values = known.iface.decodeFunctionData(fragment, input);
          return { selector, signature: fragment.format("sighash"), source: known.source, contract: known.name, attributedBy: "address", args: named(fragment.inputs, values) };
        } catch {
          /* bad calldata for this function: raw below */
        }
      }
    }
    for (const c of this.functions.get(selector) ?? []) {
      try {
        const values = c.iface.decodeFunctionData(c.fragment, input);
        return { selector, signature: c.fragment.format("sighash"), source: c.source, attributedBy: "selector-guess", args: named(c.fragment.inputs, values) };
      } catch {
        /* try the next fragment with this selector */
      }
    }
    return { selector, ...(known ? { contract: known.name } : {}), raw: input.length > 2 + 8 + 64 * 8 ? `${input.slice(0, 10 + 64 * 8)}…(${(input.length - 2) / 2} bytes)` : input };
  }

  decodeLog(log: { address: string; topics: readonly string[]; data: string; logIndex: number }): DecodedEvent {
    const topic0 = (log.topics[0] ?? "0x").toLowerCase();
    const known = this.byAddress.get(log.address.toLowerCase());
    if (known) {
      const fragment = known.iface.getEvent(topic0);
      if (fragment) {
        try {
          const values = known.iface.decodeEventLog(fragment, log.data, log.topics as string[]);
          return { address: log.address, logIndex: log.logIndex, topic0, signature: fragment.format("sighash"), full: fragment.format("full").replace(/^event /, ""), source: known.source, contract: known.name, attributedBy: "address", args: named(fragment.inputs, values) };
        } catch {
          /* indexed layout differs: guess below */
        }
      }
    }
    for (const c of this.events.get(topic0) ?? []) {
      try {
        const values = c.iface.decodeEventLog(c.fragment, log.data, log.topics as string[]);
        return { address: log.address, logIndex: log.logIndex, topic0, signature: c.fragment.format("sighash"), full: c.fragment.format("full").replace(/^event /, ""), source: c.source, attributedBy: "selector-guess", args: named(c.fragment.inputs, values) };
      } catch {
        /* indexed pattern does not match: next */
      }
    }
    return { address: log.address, logIndex: log.logIndex, topic0, ...(known ? { contract: known.name } : {}), raw: { topics: [...log.topics], data: log.data } };
  }

  /** Decode revert data: Error(string), Panic(uint256), or a custom error (the reverting contract's ABI first). */
  decodeRevert(data: string | undefined, to?: string | null): DecodedRevert | undefined {
    if (!data || data === "0x") return undefined;
    const selector = data.slice(0, 10).toLowerCase();
    const coder = AbiCoder.defaultAbiCoder();
    try {
      if (selector === "0x08c379a0") return { signature: "Error(string)", text: String(coder.decode(["string"], "0x" + data.slice(10))[0]), raw: data };
      if (selector === "0x4e487b71") {
        const code = Number(coder.decode(["uint256"], "0x" + data.slice(10))[0]);
        return { signature: "Panic(uint256)", text: `panic 0x${code.toString(16)} (${PANIC[code] ?? "unknown panic code"})`, raw: data };
      }
    } catch {
      /* malformed: raw */
    }
    const known = to ? this.byAddress.get(to.toLowerCase()) : undefined;
    const candidates: { iface: Interface; fragment: ErrorFragment; source: string; how: "address" | "selector-guess"; contract?: string }[] = [];
    if (known) {
      const f = known.iface.fragments.find((x): x is ErrorFragment => x instanceof ErrorFragment && x.selector === selector);
      if (f) candidates.push({ iface: known.iface, fragment: f, source: known.source, how: "address", contract: known.name });
    }
    for (const c of this.errors.get(selector) ?? []) candidates.push({ ...c, how: "selector-guess" });
    for (const c of candidates) {
      try {
        const values = c.iface.decodeErrorResult(c.fragment, data);
        const args = named(c.fragment.inputs, values);
        return {
          signature: c.fragment.format("sighash"),
          text: `${c.fragment.name}(${Object.entries(args).map(([k, v]) => `${k}=${v}`).join(", ")})`,
          attributedBy: c.how,
          ...(c.contract ? { contract: c.contract } : {}),
          args,
          raw: data,
        };
      } catch {
        /* next */
      }
    }
    return { text: `unknown error ${selector}`, raw: data };
  }
}

/** Read ABIs from --abi: a JSON artifact / ABI array file, or a directory of them (recursively).
 * `0xAddress=path` binds the file's ABI to that address (attribution by address). */
export function loadAbiOption(reg: AbiRegistry, spec: string): { bound?: string; files: number } {
  const m = /^(0x[0-9a-fA-F]{40})=(.+)$/.exec(spec.trim());
  const path = resolve(m ? m[2]! : spec.trim());
  if (!existsSync(path)) fail(`--abi ${spec}: no such file or directory`, "pass a Hardhat artifact / ABI JSON file, a directory of them, or 0xAddress=<file>");
  const files: string[] = [];
  if (statSync(path).isDirectory()) walkJson(path, files);
  else files.push(path);
  let n = 0;
  for (const f of files.sort()) {
    let j: unknown;
    try {
      j = JSON.parse(readFileSync(f, "utf8"));
    } catch (err) {
      if (!statSync(path).isDirectory()) fail(`--abi ${f} is not valid JSON: ${(err as Error).message}`);
      continue;
    }
    const abi = Array.isArray(j) ? j : Array.isArray((j as ArtifactLike)?.abi) ? (j as ArtifactLike).abi : undefined;
    if (!abi) {
      if (!statSync(path).isDirectory()) fail(`--abi ${f} holds no ABI (expected a JSON array or an artifact with "abi")`);
      continue;
    }
    try {
      new Interface(abi as never);
    } catch (err) {
      if (!statSync(path).isDirectory()) fail(`--abi ${f}: the ABI does not parse: ${(err as Error).message.split("(")[0]}`);
      continue;
    }
    const name = (j as ArtifactLike).contractName ?? basename(f).replace(/\.json$/i, "");
    if (Array.isArray(j)) reg.add(`--abi ${name}`, abi);
    else reg.addArtifact({ ...(j as ArtifactLike), contractName: name }, "--abi");
    if (m) reg.bind(m[1]!, name, abi, "--abi");
    n++;
  }
  if (n === 0) fail(`--abi ${spec}: no ABI found`, "pass a Hardhat artifact / ABI JSON file or a directory of them");
  if (m && n > 1) fail(`--abi ${spec}: an address binding needs one file, the directory holds ${n} ABIs`);
  return { ...(m ? { bound: m[1] } : {}), files: n };
}

function walkJson(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walkJson(p, out);
    else if (name.endsWith(".json") && !name.endsWith(".dbg.json")) out.push(p);
  }
}

/** The known ABIs, Breakwater's own artifacts (artifacts/contracts/** of this package), and the
 * user's artifacts (`artifacts`, from hre.artifacts through the task): a new registry per analysis
 * (address bindings belong to one chain). */
export function loadAbiRegistry(root = resolve(import.meta.dirname, "../../.."), artifacts: ArtifactLike[] = []): AbiRegistry {
  const reg = new AbiRegistry();
  for (const [name, abi] of Object.entries(KNOWN_ABIS)) reg.add(name, abi);
  const files: string[] = [];
  walkJson(join(root, "artifacts", "contracts"), files);
  for (const f of files.sort()) {
    try {
      const j = JSON.parse(readFileSync(f, "utf8")) as ArtifactLike;
      if (Array.isArray(j.abi) && j.abi.length) reg.addArtifact({ ...j, contractName: j.contractName ?? basename(f, ".json") }, "breakwater");
    } catch {
      /* not an artifact */
    }
  }
  const req = createRequire(import.meta.url);
  for (const name of ["UniswapV2Pair", "UniswapV2Factory"]) {
    try {
      const j = JSON.parse(readFileSync(req.resolve(`@uniswap/v2-core/build/${name}.json`), "utf8")) as { abi: unknown[] };
      reg.add(name, j.abi);
    } catch {
      /* package absent */
    }
  }
  // The user's project artifacts last: attribution by bytecode prefers them.
  for (const a of artifacts) if (Array.isArray(a.abi) && a.abi.length) reg.addArtifact(a, "project");
  return reg;
}
