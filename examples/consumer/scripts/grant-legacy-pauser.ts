// `npx hardhat --network localhost run scripts/grant-legacy-pauser.ts`, after `breakwater deploy
// --params deploy/breakwater-retrofit.<network>.json`: step 3 of the README's retrofit — the
// vault's own admin (the deployer) grants PAUSER_ROLE to the PauseGate the deploy task put in the
// address book as contracts.legacyGate. The gate also releases its pauses with it (unpause()).
// BREAKWATER_ADDRESS_BOOK names another book (default deployments/<network>.json).
import { readFileSync } from "node:fs";
import { network } from "hardhat";

const { ethers, networkName } = await network.getOrCreate();
const bookFile = process.env.BREAKWATER_ADDRESS_BOOK ?? `deployments/${networkName}.json`;
const book = JSON.parse(readFileSync(bookFile, "utf8")) as { contracts: Record<string, string> };
const gate = book.contracts.legacyGate;
if (!gate) throw new Error(`${bookFile} has no contracts.legacyGate: run breakwater deploy --params deploy/breakwater-retrofit.${networkName}.json first`);
const { legacyVault } = JSON.parse(readFileSync(`deployments/legacy-vault.${networkName}.json`, "utf8")) as { legacyVault: string };

const vault = await ethers.getContractAt("LegacyVault", legacyVault);
const role = await vault.getFunction("PAUSER_ROLE")();
await (await vault.getFunction("grantRole")(role, gate)).wait();
console.log(JSON.stringify({ legacyVault, gate, pauserGranted: await vault.getFunction("hasRole")(role, gate) }));
