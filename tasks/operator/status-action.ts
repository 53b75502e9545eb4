// `npx hardhat breakwater breaker status [--breaker 0x…] [--json]`: pauses per scope (with expiries and grace
// periods), alarm, sentinel, limits and remaining capacity per asset, queued outflows.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { z } from "zod";
import { inputs, parseInputs } from "../lib/inputs.js";
import { at, chainNow, connectChain, type OperatorChain } from "../lib/chain.js";
import { isoTime, print, table, toJson } from "../lib/output.js";
import { SCOPE_NAMES, Scopes, assetScope, formatDuration, scopeLabel } from "../lib/validation.js";
import { breakerAddress, loadBook, runAction, type CommonArgs } from "./common.js";

export interface StatusArgs extends CommonArgs {
  breaker: string;
}

export interface ScopeStatus {
  scope: string;
  label: string;
  paused: boolean;
  /** Paused by its own pause (not only through GLOBAL). */
  ownPause: boolean;
  /** This scope's own pause expiry (0 = never paused). */
  pausedUntil: string;
  pausedUntilIso: string;
  inGracePeriod: boolean;
}

export interface AssetStatus {
  asset: string;
  symbol: string | null;
  frozen: boolean;
  maxCapacity: string;
  available: string;
  window: number;
  mode: "Revert" | "Queue";
  settlementDelay: number;
  minTvl: string;
  inflowCredit: boolean;
  queuedTotal: string;
}

export interface QueuedStatus {
  id: number;
  asset: string;
  recipient: string;
  amount: string;
  scope: string;
  claimableAt: string;
  state: "pending" | "claimable" | "held" | "claimed" | "vetoed";
}

export interface BreakerStatus {
  network: string;
  chainId: number;
  breaker: string;
  now: string;
  alarm: boolean;
  pauseBounds: { maxPauseDuration: number; gracePeriod: number };
  scopes: ScopeStatus[];
  sentinel: { account: string; armed: boolean; maxDuration: number; cooldown: number; lastPauseAt: string; readyAt: string } | null;
  assets: AssetStatus[];
  queued: QueuedStatus[];
}

export async function readStatus(chain: OperatorChain, breaker: string): Promise<BreakerStatus> {
  const b = await at(chain, "circuitBreaker", breaker);
  const now = await chainNow(chain);
  const [maxPause, grace] = await b.pauseBounds();
  const assets: string[] = [...(await b.assets())];
  const scopeIds: string[] = [...SCOPE_NAMES.map((n) => Scopes[n]), ...assets.map((a) => assetScope(a))];
  for (const s of await b.pausedScopes()) if (!scopeIds.includes(s.toLowerCase())) scopeIds.push(s.toLowerCase());
  const scopes: ScopeStatus[] = [];
  for (const scope of scopeIds) {
    const until = BigInt(await b.pausedUntil(scope));
    scopes.push({
      scope,
      label: scopeLabel(scope),
      paused: await b.isPaused(scope),
      ownPause: until > now,
      pausedUntil: until.toString(),
      pausedUntilIso: isoTime(until),
      inGracePeriod: await b.inGracePeriod(scope),
    });
  }
  const [account, armed, maxDuration, cooldown, lastPauseAt] = await b.sentinelState();
  const sentinel =
    BigInt(account) === 0n
      ? null
      : {
          account,
          armed,
          maxDuration: Number(maxDuration),
          cooldown: Number(cooldown),
          lastPauseAt: isoTime(lastPauseAt),
          readyAt: BigInt(lastPauseAt) === 0n ? "-" : isoTime(BigInt(lastPauseAt) + BigInt(cooldown)),
        };
  const assetRows: AssetStatus[] = [];
  for (const a of assets) {
    const l = await b.limitOf(a);
    let symbol: string | null = null;
    try {
      const erc20 = new chain.ethers.Contract(a, ["function symbol() view returns (string)"], chain.ethers.provider);
      symbol = await erc20.symbol();
    } catch {
      symbol = null;
    }
    assetRows.push({
      asset: a,
      symbol,
      frozen: await b.isFrozen(a),
      maxCapacity: l.maxCapacity.toString(),
      available: (await b.availableCapacity(a)).toString(),
      window: Number(l.window),
      mode: Number(l.mode) === 1 ? "Queue" : "Revert",
      settlementDelay: Number(l.settlementDelay),
      minTvl: l.minTvl.toString(),
      inflowCredit: l.inflowCredit,
      queuedTotal: (await b.queuedTotal(a)).toString(),
    });
  }
  const queued: QueuedStatus[] = [];
  const count = Number(await b.queuedOutflowCount());
  for (let i = 1; i <= count; i++) {
    const q = await b.queuedOutflow(i);
    const claimableAt = BigInt(q.claimableAt);
    let state: QueuedStatus["state"];
    if (q.vetoed) state = "vetoed";
    else if (q.settled) state = "claimed";
    else if (now < claimableAt) state = "pending";
    else if ((await b.isPaused(q.scope)) || (await b.isPaused(assetScope(q.asset))) || (await b.isFrozen(q.asset)) || (await b.isQuarantined(q.recipient))) state = "held";
    else state = "claimable";
    queued.push({ id: i, asset: q.asset, recipient: q.recipient, amount: q.amount.toString(), scope: scopeLabel(q.scope), claimableAt: isoTime(claimableAt), state });
  }
  return {
    network: chain.networkName,
    chainId: chain.chainId,
    breaker,
    now: isoTime(now),
    alarm: await b.alarmRaised(),
    pauseBounds: { maxPauseDuration: Number(maxPause), gracePeriod: Number(grace) },
    scopes,
    sentinel,
    assets: assetRows,
    queued,
  };
}

export function renderStatus(s: BreakerStatus): string {
  const out: string[] = [];
  out.push(`Breaker ${s.breaker} on ${s.network} (chain ${s.chainId}) at ${s.now}`);
  out.push(`alarm: ${s.alarm ? "RAISED" : "clear"}   max pause: ${formatDuration(s.pauseBounds.maxPauseDuration)}   grace period: ${formatDuration(s.pauseBounds.gracePeriod)}`);
  out.push("");
  out.push(
    table(
      ["scope", "state", "paused until", "grace"],
      s.scopes.map((x) => [
        x.label,
        x.ownPause ? "PAUSED" : x.paused ? "paused (GLOBAL)" : "active",
        x.pausedUntilIso,
        x.inGracePeriod ? "in grace" : "-",
      ]),
    ),
  );
  out.push("");
  out.push(
    s.sentinel
      ? `sentinel: ${s.sentinel.account}  ${s.sentinel.armed ? "ARMED" : "disarmed (fired; re-arm: guardian propose --kind ArmSentinel)"}  max ${formatDuration(s.sentinel.maxDuration)}  cooldown ${formatDuration(s.sentinel.cooldown)}  last fired ${s.sentinel.lastPauseAt}  ready ${s.sentinel.readyAt}`
      : "sentinel: not set",
  );
  out.push("");
  if (s.assets.length === 0) out.push("limits: no asset registered");
  else
    out.push(
      table(
        ["asset", "symbol", "available / max", "refill window", "mode", "queued", "frozen"],
        s.assets.map((a) => [
          a.asset,
          a.symbol ?? "?",
          `${a.available} / ${a.maxCapacity}`,
          formatDuration(a.window),
          a.mode === "Queue" ? `Queue (${formatDuration(a.settlementDelay)})` : "Revert",
          a.queuedTotal,
          a.frozen ? "FROZEN" : "-",
        ]),
      ),
    );
  out.push("");
  if (s.queued.length === 0) out.push("queued outflows: none");
  else
    out.push(
      table(
        ["id", "asset", "recipient", "amount", "claimable at", "state"],
        s.queued.map((q) => [String(q.id), q.asset, q.recipient, q.amount, q.claimableAt, q.state]),
      ),
    );
  return out.join("\n");
}

export async function runStatus(args: StatusArgs, chain: OperatorChain): Promise<BreakerStatus> {
  const p = parseInputs(z.object({ breaker: inputs.optionalAddress("--breaker") }), args);
  const { book } = loadBook(args, chain);
  const breaker = await breakerAddress(chain, book, p.breaker);
  const status = await readStatus(chain, breaker);
  print(args.json ? toJson(status) : renderStatus(status));
  return status;
}

export default async function statusAction(args: StatusArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runStatus(args, await connectChain(hre, args)), args);
}
