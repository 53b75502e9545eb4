// Headless Chromium over the Chrome DevTools protocol (no dependency: Node's global WebSocket).
// Opens a page, collects console messages / uncaught exceptions / failed requests, and
// evaluates expressions in the page.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function findChromium(): string | undefined {
  for (const bin of [process.env.CHROMIUM_BIN, "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
    if (!bin) continue;
    const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return bin;
  }
  return undefined;
}

export interface PageProblems {
  console: { type: string; text: string }[];
  exceptions: string[];
  failedRequests: string[];
}

export interface OpenPage {
  problems: PageProblems;
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

export async function openPage(bin: string, url: string, timeoutMs = 30_000): Promise<OpenPage> {
  const profile = mkdtempSync(join(tmpdir(), "drill-chromium-"));
  const child: ChildProcess = spawn(
    bin,
    ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const cleanup = async () => {
    await new Promise<void>((r) => {
      if (child.exitCode !== null) return r();
      child.once("exit", () => r());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
    });
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const browserWs = await new Promise<string>((resolve, reject) => {
      let err = "";
      const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), timeoutMs);
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once("exit", (code) => reject(new Error(`chromium exited (${code}):\n${err}`)));
    });
    const port = new URL(browserWs).port;
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
    const page = targets.find((t) => t.type === "page");
    if (!page) throw new Error("no page target");
    const ws = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("CDP websocket failed"));
    });
    let nextId = 1;
    const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
    const problems: PageProblems = { console: [], exceptions: [], failedRequests: [] };
    let onLoad: (() => void) | undefined;
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: any; error?: { message: string }; method?: string; params?: any };
      if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
        return;
      }
      switch (msg.method) {
        case "Runtime.consoleAPICalled":
          problems.console.push({ type: msg.params.type, text: (msg.params.args ?? []).map((a: any) => a.value ?? a.description ?? "").join(" ") });
          break;
        case "Runtime.exceptionThrown":
          problems.exceptions.push(msg.params.exceptionDetails?.exception?.description ?? msg.params.exceptionDetails?.text ?? "exception");
          break;
        case "Log.entryAdded":
          problems.console.push({ type: msg.params.entry.level, text: msg.params.entry.text });
          break;
        case "Network.loadingFailed":
          problems.failedRequests.push(msg.params.errorText ?? "request failed");
          break;
        case "Network.requestWillBeSent":
          // Self-contained reports load nothing but the page itself.
          if (!/^(file:|data:|about:)/.test(msg.params.request?.url ?? "")) problems.failedRequests.push(`external request: ${msg.params.request.url}`);
          break;
        case "Page.loadEventFired":
          onLoad?.();
          break;
      }
    };
    const send = <T = any>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    await send("Page.enable");
    await send("Runtime.enable");
    await send("Log.enable");
    await send("Network.enable");
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`page did not load: ${url}`)), timeoutMs);
      onLoad = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    await send("Page.navigate", { url });
    await loaded;
    return {
      problems,
      evaluate: async <T>(expression: string) => {
        const r = await send<{ result: { value: T }; exceptionDetails?: { text: string } }>("Runtime.evaluate", { expression, returnByValue: true });
        if (r.exceptionDetails) throw new Error(`evaluate failed: ${r.exceptionDetails.text}`);
        return r.result.value;
      },
      close: async () => {
        ws.close();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
