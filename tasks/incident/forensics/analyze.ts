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
import { loadAbiOption, loadAbiRegistry, type AbiRegistry, type ArtifactLike } from "./abi.js";
import { attributeToDepositors, parsePositions } from "./attribution.js";
import { checkCandidateRules, type RangeTx } from "./rule-check.js";
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

export const FIRST_HARMFUL_DEFINITION =
  "The clock starts at the first harmful transaction: the first successful attacker transaction that moved value out of a protected contract or a victim. " +
  "Blocks to detect / contain are counted from its block (the drill score's definitions, from the first malicious transaction); chain events carry block timestamps (clock: chain), " +
  "keeper events the keeper's own recorded wall-clock times (clock: keeper).";

export const LOSS_DEFINITION =
  "Loss = for each asset, the net amount that left the protected contracts (--contracts, plus any --victims) in the attacker transactions " +
  "(every transaction in the range sent by an attacker account or to an attacker contract; reverted ones move nothing), measured from their " +
  "Transfer / WETH Deposit-Withdrawal logs, transaction values and traced internal ETH; plus the value of the protected contracts' own shares " +
  "(ERC-4626-style claims: an ERC-20 protected contract with convertToAssets) that the attacker accounts gained, valued with convertToAssets " +
  "at the last block of the range (redeeming shares one holds is not a loss; keeping shares obtained cheaply is); minus amounts legitimately " +
  "owed to attacker accounts (--owed). The total values every asset in one unit (--value-in) at the given prices (--prices: a fixed price or " +
  "an oracle read at --price-block, default the block before the range, i.e. pre-attack) and is floored at 0 (a protocol that received more " +
  "than it paid lost nothing). Outflows to anyone in the attacker transactions count, not only to attacker accounts: a helper contract the " +
  "attacker created elsewhere still shows as an outflow. Per asset the analysis also gives the gross outflow, what was paid back in (and how much of it by the " +
  "attacker accounts, e.g. their own collateral) and the net; a total across assets is given only when every asset is valued. Attacker gains exclude " +
  "tokens the attacker accounts minted to themselves (flagged as self-minted).";

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
  /** --abi: ABI / artifact files or directories, or 0xAddress=file bindings. */
  abi?: string[];
  /** The user's Hardhat artifacts (hre.artifacts through the task): ABIs and runtime code for attribution. */
  artifacts?: ArtifactLike[];
  /** Address book entries (name -> address): labels. */
  addressBook?: Record<string, string>;
  /** How to find who bore a protected pool's loss (--positions): "erc4626", "reader:collateralOf(address)", "csv:<file>"; default auto (ERC-4626 share balances). */
  positions?: string;
  /** The keeper's configured rules (from --keeper-config): which stayed silent. */
  keeperRules?: { id: string; act?: boolean; action?: string; detector?: { kind?: string } }[];
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
      // Attacker accounts the detections name (matchers carry the transaction): this incident's and
      // those of the other incidents of the same attack (first block within its window), leaving out
      // the keeper's own transactions and pauses (a "breaker paused" rule names the pause).
      const lo = inc.firstBlock - (o.lookback ?? 20);
      const hi = (inc.containedBlock ?? inc.firstBlock) + (o.after ?? 5);
      const related = store!.incidents().filter((i) => i.id === inc.id || (i.status !== "retracted" && i.firstBlock >= lo && i.firstBlock <= hi));
      const keeperTxs = new Set<string>();
      for (const r of related) for (const at of store!.attempts(r.id)) if (at.hash) keeperTxs.add(lc(at.hash));
      const hashes = new Map<string, string>(); // hash -> rule
      for (const r of related) {
        for (const e of store!.timeline(r.id)) {
          const h = e.data?.txHash;
          if (typeof h === "string" && isHexString(h, 32) && !keeperTxs.has(lc(h)) && !hashes.has(lc(h))) hashes.set(lc(h), r.ruleId);
          const pause = e.data?.pause as { breaker?: string } | undefined;
          if (r.id === inc.id && pause?.breaker && isHexString(pause.breaker, 20)) protectedSet.add(lc(pause.breaker));
        }
      }
      for (const a of store!.attempts(inc.id)) if (a.kind === "pause" && isHexString(a.to, 20)) protectedSet.add(lc(a.to));
      for (const [h, rule] of hashes) {
        const r = (await o.rpc.send("eth_getTransactionReceipt", [h])) as RawReceipt | null;
        if (r?.logs.some((l) => (l.topics[0] ?? "").toLowerCase() === PAUSED)) continue; // the breaker's pause, not the attack
        const tx = (await o.rpc.send("eth_getTransactionByHash", [h])) as RawTx | null;
        if (tx && !suspects.has(lc(tx.from))) suspects.set(lc(tx.from), `sender of ${h.slice(0, 10)}… named by detection ${rule}`);
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
    const positionSpec = parsePositions(o.positions);
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
    // An attacker transaction is one SENT by an attacker account. Transactions other people send to
    // a suspect contract are theirs (a token or a pool given as a suspect receives everyone's): listed apart.
    const isAttackerTx = (t: RawTx) => suspects.has(lc(t.from));
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
    const reg: AbiRegistry = loadAbiRegistry(undefined, o.artifacts ?? []);
    for (const spec of o.abi ?? []) loadAbiOption(reg, spec);
    // Address-book entries whose role names a Breakwater contract are bound by address.
    const BOOK_CONTRACTS: Record<string, string> = { guardian: "GuardianMultisig", multisig: "GuardianMultisig", circuitBreaker: "CircuitBreaker", rescueVault: "RescueVault", migrator: "PositionMigrator", merkleClaims: "MerkleClaims", multicall3: "Multicall3" };
    for (const [role, addr] of Object.entries(o.addressBook ?? {})) {
      const name = BOOK_CONTRACTS[role];
      const iface = name ? reg.artifactByName(name) : undefined;
      if (iface && isHexString(addr, 20) && !reg.bound(addr)) reg.bind(addr, name!, iface, "address book");
    }
    // Attribute every contract the attacker transactions touch by its address first (bound ABI,
    // then the runtime code of a known artifact); only unknown addresses fall back to selector guesses.
    const touched = new Set<string>([...protectedSet]);
    for (const t of attackerTxsRaw) {
      if (t.to) touched.add(lc(t.to));
      for (const l of receipts.get(t.hash)!.logs) touched.add(lc(l.address));
    }
    const attribution: Record<string, { contract: string; by: string }> = {};
    for (const addr of touched) {
      const code = await chain.code(addr, toBlock);
      const name = reg.attributeByCode(addr, code);
      if (name) attribution[getAddress(addr)] = { contract: name, by: reg.bound(addr)!.how };
    }
    const traces = new Map<string, CallFrame>();
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
            const from = topicAddr(l.topics[1]!);
            transfers.push({ asset: getAddress(l.address), from, to: topicAddr(l.topics[2]!), amount: BigInt(l.data.slice(0, 66)).toString(), txHash: t.hash, via: "log", ...(from === ZERO ? { mint: true } : {}) });
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
            traces.set(t.hash, tr);
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
      let revert: AttackerTx["revert"];
      if (!ok) {
        // The revert data: from the trace when the node has one, else by replaying the call at the block before.
        let out: string | undefined;
        let where: string | null = t.to;
        if (traceOk) {
          try {
            const tr = (await o.rpc.send("debug_traceTransaction", [t.hash, { tracer: "callTracer" }])) as CallFrame;
            out = tr.output;
            const deepest = deepestRevert(tr, tr.output);
            if (deepest?.to) where = deepest.to;
          } catch {
            /* no tracer */
          }
        }
        if (!out) {
          try {
            await o.rpc.send("eth_call", [{ from: t.from, to: t.to, data: t.input, value: hex(value) }, hex(t.block - 1)]);
          } catch (err) {
            out = revertData(err);
          }
        }
        const d = reg.decodeRevert(out, where);
        revert = d ? { ...d, ...(where ? { at: getAddress(where) } : {}) } : { text: "reverted without data (out of gas, or a bare revert)", raw: out ?? "0x" };
      }
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
        call: reg.decodeCall(t.input, t.to),
        events: r.logs.map((l) => reg.decodeLog({ address: getAddress(l.address), topics: l.topics, data: l.data, logIndex: Number(BigInt(l.logIndex)) })),
        transfers,
        ...(revert ? { revert } : {}),
      });
    }
    attackerTxs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const victims = new Set(victimsIn.map(lc));
    const affected = (a: string) => protectedSet.has(lc(a)) || victims.has(lc(a));
    // The first harmful transaction: the first attacker transaction that moved value out of a protected contract or a victim.
    const harmful = attackerTxs.find((t) => t.status === "success" && t.transfers.some((x) => affected(x.from) && BigInt(x.amount) > 0n));
    for (const t of attackerTxs) t.harmful = t.status === "success" && t.transfers.some((x) => affected(x.from) && BigInt(x.amount) > 0n);
    const firstHarmful = harmful ? { hash: harmful.hash, blockNumber: harmful.blockNumber, index: harmful.index, timestamp: harmful.timestamp } : null;
    if (!harmful && attackerTxs.length) notes.push("no attacker transaction moved value out of a protected contract or a victim: there is no first harmful transaction, response metrics are not computed");
    // Other people's transactions to suspect contracts (not the attacker's): listed apart.
    const suspectContracts = new Set<string>();
    for (const a of suspects.keys()) if ((await chain.code(a, toBlock)) !== "0x") suspectContracts.add(a);
    const othersToSuspects: Analysis["othersToSuspects"] = allTxs
      .filter((t) => t.to !== null && suspectContracts.has(lc(t.to)) && !suspects.has(lc(t.from)))
      .map((t) => ({ hash: t.hash, blockNumber: t.block, from: getAddress(t.from), to: getAddress(t.to!), call: reg.decodeCall(t.input, t.to) }));
    for (const c of suspectContracts) {
      const n = othersToSuspects.filter((t) => lc(t.to) === c).length;
      const why = suspects.get(c) ?? "";
      const token = (await chain.uint(c, "totalSupply()", toBlock)) !== undefined;
      if (n > 0 || (why === "--suspects" && token)) {
        notes.push(
          `WARNING: suspect ${getAddress(c)} is a contract${token ? " that looks like a token (totalSupply answers)" : ""}: the ${n} transaction(s) other accounts sent to it in the range are theirs, not the attacker's — ` +
            `listed apart under othersToSuspects, never counted as attacker transactions${n ? ` (senders: ${[...new Set(othersToSuspects.filter((t) => lc(t.to) === c).map((t) => t.from))].slice(0, 8).join(", ")})` : ""}. Pass the attacker's EOAs as --suspects.`,
        );
      }
    }

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
    // Gross and net per asset: what left the affected accounts, what came back in (and how much of it from the attackers).
    const detail = new Map<string, { gross: bigint; paidIn: bigint; paidInByAttackers: bigint }>();
    for (const t of attackerTxs) {
      for (const x of t.transfers) {
        const d = detail.get(x.asset) ?? { gross: 0n, paidIn: 0n, paidInByAttackers: 0n };
        const amt = BigInt(x.amount);
        const outOf = affected(x.from);
        const into = affected(x.to);
        if (outOf && !into) d.gross += amt;
        if (into && !outOf) {
          d.paidIn += amt;
          if (suspects.has(lc(x.from))) d.paidInByAttackers += amt;
        }
        detail.set(x.asset, d);
      }
    }
    // Tokens the attacker accounts minted to themselves (Transfer from 0x0 in their own transactions; a protected contract's shares are not self-mints).
    const selfMinted = new Map<string, Map<string, bigint>>();
    for (const t of attackerTxs) for (const x of t.transfers) if (x.mint && suspects.has(lc(x.to)) && !protectedSet.has(lc(x.asset))) addTo(selfMinted, lc(x.to), x.asset, BigInt(x.amount));
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
        const minted = selfMinted.get(a);
        for (const [asset, v] of minted ?? []) m.set(asset, (m.get(asset) ?? 0n) - v);
        for (const [shareToken, sv] of shareValue) {
          const s = m.get(shareToken);
          if (s === undefined || s === 0n) continue;
          // Value this account's shares with the same convertToAssets (proportional share of the claim).
          const claim = shareClaims.find((c) => c.shareToken === shareToken)!;
          const v = (BigInt(claim.value) * s) / BigInt(claim.shares);
          m.delete(shareToken);
          m.set(sv.underlying, (m.get(sv.underlying) ?? 0n) + v);
        }
        return {
          account: getAddress(a),
          byAsset: Object.fromEntries([...m.entries()].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()])),
          ...(minted?.size ? { selfMinted: Object.fromEntries([...minted.entries()].map(([k, v]) => [k, v.toString()])) } : {}),
        };
      }),
      perAsset: Object.fromEntries(
        [...detail.entries()]
          .filter(([, d]) => d.gross !== 0n || d.paidIn !== 0n)
          .map(([asset, d]) => [asset, { gross: d.gross.toString(), paidIn: d.paidIn.toString(), paidInByAttackers: d.paidInByAttackers.toString(), net: (d.gross - d.paidIn).toString() }]),
      ),
    };
    for (const [a, m] of selfMinted) {
      notes.push(`${getAddress(a)} minted itself ${[...m.entries()].map(([k, v]) => `${v} of ${assets[k]?.symbol ?? k}`).join(", ")} (Transfer from 0x0 in its own transactions): self-minted tokens are excluded from its gains and are not funding from anyone`);
    }
    if (loss.totalUnit === null && nonZero.length === 0) loss.totalUnit = null;

    // ---------------------------------------------------------------- who bore a pool's loss
    if (firstHarmful) {
      const depositors: NonNullable<LossFigures["depositors"]> = [];
      const achain = {
        call: (to: string, data: string, block: number) => chain.call(to, data, block),
        logs: (f: Parameters<Chain["logs"]>[0]) => chain.logs(f),
        isContract: async (a: string) => (await chain.code(a, toBlock!)) !== "0x",
      };
      for (const p of protectedSet) {
        for (const [asset, v] of perAccountLoss.get(p) ?? []) {
          if (v <= 0n || asset === ETH) continue;
          const r = await attributeToDepositors({ chain: achain, pool: p, asset, loss: v, atBlock: firstHarmful.blockNumber - 1, spec: positionSpec, attackers: new Set(suspects.keys()) });
          if ("skipped" in r) notes.push(r.skipped);
          else depositors.push(r);
        }
      }
      if (depositors.length) loss.depositors = depositors;
    }

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
    // Every native and token inflow of each attacker account before the first harmful transaction,
    // labelled: self-mint, mint by someone else, transfer from an EOA / a contract, internal between
    // attacker accounts, balance held at the range start (or since genesis), unknown. Transfers from
    // protected contracts or victims are never funding (they are the attack's proceeds or a payout).
    const funding: FundingSource[] = [];
    const cutoff = (b: number, i: number) => firstHarmful === null || b < firstHarmful.blockNumber || (b === firstHarmful.blockNumber && i < firstHarmful.index);
    const txIndex = new Map(allTxs.map((t) => [lc(t.hash), Number(BigInt(t.transactionIndex))]));
    const txFrom = new Map(allTxs.map((t) => [lc(t.hash), lc(t.from)]));
    const codeAt = new Map<string, boolean>();
    const isContractAddr = async (a: string) => {
      if (!codeAt.has(lc(a))) codeAt.set(lc(a), (await chain.code(a, toBlock!)) !== "0x");
      return codeAt.get(lc(a))!;
    };
    const describeFrom = async (from: string): Promise<{ label: FundingSource["sources"][number]["label"]; text: string }> => {
      if (suspects.has(lc(from))) return { label: "internal", text: `from attacker account ${getAddress(from)}` };
      return (await isContractAddr(from)) ? { label: "transfer", text: `from contract ${getAddress(from)}` } : { label: "transfer", text: `from EOA ${getAddress(from)}` };
    };
    if (suspects.size) notes.push("funding: native inflows are transaction values into the attacker accounts and internal transfers traced in their own transactions; internal ETH sent to them from other people's transactions (e.g. a mixer's withdrawal) is not traced: check those senders' transactions in an explorer");
    for (const [a] of suspects) {
      const addr = getAddress(a);
      const sources: FundingSource["sources"] = [];
      const excluded: FundingSource["excluded"] = [];
      const ethBefore = await chain.balance(addr, fromBlock - 1);
      const ethGenesis = fromBlock - 1 === 0 ? ethBefore : await chain.balance(addr, 0);
      if (ethBefore > 0n) {
        const fromGenesis = ethGenesis > 0n && (fromBlock - 1 === 0 || Number(BigInt((await o.rpc.send("eth_getTransactionCount", [addr, hex(fromBlock - 1)])) as string)) === 0);
        sources.push({
          kind: "native", asset: ETH, amount: ethBefore.toString(), blockNumber: fromBlock - 1,
          label: fromGenesis && ethGenesis === ethBefore ? "genesis" : "range-start",
          text: fromGenesis && ethGenesis === ethBefore
            ? `${ethBefore} wei held since genesis (block 0 allocation ${ethGenesis} wei, no transaction sent before the range)`
            : `${ethBefore} wei held before block ${fromBlock}: where it came from is outside the range (widen with --from-block ${Math.max(1, fromBlock - 5_000)} or look the account up in an explorer)`,
          verified: fromGenesis && ethGenesis === ethBefore,
        });
      }
      // Native: transaction values into the account, and internal transfers traced in attacker transactions.
      for (const t of allTxs) {
        if (t.to === null || lc(t.to) !== a || BigInt(t.value) === 0n || !cutoff(t.block, Number(BigInt(t.transactionIndex)))) continue;
        const r = await receipt(t.hash);
        if (Number(BigInt(r.status)) !== 1) continue;
        const row = { kind: "native" as const, asset: ETH, from: getAddress(t.from), amount: BigInt(t.value).toString(), txHash: t.hash, blockNumber: t.block };
        if (affected(t.from)) excluded.push({ ...row, why: "from a protected contract / victim: proceeds or a payout, not funding" });
        else {
          const d = await describeFrom(t.from);
          sources.push({ ...row, label: d.label, text: `${BigInt(t.value)} wei ${d.text} (tx ${t.hash})`, verified: true });
        }
      }
      for (const t of attackerTxs) {
        if (!cutoff(t.blockNumber, t.index)) continue;
        for (const x of t.transfers) {
          if (x.asset !== ETH || x.via !== "trace" || lc(x.to) !== a) continue;
          const row = { kind: "native" as const, asset: ETH, from: x.from, amount: x.amount, txHash: t.hash, blockNumber: t.blockNumber };
          if (affected(x.from)) excluded.push({ ...row, why: "from a protected contract / victim: not funding" });
          else {
            const d = await describeFrom(x.from);
            sources.push({ ...row, label: d.label, text: `${x.amount} wei (internal) ${d.text} (tx ${t.hash})`, verified: true });
          }
        }
      }
      // Tokens: every Transfer to the account before the first harmful transaction.
      try {
        const ls = await chain.logs({ topics: [TRANSFER, null, zeroPadValue(addr, 32)], fromBlock, toBlock: firstHarmful?.blockNumber ?? toBlock });
        const sorted = ls.filter((l) => l.topics.length === 3 && l.data.length >= 66).sort((x, y) => Number(BigInt(x.blockNumber) - BigInt(y.blockNumber)) || Number(BigInt(x.logIndex) - BigInt(y.logIndex)));
        for (const l of sorted) {
          const b = Number(BigInt(l.blockNumber));
          const idx = txIndex.get(lc(l.transactionHash)) ?? Number(BigInt((l as RawLog & { transactionIndex?: string }).transactionIndex ?? "0x0"));
          if (!cutoff(b, idx)) continue;
          const asset = getAddress(l.address);
          await assetInfo(asset);
          const from = topicAddr(l.topics[1]!);
          const amount = BigInt(l.data.slice(0, 66)).toString();
          const row = { kind: "token" as const, asset, from, amount, txHash: l.transactionHash, blockNumber: b };
          const sym = assets[asset]?.symbol ?? asset;
          if (from === ZERO) {
            const sender = txFrom.get(lc(l.transactionHash));
            const self = sender !== undefined && suspects.has(sender);
            sources.push({ ...row, label: self ? "self-mint" : "mint", text: self ? `${amount} ${sym} self-minted (Transfer from 0x0 in its own tx ${l.transactionHash}): not funding from anyone` : `${amount} ${sym} minted to it in tx ${l.transactionHash} sent by ${sender ? getAddress(sender) : "?"}`, verified: true });
          } else if (affected(from)) excluded.push({ ...row, why: "from a protected contract / victim: not funding" });
          else {
            const d = await describeFrom(from);
            sources.push({ ...row, label: d.label, text: `${amount} ${sym} ${d.text} (tx ${l.transactionHash})`, verified: true });
          }
        }
      } catch {
        sources.push({ kind: "token", label: "unknown", text: "token inflows unknown: the RPC refused an unfiltered eth_getLogs", verified: false });
      }
      for (const tok of [...assetsSeen].filter((x) => x !== ETH)) {
        const bal = await chain.uint(tok, "balanceOf(address)", fromBlock - 1, { types: ["address"], values: [addr] });
        if (bal !== undefined && bal > 0n) {
          sources.push({ kind: "token", asset: tok, amount: bal.toString(), blockNumber: fromBlock - 1, label: "range-start", text: `${bal} ${assets[tok]?.symbol ?? tok} held before block ${fromBlock} (origin outside the range: widen --from-block)`, verified: false });
        }
      }
      const created = attackerTxs.find((t) => t.createdContract && lc(t.createdContract) === a);
      if (!sources.length && !created) sources.push({ kind: "native", label: "unknown", text: `no inflow before the first harmful transaction within blocks ${fromBlock}–${toBlock}: widen the range (--from-block) or look the account up in an explorer`, verified: false });
      const f: FundingSource = {
        account: addr,
        ethBefore: ethBefore.toString(),
        sources,
        excluded,
        note: "",
        ...(created ? { createdBy: { creator: created.from, txHash: created.hash, blockNumber: created.blockNumber } } : {}),
      };
      const parts: string[] = [];
      if (f.createdBy) parts.push(`created in block ${f.createdBy.blockNumber} by ${f.createdBy.creator}`);
      for (const x of sources) parts.push(`[${x.label}] ${x.text}`);
      if (excluded.length) parts.push(`${excluded.length} transfer(s) from protected contracts / victims not counted as funding`);
      f.note = parts.join("; ");
      funding.push(f);
    }

    // ---------------------------------------------------------------- response timeline
    // One clock per fact: chain events carry their block's timestamp (clock "chain"), keeper events
    // the keeper's recorded wall-clock time (clock "keeper"). The timeline is ordered by block, then
    // chain before keeper within a block (the keeper reacts to a mined block), then by time.
    const events: ResponseEvent[] = [];
    const firstAttackBlock = attackBlocks[0] ?? null;
    const lastAttackBlock = attackBlocks.at(-1) ?? null;
    const clockStart = firstHarmful?.blockNumber ?? null;
    for (const t of attackerTxs) {
      events.push({
        at: t.timestamp * 1000, block: t.blockNumber, index: t.index, clock: "chain", source: "chain", kind: t.harmful ? "attack:harmful" : "attack",
        message: `${t.from} → ${t.to ?? "(create)"} ${t.call?.signature ?? t.call?.selector ?? "(no calldata)"} — ${t.status}${t.revert ? ` (${t.revert.text})` : ""}${firstHarmful?.hash === t.hash ? " — FIRST HARMFUL TRANSACTION (clock starts)" : ""}`,
      });
    }
    const pauses: Analysis["response"]["pauses"] = [];
    try {
      const ls = await chain.logs({ address: [...protectedSet].map((p) => getAddress(p)), topics: [PAUSED], fromBlock, toBlock });
      for (const l of ls) {
        const b = Number(BigInt(l.blockNumber));
        const p = { block: b, contract: getAddress(l.address), scope: l.topics[1]!, by: topicAddr(l.topics[2]!), txHash: l.transactionHash };
        pauses.push(p);
        events.push({ at: (blockTime.get(b) ?? 0) * 1000, block: b, index: txIndex.get(lc(l.transactionHash)) ?? 0, clock: "chain", source: "chain", kind: "paused", message: `${p.contract} Paused scope ${p.scope.slice(0, 10)}… by ${p.by} (tx ${p.txHash})` });
      }
    } catch {
      notes.push("eth_getLogs for Paused events failed");
    }
    let detectedBlock: number | null = null;
    let detectedAt: number | null = null;
    let containedBlock: number | null = null;
    const rulesFired: string[] = [];
    const merged: NonNullable<Analysis["incidents"]> = [];
    let rulesSilent: string[] | undefined;
    if (store) {
      // Incidents of this attack: the one asked for, and every other (not retracted) incident whose
      // first block lies within the attack (first attacker block .. last attacker block + --after),
      // or whose detections name an attacker transaction.
      const attackHashes = new Set(attackerTxs.map((t) => lc(t.hash)));
      const lo = firstAttackBlock ?? incident?.firstBlock ?? fromBlock;
      const hi = Math.max(lastAttackBlock ?? lo, incident?.containedBlock ?? 0, ...pauses.filter((p) => clockStart !== null && p.block >= clockStart).map((p) => p.block)) + (o.after ?? 5);
      const all = store.incidents().filter((i) => i.status !== "retracted");
      const incs = all.filter((i) => {
        if (incident && i.id === incident.id) return true;
        if (i.firstBlock >= lo && i.firstBlock <= hi) return true;
        return store.timeline(i.id).some((e) => typeof e.data?.txHash === "string" && attackHashes.has(lc(e.data.txHash as string)));
      });
      const seen = new Set<string>();
      const push = (e: ResponseEvent) => {
        const key = `${e.source}|${e.kind}|${e.block}|${e.message}`;
        if (seen.has(key)) return;
        seen.add(key);
        events.push(e);
      };
      for (const inc of incs) {
        const tl = store.timeline(inc.id);
        const named = [...new Set(tl.map((e) => e.data?.txHash).filter((h): h is string => typeof h === "string" && attackHashes.has(lc(h))))];
        merged.push({ id: inc.id, ruleId: inc.ruleId, severity: inc.severity, status: inc.status, firstBlock: inc.firstBlock, ...(inc.containedBlock !== undefined ? { containedBlock: inc.containedBlock } : {}), summary: inc.summary, detectedAt: inc.detectedAt, namesAttackerTxs: named });
        rulesFired.push(`${inc.ruleId} (${inc.severity}, block ${inc.firstBlock}, ${inc.status})`);
        for (const e of tl) push({ at: e.at, block: e.blockNumber, clock: "keeper", source: "keeper", kind: e.kind, message: `[${inc.ruleId}] ${e.message}` });
        for (const at of store.attempts(inc.id)) {
          push({ at: at.createdAt, block: at.includedBlock ?? null, clock: "keeper", source: "keeper", kind: `tx:${at.kind}`, message: `${at.kind} tx ${at.hash ?? "(intent)"} → ${at.to}: ${at.status}${at.note ? ` (${at.note})` : ""}` });
        }
        // One line per alert (the store keeps one row per channel and retry): the first delivery.
        const alerts = new Map<string, { deliveredAt?: number; blockNumber: number; channels: string[]; retracted: boolean }>();
        for (const al of store.alerts(inc.id)) {
          const x = alerts.get(al.id) ?? { blockNumber: al.blockNumber, channels: [], retracted: al.retracted };
          if (!x.channels.includes(al.channel)) x.channels.push(al.channel);
          if (al.deliveredAt !== undefined && (x.deliveredAt === undefined || al.deliveredAt < x.deliveredAt)) x.deliveredAt = al.deliveredAt;
          alerts.set(al.id, x);
        }
        for (const [id, al] of alerts) push({ at: al.deliveredAt ?? inc.detectedAt, block: al.blockNumber, clock: "keeper", source: "keeper", kind: "alert", message: `alert ${id} via ${al.channels.join(", ")}: ${al.deliveredAt ? "delivered" : "not delivered"}${al.retracted ? " (retracted)" : ""}` });
      }
      merged.sort((x, y) => x.firstBlock - y.firstBlock || x.detectedAt - y.detectedAt);
      const detecting = merged.find((i) => clockStart === null || i.firstBlock >= clockStart);
      if (detecting) {
        detectedBlock = detecting.firstBlock;
        detectedAt = detecting.detectedAt;
      }
      const contained = merged.map((i) => i.containedBlock).filter((b): b is number => b !== undefined && (clockStart === null || b >= clockStart));
      if (contained.length) containedBlock = Math.min(...contained);
      if (o.keeperRules) {
        const fired = new Set(merged.map((i) => i.ruleId));
        rulesSilent = o.keeperRules.filter((r) => !fired.has(r.id)).map((r) => `${r.id} (${r.detector?.kind ?? "rule"}${r.act ? ", acts" : ""})`);
      }
    }
    const pauseAfter = pauses.filter((p) => clockStart === null || p.block >= clockStart).map((p) => p.block);
    if (pauseAfter.length && (containedBlock === null || Math.min(...pauseAfter) < containedBlock)) containedBlock = Math.min(...pauseAfter);
    const tsOf = async (b: number) => blockTime.get(b) ?? Number(BigInt(((await o.rpc.send("eth_getBlockByNumber", [hex(b), false])) as RawBlock).timestamp));
    const t0 = clockStart !== null ? (await tsOf(clockStart)) * 1000 : null;
    const containedAt = containedBlock !== null && containedBlock <= head ? (await tsOf(containedBlock)) * 1000 : null;
    const detectedBlockAt = detectedBlock !== null && detectedBlock <= head ? (await tsOf(detectedBlock)) * 1000 : null;
    const clockRank = (e: ResponseEvent) => (e.clock === "chain" ? 0 : 1);
    events.sort((x, y) => (x.block ?? Infinity) - (y.block ?? Infinity) || clockRank(x) - clockRank(y) || (x.index ?? 0) - (y.index ?? 0) || x.at - y.at);
    const afterContainment = containedBlock !== null ? attackerTxs.filter((t) => t.blockNumber >= containedBlock! && !(t.blockNumber === containedBlock && pauses.some((p) => p.block === containedBlock && (txIndex.get(lc(p.txHash)) ?? 0) > t.index))) : [];

    // ---------------------------------------------------------------- candidate rules vs the benign history of the range
    let ruleChecks: Analysis["ruleChecks"];
    if (harmful && protectedSet.size) {
      const rangeTxs: RangeTx[] = [];
      try {
        const plogs = await chain.logs({ address: [...protectedSet].map((p) => getAddress(p)), topics: [], fromBlock, toBlock });
        const logsByTx = new Map<string, RawLog[]>();
        for (const l of plogs) logsByTx.set(lc(l.transactionHash), [...(logsByTx.get(lc(l.transactionHash)) ?? []), l]);
        const relevant = allTxs.filter((t) => logsByTx.has(lc(t.hash)) || (t.to !== null && protectedSet.has(lc(t.to))));
        const blockOf = new Map(blocks.map((b) => [Number(BigInt(b.number)), b as RawBlock & { hash: string; parentHash: string }]));
        for (const t of relevant) {
          const ls = logsByTx.get(lc(t.hash)) ?? [];
          const success = ls.length > 0 || Number(BigInt((await receipt(t.hash)).status)) === 1;
          const b = blockOf.get(t.block)!;
          rangeTxs.push({
            tx: { hash: t.hash, index: Number(BigInt(t.transactionIndex)), from: t.from, to: t.to, input: t.input, value: BigInt(t.value), nonce: 0, success },
            logs: ls.map((l) => ({ address: l.address, topics: l.topics, data: l.data, transactionHash: l.transactionHash, transactionIndex: Number(BigInt(t.transactionIndex)), logIndex: Number(BigInt(l.logIndex)) })),
            block: { number: t.block, hash: b.hash, parentHash: b.parentHash, timestamp: Number(BigInt(b.timestamp)) },
            attacker: isAttackerTx(t),
          });
        }
        const evs = harmful.events.filter((e) => e.full && protectedSet.has(lc(e.address))).map((e) => ({ signature: e.full!, address: e.address }));
        const firstPause = pauses[0]?.scope;
        ruleChecks = await checkCandidateRules({ txs: rangeTxs, firstHarmful: harmful.hash, events: evs, ...(firstPause ? { scope: scopeName(firstPause) } : {}) });
      } catch (err) {
        notes.push(`candidate rules not checked against the range's benign transactions: ${(err as Error).message.split("\n")[0]}`);
      }
    }

    const labels: Record<string, string> = {};
    for (const [name, addr] of Object.entries(o.addressBook ?? {})) if (isHexString(addr, 20)) labels[getAddress(addr)] = `address book: ${name}`;
    for (const [addr, c] of Object.entries(attribution)) labels[addr] = labels[addr] ? `${labels[addr]} (${c.contract})` : `${c.contract} (by ${c.by})`;
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
        firstHarmful,
        firstHarmfulDefinition: FIRST_HARMFUL_DEFINITION,
        blocksToDetect: detectedBlock !== null && clockStart !== null ? detectedBlock - clockStart : null,
        blocksToContain: containedBlock !== null && clockStart !== null ? containedBlock - clockStart : null,
        timeToDetectMs: detectedBlockAt !== null && t0 !== null ? Math.max(0, detectedBlockAt - t0) : null,
        timeToContainMs: containedAt !== null && t0 !== null ? Math.max(0, containedAt - t0) : null,
        keeperLagMs: detectedAt !== null && detectedBlockAt !== null ? detectedAt - detectedBlockAt : null,
        clocks: {
          detectedAt: "keeper (its recorded wall-clock time of the detection)",
          containedAt: "chain (timestamp of the block that included the pause)",
          timeToDetectMs: "chain (detection block timestamp − first harmful block timestamp)",
          timeToContainMs: "chain (containment block timestamp − first harmful block timestamp)",
          keeperLagMs: "keeper clock − detection block timestamp: two clocks, indicative only",
        },
        attackerTxsAfterContainment: { total: afterContainment.length, reverted: afterContainment.filter((t) => t.status === "reverted").length, succeeded: afterContainment.filter((t) => t.status === "success").length },
        pauses,
        rulesFired,
        ...(rulesSilent ? { rulesSilent } : {}),
      },
      ...(merged.length ? { incidents: merged } : {}),
      ...(ruleChecks ? { ruleChecks } : {}),
      othersToSuspects,
      contractsByAddress: attribution,
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
  output?: string;
  calls?: CallFrame[];
  top?: boolean;
}

/** The deepest reverted frame whose output is the transaction's revert data (the contract that raised it). */
function deepestRevert(f: CallFrame, output: string | undefined): CallFrame | undefined {
  if (!f.error) return undefined;
  for (const c of f.calls ?? []) {
    const d = deepestRevert(c, output);
    if (d && (d.output ?? "") === (output ?? "")) return d;
  }
  return f;
}

/** Revert data from a JSON-RPC error (ethers / EDR / geth shapes). */
function revertData(err: unknown): string | undefined {
  const e = err as { data?: unknown; error?: { data?: unknown }; info?: { error?: { data?: unknown } }; message?: string };
  for (const d of [e?.data, e?.error?.data, e?.info?.error?.data, (e?.data as { data?: unknown })?.data]) if (typeof d === "string" && isHexString(d)) return d;
  const m = /(0x[0-9a-fA-F]{8,})/.exec(e?.message ?? "");
  return m?.[1];
}

/** Successful value-carrying frames of a callTracer result (a reverted frame and its children move nothing). */
function collectValueCalls(f: CallFrame, out: CallFrame[], top: boolean): void {
  if (f.error) return;
  if (f.to && f.value && BigInt(f.value) > 0n && f.type !== "DELEGATECALL" && f.type !== "STATICCALL") out.push({ ...f, top });
  for (const c of f.calls ?? []) collectValueCalls(c, out, false);
}

const SCOPE_NAMES = ["GLOBAL", "DEPOSIT", "WITHDRAW", "BORROW", "LIQUIDATION", "TRADE"];
/** The keeper's scope name for a Paused scope topic (GLOBAL when unknown). */
function scopeName(topic: string): string {
  return SCOPE_NAMES.find((n) => id(`breakwater.scope.${n}`).toLowerCase() === topic.toLowerCase()) ?? "GLOBAL";
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
