// Option builders shared by every task group (operator, incident, readiness…), so the same
// option means the same thing everywhere.
import { ArgumentType } from "hardhat/types/arguments";

/** A string option ("" when not given). */
export const str = (name: string, description: string, defaultValue = "") => ({
  name,
  description,
  type: ArgumentType.STRING,
  defaultValue,
});

/** An integer option (`defaultValue` when not given; -1 commonly means "not given"). */
export const int = (name: string, description: string, defaultValue = -1) => ({
  name,
  description,
  type: ArgumentType.INT,
  defaultValue,
});

/** --verbose: a stack trace for unexpected errors (bugs); failed checks are always one sentence. */
export const verboseFlag = { name: "verbose", description: "On an unexpected error (a bug), print the stack trace" };

/**
 * Options every chain-touching task takes: --deployments, --rpc-url, --dry-run, --json, --verbose and,
 * unless `signer: false`, the sender (--key-env or --from).
 */
export function withCommonOptions(builder: unknown, opts: { signer?: boolean } = {}): any {
  let b: any = builder;
  b = b
    .addOption(str("deployments", "Directory of the address books (default ./deployments)"))
    .addOption(str("rpcUrl", "JSON-RPC URL to use instead of the http network's configured one (a task option: after the task name)"))
    .addFlag({ name: "dryRun", description: "Validate and simulate only: print the decoded effect; write and send nothing" })
    .addFlag({ name: "json", description: "Machine-readable output; on failure a JSON error object {ok:false,error,hint,field} on stdout" })
    .addFlag(verboseFlag);
  if (opts.signer !== false) {
    b = b
      .addOption(str("keyEnv", "Environment variable holding the sender's private key"))
      .addOption(str("from", "Address or index of one of the network's configured accounts (default: the first)"));
  }
  return b;
}
