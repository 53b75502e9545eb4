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
    if (BigInt(raw) === 0n) fail(`${option} ${raw}: the zero scope is invalid`, `use one of ${SCOPE_NAMES.join(", ")} or asset:0x…`);
    const scope = raw.toLowerCase();
    const label = scopeLabel(scope);
    return isAssetScope(scope) ? { scope, label, asset: label.slice(6) } : { scope, label };
  }
  return fail(
    `${option} "${input}" is not a scope`,
    `use one of ${SCOPE_NAMES.join(", ")}, asset:0x<token address>, or a raw 0x<64 hex> scope id`,
  );
}

const UNIT: Record<string, bigint> = { s: 1n, m: 60n, h: 3600n, d: 86400n, w: 604800n };

/** "3600", "90s", "30m", "2h", "1d", "1w", "1h30m" → seconds. */
export function parseDuration(input: string | number | bigint, option = "--duration"): bigint {
  if (typeof input === "number" || typeof input === "bigint") {
    const v = BigInt(input);
    if (v < 0n) fail(`${option} ${input}: a duration cannot be negative`);
    return v;
  }
  const text = input.trim().toLowerCase();
  if (/^\d+$/.test(text)) return BigInt(text);
  if (/^(\d+[smhdw])+$/.test(text)) {
    let total = 0n;
    for (const m of text.matchAll(/(\d+)([smhdw])/g)) total += BigInt(m[1]!) * UNIT[m[2]!]!;
    return total;
  }
  return fail(`${option} "${input}" is not a duration`, "use seconds (3600) or a unit: 90s, 30m, 2h, 1d, 1w, 1h30m");
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
  if (value === undefined || value === "") fail(`${option} is required`);
  if (!isHexString(value, 20)) fail(`${option} "${value}" is not an address`, "pass 0x followed by 40 hex digits");
  try {
    return getAddress(value);
  } catch {
    return fail(`${option} "${value}" has a wrong checksum`, "copy the address again, or pass it in lower case");
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

/** A whole non-negative amount in token units ("1000000", "1e24", "1_000"). */
export function parseAmount(input: string | number | bigint, what: string): bigint {
  if (typeof input === "bigint") return input;
  const text = String(input).replace(/_/g, "").trim();
  const exp = /^(\d+)e(\d+)$/i.exec(text);
  if (exp) return BigInt(exp[1]!) * 10n ** BigInt(exp[2]!);
  if (/^\d+$/.test(text)) return BigInt(text);
  return fail(`${what} "${input}" is not a whole amount in token units`, 'write e.g. "1000000000000000000000" or "1000e18"');
}
