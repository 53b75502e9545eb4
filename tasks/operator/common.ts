// Options every operator task shares, and the wrapper that turns failed checks into clean errors.
import { checkChainId, deploymentsDir, readAddressBook, type AddressBook } from "../lib/address-book.js";
import { probeContract, type OperatorChain } from "../lib/chain.js";
import { explainError } from "../lib/errors.js";
import { nextCommand, toJson } from "../lib/output.js";
import { requireAddress } from "../lib/validation.js";

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
  /** Stack traces for unexpected errors (bugs). */
  verbose?: boolean;
}

export const commonDefaults: CommonArgs = { deployments: "", rpcUrl: "", keyEnv: "", from: "", dryRun: false, json: false, verbose: false };

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

/** `--breaker` if given, else the address book's breaker; must be a CircuitBreaker (probed). */
export async function breakerAddress(chain: OperatorChain, book: AddressBook, option: string | undefined): Promise<string> {
  const addr = option ? requireAddress(option, "--breaker") : requireAddress(book.contracts.breaker, "address book contracts.breaker");
  await probeContract(chain, "circuitBreaker", addr, option ? "--breaker" : "the address book's contracts.breaker", option ? "breaker" : "deployments");
  return addr;
}

/** `--multisig` if given, else the address book's guardian; must be a GuardianMultisig (probed). */
export async function multisigAddress(chain: OperatorChain, book: AddressBook, option: string | undefined): Promise<string> {
  const addr = option ? requireAddress(option, "--multisig") : requireAddress(book.contracts.guardian, "address book contracts.guardian");
  await probeContract(chain, "multisig", addr, option ? "--multisig" : "the address book's contracts.guardian", option ? "multisig" : "deployments");
  return addr;
}

/** The exact command to run next on the same chain (see nextCommand). */
export function next(chain: OperatorChain, task: string, ...options: (string | undefined | false)[]): string {
  return `\`${nextCommand(chain.invocation, task, options)}\``;
}

export interface RunFlags {
  json?: boolean;
  verbose?: boolean;
}

/**
 * Run a task body. A failed check prints "✗ …  → what to do" on stderr (with --json also
 * {ok:false,error,hint,field} on stdout) and sets exit code 1. An unexpected error (a bug) sets exit
 * code 2 and shows its stack only with --verbose. No stack trace for input a person typed.
 */
export async function runAction(body: () => Promise<unknown>, flags?: RunFlags): Promise<void> {
  // Tasks that do not pass their flags (older call sites) still honour --json / --verbose on the CLI.
  const json = flags?.json ?? process.argv.includes("--json");
  const verbose = flags?.verbose ?? process.argv.includes("--verbose");
  try {
    await body();
  } catch (err) {
    const { error, bug } = explainError(err);
    if (json) process.stdout.write(toJson(error.toJSON()) + "\n");
    process.stderr.write(`✗ ${error.message}\n`);
    if (bug && verbose) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = bug ? 2 : 1;
  }
}
