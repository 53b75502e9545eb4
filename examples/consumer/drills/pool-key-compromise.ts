// template:key-compromise with drills/templates/key-compromise.json, runnable on the embedded chain: the template
// needs an address book, so this file first deploys the pool (drills/_pool.ts) and registers its
// names ($pool, $usd, $weth, $feed, …) as the book would name them; on a fork it attaches to
// the book's contracts.pool instead. The CLI form on a fork is
//   npx hardhat breakwater drill run template:key-compromise --params drills/templates/key-compromise.json \
//     --fork-url <rpc> --address-book deployments/localhost.json --keeper-config keeper.config.ts
import { keyCompromise, withSetup, type KeyCompromiseParams } from "breakwater/drills";
import { templateParams, withPool } from "./_pool.js";

export default withSetup(keyCompromise(templateParams<KeyCompromiseParams>("key-compromise", "pool-key-compromise")), withPool);
