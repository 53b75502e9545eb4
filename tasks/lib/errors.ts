// Errors for people: what was wrong (which input), and what to do about it.
import { Interface, type ErrorDescription } from "ethers";

/**
 * A failed check of an operator task: `reason` says what is wrong, `hint` what to do instead, and
 * `field` names the input (the option, without dashes) when one input is to blame. Nothing was sent.
 */
export class OperatorError extends Error {
  readonly reason: string;
  readonly hint?: string;
  readonly field?: string;
  constructor(message: string, hint?: string, field?: string) {
    super(hint === undefined ? message : `${message}\n  → ${hint}`);
    this.name = "OperatorError";
    this.reason = message;
    this.hint = hint;
    this.field = field;
  }

  /** What `--json` prints on failure. */
  toJSON(): { ok: false; error: string; hint: string | null; field: string | null } {
    return { ok: false, error: this.reason, hint: this.hint ?? null, field: this.field ?? null };
  }
}

export function fail(message: string, hint?: string, field?: string): never {
  throw new OperatorError(message, hint, field);
}

const interfaces: Interface[] = [];

/** Register ABIs whose custom errors `describeRevert` should recognise. */
export function registerErrorAbi(abi: Interface | readonly unknown[]): void {
  interfaces.push(abi instanceof Interface ? abi : new Interface(abi as never));
}

function revertData(err: unknown): string | undefined {
  let e: any = err;
  for (let depth = 0; e && depth < 6; depth++) {
    if (typeof e.data === "string" && e.data.startsWith("0x")) return e.data;
    if (e.data && typeof e.data.data === "string") return e.data.data;
    if (e.info?.error?.data && typeof e.info.error.data === "string") return e.info.error.data;
    e = e.error ?? e.cause;
  }
  return undefined;
}

/** The decoded custom error of a revert (name and arguments), when one of the registered ABIs knows it. */
export function decodeRevert(err: unknown): { name: string; args: unknown[] } | undefined {
  const data = revertData(err);
  if (!data || data.length < 10) return undefined;
  for (const iface of interfaces) {
    let parsed: ErrorDescription | null = null;
    try {
      parsed = iface.parseError(data);
    } catch {
      parsed = null;
    }
    if (parsed) return { name: parsed.name, args: [...parsed.args] };
  }
  return undefined;
}

/** "AlreadyPaused(scope=0x…, until=1700000000)" for a reverted call, or the error's message. */
export function describeRevert(err: unknown): string {
  const data = revertData(err);
  if (data && data.length >= 10) {
    for (const iface of interfaces) {
      let parsed: ErrorDescription | null = null;
      try {
        parsed = iface.parseError(data);
      } catch {
        parsed = null;
      }
      if (parsed) {
        const args = parsed.fragment.inputs.map((inp, i) => `${inp.name || i}=${String(parsed!.args[i])}`);
        return `${parsed.name}(${args.join(", ")})`;
      }
    }
    return `revert data ${data}`;
  }
  const e = err as { shortMessage?: string; message?: string };
  return firstLine(e?.shortMessage ?? e?.message ?? String(err));
}

/** Run a simulation; a revert becomes an OperatorError that names the decoded reason. */
export async function simulate<T>(what: string, call: () => Promise<T>, hint?: string | ((err: unknown) => string | undefined)): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof OperatorError) throw err;
    const h = typeof hint === "function" ? hint(err) : hint;
    throw new OperatorError(`simulation of ${what} reverted: ${describeRevert(err)}; nothing was sent`, h);
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

function chainOf(err: unknown): any[] {
  const out: any[] = [];
  let e: any = err;
  for (let depth = 0; e && depth < 8; depth++) {
    out.push(e);
    e = e.cause ?? e.error;
  }
  return out;
}

/**
 * An error that is not an OperatorError, as a sentence: a node that cannot be reached, a Hardhat
 * configuration error, a call to something that is not the expected contract. Anything else is a bug
 * (`bug: true`): the top level says so and shows the stack only with --verbose.
 */
export function explainError(err: unknown): { error: OperatorError; bug: boolean } {
  if (err instanceof OperatorError) return { error: err, bug: false };
  const all = chainOf(err);
  const text = all.map((e) => `${e?.code ?? ""} ${e?.message ?? ""}`).join(" | ");
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|fetch failed|ECONNRESET|socket hang up|HHE706|HHE707/i.test(text)) {
    return {
      error: new OperatorError(
        `cannot reach the JSON-RPC node: ${firstLine(all.find((e) => /ECONNREFUSED|ENOTFOUND|fetch failed/i.test(`${e?.code} ${e?.message}`))?.message ?? all[0]?.message ?? String(err))}`,
        "start the node, or fix --rpc-url / the network's url in hardhat.config.ts",
        "rpcUrl",
      ),
      bug: false,
    };
  }
  const hh = all.find((e) => e?.name === "HardhatError" || /^HHE\d+/.test(String(e?.message ?? "")));
  if (hh) return { error: new OperatorError(firstLine(String(hh.message)), "see `npx hardhat breakwater <task> --help`"), bug: false };
  if (/function selector was not recognized|CALL_EXCEPTION|BAD_DATA|could not decode result data/i.test(text)) {
    return {
      error: new OperatorError(
        `a contract call failed: ${describeRevert(err)}`,
        "an address in the address book or the options is probably not the contract it should be; rerun with --verbose for details",
      ),
      bug: false,
    };
  }
  const msg = (err as Error)?.message ?? String(err);
  return {
    error: new OperatorError(`unexpected error: ${firstLine(msg)}`, "this is a bug (not your input): rerun with --verbose for the stack trace and report it"),
    bug: true,
  };
}
