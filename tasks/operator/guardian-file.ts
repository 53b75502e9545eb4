// Guardian action files: what `guardian propose` writes, `guardian sign` adds signatures to, and
// `guardian submit` / `guardian veto` / `guardian export-safe` read. One file = one EIP-712 message
// (an Action, or a Veto of a queued action id) bound to one multisig on one chain.
import { writeFileSync } from "node:fs";
import { z } from "zod";
import { AbiCoder, TypedDataEncoder, dataLength, getAddress, isHexString, recoverAddress } from "ethers";
import {
  ACTION_TYPES,
  ActionKind,
  Args,
  VETO_TYPES,
  actionDigest,
  guardianDomainFor,
  sortApprovals,
  vetoDigest,
  type Approval,
  type GuardianAction,
} from "../../client/guardian-actions.js";
import { at, probeContract, type OperatorChain } from "../lib/chain.js";
import { fail } from "../lib/errors.js";
import { readJson } from "../lib/inputs.js";
import { formatDuration, parseAmount, parseDuration, parseScope, parseSmallInt, requireAddress, type DurationBounds } from "../lib/validation.js";

export const FILE_FORMAT = "breakwater.guardian-action/1";

export interface ActionFile {
  format: typeof FILE_FORMAT;
  type: "action" | "veto";
  network: string;
  chainId: number;
  multisig: string;
  /** EIP-712 domain, primary type, types and message: exactly what guardians sign. */
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  primaryType: "Action" | "Veto";
  types: Record<string, { name: string; type: string }[]>;
  /** Action: {kind, target, data, nonce, deadline} (numbers as decimal strings); Veto: {actionId}. */
  message: Record<string, string | number>;
  /** The EIP-712 digest (= the action id for an Action). */
  digest: string;
  kindName: string;
  description: string;
  /** Policy when proposed: threshold (effective), delay, and whether submit executes or queues. */
  policy?: { policyKind: number; threshold: number; effectiveThreshold: number; delay: number; path: "execute" | "queue" | "veto" };
  signatures: Approval[];
  createdAt: string;
  submitted?: { tx: string; mode: string; id: string; eta?: string };
}

const hex = (bytes?: number) => z.string().refine((v) => isHexString(v, bytes), bytes ? `must be 0x + ${bytes * 2} hex digits` : "must be 0x hex");
const addr = z.string().refine((v) => isHexString(v, 20), "must be a 0x address");
const uintText = z.union([z.string(), z.number()]).refine((v) => /^\d+$/.test(String(v)), "must be a whole number");

/** The shape of an action file: checked before anything in it is believed. */
const actionFileSchema = z.object({
  format: z.literal(FILE_FORMAT, { errorMap: () => ({ message: `must be "${FILE_FORMAT}"` }) }),
  type: z.enum(["action", "veto"]),
  network: z.string(),
  chainId: z.number().int().positive(),
  multisig: addr,
  domain: z.object({ name: z.string(), version: z.string(), chainId: z.number().int().positive(), verifyingContract: addr }),
  primaryType: z.enum(["Action", "Veto"]),
  types: z.record(z.array(z.object({ name: z.string(), type: z.string() }))),
  message: z.record(z.union([z.string(), z.number()])),
  digest: hex(32),
  kindName: z.string(),
  description: z.string(),
  signatures: z.array(z.object({ signer: addr, signature: hex() })),
}).passthrough();

const actionMessage = z.object({ kind: uintText, target: addr, data: hex(), nonce: uintText, deadline: uintText });
const vetoMessage = z.object({ actionId: hex(32) });

/**
 * Read and check an action file: exists, valid JSON, of the right kind (an action or veto file, as
 * `expect` says), and its digest matches its content (a file edited after propose is refused).
 */
export function readActionFile(path: string, expect?: "action" | "veto", option = "--file"): ActionFile {
  const hint = "pass the action file written by `npx hardhat breakwater guardian propose --out <file>`";
  if (!path) fail(`${option} is required`, hint, "file");
  const json = readJson(path, option, hint) as Record<string, unknown>;
  if (json === null || typeof json !== "object" || json.format !== FILE_FORMAT) {
    fail(`${option} ${path} is not a guardian action file (format "${String((json as { format?: unknown })?.format)}", expected "${FILE_FORMAT}")`, hint, "file");
  }
  const parsed = actionFileSchema.safeParse(json);
  const bad = (issues: z.ZodIssue[]) => issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; ");
  if (!parsed.success) fail(`${option} ${path} is not a valid action file: ${bad(parsed.error.issues)}`, "propose the action again", "file");
  const f = parsed.data as unknown as ActionFile;
  const msg = (f.type === "veto" ? vetoMessage : actionMessage).safeParse(f.message);
  if (!msg.success) fail(`${option} ${path} is not a valid ${f.type} file: message.${bad(msg.error.issues)}`, "propose the action again", "file");
  if (expect && f.type !== expect) {
    fail(
      `${option} ${path} is a ${f.type} file, not ${expect === "action" ? "an action" : "a veto"} file`,
      f.type === "veto" ? `submit it with \`npx hardhat breakwater guardian veto --id ${String(f.message.actionId)} --file ${path}\`` : "create a veto file with `guardian propose --kind Veto --args <queued action id>`",
      "file",
    );
  }
  if (getAddress(f.domain.verifyingContract) !== getAddress(f.multisig) || f.domain.chainId !== f.chainId) {
    fail(`${option} ${path}: its EIP-712 domain (chain ${f.domain.chainId}, ${f.domain.verifyingContract}) is not its multisig ${f.multisig} on chain ${f.chainId}: the file was edited`, "propose the action again", "file");
  }
  const digest = fileDigest(f);
  if (digest.toLowerCase() !== f.digest.toLowerCase()) {
    fail(`${option} ${path}: the digest ${f.digest} does not match its message (recomputed ${digest}): the file was edited`, "propose the action again", "file");
  }
  return f;
}

export function writeActionFile(path: string, f: ActionFile): void {
  writeFileSync(path, JSON.stringify(f, null, 2) + "\n");
}

export function toAction(f: ActionFile): GuardianAction {
  const m = f.message;
  return { kind: Number(m.kind), target: String(m.target), data: String(m.data), nonce: BigInt(m.nonce!), deadline: BigInt(m.deadline!) };
}

/** Recompute the digest from the message and domain; a mismatch means the file was edited. */
export function fileDigest(f: ActionFile): string {
  const domain = guardianDomainFor(f.multisig, f.chainId);
  return f.type === "veto" ? vetoDigest(domain, String(f.message.actionId)) : actionDigest(domain, toAction(f));
}

/** The eth_signTypedData_v4 payload, to sign with any wallet (hardware, Frame, cast wallet sign …). */
export function typedDataV4(f: ActionFile): Record<string, unknown> {
  return {
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
      ],
      ...f.types,
    },
    primaryType: f.primaryType,
    domain: f.domain,
    message: f.message,
  };
}

/** Check the file against the connected chain and the multisig's own hashing. */
export async function checkFileOnChain(f: ActionFile, chain: OperatorChain): Promise<any> {
  if (f.chainId !== chain.chainId) {
    fail(`the action file is for chain ${f.chainId} (${f.network}), the connected chain is ${chain.chainId}`, `run the task with --network ${f.network}`);
  }
  const digest = fileDigest(f);
  if (digest.toLowerCase() !== f.digest.toLowerCase()) {
    fail(`the action file's digest ${f.digest} does not match its message (recomputed ${digest}): the file was edited`, "propose the action again");
  }
  await probeContract(chain, "multisig", f.multisig, "the multisig named in the action file", "file");
  const ms = await at(chain, "multisig", f.multisig);
  const onChain: string = f.type === "veto" ? await ms.hashVeto(f.message.actionId) : await ms.hashAction(toAction(f));
  if (onChain.toLowerCase() !== digest.toLowerCase()) fail(`the multisig hashes this ${f.type} to ${onChain}, the file says ${digest}`, "propose the action again against this multisig");
  return ms;
}

const ERC1271 = ["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"];

/** Why a recovered signer may differ from the expected one: the digest it signed is another one. */
export function digestHint(f: ActionFile): string {
  const nonce = f.type === "action" ? `, nonce ${String(f.message.nonce)}` : "";
  return `the signature is valid but for another digest: it was made for another chain id, multisig contract or nonce than this file's (chain ${f.chainId}, multisig ${f.multisig}${nonce}, digest ${f.digest}); sign this file's typed data (\`guardian sign --file … --print-typed-data\`) again`;
}

/** Who signed: ECDSA recovery, or EIP-1271 when `claimed` is a contract (e.g. a Safe). */
export async function verifySignature(chain: OperatorChain, f: ActionFile, signature: string, claimed?: string): Promise<string> {
  const sig = signature.trim();
  if (!isHexString(sig)) fail(`--signature "${signature}" is not hex`, "pass 0x followed by the 65-byte r‖s‖v signature (or the EIP-1271 bytes with --signer)", "signature");
  if (claimed) {
    const who = requireAddress(claimed, "--signer");
    const code = await chain.ethers.provider.getCode(who);
    if (code !== "0x") {
      const wallet = new chain.ethers.Contract(who, ERC1271, chain.ethers.provider);
      let magic = "0x";
      try {
        magic = await wallet.isValidSignature(f.digest, sig);
      } catch {
        magic = "0x";
      }
      if (magic !== "0x1626ba7e") {
        fail(`--signer ${who} (a contract) does not accept this signature for ${f.digest} (EIP-1271)`, `check the contract's owners signed this file's digest on chain ${f.chainId}; a Safe can also approve on-chain (\`guardian export-safe\`)`, "signature");
      }
      return who;
    }
  }
  const len = dataLength(sig);
  if (len !== 65) {
    fail(
      `--signature is ${len} bytes, not a 65-byte ECDSA signature (r‖s‖v)`,
      claimed ? "sign with eth_signTypedData_v4 (a 65-byte signature)" : "if a contract signer made it (EIP-1271, e.g. a Safe's owners' signatures), pass --signer <safe address>",
      "signature",
    );
  }
  let recovered: string;
  try {
    recovered = recoverAddress(f.digest, sig);
  } catch (err) {
    return fail(`--signature does not decode: ${(err as Error).message.split("(")[0]!.trim()}`, "sign the typed data printed by `guardian sign --print-typed-data` (eth_signTypedData_v4)", "signature");
  }
  if (claimed && getAddress(claimed) !== recovered) {
    fail(`the signature was made by ${recovered}, not by --signer ${getAddress(claimed)}`, digestHint(f), "signature");
  }
  return recovered;
}

/** Add or replace one guardian's signature; keeps them sorted ascending by signer. */
export function addSignature(f: ActionFile, approval: Approval): ActionFile {
  const others = f.signatures.filter((s) => getAddress(s.signer) !== getAddress(approval.signer));
  return { ...f, signatures: sortApprovals([...others, { signer: getAddress(approval.signer), signature: approval.signature }]) };
}

// ------------------------------------------------------------------ building actions from --args

/** GuardianMultisig's constants (MAX_DELAY, MIN_HEARTBEAT, MAX_HEARTBEAT, MAX_GUARDIANS): fixed in the contract. */
export const MULTISIG_BOUNDS = {
  delay: { min: 0n, max: 30n * 86400n, source: "the multisig's bounds" },
  heartbeat: { min: 7n * 86400n, max: 730n * 86400n, source: "the multisig's heartbeat bounds" },
  maxGuardians: 32,
} as const;

/** Bounds the target breaker enforces, read from it at propose time (the multisig's call would revert outside them). */
export interface BreakerBounds {
  /** Pause / ExtendPause, and the sentinel's max duration: MIN_PAUSE..maxPauseDuration. */
  pause?: DurationBounds;
  /** SetPauseBounds' max pause: MIN_PAUSE..MAX_PAUSE_CAP. */
  pauseCap?: DurationBounds;
  grace?: DurationBounds;
  cooldown?: DurationBounds;
  window?: DurationBounds;
  /** A Queue-mode limit's settlement delay. */
  settlement?: DurationBounds;
  /** SetLimit's maxCapacity: 1..2^96-1. */
  maxCapacity?: bigint;
}

export interface BuiltAction {
  kind: number;
  kindName: string;
  target: string;
  data: string;
  description: string;
}

/** How each kind's `--args` are written (comma-separated, in this order). */
export const KIND_ARGS: Record<string, string> = {
  Pause: "scope,duration",
  FreezeAsset: "asset",
  Quarantine: "account",
  VetoOutflow: "queuedOutflowId",
  Unpause: "scope",
  ExtendPause: "scope,duration",
  UnfreezeAsset: "asset",
  Release: "account",
  SetLimit: "asset,maxCapacity,window,minTvl,Revert|Queue,settlementDelay,inflowCredit(true|false)",
  ArmSentinel: "(none)",
  SetSentinel: "sentinel,maxDuration,cooldown",
  SetPauseBounds: "maxPauseDuration,gracePeriod",
  Rescue: "asset,amount (target: the protected vault)",
  Call: "0x<calldata> (with --target)",
  ChangeGuardians: "guardian,guardian,…",
  ChangeThreshold: "kind,threshold,delay",
  ChangeVetoThreshold: "threshold",
  SetHeartbeat: "period",
  SetCallAllowed: "target,selector,true|false",
  SetManaged: "target,true|false",
  Veto: "queuedActionId",
};

function bool(v: string | undefined, what: string): boolean {
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  return fail(`${what} "${v}" must be true or false`, undefined, "args");
}

export function kindFromName(name: string): { kind: number; kindName: string } {
  const entry = Object.entries(ActionKind).find(([k]) => k.toLowerCase() === name.toLowerCase());
  if (!entry || entry[0] === "LowerLimit") {
    return fail(`--kind "${name}" is not an action kind`, `use one of ${Object.keys(KIND_ARGS).join(", ")}`, "kind");
  }
  return { kind: entry[1], kindName: entry[0] };
}

/** Encode `--args` of `kindName` into the multisig's `data`; targets default from the address book. */
export function buildFromArgs(
  kindName: string,
  rawArgs: string,
  targets: { breaker?: string; vault?: string; multisig: string; target?: string },
  bounds: BreakerBounds = {},
): BuiltAction {
  const { kind, kindName: name } = kindFromName(kindName);
  const a = rawArgs.trim() === "" ? [] : rawArgs.split(",").map((s) => s.trim());
  const want = KIND_ARGS[name]!;
  const expect = (n: number) => {
    if (a.length !== n) fail(`--args for ${name} takes ${n} value(s): ${want}; got ${a.length} ("${rawArgs}")`, `e.g. --args ${want}`, "args");
  };
  const breaker = () => {
    if (targets.target) return requireAddress(targets.target, "--target");
    if (!targets.breaker) fail(`${name} acts on a breaker: pass --breaker 0x… (the address book has none)`, undefined, "breaker");
    return targets.breaker!;
  };
  const coder = AbiCoder.defaultAbiCoder();
  switch (name) {
    case "Pause":
    case "ExtendPause": {
      expect(2);
      const s = parseScope(a[0]!, "--args scope");
      const d = parseDuration(a[1]!, "--args duration", bounds.pause);
      const t = breaker();
      return { kind, kindName: name, target: t, data: Args.pause(s.scope, d), description: `${name === "Pause" ? "Pause" : "Extend the pause of"} ${s.label} ${name === "Pause" ? "for" : "to"} ${formatDuration(d)}${name === "ExtendPause" ? " from execution" : ""} on breaker ${t}` };
    }
    case "Unpause": {
      expect(1);
      const s = parseScope(a[0]!, "--args scope");
      const t = breaker();
      return { kind, kindName: name, target: t, data: Args.unpause(s.scope), description: `Unpause ${s.label} on breaker ${t}` };
    }
    case "FreezeAsset":
    case "UnfreezeAsset":
    case "Quarantine":
    case "Release": {
      expect(1);
      const x = requireAddress(a[0], `--args ${name === "Quarantine" || name === "Release" ? "account" : "asset"}`);
      const t = breaker();
      return { kind, kindName: name, target: t, data: coder.encode(["address"], [x]), description: `${name} ${x} on breaker ${t}` };
    }
    case "VetoOutflow": {
      expect(1);
      const id = parseAmount(a[0]!, "--args queuedOutflowId");
      const t = breaker();
      return { kind, kindName: name, target: t, data: Args.vetoOutflow(id), description: `Veto queued outflow #${id} on breaker ${t}` };
    }
    case "SetLimit": {
      expect(7);
      const asset = requireAddress(a[0], "--args asset");
      const mode = a[4] === "Queue" ? 1 : a[4] === "Revert" ? 0 : fail(`--args mode "${a[4]}" must be Revert or Queue`, undefined, "args");
      const cfg = {
        maxCapacity: parseAmount(a[1]!, "--args maxCapacity", bounds.maxCapacity),
        window: parseDuration(a[2]!, "--args window", bounds.window),
        minTvl: parseAmount(a[3]!, "--args minTvl"),
        mode,
        settlementDelay: parseDuration(a[5]!, "--args settlementDelay", mode === 1 ? bounds.settlement : undefined),
        inflowCredit: bool(a[6], "--args inflowCredit"),
      };
      if (cfg.maxCapacity === 0n) fail("--args maxCapacity 0: a limit needs a capacity of at least 1", undefined, "args");
      if (mode === 0 && cfg.settlementDelay !== 0n) fail(`--args settlementDelay ${a[5]}: a Revert-mode limit has no settlement delay`, "pass 0, or use Queue mode", "args");
      const t = breaker();
      return { kind, kindName: name, target: t, data: Args.setLimit(asset, cfg), description: `Set the limit of ${asset} on breaker ${t}: ${cfg.maxCapacity} per ${formatDuration(cfg.window)}, ${a[4]}` };
    }
    case "ArmSentinel": {
      expect(0);
      const t = breaker();
      return { kind, kindName: name, target: t, data: "0x", description: `Re-arm the sentinel of breaker ${t}` };
    }
    case "SetSentinel": {
      expect(3);
      const s = requireAddress(a[0], "--args sentinel");
      const md = parseDuration(a[1]!, "--args maxDuration", bounds.pause);
      const cd = parseDuration(a[2]!, "--args cooldown", bounds.cooldown);
      const t = breaker();
      return { kind, kindName: name, target: t, data: Args.setSentinel(s, md, cd), description: `Set the sentinel of breaker ${t} to ${s} (max ${formatDuration(md)}, cooldown ${formatDuration(cd)})` };
    }
    case "SetPauseBounds": {
      expect(2);
      const mp = parseDuration(a[0]!, "--args maxPauseDuration", bounds.pauseCap);
      const g = parseDuration(a[1]!, "--args gracePeriod", bounds.grace);
      const t = breaker();
      return { kind, kindName: name, target: t, data: Args.setPauseBounds(mp, g), description: `Set the pause bounds of breaker ${t}: max ${formatDuration(mp)}, grace ${formatDuration(g)}` };
    }
    case "Rescue": {
      expect(2);
      const asset = requireAddress(a[0], "--args asset");
      const amount = parseAmount(a[1]!, "--args amount");
      const t = targets.target ? requireAddress(targets.target, "--target") : targets.vault ?? fail("Rescue acts on the protected vault: pass --target 0x…");
      return { kind, kindName: name, target: t, data: Args.rescue(asset, amount), description: `Rescue ${amount} of frozen ${asset} from ${t} to its rescue vault` };
    }
    case "Call": {
      expect(1);
      if (!targets.target) fail("Call needs --target <allow-listed contract>");
      if (!isHexString(a[0]) || a[0]!.length < 10) fail(`--args "${a[0]}" must be 0x calldata (selector + arguments)`);
      const t = requireAddress(targets.target, "--target");
      return { kind, kindName: name, target: t, data: Args.call(a[0]!), description: `Call ${t} with selector ${a[0]!.slice(0, 10)}` };
    }
    case "ChangeGuardians": {
      if (a.length === 0) fail("--args for ChangeGuardians lists the new guardians: 0x…,0x…");
      if (a.length > MULTISIG_BOUNDS.maxGuardians) fail(`--args lists ${a.length} guardians: the multisig takes at most ${MULTISIG_BOUNDS.maxGuardians}`, undefined, "args");
      const list = a.map((x, i) => requireAddress(x, `--args guardian #${i + 1}`));
      const dup = list.find((x, i) => list.indexOf(x) !== i);
      if (dup) fail(`--args lists guardian ${dup} twice`, "each guardian once", "args");
      return { kind, kindName: name, target: targets.multisig, data: Args.changeGuardians(list), description: `Change the guardians to ${list.join(", ")}` };
    }
    case "ChangeThreshold": {
      expect(3);
      const k = /^\d+$/.test(a[0]!) ? parseSmallInt(a[0], "--args kind", 255) : kindFromName(a[0]!).kind;
      const th = parseSmallInt(a[1], "--args threshold", 255);
      // Admin kinds (policy, guardians, heartbeat…) keep at least a 1 day delay; the multisig enforces it.
      const d = parseDuration(a[2]!, "--args delay", MULTISIG_BOUNDS.delay);
      return { kind, kindName: name, target: targets.multisig, data: Args.changeThreshold(k, th, d), description: `Set the policy of kind ${k} to ${th} approvals, delay ${formatDuration(d)}` };
    }
    case "ChangeVetoThreshold": {
      expect(1);
      const th = parseSmallInt(a[0], "--args threshold", 255);
      return { kind, kindName: name, target: targets.multisig, data: Args.changeVetoThreshold(th), description: `Set the veto quorum to ${th}` };
    }
    case "SetHeartbeat": {
      expect(1);
      const p = parseDuration(a[0]!, "--args period");
      if (p !== 0n && (p < MULTISIG_BOUNDS.heartbeat.min || p > MULTISIG_BOUNDS.heartbeat.max)) {
        parseDuration(a[0]!, "--args period", MULTISIG_BOUNDS.heartbeat);
      }
      return { kind, kindName: name, target: targets.multisig, data: Args.setHeartbeat(p), description: `Set the heartbeat period to ${formatDuration(p)}` };
    }
    case "SetCallAllowed": {
      expect(3);
      const t = requireAddress(a[0], "--args target");
      if (!isHexString(a[1], 4)) fail(`--args selector "${a[1]}" must be 0x + 8 hex digits`);
      return { kind, kindName: name, target: targets.multisig, data: Args.setCallAllowed(t, a[1]!, bool(a[2], "--args allowed")), description: `${bool(a[2], "allowed") ? "Allow" : "Disallow"} Call actions to ${t} selector ${a[1]}` };
    }
    case "SetManaged": {
      expect(2);
      const t = requireAddress(a[0], "--args target");
      return { kind, kindName: name, target: targets.multisig, data: Args.setManaged(t, bool(a[1], "--args managed")), description: `${bool(a[1], "managed") ? "Manage" : "Stop managing"} ${t}` };
    }
  }
  return fail(`--kind ${name} is not supported by propose`);
}

export function newActionFile(
  chain: OperatorChain,
  multisig: string,
  body: { type: "action"; action: GuardianAction; kindName: string; description: string } | { type: "veto"; actionId: string; description: string },
): ActionFile {
  const domain = guardianDomainFor(multisig, chain.chainId);
  const jsonDomain = { name: String(domain.name), version: String(domain.version), chainId: chain.chainId, verifyingContract: getAddress(multisig) };
  if (body.type === "veto") {
    return {
      format: FILE_FORMAT, type: "veto", network: chain.networkName, chainId: chain.chainId, multisig: getAddress(multisig),
      domain: jsonDomain, primaryType: "Veto", types: VETO_TYPES, message: { actionId: body.actionId },
      digest: vetoDigest(domain, body.actionId), kindName: "Veto", description: body.description, signatures: [], createdAt: new Date().toISOString(),
    };
  }
  const act = body.action;
  return {
    format: FILE_FORMAT, type: "action", network: chain.networkName, chainId: chain.chainId, multisig: getAddress(multisig),
    domain: jsonDomain, primaryType: "Action", types: ACTION_TYPES,
    message: { kind: act.kind, target: act.target, data: act.data, nonce: act.nonce.toString(), deadline: act.deadline.toString() },
    digest: TypedDataEncoder.hash(domain, ACTION_TYPES, act), kindName: body.kindName, description: body.description, signatures: [], createdAt: new Date().toISOString(),
  };
}
