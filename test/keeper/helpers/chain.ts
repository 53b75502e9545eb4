// Contract systems and isolation for keeper tests that run against a spawned `hardhat node`
// (see ./node.ts): Hardhat's default accounts as wallets on the node's provider, the breaker /
// guardian test systems deployed from artifacts/, and evm_snapshot/evm_revert in place of
// loadFixture.
import { HDNodeWallet, MaxUint256, id, toBeHex } from "ethers";
import { deployArtifact, type HardhatNode } from "./node.js";
import type { GuardianMultisig, ProtectedVault, TestToken } from "../../../types/ethers-contracts/index.js";

export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

const E18 = 10n ** 18n;
const DAY = 86_400n;
const HOUR = 3_600n;
const EMERGENCY = id("EMERGENCY_ROLE");
const RECOVERY = id("RECOVERY_ROLE");

let root: HDNodeWallet | undefined;
/** Hardhat default account `i` (m/44'/60'/0'/0/i of the test mnemonic) on `node`'s provider. */
export function hardhatAccount(node: HardhatNode, i: number): HDNodeWallet {
  root ??= HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, "m/44'/60'/0'/0");
  return root.deriveChild(i).connect(node.provider);
}

/** A fixed (not random) key for test-only accounts, so runs are reproducible. */
export const testKey = (label: string): string => id(`breakwater.keeper.test.${label}`);

export async function setBalance(node: HardhatNode, address: string, wei: bigint): Promise<void> {
  await node.rpc("hardhat_setBalance", [address, toBeHex(wei)]);
}

/**
 * evm_snapshot / evm_revert isolation: `take()` once the shared state is built (before()),
 * `restore()` after every test (reverts to it and takes a fresh snapshot, since a snapshot id
 * is consumed by evm_revert). Also switches automine back on and drops anything left in the
 * mempool, so a test that left a stuck transaction cannot leak it into the next one.
 */
export function snapshots(node: HardhatNode) {
  let snap: string | undefined;
  return {
    async take(): Promise<void> {
      snap = await node.rpc<string>("evm_snapshot");
    },
    async restore(): Promise<void> {
      if (!snap) throw new Error("no snapshot taken");
      await node.rpc("evm_setAutomine", [true]);
      const ok = await node.rpc<boolean>("evm_revert", [snap]);
      if (!ok) throw new Error(`evm_revert(${snap}) failed`);
      // Anything still pending (sent after the snapshot with automine off) must not survive.
      const pending = await node.rpc<{ transactions: string[] }>("eth_getBlockByNumber", ["pending", false]);
      for (const h of pending.transactions) await node.rpc("hardhat_dropTransaction", [h]);
      snap = await node.rpc<string>("evm_snapshot");
    },
  };
}

export interface VaultSystem {
  admin: HDNodeWallet;
  guardian: HDNodeWallet;
  recovery: HDNodeWallet;
  alice: HDNodeWallet;
  bob: HDNodeWallet;
  token: TestToken;
  tokenAddr: string;
  vault: ProtectedVault;
  vaultAddr: string;
}

/**
 * test/breaker/helpers.ts `deployVaultSystem` on a node: TestToken + ProtectedVault (7-day max
 * pause, 1-day grace), guardian = EMERGENCY, recovery = RECOVERY, a 1,000/day Revert-mode limit,
 * alice and bob with 10,000 deposited each. Accounts: admin 0, guardian 1, recovery 2, alice 4, bob 5.
 */
export async function deployVaultSystemOn(node: HardhatNode): Promise<VaultSystem> {
  const [admin, guardian, recovery, , alice, bob, attacker] = Array.from({ length: 7 }, (_, i) => hardhatAccount(node, i)) as HDNodeWallet[];
  const token = (await deployArtifact(admin!, "test/TestToken.sol", "TestToken", "Vault asset", "VA", 18)) as unknown as TestToken;
  const tokenAddr = await token.getAddress();
  const vault = (await deployArtifact(admin!, "examples/ProtectedVault.sol", "ProtectedVault", tokenAddr, "Protected vault", "pVA", admin!.address, 7n * DAY, DAY)) as unknown as ProtectedVault;
  const vaultAddr = await vault.getAddress();
  await (await vault.grantRole(EMERGENCY, guardian!.address)).wait();
  await (await vault.grantRole(RECOVERY, recovery!.address)).wait();
  const limit = { maxCapacity: 1_000n * E18, window: DAY, minTvl: 0n, mode: 0, settlementDelay: 0n, inflowCredit: false };
  await (await vault.setLimit(tokenAddr, limit)).wait();
  for (const user of [alice!, bob!, attacker!]) {
    await (await token.mint(user.address, 100_000n * E18)).wait();
    await (await token.connect(user).approve(vaultAddr, MaxUint256)).wait();
  }
  await (await vault.connect(alice!).deposit(10_000n * E18, alice!.address)).wait();
  await (await vault.connect(bob!).deposit(10_000n * E18, bob!.address)).wait();
  return { admin: admin!, guardian: guardian!, recovery: recovery!, alice: alice!, bob: bob!, token, tokenAddr, vault, vaultAddr };
}

/** Arm `sentinel` on the vault (max 1 h pause, 1-day cooldown) and fund it with 100 ETH. */
export async function armSentinel(node: HardhatNode, sys: VaultSystem, sentinel: string): Promise<void> {
  await (await sys.vault.connect(sys.recovery).setSentinel(sentinel, HOUR, DAY)).wait();
  await setBalance(node, sentinel, 10n ** 20n);
}

export interface GuardianSystemOnNode {
  deployer: HDNodeWallet;
  guardians: HDNodeWallet[];
  breaker: any;
  vault: any;
  token: any;
  multisig: GuardianMultisig;
}

/**
 * test/helpers/guardian-fixture.ts `deploySystem` on a node: CircuitBreaker, GuardianTestVault,
 * GuardianTestToken and a GuardianMultisig of accounts 1..5 (1-of-5 fast, 3-of-5 slow with 48 h
 * delay, 2-of-5 veto, 90-day heartbeat) holding EMERGENCY and RECOVERY on the breaker and vault.
 */
export async function deployGuardianSystemOn(node: HardhatNode): Promise<GuardianSystemOnNode> {
  const deployer = hardhatAccount(node, 0);
  const guardians = [1, 2, 3, 4, 5].map((i) => hardhatAccount(node, i));
  const breaker: any = await deployArtifact(deployer, "breaker/CircuitBreaker.sol", "CircuitBreaker", deployer.address, 7n * DAY, DAY);
  const vault: any = await deployArtifact(deployer, "guardian/test/GuardianTestMocks.sol", "GuardianTestVault", deployer.address);
  const token: any = await deployArtifact(deployer, "guardian/test/GuardianTestMocks.sol", "GuardianTestToken", deployer.address, 10n ** 24n);
  const params = {
    guardians: guardians.map((g) => g.address),
    fastThreshold: 1,
    slowThreshold: 3,
    slowDelay: 48n * HOUR,
    vetoThreshold: 2,
    heartbeatPeriod: 90n * DAY,
    managed: [await breaker.getAddress(), await vault.getAddress()],
    overrides: [],
    allowedCalls: [],
  };
  const multisig = (await deployArtifact(deployer, "guardian/GuardianMultisig.sol", "GuardianMultisig", params)) as unknown as GuardianMultisig;
  const ms = await multisig.getAddress();
  for (const target of [breaker, vault]) {
    await (await target.grantRole(EMERGENCY, ms)).wait();
    await (await target.grantRole(RECOVERY, ms)).wait();
  }
  return { deployer, guardians, breaker, vault, token, multisig };
}
