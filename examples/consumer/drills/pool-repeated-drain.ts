// template:repeated-drain with drills/templates/repeated-drain.json, runnable on the embedded chain: the template
// needs an address book, so this file first deploys the pool (drills/_pool.ts) and registers its
// names ($pool, $usd, $weth, $feed, …) as the book would name them; on a fork it attaches to
// the book's contracts.pool instead. The CLI form on a fork is
//   npx hardhat breakwater drill run template:repeated-drain --params drills/templates/repeated-drain.json \
//     --fork-url <rpc> --address-book deployments/localhost.json --keeper-config keeper.config.ts
import { repeatedDrain, withSetup, type RepeatedDrainParams } from "breakwater/drills";
import { templateParams, withPool } from "./_pool.js";

export default withSetup(repeatedDrain(templateParams<RepeatedDrainParams>("repeated-drain", "pool-repeated-drain")), withPool);
