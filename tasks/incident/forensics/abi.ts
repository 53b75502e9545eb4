// ABI registry for forensics: every artifact of the project (artifacts/contracts/**) plus known
// public ABIs (ERC-20, ERC-4626, WETH9, Uniswap V2 pair / factory / router). Decodes calls by
// selector and logs by topic0 (trying every fragment that shares a topic0, e.g. ERC-20 vs
// ERC-721 Transfer); unknown selectors and events are returned raw.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { EventFragment, FunctionFragment, Interface, type Result } from "ethers";

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
  args?: Record<string, string>;
  raw?: string;
}

export interface DecodedEvent {
  address: string;
  logIndex: number;
  topic0: string;
  signature?: string;
  source?: string;
  args?: Record<string, string>;
  raw?: { topics: string[]; data: string };
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

export class AbiRegistry {
  private readonly functions = new Map<string, { iface: Interface; fragment: FunctionFragment; source: string }[]>();
  private readonly events = new Map<string, { iface: Interface; fragment: EventFragment; source: string }[]>();
  readonly sources: string[] = [];

  add(source: string, abi: readonly unknown[]): void {
    let iface: Interface;
    try {
      iface = new Interface(abi as never);
    } catch {
      return;
    }
    this.sources.push(source);
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
  }

  decodeCall(input: string): DecodedCall | undefined {
    if (!input || input === "0x") return undefined;
    const selector = input.slice(0, 10).toLowerCase();
    for (const c of this.functions.get(selector) ?? []) {
      try {
        const values = c.iface.decodeFunctionData(c.fragment, input);
        return { selector, signature: c.fragment.format("sighash"), source: c.source, args: named(c.fragment.inputs, values) };
      } catch {
        /* try the next fragment with this selector */
      }
    }
    return { selector, raw: input.length > 2 + 8 + 64 * 8 ? `${input.slice(0, 10 + 64 * 8)}…(${(input.length - 2) / 2} bytes)` : input };
  }

  decodeLog(log: { address: string; topics: readonly string[]; data: string; logIndex: number }): DecodedEvent {
    const topic0 = (log.topics[0] ?? "0x").toLowerCase();
    for (const c of this.events.get(topic0) ?? []) {
      try {
        const values = c.iface.decodeEventLog(c.fragment, log.data, log.topics as string[]);
        return { address: log.address, logIndex: log.logIndex, topic0, signature: c.fragment.format("sighash"), source: c.source, args: named(c.fragment.inputs, values) };
      } catch {
        /* indexed pattern does not match: next */
      }
    }
    return { address: log.address, logIndex: log.logIndex, topic0, raw: { topics: [...log.topics], data: log.data } };
  }
}

function walkJson(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walkJson(p, out);
    else if (name.endsWith(".json") && !name.endsWith(".dbg.json")) out.push(p);
  }
}

let cached: AbiRegistry | undefined;

/** All project artifacts (artifacts/contracts/**) and the known ABIs. */
export function loadAbiRegistry(root = resolve(import.meta.dirname, "../../..")): AbiRegistry {
  if (cached) return cached;
  const reg = new AbiRegistry();
  for (const [name, abi] of Object.entries(KNOWN_ABIS)) reg.add(name, abi);
  const files: string[] = [];
  walkJson(join(root, "artifacts", "contracts"), files);
  for (const f of files.sort()) {
    try {
      const j = JSON.parse(readFileSync(f, "utf8")) as { abi?: unknown[]; contractName?: string };
      if (Array.isArray(j.abi) && j.abi.length) reg.add(j.contractName ?? f, j.abi);
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
  cached = reg;
  return reg;
}
