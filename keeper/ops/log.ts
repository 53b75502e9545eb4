// Structured JSON logs (pino) that cannot leak secrets: well-known secret field names are
// redacted by path, and every string (message or field, at any depth) is scrubbed of the secret
// VALUES the keeper knows about (the resolved sentinel key, webhook tokens, ...), and of anything
// that looks like a raw 32-byte private key.
import { pino, type Logger } from "pino";

export type { Logger };

const SECRET_KEYS = /(^|_|-)(private[-_]?key|secret|token|password|passphrase|api[-_]?key|authorization|mnemonic|seed)$/i;
const PRIVATE_KEY_LIKE = /\b(0x)?[0-9a-fA-F]{64}\b/g;

/** Secret values registered at runtime (resolved from env / keystore). Shared by every logger. */
const knownSecrets = new Set<string>();

/** Register a secret value: it will never appear in logs (nor in errors formatted by `scrub`). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) knownSecrets.add(value);
}

/** Replace every known secret value in `text` with [REDACTED]. Private-key-shaped hex too, unless it is a known hash context. */
export function scrubText(text: string, opts: { hexKeys?: boolean } = {}): string {
  let out = text;
  for (const s of knownSecrets) if (out.includes(s)) out = out.split(s).join("[REDACTED]");
  if (opts.hexKeys) out = out.replace(PRIVATE_KEY_LIKE, "[REDACTED]");
  return out;
}

/** Deep copy with secrets scrubbed: secret-named fields replaced, known secret values removed. */
export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[…]";
  if (typeof value === "string") return scrubText(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    return { type: value.name, message: scrubText(value.message), stack: value.stack ? scrubText(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEYS.test(k) && typeof v === "string" && !/Env$/.test(k) ? "[REDACTED]" : scrub(v, depth + 1);
    }
    return out;
  }
  return value;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Where to write (default stdout). Tests pass a stream to capture. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      name: opts.name ?? "keeper",
      level: opts.level ?? "info",
      redact: {
        paths: ["privateKey", "*.privateKey", "key", "*.key", "token", "*.token", "secret", "*.secret", "apiKey", "*.apiKey",
          "apiSecret", "*.apiSecret", "password", "*.password", "authorization", "*.authorization", "headers.authorization",
          "*.headers.authorization"],
        censor: "[REDACTED]",
      },
      formatters: {
        log: (obj) => scrub(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a) => (typeof a === "string" ? scrubText(a) : a)) as typeof args;
          return method.apply(this, clean);
        },
      },
      serializers: { err: (e: unknown) => scrub(e) },
    },
    (opts.destination ?? process.stdout) as pino.DestinationStream,
  );
}
