// `npx hardhat breakwater breaker pause --scope GLOBAL --duration 2h --reason "…" [--dry-run]`
// Direct path: the sender holds EMERGENCY_ROLE on the breaker. Fast path through the multisig:
// the sender is an active guardian and the Pause policy needs one approval (the sender's own).
import { id } from "ethers";
import { z } from "zod";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ActionKind, Args, buildAction } from "../../client/guardian-actions.js";
import { appendLog } from "../lib/address-book.js";
import { at, chainNow, connectChain, resolveSigner, type OperatorChain } from "../lib/chain.js";
import { describeRevert, fail, simulate } from "../lib/errors.js";
import { isoTime, print, toJson } from "../lib/output.js";
import { inputs, lift, parseInputs } from "../lib/inputs.js";
import { formatDuration, parseDuration, parseScope } from "../lib/validation.js";
import { breakerAddress, loadBook, multisigAddress, next, runAction, type CommonArgs } from "./common.js";

export interface PauseArgs extends CommonArgs {
  scope: string;
  duration: string;
  reason: string;
  breaker: string;
  /** auto (default) | direct | multisig */
  via: string;
}

export interface PauseResult {
  dryRun: boolean;
  breaker: string;
  scope: string;
  label: string;
  duration: bigint;
  until: bigint;
  via: "direct" | "multisig";
  by: string;
  reason: string;
  tx?: string;
  gas?: bigint;
  summary: string;
}

const EMERGENCY_ROLE = id("EMERGENCY_ROLE");

const pauseSchema = z.object({
  scope: lift((v) => {
    const t = String(v ?? "").trim();
    if (t === "") fail("--scope is required", "e.g. --scope GLOBAL, --scope WITHDRAW or --scope asset:0x…", "scope");
    return parseScope(t);
  }),
  // Parsed against the breaker's pause bounds once they are read (below), so a refusal names them.
  duration: inputs.required("--duration", "e.g. --duration 2h (positive, within the breaker's pause bounds)"),
  reason: inputs.required("--reason", 'it goes to the task output and the operator log, e.g. --reason "withdrawals drain the vault, see incident #12"'),
  breaker: inputs.optionalAddress("--breaker"),
  via: inputs.oneOf("--via", ["auto", "direct", "multisig"] as const, "auto"),
});

export async function runPause(args: PauseArgs, chain: OperatorChain): Promise<PauseResult> {
  // ---- inputs
  const p = parseInputs(pauseSchema, args);
  const { scope, reason, via } = p;
  const { book, dir } = loadBook(args, chain);
  const breaker = await breakerAddress(chain, book, p.breaker);
  const signer = await resolveSigner(chain, args);
  const caller = await signer.getAddress();

  // ---- breaker-side checks
  const b = await at(chain, "circuitBreaker", breaker, signer);
  const [maxPause] = await b.pauseBounds();
  const duration = parseDuration(p.duration, "--duration", { min: BigInt(await b.MIN_PAUSE()), max: BigInt(maxPause), source: "the breaker's bounds" });
  if (scope.asset) {
    const assets: string[] = (await b.assets()).map((a: string) => a.toLowerCase());
    if (!assets.includes(scope.asset.toLowerCase())) {
      fail(`--scope ${scope.label}: ${scope.asset} is not an asset registered on breaker ${breaker}`, `${next(chain, "breaker status")} lists the registered assets`, "scope");
    }
  }
  const now = await chainNow(chain);
  const currentUntil = BigInt(await b.pausedUntil(scope.scope));
  if (currentUntil > now) {
    fail(`${scope.label} is already paused until ${isoTime(currentUntil)} on ${breaker}`, `to keep it paused longer run ${next(chain, "guardian propose", "--kind ExtendPause", `--args ${scope.label},<duration>`, "--out extend.json")}`, "scope");
  }

  // ---- who sends: the direct role holder, or a guardian through the multisig fast path
  const hasRole: boolean = await b.hasRole(EMERGENCY_ROLE, caller);
  let path: "direct" | "multisig";
  let send: () => Promise<{ hash: string; wait(): Promise<any> }>;
  let estimate: () => Promise<bigint>;
  const proposeHint = `run ${next(chain, "guardian propose", "--kind Pause", `--args ${scope.label},${args.duration}`, "--out pause.json")} and collect guardian signatures instead`;
  if (hasRole && via !== "multisig") {
    path = "direct";
    await simulate(`pause(${scope.label}, ${duration})`, () => b.pause.staticCall(scope.scope, duration));
    send = () => b.pause(scope.scope, duration);
    estimate = () => b.pause.estimateGas(scope.scope, duration);
  } else {
    if (via === "direct") fail(`${caller} does not hold EMERGENCY_ROLE on ${breaker}`, proposeHint);
    if (!book.contracts.guardian) fail(`${caller} does not hold EMERGENCY_ROLE on ${breaker} and the address book names no multisig`, proposeHint);
    const msAddr = await multisigAddress(chain, book, undefined);
    const ms = await at(chain, "multisig", msAddr, signer);
    if (!(await ms.isGuardian(caller))) fail(`${caller} does not hold EMERGENCY_ROLE on ${breaker} and is not a guardian of ${msAddr}`, proposeHint);
    const [, , active] = await ms.guardianStatus(caller);
    if (!active) fail(`guardian ${caller} is stale (heartbeat missed): its approval does not count`, `send \`ping()\` to ${msAddr} from the guardian key first, then retry`);
    if (!(await ms.isManaged(breaker))) fail(`the multisig ${msAddr} does not manage breaker ${breaker}`, "a SetManaged action (slow) must add it first");
    if (!(await b.hasRole(EMERGENCY_ROLE, msAddr))) fail(`the multisig ${msAddr} does not hold EMERGENCY_ROLE on ${breaker}`, "grant it the role (deploy does this) or use a direct EMERGENCY_ROLE key");
    const need = Number(await ms.effectiveThreshold(ActionKind.Pause));
    if (need > 1) fail(`${caller} is a guardian, but a Pause needs ${need} approvals on ${msAddr} (the sender counts as one)`, proposeHint);
    path = "multisig";
    const action = buildAction(ActionKind.Pause, breaker, Args.pause(scope.scope, duration), { deadline: now + 3600n });
    await simulate(`multisig execute(Pause ${scope.label})`, () => ms.execute.staticCall(action, []), proposeHint);
    send = () => ms.execute(action, []);
    estimate = () => ms.execute.estimateGas(action, []);
  }

  const until = now + duration;
  const gas = await estimate();
  const who = path === "direct" ? `${caller} (EMERGENCY_ROLE)` : `guardian ${caller} through multisig ${book.contracts.guardian}`;
  if (args.dryRun) {
    const summary = `would pause ${scope.label} until ≈${isoTime(until)} (${formatDuration(duration)}) on ${breaker}, sent by ${who}; ~${gas} gas; reason: ${reason}. Nothing was sent.`;
    print(args.json ? toJson({ dryRun: true, breaker, scope: scope.scope, label: scope.label, duration, until, via: path, by: caller, reason, gas }) : `[dry-run] ${summary}`);
    return { dryRun: true, breaker, scope: scope.scope, label: scope.label, duration, until, via: path, by: caller, reason, gas, summary };
  }
  let receipt: any;
  let hash: string;
  try {
    const tx = await send();
    hash = tx.hash;
    receipt = await tx.wait();
  } catch (err) {
    return fail(`the pause transaction failed: ${describeRevert(err)}`, `run ${next(chain, "breaker status")} to see the current state`);
  }
  const actualUntil = BigInt(await b.pausedUntil(scope.scope));
  const summary = `paused ${scope.label} until ${isoTime(actualUntil)} on ${breaker} (tx ${hash}, block ${receipt.blockNumber}), by ${who}; reason: ${reason}`;
  const logFile = appendLog(dir, chain.networkName, {
    action: "pause", breaker, scope: scope.scope, label: scope.label, duration, until: actualUntil, untilIso: isoTime(actualUntil), via: path, by: caller, reason, tx: hash, block: receipt.blockNumber,
  });
  print(args.json ? toJson({ dryRun: false, breaker, scope: scope.scope, label: scope.label, duration, until: actualUntil, via: path, by: caller, reason, tx: hash, log: logFile }) : `${summary}\nlogged to ${logFile}`);
  return { dryRun: false, breaker, scope: scope.scope, label: scope.label, duration, until: actualUntil, via: path, by: caller, reason, tx: hash, summary };
}

export default async function pauseAction(args: PauseArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runAction(async () => runPause(args, await connectChain(hre, args)), args);
}
