// JSON-RPC over HTTP with several endpoints: the first healthy one serves, and a transport
// failure (connection refused/reset, timeout, HTTP 429 or 5xx, malformed answer) rotates to the
// next one. An error *answered* by the node (a revert, an unsupported method) is not a transport
// failure: it is thrown as RpcError at once, without rotating. URLs are logged redacted (only
// scheme and host): providers put API keys in the path or query.

export interface JsonRpcRequest {
  method: string;
  params: unknown[];
}

/** The node answered with a JSON-RPC error. */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${message} (code ${code})`);
    this.name = "RpcError";
  }
}

/** No endpoint could answer (every URL failed at the transport level). */
export class RpcUnavailableError extends Error {
  constructor(
    message: string,
    readonly causes: string[],
  ) {
    super(message);
    this.name = "RpcUnavailableError";
  }
}

class TransportError extends Error {
  constructor(
    message: string,
    readonly kind: "network" | "timeout" | "rate-limit" | "http" | "malformed",
  ) {
    super(message);
  }
}

/** `https://eth-mainnet.example.com/v2/SECRET?key=x` → `https://eth-mainnet.example.com/…`. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const rest = (u.pathname && u.pathname !== "/") || u.search || u.username ? "/…" : "";
    return `${u.protocol}//${u.host}${rest}`;
  } catch {
    return "<invalid url>";
  }
}

export interface RpcPoolOptions {
  urls: string[];
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Called on every transport failure (metrics, logs); `url` is redacted. */
  onTransportError?: (url: string, kind: string, message: string) => void;
  /** Called when the active endpoint changes; URLs redacted. */
  onRotate?: (from: string, to: string) => void;
  /** Called when an endpoint answers (up) or fails at the transport level (down); URL redacted. */
  onStatus?: (url: string, up: boolean) => void;
}

export class RpcPool {
  readonly urls: string[];
  private active = 0;
  private nextId = 1;
  private readonly timeoutMs: number;
  /** Endpoints not used until their chain id is verified (down at start-up): see exclude / include. */
  private readonly excluded = new Set<string>();
  /** Wall clock (ms) of the last answer from any endpoint (a JSON-RPC error is an answer too). */
  lastAnswerAt?: number;

  constructor(private readonly opts: RpcPoolOptions) {
    if (opts.urls.length === 0) throw new Error("RpcPool: at least one RPC URL is required");
    this.urls = [...opts.urls];
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The endpoint currently preferred (redacted). */
  get activeUrl(): string {
    return redactUrl(this.urls[this.active]!);
  }

  async request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const [out] = await this.batch<T>([{ method, params }]);
    return out as T;
  }

  /**
   * Send several requests in ONE HTTP request (JSON-RPC batch). Results come back in order; the
   * first JSON-RPC error is thrown as RpcError. Transport failures rotate through every endpoint
   * once before giving up with RpcUnavailableError.
   */
  async batch<T = unknown>(requests: JsonRpcRequest[]): Promise<T[]> {
    if (requests.length === 0) return [];
    return this.withFailover(` ${requests.map((r) => r.method).join(", ")}`, (url) => this.send<T>(url, requests));
  }

  /**
   * Raw JSON-RPC items (ids kept as given, errors returned not thrown), with the same transport
   * failover as batch(). For ethers' JsonRpcApiProvider (see provider.ts).
   */
  async sendRaw(payloads: { jsonrpc?: string; id: number | string; method: string; params: unknown }[]): Promise<unknown[]> {
    const body = JSON.stringify(payloads.map((p) => ({ jsonrpc: "2.0", id: p.id, method: p.method, params: p.params })));
    return this.withFailover("", async (url) => {
      const json = await this.post(url, body);
      if (!Array.isArray(json)) {
        const e = (json as { error?: { code?: number } })?.error;
        if (e?.code === 429) throw new TransportError("rate limited", "rate-limit");
        return payloads.map((p) => ({ ...(json as object), id: p.id }));
      }
      return json as unknown[];
    });
  }

  /**
   * Leave `url` out of the rotation until include(url) (start-up: it did not answer, so its chain id
   * is unknown). At least one endpoint must stay in.
   */
  exclude(url: string): void {
    if (!this.urls.includes(url)) throw new Error(`RpcPool: unknown URL ${redactUrl(url)}`);
    this.excluded.add(url);
    if (this.excluded.size >= this.urls.length) {
      this.excluded.delete(url);
      throw new Error("RpcPool: cannot exclude every RPC endpoint");
    }
    if (this.urls[this.active] === url) this.rotateFrom(this.active);
  }

  /** Put an excluded endpoint back into the rotation (its chain id was verified). */
  include(url: string): void {
    this.excluded.delete(url);
  }

  /** Endpoints left out of the rotation (unverified). */
  get excludedUrls(): string[] {
    return [...this.excluded];
  }

  /** Try `fn` on the active endpoint, rotating through every endpoint once on transport errors. */
  private async withFailover<R>(what: string, fn: (url: string) => Promise<R>): Promise<R> {
    const causes: string[] = [];
    for (let attempt = 0; attempt < this.urls.length; attempt++) {
      const index = this.active;
      const url = this.urls[index]!;
      if (this.excluded.has(url)) {
        this.rotateFrom(index);
        continue;
      }
      try {
        const out = await fn(url);
        this.lastAnswerAt = Date.now();
        this.opts.onStatus?.(redactUrl(url), true);
        return out;
      } catch (err) {
        if (!(err instanceof TransportError)) {
          if (err instanceof RpcError) {
            this.lastAnswerAt = Date.now();
            this.opts.onStatus?.(redactUrl(url), true);
          }
          throw err;
        }
        const shown = redactUrl(url);
        causes.push(`${shown}: ${err.message}`);
        this.opts.onTransportError?.(shown, err.kind, err.message);
        this.opts.onStatus?.(shown, false);
        this.rotateFrom(index);
      }
    }
    throw new RpcUnavailableError(`no RPC endpoint answered${what}: ${causes.join("; ")}`, causes);
  }

  /** Ask one specific endpoint (start-up checks: chain id of every URL). */
  async requestAt<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
    try {
      const [out] = await this.send<T>(url, [{ method, params }]);
      return out as T;
    } catch (err) {
      if (err instanceof TransportError) throw new RpcUnavailableError(`${redactUrl(url)}: ${err.message}`, [err.message]);
      throw err;
    }
  }

  /** One HTTP POST of a JSON-RPC body; every transport failure becomes a TransportError. */
  private async post(url: string, body: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === "TimeoutError" || e.name === "AbortError") throw new TransportError(`timed out after ${this.timeoutMs} ms`, "timeout");
      const detail = e.cause?.code ?? e.cause?.message ?? e.message;
      throw new TransportError(`request failed (${detail})`, "network");
    }
    if (res.status === 429) {
      await res.body?.cancel().catch(() => undefined);
      throw new TransportError("rate limited (HTTP 429)", "rate-limit");
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new TransportError(`HTTP ${res.status}`, "http");
    }
    try {
      return await res.json();
    } catch (err) {
      throw new TransportError(`malformed JSON answer (${(err as Error).message})`, "malformed");
    }
  }

  private rotateFrom(index: number): void {
    if (this.urls.length < 2 || this.active !== index) return;
    const from = redactUrl(this.urls[index]!);
    let next = (index + 1) % this.urls.length;
    for (let k = 0; k < this.urls.length && this.excluded.has(this.urls[next]!); k++) next = (next + 1) % this.urls.length;
    this.active = next;
    if (next === index) return;
    this.opts.onRotate?.(from, redactUrl(this.urls[this.active]!));
  }

  private async send<T>(url: string, requests: JsonRpcRequest[]): Promise<T[]> {
    const ids = requests.map(() => this.nextId++);
    const body = JSON.stringify(
      requests.map((r, i) => ({ jsonrpc: "2.0", id: ids[i], method: r.method, params: r.params })),
    );
    const json = await this.post(url, body);
    // A single-object error answer to a batch (some providers do this for rate limits).
    if (!Array.isArray(json)) {
      const single = json as { error?: { code?: number; message?: string } };
      if (single?.error) {
        if (single.error.code === 429 || /rate|limit|too many/i.test(single.error.message ?? "")) {
          throw new TransportError(`rate limited (${single.error.message})`, "rate-limit");
        }
        throw new RpcError(requests[0]!.method, single.error.code ?? -1, single.error.message ?? "error");
      }
      throw new TransportError("answer to a batch is not an array", "malformed");
    }
    const byId = new Map<number, { result?: unknown; error?: { code: number; message: string; data?: unknown } }>();
    for (const item of json as { id: number; result?: unknown; error?: { code: number; message: string; data?: unknown } }[]) {
      byId.set(Number(item.id), item);
    }
    return requests.map((r, i) => {
      const item = byId.get(ids[i]!);
      if (!item) throw new TransportError(`no answer for ${r.method}`, "malformed");
      if (item.error) {
        if (item.error.code === 429) throw new TransportError(`rate limited (${item.error.message})`, "rate-limit");
        throw new RpcError(r.method, item.error.code, item.error.message, item.error.data);
      }
      return item.result as T;
    });
  }
}

export const toHex = (n: number | bigint): string => `0x${n.toString(16)}`;
