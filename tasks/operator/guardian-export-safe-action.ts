// `npx hardhat breakwater guardian export-safe`: see guardian-core.ts.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { connectChain } from "../lib/chain.js";
import { runAction } from "./common.js";
import { runExportSafe, type ExportSafeArgs } from "./guardian-core.js";

export default async function action(args: ExportSafeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runExportSafe(args, await connectChain(hre, args)), args);
}
