// The guardian tasks: propose → sign (keys or offline) → submit (execute fast kinds, queue slow
// ones) → veto / execute-queued; and export-safe for guardians who approve through Safe{Wallet}.
import { existsSync } from "node:fs";
import { getAddress, isHexString, keccak256, toUtf8Bytes, Interface } from "ethers";
import { ActionState, VETO_KIND, buildAction, randomNonce, sortApprovals, type Approval } from "../../scripts/lib/guardian-actions.js";
import { appendLog } from "../lib/address-book.js";
import { at, chainNow, resolveSigner, type OperatorChain } from "../lib/chain.js";
import { describeRevert, fail, simulate } from "../lib/errors.js";
import { isoTime, print, toJson } from "../lib/output.js";
import { formatDuration, parseAmount, parseDuration, requireAddress, requireCode } from "../lib/validation.js";
import { loadBook, type CommonArgs } from "./common.js";
import {
  KIND_ARGS,
  addSignature,
  buildFromArgs,
  checkFileOnChain,
  newActionFile,
  readActionFile,
  toAction,
  typedDataV4,
  verifySignature,
  writeActionFile,
  type ActionFile,
} from "./guardian-file.js";

const STATE_NAMES = Object.fromEntries(Object.entries(ActionState).map(([k, v]) => [v, k])) as Record<number, string>;

async function multisigOf(chain: OperatorChain, args: CommonArgs & { multisig?: string }) {
  const { book, dir } = loadBook(args, chain);
  const address = args.multisig ? requireAddress(args.multisig, "--multisig") : requireAddress(book.contracts.guardian, "address book contracts.guardian");
  await requireCode(chain.ethers.provider, address, "guardian multisig");
  return { book, dir, address, ms: await at(chain, "multisig", address) };
}

function hintSign(file: string) {
  return `ask other guardians to run \`npx hardhat guardian sign --file ${file}\` (or add an offline signature with --signature 0x…)`;
}

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

export async function runPropose(a: ProposeArgs, chain: OperatorChain): Promise<ActionFile> {
  if (!a.kind) fail("--kind is required", `one of ${Object.keys(KIND_ARGS).join(", ")}`);
  if (!a.out) fail("--out is required", "the action file to write, e.g. --out pause.json");
  if (existsSync(a.out) && !a.force) fail(`--out ${a.out} already exists`, "pick another file name or pass --force");
  const { book, address, ms } = await multisigOf(chain, a);
  const now = await chainNow(chain);

  if (a.kind.toLowerCase() === "veto") {
    const id = (a.args ?? "").trim();
    if (!isHexString(id, 32)) fail(`--args "${a.args}" must be the queued action id (0x + 64 hex)`, "`guardian submit` printed it; the multisig lists them in pendingActions()");
    const [state, , eta] = await ms.actionInfo(id);
    if (Number(state) !== ActionState.Queued) fail(`action ${id} is ${STATE_NAMES[Number(state)]}, not Queued: there is nothing to veto`);
    if (now >= BigInt(eta)) fail(`the veto window of ${id} closed at ${isoTime(eta)}`, "a veto is only possible before the action's eta");
    const need = Number(await ms.effectiveThreshold(VETO_KIND));
    const f = newActionFile(chain, address, { type: "veto", actionId: id, description: `Veto queued action ${id} (executable from ${isoTime(eta)})` });
    f.policy = { policyKind: VETO_KIND, threshold: Number(await ms.vetoThreshold()), effectiveThreshold: need, delay: 0, path: "veto" };
    if (!a.dryRun) writeActionFile(a.out, f);
    print(`${a.dryRun ? "[dry-run] would write" : "wrote"} ${a.out}: ${f.description}\n  digest ${f.digest}; needs ${need} veto approval(s) before ${isoTime(eta)}\n  next: ${hintSign(a.out)}, then \`npx hardhat guardian veto --id ${id} --file ${a.out}\``);
    return f;
  }

  const breaker = a.breaker ? requireAddress(a.breaker, "--breaker") : book.contracts.breaker;
  const built = buildFromArgs(a.kind, a.args ?? "", { breaker, vault: book.contracts.vault, multisig: address, target: a.target || undefined });
  await requireCode(chain.ethers.provider, built.target, `target of ${built.kindName}`);
  const deadline = now + parseDuration(a.deadline || "1d", "--deadline");
  const nonce = a.nonce ? parseAmount(a.nonce, "--nonce") : randomNonce();
  if (await ms.isNonceUsed(nonce)) fail(`--nonce ${nonce} was already used on ${address}`, "omit --nonce to get a random unused one");
  const action = buildAction(built.kind, built.target, built.data, { nonce, deadline });
  // The multisig validates kind, target, data shape and the allow-list exactly as execute/queue will.
  const policyKind = Number(await simulate(`policyKindOf(${built.kindName})`, () => ms.policyKindOf(action), "check --kind, --args and the target (is it managed by the multisig?)"));
  const [threshold, delay] = await ms.policyOf(policyKind);
  const need = Number(await ms.effectiveThreshold(policyKind));
  const path = BigInt(delay) === 0n ? "execute" : "queue";
  const f = newActionFile(chain, address, { type: "action", action, kindName: built.kindName, description: built.description });
  f.policy = { policyKind, threshold: Number(threshold), effectiveThreshold: need, delay: Number(delay), path };
  if (!a.dryRun) writeActionFile(a.out, f);
  print(
    `${a.dryRun ? "[dry-run] would write" : "wrote"} ${a.out}: ${built.description}\n` +
      `  action id (digest) ${f.digest}\n` +
      `  policy: ${need} approval(s) (configured ${threshold}), ${path === "execute" ? "executes at once" : `queued for ${formatDuration(delay)} with a veto window`}; signatures accepted until ${isoTime(deadline)}\n` +
      `  next: ${hintSign(a.out)}, then \`npx hardhat guardian submit --file ${a.out}\``,
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

export async function runSign(a: SignArgs, chain: OperatorChain): Promise<ActionFile> {
  const f = readActionFile(a.file);
  const ms = await checkFileOnChain(f, chain);
  if (a.printTypedData) {
    print(toJson(typedDataV4(f)));
    print(`\n# Sign this with eth_signTypedData_v4 on an offline machine or hardware wallet (digest ${f.digest}),\n# then: npx hardhat guardian sign --file ${a.file} --signature 0x…`);
    return f;
  }
  let approval: Approval;
  if (a.signature) {
    const signer = await verifySignature(chain, f, a.signature, a.signer || undefined);
    approval = { signer, signature: a.signature };
  } else {
    const s = await resolveSigner(chain, a);
    const signer = await s.getAddress();
    if (!(await ms.isGuardian(signer))) fail(`${signer} is not a guardian of ${f.multisig}: its signature would not count`, "sign with a guardian key (--key-env NAME or --from <address>)");
    approval = { signer, signature: await s.signTypedData(f.domain, f.types, f.message) };
  }
  if (!(await ms.isGuardian(approval.signer))) fail(`${approval.signer} is not a guardian of ${f.multisig}: its signature would not count`);
  const [, lastSeen, active] = await ms.guardianStatus(approval.signer);
  if (!active) fail(`guardian ${approval.signer} is stale (last seen ${isoTime(lastSeen)}): the multisig refuses its signature`, `send ping() to ${f.multisig} from that key first`);
  const next = addSignature(f, approval);
  if (!a.dryRun) writeActionFile(a.file, next);
  const need = f.policy?.effectiveThreshold;
  print(`${a.dryRun ? "[dry-run] would add" : "added"} the signature of ${approval.signer} to ${a.file} (${next.signatures.length} signature(s)${need ? `, ${need} needed` : ""})`);
  return next;
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

async function countApprovals(chain: OperatorChain, ms: any, f: ActionFile, policyKind: number, caller: string): Promise<Count> {
  const counted = new Set<string>();
  for (const s of f.signatures) {
    let who: string;
    try {
      who = await verifySignature(chain, f, s.signature, s.signer);
    } catch (err) {
      return fail(`the signature listed for ${s.signer} is invalid: ${(err as Error).message.split("\n")[0]}`, `remove it from ${"the file"} or have ${s.signer} sign again`);
    }
    if (!(await ms.isGuardian(who))) fail(`${who} signed but is not a guardian of ${f.multisig}`, "remove its signature from the file");
    const [, lastSeen, active] = await ms.guardianStatus(who);
    if (!active) fail(`guardian ${who} is stale (last seen ${isoTime(lastSeen)}): the multisig would revert`, `have ${who} ping() the multisig, or remove its signature`);
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

export async function runSubmit(a: SubmitArgs, chain: OperatorChain): Promise<SubmitResult> {
  const f = readActionFile(a.file);
  if (f.type !== "action") fail(`${a.file} is a veto file`, `submit it with \`npx hardhat guardian veto --id ${String(f.message.actionId)} --file ${a.file}\``);
  const { dir } = loadBook(a, chain);
  const ms0 = await checkFileOnChain(f, chain);
  const signer = await resolveSigner(chain, a);
  const caller = await signer.getAddress();
  const ms = ms0.connect(signer);
  const action = toAction(f);
  const now = await chainNow(chain);
  if (now > action.deadline) fail(`the action's deadline passed at ${isoTime(action.deadline)}`, "propose it again (signatures cannot be reused past the deadline)");
  const policyKind = Number(await simulate("policyKindOf", () => ms.policyKindOf(action)));
  const [, delay] = await ms.policyOf(policyKind);
  const slow = BigInt(delay) !== 0n;
  if (a.mode === "queue" && !slow) fail(`${f.kindName} runs under a fast policy (no delay): it cannot be queued`, `run \`npx hardhat guardian submit --file ${a.file}\` to execute it`);
  if (await ms.isNonceUsed(action.nonce)) fail(`nonce ${action.nonce} was already used: this action (or another with its nonce) was executed or queued`, "check `actionState` of the id, or propose again");
  const count = await countApprovals(chain, ms, f, policyKind, caller);
  if (count.have < count.need) {
    fail(`${f.kindName} has ${count.have} of the ${count.need} approvals it needs (${count.approvers.join(", ") || "none"})`, hintSign(a.file));
  }
  const approvals = sortApprovals(f.signatures);
  const mode = slow ? "queue" : "execute";
  const res: any = await simulate(`${mode}(${f.kindName})`, (): Promise<any> => (slow ? ms.queue.staticCall(action, approvals) : ms.execute.staticCall(action, approvals)));
  const gas: bigint = slow ? await ms.queue.estimateGas(action, approvals) : await ms.execute.estimateGas(action, approvals);
  const eta = slow ? BigInt(res[1]) : undefined;
  const what = `${mode} ${f.kindName}: ${f.description} (id ${f.digest}) with ${count.have}/${count.need} approvals`;
  if (a.dryRun) {
    print(`[dry-run] would ${what}${eta ? `; executable from ≈${isoTime(eta)}` : ""}; ~${gas} gas. Nothing was sent.`);
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
  writeActionFile(a.file, { ...f, submitted: { tx: hash, mode, id: f.digest, ...(finalEta ? { eta: isoTime(finalEta) } : {}) } });
  appendLog(dir, chain.networkName, { action: `guardian.${mode}`, kind: f.kindName, id: f.digest, description: f.description, by: caller, approvers: count.approvers, tx: hash, ...(finalEta ? { eta: isoTime(finalEta) } : {}) });
  print(
    slow
      ? `queued ${f.kindName} (id ${f.digest}, tx ${hash}); executable from ${isoTime(finalEta!)} by anyone: \`npx hardhat guardian execute-queued --id ${f.digest}\`; veto before then with \`guardian propose --kind Veto --args ${f.digest} --out veto.json\``
      : `executed ${f.kindName}: ${f.description} (id ${f.digest}, tx ${hash})`,
  );
  return { dryRun: false, mode, id: f.digest, tx: hash, eta: finalEta, approvers: count.approvers };
}

// ------------------------------------------------------------------ veto

export interface VetoArgs extends CommonArgs {
  id: string;
  file: string;
}

export async function runVeto(a: VetoArgs, chain: OperatorChain): Promise<SubmitResult> {
  if (!isHexString(a.id, 32)) fail(`--id "${a.id}" must be the queued action id (0x + 64 hex)`);
  const f = readActionFile(a.file);
  if (f.type !== "veto") fail(`${a.file} is an action file, not a veto`, `create one with \`npx hardhat guardian propose --kind Veto --args ${a.id} --out veto.json\``);
  if (String(f.message.actionId).toLowerCase() !== a.id.toLowerCase()) fail(`${a.file} vetoes ${String(f.message.actionId)}, not --id ${a.id}`);
  const { dir } = loadBook(a, chain);
  const ms0 = await checkFileOnChain(f, chain);
  const signer = await resolveSigner(chain, a);
  const caller = await signer.getAddress();
  const ms = ms0.connect(signer);
  const [state, , eta] = await ms.actionInfo(a.id);
  if (Number(state) !== ActionState.Queued) fail(`action ${a.id} is ${STATE_NAMES[Number(state)]}, not Queued: nothing to veto`);
  const now = await chainNow(chain);
  if (now >= BigInt(eta)) fail(`the veto window of ${a.id} closed at ${isoTime(eta)}`);
  const count = await countApprovals(chain, ms, f, VETO_KIND, caller);
  if (count.have < count.need) fail(`the veto has ${count.have} of the ${count.need} approvals it needs`, hintSign(a.file));
  const approvals = sortApprovals(f.signatures);
  await simulate("veto", () => ms.veto.staticCall(a.id, approvals));
  if (a.dryRun) {
    print(`[dry-run] would veto ${a.id} with ${count.have}/${count.need} approvals. Nothing was sent.`);
    return { dryRun: true, mode: "veto", id: a.id, approvers: count.approvers };
  }
  let hash: string;
  try {
    const tx = await ms.veto(a.id, approvals);
    hash = tx.hash;
    await tx.wait();
  } catch (err) {
    return fail(`the veto transaction failed: ${describeRevert(err)}`);
  }
  writeActionFile(a.file, { ...f, submitted: { tx: hash, mode: "veto", id: a.id } });
  appendLog(dir, chain.networkName, { action: "guardian.veto", id: a.id, by: caller, approvers: count.approvers, tx: hash });
  print(`vetoed ${a.id} (tx ${hash})`);
  return { dryRun: false, mode: "veto", id: a.id, tx: hash, approvers: count.approvers };
}

// ------------------------------------------------------------------ execute-queued

export interface ExecuteQueuedArgs extends CommonArgs {
  id: string;
  multisig: string;
}

export async function runExecuteQueued(a: ExecuteQueuedArgs, chain: OperatorChain): Promise<SubmitResult> {
  if (!isHexString(a.id, 32)) fail(`--id "${a.id}" must be the queued action id (0x + 64 hex)`);
  const { dir, ms: ms0 } = await multisigOf(chain, a);
  const signer = await resolveSigner(chain, a);
  const ms = ms0.connect(signer);
  const [state, , eta, queued] = await ms.actionInfo(a.id);
  if (Number(state) !== ActionState.Queued) fail(`action ${a.id} is ${STATE_NAMES[Number(state)]}, not Queued`, Number(state) === 0 ? "queue it first with `npx hardhat guardian submit --file <action file>`" : undefined);
  const now = await chainNow(chain);
  if (now < BigInt(eta)) fail(`action ${a.id} is not executable before ${isoTime(eta)} (in ${formatDuration(BigInt(eta) - now)})`, "wait for the delay (the veto window) to pass");
  // A queued Unpause / UnfreezeAsset / Release is bound to the restriction active when it was
  // queued: if a newer pause, freeze or quarantine replaced it, the multisig refuses it.
  await simulate(
    "executeQueued",
    () => ms.executeQueued.staticCall(a.id),
    "RestrictionReplaced means a newer pause / freeze / quarantine holds than the one this action was queued against: propose a new restorative action for it; NoLongerTighter means the limit was lowered further meanwhile",
  );
  if (a.dryRun) {
    print(`[dry-run] would execute queued action ${a.id} (kind ${Number(queued.kind)} on ${queued.target}). Nothing was sent.`);
    return { dryRun: true, mode: "execute", id: a.id, approvers: [] };
  }
  let hash: string;
  try {
    const tx = await ms.executeQueued(a.id);
    hash = tx.hash;
    await tx.wait();
  } catch (err) {
    return fail(`executeQueued failed: ${describeRevert(err)}`);
  }
  appendLog(dir, chain.networkName, { action: "guardian.executeQueued", id: a.id, by: await signer.getAddress(), tx: hash });
  print(`executed queued action ${a.id} (tx ${hash})`);
  return { dryRun: false, mode: "execute", id: a.id, tx: hash, approvers: [] };
}

// ------------------------------------------------------------------ ping

export interface PingArgs extends CommonArgs {
  multisig: string;
}

/** A guardian's heartbeat: keeps it counting toward thresholds (a stale guardian does not). */
export async function runPing(a: PingArgs, chain: OperatorChain): Promise<{ dryRun: boolean; guardian: string; tx?: string }> {
  const { dir, ms: ms0, address } = await multisigOf(chain, a);
  const signer = await resolveSigner(chain, a);
  const guardian = await signer.getAddress();
  const ms = ms0.connect(signer);
  if (!(await ms.isGuardian(guardian))) {
    fail(`${guardian} is not a guardian of the multisig ${address}`, "run it with a guardian's key (--key-env NAME or --from <address|index>)");
  }
  await simulate("ping", () => ms.ping.staticCall());
  if (a.dryRun) {
    print(`[dry-run] would record a heartbeat for guardian ${guardian} on ${address}. Nothing was sent.`);
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
  print(`heartbeat recorded for guardian ${guardian} (tx ${hash})`);
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

export async function runExportSafe(a: ExportSafeArgs, chain: OperatorChain): Promise<SafeBatch> {
  const f = readActionFile(a.file);
  const ms = await checkFileOnChain(f, chain);
  const safe = requireAddress(a.safe, "--safe");
  await requireCode(chain.ethers.provider, safe, "Safe");
  if (!(await ms.isGuardian(safe))) fail(`the Safe ${safe} is not a guardian of ${f.multisig}: its approveHash would revert`, "pass the Safe that is a guardian (--safe)");
  const [, lastSeen, active] = await ms.guardianStatus(safe);
  if (!active) fail(`the Safe ${safe} is a stale guardian (last seen ${isoTime(lastSeen)})`, "add a ping() to the batch first: a stale guardian's approveHash reverts");
  if (await ms.hasApproved(f.digest, safe)) fail(`the Safe ${safe} already approved ${f.digest} on-chain`);
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
  const out = a.out || a.file.replace(/\.json$/, "") + ".safe-batch.json";
  if (!a.dryRun) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(out, JSON.stringify(batch, null, 2) + "\n");
  }
  print(`${a.dryRun ? "[dry-run] would write" : "wrote"} ${out}: Safe Transaction Builder batch for ${safe} (${transactions.length} transaction(s)); import it in Safe{Wallet} → Apps → Transaction Builder`);
  return batch;
}
