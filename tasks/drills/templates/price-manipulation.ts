// Template (c): price manipulation through a real AMM pair on the chain (a Uniswap V2 pair from
// the address book, the params, or the factory's getPair), then the configured exploit calls.
// The attacker's swap is funded by an impersonated whale (a holder of the input token at the fork
// block) or minted on test tokens; the swap goes straight to the pair (transfer in, then
// `swap()`), as a router would. Modelled on Mango Markets (2022-10-11): a thin market pushed up,
// then borrowing against the inflated collateral.
import { Contract } from "ethers";
import { amountOf, callNow, fundToken, resolveAddress, sendCall, type CallSpec } from "../kit.js";
import { DrillSkip } from "../types.js";
import { buildTemplate, type TemplateBase } from "./common.js";

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
  /** How much it sells ("500000e18"). */
  amountIn: string | number;
  /** A holder of tokenIn at the fork block to fund the swap from (impersonated); else minted (test tokens). */
  whale?: string;
  /** Sent in the block of the swap, from the attacker, e.g. borrow against the inflated price. */
  exploit: CallSpec[];
  /** Calls the attacker sends in setup (deposit collateral, approvals), as "$self". */
  attackerSetup?: CallSpec[];
  /** Funds the attacker starts with for attackerSetup. */
  attackerFunds?: { token: string; amount: string | number; whale?: string };
  /** Rounds of (swap + exploit), one block each (default 1). */
  rounds?: number;
}

/** Uniswap V2's getAmountOut (0.3% fee). */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const withFee = amountIn * 997n;
  return (withFee * reserveOut) / (reserveIn * 1000n + withFee);
}

export function priceManipulation(params: PriceManipulationParams) {
  if (!params?.tokenIn) throw new Error("template price-manipulation: params.tokenIn is required (the token sold into the pair)");
  if (params.amountIn === undefined) throw new Error('template price-manipulation: params.amountIn is required (e.g. "500000e18")');
  if (!Array.isArray(params.exploit)) throw new Error("template price-manipulation: params.exploit (the calls after the swap) is required; [] to only move the price");
  if (!params.pair && !params.factory) throw new Error("template price-manipulation: name the pair (params.pair) or the factory (params.factory) with tokenIn and tokenOut");
  let pair = "";
  let tokenIn = "";
  let zeroForOne = true;
  let attacker = "";
  return buildTemplate<PriceManipulationParams>(
    {
      template: "price-manipulation",
      title: "Price manipulation through an AMM pair, then the exploit",
      incidentClass: "oracle manipulation through a thin AMM market",
      reference: { incident: "Mango Markets", date: "2022-10-11", loss: "~$114M", url: "https://www.cftc.gov/PressRoom/PressReleases/8647-23" },
      summary: "The attacker swaps a large amount into a real Uniswap V2 pair to move its spot price, then makes the configured exploit calls in the same block.",
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
        if ((await s.chain.ethers.provider.getCode(pair)) === "0x") throw new DrillSkip(`no AMM pair at ${pair} at this block`);
        const c = new Contract(pair, PAIR_ABI, s.chain.ethers.provider);
        let t0: string, t1: string;
        try {
          [t0, t1] = [String(await c.getFunction("token0")()), String(await c.getFunction("token1")())];
        } catch {
          throw new DrillSkip(`${pair} is not a Uniswap V2 pair (token0()/token1() failed)`);
        }
        if (t0.toLowerCase() !== tokenIn.toLowerCase() && t1.toLowerCase() !== tokenIn.toLowerCase()) throw new DrillSkip(`tokenIn ${tokenIn} is neither token of the pair ${pair} (${t0}, ${t1})`);
        zeroForOne = t0.toLowerCase() === tokenIn.toLowerCase();
        attacker = s.names.attacker!;
        const rounds = p.rounds ?? 1;
        const whale = p.whale ? resolveAddress(p.whale, s.names, "whale") : undefined;
        await fundToken(s.chain, tokenIn, attacker, amountOf(p.amountIn, "amountIn") * BigInt(rounds), whale);
        if (p.attackerFunds) {
          const t = resolveAddress(p.attackerFunds.token, s.names, "attackerFunds.token");
          await fundToken(s.chain, t, attacker, amountOf(p.attackerFunds.amount, "attackerFunds.amount"), p.attackerFunds.whale ? resolveAddress(p.attackerFunds.whale, s.names, "attackerFunds.whale") : undefined);
        }
        for (const call of p.attackerSetup ?? []) {
          await callNow(s.chain, { ...call, from: attacker }, s.names, attacker);
        }
        s.facts.pair = pair;
        s.facts.swapFundedBy = whale ? `whale ${whale} (impersonated)` : "minted (test token)";
      },
      async attack(s, ctx, p) {
        const signer = await s.chain.impersonate(attacker);
        const amount = amountOf(p.amountIn, "amountIn");
        for (let r = 0; r < (p.rounds ?? 1); r++) {
          const c = new Contract(pair, PAIR_ABI, signer);
          const [r0, r1] = (await c.getFunction("getReserves")()) as [bigint, bigint, number];
          const out = zeroForOne ? amountOut(amount, r0, r1) : amountOut(amount, r1, r0);
          if (r === 0) ctx.record.note(`the attacker sells ${amount} of ${tokenIn} into the pair ${pair}`);
          const token = new Contract(tokenIn, ERC20_ABI, signer);
          await ctx.send("malicious", () => token.getFunction("transfer")(pair, amount, { gasLimit: 200_000 }), "swap: tokens into the pair");
          await ctx.send("malicious", () => c.getFunction("swap")(zeroForOne ? 0n : out, zeroForOne ? out : 0n, attacker, "0x", { gasLimit: 300_000 }), "swap: pair.swap() moves the spot price");
          for (const call of p.exploit) await sendCall(ctx, "malicious", { ...call, from: call.from ?? attacker }, s.names, attacker);
          await ctx.nextBlock();
        }
      },
    },
    params,
  );
}
