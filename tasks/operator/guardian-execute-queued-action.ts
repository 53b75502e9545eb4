// `npx hardhat breakwater guardian execute-queued`: see guardian-core.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "./common.js";
import { runExecuteQueued, type ExecuteQueuedArgs } from "./guardian-core.js";

export default async function action(args: ExecuteQueuedArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runExecuteQueued(args, await connectChain(hre, args)), args);
}
