/**
 * Shared deployments and constants for the breaker tests. Each test file calls
 * `network.create()` itself and wraps these builders in a module-level fixture
 * function so that `loadFixture` can snapshot them.
 */
import { id, zeroPadValue } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { ICircuitBreaker } from "../../types/ethers-contracts/index.js";

export const MINUTE = 60n;
export const HOUR = 3_600n;
export const DAY = 86_400n;
export const E18 = 10n ** 18n;
export const MAX_U96 = 2n ** 96n - 1n;

/** Bounds hard-coded in BreakerCore. */
export const MIN_PAUSE = MINUTE;
export const MAX_PAUSE_CAP = 30n * DAY;
export const MAX_GRACE_PERIOD = 7n * DAY;
export const MIN_WINDOW = MINUTE;
export const MAX_WINDOW = 30n * DAY;
export const MIN_SETTLEMENT_DELAY = HOUR;
export const MAX_SETTLEMENT_DELAY = 30n * DAY;
export const MAX_SENTINEL_COOLDOWN = 30n * DAY;

/** Deployment parameters used by every fixture. */
export const MAX_PAUSE = 7n * DAY;
export const GRACE = DAY;
export const CAPACITY = 1_000n * E18;
export const WINDOW = DAY;

export const Scope = {
  GLOBAL: id("breakwater.scope.GLOBAL"),
  DEPOSIT: id("breakwater.scope.DEPOSIT"),
  WITHDRAW: id("breakwater.scope.WITHDRAW"),
  BORROW: id("breakwater.scope.BORROW"),
  LIQUIDATION: id("breakwater.scope.LIQUIDATION"),
} as const;

export const Role = {
  DEFAULT_ADMIN: "0x" + "00".repeat(32),
  EMERGENCY: id("EMERGENCY_ROLE"),
  RECOVERY: id("RECOVERY_ROLE"),
} as const;

export const Mode = { Revert: 0, Queue: 1 } as const;

/** The pause scope of one asset: its address left-padded to 32 bytes. */
export const assetScope = (asset: string): string => zeroPadValue(asset, 32);

export type LimitConfig = ICircuitBreaker.LimitConfigStruct;

/** A limit of CAPACITY per WINDOW, Revert mode, no minimum TVL, no inflow credit, unless overridden. */
export function limit(overrides: Partial<LimitConfig> = {}): LimitConfig {
  return {
    maxCapacity: CAPACITY,
    window: WINDOW,
    minTvl: 0n,
    mode: Mode.Revert,
    settlementDelay: 0n,
    inflowCredit: false,
    ...overrides,
  };
}

/** A Queue-mode limit with a one-day settlement delay. */
export const queueLimit = (overrides: Partial<LimitConfig> = {}): LimitConfig =>
  limit({ mode: Mode.Queue, settlementDelay: DAY, ...overrides });

/** Capacity after continuous refill, as BreakerCore computes it. */
export function refilled(available: bigint, elapsed: bigint, max = CAPACITY, window = WINDOW): bigint {
  if (available >= max) return max;
  const sum = available + (elapsed * max) / window;
  return sum < max ? sum : max;
}

/**
 * One ProtectedVault (the Breakable mixin) with a 1,000-token-per-day Revert-mode limit,
 * alice and bob holding 10,000 shares each (the vault stays 1:1, so shares == assets).
 * admin holds every role; guardian holds EMERGENCY only; recovery holds RECOVERY only.
 */
export async function deployVaultSystem(ethers: HardhatEthers) {
  const [admin, guardian, recovery, sentinel, alice, bob, attacker, other] = await ethers.getSigners();
  const token = await ethers.deployContract("TestToken", ["Vault asset", "VA", 18]);
  const tokenAddr = await token.getAddress();
  const vault = await ethers.deployContract("ProtectedVault", [
    tokenAddr, "Protected vault", "pVA", admin.address, MAX_PAUSE, GRACE,
  ]);
  const vaultAddr = await vault.getAddress();
  const escrowAddr = await vault.outflowEscrow();
  await vault.grantRole(Role.EMERGENCY, guardian.address);
  await vault.grantRole(Role.RECOVERY, recovery.address);
  await vault.setLimit(tokenAddr, limit());
  for (const user of [alice, bob, attacker]) {
    await token.mint(user.address, 100_000n * E18);
    await token.connect(user).approve(vaultAddr, ethers.MaxUint256);
  }
  await vault.connect(alice).deposit(10_000n * E18, alice.address);
  await vault.connect(bob).deposit(10_000n * E18, bob.address);
  return {
    admin, guardian, recovery, sentinel, alice, bob, attacker, other,
    token, tokenAddr, vault, vaultAddr, escrowAddr,
  };
}

/**
 * A ProtectedLendingMarket: collateral C, debt D, price 2 D per C, collateral factor 80 %,
 * liquidation bonus 5 %, both tokens limited to 10,000 per day (Revert mode).
 * lender supplied 50,000 D; alice deposited 1,000 C and borrowed 1,500 D (health 1.0667).
 */
export async function deployMarketSystem(ethers: HardhatEthers) {
  const [admin, guardian, recovery, lender, alice, bob, liquidator] = await ethers.getSigners();
  const collateral = await ethers.deployContract("TestToken", ["Collateral", "COL", 18]);
  const debt = await ethers.deployContract("TestToken", ["Debt", "DEBT", 18]);
  const oracle = await ethers.deployContract("MockPriceOracle", [2n * E18]);
  const colAddr = await collateral.getAddress();
  const debtAddr = await debt.getAddress();
  const market = await ethers.deployContract("ProtectedLendingMarket", [
    colAddr, debtAddr, await oracle.getAddress(), 8n * E18 / 10n, 5n * E18 / 100n, admin.address, MAX_PAUSE, GRACE,
  ]);
  const marketAddr = await market.getAddress();
  await market.grantRole(Role.EMERGENCY, guardian.address);
  await market.grantRole(Role.RECOVERY, recovery.address);
  await market.setLimit(colAddr, limit({ maxCapacity: 10_000n * E18 }));
  await market.setLimit(debtAddr, limit({ maxCapacity: 10_000n * E18 }));
  for (const user of [lender, alice, bob, liquidator]) {
    await collateral.mint(user.address, 100_000n * E18);
    await debt.mint(user.address, 100_000n * E18);
    await collateral.connect(user).approve(marketAddr, ethers.MaxUint256);
    await debt.connect(user).approve(marketAddr, ethers.MaxUint256);
  }
  await market.connect(lender).supplyDebtLiquidity(50_000n * E18);
  await market.connect(alice).depositCollateral(1_000n * E18);
  await market.connect(alice).borrow(1_500n * E18);
  return {
    admin, guardian, recovery, lender, alice, bob, liquidator,
    collateral, debt, oracle, colAddr, debtAddr, market, marketAddr,
  };
}

/**
 * A standalone CircuitBreaker protecting two ExternalProtectedVaults of asset A and one of
 * asset B (vaultA2 is deployed but NOT registered). Both assets: 1,000 per day, Revert mode.
 * alice holds 5,000 shares in vaultA and in vaultB, bob 5,000 in vaultA.
 */
export async function deployExternalSystem(ethers: HardhatEthers) {
  const [admin, guardian, recovery, alice, bob, other] = await ethers.getSigners();
  const breaker = await ethers.deployContract("CircuitBreaker", [admin.address, MAX_PAUSE, GRACE]);
  const breakerAddr = await breaker.getAddress();
  const tokenA = await ethers.deployContract("TestToken", ["Asset A", "A", 18]);
  const tokenB = await ethers.deployContract("TestToken", ["Asset B", "B", 18]);
  const aAddr = await tokenA.getAddress();
  const bAddr = await tokenB.getAddress();
  const vaultA = await ethers.deployContract("ExternalProtectedVault", [aAddr, breakerAddr]);
  const vaultB = await ethers.deployContract("ExternalProtectedVault", [bAddr, breakerAddr]);
  const vaultA2 = await ethers.deployContract("ExternalProtectedVault", [aAddr, breakerAddr]);
  const [vaultAAddr, vaultBAddr, vaultA2Addr] = await Promise.all([
    vaultA.getAddress(), vaultB.getAddress(), vaultA2.getAddress(),
  ]);
  await breaker.grantRole(Role.EMERGENCY, guardian.address);
  await breaker.grantRole(Role.RECOVERY, recovery.address);
  await breaker.registerProtected(vaultAAddr);
  await breaker.registerProtected(vaultBAddr);
  await breaker.setLimit(aAddr, limit());
  await breaker.setLimit(bAddr, limit());
  for (const user of [alice, bob]) {
    for (const [t, v] of [[tokenA, vaultAAddr], [tokenB, vaultBAddr], [tokenA, vaultA2Addr]] as const) {
      await t.mint(user.address, 10_000n * E18);
      await t.connect(user).approve(v, ethers.MaxUint256);
    }
  }
  await vaultA.connect(alice).deposit(5_000n * E18, alice.address);
  await vaultB.connect(alice).deposit(5_000n * E18, alice.address);
  await vaultA.connect(bob).deposit(5_000n * E18, bob.address);
  return {
    admin, guardian, recovery, alice, bob, other,
    breaker, breakerAddr, tokenA, tokenB, aAddr, bAddr,
    vaultA, vaultB, vaultA2, vaultAAddr, vaultBAddr, vaultA2Addr,
  };
}
