// `npx hardhat breakwater incident compensation`: see compensation-core.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "../operator/common.js";
import { runCompensation, type CompensationArgs } from "./compensation-core.js";

export default async function action(args: CompensationArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runCompensation(args, await connectChain(hre, args), hre));
}
