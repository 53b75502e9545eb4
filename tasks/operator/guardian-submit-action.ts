// `npx hardhat breakwater guardian submit`: see guardian-core.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "./common.js";
import { runSubmit, type SubmitArgs } from "./guardian-core.js";

export default async function action(args: SubmitArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runSubmit({ ...args, mode: "auto" }, await connectChain(hre, args)), args);
}
