// Learning that there is a new block: a websocket `newHeads` subscription when configured, HTTP
// polling otherwise and whenever every websocket is down. The watcher only WAKES the block source;
// the source itself reads the chain over HTTP and follows it by parent hash, so a lost or
// duplicated websocket notification can never skip or repeat a block.
import { WebSocket } from "undici";
import { redactUrl } from "./rpc.js";

export type HeadMode = "ws" | "poll";

export interface HeadWatcherOptions {
  wsUrls: string[];
  pollIntervalMs: number;
  /** Reconnect delay after a websocket closes (doubles up to 30 s, reset on success). */
  reconnectMs?: number;
  onModeChange?: (mode: HeadMode, why: string) => void;
  onError?: (url: string, message: string) => void;
}

export class HeadWatcher {
  private mode_: HeadMode = "poll";
  private ws?: WebSocket;
  private wsIndex = 0;
  private stopped = true;
  private waiters: (() => void)[] = [];
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay: number;
  /** Heads announced by the websocket; the last head number seen there. */
  wsHeads = 0;
  lastWsHead?: number;

  constructor(private readonly opts: HeadWatcherOptions) {
    this.reconnectDelay = opts.reconnectMs ?? 250;
  }

  get mode(): HeadMode {
    return this.mode_;
  }

  start(): void {
    this.stopped = false;
    if (this.opts.wsUrls.length > 0) this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    this.ws = undefined;
    try {
      ws?.close();
    } catch {
      /* already closed */
    }
    this.wake();
  }

  /** Wake whoever waits (a new head, or stop). */
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /**
   * Wait until something may have changed: a websocket head, or the poll interval when polling.
   * With a live websocket, a slow safety poll still runs (a stalled subscription cannot stall us).
   */
  wait(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const ms = this.mode_ === "ws" ? Math.max(this.opts.pollIntervalMs * 10, 5_000) : this.opts.pollIntervalMs;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private setMode(mode: HeadMode, why: string): void {
    if (this.mode_ === mode) return;
    this.mode_ = mode;
    this.opts.onModeChange?.(mode, why);
    this.wake();
  }

  private connect(): void {
    if (this.stopped) return;
    const url = this.opts.wsUrls[this.wsIndex % this.opts.wsUrls.length]!;
    const shown = redactUrl(url);
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      this.opts.onError?.(shown, (err as Error).message);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    let subscribed = false;
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
    });
    ws.addEventListener("message", (ev) => {
      let msg: { id?: number; result?: unknown; error?: { message?: string }; method?: string; params?: { result?: { number?: string } } };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (msg.id === 1) {
        if (msg.error) {
          this.opts.onError?.(shown, `eth_subscribe refused: ${msg.error.message}`);
          ws.close();
          return;
        }
        subscribed = true;
        this.reconnectDelay = this.opts.reconnectMs ?? 250;
        this.setMode("ws", `subscribed to newHeads on ${shown}`);
        return;
      }
      if (msg.method === "eth_subscription" && msg.params?.result?.number) {
        this.wsHeads++;
        this.lastWsHead = Number(BigInt(msg.params.result.number));
        this.wake();
      }
    });
    const onDown = (why: string) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (subscribed || this.mode_ === "ws") this.setMode("poll", `websocket ${shown} ${why}; polling over HTTP`);
      this.wsIndex++;
      this.scheduleReconnect();
    };
    ws.addEventListener("error", (ev) => {
      const message = (ev as unknown as { message?: string; error?: Error }).error?.message ?? "error";
      this.opts.onError?.(shown, message);
      onDown(`failed (${message})`);
      try {
        ws.close();
      } catch {
        /* ignore */
      }
    });
    ws.addEventListener("close", () => onDown("closed"));
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), this.reconnectDelay);
    this.reconnectTimer.unref?.();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 30_000);
  }
}
