// Options every operator task shares, and the wrapper that turns failed checks into clean errors.
import { checkChainId, deploymentsDir, readAddressBook, type AddressBook } from "../lib/address-book.js";
import type { OperatorChain } from "../lib/chain.js";
import { OperatorError } from "../lib/errors.js";
import { requireAddress, requireCode } from "../lib/validation.js";

export interface CommonArgs {
  /** Directory of the address books (default ./deployments). */
  deployments: string;
  /** JSON-RPC URL overriding the http network's configured one. */
  rpcUrl: string;
  /** Environment variable holding the sender's private key. */
  keyEnv: string;
  /** Address or index of one of the network's configured accounts. */
  from: string;
  dryRun: boolean;
  json: boolean;
}

export const commonDefaults: CommonArgs = { deployments: "", rpcUrl: "", keyEnv: "", from: "", dryRun: false, json: false };

export interface BookContext {
  book: AddressBook;
  dir: string;
}

/** The address book of the connected network, checked against its chain id. */
export function loadBook(args: Pick<CommonArgs, "deployments">, chain: OperatorChain): BookContext {
  const dir = deploymentsDir(args.deployments);
  const book = readAddressBook(dir, chain.networkName);
  checkChainId(book, chain.chainId, chain.networkName);
  return { book, dir };
}

/** `--breaker` if given, else the address book's breaker; must hold code. */
export async function breakerAddress(chain: OperatorChain, book: AddressBook, option: string | undefined): Promise<string> {
  const addr = option ? requireAddress(option, "--breaker") : requireAddress(book.contracts.breaker, "address book contracts.breaker");
  await requireCode(chain.ethers.provider, addr, "breaker");
  return addr;
}

/** Run a task body; a failed check prints "✗ …  → what to do" and sets exit code 1 (no stack trace). */
export async function runAction(body: () => Promise<unknown>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof OperatorError) {
      process.stderr.write(`✗ ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
