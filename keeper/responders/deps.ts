// Small structural types the responders need from the rest of the keeper.

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
