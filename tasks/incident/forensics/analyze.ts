// Post-incident forensics: from a keeper incident (or a block range) and the attacker accounts,
// reconstruct the attacker transactions (decoded), the fund flows per account and asset (logs,
// transaction values, traced internal ETH, balances at the block boundaries), the loss per asset
// and in total, the affected accounts, how the attacker accounts were funded, and the response
// timeline from the keeper's store. Read-only: only eth_* / debug_traceTransaction calls.
//
// LOSS (see LOSS_DEFINITION): the net value that left the protected contracts (and --victims)
// in the attacker transactions, plus the value of the protected contracts' own shares the
// attacker accounts gained (ERC-4626-style claims, valued with convertToAssets at --to-block),
// minus amounts legitimately owed to the attacker accounts (--owed); per asset, then valued in
// one asset (--value-in, --prices at --price-block, default the block before the range) and
// floored at 0 in total.
import { AbiCoder, getAddress, id, isHexString, parseUnits, zeroPadValue } from "ethers";
import { fail } from "../../lib/errors.js";
import { requireAddress } from "../../lib/validation.js";
import { loadAbiRegistry, type AbiRegistry } from "./abi.js";
import { StoreReader } from "./store.js";
import {
  ANALYSIS_VERSION,
  type AccountFlow,
  type Analysis,
  type AssetInfo,
  type AttackerTx,
  type FundingSource,
  type LossFigures,
  type ResponseEvent,
  type TransferRow,
  type Valuation,
} from "./types.js";

export const LOSS_DEFINITION =
  "Loss = for each asset, the net amount that left the protected contracts (--contracts, plus any --victims) in the attacker transactions " +
  "(every transaction in the range sent by an attacker account or to an attacker contract; reverted ones move nothing), measured from their " +
  "Transfer / WETH Deposit-Withdrawal logs, transaction values and traced internal ETH; plus the value of the protected contracts' own shares " +
  "(ERC-4626-style claims: an ERC-20 protected contract with convertToAssets) that the attacker accounts gained, valued with convertToAssets " +
  "at the last block of the range (redeeming shares one holds is not a loss; keeping shares obtained cheaply is); minus amounts legitimately " +
  "owed to attacker accounts (--owed). The total values every asset in one unit (--value-in) at the given prices (--prices: a fixed price or " +
  "an oracle read at --price-block, default the block before the range, i.e. pre-attack) and is floored at 0 (a protocol that received more " +
  "than it paid lost nothing). Outflows to anyone in the attacker transactions count, not only to attacker accounts: a helper contract the " +
  "attacker created elsewhere still shows as an outflow.";

export interface Rpc {
  send(method: string, params: unknown[]): Promise<any>;
}

export interface AnalyzeOptions {
  rpc: Rpc;
  /** For the report: where the chain was read ("http://…", "hardhat network <name>"). */
  rpcLabel: string;
  storePath?: string;
  incident?: string;
  fromBlock?: number;
  toBlock?: number;
  suspects?: string[];
  contracts?: string[];
  victims?: string[];
  /** Expected chain id (--chain-id); the store's chain id is checked too. */
  chainId?: number;
  /** "token=1400" (numeraire units per whole token) or "token=0xOracle[@block]" (price() read, 1e18-scaled). token = address or symbol. */
  prices?: string[];
  /** The unit of the total: a token address or symbol. */
  valueIn?: string;
  /** Block the oracle prices are read at (default fromBlock - 1). */
  priceBlock?: number;
  /** "account=amount[@token]": legitimately owed to an attacker account, deducted from the loss. */
  owed?: string[];
  /** Incident mode: blocks before the incident's first block to include (default 20), and after its containment (default 5). */
  lookback?: number;
  after?: number;
  /** Add attacker contracts: created by suspect txs, or called only by suspects within the range (default true). */
  expand?: boolean;
  /** Largest range accepted (default 5,000 blocks). */
  maxBlocks?: number;
  /** Trace internal ETH transfers with debug_traceTransaction (callTracer) when the node supports it (default true). */
  trace?: boolean;
}

const TRANSFER = id("Transfer(address,address,uint256)");
const WETH_DEPOSIT = id("Deposit(address,uint256)");
const WETH_WITHDRAWAL = id("Withdrawal(address,uint256)");
const PAUSED = id("Paused(bytes32,uint64,address)");
const ETH = "ETH";
const ZERO = "0x0000000000000000000000000000000000000000";
const abi = AbiCoder.defaultAbiCoder();
const hex = (n: number | bigint) => "0x" + BigInt(n).toString(16);
const lc = (a: string) => a.toLowerCase();
const topicAddr = (t: string) => getAddress("0x" + t.slice(26));

interface RawTx {
  hash: string;
  from: string;
  to: string | null;
  value: string;
  input: string;
  transactionIndex: string;
  blockNumber: string;
}
interface RawBlock {
  number: string;
  timestamp: string;
  transactions: RawTx[];
}
interface RawLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: string;
  transactionHash: string;
  blockNumber: string;
}
interface RawReceipt {
  status: string;
  gasUsed: string;
  contractAddress: string | null;
  logs: RawLog[];
}

class Chain {
  constructor(readonly rpc: Rpc) {}
  async call(to: string, data: string, block: number): Promise<string | undefined> {
    try {
      const r = (await this.rpc.send("eth_call", [{ to, data }, hex(block)])) as string;
      return r && r !== "0x" ? r : undefined;
    } catch {
      return undefined;
    }
  }
  async uint(to: string, signature: string, block: number, args: { types: string[]; values: unknown[] } = { types: [], values: [] }): Promise<bigint | undefined> {
    const data = id(signature).slice(0, 10) + abi.encode(args.types, args.values).slice(2);
    const r = await this.call(to, data, block);
    if (!r || r.length < 66) return undefined;
    return BigInt(r.slice(0, 66));
  }
  async address(to: string, signature: string, block: number): Promise<string | undefined> {
    const v = await this.uint(to, signature, block);
    return v === undefined || v >> 160n !== 0n ? undefined : getAddress(zeroPadValue(hex(v), 20));
  }
  async string(to: string, signature: string, block: number): Promise<string | undefined> {
    const r = await this.call(to, id(signature).slice(0, 10), block);
    if (!r) return undefined;
    try {
      return String(abi.decode(["string"], r)[0]);
    } catch {
      try {
        return Buffer.from(r.slice(2, 66), "hex").toString("utf8").replace(/\0+$/, "") || undefined;
      } catch {
        return undefined;
      }
    }
  }
  async balance(addr: string, block: number): Promise<bigint> {
    return BigInt((await this.rpc.send("eth_getBalance", [addr, hex(block)])) as string);
  }
  async code(addr: string, block: number | "latest"): Promise<string> {
    return (await this.rpc.send("eth_getCode", [addr, typeof block === "number" ? hex(block) : block])) as string;
  }
  async logs(filter: { address?: string | string[]; topics: (string | string[] | null)[]; fromBlock: number; toBlock: number }): Promise<RawLog[]> {
    return (await this.rpc.send("eth_getLogs", [{ ...filter, fromBlock: hex(filter.fromBlock), toBlock: hex(filter.toBlock) }])) as RawLog[];
  }
}

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (i < items.length) {
        const k = i++;
        out[k] = await fn(items[k]!);
      }
    }),
  );
  return out;
}

function addTo(map: Map<string, Map<string, bigint>>, account: string, asset: string, delta: bigint): void {
  const m = map.get(account) ?? new Map<string, bigint>();
  m.set(asset, (m.get(asset) ?? 0n) + delta);
  map.set(account, m);
}

function requireBlock(v: number | undefined, option: string): number | undefined {
  if (v === undefined || v < 0) return undefined;
  if (!Number.isInteger(v)) fail(`${option} ${v} is not a block number`);
  return v;
}

/** Analyse an incident; throws OperatorError (naming the option) on bad input. Writes nothing. */
export async function analyzeIncident(o: AnalyzeOptions): Promise<Analysis> {
  const chain = new Chain(o.rpc);
  const notes: string[] = [];

  // ---------------------------------------------------------------- inputs (all checked before any work)
  const suspectsIn = (o.suspects ?? []).map((a) => requireAddress(a.trim(), "--suspects"));
  const contractsIn = (o.contracts ?? []).map((a) => requireAddress(a.trim(), "--contracts"));
  const victimsIn = (o.victims ?? []).map((a) => requireAddress(a.trim(), "--victims"));
  let fromBlock = requireBlock(o.fromBlock, "--from-block");
  let toBlock = requireBlock(o.toBlock, "--to-block");
  if (o.incident && !o.storePath) fail("--incident needs --store <keeper sqlite file>", "pass the keeper's store.path");

  let chainId: number;
  let head: number;
  try {
    chainId = Number(BigInt((await o.rpc.send("eth_chainId", [])) as string));
    head = Number(BigInt((await o.rpc.send("eth_blockNumber", [])) as string));
  } catch (err) {
    return fail(`--rpc-url ${o.rpcLabel}: the RPC does not answer (${(err as Error).message.split("\n")[0]})`, "check the URL / network");
  }
  if (o.chainId !== undefined && o.chainId > 0 && o.chainId !== chainId) {
    fail(`--chain-id ${o.chainId}: the RPC (${o.rpcLabel}) is chain ${chainId}`, "point --rpc-url at the chain of the incident");
  }

  const store = o.storePath ? new StoreReader(o.storePath) : undefined;
  try {
    const storeChain = store?.chainId();
    if (store && storeChain !== undefined && storeChain !== chainId) {
      fail(`--rpc-url: the RPC (${o.rpcLabel}) is chain ${chainId}, but the store ${o.storePath} belongs to chain ${storeChain}`, "point --rpc-url at the chain the keeper watched");
    }
    let incident: Analysis["incident"];
    const suspects = new Map<string, string>(); // lc address -> reason
    const protectedSet = new Set<string>(contractsIn.map(lc));
    for (const s of suspectsIn) suspects.set(lc(s), "--suspects");
    if (o.incident) {
      const inc = store!.incident(o.incident);
      if (!inc) {
        const known = store!.incidents();
        fail(
          `--incident "${o.incident}": no such incident in ${o.storePath}`,
          known.length ? `known incidents: ${known.slice(0, 8).map((i) => i.id).join(", ")}${known.length > 8 ? ", …" : ""}` : "the store has no incident",
        );
      }
      incident = { ...inc };
      const tl = store!.timeline(inc.id);
      // Attacker accounts the detections name (matchers carry the transaction).
      const hashes = new Set<string>();
      for (const e of tl) {
        const h = e.data?.txHash;
        if (typeof h === "string" && isHexString(h, 32)) hashes.add(h);
        const pause = e.data?.pause as { breaker?: string } | undefined;
        if (pause?.breaker && isHexString(pause.breaker, 20)) protectedSet.add(lc(pause.breaker));
      }
      for (const a of store!.attempts(inc.id)) if (a.kind === "pause" && isHexString(a.to, 20)) protectedSet.add(lc(a.to));
      for (const h of hashes) {
        const tx = (await o.rpc.send("eth_getTransactionByHash", [h])) as RawTx | null;
        if (tx && !suspects.has(lc(tx.from))) suspects.set(lc(tx.from), `sender of ${h.slice(0, 10)}… named by detection ${inc.ruleId}`);
      }
      if (fromBlock === undefined) fromBlock = Math.max(1, inc.firstBlock - (o.lookback ?? 20));
      if (toBlock === undefined) toBlock = Math.min(head, (inc.containedBlock ?? inc.firstBlock) + (o.after ?? 5));
    }
    for (const v of victimsIn) protectedSet.delete(lc(v));
    if (fromBlock === undefined) fail("--from-block is required (or --store with --incident)");
    if (toBlock === undefined) toBlock = head;
    if (fromBlock < 1) fail(`--from-block ${fromBlock}: must be >= 1 (balances are read at from-block - 1)`);
    if (fromBlock > toBlock) fail(`--from-block ${fromBlock} is after --to-block ${toBlock}: the range is empty`);
    if (toBlock > head) fail(`--to-block ${toBlock} is beyond the chain head ${head} of ${o.rpcLabel}`, "is --rpc-url the incident's chain? is the fork recent enough?");
    const maxBlocks = o.maxBlocks ?? 5_000;
    if (toBlock - fromBlock + 1 > maxBlocks) fail(`--from-block/--to-block: ${toBlock - fromBlock + 1} blocks is more than --max-blocks ${maxBlocks}`, "narrow the range or raise --max-blocks");
    if (suspects.size === 0) fail("--suspects: at least one attacker address is needed", o.incident ? "the incident's detections name no transaction: pass --suspects" : "pass --suspects 0x…,0x…");
    if (protectedSet.size === 0 && victimsIn.length === 0) fail("--contracts: at least one protected contract is needed (whose funds were at stake)", "pass --contracts 0x…");
    for (const c of protectedSet) {
      if ((await chain.code(c, toBlock)) === "0x") {
        fail(`--contracts ${getAddress(c)} has no code at block ${toBlock} on chain ${chainId}`, "wrong address, or --rpc-url points at another chain");
      }
    }
    for (const s of suspects.keys()) if (protectedSet.has(s)) fail(`--suspects ${getAddress(s)} is also a protected contract (--contracts)`);
    const owedSpecs = (o.owed ?? []).map((spec) => parseOwed(spec));
    const priceSpecs = (o.prices ?? []).map((spec) => parsePriceSpec(spec));

    // ---------------------------------------------------------------- blocks and transactions of the range
    const numbers = Array.from({ length: toBlock - fromBlock + 1 }, (_, i) => fromBlock! + i);
    const blocks = await pool(numbers, 8, async (n) => (await o.rpc.send("eth_getBlockByNumber", [hex(n), true])) as RawBlock);
    const blockTime = new Map<number, number>();
    const allTxs: (RawTx & { block: number })[] = [];
    for (const b of blocks) {
      const n = Number(BigInt(b.number));
      blockTime.set(n, Number(BigInt(b.timestamp)));
      for (const t of b.transactions) allTxs.push({ ...t, block: n });
    }
    const receipts = new Map<string, RawReceipt>();
    const receipt = async (h: string) => {
      let r = receipts.get(h);
      if (!r) {
        r = (await o.rpc.send("eth_getTransactionReceipt", [h])) as RawReceipt;
        receipts.set(h, r);
      }
      return r;
    };

    // ---------------------------------------------------------------- attacker accounts (fixed point)
    const isAttackerTx = (t: RawTx) => suspects.has(lc(t.from)) || (t.to !== null && suspects.has(lc(t.to)));
    const tokenLike = new Map<string, boolean>();
    for (let round = 0; round < 4; round++) {
      const before = suspects.size;
      const txs = allTxs.filter(isAttackerTx);
      await pool(txs, 8, (t) => receipt(t.hash));
      for (const t of txs) {
        const r = receipts.get(t.hash)!;
        if (r.contractAddress && !suspects.has(lc(r.contractAddress))) suspects.set(lc(r.contractAddress), `created by suspect tx ${t.hash.slice(0, 10)}…`);
      }
      if (o.expand !== false) {
        const candidates = new Set<string>();
        for (const t of txs) if (t.to && suspects.has(lc(t.from)) && !suspects.has(lc(t.to)) && !protectedSet.has(lc(t.to))) candidates.add(lc(t.to));
        for (const c of candidates) {
          if (victimsIn.some((v) => lc(v) === c)) continue;
          if (allTxs.some((t) => t.to !== null && lc(t.to) === c && !suspects.has(lc(t.from)))) continue;
          if ((await chain.code(c, toBlock)) === "0x") continue;
          if (!tokenLike.has(c)) tokenLike.set(c, (await chain.uint(c, "totalSupply()", toBlock)) !== undefined);
          if (tokenLike.get(c)) continue; // a token / pair the attacker used is not the attacker's
          suspects.set(c, "contract called only by suspects in the range");
        }
      }
      if (suspects.size === before) break;
    }
    const attackerTxsRaw = allTxs.filter(isAttackerTx);
    await pool(attackerTxsRaw, 8, (t) => receipt(t.hash));
    if (attackerTxsRaw.length === 0) notes.push(`no transaction of the attacker accounts in blocks ${fromBlock}–${toBlock}`);

    // ---------------------------------------------------------------- decode, transfers
    const reg: AbiRegistry = loadAbiRegistry();
    let traceOk = o.trace !== false;
    const attackerTxs: AttackerTx[] = [];
    const assetsSeen = new Set<string>();
    for (const t of attackerTxsRaw) {
      const r = receipts.get(t.hash)!;
      const ok = Number(BigInt(r.status)) === 1;
      const transfers: TransferRow[] = [];
      const value = BigInt(t.value);
      if (ok) {
        for (const l of r.logs) {
          const t0 = (l.topics[0] ?? "").toLowerCase();
          if (t0 === TRANSFER && l.topics.length === 3 && l.data.length >= 66) {
            transfers.push({ asset: getAddress(l.address), from: topicAddr(l.topics[1]!), to: topicAddr(l.topics[2]!), amount: BigInt(l.data.slice(0, 66)).toString(), txHash: t.hash, via: "log" });
          } else if (t0 === WETH_DEPOSIT && l.topics.length === 2 && l.data.length >= 66) {
            transfers.push({ asset: getAddress(l.address), from: ZERO, to: topicAddr(l.topics[1]!), amount: BigInt(l.data.slice(0, 66)).toString(), txHash: t.hash, via: "log" });
          } else if (t0 === WETH_WITHDRAWAL && l.topics.length === 2 && l.data.length >= 66) {
            transfers.push({ asset: getAddress(l.address), from: topicAddr(l.topics[1]!), to: ZERO, amount: BigInt(l.data.slice(0, 66)).toString(), txHash: t.hash, via: "log" });
          }
        }
        let traced = false;
        if (traceOk) {
          try {
            const tr = (await o.rpc.send("debug_traceTransaction", [t.hash, { tracer: "callTracer" }])) as CallFrame;
            const frames: CallFrame[] = [];
            collectValueCalls(tr, frames, true);
            for (const f of frames) transfers.push({ asset: ETH, from: getAddress(f.from), to: getAddress(f.to!), amount: BigInt(f.value!).toString(), txHash: t.hash, via: f.top ? "value" : "trace" });
            traced = true;
          } catch {
            traceOk = false;
            notes.push("debug_traceTransaction (callTracer) is not available on this RPC: internal ETH transfers are not traced; top-level transaction values and ETH balances at block boundaries are shown");
          }
        }
        if (!traced && value > 0n && t.to) transfers.push({ asset: ETH, from: getAddress(t.from), to: getAddress(t.to), amount: value.toString(), txHash: t.hash, via: "value" });
        if (!traced && value > 0n && !t.to && r.contractAddress) transfers.push({ asset: ETH, from: getAddress(t.from), to: getAddress(r.contractAddress), amount: value.toString(), txHash: t.hash, via: "value" });
      }
      for (const x of transfers) assetsSeen.add(x.asset);
      attackerTxs.push({
        hash: t.hash,
        blockNumber: t.block,
        timestamp: blockTime.get(t.block) ?? 0,
        index: Number(BigInt(t.transactionIndex)),
        from: getAddress(t.from),
        to: t.to ? getAddress(t.to) : null,
        value: value.toString(),
        status: ok ? "success" : "reverted",
        ...(r.contractAddress ? { createdContract: getAddress(r.contractAddress) } : {}),
        gasUsed: BigInt(r.gasUsed).toString(),
        call: reg.decodeCall(t.input),
        events: r.logs.map((l) => reg.decodeLog({ address: getAddress(l.address), topics: l.topics, data: l.data, logIndex: Number(BigInt(l.logIndex)) })),
        transfers,
      });
    }
    attackerTxs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);

    // ---------------------------------------------------------------- assets
    const assets: Record<string, AssetInfo> = { [ETH]: { address: ETH, symbol: "ETH", decimals: 18 } };
    const assetInfo = async (a: string): Promise<AssetInfo> => {
      if (assets[a]) return assets[a]!;
      const symbol = (await chain.string(a, "symbol()", toBlock!)) ?? `${a.slice(0, 8)}…`;
      const d = await chain.uint(a, "decimals()", toBlock!);
      assets[a] = { address: a, symbol, decimals: d !== undefined && d < 78n ? Number(d) : 18 };
      return assets[a]!;
    };
    for (const a of assetsSeen) if (a !== ETH) await assetInfo(a);
    const resolveAsset = async (key: string, option: string): Promise<string> => {
      if (key.toUpperCase() === ETH) return ETH;
      if (isHexString(key, 20)) {
        const a = requireAddress(key, option);
        await assetInfo(a);
        return a;
      }
      const found = Object.values(assets).filter((x) => x.symbol.toLowerCase() === key.toLowerCase());
      if (found.length === 1) return found[0]!.address;
      if (found.length > 1) return fail(`${option} "${key}": several assets have this symbol (${found.map((x) => x.address).join(", ")})`, "use the token address");
      return fail(`${option} "${key}": no asset with this symbol moved in the attacker transactions`, "use the token address");
    };

    // ---------------------------------------------------------------- flows over the attacker transactions
    const net = new Map<string, Map<string, bigint>>();
    for (const t of attackerTxs) {
      for (const x of t.transfers) {
        const amt = BigInt(x.amount);
        if (lc(x.from) !== lc(ZERO)) addTo(net, lc(x.from), x.asset, -amt);
        if (lc(x.to) !== lc(ZERO)) addTo(net, lc(x.to), x.asset, amt);
      }
    }
    const victims = new Set(victimsIn.map(lc));
    const roleOf = (a: string): AccountFlow["role"] => (suspects.has(a) ? "attacker" : protectedSet.has(a) ? "protected" : victims.has(a) ? "victim" : "other");

    // ---------------------------------------------------------------- loss
    const lossByAsset = new Map<string, bigint>();
    const perAccountLoss = new Map<string, Map<string, bigint>>();
    for (const p of [...protectedSet, ...victims]) {
      for (const [asset, d] of net.get(p) ?? []) {
        if (d === 0n) continue;
        lossByAsset.set(asset, (lossByAsset.get(asset) ?? 0n) - d);
        addTo(perAccountLoss, p, asset, -d);
      }
    }
    // The protected contracts' own shares gained by the attacker accounts (claims on the protocol).
    const shareClaims: LossFigures["shareClaims"] = [];
    const shareValue = new Map<string, { underlying: string; value: (s: bigint) => bigint }>();
    for (const p of protectedSet) {
      const pAddr = getAddress(p);
      let shares = 0n;
      for (const a of suspects.keys()) shares += net.get(a)?.get(pAddr) ?? 0n;
      if (shares === 0n) continue;
      const underlying = (await chain.address(pAddr, "asset()", toBlock)) ?? (await chain.address(pAddr, "token()", toBlock));
      const probe = await chain.uint(pAddr, "convertToAssets(uint256)", toBlock, { types: ["uint256"], values: [shares < 0n ? -shares : shares] });
      if (!underlying || probe === undefined) {
        notes.push(`attacker accounts' balance of ${pAddr}'s own token changed by ${shares} but it has no asset()/convertToAssets(): not valued`);
        continue;
      }
      await assetInfo(underlying);
      const value = shares < 0n ? -probe : probe;
      shareClaims.push({ shareToken: pAddr, underlying, shares: shares.toString(), value: value.toString(), valuedAtBlock: toBlock });
      lossByAsset.set(underlying, (lossByAsset.get(underlying) ?? 0n) + value);
      addTo(perAccountLoss, p, underlying, value);
      shareValue.set(pAddr, { underlying, value: (s) => (s === shares ? value : 0n) });
    }
    // Owed amounts.
    const owed: LossFigures["owed"] = [];
    for (const spec of owedSpecs) {
      const account = lc(spec.account);
      if (!suspects.has(account)) fail(`--owed ${spec.raw}: ${spec.account} is not an attacker account`, "owed amounts are deducted from what attacker accounts received");
      let asset: string;
      if (spec.asset) asset = await resolveAsset(spec.asset, "--owed");
      else {
        const lost = [...lossByAsset.entries()].filter(([, v]) => v !== 0n);
        if (lost.length !== 1) fail(`--owed ${spec.raw}: name the asset (account=amount@token): the loss is in ${lost.length} assets`);
        asset = lost[0]![0];
      }
      owed.push({ account: getAddress(account), asset, amount: spec.amount.toString() });
      lossByAsset.set(asset, (lossByAsset.get(asset) ?? 0n) - spec.amount);
      // Deduct from the affected account that paid this attacker account the most of the asset.
      let payer: string | undefined;
      let best = 0n;
      const paid = new Map<string, bigint>();
      for (const t of attackerTxs) for (const x of t.transfers) if (x.asset === asset && lc(x.to) === account && (protectedSet.has(lc(x.from)) || victims.has(lc(x.from)))) paid.set(lc(x.from), (paid.get(lc(x.from)) ?? 0n) + BigInt(x.amount));
      for (const [k, v] of paid) if (v > best) [payer, best] = [k, v];
      payer ??= [...protectedSet][0] ?? [...victims][0]!;
      addTo(perAccountLoss, payer, asset, -spec.amount);
    }

    // Valuation.
    const nonZero = [...lossByAsset.entries()].filter(([, v]) => v !== 0n);
    let numeraire: string | undefined = o.valueIn ? await resolveAsset(o.valueIn, "--value-in") : undefined;
    if (!numeraire && nonZero.length === 1 && priceSpecs.length === 0) numeraire = nonZero[0]![0];
    if (priceSpecs.length && !numeraire) fail("--value-in is required with --prices (the asset the total is expressed in)");
    const priceBlock = requireBlock(o.priceBlock, "--price-block") ?? fromBlock - 1;
    let valuation: Valuation | undefined;
    if (numeraire) {
      const prices: Valuation["prices"] = { [numeraire]: { price: (10n ** 18n).toString(), source: "numeraire" } };
      for (const ps of priceSpecs) {
        const asset = await resolveAsset(ps.asset, "--prices");
        if (ps.oracle) {
          const block = ps.block ?? priceBlock;
          let p: bigint | undefined;
          let used = "";
          for (const sig of ["price()", "latestAnswer()"]) {
            p = await chain.uint(ps.oracle, sig, block);
            if (p !== undefined) {
              used = sig;
              break;
            }
          }
          if (p === undefined) fail(`--prices ${ps.raw}: ${ps.oracle} answers neither price() nor latestAnswer() at block ${block}`);
          prices[asset] = { price: p.toString(), source: `${ps.oracle}.${used} at block ${block}` };
        } else {
          const tokDec = (await assetInfo(asset)).decimals;
          const numDec = (await assetInfo(numeraire)).decimals;
          const scale = 18 + numDec - tokDec;
          let p: bigint;
          try {
            p = scale >= 0 ? parseUnits(ps.value!, scale) : parseUnits(ps.value!, 0) / 10n ** BigInt(-scale);
          } catch {
            return fail(`--prices ${ps.raw}: "${ps.value}" is not a number`, "write token=1400.5 or token=0xOracle[@block]");
          }
          prices[asset] = { price: p.toString(), source: `fixed: ${ps.value} ${assets[numeraire]?.symbol ?? numeraire} per ${assets[asset]?.symbol ?? asset}` };
        }
      }
      valuation = { numeraire, priceBlock, prices };
    }
    const valueOf = (byAsset: Map<string, bigint>): { value: bigint | null; missing: string[] } => {
      let total = 0n;
      const missing: string[] = [];
      for (const [asset, amt] of byAsset) {
        if (amt === 0n) continue;
        const p = valuation?.prices[asset];
        if (!p) {
          missing.push(assets[asset]?.symbol ?? asset);
          continue;
        }
        const mag = ((amt < 0n ? -amt : amt) * BigInt(p.price)) / 10n ** 18n;
        total += amt < 0n ? -mag : mag;
      }
      return { value: missing.length ? null : total, missing };
    };
    const totalV = valueOf(lossByAsset);
    const loss: LossFigures = {
      byAsset: Object.fromEntries([...lossByAsset.entries()].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()])),
      shareClaims,
      owed,
      total: totalV.value === null ? (nonZero.length === 0 ? "0" : null) : (totalV.value > 0n ? totalV.value : 0n).toString(),
      totalSigned: totalV.value === null ? (nonZero.length === 0 ? "0" : null) : totalV.value.toString(),
      totalUnit: numeraire ?? (nonZero.length === 0 ? null : null),
      ...(totalV.value === null && nonZero.length > 0 ? { totalNote: `no price for ${totalV.missing.join(", ")}: pass --value-in and --prices` } : {}),
      ...(valuation ? { valuation } : {}),
      perAccount: [...perAccountLoss.entries()].map(([account, m]) => ({
        account: getAddress(account),
        role: protectedSet.has(account) ? ("protected" as const) : ("victim" as const),
        byAsset: Object.fromEntries([...m.entries()].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()])),
        value: (() => {
          const v = valueOf(m).value;
          return v === null ? null : v.toString();
        })(),
      })),
      perAttacker: [...suspects.keys()].map((a) => {
        const m = new Map(net.get(a) ?? []);
        for (const [shareToken, sv] of shareValue) {
          const s = m.get(shareToken);
          if (s === undefined || s === 0n) continue;
          // Value this account's shares with the same convertToAssets (proportional share of the claim).
          const claim = shareClaims.find((c) => c.shareToken === shareToken)!;
          const v = (BigInt(claim.value) * s) / BigInt(claim.shares);
          m.delete(shareToken);
          m.set(sv.underlying, (m.get(sv.underlying) ?? 0n) + v);
        }
        return { account: getAddress(a), byAsset: Object.fromEntries([...m.entries()].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()])) };
      }),
    };
    if (loss.totalUnit === null && nonZero.length === 0) loss.totalUnit = null;

    // ---------------------------------------------------------------- balances at the block boundaries, reconciliation
    const boundaryAccounts = [...new Set([...suspects.keys(), ...protectedSet, ...victims])];
    const tokens = [...assetsSeen].filter((a) => a !== ETH);
    for (const c of shareClaims) if (!tokens.includes(c.shareToken)) tokens.push(c.shareToken);
    const rangeNet = new Map<string, Map<string, bigint>>(); // token -> account -> net over ALL txs of the range
    for (const tok of tokens) {
      const m = new Map<string, bigint>();
      try {
        for (const l of await chain.logs({ address: tok, topics: [TRANSFER], fromBlock, toBlock })) {
          if (l.topics.length !== 3) continue;
          const amt = BigInt(l.data.slice(0, 66));
          const f = lc(topicAddr(l.topics[1]!));
          const t = lc(topicAddr(l.topics[2]!));
          m.set(f, (m.get(f) ?? 0n) - amt);
          m.set(t, (m.get(t) ?? 0n) + amt);
        }
        rangeNet.set(tok, m);
      } catch {
        notes.push(`eth_getLogs failed for ${tok}: balances not reconciled with its transfers`);
      }
    }
    const flows: AccountFlow[] = [];
    const accountsWithFlows = new Set([...net.keys(), ...boundaryAccounts]);
    for (const a of accountsWithFlows) {
      const role = roleOf(a);
      const m = net.get(a) ?? new Map<string, bigint>();
      const flow: AccountFlow = {
        account: getAddress(a),
        role,
        ...(role === "attacker" ? { reason: suspects.get(a) } : {}),
        netByAsset: Object.fromEntries([...m.entries()].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()])),
      };
      if (boundaryAccounts.includes(a)) {
        flow.balances = {};
        const eb = await chain.balance(a, fromBlock - 1);
        const ea = await chain.balance(a, toBlock);
        flow.balances[ETH] = { before: eb.toString(), after: ea.toString(), diff: (ea - eb).toString() };
        for (const tok of tokens) {
          const b0 = await chain.uint(tok, "balanceOf(address)", fromBlock - 1, { types: ["address"], values: [a] });
          const b1 = await chain.uint(tok, "balanceOf(address)", toBlock, { types: ["address"], values: [a] });
          if (b0 === undefined && b1 === undefined) continue;
          const before = b0 ?? 0n;
          const after = b1 ?? 0n;
          if (before === 0n && after === 0n && !m.has(tok)) continue;
          const inRange = rangeNet.get(tok)?.get(a);
          flow.balances[tok] = {
            before: before.toString(),
            after: after.toString(),
            diff: (after - before).toString(),
            ...(rangeNet.has(tok) ? { transfersInRange: (inRange ?? 0n).toString(), reconciled: (inRange ?? 0n) === after - before } : {}),
          };
          if (rangeNet.has(tok) && (inRange ?? 0n) !== after - before) {
            notes.push(`${getAddress(a)}: balance of ${assets[tok]?.symbol ?? tok} changed by ${after - before} but its Transfer logs in the range net ${inRange ?? 0n} (rebasing / fee-on-transfer token, or transfers without events)`);
          }
        }
      }
      if (Object.keys(flow.netByAsset).length || flow.balances) flows.push(flow);
    }
    const order = { attacker: 0, protected: 1, victim: 2, other: 3 } as const;
    flows.sort((x, y) => order[x.role] - order[y.role]);

    const attackBlocks = [...new Set(attackerTxs.map((t) => t.blockNumber))].sort((a, b) => a - b);
    const ethPerBlock: Analysis["ethPerBlock"] = [];
    for (const a of suspects.keys()) {
      for (const b of attackBlocks.slice(0, 50)) {
        const [x, y] = [await chain.balance(a, b - 1), await chain.balance(a, b)];
        if (x !== y) ethPerBlock.push({ account: getAddress(a), block: b, before: x.toString(), after: y.toString() });
      }
    }

    // ---------------------------------------------------------------- funding of the attacker accounts
    const funding: FundingSource[] = [];
    for (const [a] of suspects) {
      const addr = getAddress(a);
      const ethIn = allTxs.find((t) => t.to !== null && lc(t.to) === a && BigInt(t.value) > 0n);
      let tokIn: RawLog | undefined;
      try {
        const ls = await chain.logs({ topics: [TRANSFER, null, zeroPadValue(addr, 32)], fromBlock, toBlock });
        tokIn = ls.filter((l) => l.topics.length === 3).sort((x, y) => Number(BigInt(x.blockNumber) - BigInt(y.blockNumber)) || Number(BigInt(x.logIndex) - BigInt(y.logIndex)))[0];
      } catch {
        /* some RPCs refuse unfiltered getLogs */
      }
      const created = attackerTxs.find((t) => t.createdContract && lc(t.createdContract) === a);
      const f: FundingSource = {
        account: addr,
        ethBefore: (await chain.balance(addr, fromBlock - 1)).toString(),
        note: "",
        ...(ethIn ? { firstEth: { from: getAddress(ethIn.from), amount: BigInt(ethIn.value).toString(), txHash: ethIn.hash, blockNumber: ethIn.block } } : {}),
        ...(tokIn ? { firstToken: { asset: getAddress(tokIn.address), from: topicAddr(tokIn.topics[1]!), amount: BigInt(tokIn.data.slice(0, 66)).toString(), txHash: tokIn.transactionHash, blockNumber: Number(BigInt(tokIn.blockNumber)) } } : {}),
        ...(created ? { createdBy: { creator: created.from, txHash: created.hash, blockNumber: created.blockNumber } } : {}),
      };
      const parts: string[] = [];
      if (f.createdBy) parts.push(`created in block ${f.createdBy.blockNumber} by ${f.createdBy.creator}`);
      if (f.firstEth) parts.push(`first ETH in the range from ${f.firstEth.from} (block ${f.firstEth.blockNumber})`);
      if (f.firstToken) parts.push(`first token transfer in the range from ${f.firstToken.from} (block ${f.firstToken.blockNumber})`);
      if (!parts.length) parts.push(`not funded within the range: it held ${f.ethBefore} wei before block ${fromBlock}; look further back (--from-block) or in an explorer`);
      f.note = parts.join("; ");
      funding.push(f);
    }

    // ---------------------------------------------------------------- response timeline
    const events: ResponseEvent[] = [];
    const firstAttackBlock = attackBlocks[0] ?? null;
    const lastAttackBlock = attackBlocks.at(-1) ?? null;
    for (const t of attackerTxs) {
      events.push({ at: t.timestamp * 1000, block: t.blockNumber, source: "chain", kind: "attack", message: `${t.from} → ${t.to ?? "(create)"} ${t.call?.signature ?? t.call?.selector ?? "(no calldata)"} — ${t.status}` });
    }
    const pauses: Analysis["response"]["pauses"] = [];
    try {
      const ls = await chain.logs({ address: [...protectedSet].map((p) => getAddress(p)), topics: [PAUSED], fromBlock, toBlock });
      for (const l of ls) {
        const b = Number(BigInt(l.blockNumber));
        const p = { block: b, contract: getAddress(l.address), scope: l.topics[1]!, by: topicAddr(l.topics[2]!), txHash: l.transactionHash };
        pauses.push(p);
        events.push({ at: (blockTime.get(b) ?? 0) * 1000, block: b, source: "chain", kind: "paused", message: `${p.contract} Paused scope ${p.scope.slice(0, 10)}… by ${p.by} (tx ${p.txHash})` });
      }
    } catch {
      notes.push("eth_getLogs for Paused events failed");
    }
    let detectedBlock: number | null = null;
    let detectedAt: number | null = null;
    let containedBlock: number | null = null;
    const rulesFired: string[] = [];
    if (store) {
      const incs = incident ? [incident] : store.incidents().filter((i) => i.status !== "retracted" && i.firstBlock >= fromBlock! && i.firstBlock <= toBlock!);
      for (const inc of incs) {
        rulesFired.push(`${inc.ruleId} (${inc.severity}, block ${inc.firstBlock}, ${inc.status})`);
        for (const e of store.timeline(inc.id)) events.push({ at: e.at, block: e.blockNumber, source: "keeper", kind: e.kind, message: e.message });
        for (const a of store.attempts(inc.id)) {
          events.push({ at: a.createdAt, block: a.includedBlock ?? null, source: "keeper", kind: `tx:${a.kind}`, message: `${a.kind} tx ${a.hash ?? "(intent)"} → ${a.to}: ${a.status}${a.note ? ` (${a.note})` : ""}` });
        }
        for (const al of store.alerts(inc.id)) {
          events.push({ at: al.deliveredAt ?? 0, block: al.blockNumber, source: "keeper", kind: "alert", message: `alert ${al.id} via ${al.channel}: ${al.deliveredAt ? "delivered" : "not delivered"}${al.retracted ? " (retracted)" : ""}` });
        }
      }
      const detecting = incs.filter((i) => firstAttackBlock === null || i.firstBlock >= firstAttackBlock).sort((x, y) => x.firstBlock - y.firstBlock || x.detectedAt - y.detectedAt)[0];
      if (detecting) {
        detectedBlock = detecting.firstBlock;
        detectedAt = detecting.detectedAt;
      }
      const contained = incs.map((i) => i.containedBlock).filter((b): b is number => b !== undefined);
      if (contained.length) containedBlock = Math.min(...contained);
    }
    const pauseAfter = pauses.filter((p) => firstAttackBlock === null || p.block >= firstAttackBlock).map((p) => p.block);
    if (pauseAfter.length && (containedBlock === null || Math.min(...pauseAfter) < containedBlock)) containedBlock = Math.min(...pauseAfter);
    const tsOf = async (b: number) => blockTime.get(b) ?? Number(BigInt(((await o.rpc.send("eth_getBlockByNumber", [hex(b), false])) as RawBlock).timestamp));
    const t0 = firstAttackBlock !== null ? (await tsOf(firstAttackBlock)) * 1000 : null;
    const containedAt = containedBlock !== null && containedBlock <= head ? (await tsOf(containedBlock)) * 1000 : null;
    events.sort((x, y) => (x.block ?? Infinity) - (y.block ?? Infinity) || x.at - y.at);

    const labels: Record<string, string> = {};
    for (const [a, why] of suspects) labels[getAddress(a)] = `attacker (${why})`;
    for (const p of protectedSet) labels[getAddress(p)] = "protected contract";
    for (const v of victims) labels[getAddress(v)] = "victim";
    for (const a of Object.values(assets)) if (a.address !== ETH) labels[a.address] = labels[a.address] ?? `token ${a.symbol}`;

    return {
      version: ANALYSIS_VERSION,
      generatedAt: new Date().toISOString(),
      chain: { chainId, rpc: o.rpcLabel, head },
      input: {
        mode: o.incident ? "incident" : "range",
        ...(o.storePath ? { store: o.storePath } : {}),
        ...(o.incident ? { incident: o.incident } : {}),
        fromBlock,
        toBlock,
        suspects: suspectsIn,
        contracts: contractsIn,
        victims: victimsIn,
      },
      ...(incident ? { incident } : {}),
      range: { fromBlock, toBlock, fromTimestamp: blockTime.get(fromBlock) ?? 0, toTimestamp: blockTime.get(toBlock) ?? 0, blocks: toBlock - fromBlock + 1 },
      assets,
      labels,
      attackers: await Promise.all([...suspects.entries()].map(async ([a, reason]) => ({ account: getAddress(a), reason, isContract: (await chain.code(a, toBlock!)) !== "0x" }))),
      protectedContracts: [...protectedSet].map((p) => getAddress(p)),
      attackerTxs,
      firstAttackBlock,
      lastAttackBlock,
      flows,
      ethPerBlock,
      loss,
      funding,
      response: {
        events,
        detectedBlock,
        detectedAt,
        containedBlock,
        containedAt,
        timeToDetectMs: detectedAt !== null && t0 !== null ? Math.max(0, detectedAt - t0) : null,
        timeToContainMs: containedAt !== null && t0 !== null ? Math.max(0, containedAt - t0) : null,
        pauses,
        rulesFired,
      },
      notes,
      lossDefinition: LOSS_DEFINITION,
    };
  } finally {
    store?.close();
  }
}

interface CallFrame {
  type?: string;
  from: string;
  to?: string;
  value?: string;
  error?: string;
  calls?: CallFrame[];
  top?: boolean;
}

/** Successful value-carrying frames of a callTracer result (a reverted frame and its children move nothing). */
function collectValueCalls(f: CallFrame, out: CallFrame[], top: boolean): void {
  if (f.error) return;
  if (f.to && f.value && BigInt(f.value) > 0n && f.type !== "DELEGATECALL" && f.type !== "STATICCALL") out.push({ ...f, top });
  for (const c of f.calls ?? []) collectValueCalls(c, out, false);
}

function parseOwed(spec: string): { raw: string; account: string; amount: bigint; asset?: string } {
  const m = /^\s*(0x[0-9a-fA-F]{40})\s*=\s*([0-9_]+(?:e[0-9]+)?)\s*(?:@\s*(\S+))?\s*$/i.exec(spec);
  if (!m) fail(`--owed "${spec}" is not account=amount[@token]`, "amount in base units, e.g. 0xabc…=2500e18@0xToken");
  const [, account, amountText, asset] = m;
  const exp = /^(\d+)e(\d+)$/i.exec(amountText!.replace(/_/g, ""));
  const amount = exp ? BigInt(exp[1]!) * 10n ** BigInt(exp[2]!) : BigInt(amountText!.replace(/_/g, ""));
  return { raw: spec, account: requireAddress(account, "--owed"), amount, ...(asset ? { asset } : {}) };
}

function parsePriceSpec(spec: string): { raw: string; asset: string; value?: string; oracle?: string; block?: number } {
  const m = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(spec);
  if (!m) fail(`--prices "${spec}" is not token=price or token=0xOracle[@block]`);
  const [, asset, rhs] = m;
  const o = /^(0x[0-9a-fA-F]{40})(?:@(\d+))?$/.exec(rhs!);
  if (o) return { raw: spec, asset: asset!, oracle: requireAddress(o[1], "--prices"), ...(o[2] ? { block: Number(o[2]) } : {}) };
  if (!/^\d+(\.\d+)?$/.test(rhs!)) fail(`--prices "${spec}": "${rhs}" is neither a number nor an oracle address`, "token=1400.5 or token=0xOracle[@block]");
  return { raw: spec, asset: asset!, value: rhs! };
}
