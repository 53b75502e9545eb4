// The address book the deploy task writes (deployments/<network>.json, see tasks/lib/address-book.ts)
// as the keeper reads it: only the fields it needs, validated here, so the keeper does not depend
// on the tasks. `contracts: { addressBook: "deployments/localhost.json" }` in the keeper config
// fills contracts.breaker / guardian, every `$name` of the rules (the book's contract keys) and
// chain.multicall3 (the book's `multicall3` entry, else the canonical address).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { address } from "./fields.js";

export const keeperAddressBookSchema = z.object({
  network: z.string().optional(),
  chainId: z.number().int().positive(),
  contracts: z.record(z.string(), address),
});
export type KeeperAddressBook = z.output<typeof keeperAddressBookSchema>;

/** Read and validate an address book; `path` relative to the working directory. Throws with what to do. */
export function readKeeperAddressBook(path: string): KeeperAddressBook {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (err) {
    throw new Error(`cannot read the address book ${abs} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): deploy first (npm run deploy:local against npx hardhat node) or fix the path`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`the address book ${abs} is not valid JSON: ${(err as Error).message}`);
  }
  const r = keeperAddressBookSchema.safeParse(json);
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.join(".") || "<root>"}: ${i.message}`).join("; ");
    throw new Error(`the address book ${abs} is not valid (${why}): re-run the deploy task or fix the file`);
  }
  return r.data;
}
