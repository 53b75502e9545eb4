// Attack-stage signals: what precedes or accompanies an exploit.
//  - fresh-deployer: a contract deployed by an account whose deployment nonce is small and that
//    was funded (value transfer seen in a block) within N blocks / seconds before; optionally only
//    reported when that contract (or its deployer) touches a protected address;
//  - flash-loan: flash-loan events (Aave V2/V3, Balancer V2, Uniswap V3 flash, Morpho Blue, a
//    Uniswap V2 swap taking and returning the same token in one log), optionally only in
//    transactions that touch a protected address;
//  - fresh-approval: an ERC-20 Approval of a protected asset to a contract created within N blocks.
// Only what the keeper has seen is known: contracts created by factories inside a transaction and
// funding through internal calls are not visible in BlockData (reported as such in details).
import { EventFragment, id } from "ethers";
import type { BlockData, DetectionContext, Detector, Finding, LogData } from "../types.js";
import { decodeLog, jsonSafe, namedArgs, parseEvent } from "./abi.js";
import { finding, lc, resolveMany, txsWithLogs, type DetectorOptions } from "./common.js";
import type { AttackSignal, RuleConfig } from "./schema.js";

/** Known flash-loan events. */
export const FLASH_LOAN_EVENTS: Record<string, string> = {
  "aave-v3":
    "FlashLoan(address indexed target, address initiator, address indexed asset, uint256 amount, uint8 interestRateMode, uint256 premium, uint16 indexed referralCode)",
  "aave-v2":
    "FlashLoan(address indexed target, address indexed initiator, address indexed asset, uint256 amount, uint256 premium, uint16 referralCode)",
  "balancer-v2": "FlashLoan(address indexed recipient, address indexed token, uint256 amount, uint256 feeAmount)",
  "uniswap-v3-flash":
    "Flash(address indexed sender, address indexed recipient, uint256 amount0, uint256 amount1, uint256 paid0, uint256 paid1)",
  "morpho-blue": "FlashLoan(address indexed caller, address indexed token, uint256 assets)",
  "uniswap-v2-flash-swap":
    "Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)",
};

const APPROVAL_TOPIC = id("Approval(address,address,uint256)");

interface Funding {
  block: number;
  timestamp: number;
  from: string;
  value: bigint;
  txHash: string;
}
interface Created {
  block: number;
  timestamp: number;
  deployer: string;
  fresh: boolean;
  txHash: string;
}

export class AttackStageDetector implements Detector {
  readonly kind = "attack-stage" as const;
  readonly ruleId: string;
  /** Latest value transfer received, per address (fresh-deployer). */
  private readonly funding = new Map<string, Funding>();
  /** Contracts created, per address. */
  private readonly created = new Map<string, Created>();
  private readonly protectedSet: Set<string>;
  private readonly flash: { frag: EventFragment; topic: string; addresses: Set<string>; name: string }[] = [];
  private readonly tokens: Set<string>;

  constructor(
    private readonly rule: RuleConfig,
    private readonly signal: AttackSignal,
    opts: DetectorOptions = {},
  ) {
    this.ruleId = rule.id;
    const where = `rule "${rule.id}"`;
    this.protectedSet = new Set("protected" in signal ? resolveMany(signal.protected, opts.named, where) : []);
    this.tokens = new Set(signal.type === "fresh-approval" ? resolveMany(signal.tokens, opts.named, where) : []);
    if (signal.type === "flash-loan") {
      for (const p of signal.presets) {
        const frag = parseEvent(FLASH_LOAN_EVENTS[p]);
        this.flash.push({ frag, topic: frag.topicHash.toLowerCase(), addresses: new Set(), name: p });
      }
      for (const e of signal.events) {
        const frag = parseEvent(e.signature);
        this.flash.push({ frag, topic: frag.topicHash.toLowerCase(), addresses: new Set(resolveMany(e.address, opts.named, where)), name: frag.name });
      }
    }
  }

  async evaluate(ctx: DetectionContext): Promise<Finding[]> {
    switch (this.signal.type) {
      case "fresh-deployer":
        return this.freshDeployer(ctx, this.signal);
      case "flash-loan":
        return this.flashLoans(ctx.block);
      case "fresh-approval":
        return this.freshApprovals(ctx.block, this.signal);
    }
  }

  // ------------------------------------------------------------ fresh deployer

  private async freshDeployer(ctx: DetectionContext, s: Extract<AttackSignal, { type: "fresh-deployer" }>): Promise<Finding[]> {
    const block = ctx.block;
    const out: Finding[] = [];
    const withinBlocks = s.withinBlocks ?? Number.MAX_SAFE_INTEGER;
    const withinSeconds = s.withinSeconds ?? Number.MAX_SAFE_INTEGER;
    const minFunding = BigInt(s.minFundingWei);
    // prune
    for (const [a, f] of this.funding) {
      if (block.number - f.block > withinBlocks || block.timestamp - f.timestamp > withinSeconds) this.funding.delete(a);
    }
    for (const [a, c] of this.created) if (block.number - c.block > s.trackBlocks) this.created.delete(a);

    for (const { tx, logs } of txsWithLogs(block)) {
      if (!tx.success) continue;
      const from = lc(tx.from);
      if (tx.to === null && tx.createdContract) {
        const contract = lc(tx.createdContract);
        const f = this.funding.get(from);
        const funded = f !== undefined && f.value >= minFunding;
        const fresh = tx.nonce <= s.maxNonce && (funded || !s.requireFunding);
        this.created.set(contract, { block: block.number, timestamp: block.timestamp, deployer: from, fresh, txHash: tx.hash });
        if (fresh && this.protectedSet.size === 0) {
          const [nonceNow, balance] = await Promise.all([ctx.getTransactionCount(from), ctx.getBalance(from)]);
          out.push(
            finding(this.rule, "attack-stage", block, {
              key: ["fresh-deployer", from],
              txHash: tx.hash,
              target: contract,
              summary: `fresh account ${from} (nonce ${tx.nonce}${funded ? `, funded ${block.number - f!.block} blocks / ${block.timestamp - f!.timestamp}s before by ${f!.from}` : ", funding not observed"}) deployed ${contract}`,
              details: jsonSafe({
                signal: "fresh-deployer",
                deployer: from,
                contract,
                deployNonce: tx.nonce,
                nonceAtBlock: nonceNow,
                balanceAtBlock: balance,
                funding: funded ? f : null,
              }) as Record<string, unknown>,
            }),
          );
        }
      } else if (this.protectedSet.size > 0) {
        const to = lc(tx.to);
        const viaContract = this.created.get(to);
        const deployerOf = [...this.created.entries()].find(([, c]) => c.fresh && c.deployer === from);
        const c = viaContract?.fresh ? [to, viaContract] as const : deployerOf;
        if (c) {
          const touched = [to, ...logs.map((l) => lc(l.address))].find((a) => this.protectedSet.has(a));
          if (touched) {
            out.push(
              finding(this.rule, "attack-stage", block, {
                key: ["fresh-deployer", c[1].deployer],
                txHash: tx.hash,
                target: touched,
                summary: `contract ${c[0]} deployed ${block.number - c[1].block} blocks ago by fresh account ${c[1].deployer} touched protected ${touched}`,
                details: { signal: "fresh-deployer", deployer: c[1].deployer, contract: c[0], deployedAt: c[1].block, deployTx: c[1].txHash, protected: touched },
              }),
            );
          }
        }
      }
      // funding seen in this block counts for later deployments (and later txs of this block)
      if (tx.to && tx.value > 0n) {
        this.funding.set(lc(tx.to), { block: block.number, timestamp: block.timestamp, from, value: tx.value, txHash: tx.hash });
      }
    }
    return out;
  }

  // ------------------------------------------------------------ flash loans

  private flashLoans(block: BlockData): Finding[] {
    const out: Finding[] = [];
    for (const { tx, logs } of txsWithLogs(block)) {
      const hits: Record<string, unknown>[] = [];
      for (const l of logs) {
        const hit = this.flashHit(l);
        if (hit) hits.push(hit);
      }
      if (hits.length === 0) continue;
      let touched: string | undefined;
      if (this.protectedSet.size) {
        touched = [lc(tx.to), ...logs.map((l) => lc(l.address))].find((a) => this.protectedSet.has(a));
        if (!touched) continue;
      }
      const from = lc(tx.from);
      out.push(
        finding(this.rule, "attack-stage", block, {
          key: ["flash-loan", from],
          txHash: tx.hash,
          target: touched,
          summary: `flash loan in tx ${tx.hash} from ${from} (${hits.map((h) => h.kind).join(", ")})${touched ? ` touching protected ${touched}` : ""}`,
          details: { signal: "flash-loan", from, loans: hits },
        }),
      );
    }
    return out;
  }

  private flashHit(l: LogData): Record<string, unknown> | undefined {
    const topic0 = lc(l.topics[0]);
    for (const f of this.flash) {
      if (f.topic !== topic0) continue;
      if (f.addresses.size && !f.addresses.has(lc(l.address))) continue;
      let args;
      try {
        args = decodeLog(f.frag, l.topics, l.data);
      } catch {
        continue;
      }
      if (f.name === "uniswap-v2-flash-swap") {
        const [, a0In, a1In, a0Out, a1Out] = args.values as bigint[];
        if (!((a0In > 0n && a0Out > 0n) || (a1In > 0n && a1Out > 0n))) continue;
      }
      return { kind: f.name, address: lc(l.address), logIndex: l.logIndex, args: namedArgs(args) };
    }
    return undefined;
  }

  // ------------------------------------------------------------ approvals to fresh contracts

  private freshApprovals(block: BlockData, s: Extract<AttackSignal, { type: "fresh-approval" }>): Finding[] {
    for (const [a, c] of this.created) if (block.number - c.block > s.contractAgeBlocks) this.created.delete(a);
    const out: Finding[] = [];
    for (const { tx, logs } of txsWithLogs(block)) {
      if (tx.success && tx.to === null && tx.createdContract) {
        this.created.set(lc(tx.createdContract), { block: block.number, timestamp: block.timestamp, deployer: lc(tx.from), fresh: true, txHash: tx.hash });
      }
      for (const l of logs) {
        if (lc(l.topics[0]) !== APPROVAL_TOPIC || l.topics.length !== 3 || !this.tokens.has(lc(l.address))) continue;
        const spender = "0x" + l.topics[2].slice(26).toLowerCase();
        const owner = "0x" + l.topics[1].slice(26).toLowerCase();
        const value = BigInt(l.data === "0x" ? 0 : l.data.slice(0, 66));
        const c = this.created.get(spender);
        if (!c || value === 0n) continue;
        out.push(
          finding(this.rule, "attack-stage", block, {
            key: ["fresh-approval", spender],
            txHash: tx.hash,
            asset: lc(l.address),
            target: spender,
            summary: `${owner} approved ${value} of protected ${lc(l.address)} to ${spender}, a contract created ${block.number - c.block} blocks ago by ${c.deployer}`,
            details: { signal: "fresh-approval", token: lc(l.address), owner, spender, value: value.toString(), createdAt: c.block, deployer: c.deployer },
          }),
        );
      }
    }
    return out;
  }

  rollback(blockNumber: number): void {
    for (const [a, f] of this.funding) if (f.block > blockNumber) this.funding.delete(a);
    for (const [a, c] of this.created) if (c.block > blockNumber) this.created.delete(a);
  }
}
