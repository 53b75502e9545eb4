// Operator tasks: deploy, breaker status / pause, guardian propose / sign / submit / queue / veto /
// execute-queued / export-safe. Registered through tasks/index.ts. Every task validates its inputs,
// simulates before sending, and supports --dry-run (nothing is sent).
import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";
import { str, withCommonOptions as common } from "../lib/options.js";



export const operatorTasks: TaskDefinition[] = [
  common(
    task(["breakwater", "deploy"], "Deploy the Breakwater suite and wire your protocol's contracts (Ignition, resumable); writes deployments/<network>.json")
      .addOption(str("params", "Parameters file (JSON), e.g. deployments/params/local.json"))
      .addFlag({ name: "withExampleVault", description: "Deploy the example ProtectedVault (+ a TestToken asset on local chains)" })
      .addFlag({ name: "force", description: "Overwrite an existing address book" })
      .addFlag({ name: "reset", description: "Discard this deployment's Ignition journal and deploy a new suite (the old one stays on chain)" })
      .addOption(str("deploymentId", "Ignition deployment id (default: breakwater-<network>-<params file name>); its journal is <deployments>/ignition/<id>/"))
      .addOption(str("wipeFuture", "Comma-separated Ignition future ids whose journaled state to discard (a timed-out transaction that was dropped)"))
      .addFlag({ name: "allowEphemeral", description: "Allow deploying to Hardhat's in-process chain (no --network), which disappears when the command exits" }),
  )
    .setAction(() => import("./deploy-action.js"))
    .build(),

  emptyTask(["breakwater", "breaker"], "Inspect and pause a circuit breaker").build(),
  common(
    task(["breakwater", "breaker", "status"], "Pauses, alarm, sentinel, limits, capacities and queued outflows of a breaker")
      .addOption(str("breaker", "Breaker address (default: the address book's breaker)")),
    { signer: false },
  )
    .setAction(() => import("./status-action.js"))
    .build(),
  common(
    task(["breakwater", "breaker", "pause"], "Pause a scope (EMERGENCY_ROLE key, or a guardian through the multisig fast path)")
      .addOption(str("scope", "GLOBAL | DEPOSIT | WITHDRAW | BORROW | LIQUIDATION | TRADE | asset:0x… | 0x<bytes32>"))
      .addOption(str("duration", "Pause duration, positive and within the breaker's pause bounds: seconds or 30m / 2h / 1d"))
      .addOption(str("reason", "Why (logged to deployments/<network>.log.jsonl; the contract has no reason field)"))
      .addOption(str("breaker", "Breaker address (default: the address book's breaker)"))
      .addOption({ name: "via", description: "auto | direct (EMERGENCY_ROLE) | multisig (guardian fast path)", type: ArgumentType.STRING, defaultValue: "auto" }),
  )
    .setAction(() => import("./pause-action.js"))
    .build(),

  emptyTask(["breakwater", "guardian"], "Propose, sign, submit, veto and export guardian multisig actions").build(),
  common(
    task(["breakwater", "guardian", "propose"], "Write an action file (EIP-712 action, domain, digest, description) for guardians to sign")
      .addOption(str("kind", "Pause | FreezeAsset | Quarantine | VetoOutflow | Unpause | ExtendPause | UnfreezeAsset | Release | SetLimit | ArmSentinel | SetSentinel | SetPauseBounds | Rescue | Call | ChangeGuardians | … | Veto"))
      .addOption(str("args", "Comma-separated arguments of the kind, e.g. GLOBAL,2h (durations positive, within the breaker's bounds; Veto: the queued action id)"))
      .addOption(str("out", "Action file to write (its directory must exist)"))
      .addOption(str("breaker", "Target breaker (default: the address book's breaker)"))
      .addOption(str("target", "Explicit target (Call, Rescue, or another breaker)"))
      .addOption(str("multisig", "Multisig address (default: the address book's guardian)"))
      .addOption({ name: "deadline", description: "Signatures accepted for this long, positive: 1m..30d (default 1d)", type: ArgumentType.STRING, defaultValue: "1d" })
      .addOption(str("nonce", "Nonce, a uint256 (default: random unused)"))
      .addFlag({ name: "force", description: "Overwrite --out" }),
    { signer: false },
  )
    .setAction(() => import("./guardian-propose-action.js"))
    .build(),
  common(
    task(["breakwater", "guardian", "sign"], "Add a guardian's EIP-712 signature to an action file (key, or --signature from an offline signer)")
      .addOption(str("file", "Action file"))
      .addOption(str("signature", "A signature produced offline (eth_signTypedData_v4 of --print-typed-data)"))
      .addOption(str("signer", "Who made --signature (required for EIP-1271 contract signers such as a Safe)"))
      .addFlag({ name: "printTypedData", description: "Print the typed data to sign elsewhere, then exit" }),
  )
    .setAction(() => import("./guardian-sign-action.js"))
    .build(),
  common(
    task(["breakwater", "guardian", "submit"], "Check the signatures against the multisig, simulate, then execute (fast kinds) or queue (slow kinds)")
      .addOption(str("file", "Action file")),
  )
    .setAction(() => import("./guardian-submit-action.js"))
    .build(),
  common(
    task(["breakwater", "guardian", "queue"], "Like submit, for slow kinds only: queue the action (refuses fast kinds)").addOption(str("file", "Action file")),
  )
    .setAction(() => import("./guardian-queue-action.js"))
    .build(),
  common(
    task(["breakwater", "guardian", "veto"], "Veto a queued action with the veto quorum's signatures")
      .addOption(str("id", "Queued action id"))
      .addOption(str("file", "Veto file (guardian propose --kind Veto --args <id>), signed by guardians")),
  )
    .setAction(() => import("./guardian-veto-action.js"))
    .build(),
  common(
    task(["breakwater", "guardian", "execute-queued"], "Execute a queued action once its delay passed (anyone may)")
      .addOption(str("id", "Queued action id"))
      .addOption(str("multisig", "Multisig address (default: the address book's guardian)")),
  )
    .setAction(() => import("./guardian-execute-queued-action.js"))
    .build(),
  common(
    task(["breakwater", "guardian", "ping"], "Record the sender guardian's heartbeat (a stale guardian stops counting toward thresholds)")
      .addOption(str("multisig", "Multisig address (default: the address book's guardian)")),
  )
    .setAction(() => import("./guardian-ping-action.js"))
    .build(),
  common(
    task(["breakwater", "guardian", "export-safe"], "Write a Safe{Wallet} Transaction Builder batch: approveHash(digest) (and optionally the submit call)")
      .addOption(str("file", "Action or veto file"))
      .addOption(str("safe", "The guardian Safe that will run the batch"))
      .addOption(str("out", "Batch file to write (default: <file>.safe-batch.json)"))
      .addFlag({ name: "includeSubmit", description: "Append the execute / queue / veto call with the file's signatures" }),
    { signer: false },
  )
    .setAction(() => import("./guardian-export-safe-action.js"))
    .build(),
];
