// Backtest throughput: the example config's rules (keeper/examples/example-vault.config.ts,
// pointed at the contracts deployed here) over `blocks` recorded blocks of a `hardhat node` —
// a deposit every 20 blocks, the rest empty, as in the keeper's catch-up benchmark — read
// through the live BlockSource and DetectionContext. blocksPerSec counts fetched blocks
// (detection and policy included); rpcPerBlock counts HTTP requests at the RPC pool (a JSON-RPC
// batch counts once). Nothing here asserts a speed.
//
//   npx tsx scripts/bench/backtest.ts          # prints { blocks, blocksPerSec, rpcPerBlock, ... }
//   BENCH_NO_READ_AHEAD=1 npx tsx scripts/bench/backtest.ts   # one Multicall3 request per block, as live
//   import { benchBacktest } from "./bench/backtest.js"; const r = await benchBacktest();
import { pathToFileURL } from "node:url";
import { Interface } from "ethers";
import { startHardhatNode, type HardhatNode } from "../../test/keeper/helpers/node.js";
import { deployExample, E18 } from "../../test/keeper/helpers/history.js";
import { loadConfigFile, parseConfig } from "../../keeper/config/load.js";
import type { KeeperConfigInput } from "../../keeper/config/schema.js";
import { buildDetection, evaluateBlock, runBacktest } from "../../keeper/backtest/engine.js";
import { replayContext } from "../../keeper/backtest/recording.js";

export interface BacktestBench {
  blocks: number;
  blocksPerSec: number;
  rpcPerBlock: number;
}

const VAULT = new Interface(["function deposit(uint256 assets, address receiver) returns (uint256)"]);

/** Mine `blocks` blocks (a deposit every 20th) on `node` and backtest them. Spawns a node if none is given. */
export async function benchBacktest(
  opts: { node?: HardhatNode; blocks?: number; log?: (s: string) => void } = {},
): Promise<BacktestBench & { seconds: number; rpcCallsPerBlock: number; replayBlocksPerSec: number }> {
  const blocks = opts.blocks ?? 2_000;
  const log = opts.log ?? (() => undefined);
  const node = opts.node ?? (await startHardhatNode());
  try {
    const chain = await deployExample(node, { anywhere: true });
    log(`mining ${blocks} blocks`);
    const from = (await node.blockNumber()) + 1;
    for (let k = 0; (await node.blockNumber()) - from + 1 < blocks; k++) {
      const u = chain.users[k % chain.users.length]!;
      await chain.send(u, chain.vault, VAULT.encodeFunctionData("deposit", [10n * E18 + BigInt(k), u.address]), "benign", "deposit");
      const left = Math.min(19, blocks - ((await node.blockNumber()) - from + 1));
      if (left > 0) {
        // Batched evm_mine (not hardhat_mine, whose reserved blocks do not link by parent hash).
        const res = await fetch(node.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(Array.from({ length: left }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "evm_mine", params: [] }))) });
        await res.json();
      }
    }
    const to = from + blocks - 1;
    const example = (await loadConfigFile("keeper/examples/example-vault.config.ts")) as KeeperConfigInput;
    const config = parseConfig({
      ...example,
      plan: undefined,
      chain: { ...example.chain, rpcUrls: [node.url], wsUrls: [], multicall3: chain.multicall3 },
      contracts: { breaker: chain.vault, named: { vault: chain.vault, asset: chain.asset } },
    });
    log(`backtest of blocks ${from}..${to}`);
    const { run, recording } = await runBacktest({ config, fromBlock: from, toBlock: to, readAhead: process.env.BENCH_NO_READ_AHEAD !== "1" });
    // The same blocks replayed from the recording (what a resumed run or one sweep point costs):
    // the keeper's own share of the time, without the node's.
    let clock = 0;
    const { detectors, policy, store } = await buildDetection(config, undefined, () => clock);
    const t0 = performance.now();
    for (const r of recording) {
      clock = r.block.timestamp * 1000;
      await evaluateBlock(detectors, policy, replayContext(r));
    }
    const replayBlocksPerSec = Math.round((recording.length / ((performance.now() - t0) / 1000)) * 10) / 10;
    store.close();
    return { blocks: run.blocks, blocksPerSec: run.blocksPerSec, rpcPerBlock: run.rpcPerBlock, rpcCallsPerBlock: run.rpcCallsPerBlock, seconds: run.durationMs / 1000, replayBlocksPerSec };
  } finally {
    if (!opts.node) await node.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchBacktest({ log: (s) => process.stderr.write(`[bench:backtest] ${s}\n`) });
  console.log(JSON.stringify(r, null, 2));
}
