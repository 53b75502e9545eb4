// `npx hardhat breakwater incident rescue`: see rescue-core.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "../operator/common.js";
import { runRescue, type RescueArgs } from "./rescue-core.js";

export default async function action(args: RescueArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runRescue(args, await connectChain(hre, args), hre));
}
