// template:replay with drills/templates/replay.json, runnable on the embedded chain: the template
// needs an address book, so this file first deploys the pool (drills/_pool.ts) and registers its
// names ($pool, $usd, $weth, $feed, …) as the book would name them; on a fork it attaches to
// the book's contracts.pool instead. The CLI form on a fork is
//   npx hardhat breakwater drill run template:replay --params drills/templates/replay.json \
//     --fork-url <rpc> --address-book deployments/localhost.json --keeper-config keeper.config.ts
import { replay, withSetup, type ReplayParams } from "breakwater/drills";
import { templateParams, withPool } from "./_pool.js";

export default withSetup(replay(templateParams<ReplayParams>("replay", "pool-replay")), withPool);
