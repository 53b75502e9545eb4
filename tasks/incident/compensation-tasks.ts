// Compensation and rescue tasks of `npx hardhat breakwater incident …`: compensation, claim, sweep, rescue.
// tasks/incident/index.ts (which defines the `incident` namespace) spreads `compensationTasks`.
import { task } from "hardhat/config";
import type { TaskDefinition } from "hardhat/types/tasks";
import { str, withCommonOptions as common } from "../lib/options.js";



export const compensationTasks: TaskDefinition[] = [
  common(
    task(["breakwater", "incident", "compensation"], "Build a MerkleClaims compensation round from the analyzed losses or a CSV, and the guardian proposal that funds and creates it")
      .addOption(str("incident", "Incident id as the keeper prints it (colons are fine): reads the analysis `incident analyze --incident <id>` wrote (reports/incidents/<id>/analysis.json), or any analysis that merged it"))
      .addOption(str("analysis", "Analysis JSON of `incident analyze` (e.g. reports/incidents/analysis-<chain>-<from>-<to>.json), or { chainId, victims: [{ account, losses: [{ asset, amount }] }] }"))
      .addOption(str("csv", "CSV of losses: account,token,amount (several rows per account are merged into one leaf)"))
      .addOption(str("out", "Output directory (default reports/incidents/<id>/compensation)"))
      .addOption(str("treasury", "Receives the unclaimed remainder after the deadline (and funds the round with --funding treasury)"))
      .addOption(str("funding", "treasury | rescue-vault | prefunded", "treasury"))
      .addOption(str("claimPeriod", "How long claims stay open after the round is created (>= 1d)", "30d"))
      .addOption(str("signWindow", "Time guardians have to sign each action once it can be submitted", "3d"))
      .addOption(str("terms", "Terms document (Markdown/text) whose keccak256 claimants accept (default: generated)"))
      .addOption(str("merkleClaims", "MerkleClaims address (default: the address book's)"))
      .addOption(str("rescueVault", "RescueVault address for --funding rescue-vault (default: the address book's)"))
      .addOption(str("forkUrl", "Simulate on a fork of this URL (--dry-run / --simulate on a non-local network)"))
      .addFlag({ name: "simulate", description: "Play the proposal and every claim on a fork / snapshot before writing; record the results in the playbook" })
      .addFlag({ name: "force", description: "Overwrite a non-empty --out" })
      .addFlag({ name: "allowContractClaimants", description: "Accept claimants that are contracts with no Safe / EIP-1271 claim path (they must send claim() themselves)" }),
    { signer: false },
  )
    .setAction(() => import("./compensation-action.js"))
    .build(),
  common(
    task(["breakwater", "incident", "claim"], "Claim an account's compensation (claim), print the EIP-712 acceptance for a Safe / relayer, or relay it (claimWithSig)")
      .addOption(str("claims", "claims.json or proofs/<account>.json from `incident compensation`"))
      .addOption(str("account", "The account whose leaf is claimed (tokens always go to it)"))
      .addFlag({ name: "signatureOnly", description: "Print the AcceptTerms typed data, its digest and the claim calldata; send nothing" })
      .addOption(str("signature", "The account's acceptance signature (ECDSA, or a Safe's EIP-1271 bytes): submit claimWithSig"))
      .addOption(str("out", "With --signature-only: also write the payload to this file")),
  )
    .setAction(() => import("./compensation-claim-action.js"))
    .build(),
  common(
    task(["breakwater", "incident", "sweep"], "After a round's deadline, send its unclaimed remainder to the treasury (anyone may)").addOption(str("claims", "claims.json of the round")),
  )
    .setAction(() => import("./compensation-sweep-action.js"))
    .build(),
  common(
    task(["breakwater", "incident", "rescue"], "Guardian playbook: freeze an asset, rescue it to the RescueVault, release / migrate users to a fixed vault (action files + playbook.md)")
      .addOption(str("incident", "Incident id (labels, default output reports/incidents/<id>/rescue)"))
      .addOption(str("vault", "Protected (Breakable) contract holding the asset (default: the address book's vault)"))
      .addOption(str("asset", "Asset to freeze and rescue (default: the address book's asset)"))
      .addOption(str("amount", "Amount to rescue in token units, or all", "all"))
      .addOption(str("newVault", "Fixed ERC-4626 vault users migrate to (enables the PositionMigrator route, unfreezes after the rescue)"))
      .addOption(str("releaseTo", "Release the rescued tokens from the RescueVault to this destination (address, or merkleClaims)"))
      .addOption(str("releaseAmount", "Amount to release (default: the rescued amount)"))
      .addOption(str("label", "RescueVault destination label (bytes32 text)"))
      .addOption(str("out", "Output directory (default reports/incidents/<id>/rescue)"))
      .addOption(str("signWindow", "Time guardians have to sign each action once it can be submitted", "3d"))
      .addOption(str("forkUrl", "Simulate on a fork of this URL (--dry-run / --simulate on a non-local network)"))
      .addFlag({ name: "simulate", description: "Play every step on a fork / snapshot before writing; record the results in the playbook" })
      .addFlag({ name: "force", description: "Overwrite a non-empty --out" }),
    { signer: false },
  )
    .setAction(() => import("./rescue-action.js"))
    .build(),
];
