// A local HTTP receiver for tests: records every request; `respond` decides each answer.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json?: any;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering (ms). */
  delayMs?: number;
}

export type Responder = (req: ReceivedRequest, index: number) => Reply | Promise<Reply>;

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  respond: Responder;
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => ({ status: 200, body: { ok: true } })): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const r: Receiver = { url: "", requests, respond, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const rec: ReceivedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, json };
      requests.push(rec);
      let reply: Reply;
      try {
        reply = await r.respond(rec, requests.length - 1);
      } catch (err) {
        reply = { status: 500, body: { error: String(err) } };
      }
      if (reply.delayMs) await new Promise((ok) => setTimeout(ok, reply.delayMs));
      const status = reply.status ?? 200;
      const text = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      res.writeHead(status, { "content-type": "application/json", ...(reply.headers ?? {}) });
      res.end(status === 204 ? undefined : text);
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    });
  return r;
}
