// Bounded retries with exponential backoff and full jitter.
import type { RetryConfig } from "../schema.js";
import { AlertHttpError } from "./http.js";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Delay before attempt `n + 1` (n ≥ 1 failed attempts): random in [0, min(max, initial·2^(n−1))]. */
export function backoffDelay(n: number, cfg: Pick<RetryConfig, "initialDelayMs" | "maxDelayMs">, random = Math.random): number {
  const ceiling = Math.min(cfg.maxDelayMs, cfg.initialDelayMs * 2 ** (n - 1));
  return Math.floor(random() * ceiling);
}

export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  cfg: Pick<RetryConfig, "maxAttempts" | "initialDelayMs" | "maxDelayMs">,
  onRetry?: (attempt: number, err: unknown, delayMs: number) => void,
): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= cfg.maxAttempts; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      last = err;
      if (err instanceof AlertHttpError && !err.retryable) break;
      if (attempt === cfg.maxAttempts) break;
      let delay = backoffDelay(attempt, cfg);
      if (err instanceof AlertHttpError && err.retryAfterMs !== undefined) delay = Math.min(Math.max(delay, err.retryAfterMs), cfg.maxDelayMs);
      onRetry?.(attempt, err, delay);
      await sleep(delay);
    }
  }
  throw last;
}
