// `npx hardhat breakwater guardian propose`: see guardian-core.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "./common.js";
import { runPropose, type ProposeArgs } from "./guardian-core.js";

export default async function action(args: ProposeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runPropose(args, await connectChain(hre, args)), args);
}
