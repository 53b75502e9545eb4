// deployments/<network>.json (the AddressBook written by `deploy`, read by every task, the keeper
// and drills) and deployments/<network>.log.jsonl (an append-only log of operator actions).
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import type { AddressBook } from "../drills/types.js";
import { fail } from "./errors.js";

export type { AddressBook };

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x address");

export const addressBookSchema = z.object({
  network: z.string().min(1),
  chainId: z.number().int().positive(),
  deployedAt: z.string(),
  blockNumber: z.number().int().nonnegative(),
  contracts: z.record(address).refine((c) => c.guardian !== undefined && c.breaker !== undefined, {
    message: "contracts.guardian and contracts.breaker are required",
  }),
  roles: z
    .object({
      guardians: z.array(address).optional(),
      sentinel: address.optional(),
      admin: address.optional(),
      deployer: address.optional(),
      deployerRenounced: z.boolean().optional(),
    })
    .optional(),
  /** The protocol's own contracts wired by `deploy` (also under contracts.<name>). */
  protocol: z
    .array(z.object({ name: z.string(), address, kind: z.enum(["breakable", "standalone"]), breaker: address }))
    .optional(),
  /** Contract key → role (or "owner") → holders, read back from the chain after `deploy`. */
  roleHolders: z.record(z.record(z.array(address))).optional(),
  /** The Ignition deployment that produced this book (journal next to it, when not in-process). */
  ignition: z.object({ deploymentId: z.string(), journal: z.string().optional() }).optional(),
});

export function addressBookPath(dir: string, network: string): string {
  return resolve(dir, `${network}.json`);
}

export function logPath(dir: string, network: string): string {
  return resolve(dir, `${network}.log.jsonl`);
}

/** Read and validate deployments/<network>.json; errors say how to create it. */
export function readAddressBook(dir: string, network: string): AddressBook {
  const path = addressBookPath(dir, network);
  if (!existsSync(path)) {
    fail(
      `no address book for network "${network}" at ${path}`,
      `deploy first (\`npx hardhat --network ${network} breakwater deploy --params deployments/params/<file>.json\`) or pass --deployments <dir>`,
      "deployments",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    return fail(`the address book ${path} is not valid JSON (${(err as Error).message}): it may be truncated`, "restore it from version control or re-run `npx hardhat breakwater deploy --force`", "deployments");
  }
  const parsed = addressBookSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    return fail(`${path} is not a valid address book: ${issues}`, "re-run `npx hardhat breakwater deploy --force` or fix the file", "deployments");
  }
  return parsed.data as AddressBook;
}

/** Write the address book; refuses to overwrite unless `force`. */
export function writeAddressBook(dir: string, book: AddressBook, force: boolean): string {
  const path = addressBookPath(dir, book.network);
  if (existsSync(path) && !force) {
    fail(`an address book already exists at ${path}`, "pass --force to overwrite it (the old deployment stays on-chain), or use another --deployments dir");
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(book, null, 2) + "\n");
  return path;
}

/** Check the connected chain is the one the address book was written for. */
export function checkChainId(book: AddressBook, chainId: number, network: string): void {
  if (book.chainId !== chainId) {
    fail(
      `the address book for "${network}" is for chain ${book.chainId}, but the connected chain is ${chainId}`,
      "check --network / --rpc-url, or redeploy with `npx hardhat breakwater deploy --force`",
      "deployments",
    );
  }
}

/** One JSON line per operator action (the contracts have no reason field). */
export function appendLog(dir: string, network: string, entry: Record<string, unknown>): string {
  const path = logPath(dir, network);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, JSON.stringify({ at: new Date().toISOString(), network, ...entry }, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) + "\n");
  return path;
}

export function deploymentsDir(option: string | undefined): string {
  return resolve(option && option !== "" ? option : join(process.cwd(), "deployments"));
}
