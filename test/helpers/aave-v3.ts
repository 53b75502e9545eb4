/**
 * An Aave V3 market deployed from the `@aave/core-v3` npm package's compiled artifacts (not a
 * copy): PoolAddressesProvider, ACLManager, the Pool and PoolConfigurator implementations with
 * their linked logic libraries behind the provider's proxies, AaveOracle over Aave's
 * MockAggregator price feeds, AaveProtocolDataProvider, and two reserves (a collateral and a
 * borrowable asset, each with its AToken / StableDebtToken / VariableDebtToken and a
 * DefaultReserveInterestRateStrategy). The underlying tokens are this repo's TestToken.
 *
 *   const m = await deployAaveMarket(deployer);
 *   await m.acl.addEmergencyAdmin(gate);            // the gate holds EMERGENCY_ADMIN
 *   configurator.setPoolPause(true)                 // what the gate calls
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Contract, ContractFactory, ZeroAddress, type Signer } from "ethers";

const pkgDir = dirname(createRequire(import.meta.url).resolve("@aave/core-v3/package.json"));

interface HhArtifact {
  contractName: string;
  abi: unknown[];
  bytecode: string;
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>;
}

/** Read an artifact by its path under the package's `artifacts/contracts/` (e.g. "protocol/pool/Pool.sol/Pool"). */
export function aaveArtifact(path: string): HhArtifact {
  return JSON.parse(readFileSync(join(pkgDir, "artifacts/contracts", `${path}.json`), "utf8")) as HhArtifact;
}

/** Replace the library placeholders of `a.bytecode` with `libraries[name]` (Hardhat linkReferences). */
export function linkBytecode(a: HhArtifact, libraries: Record<string, string>): string {
  let code = a.bytecode.slice(2);
  for (const [file, libs] of Object.entries(a.linkReferences)) {
    for (const [name, refs] of Object.entries(libs)) {
      const addr = libraries[name];
      if (!addr) throw new Error(`${a.contractName}: library ${file}:${name} has no address to link`);
      for (const { start, length } of refs) {
        code = code.slice(0, start * 2) + addr.slice(2).toLowerCase().padStart(length * 2, "0") + code.slice((start + length) * 2);
      }
    }
  }
  return "0x" + code;
}

async function deploy(path: string, signer: Signer, args: unknown[] = [], libraries: Record<string, string> = {}): Promise<Contract> {
  const a = aaveArtifact(path);
  const f = new ContractFactory(a.abi as never, linkBytecode(a, libraries), signer);
  const c = await f.deploy(...args);
  await c.waitForDeployment();
  return c as Contract;
}

const LOGIC = "protocol/libraries/logic";
const RAY = 10n ** 27n;
const ray = (pct: number) => (RAY * BigInt(Math.round(pct * 100))) / 10_000n;

export interface AaveMarket {
  provider: Contract;
  acl: Contract;
  pool: Contract;
  configurator: Contract;
  oracle: Contract;
  dataProvider: Contract;
  /** Collateral asset (TestToken, 18 decimals), price 2000 USD (8 decimals). */
  collateral: Contract;
  /** Borrowable asset (TestToken, 18 decimals), price 1 USD. */
  debt: Contract;
  aCollateral: string;
  aDebt: string;
  /** Replace the collateral's price feed with a new MockAggregator at `price` (8 decimals). */
  setCollateralPrice(price: bigint): Promise<void>;
}

/** This repo's open-mint TestToken, from artifacts/ (works with any signer: in-process or a spawned node). */
async function testToken(deployer: Signer, name: string, symbol: string): Promise<Contract> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
  const a = JSON.parse(readFileSync(join(root, "artifacts/contracts/test/TestToken.sol/TestToken.json"), "utf8")) as HhArtifact;
  const c = await new ContractFactory(a.abi as never, a.bytecode, deployer).deploy(name, symbol, 18);
  await c.waitForDeployment();
  return c as Contract;
}

export async function deployAaveMarket(deployer: Signer): Promise<AaveMarket> {
  const me = await deployer.getAddress();
  const provider = await deploy("protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider", deployer, ["Breakwater test market", me]);
  await (await provider.setACLAdmin(me)).wait();
  const acl = await deploy("protocol/configuration/ACLManager.sol/ACLManager", deployer, [await provider.getAddress()]);
  await (await provider.setACLManager(await acl.getAddress())).wait();
  await (await acl.addPoolAdmin(me)).wait();

  // Logic libraries (FlashLoanLogic links BorrowLogic), then the implementations.
  const libs: Record<string, string> = {};
  for (const name of ["SupplyLogic", "BorrowLogic", "LiquidationLogic", "EModeLogic", "BridgeLogic", "PoolLogic", "ConfiguratorLogic"]) {
    libs[name] = await (await deploy(`${LOGIC}/${name}.sol/${name}`, deployer)).getAddress();
  }
  libs.FlashLoanLogic = await (await deploy(`${LOGIC}/FlashLoanLogic.sol/FlashLoanLogic`, deployer, [], libs)).getAddress();
  const poolImpl = await deploy("protocol/pool/Pool.sol/Pool", deployer, [await provider.getAddress()], libs);
  await (await poolImpl.initialize(await provider.getAddress())).wait(); // lock the implementation, as Aave's deploy does
  await (await provider.setPoolImpl(await poolImpl.getAddress())).wait();
  const configuratorImpl = await deploy("protocol/pool/PoolConfigurator.sol/PoolConfigurator", deployer, [], libs);
  await (await configuratorImpl.initialize(await provider.getAddress())).wait();
  await (await provider.setPoolConfiguratorImpl(await configuratorImpl.getAddress())).wait();

  const poolArt = aaveArtifact("protocol/pool/Pool.sol/Pool");
  const cfgArt = aaveArtifact("protocol/pool/PoolConfigurator.sol/PoolConfigurator");
  const pool = new Contract(await provider.getPool(), poolArt.abi as never, deployer);
  const configurator = new Contract(await provider.getPoolConfigurator(), cfgArt.abi as never, deployer);

  // Assets and prices.
  const collateral = await testToken(deployer, "Wrapped Test Ether", "WTE");
  const debt = await testToken(deployer, "Test Dollar", "TUSD");
  const feed = (p: bigint) => deploy("mocks/oracle/CLAggregators/MockAggregator.sol/MockAggregator", deployer, [p]);
  const colFeed = await feed(2000n * 10n ** 8n);
  const debtFeed = await feed(10n ** 8n);
  const assets = [await collateral.getAddress(), await debt.getAddress()];
  const oracle = await deploy("misc/AaveOracle.sol/AaveOracle", deployer, [
    await provider.getAddress(), assets, [await colFeed.getAddress(), await debtFeed.getAddress()], ZeroAddress, ZeroAddress, 10n ** 8n,
  ]);
  await (await provider.setPriceOracle(await oracle.getAddress())).wait();
  const dataProvider = await deploy("misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider", deployer, [await provider.getAddress()]);
  await (await provider.setPoolDataProvider(await dataProvider.getAddress())).wait();

  // Reserves.
  const pa = await pool.getAddress();
  const aTokenImpl = await deploy("protocol/tokenization/AToken.sol/AToken", deployer, [pa]);
  const stableImpl = await deploy("protocol/tokenization/StableDebtToken.sol/StableDebtToken", deployer, [pa]);
  const variableImpl = await deploy("protocol/tokenization/VariableDebtToken.sol/VariableDebtToken", deployer, [pa]);
  const strategy = await deploy("protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy", deployer, [
    await provider.getAddress(), ray(80), 0n, ray(4), ray(75), ray(2), ray(75), ray(2), ray(5), ray(20),
  ]);
  const input = (asset: string, sym: string) => ({
    aTokenImpl: aTokenImpl.target, stableDebtTokenImpl: stableImpl.target, variableDebtTokenImpl: variableImpl.target,
    underlyingAssetDecimals: 18, interestRateStrategyAddress: strategy.target, underlyingAsset: asset, treasury: me,
    incentivesController: ZeroAddress, aTokenName: `Aave test ${sym}`, aTokenSymbol: `a${sym}`,
    variableDebtTokenName: `Aave variable debt ${sym}`, variableDebtTokenSymbol: `variableDebt${sym}`,
    stableDebtTokenName: `Aave stable debt ${sym}`, stableDebtTokenSymbol: `stableDebt${sym}`, params: "0x",
  });
  await (await configurator.initReserves([input(assets[0], "WTE"), input(assets[1], "TUSD")])).wait();
  await (await configurator.configureReserveAsCollateral(assets[0], 8000, 8250, 10500)).wait();
  await (await configurator.setReserveBorrowing(assets[1], true)).wait();
  const aCollateral = (await pool.getReserveData(assets[0])).aTokenAddress as string;
  const aDebt = (await pool.getReserveData(assets[1])).aTokenAddress as string;

  return {
    provider, acl, pool, configurator, oracle, dataProvider, collateral, debt, aCollateral, aDebt,
    async setCollateralPrice(price: bigint) {
      const f = await feed(price);
      await (await oracle.setAssetSources([assets[0]], [await f.getAddress()])).wait();
    },
  };
}
