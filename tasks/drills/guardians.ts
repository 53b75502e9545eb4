// Timed guardian response (`drill run … --guardians-respond`, or a scenario's `guardiansRespond`):
// the keeper only ALERTS — to a webhook served here, as it would page the team — and scripted
// guardians answer it through the real guardian task functions (tasks/operator/guardian-core.ts:
// propose → sign, one guardian after another with a delay → submit), as people on call would.
// The drill times detection → alert delivered → first signature → threshold met → pause
// included, against the plan's time-to-acknowledge / time-to-contain targets.
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Signer } from "ethers";
import { runPropose, runSign, runSubmit } from "../operator/guardian-core.js";
import { commonDefaults } from "../operator/common.js";
import { fromConnection } from "../lib/chain.js";
import { setOutput } from "../lib/output.js";
import type { AlertMessage } from "../../keeper/types.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from "../../keeper/responders/alerts/channels.js";
import type { DrillChain, GuardianResponse, GuardianResponseTimes } from "./types.js";

export const WEBHOOK_SECRET_ENV = "BREAKWATER_DRILL_WEBHOOK_SECRET";

export interface GuardianDrillOptions extends GuardianResponse {
  chain: DrillChain;
  multisig: string;
  breaker: string;
  /** Guardian keys of the drill chain (local accounts: they sign EIP-712 for real). */
  guardians: Signer[];
  /** Rules whose alerts page the guardians (the detection rules). */
  pagingRules: Set<string>;
  /** Timeline notes. */
  note(message: string): void;
}

/** The local webhook receiver and the scripted guardians behind it. */
export class GuardianDrill {
  readonly secret = randomBytes(16).toString("hex");
  readonly times: GuardianResponseTimes;
  private server?: Server;
  private response?: Promise<void>;
  private readonly dir = mkdtempSync(join(tmpdir(), "drill-guardians-"));
  url = "";

  readonly multisig: string;

  constructor(private readonly o: GuardianDrillOptions) {
    this.multisig = o.multisig;
    this.times = {
      detectedAt: null,
      alertDeliveredAt: null,
      firstSignatureAt: null,
      thresholdMetAt: null,
      pauseIncludedAt: null,
      pauseBlock: null,
      timeToAcknowledgeMs: null,
      timeToContainMs: null,
      guardians: [],
    };
  }

  /** Listen on 127.0.0.1:<free port>; the keeper's webhook channel posts here. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const ts = String(req.headers[TIMESTAMP_HEADER] ?? "");
        const sig = String(req.headers[SIGNATURE_HEADER] ?? "");
        const expected = webhookSignature(this.secret, ts, body);
        if (sig !== expected) {
          res.statusCode = 401;
          res.end();
          return;
        }
        res.statusCode = 204;
        res.end();
        try {
          const { type, message } = JSON.parse(body) as { type: string; message: AlertMessage };
          if (type === "breakwater.alert") this.onAlert(message);
        } catch {
          /* not an alert */
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/alerts`;
    return this.url;
  }

  private onAlert(m: AlertMessage): void {
    const rule = m.incidentId.split(":")[0]!;
    if (this.response || !this.o.pagingRules.has(rule)) return;
    this.times.alertDeliveredAt = Date.now();
    this.o.note(`alert delivered to the guardians' webhook: ${m.title}`);
    this.response = this.respond().catch((err) => this.o.note(`the guardians' response failed: ${(err as Error).message.split("\n")[0]}`));
  }

  /** Propose a pause, sign it guardian by guardian after each one's delay, submit at the threshold. */
  private async respond(): Promise<void> {
    const { chain } = this.o;
    const network = "drill";
    writeFileSync(
      join(this.dir, `${network}.json`),
      JSON.stringify({ network, chainId: chain.chainId, deployedAt: new Date().toISOString(), blockNumber: 0, contracts: { guardian: this.o.multisig, breaker: this.o.breaker } }),
    );
    const op = await fromConnection({ ethers: chain.ethers, networkName: network });
    const file = join(this.dir, "pause.json");
    const addrs = await Promise.all(this.o.guardians.map((g) => g.getAddress()));
    const common = { ...commonDefaults, deployments: this.dir };
    const scope = this.o.scope ?? "GLOBAL";
    const duration = this.o.durationSeconds ?? 3_600;
    // The tasks print what they do; in a drill that goes to the timeline, not the terminal.
    const prev = setOutput(() => undefined);
    try {
      const f = await runPropose({ ...common, from: addrs[0]!, kind: "Pause", args: `${scope},${duration}`, out: file, breaker: this.o.breaker, target: "", multisig: this.o.multisig, deadline: "1d", nonce: "", force: true }, op);
      const need = f.policy?.effectiveThreshold ?? 1;
      this.o.note(`guardian 1 proposed: ${f.description} (needs ${need} signature(s))`);
      const delays = this.o.signDelaysMs ?? [1_500, 2_500];
      for (let i = 0; i < need; i++) {
        if (i >= addrs.length) throw new Error(`the multisig needs ${need} signatures but the drill has ${addrs.length} guardian key(s)`);
        await new Promise((r) => setTimeout(r, delays[Math.min(i, delays.length - 1)]!));
        await runSign({ ...common, from: addrs[i]!, file, signature: "", signer: "", printTypedData: false }, op);
        const at = Date.now();
        this.times.guardians.push({ address: addrs[i]!, signedAt: at });
        if (this.times.firstSignatureAt === null) this.times.firstSignatureAt = at;
        this.o.note(`guardian ${addrs[i]} signed (${i + 1}/${need})`);
      }
      this.times.thresholdMetAt = Date.now();
      const res = await runSubmit({ ...common, from: addrs[0]!, file }, op);
      const receipt = res.tx ? await chain.ethers.provider.getTransactionReceipt(res.tx) : null;
      this.times.pauseIncludedAt = Date.now();
      this.times.pauseBlock = receipt?.blockNumber ?? null;
      this.o.note(`guardians' pause ${res.mode}d in block ${this.times.pauseBlock ?? "?"} (tx ${res.tx})`);
    } finally {
      setOutput(prev);
    }
  }

  /** Wait for a response in progress (the drill's cool-down may end first). */
  async settle(timeoutMs = 30_000): Promise<void> {
    if (this.response) await Promise.race([this.response, new Promise((r) => setTimeout(r, timeoutMs))]);
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
