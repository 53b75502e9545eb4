// Who bore a protected pool's loss: its depositors, pro rata to their positions at the block
// before the first harmful transaction. Positions come from ERC-4626 share balances (out of the
// box), a configured position reader such as `supplied(address)` / `collateralOf(address)`, or a
// CSV (account,position). Depositors are found on-chain: holders of the pool's shares (ERC-4626),
// or every account that sent the lost asset to the pool up to that block. Attacker accounts and
// the pool itself are left out of the split; each share is rounded down (the dust is reported).
import { existsSync, readFileSync } from "node:fs";
import { AbiCoder, getAddress, id, zeroPadValue } from "ethers";
import { fail } from "../../lib/errors.js";
import type { DepositorAttribution } from "./types.js";

export type PositionSpec = { kind: "auto" } | { kind: "erc4626" } | { kind: "reader"; signature: string } | { kind: "csv"; path: string };

const TRANSFER = id("Transfer(address,address,uint256)");
const ZERO = "0x0000000000000000000000000000000000000000";

/** --positions: erc4626 | reader:<fn(address)> (or just the signature) | csv:<file> (or a .csv path). */
export function parsePositions(spec: string | undefined): PositionSpec {
  const s = (spec ?? "").trim();
  if (s === "" || s === "auto") return { kind: "auto" };
  if (s.toLowerCase() === "erc4626") return { kind: "erc4626" };
  const csv = /^csv:(.+)$/i.exec(s)?.[1] ?? (/\.csv$/i.test(s) ? s : undefined);
  if (csv) {
    if (!existsSync(csv)) fail(`--positions ${s}: no such file ${csv}`, "write account,position rows (position in the pool's units)");
    return { kind: "csv", path: csv };
  }
  const sig = s.replace(/^reader:/i, "").replace(/\s+/g, "");
  if (!/^[A-Za-z_][A-Za-z0-9_]*\(address\)$/.test(sig)) {
    fail(`--positions "${s}" is not erc4626, reader:<function(address)>, or csv:<file>`, "e.g. --positions reader:supplied(address) (a view returning the account's position in the pool's units)");
  }
  return { kind: "reader", signature: sig };
}

export interface AttributionChain {
  call(to: string, data: string, block: number): Promise<string | undefined>;
  logs(filter: { address?: string | string[]; topics: (string | string[] | null)[]; fromBlock: number; toBlock: number }): Promise<{ topics: string[]; data: string }[]>;
  isContract(address: string): Promise<boolean>;
}

function readCsv(path: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  readFileSync(path, "utf8").split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#") || /^account\s*,/i.test(line)) return;
    const [a, p, extra] = line.split(",").map((x) => x.trim());
    if (extra !== undefined || !a || !p) fail(`--positions ${path} line ${i + 1}: expected account,position (got "${line}")`);
    if (!/^0x[0-9a-fA-F]{40}$/.test(a!)) fail(`--positions ${path} line ${i + 1}: account "${a}" is not an address`);
    if (!/^\d+$/.test(p!)) fail(`--positions ${path} line ${i + 1}: position "${p}" is not a whole number of base units`);
    const k = getAddress(a!.toLowerCase());
    if (out.has(k)) fail(`--positions ${path} line ${i + 1}: ${k} is listed twice`);
    out.set(k, BigInt(p!));
  });
  return out;
}

/** Split `loss` of `asset` lost by `pool` over its depositors at `atBlock`. Undefined when no method applies (auto on a non-ERC-4626 pool). */
export async function attributeToDepositors(o: {
  chain: AttributionChain;
  pool: string;
  asset: string;
  loss: bigint;
  atBlock: number;
  spec: PositionSpec;
  attackers: Set<string>;
}): Promise<DepositorAttribution | { skipped: string }> {
  const { chain, pool, asset, loss, atBlock, spec } = o;
  const coder = AbiCoder.defaultAbiCoder();
  const uintCall = async (to: string, sig: string, account?: string): Promise<bigint | undefined> => {
    const data = id(sig).slice(0, 10) + (account ? coder.encode(["address"], [account]).slice(2) : "");
    const r = await chain.call(to, data, atBlock);
    return r && r.length >= 66 ? BigInt(r.slice(0, 66)) : undefined;
  };
  let kind = spec.kind;
  if (kind === "auto") {
    const underlying = await chain.call(pool, id("asset()").slice(0, 10), atBlock);
    const isVault = underlying !== undefined && underlying.length >= 66 && getAddress("0x" + underlying.slice(26, 66)) === getAddress(asset) && (await uintCall(pool, "totalSupply()")) !== undefined;
    if (!isVault) return { skipped: `${getAddress(pool)} lost ${loss} of ${getAddress(asset)} but is not an ERC-4626 vault of it: pass --positions reader:<fn(address)> (e.g. supplied(address)) or csv:<file> to attribute the loss to its depositors` };
    kind = "erc4626";
  }
  const positions = new Map<string, bigint>();
  let method: string;
  if (kind === "csv") {
    method = `CSV ${(spec as { path: string }).path}`;
    for (const [a, p] of readCsv((spec as { path: string }).path)) positions.set(a, p);
  } else {
    // Candidates: share holders (ERC-4626) or every sender of the asset to the pool, up to atBlock.
    const candidates = new Set<string>();
    const logs = kind === "erc4626"
      ? await chain.logs({ address: pool, topics: [TRANSFER], fromBlock: 0, toBlock: atBlock })
      : await chain.logs({ address: asset, topics: [TRANSFER, null, zeroPadValue(pool, 32)], fromBlock: 0, toBlock: atBlock });
    for (const l of logs) {
      if (l.topics.length !== 3) continue;
      for (const t of kind === "erc4626" ? [l.topics[2]!] : [l.topics[1]!]) {
        const a = getAddress("0x" + t.slice(26));
        if (a !== ZERO) candidates.add(a);
      }
    }
    const sig = kind === "erc4626" ? "balanceOf(address)" : (spec as { signature: string }).signature;
    method = kind === "erc4626" ? `ERC-4626 share balances (${getAddress(pool)}.balanceOf) at block ${atBlock}` : `position reader ${getAddress(pool)}.${sig} at block ${atBlock}`;
    const probe = await chain.call(pool, id(sig).slice(0, 10) + coder.encode(["address"], [ZERO]).slice(2), atBlock);
    if (probe === undefined) fail(`--positions ${sig}: ${getAddress(pool)} does not answer ${sig} at block ${atBlock}`, "name a view of the pool that returns an account's position, e.g. supplied(address)");
    for (const a of candidates) {
      const p = await uintCall(pool, sig, a);
      if (p !== undefined && p > 0n) positions.set(a, p);
    }
  }
  const excluded: DepositorAttribution["excluded"] = [];
  for (const [a, p] of [...positions]) {
    if (o.attackers.has(a.toLowerCase())) {
      excluded.push({ account: a, position: p.toString(), why: "attacker account" });
      positions.delete(a);
    } else if (a.toLowerCase() === pool.toLowerCase()) {
      excluded.push({ account: a, position: p.toString(), why: "the pool itself" });
      positions.delete(a);
    }
  }
  const total = [...positions.values()].reduce((x, y) => x + y, 0n);
  if (total === 0n) fail(`${getAddress(pool)}: no depositor position found at block ${atBlock} (${method})`, "check --positions, or give the positions as csv:<file>");
  const depositors: DepositorAttribution["depositors"] = [];
  let paid = 0n;
  for (const [a, p] of [...positions].sort((x, y) => (y[1] > x[1] ? 1 : y[1] < x[1] ? -1 : x[0].localeCompare(y[0])))) {
    const share = (loss * p) / total;
    paid += share;
    depositors.push({ account: a, position: p.toString(), share: share.toString(), isContract: await chain.isContract(a) });
  }
  return { pool: getAddress(pool), asset: getAddress(asset), loss: loss.toString(), atBlock, method, totalPosition: total.toString(), excluded, depositors, dust: (loss - paid).toString() };
}

