// `npx hardhat breakwater guardian sign`: see guardian-core.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "./common.js";
import { runSign, type SignArgs } from "./guardian-core.js";

export default async function action(args: SignArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runSign(args, await connectChain(hre, args)), args);
}
