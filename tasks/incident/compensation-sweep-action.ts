// `npx hardhat breakwater incident sweep`: see compensation-claim.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "../operator/common.js";
import { runSweep, type SweepArgs } from "./compensation-claim.js";

export default async function action(args: SweepArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runSweep(args, await connectChain(hre, args)));
}
