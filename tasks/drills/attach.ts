// Safe attachment to a forked chain: the fork URL is reachable and the block exists before any
// simulated network is created (a closed port or a block past the head must not hang the run),
// and an address book is used only when it belongs to THIS chain at THIS block — same chain id,
// deployed at or before the fork block, code at every contract it names. Anything else is
// refused with what to pass instead.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { isAddress } from "ethers";
import { DrillInputError, type AddressBook } from "./types.js";

const RPC_TIMEOUT_MS = 8_000;

/** One JSON-RPC call with a timeout; errors are sentences naming the URL. */
export async function rpcCall<T = unknown>(url: string, method: string, params: unknown[] = [], what = "--fork-url"): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
    });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    const why = e.name === "TimeoutError" ? `no answer within ${RPC_TIMEOUT_MS / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
    throw new DrillInputError(`cannot reach ${what} ${url} (${why}): start the node or pass a reachable JSON-RPC URL`);
  }
  let body: { result?: T; error?: { message?: string } };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new DrillInputError(`${what} ${url} answered HTTP ${res.status} with something that is not JSON-RPC: pass the URL of a JSON-RPC endpoint`);
  }
  if (body.error || body.result === undefined) throw new DrillInputError(`${what} ${url}: ${method} failed: ${body.error?.message ?? "no result"}`);
  return body.result;
}

export interface ForkTarget {
  url: string;
  chainId: number;
  head: number;
  /** The block the fork starts from: --fork-block, else the head. */
  blockNumber: number;
}

/** Check the fork URL answers and the block exists, before a simulated network forks it. */
export async function preflightFork(url: string, forkBlock?: number): Promise<ForkTarget> {
  try {
    new URL(url);
  } catch {
    throw new DrillInputError(`--fork-url "${url}" is not a URL: pass e.g. --fork-url http://127.0.0.1:8545`);
  }
  const chainId = Number(BigInt(await rpcCall<string>(url, "eth_chainId")));
  const head = Number(BigInt(await rpcCall<string>(url, "eth_blockNumber")));
  if (forkBlock !== undefined) {
    if (!Number.isSafeInteger(forkBlock) || forkBlock < 0) throw new DrillInputError(`--fork-block ${forkBlock} is not a block number`);
    if (forkBlock > head) throw new DrillInputError(`--fork-block ${forkBlock} is past the head of ${url} (block ${head}): pass a block at or below ${head}, or omit --fork-block to fork the head`);
  }
  return { url, chainId, head, blockNumber: forkBlock ?? head };
}

/** Read and shape-check an address book file; errors name the file and the field. */
export function readAddressBook(path: string): AddressBook {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new DrillInputError(`cannot read the address book ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}): pass --address-book <deployments/<network>.json written by \`breakwater deploy\`>`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DrillInputError(`the address book ${path} is not valid JSON (${(err as Error).message}); is it truncated? Re-run \`breakwater deploy\` or restore the file`);
  }
  const b = raw as Partial<AddressBook>;
  const bad = (field: string, want: string) => new DrillInputError(`the address book ${path}: ${field} ${want}`);
  if (!b || typeof b !== "object") throw bad("<root>", "must be an object");
  if (!Number.isSafeInteger(b.chainId)) throw bad("chainId", "must be the chain id (a number)");
  if (!Number.isSafeInteger(b.blockNumber)) throw bad("blockNumber", "must be the deployment block (a number)");
  if (!b.contracts || typeof b.contracts !== "object") throw bad("contracts", "must map names to addresses");
  for (const [k, v] of Object.entries(b.contracts)) if (typeof v !== "string" || !isAddress(v)) throw bad(`contracts.${k}`, `is not an address (${JSON.stringify(v)})`);
  return b as AddressBook;
}

/** Why `book` cannot be used on the fork at `target.blockNumber`, or null when it can. */
export async function bookMismatch(book: AddressBook, target: ForkTarget): Promise<string | null> {
  if (book.chainId !== target.chainId) return `its chainId is ${book.chainId} but ${target.url} is chain ${target.chainId}`;
  if (book.blockNumber > target.blockNumber) return `it was deployed at block ${book.blockNumber}, after the fork block ${target.blockNumber}: nothing of it exists at that block (fork at or after ${book.blockNumber})`;
  const tag = "0x" + target.blockNumber.toString(16);
  const missing: string[] = [];
  for (const [name, address] of Object.entries(book.contracts)) {
    const code = await rpcCall<string>(target.url, "eth_getCode", [address, tag]);
    if (!code || code === "0x") missing.push(`${name} (${address})`);
  }
  if (missing.length) return `no code at block ${target.blockNumber} of ${target.url} for ${missing.join(", ")}: this book describes another chain (or another node with the same chain id)`;
  return null;
}

export interface BookChoice {
  book?: AddressBook;
  path?: string;
  /** Books found in deployments/ but not used, with why (printed as a warning). */
  ignored: string[];
  /** The book passed with --address-book does not fit the fork: every scenario is refused. */
  refused?: string;
}

/**
 * The address book for the fork: the one passed (must match, else the whole run is refused with
 * the reason), or the first deployments/*.json that matches chain id, block and code (books that
 * do not are ignored with a warning: the scenarios deploy their own contracts instead).
 */
export async function chooseAddressBook(target: ForkTarget, explicit: string | undefined, root: string): Promise<BookChoice> {
  if (explicit) {
    const path = resolve(root, explicit);
    const book = readAddressBook(path);
    const why = await bookMismatch(book, target);
    if (why) return { ignored: [], refused: `address book ${explicit} not used: ${why}. Pass --address-book <the book of the chain you fork> or --fork-block <a block at or after its deployment>` };
    return { book, path, ignored: [] };
  }
  const dir = resolve(root, "deployments");
  const ignored: string[] = [];
  if (!existsSync(dir)) return { ignored };
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".json")).sort()) {
    const path = join(dir, f);
    let book: AddressBook;
    try {
      book = readAddressBook(path);
    } catch {
      continue; // not an address book (params, logs)
    }
    if (book.chainId !== target.chainId) continue;
    const why = await bookMismatch(book, target);
    if (why) {
      ignored.push(`${relative(root, path)}: ${why}`);
      continue;
    }
    return { book, path, ignored };
  }
  return { ignored };
}
