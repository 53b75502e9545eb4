// OpenZeppelin Monitor's other config files: triggers (config/triggers/*.json: Slack, Discord,
// Telegram, webhook notifications) become the keeper's `alerts.channels`; networks
// (config/networks/*.json) become `chain`. Secrets are never copied: a `plain` secret in the
// trigger file gets an environment variable name to set (the report says which); an
// `environment` secret keeps its variable name.
import type { ImportReport } from "./common.js";
import { slug } from "./common.js";

type Secret = { type?: string; value?: string } | string | undefined;

export type ChannelInput =
  | { type: "slack" | "discord"; name: string; webhookUrlEnv: string }
  | { type: "telegram"; name: string; botTokenEnv: string; chatId: string | number }
  | { type: "webhook"; name: string; url: string; secretEnv: string; signature: "oz-monitor" };

export interface ChainInput {
  chainId: number;
  rpcUrls: string[];
  confirmations?: number;
  pollIntervalMs?: number;
}

/** An OZ Monitor trigger file: `{ "<id>": { name, trigger_type, config } }`. */
export function isOzTriggerFile(v: unknown): v is Record<string, { trigger_type: string }> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const values = Object.values(v as Record<string, unknown>);
  return values.length > 0 && values.every((x) => !!x && typeof x === "object" && "trigger_type" in (x as object));
}

/** An OZ Monitor network file. */
export function isOzNetworkFile(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && "network_type" in (v as object) && "slug" in (v as object);
}

const envNameFor = (id: string, what: string) => `OZ_${slug(id).replace(/-/g, "_").toUpperCase()}_${what}`;

/** The env variable the keeper reads for a secret of the trigger (never the secret itself). */
function secretEnv(secret: Secret, id: string, what: string, where: string, report: ImportReport): string {
  const s = typeof secret === "string" ? { type: "plain", value: secret } : (secret ?? {});
  if (s.type === "environment" && s.value && /^[A-Za-z_][A-Za-z0-9_]*$/.test(s.value)) {
    report.mapped.push(`${where}: ${what} from environment variable ${s.value}`);
    return s.value;
  }
  const name = envNameFor(id, what);
  report.notes.push(`${where}: set ${name} to the ${what.toLowerCase().replace(/_/g, " ")} of trigger "${id}" (${s.type ?? "plain"} secret in the trigger file; not copied into the keeper config)`);
  return name;
}

export function importOzTriggers(file: Record<string, Record<string, unknown>>): { channels: ChannelInput[]; report: ImportReport } {
  const report: ImportReport = { source: "openzeppelin-monitor", monitor: `triggers (${Object.keys(file).join(", ")})`, rules: [], mapped: [], dropped: [], notes: [] };
  const channels: ChannelInput[] = [];
  for (const [id, t] of Object.entries(file)) {
    const type = String(t.trigger_type ?? "").toLowerCase();
    const c = (t.config ?? {}) as Record<string, unknown>;
    const where = `trigger ${id}`;
    const name = slug(id).slice(0, 64);
    switch (type) {
      case "slack":
        channels.push({ type: "slack", name, webhookUrlEnv: secretEnv(c.slack_url as Secret, id, "SLACK_URL", where, report) });
        break;
      case "discord":
        channels.push({ type: "discord", name, webhookUrlEnv: secretEnv(c.discord_url as Secret, id, "DISCORD_URL", where, report) });
        break;
      case "telegram":
        channels.push({ type: "telegram", name, botTokenEnv: secretEnv(c.token as Secret, id, "TELEGRAM_TOKEN", where, report), chatId: (c.chat_id as string | number | undefined) ?? "" });
        break;
      case "webhook": {
        const url = c.url as Secret;
        const plainUrl = typeof url === "string" ? url : url?.type === "plain" ? url.value : undefined;
        if (!plainUrl) {
          report.dropped.push(`${where}: webhook URL is a ${typeof url === "object" ? url?.type : "missing"} secret; the keeper's webhook URL is written in the config: add the channel by hand`);
          continue;
        }
        if (!c.secret) report.notes.push(`${where}: the OZ trigger has no signing secret; the keeper signs every webhook: set ${envNameFor(id, "WEBHOOK_SECRET")} to a new secret and give it to the receiver`);
        channels.push({ type: "webhook", name, url: plainUrl, secretEnv: c.secret ? secretEnv(c.secret as Secret, id, "WEBHOOK_SECRET", where, report) : envNameFor(id, "WEBHOOK_SECRET"), signature: "oz-monitor" });
        report.mapped.push(`${where}: webhook signed like OZ Monitor (X-Signature, X-Timestamp): its receiver works unchanged`);
        break;
      }
      default:
        report.dropped.push(`${where}: trigger type "${type}" (${type === "email" ? "no e-mail channel in the keeper" : type === "script" ? "custom scripts are not run" : "unknown"}): not imported`);
        continue;
    }
    report.mapped.push(`${where} (${type}) → alerts.channels "${name}"`);
    if ((c.message as { title?: string } | undefined)?.title) report.dropped.push(`${where}: message template: keeper alerts use the finding's title and summary`);
  }
  return { channels, report };
}

export function importOzNetwork(n: Record<string, unknown>): { chain?: ChainInput; report: ImportReport } {
  const report: ImportReport = { source: "openzeppelin-monitor", monitor: `network ${String(n.slug)}`, rules: [], mapped: [], dropped: [], notes: [] };
  if (String(n.network_type).toUpperCase() !== "EVM") {
    report.dropped.push(`network ${String(n.slug)} is ${String(n.network_type)}: the keeper follows EVM chains only`);
    return { report };
  }
  const urls: string[] = [];
  for (const [i, r] of ((n.rpc_urls as { url?: Secret; weight?: number }[] | undefined) ?? []).entries()) {
    const u = typeof r.url === "string" ? r.url : r.url?.type === "plain" ? r.url.value : undefined;
    if (u) urls.push(u);
    else report.dropped.push(`rpc_urls[${i}]: a ${typeof r.url === "object" ? r.url?.type : "missing"} secret URL: add it to chain.rpcUrls by hand`);
  }
  const weights = ((n.rpc_urls as { weight?: number }[] | undefined) ?? []).map((r) => r.weight ?? 100);
  if (new Set(weights).size > 1) report.notes.push("rpc_urls weights: the keeper uses chain.rpcUrls in order (first = preferred), ordered here by weight");
  const ordered = urls.map((u, i) => ({ u, w: weights[i] ?? 100 })).sort((a, b) => b.w - a.w).map((x) => x.u);
  const chain: ChainInput = { chainId: Number(n.chain_id), rpcUrls: ordered };
  if (n.confirmation_blocks !== undefined) {
    chain.confirmations = Math.min(64, Number(n.confirmation_blocks));
    report.mapped.push(`confirmation_blocks ${String(n.confirmation_blocks)} → chain.confirmations ${chain.confirmations}`);
  }
  if (n.block_time_ms !== undefined) {
    chain.pollIntervalMs = Math.max(50, Math.min(60_000, Math.round(Number(n.block_time_ms) / 4)));
    report.mapped.push(`block_time_ms ${String(n.block_time_ms)} → chain.pollIntervalMs ${chain.pollIntervalMs}`);
  }
  for (const k of ["cron_schedule", "max_past_blocks", "store_blocks", "recovery_config"]) {
    if (n[k] !== undefined) report.notes.push(`${k}: not needed: the keeper follows every block from its checkpoint and never skips one`);
  }
  report.mapped.push(`network ${String(n.slug)} → chain { chainId: ${chain.chainId}, ${ordered.length} RPC URL(s) }`);
  return { chain, report };
}
