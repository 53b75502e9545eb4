// `npx hardhat breakwater incident claim`: see compensation-claim.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "../operator/common.js";
import { runClaim, type ClaimArgs } from "./compensation-claim.js";

export default async function action(args: ClaimArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runClaim(args, await connectChain(hre, args)));
}
