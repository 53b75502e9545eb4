// The alert channels. Each `send` delivers once (throwing AlertHttpError on failure); retries,
// backoff and idempotence live in the AlertDispatcher (dispatch.ts).
import { createHmac } from "node:crypto";
import type { AlertChannel, AlertMessage, Severity } from "../../types.js";
import { SignerConfigError, requireEnv } from "../../signers/types.js";
import type { AlertsConfig, ChannelConfig } from "../schema.js";
import { plainText, SEVERITY_EMOJI, slackCode, slackEscape, truncate } from "./format.js";
import { RETRACTION_SUFFIX } from "../../store/store.js";
import { AlertHttpError, postJson } from "./http.js";

export interface KeeperAlertChannel extends AlertChannel {
  readonly type: ChannelConfig["type"];
  /** Alerts less severe than this are not sent here. */
  readonly minSeverity?: Severity;
}

interface Common {
  name: string;
  timeoutMs: number;
  minSeverity?: Severity;
}

export const SIGNATURE_HEADER = "x-breakwater-signature";
export const TIMESTAMP_HEADER = "x-breakwater-timestamp";
export const IDEMPOTENCY_HEADER = "idempotency-key";

/** The signed string: `${timestamp}.${body}` (the timestamp is covered, so a replay with a new timestamp fails). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * OpenZeppelin Monitor's webhook signature (src/services/notification/webhook.rs): X-Signature =
 * hex(HMAC-SHA256(secret, body + timestampMillis)), X-Timestamp = the Unix time in milliseconds.
 */
export function ozMonitorSignature(secret: string, timestampMs: string, body: string): string {
  return createHmac("sha256", secret).update(`${body}${timestampMs}`).digest("hex");
}

/**
 * Generic webhook: POST JSON with an idempotency key (the message id), HMAC-SHA256 signed.
 * signature "breakwater": X-Breakwater-Signature over `${ts}.${body}`, body { type, message }.
 * signature "oz-monitor": what OpenZeppelin Monitor sends, so its receivers work unchanged:
 * body { body, title }, X-Signature + X-Timestamp (ms).
 */
export class WebhookChannel implements KeeperAlertChannel {
  readonly type = "webhook" as const;
  readonly name: string;
  readonly minSeverity?: Severity;
  constructor(private readonly url: string, private readonly secret: string, private readonly c: Common, private readonly now = () => Date.now(), private readonly mode: "breakwater" | "oz-monitor" = "breakwater") {
    this.name = c.name;
    this.minSeverity = c.minSeverity;
  }
  async send(m: AlertMessage): Promise<void> {
    if (this.mode === "oz-monitor") {
      const body = JSON.stringify({ body: m.body, title: m.title });
      const ts = String(this.now());
      await postJson(this.name, this.url, body, { "x-signature": ozMonitorSignature(this.secret, ts, body), "x-timestamp": ts, [IDEMPOTENCY_HEADER]: m.id }, { timeoutMs: this.c.timeoutMs, secrets: [this.secret] });
      return;
    }
    const body = JSON.stringify({ type: m.retraction ? "breakwater.alert.retraction" : "breakwater.alert", message: m });
    const ts = String(Math.floor(this.now() / 1000));
    await postJson(this.name, this.url, body, {
      [TIMESTAMP_HEADER]: ts,
      [SIGNATURE_HEADER]: webhookSignature(this.secret, ts, body),
      [IDEMPOTENCY_HEADER]: m.id,
    }, { timeoutMs: this.c.timeoutMs, secrets: [this.secret] });
  }
}

/** Slack incoming webhook: { text, blocks } (mrkdwn). The URL is the secret. */
export class SlackChannel implements KeeperAlertChannel {
  readonly type = "slack" as const;
  readonly name: string;
  readonly minSeverity?: Severity;
  constructor(private readonly url: string, private readonly c: Common) {
    this.name = c.name;
    this.minSeverity = c.minSeverity;
  }
  async send(m: AlertMessage): Promise<void> {
    const title = slackEscape(m.title);
    const head = m.retraction ? `:leftwards_arrow_with_hook: *${title}*` : `${SEVERITY_EMOJI[m.severity]} *${title}*`;
    const payload = {
      text: truncate(slackEscape(plainText(m)), 3000),
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: truncate(head, 3000) } },
        { type: "section", text: { type: "mrkdwn", text: "```" + truncate(slackCode(m.body), 2900) + "```" } },
        { type: "context", elements: [{ type: "mrkdwn", text: truncate(`incident \`${slackEscape(m.incidentId)}\` · block ${m.blockNumber}`, 3000) }] },
      ],
    };
    await postJson(this.name, this.url, JSON.stringify(payload), {}, { timeoutMs: this.c.timeoutMs, secrets: [this.url] });
  }
}

const DISCORD_COLORS: Record<Severity, number> = { P1: 0xd32f2f, P2: 0xf57c00, P3: 0xfbc02d, P4: 0x1976d2 };

/** Discord webhook: { content, embeds } (204 No Content on success; 429 with retry_after). */
export class DiscordChannel implements KeeperAlertChannel {
  readonly type = "discord" as const;
  readonly name: string;
  readonly minSeverity?: Severity;
  constructor(private readonly url: string, private readonly c: Common) {
    this.name = c.name;
    this.minSeverity = c.minSeverity;
  }
  async send(m: AlertMessage): Promise<void> {
    const payload = {
      content: truncate(m.retraction ? `↩️ ${m.title}` : `${SEVERITY_EMOJI[m.severity]} ${m.title}`, 2000),
      embeds: [
        {
          title: truncate(m.title, 256),
          description: truncate(m.body, 4000),
          color: m.retraction ? 0x9e9e9e : DISCORD_COLORS[m.severity],
          fields: [
            { name: "incident", value: truncate(m.incidentId, 1024), inline: true },
            { name: "block", value: String(m.blockNumber), inline: true },
          ],
        },
      ],
      allowed_mentions: { parse: [] as string[] },
    };
    await postJson(this.name, this.url, JSON.stringify(payload), {}, { timeoutMs: this.c.timeoutMs, secrets: [this.url] });
  }
}

/** Telegram Bot API sendMessage: POST {base}/bot<token>/sendMessage { chat_id, text }; response { ok }. */
export class TelegramChannel implements KeeperAlertChannel {
  readonly type = "telegram" as const;
  readonly name: string;
  readonly minSeverity?: Severity;
  constructor(private readonly baseUrl: string, private readonly token: string, private readonly chatId: string | number, private readonly c: Common) {
    this.name = c.name;
    this.minSeverity = c.minSeverity;
  }
  async send(m: AlertMessage): Promise<void> {
    const url = `${this.baseUrl.replace(/\/+$/, "")}/bot${this.token}/sendMessage`;
    const res = await postJson(
      this.name,
      url,
      // Bot API 7.0 replaced disable_web_page_preview with link_preview_options.
      JSON.stringify({ chat_id: this.chatId, text: truncate(plainText(m), 4096), link_preview_options: { is_disabled: true } }),
      {},
      { timeoutMs: this.c.timeoutMs, secrets: [this.token] },
    );
    try {
      const j = JSON.parse(res.body) as { ok?: boolean; description?: string };
      if (j.ok === false) throw new AlertHttpError(`${this.name}: Telegram refused the message: ${j.description ?? "ok: false"}`, false);
    } catch (err) {
      if (err instanceof AlertHttpError) throw err;
    }
  }
}

const PD_SEVERITY: Record<Severity, "critical" | "error" | "warning" | "info"> = { P1: "critical", P2: "error", P3: "warning", P4: "info" };

/**
 * PagerDuty Events API v2: one PagerDuty alert per keeper alert (dedup_key = the alert id), so a
 * retraction resolves exactly the alert it retracts; a containment message resolves every alert of
 * the incident it names (`resolves`) and is itself sent as a low-severity note.
 */
export class PagerDutyChannel implements KeeperAlertChannel {
  readonly type = "pagerduty" as const;
  readonly name: string;
  readonly minSeverity?: Severity;
  constructor(private readonly eventsUrl: string, private readonly routingKey: string, private readonly source: string, private readonly c: Common) {
    this.name = c.name;
    this.minSeverity = c.minSeverity;
  }
  private post(event: unknown): Promise<unknown> {
    return postJson(this.name, this.eventsUrl, JSON.stringify(event), {}, { timeoutMs: this.c.timeoutMs, secrets: [this.routingKey] });
  }
  async send(m: AlertMessage): Promise<void> {
    if (m.retraction) {
      const original = m.id.endsWith(RETRACTION_SUFFIX) ? m.id.slice(0, -RETRACTION_SUFFIX.length) : m.id;
      await this.post({ routing_key: this.routingKey, event_action: "resolve", dedup_key: original });
      return;
    }
    if (m.resolves && m.resolves.length > 0) {
      for (const id of m.resolves) await this.post({ routing_key: this.routingKey, event_action: "resolve", dedup_key: id });
      return;
    }
    await this.post({
      routing_key: this.routingKey,
      event_action: "trigger",
      dedup_key: m.id,
      payload: {
        summary: truncate(m.title, 1024),
        source: this.source,
        severity: PD_SEVERITY[m.severity],
        timestamp: new Date().toISOString(),
        component: "breakwater",
        group: m.incidentId,
        custom_details: { body: m.body, incidentId: m.incidentId, blockNumber: m.blockNumber, blockHash: m.blockHash, txHash: m.txHash, alertId: m.id },
      },
      links: (m.links ?? []).map((href) => ({ href, text: href })),
    });
  }
}

/** Build the configured channels; a missing env variable fails here, naming it, before anything is sent. */
export function createChannels(cfg: AlertsConfig, env: NodeJS.ProcessEnv = process.env): KeeperAlertChannel[] {
  return cfg.channels.map((ch) => {
    const c: Common = { name: ch.name ?? ch.type, timeoutMs: cfg.retry.timeoutMs, minSeverity: ch.minSeverity };
    const what = `alert channel "${c.name}"`;
    try {
      switch (ch.type) {
        case "webhook":
          return new WebhookChannel(ch.url, requireEnv(ch.secretEnv, `${what} HMAC secret`, env), c, undefined, ch.signature);
        case "slack":
          return new SlackChannel(requireEnv(ch.webhookUrlEnv, `${what} Slack webhook URL`, env), c);
        case "discord":
          return new DiscordChannel(requireEnv(ch.webhookUrlEnv, `${what} Discord webhook URL`, env), c);
        case "telegram":
          return new TelegramChannel(ch.apiBaseUrl, requireEnv(ch.botTokenEnv, `${what} Telegram bot token`, env), ch.chatId, c);
        case "pagerduty":
          return new PagerDutyChannel(ch.eventsUrl, requireEnv(ch.routingKeyEnv, `${what} PagerDuty routing key`, env), ch.source, c);
      }
    } catch (err) {
      if (err instanceof SignerConfigError) throw new Error(err.message.replace("; nothing was sent", "; no alert can be sent"));
      throw err;
    }
  });
}
