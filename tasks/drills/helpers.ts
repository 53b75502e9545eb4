// Small helpers shared by the drill scenarios (tasks/drills/scenarios/*).
import { AbiCoder, Contract, ContractFactory, id, type Signer } from "ethers";
import { isBreakwaterContract, loadArtifact } from "../../client/artifacts.js";
import type { DrillChain } from "./types.js";

export const E18 = 10n ** 18n;
export const MAX_U96 = 2n ** 96n - 1n;
export const DAY = 86_400;
export const HOUR = 3_600;
export const SCOPE = {
  GLOBAL: id("breakwater.scope.GLOBAL"),
  DEPOSIT: id("breakwater.scope.DEPOSIT"),
  WITHDRAW: id("breakwater.scope.WITHDRAW"),
} as const;
export const ZERO32 = "0x" + "00".repeat(32);
export const PAUSED_SIG = "Paused(bytes32 indexed scope, uint64 until, address indexed by)";
export const WITHDRAW_SIG =
  "Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares)";
export const abi = AbiCoder.defaultAbiCoder();

/** Alert-only: the breaker of `contractRef` (e.g. "$vault") reported a pause (anyone's). */
export const pausedAlertRule = (id: string, contractRef: string) => ({
  id,
  severity: "P3" as const,
  action: "alert" as const,
  detector: { kind: "matcher" as const, addresses: [contractRef], events: [{ signature: PAUSED_SIG }] },
});

/** Alert-only: one block's outflow of `token` from `holder` spikes above `spikeShare` of TVL
 * (short drill warm-up: 4 blocks, 10-block window). */
export const outflowSpikeRule = (id: string, token: string, holder: string, spikeShare: number) => ({
  id,
  severity: "P2" as const,
  action: "alert" as const,
  cooldown: { blocks: 20 },
  detector: { kind: "statistic" as const, token, holder, warmupBlocks: 4, window: 10, zThreshold: 6, spikeShare },
});

/** Acting statistic: a sustained outflow well above its baseline pauses (slow-drip-under-thresholds),
 * and must not fire on a benign whale (benign-whale-busy-traffic). */
export const sustainedOutflowRule = (token: string, holder: string) => ({
  id: "sustained-outflow",
  description: "Sustained outflow well above its baseline (slow drip under per-tx thresholds)",
  severity: "P1" as const,
  action: "pause" as const,
  act: true,
  pause: { scope: "GLOBAL" as const, durationSeconds: HOUR },
  detector: {
    kind: "statistic" as const,
    token,
    holder,
    alpha: 0.1,
    window: 20,
    warmupBlocks: 10,
    zThreshold: 6,
    minShare: 0.002,
    clipShare: 0.01,
    // One-block spikes are a separate (alert-only) rule: a whale must not pause the protocol.
    spikeShare: 1,
  },
});

/** A limit that never binds (the drill is about the keeper; the limiter is tested elsewhere). */
export const OPEN_LIMIT = { maxCapacity: MAX_U96, window: DAY, minTvl: 0, mode: 0, settlementDelay: 0, inflowCredit: false };

/** A fixed gas limit for attack transactions: they are sent (and land, and revert once the
 * protocol is paused) instead of failing in gas estimation. */
export const ATTACK_GAS = { gasLimit: 400_000 };

export async function addr(s: Signer | Contract): Promise<string> {
  return "getAddress" in s ? await (s as { getAddress(): Promise<string> }).getAddress() : String((s as Contract).target);
}

/** Wait for a transaction (setup runs with automine, before interval mining starts). */
export async function mined(tx: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  await (await tx).wait();
}

/** Deploy a contract signed by `signer`: Breakwater's own contracts (suite, test tokens, drill
 * protocols) from the package's artifacts, any other name from the project's Hardhat artifacts. */
export async function deploy(chain: DrillChain, name: string, args: unknown[], signer: Signer): Promise<Contract> {
  if (isBreakwaterContract(name)) {
    const a = loadArtifact(name);
    const c = await new ContractFactory(a.abi as never, a.bytecode, signer).deploy(...args);
    await c.waitForDeployment();
    return c as unknown as Contract;
  }
  const c = await chain.ethers.deployContract(name, args, signer as never);
  await c.waitForDeployment();
  return c as unknown as Contract;
}

/** A handle on a deployed contract, by the same lookup as `deploy`. */
export async function at(chain: DrillChain, name: string, address: string, signer?: Signer): Promise<Contract> {
  if (isBreakwaterContract(name)) return new Contract(address, loadArtifact(name).abi as never, signer ?? chain.ethers.provider);
  return (await chain.ethers.getContractAt(name, address, signer as never)) as unknown as Contract;
}

/** Format token units: 1234.5 USDS. */
export function units(v: bigint, decimals = 18, symbol = ""): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / 10n ** BigInt(decimals);
  const frac = (a % 10n ** BigInt(decimals)).toString().padStart(decimals, "0").slice(0, 2);
  return `${neg ? "-" : ""}${whole.toLocaleString("en-US")}${frac !== "00" ? "." + frac : ""}${symbol ? " " + symbol : ""}`;
}

/**
 * Why the address book's `contracts.vault` cannot stand in for a Breakwater ProtectedVault (an
 * ERC-4626 vault integrating the inline breaker), or null when it can. A user's book may name
 * any protocol "vault" (e.g. a lending pool): then the scenario deploys its own vault instead.
 */
export async function notABreakwaterVault(chain: DrillChain, address: string): Promise<string | null> {
  const provider = chain.ethers.provider;
  if ((await provider.getCode(address)) === "0x") return `no code at ${address}`;
  const probe = new Contract(
    address,
    [
      "function asset() view returns (address)",
      "function totalAssets() view returns (uint256)",
      "function sentinelState() view returns (address, bool, uint64, uint64, uint64)",
      "function hasRole(bytes32, address) view returns (bool)",
    ],
    provider,
  );
  for (const [fn, args] of [["asset", []], ["totalAssets", []], ["sentinelState", []], ["hasRole", [ZERO32, address]]] as const) {
    try {
      await probe.getFunction(fn)(...args);
    } catch {
      return `${address} has no ${fn}(): it is not an ERC-4626 vault with the Breakwater breaker`;
    }
  }
  return null;
}
