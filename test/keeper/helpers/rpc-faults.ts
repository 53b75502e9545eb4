// A fault-injecting JSON-RPC HTTP proxy between the keeper and a real `hardhat node`. The test
// decides, per JSON-RPC method, what the next requests get:
//   fail(method, { status: 503, times })  HTTP error for any request (single or batch) holding `method` ("*": any)
//   hold(method)                           keep such requests unanswered until release()
//   blackhole() / restore()                accept, never answer (every request) — a hung provider
//   reset()                                destroy every open connection (TCP reset) once
// and counts what went through (per method), so a test can assert what the keeper asked.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

interface Rule {
  status: number;
  times: number;
}

export interface RpcFaultProxy {
  url: string;
  /** Requests seen per method (including failed ones). */
  counts: Map<string, number>;
  /** Requests answered with an injected error per method. */
  injected: Map<string, number>;
  fail(method: string, o?: { status?: number; times?: number }): void;
  clear(method?: string): void;
  hold(method: string): void;
  /** Answer every held request (forwarded to the node now). */
  release(): void;
  /** Requests currently held. */
  held(): number;
  blackhole(): void;
  restore(): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startRpcFaultProxy(targetUrl: string): Promise<RpcFaultProxy> {
  const rules = new Map<string, Rule>();
  const holds = new Set<string>();
  const heldQueue: (() => void)[] = [];
  const counts = new Map<string, number>();
  const injected = new Map<string, number>();
  const sockets = new Set<Socket>();
  let blackholed = false;

  const forward = async (body: string, res: ServerResponse) => {
    try {
      const r = await fetch(targetUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
      const text = await r.text();
      res.writeHead(r.status, { "content-type": "application/json" });
      res.end(text);
    } catch (err) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`upstream: ${(err as Error).message}`);
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (blackholed) return; // never answered: the client times out
      let methods: string[] = [];
      try {
        const j = JSON.parse(body) as { method: string } | { method: string }[];
        methods = (Array.isArray(j) ? j : [j]).map((x) => x.method);
      } catch {
        /* forwarded as is */
      }
      for (const m of methods) counts.set(m, (counts.get(m) ?? 0) + 1);
      for (const m of methods) {
        const rule = rules.get(m) ?? rules.get("*");
        if (rule && rule.times > 0) {
          rule.times--;
          if (rule.times === 0) rules.delete(rules.has(m) ? m : "*");
          injected.set(m, (injected.get(m) ?? 0) + 1);
          res.writeHead(rule.status, { "content-type": "text/plain" });
          res.end(`injected HTTP ${rule.status} for ${m}`);
          return;
        }
      }
      if (methods.some((m) => holds.has(m))) {
        heldQueue.push(() => void forward(body, res));
        return;
      }
      void forward(body, res);
    });
  };

  const server: Server = createServer(handle);
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    injected,
    fail(method, o = {}) {
      rules.set(method, { status: o.status ?? 503, times: o.times ?? Number.POSITIVE_INFINITY });
    },
    clear(method) {
      if (method) rules.delete(method);
      else rules.clear();
    },
    hold(method) {
      holds.add(method);
    },
    release() {
      holds.clear();
      for (const f of heldQueue.splice(0)) f();
    },
    held: () => heldQueue.length,
    blackhole() {
      blackholed = true;
    },
    restore() {
      blackholed = false;
    },
    reset() {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        blackholed = false;
        for (const f of heldQueue.splice(0)) f();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
