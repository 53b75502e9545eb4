// Pause scopes exactly as contracts/breaker/Scopes.sol names them: function groups are
// keccak256("breakwater.scope.<NAME>"), an asset scope is the asset address left-padded to 32 bytes.
import { getAddress, id, zeroPadValue } from "ethers";

export const SCOPES = {
  GLOBAL: id("breakwater.scope.GLOBAL"),
  DEPOSIT: id("breakwater.scope.DEPOSIT"),
  WITHDRAW: id("breakwater.scope.WITHDRAW"),
  BORROW: id("breakwater.scope.BORROW"),
  LIQUIDATION: id("breakwater.scope.LIQUIDATION"),
  TRADE: id("breakwater.scope.TRADE"),
} as const;

/** Scopes.asset(token): the address left-padded with zeros. */
export function assetScope(token: string): string {
  return zeroPadValue(getAddress(token), 32).toLowerCase();
}

/** A readable name for a bytes32 scope (for alerts and the timeline). */
export function scopeLabel(scope: string): string {
  const s = scope.toLowerCase();
  for (const [k, v] of Object.entries(SCOPES)) if (v.toLowerCase() === s) return k;
  if (/^0x0{24}[0-9a-f]{40}$/.test(s) && !/^0x0{64}$/.test(s)) return `asset ${"0x" + s.slice(26)}`;
  return scope;
}
