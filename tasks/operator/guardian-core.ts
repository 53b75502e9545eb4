// The guardian tasks: propose → sign (keys or offline) → submit (execute fast kinds, queue slow
// ones) → veto / execute-queued; and export-safe for guardians who approve through Safe{Wallet}.
// Each task parses its inputs with one schema, then checks them against the address book and the
// chain (chain id, code, interfaces, bounds, deadlines, approvals) before it writes or sends anything.
import { writeFileSync } from "node:fs";
import { AbiCoder, getAddress, isHexString, keccak256, toUtf8Bytes, Interface } from "ethers";
import { z } from "zod";
import { ActionKind, ActionState, VETO_KIND, buildAction, randomNonce, sortApprovals, type Approval } from "../../client/guardian-actions.js";
import { appendLog, type AddressBook } from "../lib/address-book.js";
import { at, chainNow, probeContract, resolveSigner, type OperatorChain } from "../lib/chain.js";
import { decodeRevert, describeRevert, fail, simulate } from "../lib/errors.js";
import { inputs, lift, parseInputs } from "../lib/inputs.js";
import { isoTime, note, print, toJson } from "../lib/output.js";
import { formatDuration, parseScope, requireCode, scopeLabel } from "../lib/validation.js";
import { loadBook, multisigAddress, next, type CommonArgs } from "./common.js";
import {
  KIND_ARGS,
  addSignature,
  buildFromArgs,
  checkFileOnChain,
  digestHint,
  kindFromName,
  type BreakerBounds,
  newActionFile,
  readActionFile,
  toAction,
  typedDataV4,
  verifySignature,
  writeActionFile,
  type ActionFile,
} from "./guardian-file.js";

const STATE_NAMES = Object.fromEntries(Object.entries(ActionState).map(([k, v]) => [v, k])) as Record<number, string>;

/** Kinds whose target is a breaker, and kinds whose target is the multisig itself. */
const BREAKER_KINDS = new Set<number>([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]);
const MULTISIG_KINDS = new Set<number>([15, 16, 17, 18, 19, 20]);

async function multisigOf(chain: OperatorChain, args: CommonArgs & { multisig?: string }) {
  const { book, dir } = loadBook(args, chain);
  const address = await multisigAddress(chain, book, args.multisig || undefined);
  return { book, dir, address, ms: await at(chain, "multisig", address) };
}

const same = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/**
 * The action file must be for the address book's multisig, and its target one of the book's
 * contracts of the right kind: a file (or a book) swapped for another is refused before anything is sent.
 */
async function checkFileAgainstBook(f: ActionFile, book: AddressBook, chain: OperatorChain): Promise<void> {
  if (!same(f.multisig, book.contracts.guardian)) {
    fail(
      `the action file is for the multisig ${f.multisig}, but the address book's guardian multisig is ${book.contracts.guardian}`,
      "use the address book the action was proposed with (--deployments / --network), or propose the action again against this book",
      "file",
    );
  }
  await probeContract(chain, "multisig", f.multisig, "the address book's contracts.guardian", "deployments");
  if (f.type !== "action") return;
  const act = toAction(f);
  if (MULTISIG_KINDS.has(act.kind)) {
    if (!same(act.target, f.multisig)) fail(`the ${f.kindName} action targets ${act.target}, not its multisig ${f.multisig}: the file was edited`, "propose the action again", "file");
    return;
  }
  if (act.kind === ActionKind.Call) return; // the multisig's allow-list decides; the simulation shows it
  const entry = Object.entries(book.contracts).find(([, v]) => same(v, act.target));
  if (!entry) {
    fail(
      `the ${f.kindName} action targets ${act.target}, which is not in the address book (its breaker is ${book.contracts.breaker})`,
      "use the address book the action was proposed with, or propose it again against this book's breaker",
      "file",
    );
  }
  if (BREAKER_KINDS.has(act.kind)) await probeContract(chain, "circuitBreaker", act.target, `the action's target (address book contracts.${entry![0]})`, "file");
}

/** A signature collected for an expired action, or a veto after the window, can never count. */
async function checkStillSignable(f: ActionFile, chain: OperatorChain, ms: any): Promise<void> {
  const now = await chainNow(chain);
  if (f.type === "action") {
    const deadline = BigInt(f.message.deadline!);
    if (now > deadline) {
      fail(
        `the action expired at ${isoTime(deadline)} (its deadline; the chain's time is ${isoTime(now)}): the multisig refuses its signatures`,
        `propose it again: ${next(chain, "guardian propose", `--kind ${f.kindName}`, "--args …", "--out <new file>")}`,
        "file",
      );
    }
    return;
  }
  const [state, , eta] = await ms.actionInfo(f.message.actionId);
  if (Number(state) !== ActionState.Queued) fail(`the vetoed action ${String(f.message.actionId)} is ${STATE_NAMES[Number(state)]}, not Queued: there is nothing to veto`, undefined, "file");
  if (now >= BigInt(eta)) fail(`the veto window of ${String(f.message.actionId)} closed at ${isoTime(eta)}`, "a veto is only possible before the action's eta", "file");
}

function hintSign(chain: OperatorChain, file: string) {
  return `ask other guardians to run ${next(chain, "guardian sign", `--file ${file}`)} (or add an offline signature with --signature 0x…)`;
}

/** A task's result: text for people, or with --json one JSON object {ok:true,…}. */
function emit(a: { json?: boolean }, textOut: string, obj: Record<string, unknown>): void {
  print(a.json ? toJson({ ok: true, ...obj }) : textOut);
}

/** The bounds a breaker enforces on the durations and capacities of the actions against it. */
async function breakerBounds(chain: OperatorChain, address: string): Promise<BreakerBounds> {
  const b = await at(chain, "circuitBreaker", address);
  const [maxPause] = await b.pauseBounds();
  const n = async (name: string) => BigInt(await b[name]());
  const minPause = await n("MIN_PAUSE");
  const src = "the breaker's bounds";
  return {
    pause: { min: minPause, max: BigInt(maxPause), source: src },
    pauseCap: { min: minPause, max: await n("MAX_PAUSE_CAP"), source: src },
    grace: { min: 0n, max: await n("MAX_GRACE_PERIOD"), source: src },
    cooldown: { min: 0n, max: await n("MAX_SENTINEL_COOLDOWN"), source: src },
    window: { min: await n("MIN_WINDOW"), max: await n("MAX_WINDOW"), source: src },
    settlement: { min: await n("MIN_SETTLEMENT_DELAY"), max: await n("MAX_SETTLEMENT_DELAY"), source: src },
    maxCapacity: (1n << 96n) - 1n,
  };
}

const kindField = lift((v) => {
  const t = String(v ?? "").trim();
  if (t === "") fail("--kind is required", `one of ${Object.keys(KIND_ARGS).join(", ")}`, "kind");
  return t.toLowerCase() === "veto" ? "Veto" : kindFromName(t).kindName;
});
const actionId = (option: string) =>
  lift((v) => {
    const t = String(v ?? "").trim();
    if (!isHexString(t, 32)) fail(`${option} "${t}" must be the queued action id (0x + 64 hex)`, "`guardian submit` printed it; the multisig lists them in pendingActions()", option.replace(/^--/, ""));
    return t.toLowerCase();
  });

// ------------------------------------------------------------------ propose

export interface ProposeArgs extends CommonArgs {
  kind: string;
  args: string;
  out: string;
  breaker: string;
  target: string;
  multisig: string;
  deadline: string;
  nonce: string;
  force: boolean;
}

const proposeSchema = (force: boolean) =>
  z.object({
    kind: kindField,
    args: inputs.optional(),
    out: inputs.outPath("--out", { force }),
    breaker: inputs.optionalAddress("--breaker"),
    target: inputs.optionalAddress("--target"),
    multisig: inputs.optionalAddress("--multisig"),
    deadline: inputs.deadline(),
    nonce: inputs.uint256("--nonce", { optional: true }),
  });

export async function runPropose(a: ProposeArgs, chain: OperatorChain): Promise<ActionFile> {
  const p = parseInputs(proposeSchema(a.force), a);
  const { book, address, ms } = await multisigOf(chain, { ...a, multisig: p.multisig ?? "" });
  const now = await chainNow(chain);

  if (p.kind === "Veto") {
    const id = parseInputs(z.object({ args: actionId("--args") }), a).args;
    const [state, , eta] = await ms.actionInfo(id);
    if (Number(state) !== ActionState.Queued) fail(`action ${id} is ${STATE_NAMES[Number(state)]}, not Queued: there is nothing to veto`, undefined, "args");
    if (now >= BigInt(eta)) fail(`the veto window of ${id} closed at ${isoTime(eta)}`, "a veto is only possible before the action's eta", "args");
    const need = Number(await ms.effectiveThreshold(VETO_KIND));
    const f = newActionFile(chain, address, { type: "veto", actionId: id, description: `Veto queued action ${id} (executable from ${isoTime(eta)})` });
    f.policy = { policyKind: VETO_KIND, threshold: Number(await ms.vetoThreshold()), effectiveThreshold: need, delay: 0, path: "veto" };
    if (!a.dryRun) writeActionFile(p.out, f);
    emit(
      a,
      `${a.dryRun ? "[dry-run] would write" : "wrote"} ${p.out}: ${f.description}
  digest ${f.digest}; needs ${need} veto approval(s) before ${isoTime(eta)}
  next: ${hintSign(chain, p.out)}, then ${next(chain, "guardian veto", `--id ${id}`, `--file ${p.out}`)}`,
      { dryRun: a.dryRun, file: p.out, digest: f.digest, needs: need },
    );
    return f;
  }

  const breaker = p.breaker ?? book.contracts.breaker;
  const { kind } = kindFromName(p.kind);
  let bounds: BreakerBounds = {};
  if (BREAKER_KINDS.has(kind)) {
    const t = p.target ?? breaker;
    if (t) {
      await probeContract(chain, "circuitBreaker", t, p.target ? "--target" : p.breaker ? "--breaker" : "the address book's contracts.breaker", p.target ? "target" : p.breaker ? "breaker" : "deployments");
      bounds = await breakerBounds(chain, t);
    }
  }
  const built = buildFromArgs(p.kind, p.args, { breaker, vault: book.contracts.vault, multisig: address, target: p.target }, bounds);
  await requireCode(chain.ethers.provider, built.target, `target of ${built.kindName}`);
  if (kind === ActionKind.Unpause || kind === ActionKind.ExtendPause) {
    // Restorative kinds end a pause that exists now; proposing one for an active scope is likely a slip.
    const scope = parseScope(p.args.split(",")[0]!, "--args scope");
    const b = await at(chain, "circuitBreaker", built.target);
    const until = BigInt(await b.pausedUntil(scope.scope));
    if (until <= now) {
      note(
        `⚠ ${scope.label} is not paused on breaker ${built.target} now${until > 0n ? ` (its pause lapsed at ${isoTime(until)})` : ""}: ` +
          `this ${built.kindName} would revert NotPaused unless the scope is paused again before it executes`,
      );
    }
  }
  const deadline = now + p.deadline;
  const nonce = p.nonce ?? randomNonce();
  if (await ms.isNonceUsed(nonce)) fail(`--nonce ${nonce} was already used on ${address}`, "omit --nonce to get a random unused one", "nonce");
  const action = buildAction(built.kind, built.target, built.data, { nonce, deadline });
  // The multisig validates kind, target, data shape and the allow-list exactly as execute/queue will.
  const policyKind = Number(await simulate(`policyKindOf(${built.kindName})`, () => ms.policyKindOf(action), "check --kind, --args and the target (is it managed by the multisig?)"));
  const [threshold, delay] = await ms.policyOf(policyKind);
  const need = Number(await ms.effectiveThreshold(policyKind));
  const path = BigInt(delay) === 0n ? "execute" : "queue";
  const f = newActionFile(chain, address, { type: "action", action, kindName: built.kindName, description: built.description });
  f.policy = { policyKind, threshold: Number(threshold), effectiveThreshold: need, delay: Number(delay), path };
  if (!a.dryRun) writeActionFile(p.out, f);
  emit(
    a,
    `${a.dryRun ? "[dry-run] would write" : "wrote"} ${p.out}: ${built.description}\n` +
      `  action id (digest) ${f.digest}\n` +
      `  policy: ${need} approval(s) (configured ${threshold}), ${path === "execute" ? "executes at once" : `queued for ${formatDuration(delay)} with a veto window`}; signatures accepted until ${isoTime(deadline)}\n` +
      `  next: ${hintSign(chain, p.out)}, then ${next(chain, "guardian submit", `--file ${p.out}`)}`,
    { dryRun: a.dryRun, file: p.out, digest: f.digest, kind: built.kindName, needs: need, path, deadline: isoTime(deadline) },
  );
  return f;
}

// ------------------------------------------------------------------ sign

export interface SignArgs extends CommonArgs {
  file: string;
  signature: string;
  signer: string;
  printTypedData: boolean;
}

const signSchema = z.object({
  file: inputs.required("--file", "pass the action file written by `npx hardhat breakwater guardian propose --out <file>`"),
  signature: inputs.optional(),
  signer: inputs.optionalAddress("--signer"),
});

export async function runSign(a: SignArgs, chain: OperatorChain): Promise<ActionFile> {
  const p = parseInputs(signSchema, a);
  if (p.signer && !p.signature) fail("--signer only goes with --signature (who made an offline signature)", "drop --signer, or pass the signature with --signature 0x…", "signer");
  const f = readActionFile(p.file);
  const { book } = loadBook(a, chain);
  await checkFileAgainstBook(f, book, chain);
  const ms = await checkFileOnChain(f, chain);
  await checkStillSignable(f, chain, ms);
  if (a.printTypedData) {
    print(toJson(typedDataV4(f)));
    note(`# Sign this with eth_signTypedData_v4 on an offline machine or hardware wallet (digest ${f.digest}),\n# then: ${next(chain, "guardian sign", `--file ${p.file}`, "--signature 0x…").slice(1, -1)}`);
    return f;
  }
  let approval: Approval;
  if (p.signature) {
    const signer = await verifySignature(chain, f, p.signature, p.signer);
    if (!(await ms.isGuardian(signer))) {
      if (p.signer) fail(`--signer ${signer} is not a guardian of ${f.multisig}: its signature would not count`, "pass the guardian that made the signature", "signer");
      fail(`the signature recovers to ${signer}, which is not a guardian of ${f.multisig}`, digestHint(f), "signature");
    }
    approval = { signer, signature: p.signature };
  } else {
    const s = await resolveSigner(chain, a);
    const signer = await s.getAddress();
    if (!(await ms.isGuardian(signer))) fail(`${signer} is not a guardian of ${f.multisig}: its signature would not count`, "sign with a guardian key (--key-env NAME or --from <address>)", a.keyEnv ? "keyEnv" : "from");
    approval = { signer, signature: await s.signTypedData(f.domain, f.types, f.message) };
  }
  const [, lastSeen, active] = await ms.guardianStatus(approval.signer);
  if (!active) fail(`guardian ${approval.signer} is stale (last seen ${isoTime(lastSeen)}): the multisig refuses its signature`, `send ping() to ${f.multisig} from that key first: ${next(chain, "guardian ping")}`);
  const nextFile = addSignature(f, approval);
  if (!a.dryRun) writeActionFile(p.file, nextFile);
  const need = f.policy?.effectiveThreshold;
  emit(
    a,
    `${a.dryRun ? "[dry-run] would add" : "added"} the signature of ${approval.signer} to ${p.file} (${nextFile.signatures.length} signature(s)${need ? `, ${need} needed` : ""})`,
    { dryRun: a.dryRun, file: p.file, signer: approval.signer, signatures: nextFile.signatures.length, needs: need ?? null },
  );
  return nextFile;
}

// ------------------------------------------------------------------ submit / queue

export interface SubmitArgs extends CommonArgs {
  file: string;
  /** "auto" (submit) or "queue" (guardian queue). */
  mode?: "auto" | "queue";
}

interface Count {
  need: number;
  have: number;
  approvers: string[];
}

/** Approvals that would count: the file's signatures, on-chain approveHash, and the caller if a guardian. */
async function countApprovals(chain: OperatorChain, ms: any, f: ActionFile, policyKind: number, caller: string, file: string): Promise<Count> {
  const counted = new Set<string>();
  for (const s of f.signatures) {
    let who: string;
    try {
      who = await verifySignature(chain, f, s.signature, s.signer);
    } catch (err) {
      return fail(`the signature listed for ${s.signer} in ${file} is invalid: ${(err as Error).message.split("\n")[0]}`, `remove it from ${file} or have ${s.signer} sign again`, "file");
    }
    if (!(await ms.isGuardian(who))) fail(`${who} signed but is not a guardian of ${f.multisig}`, `remove its signature from ${file}`, "file");
    const [, lastSeen, active] = await ms.guardianStatus(who);
    if (!active) fail(`guardian ${who} is stale (last seen ${isoTime(lastSeen)}): the multisig would revert`, `have ${who} ping() the multisig, or remove its signature`, "file");
    counted.add(getAddress(who));
  }
  for (const g of await ms.approvalsOf(f.digest)) {
    const [, , active] = await ms.guardianStatus(g);
    if (active) counted.add(getAddress(g));
  }
  if (await ms.isGuardian(caller)) {
    const [, , active] = await ms.guardianStatus(caller);
    if (active) counted.add(getAddress(caller));
  }
  const need = Number(await ms.effectiveThreshold(policyKind));
  return { need, have: counted.size, approvers: [...counted] };
}

export interface SubmitResult {
  dryRun: boolean;
  mode: "execute" | "queue" | "veto";
  id: string;
  tx?: string;
  eta?: bigint;
  approvers: string[];
}

const fileSchema = z.object({ file: inputs.required("--file", "pass the action file written by `npx hardhat breakwater guardian propose --out <file>`") });

export async function runSubmit(a: SubmitArgs, chain: OperatorChain): Promise<SubmitResult> {
  const { file } = parseInputs(fileSchema, a);
  const f = readActionFile(file, "action");
  const { dir, book } = loadBook(a, chain);
  await checkFileAgainstBook(f, book, chain);
  const ms0 = await checkFileOnChain(f, chain);
  const signer = await resolveSigner(chain, a);
  const caller = await signer.getAddress();
  const ms = ms0.connect(signer);
  const action = toAction(f);
  const now = await chainNow(chain);
  const policyKind = Number(await simulate("policyKindOf", () => ms.policyKindOf(action)));
  const [, delay] = await ms.policyOf(policyKind);
  const slow = BigInt(delay) !== 0n;
  if (a.mode === "queue" && !slow) fail(`${f.kindName} runs under a fast policy (no delay): it cannot be queued`, `run ${next(chain, "guardian submit", `--file ${file}`)} to execute it`);
  if (await ms.isNonceUsed(action.nonce)) fail(`nonce ${action.nonce} was already used: this action (or another with its nonce) was executed or queued`, "check `actionState` of the id, or propose again", "file");
  if (now > action.deadline) fail(`the action's deadline passed at ${isoTime(action.deadline)}`, "propose it again (signatures cannot be reused past the deadline)", "file");
  const count = await countApprovals(chain, ms, f, policyKind, caller, file);
  if (count.have < count.need) {
    fail(`${f.kindName} has ${count.have} of the ${count.need} approvals it needs (${count.approvers.join(", ") || "none"})`, hintSign(chain, file));
  }
  const approvals = sortApprovals(f.signatures);
  const mode = slow ? "queue" : "execute";
  const res: any = await simulate(`${mode}(${f.kindName})`, (): Promise<any> => (slow ? ms.queue.staticCall(action, approvals) : ms.execute.staticCall(action, approvals)), lapsedPauseHint(chain, action));
  const gas: bigint = slow ? await ms.queue.estimateGas(action, approvals) : await ms.execute.estimateGas(action, approvals);
  const eta = slow ? BigInt(res[1]) : undefined;
  const what = `${mode} ${f.kindName}: ${f.description} (id ${f.digest}) with ${count.have}/${count.need} approvals`;
  if (a.dryRun) {
    emit(a, `[dry-run] would ${what}${eta ? `; executable from ≈${isoTime(eta)}` : ""}; ~${gas} gas. Nothing was sent.`, { dryRun: true, mode, id: f.digest, eta: eta ? isoTime(eta) : null, gas });
    return { dryRun: true, mode, id: f.digest, eta, approvers: count.approvers };
  }
  let hash: string;
  let finalEta = eta;
  try {
    const tx = slow ? await ms.queue(action, approvals) : await ms.execute(action, approvals);
    hash = tx.hash;
    await tx.wait();
    if (slow) finalEta = BigInt((await ms.actionInfo(f.digest))[2]);
  } catch (err) {
    return fail(`the ${mode} transaction failed: ${describeRevert(err)}`);
  }
  writeActionFile(file, { ...f, submitted: { tx: hash, mode, id: f.digest, ...(finalEta ? { eta: isoTime(finalEta) } : {}) } });
  appendLog(dir, chain.networkName, { action: `guardian.${mode}`, kind: f.kindName, id: f.digest, description: f.description, by: caller, approvers: count.approvers, tx: hash, ...(finalEta ? { eta: isoTime(finalEta) } : {}) });
  emit(
    a,
    slow
      ? `queued ${f.kindName} (id ${f.digest}, tx ${hash}); executable from ${isoTime(finalEta!)} by anyone.\n  next: ${next(chain, "guardian execute-queued", `--id ${f.digest}`)}\n  veto before then: ${next(chain, "guardian propose", "--kind Veto", `--args ${f.digest}`, "--out veto.json")}`
      : `executed ${f.kindName}: ${f.description} (id ${f.digest}, tx ${hash})`,
    { dryRun: false, mode, id: f.digest, tx: hash, eta: finalEta ? isoTime(finalEta) : null, approvers: count.approvers },
  );
  return { dryRun: false, mode, id: f.digest, tx: hash, eta: finalEta, approvers: count.approvers };
}

/** For a reverted Unpause / ExtendPause: NotPaused means the pause it would end already lapsed. */
function lapsedPauseHint(chain: OperatorChain, action: { kind: number | bigint; data: string }) {
  return (err: unknown): string | undefined => {
    const d = decodeRevert(err);
    // A queued Unpause / UnfreezeAsset / Release is bound to the restriction active when it was
    // queued: if a newer pause, freeze or quarantine replaced it, the multisig refuses it.
    if (d?.name === "RestrictionReplaced") return "a newer pause / freeze / quarantine holds than the one this action was queued against: propose a new restorative action for it";
    if (d?.name === "NoLongerTighter") return "the limit was lowered further since this SetLimit was queued: it would no longer tighten it; propose a new one";
    if (d?.name !== "NotPaused") return undefined;
    const kind = Number(action.kind);
    const scope = scopeLabel(String(d.args[0]));
    if (kind === ActionKind.Unpause) return `the pause of ${scope} this action would lift already lapsed: there is nothing left to unpause; let the action expire (or veto it) — ${next(chain, "breaker status")} shows the pauses`;
    if (kind === ActionKind.ExtendPause) return `the pause of ${scope} this action would extend already lapsed: pause it again instead (${next(chain, "breaker pause", `--scope ${scope}`, "--duration …", "--reason …")})`;
    return undefined;
  };
}

// ------------------------------------------------------------------ veto

export interface VetoArgs extends CommonArgs {
  id: string;
  file: string;
}

const vetoSchema = z.object({ id: actionId("--id"), file: inputs.required("--file", "create it with `guardian propose --kind Veto --args <id> --out veto.json`") });

export async function runVeto(a: VetoArgs, chain: OperatorChain): Promise<SubmitResult> {
  const p = parseInputs(vetoSchema, a);
  const f = readActionFile(p.file);
  if (f.type !== "veto") fail(`${p.file} is an action file, not a veto`, `create one with ${next(chain, "guardian propose", "--kind Veto", `--args ${p.id}`, "--out veto.json")}`, "file");
  if (String(f.message.actionId).toLowerCase() !== p.id) fail(`${p.file} vetoes ${String(f.message.actionId)}, not --id ${p.id}`, "pass the veto file of this id, or the id the file names", "id");
  const { dir, book } = loadBook(a, chain);
  await checkFileAgainstBook(f, book, chain);
  const ms0 = await checkFileOnChain(f, chain);
  const signer = await resolveSigner(chain, a);
  const caller = await signer.getAddress();
  const ms = ms0.connect(signer);
  const [state, , eta] = await ms.actionInfo(p.id);
  if (Number(state) !== ActionState.Queued) fail(`action ${p.id} is ${STATE_NAMES[Number(state)]}, not Queued: nothing to veto`, undefined, "id");
  const now = await chainNow(chain);
  if (now >= BigInt(eta)) fail(`the veto window of ${p.id} closed at ${isoTime(eta)}`, undefined, "id");
  const count = await countApprovals(chain, ms, f, VETO_KIND, caller, p.file);
  if (count.have < count.need) fail(`the veto has ${count.have} of the ${count.need} approvals it needs`, hintSign(chain, p.file));
  const approvals = sortApprovals(f.signatures);
  await simulate("veto", () => ms.veto.staticCall(p.id, approvals));
  if (a.dryRun) {
    emit(a, `[dry-run] would veto ${p.id} with ${count.have}/${count.need} approvals. Nothing was sent.`, { dryRun: true, mode: "veto", id: p.id });
    return { dryRun: true, mode: "veto", id: p.id, approvers: count.approvers };
  }
  let hash: string;
  try {
    const tx = await ms.veto(p.id, approvals);
    hash = tx.hash;
    await tx.wait();
  } catch (err) {
    return fail(`the veto transaction failed: ${describeRevert(err)}`);
  }
  writeActionFile(p.file, { ...f, submitted: { tx: hash, mode: "veto", id: p.id } });
  appendLog(dir, chain.networkName, { action: "guardian.veto", id: p.id, by: caller, approvers: count.approvers, tx: hash });
  emit(a, `vetoed ${p.id} (tx ${hash})`, { dryRun: false, mode: "veto", id: p.id, tx: hash });
  return { dryRun: false, mode: "veto", id: p.id, tx: hash, approvers: count.approvers };
}

// ------------------------------------------------------------------ execute-queued

export interface ExecuteQueuedArgs extends CommonArgs {
  id: string;
  multisig: string;
}

const executeQueuedSchema = z.object({ id: actionId("--id"), multisig: inputs.optionalAddress("--multisig") });

export async function runExecuteQueued(a: ExecuteQueuedArgs, chain: OperatorChain): Promise<SubmitResult> {
  const p = parseInputs(executeQueuedSchema, a);
  const { dir, ms: ms0 } = await multisigOf(chain, { ...a, multisig: p.multisig ?? "" });
  const signer = await resolveSigner(chain, a);
  const ms = ms0.connect(signer);
  const [state, , eta, queued] = await ms.actionInfo(p.id);
  if (Number(state) !== ActionState.Queued) {
    fail(`action ${p.id} is ${STATE_NAMES[Number(state)]}, not Queued`, Number(state) === 0 ? `queue it first with ${next(chain, "guardian submit", "--file <action file>")}` : undefined, "id");
  }
  const now = await chainNow(chain);
  if (now < BigInt(eta)) fail(`action ${p.id} is not executable before ${isoTime(eta)} (in ${formatDuration(BigInt(eta) - now)})`, "wait for the delay (the veto window) to pass", "id");
  const kind = Number(queued.kind);
  if (kind === ActionKind.Unpause || kind === ActionKind.ExtendPause) {
    // Say it before simulating: the contract's NotPaused(scope) alone does not tell the operator why.
    const [scope] = AbiCoder.defaultAbiCoder().decode(["bytes32"], String(queued.data).slice(0, 66));
    const b = await at(chain, "circuitBreaker", queued.target);
    const until = BigInt(await b.pausedUntil(scope));
    if (until <= now) {
      fail(
        `the pause of ${scopeLabel(String(scope))} that queued action ${p.id} would ${kind === ActionKind.Unpause ? "lift" : "extend"} already lapsed${until > 0n ? ` at ${isoTime(until)}` : ""}: executing it would revert NotPaused`,
        kind === ActionKind.Unpause
          ? `nothing is left to unpause; let the queued action expire (${next(chain, "breaker status")} shows the pauses)`
          : `pause the scope again instead: ${next(chain, "breaker pause", `--scope ${scopeLabel(String(scope))}`, "--duration …", "--reason …")}`,
        "id",
      );
    }
  }
  await simulate("executeQueued", () => ms.executeQueued.staticCall(p.id), lapsedPauseHint(chain, queued));
  if (a.dryRun) {
    emit(a, `[dry-run] would execute queued action ${p.id} (kind ${kind} on ${queued.target}). Nothing was sent.`, { dryRun: true, id: p.id });
    return { dryRun: true, mode: "execute", id: p.id, approvers: [] };
  }
  let hash: string;
  try {
    const tx = await ms.executeQueued(p.id);
    hash = tx.hash;
    await tx.wait();
  } catch (err) {
    return fail(`executeQueued failed: ${describeRevert(err)}`);
  }
  appendLog(dir, chain.networkName, { action: "guardian.executeQueued", id: p.id, by: await signer.getAddress(), tx: hash });
  emit(a, `executed queued action ${p.id} (tx ${hash})`, { dryRun: false, id: p.id, tx: hash });
  return { dryRun: false, mode: "execute", id: p.id, tx: hash, approvers: [] };
}

// ------------------------------------------------------------------ ping

export interface PingArgs extends CommonArgs {
  multisig: string;
}

const pingSchema = z.object({ multisig: inputs.optionalAddress("--multisig") });

/** A guardian's heartbeat: keeps it counting toward thresholds (a stale guardian does not). */
export async function runPing(a: PingArgs, chain: OperatorChain): Promise<{ dryRun: boolean; guardian: string; tx?: string }> {
  const p = parseInputs(pingSchema, a);
  const { dir, ms: ms0, address } = await multisigOf(chain, { ...a, multisig: p.multisig ?? "" });
  const signer = await resolveSigner(chain, a);
  const guardian = await signer.getAddress();
  const ms = ms0.connect(signer);
  if (!(await ms.isGuardian(guardian))) {
    fail(`${guardian} is not a guardian of the multisig ${address}`, "run it with a guardian's key (--key-env NAME or --from <address|index>)", a.keyEnv ? "keyEnv" : "from");
  }
  await simulate("ping", () => ms.ping.staticCall());
  if (a.dryRun) {
    emit(a, `[dry-run] would record a heartbeat for guardian ${guardian} on ${address}. Nothing was sent.`, { dryRun: true, guardian });
    return { dryRun: true, guardian };
  }
  let hash: string;
  try {
    const tx = await ms.ping();
    hash = tx.hash;
    await tx.wait();
  } catch (err) {
    return fail(`ping failed: ${describeRevert(err)}`);
  }
  appendLog(dir, chain.networkName, { action: "guardian.ping", by: guardian, tx: hash });
  emit(a, `heartbeat recorded for guardian ${guardian} (tx ${hash})`, { dryRun: false, guardian, tx: hash });
  return { dryRun: false, guardian, tx: hash };
}

// ------------------------------------------------------------------ export-safe

export interface ExportSafeArgs extends CommonArgs {
  file: string;
  safe: string;
  out: string;
  includeSubmit: boolean;
}

/** Safe{Wallet} Transaction Builder batch file (what its "import" accepts). */
export interface SafeBatch {
  version: string;
  chainId: string;
  createdAt: number;
  meta: {
    name: string;
    description: string;
    txBuilderVersion: string;
    createdFromSafeAddress: string;
    createdFromOwnerAddress: string;
    checksum?: string;
  };
  transactions: {
    to: string;
    value: string;
    data: string | null;
    contractMethod: { inputs: { internalType: string; name: string; type: string }[]; name: string; payable: boolean } | null;
    contractInputsValues: Record<string, string> | null;
  }[];
}

// The Transaction Builder's checksum: keccak256 of a key-sorted serialisation with meta.name = null.
function serialize(json: unknown): string {
  if (Array.isArray(json)) return `[${json.map((el) => serialize(el)).join(",")}]`;
  if (typeof json === "object" && json !== null) {
    const keys = Object.keys(json).sort();
    let acc = `{${JSON.stringify(keys)}`;
    for (const k of keys) acc += `${serialize((json as Record<string, unknown>)[k])},`;
    return `${acc}}`;
  }
  return JSON.stringify(json === undefined ? null : json);
}
export function safeBatchChecksum(batch: SafeBatch): string {
  const { checksum: _drop, ...meta } = batch.meta;
  return keccak256(toUtf8Bytes(serialize({ ...batch, meta: { ...meta, name: null } })));
}

const MS_IFACE = new Interface([
  "function approveHash(bytes32 digest)",
  "function execute((uint8 kind,address target,bytes data,uint256 nonce,uint256 deadline) action,(address signer,bytes signature)[] approvals)",
  "function queue((uint8 kind,address target,bytes data,uint256 nonce,uint256 deadline) action,(address signer,bytes signature)[] approvals)",
  "function veto(bytes32 id,(address signer,bytes signature)[] approvals)",
]);

const exportSafeSchema = z.object({
  file: inputs.required("--file", "pass the action or veto file written by `guardian propose`"),
  safe: inputs.address("--safe"),
  out: inputs.optional(),
});

export async function runExportSafe(a: ExportSafeArgs, chain: OperatorChain): Promise<SafeBatch> {
  const p = parseInputs(exportSafeSchema, a);
  const f = readActionFile(p.file);
  // The batch file is regenerated on each run (it holds no signatures of its own): overwriting is fine.
  const out = parseInputs(z.object({ out: inputs.outPath("--out", { force: true, fallback: p.file.replace(/\.json$/, "") + ".safe-batch.json" }) }), a).out;
  const { book } = loadBook(a, chain);
  await checkFileAgainstBook(f, book, chain);
  const ms = await checkFileOnChain(f, chain);
  await checkStillSignable(f, chain, ms);
  const safe = p.safe;
  if ((await chain.ethers.provider.getCode(safe)) === "0x") {
    fail(`--safe ${safe} has no code on chain ${chain.chainId}: it is not a Safe`, `an EOA guardian signs with ${next(chain, "guardian sign", `--file ${p.file}`)} instead`, "safe");
  }
  if (!(await ms.isGuardian(safe))) fail(`the Safe ${safe} is not a guardian of ${f.multisig}: its approveHash would revert`, "pass the Safe that is a guardian (--safe)", "safe");
  const [, lastSeen, active] = await ms.guardianStatus(safe);
  if (!active) fail(`the Safe ${safe} is a stale guardian (last seen ${isoTime(lastSeen)})`, "add a ping() to the batch first: a stale guardian's approveHash reverts", "safe");
  if (await ms.hasApproved(f.digest, safe)) fail(`the Safe ${safe} already approved ${f.digest} on-chain`, undefined, "safe");
  const transactions: SafeBatch["transactions"] = [
    {
      to: f.multisig,
      value: "0",
      data: MS_IFACE.encodeFunctionData("approveHash", [f.digest]),
      contractMethod: { inputs: [{ internalType: "bytes32", name: "digest", type: "bytes32" }], name: "approveHash", payable: false },
      contractInputsValues: { digest: f.digest },
    },
  ];
  if (a.includeSubmit) {
    // The Safe's approveHash runs first in the batch and the Safe sends the submit: it counts once.
    const policyKind = f.type === "veto" ? VETO_KIND : Number(await simulate("policyKindOf", () => ms.policyKindOf(toAction(f))));
    const count = await countApprovals(chain, ms, f, policyKind, safe, p.file);
    if (count.have < count.need) {
      fail(
        `with --include-submit the batch's submit would revert: ${count.have} of the ${count.need} approvals it needs (the Safe's own included)`,
        `collect more signatures first (${next(chain, "guardian sign", `--file ${p.file}`)}), or export without --include-submit`,
        "includeSubmit",
      );
    }
    const approvals = sortApprovals(f.signatures).map((s) => [s.signer, s.signature]);
    let data: string;
    if (f.type === "veto") data = MS_IFACE.encodeFunctionData("veto", [f.message.actionId, approvals]);
    else {
      const act = toAction(f);
      const slow = f.policy ? f.policy.path === "queue" : false;
      data = MS_IFACE.encodeFunctionData(slow ? "queue" : "execute", [[act.kind, act.target, act.data, act.nonce, act.deadline], approvals]);
    }
    // Tuple arguments: the Transaction Builder takes raw data (custom data) for these.
    transactions.push({ to: f.multisig, value: "0", data, contractMethod: null, contractInputsValues: null });
  }
  const batch: SafeBatch = {
    version: "1.0",
    chainId: String(f.chainId),
    createdAt: Date.now(),
    meta: {
      name: `Breakwater: ${f.kindName}`,
      description: `${f.description}. approveHash(${f.digest}) on GuardianMultisig ${f.multisig}${a.includeSubmit ? ", then submit" : ""}.`,
      txBuilderVersion: "1.18.0",
      createdFromSafeAddress: safe,
      createdFromOwnerAddress: "",
    },
    transactions,
  };
  batch.meta.checksum = safeBatchChecksum(batch);
  if (!a.dryRun) writeFileSync(out, JSON.stringify(batch, null, 2) + "\n");
  emit(
    a,
    `${a.dryRun ? "[dry-run] would write" : "wrote"} ${out}: Safe Transaction Builder batch for ${safe} (${transactions.length} transaction(s)); import it in Safe{Wallet} → Apps → Transaction Builder`,
    { dryRun: a.dryRun, file: out, safe, transactions: transactions.length },
  );
  return batch;
}
