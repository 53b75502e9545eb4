// Input validation shared by the operator tasks: durations, scopes, addresses, chain ids.
import { getAddress, id, isHexString, zeroPadValue, type Provider } from "ethers";
import { fail } from "./errors.js";

/** Named scopes, as in contracts/breaker/Scopes.sol: keccak256("breakwater.scope.<NAME>"). */
export const SCOPE_NAMES = ["GLOBAL", "DEPOSIT", "WITHDRAW", "BORROW", "LIQUIDATION", "TRADE"] as const;
export type ScopeName = (typeof SCOPE_NAMES)[number];
export const Scopes: Record<ScopeName, string> = Object.fromEntries(
  SCOPE_NAMES.map((n) => [n, id(`breakwater.scope.${n}`)]),
) as Record<ScopeName, string>;

/** The scope that pauses one asset: the address left-padded to 32 bytes. */
export function assetScope(asset: string): string {
  return zeroPadValue(getAddress(asset), 32).toLowerCase();
}

/** True for an asset-shaped scope (high 96 bits zero, not zero). */
export function isAssetScope(scope: string): boolean {
  const v = BigInt(scope);
  return v !== 0n && v >> 160n === 0n;
}

export interface ParsedScope {
  scope: string;
  /** "GLOBAL", "asset:0x…" or the raw bytes32. */
  label: string;
  asset?: string;
}

/** A human name for a scope id: GLOBAL, asset:0x…, or the bytes32 itself. */
export function scopeLabel(scope: string): string {
  const s = scope.toLowerCase();
  for (const n of SCOPE_NAMES) if (Scopes[n] === s) return n;
  if (isAssetScope(s)) return `asset:${getAddress("0x" + s.slice(-40))}`;
  return scope;
}

/** GLOBAL | DEPOSIT | WITHDRAW | BORROW | LIQUIDATION | TRADE | asset:0x… | 0x<40 hex> | 0x<64 hex>. */
export function parseScope(input: string, option = "--scope"): ParsedScope {
  const raw = input.trim();
  const upper = raw.toUpperCase();
  if ((SCOPE_NAMES as readonly string[]).includes(upper)) return { scope: Scopes[upper as ScopeName], label: upper };
  const assetText = raw.toLowerCase().startsWith("asset:") ? raw.slice(6) : isHexString(raw, 20) ? raw : undefined;
  if (assetText !== undefined) {
    const asset = requireAddress(assetText, option);
    return { scope: assetScope(asset), label: `asset:${asset}`, asset };
  }
  if (isHexString(raw, 32)) {
    if (BigInt(raw) === 0n) fail(`${option} ${raw}: the zero scope is invalid`, `use one of ${SCOPE_NAMES.join(", ")} or asset:0x…`, fieldOf(option));
    const scope = raw.toLowerCase();
    const label = scopeLabel(scope);
    return isAssetScope(scope) ? { scope, label, asset: label.slice(6) } : { scope, label };
  }
  return fail(
    `${option} "${input}" is not a scope`,
    `use one of ${SCOPE_NAMES.join(", ")}, asset:0x<token address>, or a raw 0x<64 hex> scope id`,
    fieldOf(option),
  );
}

/** "--rpc-url" / "--args duration" → "rpcUrl" / "args": the task argument an error is about. */
export function fieldOf(option: string): string | undefined {
  const m = /^--([a-z0-9-]+)/i.exec(option.trim());
  return m ? m[1]!.replace(/-([a-z0-9])/g, (_x, c: string) => c.toUpperCase()) : undefined;
}

const UNIT: Record<string, bigint> = { s: 1n, m: 60n, h: 3600n, d: 86400n, w: 604800n };

export const UINT64_MAX = (1n << 64n) - 1n;
export const UINT256_MAX = (1n << 256n) - 1n;

/** Bounds a duration must fall in, with the words that say where they come from. */
export interface DurationBounds {
  min: bigint;
  max: bigint;
  /** e.g. "the breaker's pause bounds" */
  source?: string;
}

function boundsText(b: DurationBounds): string {
  return `${b.source ? `${b.source} ` : ""}${formatDuration(b.min)}..${formatDuration(b.max)}`;
}

/**
 * "3600", "90s", "30m", "2h", "1d", "1w", "1h30m" → seconds. A negative value (`--duration=-1h`) is
 * refused as such; with `bounds`, so is anything outside them, naming the bounds.
 */
export function parseDuration(input: string | number | bigint, option = "--duration", bounds?: DurationBounds): bigint {
  const field = fieldOf(option);
  const within = bounds ? `pass a duration within ${boundsText(bounds)}` : "durations are positive: seconds (3600) or 90s, 30m, 2h, 1d, 1w";
  let v: bigint;
  if (typeof input === "number" || typeof input === "bigint") {
    v = BigInt(input);
  } else {
    const text = input.trim().toLowerCase();
    if (/^-\s*(\d+|(\d+[smhdw])+)$/.test(text)) fail(`${option} "${input}" is negative: a duration must be positive`, within, field);
    if (/^\d+$/.test(text)) v = BigInt(text);
    else if (/^(\d+[smhdw])+$/.test(text)) {
      v = 0n;
      for (const m of text.matchAll(/(\d+)([smhdw])/g)) v += BigInt(m[1]!) * UNIT[m[2]!]!;
    } else {
      return fail(`${option} "${input}" is not a duration`, "use seconds (3600) or a unit: 90s, 30m, 2h, 1d, 1w, 1h30m", field);
    }
  }
  if (v < 0n) fail(`${option} ${input} is negative: a duration must be positive`, within, field);
  if (bounds) {
    if (v < bounds.min || v > bounds.max) fail(`${option} ${input} (${v > UINT64_MAX ? "more than 2^64 s" : formatDuration(v)}) is outside ${boundsText(bounds)}`, within, field);
  } else if (v > UINT64_MAX) {
    fail(`${option} ${input} is too long: durations are at most 2^64-1 seconds`, within, field);
  }
  return v;
}

/** Seconds → "2h", "1d 6h", "45s". */
export function formatDuration(seconds: bigint | number): string {
  let s = BigInt(seconds);
  if (s === 0n) return "0s";
  const parts: string[] = [];
  for (const [u, v] of [["d", 86400n], ["h", 3600n], ["m", 60n], ["s", 1n]] as const) {
    if (s >= v) {
      parts.push(`${s / v}${u}`);
      s %= v;
    }
  }
  return parts.join(" ");
}

/** A checksummed address, or a clear error naming the option. */
export function requireAddress(value: string | undefined, option: string): string {
  const field = fieldOf(option);
  if (value === undefined || value === "") fail(`${option} is required`, "pass 0x followed by 40 hex digits", field);
  const v = value.trim();
  if (!isHexString(v, 20)) fail(`${option} "${value}" is not an address`, "pass 0x followed by 40 hex digits", field);
  // All-lowercase (or all-uppercase) carries no checksum; mixed case must be a correct EIP-55 checksum.
  try {
    return getAddress(v);
  } catch {
    return fail(`${option} "${value}" has a wrong checksum (EIP-55): one of its letters has the wrong case`, "copy the address again, or pass it in lower case", field);
  }
}

/** The address must hold code (a deployed contract). */
export async function requireCode(provider: Provider, address: string, what: string): Promise<void> {
  const code = await provider.getCode(address);
  if (code === "0x") {
    fail(
      `${what} ${address} has no code on this chain`,
      "check --network, the address book (deployments/<network>.json), or deploy first with `npx hardhat breakwater deploy --params …`",
    );
  }
}

/** A whole non-negative amount in token units ("1000000", "1e24", "1_000"), at most 2^256-1. */
export function parseAmount(input: string | number | bigint, what: string, max = UINT256_MAX): bigint {
  const field = fieldOf(what);
  let v: bigint;
  if (typeof input === "bigint") v = input;
  else {
    const text = String(input).replace(/_/g, "").trim();
    const exp = /^(\d+)e(\d+)$/i.exec(text);
    if (exp) {
      if (Number(exp[2]) > 100) fail(`${what} "${input}" is too large: at most ${max === UINT256_MAX ? "2^256-1" : max}`, undefined, field);
      v = BigInt(exp[1]!) * 10n ** BigInt(exp[2]!);
    } else if (/^\d+$/.test(text)) v = BigInt(text);
    else if (/^-/.test(text)) return fail(`${what} "${input}" is negative: amounts are whole non-negative numbers`, 'write e.g. "1000000000000000000000" or "1000e18"', field);
    else return fail(`${what} "${input}" is not a whole amount in token units`, 'write e.g. "1000000000000000000000" or "1000e18"', field);
  }
  if (v < 0n) fail(`${what} ${input} is negative`, undefined, field);
  if (v > max) fail(`${what} ${input} is too large: at most ${max === UINT256_MAX ? "2^256-1 (uint256)" : String(max)}`, "check the number of digits", field);
  return v;
}

/** A small whole number (a threshold, a kind id): 0..max. */
export function parseSmallInt(input: string | undefined, what: string, max: number): number {
  const field = fieldOf(what);
  const text = (input ?? "").trim();
  if (!/^\d+$/.test(text)) fail(`${what} "${input ?? ""}" is not a whole number`, `pass 0..${max}`, field);
  const v = Number(text);
  if (v > max) fail(`${what} ${text} is too large: at most ${max}`, undefined, field);
  return v;
}
