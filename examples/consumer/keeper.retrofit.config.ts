// The project's keeper after the retrofit: keeper.config.ts (the LendingPool's rules, its sentinel
// key pausing the pool's breaker) plus the LegacyVault — already deployed, OpenZeppelin Pausable,
// it cannot inherit Breakable — contained through the PauseGate `breakwater deploy` put in the
// address book as contracts.legacyGate (deploy/breakwater-retrofit.<network>.json). The gate holds
// the vault's PAUSER_ROLE; the keeper's contain key is the gate's sentinel: one pause of at most
// 1 day per arming.
//
//   BREAKWATER_SENTINEL_KEY=0x… BREAKWATER_CONTAIN_KEY=0x… npx breakwater-keeper --config keeper.retrofit.config.ts
//
// A second file, not an edit of keeper.config.ts: the pool-only deployment (deploy/breakwater.
// template.json, test/pool.test.ts) has no gate in its address book, and this config needs one.
// signers.contain is a key of its own (#17, not the pool's sentinel #4): the keeper refuses a
// config whose rules both pause and contain on one key (two lanes must not share a nonce).
import { existsSync, readFileSync } from "node:fs";
import { defineKeeperConfig } from "breakwater/keeper";
import pool from "./keeper.config.js";
import { CONTAIN_SECONDS, LEGACY_VAULT_RULE } from "./drills/_legacy-vault.js";

const BOOK = process.env.POOL_ADDRESS_BOOK ?? "deployments/localhost.json";
const VAULT = process.env.LEGACY_VAULT_FILE ?? "deployments/legacy-vault.localhost.json";
const read = (file: string, what: string) => {
  if (!existsSync(file)) throw new Error(`keeper.retrofit.config.ts: ${file} does not exist: ${what}`);
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
};
const { legacyVault } = read(VAULT, "run scripts/deploy-legacy-vault.ts first (or set LEGACY_VAULT_FILE)") as { legacyVault: string };
// "$legacyGate" is resolved from the address book (contracts.addressBook of keeper.config.ts); say
// what to do when the book is the pool-only one.
if (!(read(BOOK, "run breakwater deploy --params deploy/breakwater-retrofit.<network>.json first (or set POOL_ADDRESS_BOOK)").contracts as Record<string, string>).legacyGate) {
  throw new Error(`keeper.retrofit.config.ts: ${BOOK} has no contracts.legacyGate: deploy with deploy/breakwater-retrofit.<network>.json (its pauseGates entry), not the pool's parameters`);
}

export default defineKeeperConfig({
  ...pool,
  contracts: { ...pool.contracts, named: { ...pool.contracts.named, legacyVault } },
  // The pool's plan plus the runbook of the vault's contain rule.
  plan: "plan.retrofit.ts",
  signers: { ...pool.signers, contain: { type: "local", keyEnv: "BREAKWATER_CONTAIN_KEY" } },
  responders: {
    ...pool.responders,
    contain: {
      allowedSelectors: ["sentinelPause(address,uint64)"], // nothing else is ever sent
      targets: {
        legacyVault: {
          via: "gate",
          to: "$legacyGate",
          function: "sentinelPause(address,uint64)",
          args: ["$legacyVault", String(CONTAIN_SECONDS)],
          containedWhen: { target: "$legacyVault", function: "paused()" },
        },
      },
    },
  },
  rules: [...(pool.rules ?? []), LEGACY_VAULT_RULE],
});
