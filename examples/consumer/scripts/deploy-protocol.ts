// `npx hardhat run --network localhost scripts/deploy-protocol.ts`: deploy this project's own
// protocol (two test tokens, the price feed, the LendingPool with the deployer as its breaker
// admin) and write Breakwater's deploy parameters for it (deploy/breakwater.<network>.json) from
// deploy/breakwater.template.json. `npx hardhat breakwater deploy` then wires the pool.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { network } from "hardhat";

const { ethers, networkName } = await network.getOrCreate();
const [deployer, , , , , reporter, ...users] = await ethers.getSigners();
const me = await deployer.getAddress();

const usd = await ethers.deployContract("MintableToken", ["Pool USD", "pUSD", 6, me]);
const weth = await ethers.deployContract("MintableToken", ["Pool WETH", "pWETH", 18, me]);
const feed = await ethers.deployContract("PriceFeed", [me, await reporter.getAddress(), 2_000n * 10n ** 8n]);
const pool = await ethers.deployContract("LendingPool", [await usd.getAddress(), await weth.getAddress(), await feed.getAddress(), me, 7 * 86_400, 86_400]);
await pool.waitForDeployment();

// Test balances for the users (#6…) and the deployer.
for (const u of [deployer, ...users.slice(0, 8)]) {
  await (await usd.mint(await u.getAddress(), 1_000_000n * 10n ** 6n)).wait();
  await (await weth.mint(await u.getAddress(), 1_000n * 10n ** 18n)).wait();
}

const addresses = { usd: await usd.getAddress(), weth: await weth.getAddress(), feed: await feed.getAddress(), pool: await pool.getAddress() };
mkdirSync("deployments", { recursive: true });
writeFileSync(`deployments/protocol.${networkName}.json`, JSON.stringify(addresses, null, 2) + "\n");
let params = readFileSync("deploy/breakwater.template.json", "utf8");
for (const [k, v] of Object.entries(addresses)) params = params.replaceAll(`<${k}>`, v);
writeFileSync(`deploy/breakwater.${networkName}.json`, params);
console.log(JSON.stringify(addresses));
