// This project's protocol as the drills see it (a helper module: the leading "_" keeps it out of
// `drill list`). On the embedded chain it is deployed exactly as scripts/deploy-protocol.ts does
// (same deployer, same order, so the same addresses as on a fresh node), with the limits of
// deploy/breakwater.template.json, lenders' liquidity and a real Uniswap V2 pWETH/pUSD pair; on a
// fork it is attached through the address book (contracts.pool) and read from the pool itself.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Contract, ContractFactory, getCreateAddress, type Signer } from "ethers";
import { deploy, register, type DrillActors, type DrillChain } from "breakwater/drills";

export const USD = 10n ** 6n;
export const E18 = 10n ** 18n;
export const HOUR = 3_600;
export const DAY = 86_400;
/** The feed's launch price: 2,000 pUSD per pWETH (8 decimals). */
export const LAUNCH_PRICE = 2_000n * 10n ** 8n;

/** Hardhat's default accounts as scripts/deploy-protocol.ts uses them (#5 reports prices, #6… are users). */
export const ACCOUNT = {
  deployer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", // #0
  reporter: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", // #5
  lenders: ["0xBcd4042DE499D14e55001CcbB24a551F3b954096", "0xFABB0ac9d68B0B445fB7357272Ff202C5651694a"], // #10, #12
  whale: "0x71bE63f3384f5fb98995898A86B02Fb2426c5788", // #11: holds 1,000,000 pUSD, sends nothing else
  ammDeployer: "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199", // #19: deploys only the Uniswap factory (nonce 0)
} as const;
/** The Uniswap V2 factory's address: #19's first contract, on the embedded chain and on the node alike. */
export const UNISWAP_FACTORY = getCreateAddress({ from: ACCOUNT.ammDeployer, nonce: 0 });

/** Each lender's supply (900,000 pUSD in the pool). */
export const LENDER_SUPPLY = 450_000n * USD;
/** The pair's liquidity: 20 pWETH / 40,000 pUSD (a thin market, the launch price). */
export const PAIR_WETH = 20n * E18;
export const PAIR_USD = 40_000n * USD;

export const TOKEN_ABI = [
  "function mint(address,uint256)",
  "function approve(address,uint256) returns (bool)",
  "function balanceOf(address) view returns (uint256)",
];
export const POOL_ABI = [
  "function quote() view returns (address)",
  "function collateral() view returns (address)",
  "function feed() view returns (address)",
  "function supply(uint256)",
  "function setSentinel(address,uint64,uint64)",
  "function setLimit(address,(uint256,uint64,uint256,uint8,uint64,bool))",
];
export const FEED_ABI = ["function reporter() view returns (address)", "function setPrice(uint256)"];

export interface PoolStack {
  pool: string;
  usd: string;
  weth: string;
  feed: string;
  reporter: string;
}

const send = async (p: Promise<{ wait(): Promise<unknown> }>) => void (await (await p).wait());

function uniswap(name: "UniswapV2Factory" | "UniswapV2Pair"): { abi: unknown[]; bytecode: string } {
  const require = createRequire(import.meta.url);
  const j = JSON.parse(readFileSync(require.resolve(`@uniswap/v2-core/build/${name}.json`), "utf8")) as { abi: unknown[]; bytecode?: string; evm?: { bytecode: { object: string } } };
  return { abi: j.abi, bytecode: j.bytecode ?? "0x" + j.evm!.bytecode.object };
}

/**
 * The protocol's state a live deployment has besides its contracts: lenders' liquidity in the
 * pool and a real Uniswap V2 pWETH/pUSD pair (the @uniswap/v2-core build) with thin liquidity.
 * `signer(address)` signs as one of Hardhat's default accounts; `minter` owns the test tokens.
 * Used by the embedded chain's setup below and by test/drills.test.ts on its node.
 */
export async function seedLiquidityAndPair(s: PoolStack, minter: Signer, signer: (address: string) => Promise<Signer>): Promise<{ factory: string; pair: string }> {
  for (const lender of ACCOUNT.lenders) {
    const l = await signer(lender);
    await send((new Contract(s.usd, TOKEN_ABI, l) as Contract).getFunction("approve")(s.pool, LENDER_SUPPLY));
    await send((new Contract(s.pool, POOL_ABI, l) as Contract).getFunction("supply")(LENDER_SUPPLY));
  }
  const ammDeployer = await signer(ACCOUNT.ammDeployer);
  const f = uniswap("UniswapV2Factory");
  const factory = await new ContractFactory(f.abi as never, f.bytecode, ammDeployer).deploy(ACCOUNT.ammDeployer);
  await factory.waitForDeployment();
  const factoryAddress = await factory.getAddress();
  if (factoryAddress !== UNISWAP_FACTORY) throw new Error(`the Uniswap factory landed at ${factoryAddress}, not ${UNISWAP_FACTORY}: account #19 (${ACCOUNT.ammDeployer}) must send nothing before it`);
  await send((factory as unknown as Contract).getFunction("createPair")(s.weth, s.usd));
  const pair = String(await (factory as unknown as Contract).getFunction("getPair")(s.weth, s.usd));
  await send((new Contract(s.weth, TOKEN_ABI, minter) as Contract).getFunction("mint")(pair, PAIR_WETH));
  await send((new Contract(s.usd, TOKEN_ABI, minter) as Contract).getFunction("mint")(pair, PAIR_USD));
  await send((new Contract(pair, uniswap("UniswapV2Pair").abi as never, ammDeployer) as Contract).getFunction("mint")(ACCOUNT.ammDeployer));
  return { factory: factoryAddress, pair };
}

/** Register the protocol's names ($pool, $breaker, $usd, $weth, $feed, $reporter) for calls and rules. */
function registerAll(chain: DrillChain, s: PoolStack): PoolStack {
  register(chain, "pool", s.pool);
  register(chain, "breaker", s.pool); // the pool is Breakable: its own breaker
  register(chain, "usd", s.usd);
  register(chain, "weth", s.weth);
  register(chain, "feed", s.feed);
  register(chain, "reporter", s.reporter);
  return s;
}

/**
 * The pool for a drill: on a fork, the address book's `contracts.pool` (its tokens, feed and
 * reporter read from the pool and the feed); on the embedded chain, deployed from the project's
 * own artifacts as scripts/deploy-protocol.ts and `breakwater deploy` would leave it (limits,
 * balances of the users), plus the lenders' liquidity and the Uniswap pair.
 */
export async function poolStack(chain: DrillChain, actors: DrillActors): Promise<PoolStack> {
  const provider = chain.ethers.provider;
  const booked = chain.addressBook?.contracts.pool;
  if (booked) {
    const pool = new Contract(booked, POOL_ABI, provider);
    const feed = String(await pool.getFunction("feed")());
    return registerAll(chain, {
      pool: booked,
      usd: String(await pool.getFunction("quote")()),
      weth: String(await pool.getFunction("collateral")()),
      feed,
      reporter: String(await new Contract(feed, FEED_ABI, provider).getFunction("reporter")()),
    });
  }
  const d = actors.localDeployer;
  const me = await d.getAddress();
  if (me !== ACCOUNT.deployer) throw new Error(`the embedded chain's first account is ${me}, expected Hardhat's default ${ACCOUNT.deployer}`);
  const usd = await deploy(chain, "MintableToken", ["Pool USD", "pUSD", 6, me], d);
  const weth = await deploy(chain, "MintableToken", ["Pool WETH", "pWETH", 18, me], d);
  const feed = await deploy(chain, "PriceFeed", [me, ACCOUNT.reporter, LAUNCH_PRICE], d);
  const pool = await deploy(chain, "LendingPool", [await usd.getAddress(), await weth.getAddress(), await feed.getAddress(), me, 7 * DAY, DAY], d);
  const s: PoolStack = { pool: await pool.getAddress(), usd: await usd.getAddress(), weth: await weth.getAddress(), feed: await feed.getAddress(), reporter: ACCOUNT.reporter };
  // The limits `breakwater deploy` sets from deploy/breakwater.template.json.
  await send(pool.getFunction("setLimit")(s.usd, [250_000n * USD, HOUR, 0, 0, 0, true]));
  await send(pool.getFunction("setLimit")(s.weth, [500n * E18, HOUR, 0, 1, 6 * HOUR, true]));
  // The balances scripts/deploy-protocol.ts mints: the deployer and users #6…#13.
  const signers = await chain.ethers.getSigners();
  for (const u of [signers[0]!, ...signers.slice(6, 14)]) {
    await send(usd.getFunction("mint")(await u.getAddress(), 1_000_000n * USD));
    await send(weth.getFunction("mint")(await u.getAddress(), 1_000n * E18));
  }
  await seedLiquidityAndPair(s, d, (a) => chain.impersonate(a));
  return registerAll(chain, s);
}

/** drills/templates/<name>.json: the parameters of a template run (also given to the CLI as --params). */
export function templateParams<P>(name: "key-compromise" | "repeated-drain" | "price-manipulation" | "replay", id: string): P {
  const file = new URL(`./templates/${name}.json`, import.meta.url);
  return { ...(JSON.parse(readFileSync(file, "utf8")) as P), id };
}

/** withSetup()'s hook: the pool (deployed on the embedded chain, attached on a fork) and its names. */
export async function withPool(chain: DrillChain, actors: DrillActors): Promise<void> {
  await poolStack(chain, actors);
}
