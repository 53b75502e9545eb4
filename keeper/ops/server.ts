// The keeper's HTTP face: /healthz (JSON, 200 when ok, 503 when not), /metrics (Prometheus) and
// a small HTML status page at /. Binds 127.0.0.1 unless configured. Nothing secret is shown:
// only block numbers, incident summaries and redacted RPC hosts.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Incident } from "../types.js";
import type { KeeperMetrics } from "./metrics.js";

export interface KeeperStatus {
  ok: boolean;
  /** Why not ok, if so. */
  reasons: string[];
  name: string;
  chainId: number;
  running: boolean;
  lastProcessedBlock: number | null;
  lastProcessedHash: string | null;
  head: number | null;
  lag: number | null;
  headSource: "ws" | "poll";
  rpc: string;
  /** RPCs left out of the rotation (did not answer at start; probed). */
  rpcDown: string[];
  lastRpcAnswerAt: number | null;
  lastProgressAt: number | null;
  /** Rules whose detector failed on each of the last ops.health.detectorErrorBlocks blocks. */
  failingRules: string[];
  /** Decisions to pause / propose recorded and not carried out yet. */
  pendingActions: number;
  openIncidents: Incident[];
}

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function renderStatusPage(s: KeeperStatus): string {
  const rows = s.openIncidents
    .map(
      (i) =>
        `<tr><td><code>${esc(i.id)}</code></td><td>${esc(i.severity)}</td><td>${esc(i.status)}</td><td>${esc(i.ruleId)}</td><td>${esc(i.firstBlock)}</td><td>${esc(i.summary)}</td></tr>`,
    )
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>${esc(s.name)} status</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.ok{color:#070}.bad{color:#b00}</style></head>
<body><h1>${esc(s.name)}</h1>
<p class="${s.ok ? "ok" : "bad"}"><b>${s.ok ? "OK" : "NOT OK"}</b>${s.reasons.length ? " — " + esc(s.reasons.join("; ")) : ""}</p>
<table><tr><th>chain</th><td>${esc(s.chainId)}</td></tr>
<tr><th>last processed block</th><td>${esc(s.lastProcessedBlock ?? "—")}</td></tr>
<tr><th>head</th><td>${esc(s.head ?? "—")}</td></tr>
<tr><th>lag (blocks)</th><td>${esc(s.lag ?? "—")}</td></tr>
<tr><th>new heads by</th><td>${esc(s.headSource)}</td></tr>
<tr><th>RPC</th><td>${esc(s.rpc)}${s.rpcDown.length ? ` (down: ${esc(s.rpcDown.join(", "))})` : ""}</td></tr>
<tr><th>last RPC answer</th><td>${s.lastRpcAnswerAt ? esc(new Date(s.lastRpcAnswerAt).toISOString()) : "—"}</td></tr>
<tr><th>last progress</th><td>${s.lastProgressAt ? esc(new Date(s.lastProgressAt).toISOString()) : "—"}</td></tr>
<tr><th>decisions not carried out</th><td>${esc(s.pendingActions)}</td></tr></table>
<p>To stop retrying a decision (false alarm handled by hand): <code>npx breakwater-keeper incident close &lt;id&gt; --config &lt;file&gt;</code></p>
<h2>Open incidents (${s.openIncidents.length})</h2>
${rows ? `<table><tr><th>id</th><th>severity</th><th>status</th><th>rule</th><th>first block</th><th>summary</th></tr>${rows}</table>` : "<p>none</p>"}
</body></html>`;
}

export interface OpsServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startOpsServer(opts: {
  host: string;
  port: number;
  status: () => KeeperStatus;
  metrics: KeeperMetrics;
}): Promise<OpsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    void (async () => {
      try {
        if (path === "/healthz") {
          const s = opts.status();
          const { openIncidents, ...rest } = s;
          res.writeHead(s.ok ? 200 : 503, { "content-type": "application/json" });
          res.end(JSON.stringify({ ...rest, openIncidents: openIncidents.length }));
        } else if (path === "/metrics") {
          const body = await opts.metrics.registry.metrics();
          res.writeHead(200, { "content-type": opts.metrics.registry.contentType });
          res.end(body);
        } else if (path === "/" || path === "/status") {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
          res.end(renderStatusPage(opts.status()));
        } else {
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("not found\n");
        }
      } catch (err) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`error: ${(err as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
