// Errors for people: what was wrong (which input), and what to do about it.
import { Interface, type ErrorDescription } from "ethers";

/** A failed check of an operator task. `hint` says what to do instead. Nothing was sent. */
export class OperatorError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(hint === undefined ? message : `${message}\n  → ${hint}`);
    this.name = "OperatorError";
    this.hint = hint;
  }
}

export function fail(message: string, hint?: string): never {
  throw new OperatorError(message, hint);
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
  return e?.shortMessage ?? e?.message ?? String(err);
}

/** Run a simulation; a revert becomes an OperatorError that names the decoded reason. */
export async function simulate<T>(what: string, call: () => Promise<T>, hint?: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof OperatorError) throw err;
    throw new OperatorError(`simulation of ${what} reverted: ${describeRevert(err)}; nothing was sent`, hint);
  }
}
