/**
 * Shared deployment for the guardian tests and benchmarks: a real CircuitBreaker,
 * a Breakable test vault, a test token, and a GuardianMultisig holding the
 * breaker roles on both.
 */
import type { Signer } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { ActionKind } from "../../client/guardian-actions.js";

export const HOUR = 3600n;
export const DAY = 24n * HOUR;
export const SLOW_DELAY = 48n * HOUR;
export const HEARTBEAT = 90n * DAY;

export interface MultisigOptions {
  fastThreshold?: number;
  slowThreshold?: number;
  slowDelay?: bigint;
  vetoThreshold?: number;
  heartbeatPeriod?: bigint;
  managed?: string[];
  overrides?: { kind: number; threshold: number; delay: bigint }[];
  /** Call kind permissions from the constructor. */
  allowedCalls?: { target: string; selector: string }[];
}

export async function deployMultisig(ethers: HardhatEthers, guardians: string[], opts: MultisigOptions = {}): Promise<any> {
  const params = {
    guardians,
    fastThreshold: opts.fastThreshold ?? 1,
    slowThreshold: opts.slowThreshold ?? 3,
    slowDelay: opts.slowDelay ?? SLOW_DELAY,
    vetoThreshold: opts.vetoThreshold ?? 2,
    heartbeatPeriod: opts.heartbeatPeriod ?? HEARTBEAT,
    managed: opts.managed ?? [],
    overrides: opts.overrides ?? [],
    allowedCalls: opts.allowedCalls ?? [],
  };
  const ms = await ethers.deployContract("GuardianMultisig", [params]);
  await ms.waitForDeployment();
  return ms;
}

/** Give `holder` EMERGENCY_ROLE and RECOVERY_ROLE on a breaker (admin = the caller's signer). */
export async function grantBreakerRoles(ethers: HardhatEthers, breaker: any, holder: string): Promise<void> {
  const e = ethers.id("EMERGENCY_ROLE");
  const r = ethers.id("RECOVERY_ROLE");
  await (await breaker.grantRole(e, holder)).wait();
  await (await breaker.grantRole(r, holder)).wait();
}

export interface GuardianSystem {
  deployer: Signer;
  guardians: Signer[];
  others: Signer[];
  breaker: any;
  vault: any;
  token: any;
  multisig: any;
}

/** 5 guardians, 1-of-5 fast, 3-of-5 slow with 48 h delay, 2-of-5 veto, 90-day heartbeat. */
export async function deploySystem(ethers: HardhatEthers, opts: MultisigOptions = {}): Promise<GuardianSystem> {
  const signers = await ethers.getSigners();
  const [deployer] = signers;
  const guardians = signers.slice(1, 6);
  const others = signers.slice(6);
  const breaker = await ethers.deployContract("CircuitBreaker", [await deployer.getAddress(), 7n * DAY, DAY]);
  const vault = await ethers.deployContract("GuardianTestVault", [await deployer.getAddress()]);
  const token = await ethers.deployContract("GuardianTestToken", [await deployer.getAddress(), 10n ** 24n]);
  const multisig = await deployMultisig(
    ethers,
    await Promise.all(guardians.map((g) => g.getAddress())),
    { managed: [await breaker.getAddress(), await vault.getAddress()], ...opts },
  );
  await grantBreakerRoles(ethers, breaker, await multisig.getAddress());
  await grantBreakerRoles(ethers, vault, await multisig.getAddress());
  return { deployer, guardians, others, breaker, vault, token, multisig };
}

export const DEFAULT_LIMIT = {
  maxCapacity: 1000n,
  window: HOUR,
  minTvl: 0n,
  mode: 0,
  settlementDelay: 0n,
  inflowCredit: true,
};

export { ActionKind };
