// `npx hardhat --network localhost run scripts/deploy-legacy-vault.ts`, after
// scripts/deploy-protocol.ts: the protocol's older LegacyVault (plain OpenZeppelin Pausable +
// AccessControl, the deployer its admin and pauser), with three depositors' 900,000 pUSD, as it
// stood before Breakwater. Writes deployments/legacy-vault.<network>.json and Breakwater's deploy
// parameters for the retrofit, deploy/breakwater-retrofit.<network>.json: the pool's parameters
// (deploy/breakwater.<network>.json) plus the PauseGate of deploy/pause-gates.template.json.
// `npx hardhat breakwater deploy --params deploy/breakwater-retrofit.<network>.json` then wires the
// pool and the gate; scripts/grant-legacy-pauser.ts gives the gate the vault's PAUSER_ROLE.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { network } from "hardhat";
import { DEPOSIT, LEGACY } from "../drills/_legacy-vault.js";

const { ethers, networkName } = await network.getOrCreate();
const [deployer] = await ethers.getSigners();
const me = await deployer!.getAddress();
const protocol = JSON.parse(readFileSync(`deployments/protocol.${networkName}.json`, "utf8")) as { usd: string };

const usd = await ethers.getContractAt("MintableToken", protocol.usd);
const vault = await ethers.deployContract("LegacyVault", [protocol.usd, me]);
await vault.waitForDeployment();
const legacyVault = await vault.getAddress();
for (const d of LEGACY.depositors) {
  const depositor = await ethers.getSigner(d);
  await (await usd.mint(d, DEPOSIT)).wait();
  await (await usd.connect(depositor).approve(legacyVault, DEPOSIT)).wait();
  await (await vault.connect(depositor).getFunction("deposit")(DEPOSIT)).wait();
}

mkdirSync("deployments", { recursive: true });
writeFileSync(`deployments/legacy-vault.${networkName}.json`, JSON.stringify({ legacyVault, usd: protocol.usd }, null, 2) + "\n");
const params = JSON.parse(readFileSync(`deploy/breakwater.${networkName}.json`, "utf8")) as Record<string, unknown>;
const gates = JSON.parse(readFileSync("deploy/pause-gates.template.json", "utf8").replaceAll("<legacyVault>", legacyVault)) as { pauseGates: unknown[] };
params.description = `${params.description} Retrofit: a PauseGate over the LegacyVault (deploy/pause-gates.template.json).`;
params.pauseGates = gates.pauseGates;
writeFileSync(`deploy/breakwater-retrofit.${networkName}.json`, JSON.stringify(params, null, 2) + "\n");
console.log(JSON.stringify({ legacyVault }));
