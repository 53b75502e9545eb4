// Action of `breakwater keeper backtest` (tasks/calibrate/index.ts): resolves where to read the
// chain, then calls the same `backtest` as the CLI (keeper/backtest/index.ts).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ConfigError, loadConfigFile, parseConfig } from "../../keeper/config/load.js";
import { backtest, renderText, type BacktestReport } from "../../keeper/backtest/index.js";
import { redactUrl } from "../../keeper/source/rpc.js";

export interface BacktestTaskArgs {
  keeperConfig: string;
  fromBlock: number;
  toBlock: number;
  rpcUrl: string;
  forkUrl: string;
  forkBlock: number;
  labels: string;
  sweep: string;
  out: string;
  checkpoint: string;
  lateBlocks: number;
  targetFalseAlarms: string;
  json: boolean;
}

class TaskInputError extends Error {}

async function rpcOf(hre: HardhatRuntimeEnvironment, args: BacktestTaskArgs, chainId: number): Promise<{ url: string; close(): Promise<void> }> {
  const none = async () => {};
  if (args.rpcUrl) {
    if (args.forkUrl) throw new TaskInputError("give --rpc-url or --fork-url, not both");
    return { url: args.rpcUrl, close: none };
  }
  const serve = async (params: Record<string, unknown>) => {
    const server = await hre.network.createServer(params as never, "127.0.0.1", 0);
    const { port } = await server.listen();
    return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
  };
  if (args.forkUrl) {
    // The fork keeps the config's chain id, so the backtest's chain check holds on a fork of it.
    // Hardhat forks an unknown chain 128 blocks below its head (reorg safety) unless told a block:
    // fork at --fork-block, else at --to-block, else at the remote head, so the range is there.
    const blockNumber = args.forkBlock >= 0 ? args.forkBlock : args.toBlock >= 0 ? args.toBlock : await blockNumberAt(args.forkUrl);
    const forking = { enabled: true, url: args.forkUrl, blockNumber };
    return serve({ network: "default", override: { chainId, forking } });
  }
  const name = (hre.globalOptions as { network?: string }).network ?? "default";
  const net = hre.config.networks[name] as { type: string; url?: { get(): Promise<string> } } | undefined;
  if (!net) throw new TaskInputError(`--network ${name} is not configured`);
  if (net.type === "http" && net.url) return { url: await net.url.get(), close: none };
  return serve({ network: name });
}

async function blockNumberAt(url: string): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }) });
  } catch (err) {
    throw new TaskInputError(`cannot reach ${redactUrl(url)} (${(err as Error).message}): check the URL and that the node is running`);
  }
  const j = (await res.json().catch(() => ({}))) as { result?: string; error?: { message: string } };
  if (!j.result) throw new TaskInputError(`eth_blockNumber on ${redactUrl(url)}: ${j.error?.message ?? `HTTP ${res.status}`}`);
  return Number(BigInt(j.result));
}

export default async function backtestTask(args: BacktestTaskArgs, hre: HardhatRuntimeEnvironment): Promise<BacktestReport> {
  if (!args.keeperConfig) throw new TaskInputError("missing --keeper-config <keeper config file>");
  if (args.fromBlock < 0) throw new TaskInputError("missing --from-block <block number>");
  const target = Number(args.targetFalseAlarms);
  if (!(target > 0)) throw new TaskInputError(`--target-false-alarms must be a positive number, got "${args.targetFalseAlarms}"`);
  let config;
  try {
    config = parseConfig(await loadConfigFile(args.keeperConfig));
  } catch (err) {
    if (err instanceof ConfigError) throw new TaskInputError(err.message);
    throw err;
  }
  const rpc = await rpcOf(hre, args, config.chain.chainId);
  try {
    let toBlock = args.toBlock;
    if (toBlock < 0) toBlock = await blockNumberAt(rpc.url);
    const { report, files } = await backtest({
      config,
      configFile: args.keeperConfig,
      fromBlock: args.fromBlock,
      toBlock,
      rpcUrl: rpc.url,
      checkpoint: args.checkpoint || undefined,
      labels: args.labels || undefined,
      sweep: args.sweep || undefined,
      out: args.out,
      lateBlocks: args.lateBlocks,
      targetPer10k: target,
    });
    if (args.json) console.log(JSON.stringify(report, null, 2));
    else console.log(`${renderText(report)}\n\nreports: ${files!.md}, ${files!.html}, ${files!.json}${files!.diff ? `, ${files!.diff}` : ""}`);
    return report;
  } finally {
    await rpc.close();
  }
}
