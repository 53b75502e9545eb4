// `npx hardhat breakwater guardian veto`: see guardian-core.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "./common.js";
import { runVeto, type VetoArgs } from "./guardian-core.js";

export default async function action(args: VetoArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runVeto(args, await connectChain(hre, args)), args);
}
