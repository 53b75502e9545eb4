// Guardian proposals: build the EIP-712 action for a decision (Pause / FreezeAsset), sign it with
// the keeper's guardian key when it has one, publish it for co-signers (an action file in
// `actionsDir` + a message to the alert channels), and, when the keeper's signature alone meets
// the kind's threshold (1-of-N fast path) and `submitWhenThresholdMet` is on, execute it.
// The action nonce is derived from (chain, multisig, incident, kind) and the deadline from the
// decision's block, so a restarted keeper or another replica produces the same action and digest.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { Contract, id as keccakId, keccak256, toUtf8Bytes, type Provider } from "ethers";
import {
  ACTION_TYPES,
  ActionKind,
  Args,
  actionDigest,
  buildAction,
  guardianDomainFor,
  type Approval,
  type GuardianAction,
} from "../../client/guardian-actions.js";
import type { KeeperStore } from "../store/store.js";
import type { BlockRef, Decision } from "../types.js";
import type { KeeperSigner } from "../signers/types.js";
import { MULTISIG_ABI, decodeRevert, multisigIface } from "./abi.js";
import type { AlertDispatcher } from "./alerts/dispatch.js";
import { alertId } from "./alerts/format.js";
import type { Logger } from "./deps.js";
import type { TxLane } from "./lane.js";
import { isRevert } from "./sentinel.js";
import type { GuardianResponderConfig } from "./schema.js";

export const GLOBAL_SCOPE = keccakId("breakwater.scope.GLOBAL");

export interface ActionFile {
  version: 1;
  chainId: number;
  multisig: string;
  incidentId: string;
  kind: number;
  kindName: string;
  action: { kind: number; target: string; data: string; nonce: string; deadline: string };
  digest: string;
  signatures: Approval[];
  threshold?: number;
  createdAt: string;
  summary: string;
}

export type ProposalOutcome =
  | { status: "published"; file: string; digest: string; signatures: number; threshold?: number; submitted?: string }
  | { status: "already-published"; file: string; digest: string }
  | { status: "error"; reason: string };

const kindName = (k: number) => (Object.entries(ActionKind).find(([, v]) => v === k)?.[0] ?? String(k));
const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120);

export function actionFromDecision(d: Decision, defaults: { breaker?: string; defaultPauseSeconds: number }): { kind: number; target: string; data: string } | undefined {
  if (d.pause) return { kind: ActionKind.Pause, target: d.pause.breaker, data: Args.pause(d.pause.scope, d.pause.durationSeconds) };
  const target = d.finding.target ?? defaults.breaker;
  if (!target) return undefined;
  if (d.finding.asset) return { kind: ActionKind.FreezeAsset, target, data: Args.freezeAsset(d.finding.asset) };
  return { kind: ActionKind.Pause, target, data: Args.pause(d.finding.scope ?? GLOBAL_SCOPE, defaults.defaultPauseSeconds) };
}

export interface GuardianResponderDeps {
  store: KeeperStore;
  provider: Provider;
  chainId: number;
  multisig: string;
  breaker?: string;
  signer?: KeeperSigner;
  settings: GuardianResponderConfig;
  dispatcher: AlertDispatcher;
  /** Lane for the fast-path submission (same signer). */
  lane?: TxLane;
  logger: Logger;
  now?: () => number;
}


export class GuardianResponder {
  constructor(private readonly d: GuardianResponderDeps) {}

  private now() {
    return (this.d.now ?? Date.now)();
  }

  async propose(decision: Decision, block: BlockRef): Promise<ProposalOutcome> {
    const { store, settings } = this.d;
    const incidentId = decision.incidentId;
    const spec = actionFromDecision(decision, { breaker: this.d.breaker, defaultPauseSeconds: settings.defaultPauseSeconds });
    if (!spec) {
      const reason = "cannot build a guardian action: no pause target, finding target or default breaker";
      store.addTimeline({ incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: reason });
      return { status: "error", reason };
    }
    const name = kindName(spec.kind);
    const file = path.resolve(settings.actionsDir, `${safeName(incidentId)}.${name}.json`);
    let existing: ActionFile | undefined;
    try {
      existing = JSON.parse(await readFile(file, "utf8")) as ActionFile;
    } catch {
      /* not yet */
    }
    if (existing) {
      // Published earlier (this run or before a restart): only the fast-path submission may be left.
      const wanted = settings.submitWhenThresholdMet && this.d.signer && this.d.lane && existing.threshold !== undefined && existing.signatures.length >= existing.threshold;
      if (!wanted || this.d.lane!.isTracking(incidentId) || store.txAttempts(incidentId).some((a) => a.kind === "propose" && a.status !== "failed")) {
        return { status: "already-published", file, digest: existing.digest };
      }
      const a = existing.action;
      const action = { kind: a.kind, target: a.target, data: a.data, nonce: BigInt(a.nonce), deadline: BigInt(a.deadline) } as unknown as GuardianAction;
      const sub = await this.submit(incidentId, action, existing.signatures, kindName(existing.kind), existing.digest, block);
      if (sub.error) return { status: "error", reason: sub.error };
      return { status: "already-published", file, digest: existing.digest };
    }
    const nonce = BigInt(keccak256(toUtf8Bytes(`breakwater.keeper.proposal:${this.d.chainId}:${this.d.multisig.toLowerCase()}:${incidentId}:${spec.kind}`)));
    const action: GuardianAction = buildAction(spec.kind, spec.target, spec.data, { nonce, deadline: BigInt(block.timestamp + settings.deadlineSeconds) });
    const domain = guardianDomainFor(this.d.multisig, this.d.chainId);
    const digest = actionDigest(domain, action);
    const signatures: Approval[] = [];
    const notes: string[] = [];
    const ms = new Contract(this.d.multisig, MULTISIG_ABI, this.d.provider);
    if (this.d.signer?.signTypedData) {
      const who = await this.d.signer.address();
      const isGuardian = (await ms.isGuardian(who).catch(() => undefined)) as boolean | undefined;
      if (isGuardian === false) notes.push(`the keeper's guardian key ${who} is not a guardian of ${this.d.multisig}`);
      else signatures.push({ signer: who, signature: await this.d.signer.signTypedData(domain as Record<string, unknown>, ACTION_TYPES, action as unknown as Record<string, unknown>) });
    } else notes.push(this.d.signer ? `the ${this.d.signer.kind} guardian signer cannot sign EIP-712; published unsigned` : "no guardian key: published unsigned");
    let threshold: number | undefined;
    try {
      threshold = Number(await ms.effectiveThreshold(spec.kind));
    } catch (err) {
      // With the fast path on, the threshold decides whether to submit: no answer = try again later.
      if (settings.submitWhenThresholdMet && !isRevert(err)) return { status: "error", reason: `could not read the threshold: ${(err as Error).message.split("\n")[0]}` };
      notes.push(`could not read the threshold: ${decodeRevert(err, multisigIface).reason}`);
    }
    const body: ActionFile = {
      version: 1,
      chainId: this.d.chainId,
      multisig: this.d.multisig,
      incidentId,
      kind: spec.kind,
      kindName: name,
      action: { kind: action.kind, target: action.target, data: action.data, nonce: action.nonce.toString(), deadline: action.deadline.toString() },
      digest,
      signatures,
      threshold,
      createdAt: new Date(this.now()).toISOString(),
      summary: decision.finding.summary,
    };
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(body, null, 2));
    await rename(tmp, file);
    store.addTimeline({
      incidentId, at: this.now(), blockNumber: block.number, kind: "note",
      message: `guardian ${name} action proposed: digest ${digest}, ${signatures.length}/${threshold ?? "?"} signature(s), file ${file}`,
      data: { digest, file, notes },
    });

    let submitted: string | undefined;
    let submitError: string | undefined;
    if (settings.submitWhenThresholdMet && this.d.signer && this.d.lane && threshold !== undefined && signatures.length >= threshold) {
      const sub = await this.submit(incidentId, action, signatures, name, digest, block);
      submitted = sub.submitted;
      submitError = sub.error;
      if (sub.note) notes.push(sub.note);
    }

    // Queued (background delivery): the proposal does not wait for the channels.
    void this.d.dispatcher.enqueue({
      id: alertId(incidentId, `proposal:${name}`),
      incidentId,
      severity: decision.finding.severity,
      title: `[${decision.finding.severity}] guardian ${name} proposed for ${decision.finding.ruleId}`,
      body: [
        decision.finding.summary,
        `multisig ${this.d.multisig} (chain ${this.d.chainId}), digest ${digest}`,
        `signatures: ${signatures.length} of ${threshold ?? "?"} (${signatures.map((s) => s.signer).join(", ") || "none"})`,
        submitted ? `submitted by the keeper: ${submitted}` : `co-signers: sign the digest (guardian:sign) from ${file}`,
        ...notes,
        `action: ${JSON.stringify(body.action)}`,
      ].join("\n"),
      blockNumber: decision.finding.blockNumber,
      blockHash: decision.finding.blockHash,
    });
    // The file is written: a retry only redoes the submission (see the top).
    if (submitError) return { status: "error", reason: submitError };
    return { status: "published", file, digest, signatures: signatures.length, threshold, submitted };
  }

  /** Fast path: simulate and send execute(action, signatures). `error`: no answer from the RPC (retry later). */
  private async submit(incidentId: string, action: GuardianAction, signatures: Approval[], name: string, digest: string, block: BlockRef): Promise<{ submitted?: string; error?: string; note?: string }> {
    const data = multisigIface.encodeFunctionData("execute", [action, signatures]);
    try {
      const from = await this.d.signer!.address();
      await this.d.provider.call({ from, to: this.d.multisig, data, blockTag: "pending" });
      const gas = ((await this.d.provider.estimateGas({ from, to: this.d.multisig, data })) * 13n) / 10n;
      const out = await this.d.lane!.submit({ incidentId, to: this.d.multisig, data, gasLimit: gas, block, note: `execute ${name} ${digest}` });
      return { submitted: out.status === "sent" ? (out.hash ?? out.relayerTxId) : undefined };
    } catch (err) {
      if (!isRevert(err)) return { error: `fast-path execute not sent (no answer from the RPC): ${(err as Error).message.split("\n")[0]}` };
      const { reason } = decodeRevert(err, multisigIface);
      this.d.store.addTimeline({ incidentId, at: this.now(), blockNumber: block.number, kind: "error", message: `guardian execute NOT sent: simulation failed: ${reason}` });
      return { note: `fast-path execute not sent: ${reason}` };
    }
  }
}
