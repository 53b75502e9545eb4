// EIP-712 consent for PositionMigrator.migrateWithSig: the types and domain a user (EOA or
// Safe owners) signs to move a position from an old vault to a new one.
import type { TypedDataDomain } from "ethers";

export const MIGRATE_TYPES = {
  Migrate: [
    { name: "account", type: "address" },
    { name: "oldVault", type: "address" },
    { name: "newVault", type: "address" },
    { name: "shares", type: "uint256" },
    { name: "minSharesOut", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export function migratorDomain(migrator: string, chainId: bigint | number): TypedDataDomain {
  return { name: "Breakwater PositionMigrator", version: "1", chainId, verifyingContract: migrator };
}
