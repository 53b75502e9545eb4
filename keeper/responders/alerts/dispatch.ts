// Delivery with idempotence through the store: a message (id, channel) marked delivered is never
// sent again (restart, replica sharing the store, a later retry). Each channel gets its own bounded
// retries with exponential backoff and jitter. Note the remaining window: if a request reaches the
// service but its response is lost (timeout), the retry delivers again; the webhook carries an
// Idempotency-Key (the message id) and PagerDuty de-duplicates by dedup_key; Slack/Discord/Telegram
// have no server-side dedup, so a rare duplicate there is possible (preferred to a lost alert).
import type { AlertChannel, AlertMessage, Severity } from "../../types.js";
import { SEVERITIES } from "../../types.js";
import type { KeeperStore } from "../../store/store.js";
import type { RetryConfig } from "../schema.js";
import { withRetries } from "./retry.js";
import type { Logger, ResponderMetrics } from "../deps.js";

export interface DeliveryResult {
  channel: string;
  status: "delivered" | "already-delivered" | "failed" | "filtered";
  attempts: number;
  error?: string;
}

export class AlertDispatcher {
  constructor(
    private readonly deps: {
      store: KeeperStore;
      channels: AlertChannel[];
      retry: Pick<RetryConfig, "maxAttempts" | "initialDelayMs" | "maxDelayMs">;
      logger?: Logger;
      metrics?: ResponderMetrics;
      now?: () => number;
    },
  ) {}

  get channels(): AlertChannel[] {
    return this.deps.channels;
  }

  private inScope(ch: AlertChannel, sev: Severity): boolean {
    const min = (ch as { minSeverity?: Severity }).minSeverity;
    return !min || SEVERITIES.indexOf(sev) <= SEVERITIES.indexOf(min);
  }

  /** Deliver `message` to every channel (or those named), in parallel; never throws. */
  async dispatch(message: AlertMessage, only?: string[]): Promise<DeliveryResult[]> {
    const targets = this.deps.channels.filter((c) => !only || only.includes(c.name));
    return Promise.all(targets.map((c) => this.deliver(c, message)));
  }

  async deliver(ch: AlertChannel, message: AlertMessage): Promise<DeliveryResult> {
    const { store, logger, metrics } = this.deps;
    if (!message.retraction && !this.inScope(ch, message.severity)) return { channel: ch.name, status: "filtered", attempts: 0 };
    if (!store.recordAlert(message, ch.name)) return { channel: ch.name, status: "already-delivered", attempts: 0 };
    let attempts = 0;
    try {
      await withRetries(
        async (n) => {
          attempts = n;
          await ch.send(message);
        },
        this.deps.retry,
        (n, err, delay) => logger?.warn({ channel: ch.name, alert: message.id, attempt: n, delayMs: delay, err: (err as Error).message }, "alert delivery failed; retrying"),
      );
    } catch (err) {
      const error = (err as Error).message;
      logger?.error({ channel: ch.name, alert: message.id, attempts, err: error }, "alert delivery failed");
      metrics?.alertFailed?.(ch.name);
      store.addTimeline({
        incidentId: message.incidentId,
        at: (this.deps.now ?? Date.now)(),
        blockNumber: message.blockNumber,
        kind: "error",
        message: `alert ${message.id} to ${ch.name} failed after ${attempts} attempt(s): ${error}`,
      });
      return { channel: ch.name, status: "failed", attempts, error };
    }
    store.markAlertDelivered(message.id, ch.name, (this.deps.now ?? Date.now)());
    metrics?.alertDelivered?.(ch.name);
    store.addTimeline({
      incidentId: message.incidentId,
      at: (this.deps.now ?? Date.now)(),
      blockNumber: message.blockNumber,
      kind: message.retraction ? "retraction" : "alert",
      message: `${message.retraction ? "retraction" : "alert"} ${message.id} delivered to ${ch.name}`,
      data: { attempts },
    });
    return { channel: ch.name, status: "delivered", attempts };
  }
}
