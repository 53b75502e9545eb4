// Small structural types the responders need from the rest of the keeper.
import type { ContainOutcome } from "./contain.js";
import type { PauseOutcome } from "./sentinel.js";

/** pino-compatible subset. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

type TxKind = "pause" | "propose" | "contain";

/** Optional hooks for ops/metrics (prom-client counters live there). */
export interface ResponderMetrics {
  alertDelivered?(channel: string): void;
  alertFailed?(channel: string): void;
  txSent?(kind: TxKind, replacement: boolean): void;
  txIncluded?(kind: TxKind, blocks: number): void;
  contained?(incidentId: string): void;
  simulationFailed?(kind: TxKind, reason: string): void;
}

/**
 * Why a try of a pause / contain decision did not go through, as the actions table records it
 * (its `lastError`); undefined when it did. One wording, so a retry can tell "the same failure again".
 */
export function triedReason(out: PauseOutcome | ContainOutcome): string | undefined {
  if (out.status === "deferred") return `deferred: ${out.reason}`;
  if (out.status === "simulation-failed") return `simulation failed: ${out.reason}`;
  if (out.status === "error") return out.reason;
  return undefined;
}
