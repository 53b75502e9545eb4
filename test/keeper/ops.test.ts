// Logs never carry secrets; RPC URLs are shown redacted; the status page escapes what it shows.
import { expect } from "chai";
import { Writable } from "node:stream";
import { createLogger, registerSecret } from "../../keeper/ops/log.js";
import { redactUrl } from "../../keeper/source/rpc.js";
import { renderStatusPage } from "../../keeper/ops/server.js";
import { formatPath } from "../../keeper/config/load.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ level: "info", destination }) };
}

describe("Keeper ops: logs, redaction, status page", function () {
  it("redacts secret fields and registered secret values anywhere in a log line", function () {
    const key = "0x" + "ab".repeat(32);
    const token = "xoxb-super-secret-token-42";
    registerSecret(key);
    registerSecret(token);
    const { lines, logger } = capture();
    logger.info({ privateKey: key, nested: { apiKey: "k-123456", note: `token is ${token}` }, keyEnv: "BREAKWATER_SENTINEL_KEY" }, `sending with ${key}`);
    logger.error({ err: new Error(`auth failed for ${token}`) }, "boom");
    const out = lines.join("");
    expect(out).to.not.include(key.slice(2));
    expect(out).to.not.include(token);
    expect(out).to.not.include("k-123456");
    expect(out).to.include("BREAKWATER_SENTINEL_KEY"); // the variable NAME is fine
    expect(out).to.include("[REDACTED]");
    for (const l of lines) JSON.parse(l); // structured JSON
  });

  it("shows RPC URLs without path, query or credentials", function () {
    expect(redactUrl("https://eth-mainnet.g.alchemy.com/v2/abcdef123")).to.equal("https://eth-mainnet.g.alchemy.com/…");
    expect(redactUrl("https://user:pw@rpc.example.org:8545/?key=x")).to.equal("https://rpc.example.org:8545/…");
    expect(redactUrl("http://127.0.0.1:8545")).to.equal("http://127.0.0.1:8545");
  });

  it("formats config paths like rules[2].pause.scope", function () {
    expect(formatPath(["rules", 2, "pause", "scope"])).to.equal("rules[2].pause.scope");
    expect(formatPath([])).to.equal("<root>");
  });

  it("escapes incident text on the status page", function () {
    const html = renderStatusPage({
      ok: false, reasons: ["x"], name: "k", chainId: 1, running: true, lastProcessedBlock: 5, lastProcessedHash: "0x", head: 7, lag: 2,
      headSource: "poll", rpc: "http://127.0.0.1:1", rpcDown: [], lastRpcAnswerAt: null, lastProgressAt: null, failingRules: [], pendingActions: 0,
      openIncidents: [{ id: "i", fingerprint: "f", ruleId: "r", severity: "P1", status: "open", firstBlock: 5, firstBlockHash: "0x", detectedAt: 0, blockTimestamp: 0, summary: "<script>alert(1)</script>" }],
    });
    expect(html).to.include("&lt;script&gt;").and.not.include("<script>");
    expect(html).to.include("NOT OK");
  });
});
