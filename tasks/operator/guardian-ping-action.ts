// `npx hardhat breakwater guardian ping`: see guardian-core.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "./common.js";
import { runPing, type PingArgs } from "./guardian-core.js";

export default async function action(args: PingArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runPing(args, await connectChain(hre, args)), args);
}
