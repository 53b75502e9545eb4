// The retrofit rehearsed: the LegacyVault (already deployed, OpenZeppelin Pausable + AccessControl,
// cannot inherit Breakable) is drained through its flawed withdrawFor; the keeper contains through
// the PauseGate holding the vault's PAUSER_ROLE (`existingPausable` from breakwater/drills), and the
// next withdrawals revert with EnforcedPause.
//
// On the embedded chain the setup deploys what the retrofit's deploy flow leaves on a chain
// (scripts/deploy-legacy-vault.ts, the `pauseGates` entry of deploy/pause-gates.template.json,
// scripts/grant-legacy-pauser.ts): pUSD, the vault with its depositors, a PauseGate registered over
// it, armed, holding PAUSER_ROLE. On a fork it attaches: the gate is the address book's
// contracts.legacyGate, the vault and pUSD are keeper.retrofit.config.ts's named contracts; the
// template makes the drill's key the gate's sentinel as the gate's admin (the multisig, impersonated).
//
//   npx hardhat breakwater drill run ./drills/legacy-vault-gate.ts
//   npx hardhat breakwater drill run ./drills/legacy-vault-gate.ts --fork-url http://127.0.0.1:8545 \
//     --address-book deployments/localhost.json --keeper-config keeper.retrofit.config.ts
import { Contract } from "ethers";
import { DAY, DrillSkip, deploy, existingPausable, register, withSetup, type DrillActors, type DrillChain } from "breakwater/drills";
import { CONTAIN_SECONDS, DEPOSIT, LEGACY, LEGACY_VAULT_RULE } from "./_legacy-vault.js";

/** Each malicious withdrawal: a depositor's 100,000 pUSD, to the attacker (no delegation checked). */
const STOLEN = "100000e6";
const send = async (p: Promise<{ wait(): Promise<unknown> }>) => void (await (await p).wait());

async function legacyVault(chain: DrillChain, actors: DrillActors): Promise<void> {
  if (chain.fork) {
    const gate = chain.addressBook?.contracts.legacyGate;
    const named = chain.keeperConfig?.contracts.named ?? {};
    if (!gate) throw new DrillSkip("the address book has no contracts.legacyGate: pass --address-book of a deployment made with deploy/breakwater-retrofit.<network>.json");
    if (!named.legacyVault || !named.usd) throw new DrillSkip("the LegacyVault and pUSD are not named on this fork: pass --keeper-config keeper.retrofit.config.ts (contracts.named.legacyVault / usd)");
    register(chain, "legacyVault", named.legacyVault);
    register(chain, "usd", named.usd);
    return;
  }
  const d = actors.localDeployer;
  const me = await d.getAddress();
  const usd = await deploy(chain, "MintableToken", ["Pool USD", "pUSD", 6, me], d);
  const vault = await deploy(chain, "LegacyVault", [await usd.getAddress(), me], d);
  for (const a of LEGACY.depositors) {
    const depositor = await chain.impersonate(a);
    await send(usd.getFunction("mint")(a, DEPOSIT));
    await send((usd.connect(depositor) as Contract).getFunction("approve")(await vault.getAddress(), DEPOSIT));
    await send((vault.connect(depositor) as Contract).getFunction("deposit")(DEPOSIT));
  }
  // What `breakwater deploy` does with the pauseGates entry (the admin stays the deployer here:
  // there is no multisig on the embedded chain), then the vault admin's grant.
  const gate = await deploy(chain, "PauseGate", [me, LEGACY.containKey, 3_600], d);
  await send(gate.getFunction("registerPausable")(await vault.getAddress(), DAY, true));
  await send(gate.getFunction("armSentinel")());
  await send(vault.getFunction("grantRole")(await vault.getFunction("PAUSER_ROLE")(), await gate.getAddress()));
  register(chain, "usd", await usd.getAddress());
  register(chain, "legacyVault", await vault.getAddress());
  register(chain, "legacyGate", await gate.getAddress());
}

export default withSetup(
  existingPausable({
    id: "legacy-vault-gate",
    title: "LegacyVault drained through its unchecked withdrawFor, contained through its PauseGate",
    target: "$legacyVault",
    pause: { kind: "pausable" },
    gate: "$legacyGate",
    // The name keeper.retrofit.config.ts gives the target: the drill's (its key as sentinel) replaces it.
    containTarget: "legacyVault",
    maxDuration: DAY,
    pauseDuration: CONTAIN_SECONDS,
    funds: { token: "$usd", holder: "$legacyVault" },
    rules: [LEGACY_VAULT_RULE],
    attack: LEGACY.depositors.concat(LEGACY.depositors[0]).map((victim, i) => ({
      to: "$legacyVault",
      signature: "withdrawFor(address,uint256)",
      args: [victim, STOLEN],
      note: `drain ${i + 1}: withdrawFor(${victim.slice(0, 8)}…, 100,000 pUSD) to the attacker`,
    })),
    blockIntervalMs: 600,
    cooldownBlocks: 2,
  }),
  legacyVault,
);
