// A protocol the drill templates' author did not write, deployed the way its team would: a real
// Uniswap V2 factory and pair (the compiled @uniswap/v2-core build), two tokens with liquidity,
// and ForeignLendingPool (contracts/test/drills-foreign/: a third-party-style pool that knows
// nothing of Breakwater). Also a Breakable target (VulnerableVault) for the containment cases.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { Contract, ContractFactory, type Signer } from "ethers";
import { loadArtifact } from "../../../client/artifacts.js";
import { ROOT } from "../../keeper/helpers/node.js";

export const E18 = 10n ** 18n;
const require = createRequire(import.meta.url);

export function uniswap(name: "UniswapV2Factory" | "UniswapV2Pair"): { abi: unknown[]; bytecode: string } {
  const j = JSON.parse(readFileSync(require.resolve(`@uniswap/v2-core/build/${name}.json`), "utf8")) as { abi: unknown[]; bytecode?: string; evm?: { bytecode: { object: string } } };
  return { abi: j.abi, bytecode: j.bytecode ?? "0x" + j.evm!.bytecode.object };
}

export function projectArtifact(path: string, name: string): { abi: unknown[]; bytecode: string } {
  return JSON.parse(readFileSync(resolve(ROOT, "artifacts", path, `${name}.json`), "utf8")) as { abi: unknown[]; bytecode: string };
}

export async function deployWith(a: { abi: readonly unknown[] | unknown[]; bytecode: string }, signer: Signer, args: unknown[]): Promise<Contract> {
  const c = await new ContractFactory(a.abi as never, a.bytecode, signer).deploy(...args);
  await c.waitForDeployment();
  return c as unknown as Contract;
}

const send = async (p: Promise<{ wait(): Promise<unknown> }>) => void (await (await p).wait());

export interface ForeignStack {
  factory: string;
  pair: string;
  pool: string;
  collateral: string;
  debt: string;
  owner: string;
}

/** The foreign stack: deployer owns the pool; `lender` supplies 1,000,000 FUSD; the pair holds 100,000 / 100,000. */
export async function deployForeignStack(deployer: Signer, lender: Signer): Promise<ForeignStack> {
  const token = loadArtifact("TestToken");
  const owner = await deployer.getAddress();
  const collateral = await deployWith(token, deployer, ["Foreign Collateral", "FCOL", 18]);
  const debt = await deployWith(token, deployer, ["Foreign USD", "FUSD", 18]);
  const factory = await deployWith(uniswap("UniswapV2Factory"), deployer, [owner]);
  await send(factory.getFunction("createPair")(await collateral.getAddress(), await debt.getAddress()));
  const pairAddress = String(await factory.getFunction("getPair")(await collateral.getAddress(), await debt.getAddress()));
  const pair = new Contract(pairAddress, uniswap("UniswapV2Pair").abi as never, deployer);
  await send(collateral.getFunction("mint")(pairAddress, 100_000n * E18));
  await send(debt.getFunction("mint")(pairAddress, 100_000n * E18));
  await send(pair.getFunction("mint")(owner));
  const pool = await deployWith(projectArtifact("contracts/test/drills-foreign/ForeignLendingPool.sol", "ForeignLendingPool"), deployer, [
    await collateral.getAddress(),
    await debt.getAddress(),
    pairAddress,
    owner,
    5_000,
  ]);
  const lenderAddress = await lender.getAddress();
  await send(debt.getFunction("mint")(lenderAddress, 1_000_000n * E18));
  await send((debt.connect(lender) as Contract).getFunction("approve")(await pool.getAddress(), 2n ** 256n - 1n));
  await send((pool.connect(lender) as Contract).getFunction("supply")(1_000_000n * E18));
  return { factory: await factory.getAddress(), pair: pairAddress, pool: await pool.getAddress(), collateral: await collateral.getAddress(), debt: await debt.getAddress(), owner };
}

export interface VaultStack {
  vault: string;
  asset: string;
  admin: string;
  victim: string;
}

const OPEN_LIMIT = { maxCapacity: 2n ** 96n - 1n, window: 86_400, minTvl: 0, mode: 0, settlementDelay: 0, inflowCredit: false };

/** A Breakable target (the drill-only VulnerableVault: anyone can exit anyone's position), 1,000,000 dUSD deposited by `victim`. */
export async function deployVaultStack(admin: Signer, victim: Signer): Promise<VaultStack> {
  const adminAddress = await admin.getAddress();
  const asset = await deployWith(loadArtifact("TestToken"), admin, ["Drill USD", "dUSD", 18]);
  const vault = await deployWith(loadArtifact("VulnerableVault"), admin, [await asset.getAddress(), "Vulnerable dUSD", "vdUSD", adminAddress, 7 * 86_400, 86_400]);
  await send(vault.getFunction("setLimit")(await asset.getAddress(), OPEN_LIMIT));
  const victimAddress = await victim.getAddress();
  await send(asset.getFunction("mint")(victimAddress, 1_000_000n * E18));
  await send((asset.connect(victim) as Contract).getFunction("approve")(await vault.getAddress(), 2n ** 256n - 1n));
  await send((vault.connect(victim) as Contract).getFunction("deposit")(1_000_000n * E18, victimAddress));
  return { vault: await vault.getAddress(), asset: await asset.getAddress(), admin: adminAddress, victim: victimAddress };
}
