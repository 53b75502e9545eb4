// `npx hardhat breakwater deploy --params <file> [--with-example-vault] [--dry-run] [--force]`
// Deploys and wires the suite, then writes deployments/<network>.json.
import { existsSync } from "node:fs";
import { ZeroHash, getAddress, getCreateAddress, id, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { addressBookPath, deploymentsDir, writeAddressBook, type AddressBook } from "../lib/address-book.js";
import { C, connectChain, factory as suiteFactory, resolveSigner, type OperatorChain } from "../lib/chain.js";
import { describeRevert, fail, OperatorError } from "../lib/errors.js";
import { print, toJson } from "../lib/output.js";
import { formatDuration, requireCode } from "../lib/validation.js";
import { kindId, loadDeployParams, type DeployParams } from "./deploy-params.js";
import { runAction, type CommonArgs } from "./common.js";

export interface DeployArgs extends CommonArgs {
  params: string;
  withExampleVault: boolean;
  force: boolean;
}

export const MULTICALL3_ADDRESS = "0xcA11bde05977b3631167028862bE2a173976CA11";
const ROLES = { admin: ZeroHash, emergency: id("EMERGENCY_ROLE"), recovery: id("RECOVERY_ROLE") };

export interface DeployResult {
  dryRun: boolean;
  book: AddressBook;
  path?: string;
  steps: string[];
}

export async function runDeploy(args: DeployArgs, chain: OperatorChain): Promise<DeployResult> {
  const params = loadDeployParams(args.params, { withExampleVault: args.withExampleVault });
  const dir = deploymentsDir(args.deployments);
  const bookPath = addressBookPath(dir, chain.networkName);
  if (existsSync(bookPath) && !args.force) {
    fail(`an address book already exists at ${bookPath}`, "pass --force to deploy again and overwrite it, or use another --deployments dir");
  }
  const deployer = await resolveSigner(chain, args);
  const from = await deployer.getAddress();
  const provider = chain.ethers.provider;

  // ---- checks before anything is sent
  const wantVault = params.breaker.exampleVault;
  const wantStandalone = params.breaker.standalone ?? !wantVault;
  if (!wantVault && !wantStandalone) fail("nothing to protect: breaker.exampleVault and breaker.standalone are both false", "set one of them (or pass --with-example-vault)");
  if (wantVault && !params.asset && !chain.isLocal) {
    fail(`breaker.exampleVault on "${chain.networkName}" (chain ${chain.chainId}) needs "asset": test tokens are only deployed on local chains`, 'add "asset": "0x…" (an ERC-20) to the parameters file');
  }
  if (params.asset) await requireCode(provider, getAddress(params.asset), "asset");
  for (const l of params.limits) if (l.asset !== "asset") await requireCode(provider, getAddress(l.asset), `limits asset`);
  for (const p of params.breaker.protected) await requireCode(provider, getAddress(p), "breaker.protected");
  if (params.breaker.protected.length > 0 && !wantStandalone) fail("breaker.protected needs breaker.standalone = true");
  const balance = await provider.getBalance(from);
  if (balance === 0n) fail(`the deployer ${from} has no ether on chain ${chain.chainId}`, "fund it, or pick another key with --key-env / --from");

  const steps: string[] = [];
  const note = (s: string) => {
    steps.push(s);
    print(`${args.dryRun ? "[dry-run] " : ""}${s}`);
  };
  print(`${args.dryRun ? "Dry run: " : ""}deploying the Breakwater suite on ${chain.networkName} (chain ${chain.chainId}) from ${from}`);

  if (args.dryRun) return dryRun(params, chain, deployer, from, wantVault, wantStandalone, note, dir);

  const deploy = async (label: string, name: keyof typeof C, ctorArgs: unknown[]) => {
    const factory = suiteFactory(name, deployer);
    let c;
    try {
      c = await factory.deploy(...ctorArgs);
      await c.waitForDeployment();
    } catch (err) {
      throw new OperatorError(`deploying ${label} failed: ${describeRevert(err)}`, "fix the parameters and re-run (pass --force if an address book was written)");
    }
    const addr = await c.getAddress();
    note(`deployed ${label} at ${addr}`);
    return { contract: c as any, address: addr };
  };
  const send = async (label: string, fn: () => Promise<{ wait(): Promise<unknown> }>) => {
    try {
      await (await fn()).wait();
    } catch (err) {
      throw new OperatorError(`${label} failed: ${describeRevert(err)}`, "the deployment is incomplete: fix the cause and re-run with --force");
    }
    note(label);
  };

  const startBlock = await provider.getBlockNumber();
  const contracts: Record<string, string> = {};

  // 1. asset (local test token) and breakers
  let assetAddr = params.asset ? getAddress(params.asset) : undefined;
  let token: any;
  if (wantVault && !assetAddr) {
    const t = await deploy(`TestToken ${params.testToken.symbol}`, "testToken", [params.testToken.name, params.testToken.symbol, params.testToken.decimals]);
    token = t.contract;
    assetAddr = t.address;
  }
  if (assetAddr) contracts.asset = assetAddr;
  const breakers: { label: string; address: string; contract: any }[] = [];
  let vault: any;
  if (wantVault) {
    const v = await deploy("ProtectedVault (Breakable breaker)", "vault", [
      assetAddr, `Breakwater ${params.testToken.symbol} Vault`, `bw${params.testToken.symbol}`, from, params.breaker.maxPause, params.breaker.gracePeriod,
    ]);
    vault = v.contract;
    contracts.vault = v.address;
    breakers.push({ label: "vault", ...v });
  }
  let cb: any;
  if (wantStandalone) {
    const b = await deploy("CircuitBreaker", "circuitBreaker", [from, params.breaker.maxPause, params.breaker.gracePeriod]);
    cb = b.contract;
    contracts.circuitBreaker = b.address;
    breakers.push({ label: "circuitBreaker", ...b });
  }
  contracts.breaker = contracts.vault ?? contracts.circuitBreaker!;

  // 2. multisig managing the breakers
  const ms = await deploy("GuardianMultisig", "multisig", [multisigInit(params, breakers.map((b) => b.address))]);
  contracts.guardian = ms.address;

  // 3. migration contracts, owned / administered by the multisig
  contracts.rescueVault = (await deploy("RescueVault", "rescueVault", [ms.address, params.rescue.delay])).address;
  contracts.migrator = (await deploy("PositionMigrator", "migrator", [ms.address])).address;
  contracts.merkleClaims = (await deploy("MerkleClaims", "merkleClaims", [ms.address])).address;

  // 4. Multicall3
  const mc = await multicall3(chain, params, deployer, note);
  if (mc) contracts.multicall3 = mc;

  // 5. wiring, while the deployer still holds the roles
  for (const b of breakers) {
    for (const l of params.limits) {
      const asset = l.asset === "asset" ? assetAddr! : getAddress(l.asset);
      const cfg = { maxCapacity: l.maxCapacity, window: l.window, minTvl: l.minTvl, mode: l.mode === "Queue" ? 1 : 0, settlementDelay: l.settlementDelay, inflowCredit: l.inflowCredit };
      await send(`${b.label}: setLimit(${asset}, ${l.maxCapacity} per ${formatDuration(l.window)}, ${l.mode})`, () => b.contract.setLimit(asset, cfg));
    }
    if (params.sentinel) {
      const s = params.sentinel;
      await send(`${b.label}: setSentinel(${getAddress(s.address)}, max ${formatDuration(s.maxDuration)}, cooldown ${formatDuration(s.cooldown)})`, () => b.contract.setSentinel(s.address, s.maxDuration, s.cooldown));
    }
  }
  if (cb) for (const p of params.breaker.protected) await send(`circuitBreaker: registerProtected(${getAddress(p)})`, () => cb.registerProtected(p));
  if (vault) {
    await send(`vault: setRescueVault(${contracts.rescueVault})`, () => vault.setRescueVault(contracts.rescueVault));
    await send(`vault: setMigrator(${contracts.migrator})`, () => vault.setMigrator(contracts.migrator));
  }
  if (token) for (const m of params.testToken.mint) await send(`TestToken: mint ${m.amount} to ${getAddress(m.to)}`, () => token.mint(m.to, m.amount));
  for (const b of breakers) {
    for (const [name, role] of Object.entries(ROLES)) {
      await send(`${b.label}: grant ${roleName(name)} to the multisig`, () => b.contract.grantRole(role, ms.address));
    }
  }
  if (params.renounceDeployer) {
    for (const b of breakers) {
      for (const name of ["emergency", "recovery", "admin"] as const) {
        await send(`${b.label}: deployer renounces ${roleName(name)}`, () => b.contract.renounceRole(ROLES[name], from));
      }
    }
  }

  // 6. verify the wiring
  for (const b of breakers) {
    for (const [name, role] of Object.entries(ROLES)) {
      if (!(await b.contract.hasRole(role, ms.address))) fail(`verification: the multisig lacks ${roleName(name)} on ${b.label} ${b.address}`);
      if (params.renounceDeployer && (await b.contract.hasRole(role, from))) fail(`verification: the deployer still holds ${roleName(name)} on ${b.label}`);
    }
    if (!(await ms.contract.isManaged(b.address))) fail(`verification: the multisig does not manage ${b.label} ${b.address}`);
  }

  const block = await provider.getBlock("latest");
  const book: AddressBook = {
    network: chain.networkName,
    chainId: chain.chainId,
    deployedAt: new Date(Number(block!.timestamp) * 1000).toISOString(),
    blockNumber: startBlock + 1,
    contracts,
    roles: {
      guardians: params.guardians.map((g) => getAddress(g)),
      ...(params.sentinel ? { sentinel: getAddress(params.sentinel.address) } : {}),
      admin: ms.address,
      deployer: from,
      deployerRenounced: params.renounceDeployer,
    },
  };
  const path = writeAddressBook(dir, book, args.force);
  print(`address book written to ${path}`);
  print(toJson(book));
  return { dryRun: false, book, path, steps };
}

function roleName(key: string): string {
  return key === "admin" ? "DEFAULT_ADMIN_ROLE" : key === "emergency" ? "EMERGENCY_ROLE" : "RECOVERY_ROLE";
}

function multisigInit(params: DeployParams, managed: string[]) {
  return {
    guardians: params.guardians.map((g) => getAddress(g)),
    fastThreshold: params.multisig.fastThreshold,
    slowThreshold: params.multisig.slowThreshold,
    slowDelay: params.multisig.slowDelay,
    vetoThreshold: params.multisig.vetoThreshold,
    heartbeatPeriod: params.multisig.heartbeat,
    managed,
    overrides: params.multisig.overrides.map((o) => ({ kind: kindId(o.kind), threshold: o.threshold, delay: o.delay })),
  };
}

async function multicall3(chain: OperatorChain, params: DeployParams, deployer: Signer, note: (s: string) => void): Promise<string | undefined> {
  const want = params.multicall3 ?? chain.isLocal;
  if (!want) return undefined;
  const provider = chain.ethers.provider;
  if ((await provider.getCode(MULTICALL3_ADDRESS)) !== "0x") {
    note(`Multicall3 already at ${MULTICALL3_ADDRESS}`);
    return MULTICALL3_ADDRESS;
  }
  if (!chain.isLocal) {
    note(`Multicall3 is not deployed at ${MULTICALL3_ADDRESS} on this chain; skipped`);
    return undefined;
  }
  // Deploy it anywhere, then copy its runtime code to the canonical address.
  const factory = suiteFactory("multicall3", deployer);
  const tmp = await factory.deploy();
  await tmp.waitForDeployment();
  const code = await provider.getCode(await tmp.getAddress());
  await provider.send("hardhat_setCode", [MULTICALL3_ADDRESS, code]);
  note(`Multicall3 runtime code set at ${MULTICALL3_ADDRESS}`);
  return MULTICALL3_ADDRESS;
}

/** --dry-run: the plan with predicted addresses, and a gas estimate of every deployment. Sends nothing. */
async function dryRun(
  params: DeployParams,
  chain: OperatorChain,
  deployer: Signer,
  from: string,
  wantVault: boolean,
  wantStandalone: boolean,
  note: (s: string) => void,
  dir: string,
): Promise<DeployResult> {
  const provider = chain.ethers.provider;
  let nonce = await provider.getTransactionCount(from, "pending");
  const contracts: Record<string, string> = {};
  let totalGas = 0n;
  const plan = async (label: string, key: string, name: keyof typeof C, ctorArgs: unknown[]) => {
    const address = getCreateAddress({ from, nonce: nonce++ });
    contracts[key] = address;
    const factory = suiteFactory(name, deployer);
    const tx = await factory.getDeployTransaction(...ctorArgs);
    let gas: bigint;
    try {
      gas = await provider.estimateGas({ ...tx, from });
    } catch (err) {
      throw new OperatorError(`simulating the deployment of ${label} reverted: ${describeRevert(err)}; nothing was sent`, "fix the parameters");
    }
    totalGas += gas;
    note(`would deploy ${label} at ${address} (~${gas} gas)`);
  };
  let asset = params.asset ? getAddress(params.asset) : undefined;
  if (wantVault && !asset) {
    await plan(`TestToken ${params.testToken.symbol}`, "asset", "testToken", [params.testToken.name, params.testToken.symbol, params.testToken.decimals]);
    asset = contracts.asset;
  } else if (asset) contracts.asset = asset;
  if (wantVault) await plan("ProtectedVault (Breakable breaker)", "vault", "vault", [asset, "Vault", "bwV", from, params.breaker.maxPause, params.breaker.gracePeriod]);
  if (wantStandalone) await plan("CircuitBreaker", "circuitBreaker", "circuitBreaker", [from, params.breaker.maxPause, params.breaker.gracePeriod]);
  contracts.breaker = contracts.vault ?? contracts.circuitBreaker!;
  const managed = [contracts.vault, contracts.circuitBreaker].filter((a): a is string => a !== undefined);
  await plan("GuardianMultisig", "guardian", "multisig", [multisigInit(params, managed)]);
  await plan("RescueVault", "rescueVault", "rescueVault", [contracts.guardian, params.rescue.delay]);
  await plan("PositionMigrator", "migrator", "migrator", [contracts.guardian]);
  await plan("MerkleClaims", "merkleClaims", "merkleClaims", [contracts.guardian]);
  if (params.multicall3 ?? chain.isLocal) {
    contracts.multicall3 = MULTICALL3_ADDRESS;
    note(`would ${chain.isLocal ? "set Multicall3 runtime code at" : "use Multicall3 at"} ${MULTICALL3_ADDRESS}`);
  }
  const nBreakers = managed.length;
  note(`would then: ${params.limits.length * nBreakers} setLimit, ${params.sentinel ? nBreakers : 0} setSentinel, ${wantVault ? 2 : 0} vault wiring (rescue vault, migrator), ${3 * nBreakers} role grants to the multisig${params.renounceDeployer ? `, ${3 * nBreakers} renounces by the deployer` : " (deployer keeps its roles)"}`);
  note(`deployments: ~${totalGas} gas in total; nothing was sent, no address book written (would write ${addressBookPath(dir, chain.networkName)})`);
  const book: AddressBook = {
    network: chain.networkName,
    chainId: chain.chainId,
    deployedAt: new Date().toISOString(),
    blockNumber: (await provider.getBlockNumber()) + 1,
    contracts,
    roles: { guardians: params.guardians.map((g) => getAddress(g)), admin: contracts.guardian, deployer: from, deployerRenounced: params.renounceDeployer },
  };
  return { dryRun: true, book, steps: [] };
}

export default async function deployAction(args: DeployArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runDeploy(args, await connectChain(hre, args)));
}
