// Template (d): replay a real incident. Fork at a block before it, then send its attacker
// transactions again with their original senders impersonated — fetched by hash from the forked
// chain's RPC, or given as {from, to, data, value} — while the keeper watches under the team's
// rules: at which transaction would we have detected it, and what would have been saved?
// Containment is scored only when the keeper can pause in the fork (see common.ts). With
// `retarget`, the same transactions run against the CURRENT deployment: each old address (as
// `to` and inside the calldata) is replaced by its entry in the address book.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getAddress, isAddress, isHexString } from "ethers";
import { rpcCall } from "../attach.js";
import { amountOf, resolveAddress } from "../kit.js";
import { DrillSkip } from "../types.js";
import { buildTemplate, type TemplateBase } from "./common.js";

export interface RawTx {
  from: string;
  to: string;
  data?: string;
  value?: string | number;
  gasLimit?: number;
  /** The original block (txs of one block are replayed in one block). */
  blockNumber?: number;
  hash?: string;
  note?: string;
}

export interface ReplayParams extends TemplateBase {
  /** The incident's transactions: hashes on the forked chain, or {from, to, data, value}. */
  txs?: (string | RawTx)[];
  /** A JSON file holding such a list (relative to the working directory). */
  txsFile?: string;
  /** Old address → "$name" / new address: re-target the replay to the current deployment. */
  retarget?: Record<string, string>;
}

interface Prepared extends Required<Pick<RawTx, "from" | "to" | "data">> {
  value: bigint;
  gasLimit: number;
  block: number | null;
  note: string;
}

function readTxs(p: ReplayParams): (string | RawTx)[] {
  if (p.txsFile) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(resolve(p.txsFile), "utf8"));
    } catch (err) {
      throw new DrillSkip(`replay: cannot read params.txsFile ${p.txsFile}: ${(err as Error).message.split("\n")[0]}`);
    }
    const list = Array.isArray(raw) ? raw : (raw as { txs?: unknown }).txs;
    if (!Array.isArray(list)) throw new DrillSkip(`replay: ${p.txsFile} must hold a JSON list of tx hashes or {from, to, data, value}`);
    return list as (string | RawTx)[];
  }
  return p.txs ?? [];
}

interface RpcTx {
  from: string;
  to: string | null;
  input: string;
  value: string;
  gas: string;
  blockNumber: string | null;
}

export function replay(params: ReplayParams) {
  if (!params?.txs && !params?.txsFile) throw new Error("template replay: params.txs (hashes or {from, to, data, value}) or params.txsFile is required");
  let txs: Prepared[] = [];
  return buildTemplate<ReplayParams>(
    {
      template: "replay",
      title: "Replay of a real incident's attacker transactions",
      incidentClass: "replay of recorded attacker transactions (original senders impersonated)",
      reference: { incident: "a recorded incident", date: "—", loss: "—", url: "" },
      summary: "The incident's attacker transactions are replayed on a fork before it, with their senders impersonated; the keeper watches under the team's rules.",
      contain: { containWithinBlocks: 1, minSavedPct: 50, maxFalseAlarms: 0 },
      async prepare(s, p) {
        const list = readTxs(p);
        if (list.length === 0) throw new DrillSkip("replay: no transactions to replay (params.txs / params.txsFile is empty)");
        const retarget = new Map<string, string>();
        for (const [oldA, ref] of Object.entries(p.retarget ?? {})) {
          if (!isAddress(oldA)) throw new DrillSkip(`replay: retarget key ${oldA} is not an address`);
          retarget.set(oldA.toLowerCase(), resolveAddress(ref, s.names, `retarget[${oldA}]`));
        }
        const swap = (a: string) => retarget.get(a.toLowerCase()) ?? getAddress(a);
        const swapData = (data: string) => {
          let d = data.toLowerCase();
          for (const [oldA, newA] of retarget) d = d.split(oldA.slice(2).padStart(40, "0")).join(newA.slice(2).toLowerCase());
          return d;
        };
        txs = [];
        for (const [i, entry] of list.entries()) {
          let t: RawTx;
          if (typeof entry === "string") {
            if (!isHexString(entry, 32)) throw new DrillSkip(`replay: txs[${i}] "${entry}" is not a transaction hash (0x + 64 hex) nor {from, to, data, value}`);
            if (!s.chain.fork) throw new DrillSkip(`replay: txs[${i}] is a hash, which is read from the forked chain: pass --fork-url <the chain of the incident> --fork-block <a block before it>, or give {from, to, data, value}`);
            const r = await rpcCall<RpcTx | null>(s.chain.fork.url, "eth_getTransactionByHash", [entry]);
            if (!r) throw new DrillSkip(`replay: transaction ${entry} is not known to ${s.chain.fork.url}`);
            if (!r.to) throw new DrillSkip(`replay: ${entry} deploys a contract; replay its calls instead (give {from, to, data})`);
            const block = r.blockNumber ? Number(BigInt(r.blockNumber)) : null;
            if (block !== null && s.chain.forkBlock !== undefined && block <= s.chain.forkBlock) {
              throw new DrillSkip(`replay: ${entry} is in block ${block}, at or before the fork block ${s.chain.forkBlock}: it already happened in the fork. Pass --fork-block ${block - 1} (or lower)`);
            }
            t = { from: r.from, to: r.to, data: r.input, value: BigInt(r.value).toString(), gasLimit: Number(BigInt(r.gas)), blockNumber: block ?? undefined, hash: entry };
          } else {
            t = entry;
            if (!t || !isAddress(t.from) || !isAddress(t.to)) throw new DrillSkip(`replay: txs[${i}] needs from and to addresses`);
          }
          txs.push({
            from: getAddress(t.from),
            to: swap(t.to),
            data: swapData(t.data ?? "0x"),
            value: amountOf(t.value, `txs[${i}].value`),
            gasLimit: t.gasLimit ?? 1_000_000,
            block: t.blockNumber ?? null,
            note: t.note ?? (t.hash ? `replay of ${t.hash.slice(0, 10)}…` : `replayed tx ${i + 1}`),
          });
        }
        for (const t of txs) await s.chain.impersonate(t.from);
        s.facts.replayedTransactions = txs.length;
        if (retarget.size) s.facts.retargeted = [...retarget].map(([a, b]) => `${a} → ${b}`).join(", ");
      },
      async attack(s, ctx) {
        ctx.record.note(`replaying ${txs.length} attacker transaction(s) with their original senders impersonated`);
        for (const [i, t] of txs.entries()) {
          const signer = await s.chain.impersonate(t.from);
          await ctx.send("malicious", () => signer.sendTransaction({ to: t.to, data: t.data, value: t.value, gasLimit: t.gasLimit }), t.note);
          const next = txs[i + 1];
          // Keep the incident's grouping: transactions of one original block land in one block.
          if (!next || next.block === null || t.block === null || next.block !== t.block) await ctx.nextBlock();
        }
      },
    },
    params,
  );
}
