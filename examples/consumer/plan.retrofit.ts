// The incident plan after the retrofit: plan.ts (the pool's) plus the runbook of the LegacyVault's
// contain rule (keeper.retrofit.config.ts). `breakwater readiness --plan plan.retrofit.ts` checks
// the pool as before and the gate (pause permission, sentinel key, arming, who administers it).
import { definePlan } from "breakwater/plan";
import base from "./plan.js";

export default definePlan({
  ...base,
  name: "lending-pool-and-legacy-vault",
  runbooks: [
    ...(base.runbooks ?? []),
    {
      id: "legacy-vault-drain",
      title: "A withdrawal from the LegacyVault far above any honest one",
      rules: ["legacy-vault-drain"],
      severity: "P1",
      automated: "The keeper's contain key pauses the vault through its PauseGate for 1 h (one pause per arming).",
      firstSteps: [
        "Confirm: LegacyVault.paused() is true and the gate emitted SentinelPaused.",
        "Find the flawed path (withdrawFor without a delegation check) and who called it.",
        "Before the gate's pause expires, the guardians extend it (extendPause, slow Call on the gate) or the vault's admin keeps it paused with its own PAUSER_ROLE.",
      ],
      unpause: { decidedBy: "incidentLead", when: "the flaw is closed (upgrade or migration) and balances are reconciled; otherwise anyone can release() after expiry" },
      tellUsers: { template: "status-notice" },
      tasks: ["npx hardhat breakwater guardian propose --kind Call --target <legacyGate> --args <armSentinel calldata> --out rearm.json"],
    },
  ],
  readiness: { ...base.readiness, keeperConfig: "keeper.retrofit.config.ts" },
});
