// A staged history on a spawned `hardhat node`, for the backtest tests, the fork test and the
// backtest benchmark: the example vault deployed at the addresses keeper/examples/
// example-vault.config.ts names (account #0 deploys, on a fresh node, the asset at nonce 0, the
// vault at nonce 1 and Multicall3 at nonce 2 — here the vault is the deliberately broken
// VulnerableVault, so the example config's rules watch a vault that can be drained), then
// benign traffic from several users (deposits, withdrawals, quiet blocks), one whale exit within
// the limits, and a multi-transaction drain through the broken emergencyWithdraw.
// Transactions are signed locally and sent raw (automine: each is mined by the time the call
// returns), so a few hundred blocks take seconds.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Contract, Interface, Wallet, id } from "ethers";
import { deployArtifact, type HardhatNode } from "./node.js";
import { deployMulticall3 } from "../../../keeper/source/multicall3.js";
import { loadConfigFile } from "../../../keeper/config/load.js";

export const E18 = 10n ** 18n;
/** The addresses keeper/examples/example-vault.config.ts expects. */
export const EXAMPLE = {
  asset: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  vault: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  multicall3: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
} as const;

/**
 * keeper/examples/example-vault.config.ts as a JSON file in `dir` whose address book is the staged
 * example's (what `npm run deploy:local` would write for it). A file, not an env var: the example
 * module is evaluated once per process (other test files import it), so its book path is fixed then.
 */
export async function exampleConfigFile(dir: string): Promise<string> {
  const book = join(dir, "example-book.json");
  const contracts = { vault: EXAMPLE.vault, breaker: EXAMPLE.vault, asset: EXAMPLE.asset, multicall3: EXAMPLE.multicall3 };
  writeFileSync(book, JSON.stringify({ network: "localhost", chainId: 31337, blockNumber: 0, contracts }, null, 2));
  const config = structuredClone((await loadConfigFile("keeper/examples/example-vault.config.ts")) as { contracts: Record<string, unknown> });
  config.contracts = { ...config.contracts, addressBook: book };
  const file = join(dir, "example-vault.config.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const VAULT_ABI = new Interface([
  "function deposit(uint256 assets, address receiver) returns (uint256)",
  "function withdraw(uint256 assets, address receiver, address owner) returns (uint256)",
  "function emergencyWithdraw(address owner, address receiver, uint256 assets) returns (uint256)",
]);
const TOKEN_ABI = new Interface(["function mint(address to, uint256 amount)", "function approve(address spender, uint256 amount) returns (bool)"]);

export interface StagedTx {
  hash: string;
  block: number;
  success: boolean;
  kind: "benign" | "whale" | "malicious";
  note: string;
}

export interface ExampleChain {
  node: HardhatNode;
  vault: string;
  asset: string;
  multicall3: string;
  users: Wallet[];
  whale: Wallet;
  attacker: Wallet;
  /** First block after the set-up (where a backtest of the history starts). */
  firstBlock: number;
  txs: StagedTx[];
  /** Send a call as `from` (mined at once); returns where it landed. */
  send(from: Wallet, to: string, data: string, kind: StagedTx["kind"], note: string): Promise<StagedTx>;
  deposit(user: Wallet, amount: bigint): Promise<StagedTx>;
  withdraw(user: Wallet, amount: bigint, kind?: StagedTx["kind"]): Promise<StagedTx>;
}

/**
 * Deploy the example system. At the example config's addresses (default) it needs a FRESH node
 * (account #0 must not have sent anything yet); `anywhere: true` deploys on any node (benchmarks),
 * and the caller points a config at the returned addresses.
 */
export async function deployExample(node: HardhatNode, opts: { tvl?: bigint; anywhere?: boolean } = {}): Promise<ExampleChain> {
  const admin = node.wallet(0);
  if (!opts.anywhere && (await node.provider.getTransactionCount(admin.address)) !== 0) throw new Error("deployExample needs a fresh node: account #0 has already sent transactions");
  const token = (await deployArtifact(admin, "test/TestToken.sol", "TestToken", "Vault asset", "VA", 18)) as Contract;
  const vault = (await deployArtifact(admin, "examples/VulnerableVault.sol", "VulnerableVault", await token.getAddress(), "Vulnerable", "vVA", admin.address, 7n * 86_400n, 86_400n)) as Contract;
  const multicall3 = await deployMulticall3(admin);
  const [asset, vaultAddr] = [await token.getAddress(), await vault.getAddress()];
  if (!opts.anywhere && (asset !== EXAMPLE.asset || vaultAddr !== EXAMPLE.vault || multicall3 !== EXAMPLE.multicall3)) {
    throw new Error(`deployed at ${asset} / ${vaultAddr} / ${multicall3}, not the example config's addresses`);
  }
  // A limit far above the traffic: the drain passes the limiter, only the keeper could stop it.
  const limit = { maxCapacity: 2n ** 96n - 1n, window: 86_400, minTvl: 0, mode: 0, settlementDelay: 0, inflowCredit: false };
  await (await vault.getFunction("setLimit")(asset, limit)).wait();

  const nonces = new Map<string, number>();
  const txs: StagedTx[] = [];
  const send = async (from: Wallet, to: string, data: string, kind: StagedTx["kind"], note: string): Promise<StagedTx> => {
    const nonce = nonces.get(from.address) ?? (await node.provider.getTransactionCount(from.address, "latest"));
    nonces.set(from.address, nonce + 1);
    const raw = await from.signTransaction({ to, data, nonce, gasLimit: 400_000n, maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n, chainId: 31337n, type: 2 });
    const hash = await node.rpc<string>("eth_sendRawTransaction", [raw]);
    const r = await node.rpc<{ blockNumber: string; status: string } | null>("eth_getTransactionReceipt", [hash]);
    if (!r) throw new Error(`${note}: not mined at once (is automine off?)`);
    const t = { hash, block: Number(BigInt(r.blockNumber)), success: r.status === "0x1", kind, note };
    txs.push(t);
    return t;
  };
  const account = async (label: string) => {
    const w = new Wallet(id(`breakwater-backtest:${label}`), node.provider);
    await node.rpc("hardhat_setBalance", [w.address, "0x3635c9adc5dea00000"]);
    await send(admin, asset, TOKEN_ABI.encodeFunctionData("mint", [w.address, 1_000_000n * E18]), "benign", `mint ${label}`);
    await send(w, asset, TOKEN_ABI.encodeFunctionData("approve", [vaultAddr, 2n ** 256n - 1n]), "benign", `approve ${label}`);
    return w;
  };
  const users = [];
  for (const name of ["ana", "ben", "chi", "dev"]) users.push(await account(name));
  const whale = await account("whale");
  const attacker = await account("attacker");
  const chain: ExampleChain = {
    node,
    vault: vaultAddr,
    asset,
    multicall3,
    users,
    whale,
    attacker,
    firstBlock: 0,
    txs,
    send,
    deposit: (u, amount) => send(u, vaultAddr, VAULT_ABI.encodeFunctionData("deposit", [amount, u.address]), "benign", `deposit ${amount / E18}`),
    withdraw: (u, amount, kind = "benign") => send(u, vaultAddr, VAULT_ABI.encodeFunctionData("withdraw", [amount, u.address, u.address]), kind, `withdraw ${amount / E18}`),
  };
  // TVL: 40% whale, 15% each user.
  const tvl = opts.tvl ?? 100_000n * E18;
  await chain.deposit(whale, (tvl * 40n) / 100n);
  for (const u of users) await chain.deposit(u, (tvl * 15n) / 100n);
  chain.firstBlock = (await node.blockNumber()) + 1;
  txs.length = 0; // the history starts here
  return chain;
}

export interface StagedHistory {
  chain: ExampleChain;
  from: number;
  to: number;
  whaleBlock: number;
  drain: StagedTx[];
  /** Labels for the evaluation: the drain's blocks. */
  labels: { block: number; label: string }[];
}

/**
 * `benignBlocks` blocks of traffic (about one in five quiet), the whale's exit of `whaleShare` of
 * TVL in the middle, then `drainTxs` drains of `drainShare` of TVL each (one per block), then
 * `afterBlocks` more benign blocks.
 */
export async function stageHistory(
  node: HardhatNode,
  opts: { benignBlocks?: number; afterBlocks?: number; whaleShare?: number; drainTxs?: number; drainShare?: number } = {},
): Promise<StagedHistory> {
  const chain = await deployExample(node);
  const benign = opts.benignBlocks ?? 240;
  const tvl = 100_000n * E18;
  let seed = 7;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let whaleBlock = -1;
  const traffic = async (k: number) => {
    if (k % 5 === 4) return node.mine(1);
    const u = chain.users[Math.floor(rand() * chain.users.length)]!;
    const amount = BigInt(10 + Math.floor(rand() * 190)) * E18; // 0.01–0.2% of TVL per transaction
    if (rand() < 0.5) await chain.deposit(u, amount);
    else await chain.withdraw(u, amount);
  };
  for (let k = 0; k < benign; k++) {
    if (k === Math.floor(benign / 2)) {
      whaleBlock = (await chain.withdraw(chain.whale, (tvl * BigInt(Math.round((opts.whaleShare ?? 0.025) * 10_000))) / 10_000n, "whale")).block;
    } else await traffic(k);
  }
  const drain: StagedTx[] = [];
  const per = (tvl * BigInt(Math.round((opts.drainShare ?? 0.04) * 10_000))) / 10_000n;
  for (let i = 0; i < (opts.drainTxs ?? 5); i++) {
    const data = VAULT_ABI.encodeFunctionData("emergencyWithdraw", [chain.whale.address, chain.attacker.address, per]);
    drain.push(await chain.send(chain.attacker, chain.vault, data, "malicious", `drain ${i + 1}`));
  }
  for (let k = 0; k < (opts.afterBlocks ?? 20); k++) await traffic(k);
  const to = await node.blockNumber();
  return { chain, from: chain.firstBlock, to, whaleBlock, drain, labels: drain.map((t) => ({ block: t.block, label: "drain" })) };
}
