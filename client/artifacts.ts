// ABIs and bytecode of the contracts Breakwater's tasks, keeper and drills deploy or call.
// An installed package reads them from its shipped `build/` (written by `npm run build:package`),
// so nothing depends on the user's own Hardhat build having compiled Breakwater; inside this
// repository they come from Hardhat's `artifacts/` (always the current sources).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Deployable suite contracts (shipped in `build/contracts/`). */
export const SUITE_CONTRACTS = {
  GuardianMultisig: "contracts/guardian/GuardianMultisig.sol",
  CircuitBreaker: "contracts/breaker/CircuitBreaker.sol",
  OutflowEscrow: "contracts/breaker/OutflowEscrow.sol",
  RescueVault: "contracts/migration/RescueVault.sol",
  PositionMigrator: "contracts/migration/PositionMigrator.sol",
  MerkleClaims: "contracts/migration/MerkleClaims.sol",
  ProtectedVault: "contracts/examples/ProtectedVault.sol",
  ProtectedLendingMarket: "contracts/examples/ProtectedLendingMarket.sol",
  PauseGate: "contracts/adapters/PauseGate.sol",
  Multicall3: "contracts/test/Multicall3.sol",
  /** ABI only (abstract): the deploy wiring calls a protocol's own Breakable contracts through it. */
  Breakable: "contracts/breaker/Breakable.sol",
} as const;

/** Drill-only contracts: test tokens and deliberately vulnerable protocols (shipped apart, in
 * `build/drills/`; never deploy them outside a drill). */
export const DRILL_CONTRACTS = {
  TestToken: "contracts/test/TestToken.sol",
  VulnerableVault: "contracts/examples/VulnerableVault.sol",
  DonationAttacker: "contracts/examples/drills/DonationAttacker.sol",
  DonationLendingVault: "contracts/examples/drills/DonationLendingVault.sol",
  DrillBridgeReplica: "contracts/examples/drills/DrillBridgeReplica.sol",
  DrillFlashSwapper: "contracts/examples/drills/DrillFlashSwapper.sol",
  DrillHookToken: "contracts/examples/drills/DrillHookToken.sol",
  DrillPairSwapper: "contracts/examples/drills/DrillPairSwapper.sol",
  DrillPriceFeed: "contracts/examples/drills/DrillPriceFeed.sol",
  DrillRewardsDistributor: "contracts/examples/drills/DrillRewardsDistributor.sol",
  PoolReentrancyAttacker: "contracts/examples/drills/PoolReentrancyAttacker.sol",
  ReentrantLpPool: "contracts/examples/drills/ReentrantLpPool.sol",
  RoundingAttacker: "contracts/examples/drills/RoundingAttacker.sol",
  RoundingVault: "contracts/examples/drills/RoundingVault.sol",
  UniV2SpotOracle: "contracts/examples/drills/UniV2SpotOracle.sol",
} as const;

export type SuiteContractName = keyof typeof SUITE_CONTRACTS;
export type DrillContractName = keyof typeof DRILL_CONTRACTS;
export type BreakwaterContractName = SuiteContractName | DrillContractName;

export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  abi: readonly unknown[];
  bytecode: string;
  deployedBytecode: string;
  linkReferences: Record<string, unknown>;
  deployedLinkReferences: Record<string, unknown>;
}

export function isBreakwaterContract(name: string): name is BreakwaterContractName {
  return name in SUITE_CONTRACTS || name in DRILL_CONTRACTS;
}

/** The folder holding this package's package.json (this repository, or node_modules/breakwater). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "breakwater") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("breakwater: cannot find the package root (no package.json named breakwater above " + fileURLToPath(import.meta.url) + ")");
    dir = up;
  }
}

const cache = new Map<string, ContractArtifact>();

/** Where an artifact is read from: `artifacts/` in this repository, else the shipped `build/`. */
export function artifactPath(name: BreakwaterContractName): string {
  const root = packageRoot();
  const source = name in SUITE_CONTRACTS ? SUITE_CONTRACTS[name as SuiteContractName] : DRILL_CONTRACTS[name as DrillContractName];
  const dev = path.join(root, "artifacts", source, `${name}.json`);
  if (existsSync(dev)) return dev;
  return path.join(root, "build", name in SUITE_CONTRACTS ? "contracts" : "drills", `${name}.json`);
}

/** ABI and bytecode of a Breakwater contract by name (`"GuardianMultisig"`, `"TestToken"`, …). */
export function loadArtifact(name: BreakwaterContractName): ContractArtifact {
  const hit = cache.get(name);
  if (hit) return hit;
  const file = artifactPath(name);
  if (!existsSync(file)) {
    throw new Error(
      `breakwater: no artifact for ${name} (looked for ${file}); in the breakwater repository run \`npx hardhat build\`, an installed package ships it in build/`,
    );
  }
  const a = JSON.parse(readFileSync(file, "utf8")) as ContractArtifact;
  cache.set(name, a);
  return a;
}
