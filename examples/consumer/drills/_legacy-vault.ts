// The LegacyVault retrofit as the keeper config, the deploy scripts, the drill and the tests share
// it (a helper module: the leading "_" keeps it out of `drill list`; no imports, so the keeper's
// config can load it without the drill runtime).
import type { RuleInput as Rule } from "breakwater/keeper";

/** Hardhat's default accounts the retrofit uses (public test keys). */
export const LEGACY = {
  /** #14-#16: the vault's depositors, 300,000 pUSD each (scripts/deploy-legacy-vault.ts). */
  depositors: ["0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097", "0xcd3B766CCDd6AE721141F452C550Ca635964ce71", "0x2546BcD3c84621e976D8185a91A922aE77ECEc30"],
  /** #17: the keeper's contain key (signers.contain), the PauseGate's sentinel (deploy/pause-gates.template.json). */
  containKey: "0xbDA5747bFD65F08deb54cb465eB87D40e51B197E",
} as const;

/** Each depositor's deposit, in pUSD units (6 decimals). */
export const DEPOSIT = 300_000n * 10n ** 6n;
/** The pause the keeper asks the gate for (s); the gate's maxDuration for the vault is 1 day. */
export const CONTAIN_SECONDS = 3_600;

/** No honest withdrawal from the vault is above 50,000 pUSD: one that is, is contained at once. */
export const LEGACY_VAULT_RULE: Rule = {
  id: "legacy-vault-drain",
  description: "One withdrawal above 50,000 pUSD from the LegacyVault: contain through its PauseGate.",
  severity: "P1",
  action: "contain",
  act: true,
  contain: { target: "legacyVault" },
  detector: {
    kind: "matcher",
    addresses: ["$legacyVault"],
    events: [{ signature: "Withdrawn(address indexed account, address indexed to, uint256 amount)", where: { arg: "amount", op: "gt", value: "50000e6" } }],
  },
};
