// Delivery with idempotence through the store: a message (id, channel) marked delivered is never
// sent again (restart, replica sharing the store, a later retry). Each channel gets its own bounded
// retries with exponential backoff and jitter. Note the remaining window: if a request reaches the
// service but its response is lost (timeout), the retry delivers again; the webhook carries an
// Idempotency-Key (the message id) and PagerDuty de-duplicates by dedup_key; Slack/Discord/Telegram
// have no server-side dedup, so a rare duplicate there is possible (preferred to a lost alert).
//
// Delivery runs in the BACKGROUND, in order: `enqueue` records the message in the store (so a
// reorg that orphans its block before delivery knows about it) and returns at once; one worker
// delivers the queued messages one after the other (each to its channels in parallel, with the
// channel's retries). Block processing therefore never waits for a slow or failing channel: the
// pause is sent first, the people are told right after, without holding the next block.
//   dispatcher.enqueue(msg)     // fire and forget (the promise resolves when delivered / given up)
//   await dispatcher.dispatch(msg)   // enqueue and wait for this message (tests, tools)
//   await dispatcher.idle()     // everything queued so far is settled
//   await dispatcher.flush(ms)  // idle(), bounded: false if it timed out
//   await dispatcher.close(ms)  // flush, then stop: what is left is dropped (recorded undelivered)
// A message whose block was orphaned while it waited is not sent ("orphaned"); one whose delivery
// was in flight when the reorg came is retracted right after it lands.
import type { AlertChannel, AlertMessage, Severity } from "../../types.js";
import { SEVERITIES } from "../../types.js";
import type { KeeperStore } from "../../store/store.js";
import type { RetryConfig } from "../schema.js";
import { withRetries } from "./retry.js";
import { retractionOf } from "./format.js";
import type { Logger, ResponderMetrics } from "../deps.js";

export interface DeliveryResult {
  channel: string;
  status: "delivered" | "already-delivered" | "failed" | "filtered" | "orphaned" | "dropped";
  attempts: number;
  error?: string;
}

interface Job {
  message: AlertMessage;
  targets: AlertChannel[];
  resolve: (r: DeliveryResult[]) => void;
}

/** Thrown inside a retry loop once the queue is closed: stop retrying. */
class QueueClosedError extends Error {}

export class AlertDispatcher {
  private readonly queue: Job[] = [];
  private working?: Promise<void>;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

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

  /** Messages queued or being delivered. */
  get pending(): number {
    return this.queue.length + (this.working ? 1 : 0);
  }

  private inScope(ch: AlertChannel, sev: Severity): boolean {
    // Incident plan routing (alerts/routing.ts): a routed channel may refuse a severity.
    const accepts = (ch as { accepts?: (s: Severity) => boolean }).accepts;
    if (accepts && !accepts(sev)) return false;
    const min = (ch as { minSeverity?: Severity }).minSeverity;
    return !min || SEVERITIES.indexOf(sev) <= SEVERITIES.indexOf(min);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * Queue `message` for every channel (or those named) and return at once; the promise resolves
   * (never rejects) with one result per channel once delivered or given up.
   */
  enqueue(message: AlertMessage, only?: string[]): Promise<DeliveryResult[]> {
    const targets = this.deps.channels.filter((c) => !only || only.includes(c.name));
    if (this.closed) {
      return Promise.resolve(targets.map((c) => ({ channel: c.name, status: "dropped" as const, attempts: 0, error: "alert queue closed" })));
    }
    // Record now (undelivered): a reorg before delivery marks the row orphaned and the worker skips it.
    for (const c of targets) {
      if (message.retraction || this.inScope(c, message.severity)) this.deps.store.recordAlert(message, c.name);
    }
    return new Promise<DeliveryResult[]>((resolve) => {
      this.queue.push({ message, targets, resolve });
      this.kick();
    });
  }

  /** Deliver `message` to every channel (or those named), through the queue, and wait for it; never throws. */
  dispatch(message: AlertMessage, only?: string[]): Promise<DeliveryResult[]> {
    return this.enqueue(message, only);
  }

  /** Resolve when everything queued so far (and anything queued meanwhile) is settled. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** idle(), but give up after `timeoutMs`: true if the queue drained. */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), timeoutMs);
    });
    try {
      return await Promise.race([this.idle().then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Drain for at most `timeoutMs`, then stop: queued messages not yet sent are dropped (their
   * rows stay undelivered in the store) and retries in progress end. Returns true if drained.
   */
  async close(timeoutMs = 10_000): Promise<boolean> {
    const drained = await this.flush(timeoutMs);
    this.closed = true;
    if (!drained) {
      const left = this.queue.splice(0);
      for (const j of left) j.resolve(j.targets.map((c) => ({ channel: c.name, status: "dropped", attempts: 0, error: "keeper stopped before delivery" })));
      this.deps.logger?.warn({ dropped: left.length }, "alert queue not drained in time; undelivered alerts dropped");
      await this.working?.catch(() => undefined);
    }
    return drained;
  }

  private kick(): void {
    if (this.working) return;
    this.working = this.work().finally(() => {
      this.working = undefined;
      if (this.queue.length > 0 && !this.closed) this.kick();
      else if (this.queue.length === 0) {
        const w = this.idleWaiters;
        this.idleWaiters = [];
        for (const f of w) f();
      }
    });
  }

  private async work(): Promise<void> {
    for (;;) {
      const job = this.queue.shift();
      if (!job) return;
      let results: DeliveryResult[];
      try {
        results = await Promise.all(job.targets.map((c) => this.deliver(c, job.message)));
      } catch (err) {
        // The store failed (closed under us): report, never reject.
        const error = (err as Error).message;
        results = job.targets.map((c) => ({ channel: c.name, status: "failed" as const, attempts: 0, error }));
      }
      job.resolve(results);
    }
  }

  /** One message to one channel, with retries (used by the worker; callable directly). */
  async deliver(ch: AlertChannel, message: AlertMessage): Promise<DeliveryResult> {
    const { store, logger, metrics } = this.deps;
    if (!message.retraction && !this.inScope(ch, message.severity)) return { channel: ch.name, status: "filtered", attempts: 0 };
    const state = store.alertState(message.id, ch.name);
    if (state?.delivered) return { channel: ch.name, status: "already-delivered", attempts: 0 };
    if (state?.orphaned && !message.retraction) {
      // Its block was orphaned while it waited: nobody needs to hear about it (nor its retraction).
      store.addTimeline({ incidentId: message.incidentId, at: this.now(), blockNumber: message.blockNumber, kind: "note", message: `alert ${message.id} to ${ch.name} not sent: its block was orphaned before delivery` });
      return { channel: ch.name, status: "orphaned", attempts: 0 };
    }
    if (!store.recordAlert(message, ch.name)) return { channel: ch.name, status: "already-delivered", attempts: 0 };
    let attempts = 0;
    try {
      await withRetries(
        async (n) => {
          if (this.closed) throw new QueueClosedError("keeper stopped");
          attempts = n;
          await ch.send(message);
        },
        this.deps.retry,
        (n, err, delay) => logger?.warn({ channel: ch.name, alert: message.id, attempt: n, delayMs: delay, err: (err as Error).message }, "alert delivery failed; retrying"),
      );
    } catch (err) {
      const error = (err as Error).message;
      if (!store.db.isOpen) return { channel: ch.name, status: "dropped", attempts, error };
      logger?.error({ channel: ch.name, alert: message.id, attempts, err: error }, "alert delivery failed");
      metrics?.alertFailed?.(ch.name);
      store.addTimeline({
        incidentId: message.incidentId,
        at: this.now(),
        blockNumber: message.blockNumber,
        kind: "error",
        message: `${message.retraction ? "retraction" : "alert"} ${message.id} to ${ch.name} failed after ${attempts} attempt(s): ${error}`,
      });
      return { channel: ch.name, status: "failed", attempts, error };
    }
    if (!store.db.isOpen) return { channel: ch.name, status: "delivered", attempts };
    store.markAlertDelivered(message.id, ch.name, this.now());
    metrics?.alertDelivered?.(ch.name);
    store.addTimeline({
      incidentId: message.incidentId,
      at: this.now(),
      blockNumber: message.blockNumber,
      kind: message.retraction ? "retraction" : "alert",
      message: `${message.retraction ? "retraction" : "alert"} ${message.id} delivered to ${ch.name}`,
      data: { attempts },
    });
    // A reorg orphaned its block while the request was in flight: retract it right away.
    if (!message.retraction && store.alertState(message.id, ch.name)?.orphaned) {
      const severity = store.incident(message.incidentId)?.severity;
      void this.enqueue(retractionOf(message, { blockNumber: 0, blockHash: "retraction", severity }), [ch.name]);
    }
    return { channel: ch.name, status: "delivered", attempts };
  }
}
