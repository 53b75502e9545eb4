// HTTP for alert channels (undici), with errors that say whether a retry may help and never
// contain a secret (URLs of Slack/Discord webhooks and Telegram paths are secrets).
import { request } from "undici";
import { redact } from "../../signers/types.js";

export class AlertHttpError extends Error {
  override name = "AlertHttpError";
  constructor(
    message: string,
    /** false for 4xx other than 408/409/425/429: retrying the same request cannot help. */
    readonly retryable: boolean,
    /** Server-requested wait (Retry-After / retry_after), ms. */
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface PostResult {
  status: number;
  body: string;
}

export async function postJson(
  channel: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; secrets: (string | undefined)[]; okStatuses?: (s: number) => boolean },
): Promise<PostResult> {
  const safe = (s: string) => redact(s, [...opts.secrets, url]);
  const where = safe(url) === url ? url : "<redacted URL>";
  let res;
  try {
    res = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "breakwater-keeper", ...headers },
      body,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    throw new AlertHttpError(safe(`${channel}: POST ${where} failed: ${(err as Error).message}`), true);
  }
  const text = await res.body.text().catch(() => "");
  const ok = opts.okStatuses ? opts.okStatuses(res.statusCode) : res.statusCode >= 200 && res.statusCode < 300;
  if (!ok) {
    let retryAfterMs: number | undefined;
    const ra = res.headers["retry-after"];
    if (typeof ra === "string" && /^\d+(\.\d+)?$/.test(ra)) retryAfterMs = Number(ra) * 1000;
    try {
      const j = JSON.parse(text) as { retry_after?: number; parameters?: { retry_after?: number } };
      const s = j.retry_after ?? j.parameters?.retry_after;
      if (typeof s === "number") retryAfterMs = s * 1000;
    } catch {
      /* not JSON */
    }
    const s = res.statusCode;
    const retryable = s >= 500 || s === 408 || s === 409 || s === 425 || s === 429;
    throw new AlertHttpError(safe(`${channel}: POST ${where} → HTTP ${s}: ${text.slice(0, 300)}`), retryable, retryAfterMs, s);
  }
  return { status: res.statusCode, body: text };
}
