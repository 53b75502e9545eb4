// Drill: oracle manipulation through an AMM spot price, then borrowing against the inflated collateral.
//
// Modelled on Mango Markets (2022-10-11, ~$114M): the attacker pumped MNGO ~10x on the thin spot
// markets the oracle read, then borrowed everything the protocol held against the inflated
// collateral. The same class hit many lending markets that priced collateral off an AMM's spot
// reserves. Write-up: https://rekt.news/mango-markets-rekt/
//
// Here: a REAL Uniswap V2 pair prices the collateral. On a fork it is the pair the address book
// names (contracts.uniswapV2Pair or contracts.pair), or the one a factory in the book
// (contracts.uniswapV2Factory or contracts.factory, else the canonical mainnet factory when it has
// code) returns for getPair(contracts.collateral, contracts.debt); the collateral is
// contracts.collateral when it is one of the pair's tokens, else token0. Only when there is none
// (and on the embedded chain) the scenario deploys its own: the compiled @uniswap/v2-core factory
// creates a dMNGO / dUSDC pair with 1,000,000 / 1,000,000. UniV2SpotOracle (contracts/examples/drills)
// prices the collateral off the pair's current reserves (the vulnerability); ProtectedLendingMarket
// (contracts/examples) lends the pair's other token against it at a 75% collateral factor. Every
// amount is a share of the pair's reserves (on the drill's own pair: the numbers below), so a real
// pair of any size and decimals gives the same drill: lenders supply 2x the debt reserve; in one
// block the attacker swaps 1x the debt reserve into the pair (collateral ~4x), deposits a quarter of
// the collateral reserve and borrows 0.3x the debt reserve; it plans two more borrows in the next
// blocks. Tokens the drill cannot mint (a real pair's) come from a whale: an EOA holding enough at
// the fork block, found among the token's recent Transfer recipients and impersonated. The keeper
// evaluates the oracle every block and flags a move of more than 20% from one block to the next —
// what a team would alert on for a collateral price — and pauses BORROW; the later borrows revert.
// (A matcher on large Swap events on the pair alerts alongside.) Loss is measured as the bad debt
// the attacker leaves at the pre-attack price.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { Contract, ContractFactory, type Signer } from "ethers";
import { defineInvariant } from "../../../keeper/detectors/index.js";
import { findWhale, fundToken, tokenUnit } from "../kit.js";
import { DrillSkip, type DrillChain, type Scenario } from "../types.js";
import { at, DAY, deploy, E18, HOUR, mined, MAX_U96, pausedAlertRule, units } from "../helpers.js";

interface State {
  market: Contract;
  oracle: Contract;
  pair: Contract;
  base: Contract;
  quote: Contract;
  swapper: Contract;
  marketAddress: string;
  oracleAddress: string;
  pairAddress: string;
  baseAddress: string;
  quoteAddress: string;
  swapperAddress: string;
  attackerEoa: string;
  fairPrice: bigint;
  users: { signer: Signer; address: string }[];
  tick: number;
  unit: { symbol: string; decimals: number };
  /** Amounts, as shares of the pair's reserves at setup. */
  a: Amounts;
  facts: Record<string, string>;
}

/** The drill's amounts from the pair's reserves (rb: collateral, rq: debt token). */
interface Amounts {
  pump: bigint;
  attackCollateral: bigint;
  chunks: bigint[];
  liquidity: bigint;
  userCollateral: bigint;
  userDeposit: bigint;
  userBorrow: bigint;
  userRepay: bigint;
  swapBase: bigint;
  swapQuote: bigint;
  userSwapFunds: bigint;
  largeSwapBase: bigint;
  largeSwapQuote: bigint;
}

const amounts = (rb: bigint, rq: bigint): Amounts => ({
  pump: rq,
  attackCollateral: rb / 4n,
  chunks: [(rq * 3n) / 10n, (rq * 3n) / 10n, (rq * 14n) / 100n],
  liquidity: rq * 2n,
  userCollateral: rb / 10n,
  userDeposit: rb / 50n,
  userBorrow: rq / 200n,
  userRepay: rq / 2_000n,
  swapBase: rb / 500n,
  swapQuote: rq / 500n,
  userSwapFunds: rq / 20n,
  largeSwapBase: rb / 10n,
  largeSwapQuote: rq / 10n,
});

const OWN_PAIR_SIDE = 1_000_000n * E18;
const USERS = 4;
const JUMP_BPS = 2_000; // 20% from one block to the next
/** Uniswap V2's factory on Ethereum mainnet (and the same address on several L2s). */
const CANONICAL_V2_FACTORY = "0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f";

const SWAP_SIG =
  "Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)";

function uniswapArtifact(name: "UniswapV2Factory" | "UniswapV2Pair"): { abi: unknown[]; bytecode: string } {
  const path = createRequire(import.meta.url).resolve(`@uniswap/v2-core/build/${name}.json`);
  const j = JSON.parse(readFileSync(path, "utf8")) as { abi: unknown[]; bytecode?: string; evm?: { bytecode: { object: string } } };
  const bytecode = j.bytecode ?? j.evm?.bytecode.object ?? "";
  return { abi: j.abi, bytecode: bytecode.startsWith("0x") ? bytecode : `0x${bytecode}` };
}

interface FoundPair {
  pair: string;
  base: string;
  quote: string;
  /** How it was found, for the report. */
  source: string;
}

const same = (a?: string, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** The Uniswap V2 pair of the fork the address book points at (directly or through a factory), or null. */
async function pairOnFork(chain: DrillChain): Promise<FoundPair | null> {
  const c = chain.addressBook?.contracts ?? {};
  const provider = chain.ethers.provider;
  let pair: string | undefined;
  let source = "";
  const named = c.uniswapV2Pair ? "uniswapV2Pair" : c.pair ? "pair" : undefined;
  if (named) {
    pair = c[named]!;
    source = `address book contracts.${named}`;
  } else if (c.collateral && c.debt) {
    const fromBook = c.uniswapV2Factory ? "uniswapV2Factory" : c.factory ? "factory" : undefined;
    const factory = fromBook ? c[fromBook]! : (await provider.getCode(CANONICAL_V2_FACTORY)) !== "0x" ? CANONICAL_V2_FACTORY : undefined;
    if (!factory) return null;
    const f = new Contract(factory, ["function getPair(address,address) view returns (address)"], provider);
    let got: string;
    try {
      got = String(await f.getFunction("getPair")(c.collateral, c.debt));
    } catch {
      throw new DrillSkip(`${fromBook ? `address book contracts.${fromBook}` : "the canonical Uniswap V2 factory"} ${factory} has no getPair(address,address): name a Uniswap V2 factory, or the pair itself as contracts.pair`);
    }
    if (/^0x0{40}$/i.test(got)) return null;
    pair = got;
    source = `${fromBook ? `address book contracts.${fromBook}` : "the canonical Uniswap V2 factory"} ${factory}: getPair(contracts.collateral, contracts.debt)`;
  } else return null;
  const p = new Contract(pair, uniswapArtifact("UniswapV2Pair").abi as never, provider);
  let t0: string, t1: string, r0: bigint, r1: bigint;
  try {
    [t0, t1] = [String(await p.getFunction("token0")()), String(await p.getFunction("token1")())];
    [r0, r1] = (await p.getFunction("getReserves")()) as [bigint, bigint];
  } catch {
    throw new DrillSkip(`${source} ${pair} is not a Uniswap V2 pair (token0()/getReserves() failed): name a Uniswap V2 pair as contracts.pair, or leave it out and the drill deploys its own`);
  }
  if (r0 === 0n || r1 === 0n) throw new DrillSkip(`${source} ${pair} has no liquidity at this block (reserves ${r0} / ${r1}): fork a block where it has, or leave it out and the drill deploys its own`);
  const baseIs0 = same(c.collateral, t0) || (!same(c.collateral, t1) && !same(c.debt, t0));
  return { pair, base: baseIs0 ? t0 : t1, quote: baseIs0 ? t1 : t0, source: `${source} (${pair})` };
}

/** Deploy the drill's own tokens and a real Uniswap V2 factory + pair (1M / 1M). */
async function ownPair(chain: DrillChain, admin: Signer): Promise<FoundPair> {
  const adminAddress = await admin.getAddress();
  const mngo = await deploy(chain, "TestToken", ["Drill Mango", "dMNGO", 18], admin);
  const usdc = await deploy(chain, "TestToken", ["Drill USDC", "dUSDC", 18], admin);
  const [base, quote] = [await mngo.getAddress(), await usdc.getAddress()];
  // The real Uniswap V2 factory; its createPair deploys the real pair bytecode.
  const f = uniswapArtifact("UniswapV2Factory");
  const factory = (await new ContractFactory(f.abi as never, f.bytecode, admin).deploy(adminAddress)) as unknown as Contract;
  await factory.waitForDeployment();
  await mined(factory.getFunction("createPair")(base, quote));
  const pair = (await factory.getFunction("getPair")(base, quote)) as string;
  await mined(mngo.getFunction("mint")(pair, OWN_PAIR_SIDE));
  await mined(usdc.getFunction("mint")(pair, OWN_PAIR_SIDE));
  await mined(new Contract(pair, uniswapArtifact("UniswapV2Pair").abi as never, admin).getFunction("mint")(adminAddress));
  const why = chain.fork ? "no Uniswap V2 pair in the address book (contracts.uniswapV2Pair / pair, or a factory with contracts.collateral and contracts.debt)" : "embedded chain";
  return { pair, base, quote, source: `deployed its own (${why}): real @uniswap/v2-core factory, dMNGO / dUSDC pair ${pair}` };
}

/** Oracle price must not move more than `maxJumpBps` between consecutive blocks (stateful per run). */
function priceJumpInvariant(oracle: string, maxJumpBps: number) {
  const history = new Map<number, bigint>();
  return defineInvariant({
    calls: [{ target: oracle, signature: "price()" }],
    check(results, { block }) {
      const r = results[0]!;
      if (!r.success) return "oracle price() reverted";
      const p = r.value as bigint;
      let prevBlock = -1;
      for (const n of history.keys()) if (n < block.number && n > prevBlock) prevBlock = n;
      history.set(block.number, p);
      for (const n of history.keys()) if (n < block.number - 64) history.delete(n);
      if (prevBlock < 0) return true;
      const prev = history.get(prevBlock)!;
      if (prev === 0n) return true;
      const moveBps = Number(((p > prev ? p - prev : prev - p) * 10_000n) / prev);
      if (moveBps <= maxJumpBps) return true;
      return {
        summary: `collateral oracle moved ${(moveBps / 100).toFixed(1)}% between blocks ${prevBlock} and ${block.number} (max ${maxJumpBps / 100}%)`,
        details: { previous: prev.toString(), current: p.toString(), moveBps },
        target: oracle,
      };
    },
  });
}

const scenario: Scenario<State> = {
  id: "oracle-manipulation-lending",
  title: "Oracle manipulation through a Uniswap V2 spot price, then borrowing against it",
  incidentClass: "price-oracle manipulation (AMM spot price) on a lending market",
  reference: { incident: "Mango Markets", date: "2022-10-11", loss: "~$114M", url: "https://rekt.news/mango-markets-rekt/" },
  summary:
    "The market prices its collateral from a real Uniswap V2 pair's spot reserves (the fork's pair from the address book, else its own dMNGO / dUSDC pair). The attacker swaps the debt token's whole reserve into the pair (collateral ~4x), deposits collateral and borrows in the same block, planning two more borrows. The keeper's custom invariant sees the oracle jump >20% block to block and pauses BORROW; the later borrows revert. Loss = bad debt at the pre-attack price.",
  warmupBlocks: 5,
  cooldownBlocks: 3,
  expectations: { containWithinBlocks: 1, minSavedPct: 90, maxFalseAlarms: 0 },

  async setup(chain, actors) {
    // The market, oracle and swapper (deliberately vulnerable) are always deployed by a local key,
    // also into a fork; the pair is the fork's when the address book leads to one.
    const admin = actors.localDeployer;
    const adminAddress = await admin.getAddress();
    const found = (chain.fork ? await pairOnFork(chain) : null) ?? (await ownPair(chain, admin));
    const own = found.source.startsWith("deployed its own");
    const { pair: pairAddress, base: baseAddress, quote: quoteAddress } = found;
    const pair = new Contract(pairAddress, uniswapArtifact("UniswapV2Pair").abi as never, admin);
    const base = await at(chain, "TestToken", baseAddress, admin);
    const quote = await at(chain, "TestToken", quoteAddress, admin);
    const [r0, r1] = (await pair.getFunction("getReserves")()) as [bigint, bigint];
    const baseIs0 = same(String(await pair.getFunction("token0")()), baseAddress);
    const a = amounts(baseIs0 ? r0 : r1, baseIs0 ? r1 : r0);

    const users = await Promise.all(actors.users.slice(0, USERS).map(async (signer) => ({ signer, address: await signer.getAddress() })));
    const eoa = actors.attackers[0]!;
    const attackerEoa = await eoa.getAddress();
    // Who gets what: lenders their share of the liquidity + swap money, collateral for users and the attacker.
    const quoteTo: [string, bigint][] = [...users.map((u) => [u.address, a.liquidity / BigInt(USERS) + a.userSwapFunds] as [string, bigint]), [attackerEoa, a.pump]];
    const baseTo: [string, bigint][] = [...users.map((u) => [u.address, a.userCollateral] as [string, bigint]), [attackerEoa, a.attackCollateral]];
    const funded: string[] = [];
    for (const [token, to] of [[quoteAddress, quoteTo], [baseAddress, baseTo]] as const) {
      const total = to.reduce((x, [, v]) => x + v, 0n);
      const unit = await tokenUnit(chain, token);
      const whale = own ? null : await findWhale(chain, token, total, { exclude: [pairAddress, ...Object.values(chain.addressBook?.contracts ?? {})] });
      try {
        for (const [who, amount] of to) await fundToken(chain, token, who, amount, whale ?? undefined);
      } catch (err) {
        if (whale || !(err instanceof DrillSkip)) throw err;
        throw new DrillSkip(
          `the drill needs ${units(total, unit.decimals, unit.symbol)} (${token}) of the pair ${pairAddress} for lenders, users and the attacker; no EOA among its recent Transfer recipients holds that much at this block and it has no open mint: fork a block where a holder has it, or name a smaller pair as contracts.pair`,
        );
      }
      funded.push(`${unit.symbol}: ${whale ? `whale ${whale} (impersonated)` : own ? "minted (the drill's own token)" : "minted (the token has an open mint; no whale found)"}`);
    }

    const oracle = await deploy(chain, "UniV2SpotOracle", [pairAddress, baseAddress], admin);
    const oracleAddress = await oracle.getAddress();
    const market = await deploy(
      chain,
      "ProtectedLendingMarket",
      [baseAddress, quoteAddress, oracleAddress, 75n * 10n ** 16n, 5n * 10n ** 16n, adminAddress, 7 * DAY, HOUR],
      admin,
    );
    const marketAddress = await market.getAddress();
    // Limits: registered for both tokens, deliberately loose (the drill is about detection).
    const loose = { maxCapacity: MAX_U96, window: DAY, minTvl: 0, mode: 0, settlementDelay: 0, inflowCredit: false };
    await mined(market.getFunction("setLimit")(quoteAddress, loose));
    await mined(market.getFunction("setLimit")(baseAddress, loose));
    await mined(market.getFunction("setSentinel")(actors.sentinel.address, HOUR, DAY));

    const swapper = await deploy(chain, "DrillPairSwapper", [], admin);
    const swapperAddress = await swapper.getAddress();

    // Lenders supply the liquidity; users hold some collateral and small loans.
    for (const u of users) {
      for (const t of [quote, base]) {
        await mined((t.connect(u.signer) as Contract).getFunction("approve")(marketAddress, 2n ** 256n - 1n));
        await mined((t.connect(u.signer) as Contract).getFunction("approve")(swapperAddress, 2n ** 256n - 1n));
      }
      await mined((market.connect(u.signer) as Contract).getFunction("supplyDebtLiquidity")(a.liquidity / BigInt(USERS)));
      await mined((market.connect(u.signer) as Contract).getFunction("depositCollateral")(a.userDeposit));
      await mined((market.connect(u.signer) as Contract).getFunction("borrow")(a.userBorrow));
    }
    await mined((quote.connect(eoa) as Contract).getFunction("approve")(swapperAddress, 2n ** 256n - 1n));
    await mined((base.connect(eoa) as Contract).getFunction("approve")(marketAddress, 2n ** 256n - 1n));
    const fairPrice = (await oracle.getFunction("price")()) as bigint;
    const unit = await tokenUnit(chain, quoteAddress);
    return {
      market, oracle, pair, base, quote, swapper,
      marketAddress, oracleAddress, pairAddress, baseAddress, quoteAddress, swapperAddress,
      attackerEoa, fairPrice, users, tick: 0, unit, a,
      facts: { pairSource: found.source, fundedBy: funded.join("; ") },
    };
  },

  keeper(s) {
    const baseIn = s.baseAddress.toLowerCase() < s.quoteAddress.toLowerCase() ? "amount0In" : "amount1In";
    const quoteIn = baseIn === "amount0In" ? "amount1In" : "amount0In";
    return {
      breaker: s.marketAddress,
      named: { market: s.marketAddress, oracle: s.oracleAddress, pair: s.pairAddress, debt: s.quoteAddress },
      detectionRules: ["collateral-price-jump", "large-swap-on-collateral-pair"],
      rules: [
        {
          id: "collateral-price-jump",
          description: "The collateral oracle moved more than 20% from one block to the next: manipulation or oracle failure.",
          severity: "P1",
          action: "pause",
          act: true,
          onError: "fail-closed",
          pause: { scope: "BORROW", durationSeconds: HOUR },
          detector: { kind: "invariant", invariant: { type: "custom", definition: priceJumpInvariant(s.oracleAddress, JUMP_BPS) } },
        },
        {
          id: "large-swap-on-collateral-pair",
          description: "A swap of more than a tenth of the pair's reserve into the collateral's pricing pair.",
          severity: "P2",
          action: "alert",
          detector: {
            kind: "matcher",
            addresses: ["$pair"],
            events: [
              {
                signature: SWAP_SIG,
                where: { any: [{ arg: baseIn, op: "gt", value: s.a.largeSwapBase.toString() }, { arg: quoteIn, op: "gt", value: s.a.largeSwapQuote.toString() }] },
              },
            ],
          },
        },
        pausedAlertRule("market-paused", "$market"),
      ],
    };
  },

  protectedFunds: async (s) => (await s.quote.getFunction("balanceOf")(s.marketAddress)) as bigint,
  unit: (s) => s.unit,

  async background(s, ctx) {
    // Small two-way trading on the pair, and a user borrowing / repaying a little.
    const i = s.tick++;
    const u = s.users[i % s.users.length]!;
    const [tokenIn, amount] = i % 2 === 0 ? [s.quoteAddress, s.a.swapQuote] : [s.baseAddress, s.a.swapBase];
    await ctx.send("benign", () => (s.swapper.connect(u.signer) as Contract).getFunction("swapExactIn")(s.pairAddress, tokenIn, amount, 0, u.address), "small swap on the pair");
    const b = s.users[(i + 1) % s.users.length]!;
    await ctx.send("benign", () => (s.market.connect(b.signer) as Contract).getFunction("repay")(s.a.userRepay), "small repay");
  },

  async attack(s, ctx) {
    const eoa = ctx.actors.attackers[0]!;
    const provider = ctx.chain.ethers.provider;
    let nonce = await provider.getTransactionCount(s.attackerEoa, "pending");
    const gas = { gasLimit: 500_000 };
    const u = (v: bigint) => units(v, s.unit.decimals, s.unit.symbol);
    ctx.record.note(`attacker swaps ${u(s.a.pump)} (the pair's whole debt-side reserve) into the pair (collateral ~4x), deposits collateral and borrows in the same block`);
    const n1 = nonce++;
    await ctx.send("malicious", () => (s.swapper.connect(eoa) as Contract).getFunction("swapExactIn")(s.pairAddress, s.quoteAddress, s.a.pump, 0, s.attackerEoa, { ...gas, nonce: n1 }), `pump: swap ${u(s.a.pump)} into the pair`);
    const n2 = nonce++;
    await ctx.send("malicious", () => (s.market.connect(eoa) as Contract).getFunction("depositCollateral")(s.a.attackCollateral, { ...gas, nonce: n2 }), "deposit collateral (a quarter of the pair's collateral reserve)");
    for (const chunk of s.a.chunks) {
      const n = nonce++;
      await ctx.send("malicious", () => (s.market.connect(eoa) as Contract).getFunction("borrow")(chunk, { ...gas, nonce: n }), `borrow ${u(chunk)} against the inflated price`);
      await ctx.nextBlock();
    }
  },

  async measure(s, { before }) {
    // At risk: the market's debt token when the attack starts. Lost: the bad debt the attacker
    // leaves at the pre-attack price (what the lenders lose when it walks away).
    const [collateral, debt] = (await s.market.getFunction("positionOf")(s.attackerEoa)) as [bigint, bigint];
    const value = (collateral * s.fairPrice) / E18;
    return { fundsAtRisk: before, fundsLost: debt > value ? debt - value : 0n };
  },

  async facts(s) {
    const [collateral, debt] = (await s.market.getFunction("positionOf")(s.attackerEoa)) as [bigint, bigint];
    const u = (v: bigint) => units(v, s.unit.decimals, s.unit.symbol);
    const planned = s.a.chunks.reduce((x, c) => x + c, 0n);
    const plannedValue = (s.a.attackCollateral * s.fairPrice) / E18;
    const price = (p: bigint) => (Number(p) / 1e18).toPrecision(6);
    return {
      pair: s.pairAddress,
      ...s.facts,
      oraclePriceBefore: price(s.fairPrice),
      oraclePriceAtEnd: price((await s.oracle.getFunction("price")()) as bigint),
      attackerDebt: u(debt),
      attackerCollateralAtFairPrice: u((collateral * s.fairPrice) / E18),
      wouldHaveLostWithoutPause: `~${u(planned - plannedValue)} of bad debt (all three borrows: ${u(planned)} against collateral worth ${u(plannedValue)})`,
    };
  },
};

export default scenario;
