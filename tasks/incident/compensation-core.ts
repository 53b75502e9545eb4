// `npx hardhat breakwater incident compensation`: losses (analysis JSON or CSV) → OpenZeppelin merkle tree for
// MerkleClaims (one multi-token leaf per account, client/merkle-claims.ts) → output dir with the
// root, every account's proof, a summary (Markdown + JSON), the terms, and the guardian proposal
// bundle: slow-path action files (allow-list if needed, funding, `createRound` via Call) plus a
// playbook. Funding: `treasury` (the treasury transfers the totals to MerkleClaims first, an external
// step in the bundle), `rescue-vault` (RescueVault registers MerkleClaims as a destination under its
// timelock, then releases the totals to it — all through the multisig), or `prefunded` (MerkleClaims
// already holds unreserved tokens). `createRound` uses the unreserved balance, so no approval is needed.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { encodeBytes32String, formatUnits, getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ActionKind, Args } from "../../client/guardian-actions.js";
import { buildClaimRound, hashTerms, type ClaimRound } from "../../client/merkle-claims.js";
import { at, chainNow, type OperatorChain } from "../lib/chain.js";
import { OperatorError, fail } from "../lib/errors.js";
import { isoTime, print, toJson } from "../lib/output.js";
import { formatDuration, parseDuration, requireAddress, requireCode } from "../lib/validation.js";
import { loadBook, type CommonArgs } from "../operator/common.js";
import { bookTokenResolver, readLosses, type LossRows } from "./compensation-input.js";
import { incidentDir } from "./paths.js";
import {
  ERC20_IFACE,
  MERKLE_CLAIMS_IFACE,
  PlanBuilder,
  RESCUE_VAULT_IFACE,
  TIMELOCK_MARGIN,
  multisigView,
  renderPlaybook,
  simulatePlan,
  simulationChain,
  writePlan,
  type GuardianPlan,
  type PlanStep,
} from "./rescue-plan.js";

export const CLAIMS_FORMAT = "breakwater.compensation-claims/1";
export type Funding = "treasury" | "rescue-vault" | "prefunded";

export interface CompensationArgs extends CommonArgs {
  incident: string;
  analysis: string;
  csv: string;
  out: string;
  treasury: string;
  funding: string;
  claimPeriod: string;
  signWindow: string;
  terms: string;
  merkleClaims: string;
  rescueVault: string;
  forkUrl: string;
  simulate: boolean;
  force: boolean;
  allowContractClaimants: boolean;
}

export const compensationDefaults = {
  incident: "", analysis: "", csv: "", out: "", treasury: "", funding: "treasury", claimPeriod: "30d", signWindow: "3d",
  terms: "", merkleClaims: "", rescueVault: "", forkUrl: "", simulate: false, force: false, allowContractClaimants: false,
};

/** How a claimant can claim: an EOA calls claim(); a Safe / EIP-1271 wallet executes claim() or signs the acceptance; another contract cannot act. */
export type ClaimantKind = "eoa" | "safe" | "eip1271" | "contract";

/** What the claimant at `account` is on the connected chain. */
export async function claimantKind(chain: OperatorChain, account: string): Promise<ClaimantKind> {
  const p = chain.ethers.provider;
  if ((await p.getCode(account)) === "0x") return "eoa";
  const call = async (data: string) => {
    try {
      return await p.call({ to: account, data });
    } catch {
      return undefined;
    }
  };
  const threshold = await call("0xe75235b8"); // getThreshold()
  const owners = await call("0xa0e67e2b"); // getOwners()
  if (threshold && threshold.length >= 66 && BigInt(threshold.slice(0, 66)) > 0n && owners && owners.length > 2) return "safe";
  // ERC-165 supportsInterface(0x1626ba7e), or isValidSignature answering at all (magic or 0xffffffff).
  const s165 = await call("0x01ffc9a7" + "1626ba7e".padEnd(64, "0"));
  if (s165 && s165.length >= 66 && BigInt(s165.slice(0, 66)) === 1n) return "eip1271";
  const v = await call("0x1626ba7e" + "00".repeat(32) + (64).toString(16).padStart(64, "0") + "00".repeat(32));
  if (v && v.length >= 66 && ["0x1626ba7e", "0xffffffff"].includes(v.slice(0, 10).toLowerCase())) return "eip1271";
  return "contract";
}

/** One account's claim as written to the claims file. */
export interface ClaimEntry {
  tokens: string[];
  amounts: string[];
  proof: string[];
  leaf: string;
}

export interface ClaimsFile {
  format: typeof CLAIMS_FORMAT;
  network: string;
  chainId: number;
  incident: string | null;
  merkleClaims: string;
  multisig: string;
  root: string;
  termsHash: string;
  deadline: number;
  deadlineIso: string;
  treasury: string;
  /** roundCount() when proposed: the id the round gets if no other round is created first (claim finds it by root anyway). */
  expectedRoundId: number;
  tokens: string[];
  amounts: string[];
  claims: Record<string, ClaimEntry>;
}

export interface TokenInfo {
  address: string;
  symbol: string;
  decimals: number;
}

export interface CompensationResult {
  dryRun: boolean;
  out: string;
  root: string;
  claims: ClaimsFile;
  plan: GuardianPlan;
  summary: Summary;
  simulated?: boolean;
}

export interface Summary {
  incident: string | null;
  source: { kind: string; path: string };
  network: string;
  chainId: number;
  root: string;
  claimants: number;
  totals: { token: string; symbol: string; decimals: number; amount: string; formatted: string; claimants: number }[];
  deadline: string;
  treasury: string;
  funding: Funding;
  merkleClaims: string;
  termsHash: string;
}

async function tokenInfo(chain: OperatorChain, token: string, where: string): Promise<TokenInfo> {
  await requireCode(chain.ethers.provider, token, `token ${token} (${where})`);
  const c = new chain.ethers.Contract(token, ERC20_IFACE, chain.ethers.provider);
  try {
    await c.balanceOf(token);
  } catch {
    fail(`token ${token} (${where}) does not answer balanceOf: it is not an ERC-20`);
  }
  let symbol = token.slice(0, 8);
  let decimals = 18;
  try {
    symbol = String(await c.symbol());
  } catch {
    /* optional */
  }
  try {
    decimals = Number(await c.decimals());
  } catch {
    /* optional */
  }
  return { address: token, symbol, decimals };
}

function buildRound(losses: LossRows): ClaimRound {
  try {
    return buildClaimRound(losses.rows);
  } catch (err) {
    // buildClaimRound names "row i (account …)": map it back to the lines / fields.
    const m = /row (\d+)/.exec((err as Error).message);
    const row = m ? losses.rows[Number(m[1])] : undefined;
    const where = row ? ` (${losses.sources[getAddress(row.account)]?.join(", ")})` : "";
    return fail(`${losses.path}${where}: ${(err as Error).message}`);
  }
}

export function outDirFor(a: Pick<CompensationArgs, "out">, incident: string | undefined): string {
  if (a.out) return resolve(a.out);
  return join(incident ? incidentDir(incident) : resolve("reports", "incidents", "manual"), "compensation");
}

function checkOutDir(dir: string, force: boolean) {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !force) fail(`--out ${dir} exists and is not empty`, "pick another --out or pass --force to overwrite");
}

export async function runCompensation(a: CompensationArgs, chain: OperatorChain, hre?: HardhatRuntimeEnvironment): Promise<CompensationResult> {
  const treasury = requireAddress(a.treasury, "--treasury");
  if (BigInt(treasury) === 0n) fail("--treasury is the zero address: the unclaimed remainder would be burnt after the deadline", "pass the protocol's treasury (a Safe or the multisig), which also funds the round with --funding treasury");
  const { book } = loadBook(a, chain);
  const losses = readLosses({ analysis: a.analysis, csv: a.csv, incident: a.incident }, bookTokenResolver(book.contracts));
  if (losses.chainId !== undefined && losses.chainId !== chain.chainId) {
    fail(`${losses.path}: the analysis is for chain ${losses.chainId}, the connected chain is ${chain.chainId}`, "run with the --network the incident happened on");
  }
  const incident = losses.incident ?? (a.incident || null);
  const out = outDirFor(a, incident ?? undefined);
  checkOutDir(out, a.force);
  const funding = a.funding as Funding;
  if (!["treasury", "rescue-vault", "prefunded"].includes(funding)) fail(`--funding "${a.funding}" must be treasury, rescue-vault or prefunded`);
  const claimPeriod = parseDuration(a.claimPeriod || "30d", "--claim-period");
  if (claimPeriod < 86400n) fail(`--claim-period ${a.claimPeriod} is shorter than MerkleClaims.MIN_CLAIM_PERIOD (1d)`);
  const signWindow = parseDuration(a.signWindow || "3d", "--sign-window");
  if (signWindow < 3600n) fail(`--sign-window ${a.signWindow} is too short: guardians need time to sign (at least 1h)`);

  // ---- contracts
  const multisig = requireAddress(book.contracts.guardian, "address book contracts.guardian");
  const mcAddr = a.merkleClaims ? requireAddress(a.merkleClaims, "--merkle-claims") : requireAddress(book.contracts.merkleClaims, "address book contracts.merkleClaims");
  await requireCode(chain.ethers.provider, mcAddr, "MerkleClaims");
  const mc = await at(chain, "merkleClaims", mcAddr);
  const owner = getAddress(await mc.owner());
  if (owner !== getAddress(multisig)) fail(`MerkleClaims ${mcAddr} is owned by ${owner}, not the guardian multisig ${multisig}`, "createRound is proposed through the multisig: transfer the ownership to it first");

  // ---- the claimants: a contract that can neither call claim() nor sign (EIP-1271 / a Safe) is refused
  const kinds = new Map<string, ClaimantKind>();
  const protectedSet = new Set((losses.protectedContracts ?? []).map((x) => x.toLowerCase()));
  for (const row of losses.rows) {
    const acc = getAddress(row.account);
    const where = losses.sources[acc]?.join(", ") ?? "input";
    if (protectedSet.has(acc.toLowerCase())) fail(`${losses.path} (${where}): ${acc} is a protected contract of the analysis: a pool is never a claimant`, "compensate the depositors who bore its loss: `incident analyze --positions …`, or a CSV of them");
    const k = await claimantKind(chain, acc);
    kinds.set(acc, k);
    if (k === "contract" && !a.allowContractClaimants) {
      fail(
        `${losses.path} (${where}): claimant ${acc} is a contract that can neither call claim() nor sign the acceptance (no Safe, no EIP-1271)`,
        "compensate who bore the loss instead (a pool's depositors: `incident analyze --positions …`), or pass --allow-contract-claimants if that contract can send the claim call (its tokens otherwise stay until the sweep)",
      );
    }
  }

  // ---- the round
  const round = buildRound(losses);
  const infos = new Map<string, TokenInfo>();
  for (const t of round.tokens) {
    const acct = round.tokens.length ? Object.keys(losses.sources).find((k) => round.claims[k]?.tokens.includes(t)) : undefined;
    infos.set(t, await tokenInfo(chain, t, acct ? `${losses.sources[acct]?.join(", ")}` : "input"));
  }
  const termsText = a.terms
    ? existsSync(a.terms)
      ? readFileSync(a.terms, "utf8")
      : fail(`--terms ${a.terms}: no such file`)
    : defaultTerms(incident, round, infos, treasury);
  const termsHash = hashTerms(termsText);

  // ---- funding checks
  let rv: any;
  let rvAddr: string | undefined;
  if (funding === "rescue-vault") {
    rvAddr = a.rescueVault ? requireAddress(a.rescueVault, "--rescue-vault") : requireAddress(book.contracts.rescueVault, "address book contracts.rescueVault");
    await requireCode(chain.ethers.provider, rvAddr, "RescueVault");
    rv = await at(chain, "rescueVault", rvAddr);
    for (const [i, t] of round.tokens.entries()) {
      const bal: bigint = await rv.balanceOf(t);
      if (bal < round.amounts[i]!) fail(`--funding rescue-vault: the RescueVault holds ${fmt(bal, infos.get(t)!)} of ${t}, the round needs ${fmt(round.amounts[i]!, infos.get(t)!)}`, "rescue more first (`incident rescue`), or fund from the treasury (--funding treasury)");
    }
  } else if (funding === "prefunded") {
    for (const [i, t] of round.tokens.entries()) {
      const c = new chain.ethers.Contract(t, ERC20_IFACE, chain.ethers.provider);
      const free = BigInt(await c.balanceOf(mcAddr)) - BigInt(await mc.reserved(t));
      if (free < round.amounts[i]!) fail(`--funding prefunded: MerkleClaims holds ${fmt(free > 0n ? free : 0n, infos.get(t)!)} unreserved ${infos.get(t)!.symbol}, the round needs ${fmt(round.amounts[i]!, infos.get(t)!)}`, "use --funding treasury or rescue-vault");
    }
  }

  // ---- the guardian plan
  const now = await chainNow(chain);
  const view = await multisigView(chain, multisig);
  const pb = new PlanBuilder(chain, view, now, signWindow);
  const allow: (PlanStep | undefined)[] = [];
  allow.push(await pb.allowCall(0, 0, mcAddr, MERKLE_CLAIMS_IFACE, "createRound", "MerkleClaims"));
  let proposeDest = false;
  let activeAtAbs = 0n;
  if (rv) {
    const dest = await rv.destinationOf(mcAddr);
    activeAtAbs = BigInt(dest.activeAt ?? dest[0]);
    proposeDest = activeAtAbs === 0n;
    if (proposeDest) allow.push(await pb.allowCall(0, 0, rvAddr!, RESCUE_VAULT_IFACE, "proposeDestination", "RescueVault"));
    allow.push(await pb.allowCall(0, 0, rvAddr!, RESCUE_VAULT_IFACE, "release", "RescueVault"));
  }
  const allowDone = PlanBuilder.doneAt(allow);
  let createQueueAt = allowDone;
  let createNotBefore = 0;
  const callDelay = (await view.policy(ActionKind.Call)).delay;
  if (rv) {
    let activeOffset = activeAtAbs > now ? Number(activeAtAbs - now) + TIMELOCK_MARGIN : 0;
    let releaseQueueAt = allowDone;
    if (proposeDest) {
      const label = encodeBytes32String(`compensation ${incident ?? ""}`.slice(0, 31).trim());
      const s = await pb.action(0, allowDone, "rescue-vault-register-merkle-claims", ActionKind.Call, rvAddr!, RESCUE_VAULT_IFACE.encodeFunctionData("proposeDestination", [mcAddr, label]), `Register MerkleClaims ${mcAddr} as a RescueVault destination (active ${formatDuration(await rv.delay())} after execution)`);
      activeOffset = s.executableAt + Number(await rv.delay()) + TIMELOCK_MARGIN;
      releaseQueueAt = s.executableAt;
    }
    const releases: PlanStep[] = [];
    for (const [i, t] of round.tokens.entries()) {
      releases.push(await pb.action(0, releaseQueueAt, `rescue-vault-release-${infos.get(t)!.symbol.toLowerCase().replace(/[^a-z0-9]/g, "")}`, ActionKind.Call, rvAddr!, RESCUE_VAULT_IFACE.encodeFunctionData("release", [t, mcAddr, round.amounts[i]]), `Release ${fmt(round.amounts[i]!, infos.get(t)!)} ${infos.get(t)!.symbol} from the RescueVault to MerkleClaims`, { notBefore: activeOffset, waitsFor: "the RescueVault destination timelock" }));
    }
    createQueueAt = releaseQueueAt;
    createNotBefore = PlanBuilder.doneAt(releases);
  } else if (funding === "treasury") {
    for (const [i, t] of round.tokens.entries()) {
      pb.external(0, 0, "Fund", `Treasury ${treasury} transfers ${fmt(round.amounts[i]!, infos.get(t)!)} ${infos.get(t)!.symbol} to MerkleClaims (before createRound runs)`, {
        from: treasury, to: t, data: ERC20_IFACE.encodeFunctionData("transfer", [mcAddr, round.amounts[i]]), value: "0",
      });
      const bal: bigint = await new chain.ethers.Contract(t, ERC20_IFACE, chain.ethers.provider).balanceOf(treasury);
      if (bal < round.amounts[i]!) pb.notes.push(`the treasury holds ${fmt(bal, infos.get(t)!)} ${infos.get(t)!.symbol} today, less than the ${fmt(round.amounts[i]!, infos.get(t)!)} the round needs: top it up before the transfer`);
    }
  }
  const createExecAt = Math.max(createQueueAt + callDelay, createNotBefore);
  const deadline = now + BigInt(createExecAt) + signWindow + claimPeriod;
  await pb.action(0, createQueueAt, "merkle-claims-create-round", ActionKind.Call, mcAddr, MERKLE_CLAIMS_IFACE.encodeFunctionData("createRound", [round.root, termsHash, deadline, treasury, round.tokens, round.amounts]), `Create compensation round (root ${round.root}, ${Object.keys(round.claims).length} claimants, ${round.tokens.map((t, i) => `${fmt(round.amounts[i]!, infos.get(t)!)} ${infos.get(t)!.symbol}`).join(" + ")}; claims until ${isoTime(deadline)}; remainder to ${treasury})`, { notBefore: createNotBefore, waitsFor: "the funding releases" });
  renumberBatches(pb.steps);
  pb.notes.push(
    `createRound checks its funding against MerkleClaims' unreserved balance when it runs: ${funding === "treasury" ? "the treasury transfers must land before it is executed" : funding === "rescue-vault" ? "execute the release action(s) before it" : "the balance is already there"}.`,
    `claims close at ${isoTime(deadline)} (claim period ${formatDuration(claimPeriod)} after the planned execution plus the ${formatDuration(signWindow)} signing window); after that anyone sweeps the remainder to the treasury: \`npx hardhat breakwater incident sweep --claims <claims.json>\`.`,
    `users claim with \`npx hardhat breakwater incident claim --claims <claims.json or proofs/<account>.json> --account <address>\` (Safes: --signature-only, then relay with --signature).`,
  );
  const plan = pb.plan(`Compensation round${incident ? ` for incident ${incident}` : ""}: guardian proposal`);

  // ---- the files (in memory)
  const claims: ClaimsFile = {
    format: CLAIMS_FORMAT,
    network: chain.networkName,
    chainId: chain.chainId,
    incident,
    merkleClaims: getAddress(mcAddr),
    multisig: getAddress(multisig),
    root: round.root,
    termsHash,
    deadline: Number(deadline),
    deadlineIso: isoTime(deadline),
    treasury,
    expectedRoundId: Number(await mc.roundCount()),
    tokens: round.tokens,
    amounts: round.amounts.map(String),
    claims: Object.fromEntries(Object.entries(round.claims).map(([acc, c]) => [acc, { tokens: c.tokens, amounts: c.amounts.map(String), proof: c.proof, leaf: c.leaf }])),
  };
  const summary: Summary = {
    incident,
    source: { kind: losses.kind, path: losses.path },
    network: chain.networkName,
    chainId: chain.chainId,
    root: round.root,
    claimants: Object.keys(round.claims).length,
    totals: round.tokens.map((t, i) => ({
      token: t, symbol: infos.get(t)!.symbol, decimals: infos.get(t)!.decimals, amount: round.amounts[i]!.toString(),
      formatted: fmt(round.amounts[i]!, infos.get(t)!), claimants: Object.values(round.claims).filter((c) => c.tokens.includes(t)).length,
    })),
    deadline: isoTime(deadline),
    treasury,
    funding,
    merkleClaims: getAddress(mcAddr),
    termsHash,
  };

  // ---- dry run / simulation on a fork, through the real multisig
  let simulated: boolean | undefined;
  if (a.dryRun || a.simulate) {
    const sim = await simulationChain(chain, hre, a.forkUrl);
    try {
      simulated = await simulatePlan(sim.chain, plan, pb.files);
      if (simulated) {
        const step = pb.steps[pb.steps.length - 1]!;
        const detail = await simulateClaims(sim.chain, claims, kinds);
        step.simulated = { ok: detail.ok, detail: `${step.simulated!.detail}; ${detail.text}` };
        simulated = detail.ok;
      }
    } finally {
      await sim.close();
    }
  }

  const playbook = renderPlaybook(plan, join(out, "proposal"), [
    `Creates and funds the MerkleClaims compensation round with root \`${round.root}\` for ${summary.claimants} claimant(s): ${summary.totals.map((t) => `${t.formatted} ${t.symbol}`).join(", ")}.`,
    `Funding: ${funding === "treasury" ? `the treasury \`${treasury}\` transfers the totals to MerkleClaims \`${mcAddr}\` (steps marked "outside the multisig"), then the multisig's createRound reserves them` : funding === "rescue-vault" ? `the RescueVault \`${rvAddr}\` releases rescued tokens to MerkleClaims (registered as a destination under the RescueVault timelock), then createRound reserves them` : "MerkleClaims already holds the tokens unreserved"}.`,
  ]);
  print(renderSummaryText(summary, plan, out, a.dryRun));
  if (simulated !== undefined) {
    for (const s of plan.steps) print(`  sim ${s.n}. ${s.kindName}: ${s.simulated ? `${s.simulated.ok ? "ok" : "FAILED"} — ${s.simulated.detail}` : "not reached"}`);
  }
  if (a.dryRun) {
    print(`[dry-run] nothing written (would write ${out})`);
    if (simulated === false) fail("the simulated proposal failed (see above)", "fix the cause before proposing");
    return { dryRun: true, out, root: round.root, claims, plan, summary, simulated };
  }
  if (simulated === false) fail("the simulated proposal failed (see above); nothing was written", "fix the cause, or run without --simulate");

  // ---- write everything
  mkdirSync(join(out, "proofs"), { recursive: true });
  writeFileSync(join(out, "claims.json"), toJson(claims) + "\n");
  for (const [acc, c] of Object.entries(claims.claims)) writeFileSync(join(out, "proofs", `${acc}.json`), toJson({ ...claims, claims: { [acc]: c } }) + "\n");
  writeFileSync(join(out, "root.txt"), round.root + "\n");
  writeFileSync(join(out, "tree.json"), JSON.stringify(round.tree.dump(), (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
  writeFileSync(join(out, "terms.md"), termsText);
  writeFileSync(join(out, "summary.json"), toJson({ ...summary, plan: plan.steps.map((s) => ({ n: s.n, kind: s.kindName, file: s.file, path: s.path, submit: s.queueAt, runs: s.executableAt, description: s.description })) }) + "\n");
  writeFileSync(join(out, "summary.md"), renderSummaryMd(summary, claims, infos));
  writePlan(join(out, "proposal"), plan, pb.files, playbook);
  print(`wrote ${out}: claims.json, proofs/<account>.json (${summary.claimants}), summary.md/json, terms.md, tree.json, proposal/ (${pb.files.size} action file(s), plan.json, playbook.md)`);
  return { dryRun: false, out, root: round.root, claims, plan, summary, simulated };
}

/** After the plan ran on the simulation chain: every account claims (as itself), totals must match. */
async function simulateClaims(sim: OperatorChain, claims: ClaimsFile, kinds: Map<string, ClaimantKind>): Promise<{ ok: boolean; text: string }> {
  const mc = await at(sim, "merkleClaims", claims.merkleClaims);
  const count = Number(await mc.roundCount());
  let roundId = -1;
  for (let i = count - 1; i >= 0 && roundId < 0; i--) if (String((await mc.roundInfo(i)).root).toLowerCase() === claims.root.toLowerCase()) roundId = i;
  if (roundId < 0) return { ok: false, text: "no round with the root was created" };
  // Only claimants that could claim in production: EOAs, and Safes / EIP-1271 wallets (which execute
  // claim() themselves). A contract that cannot act is never impersonated.
  const all = Object.keys(claims.claims);
  const skipped = all.filter((acc) => kinds.get(getAddress(acc)) === "contract");
  const accounts = all.filter((acc) => !skipped.includes(acc)).slice(0, 200);
  for (const acc of accounts) {
    const c = claims.claims[acc]!;
    await sim.ethers.provider.send("hardhat_impersonateAccount", [acc]);
    await sim.ethers.provider.send("hardhat_setBalance", [acc, "0x56BC75E2D63100000"]);
    const s = await sim.ethers.getSigner(acc);
    try {
      await (await (mc.connect(s) as any).claim(roundId, c.tokens, c.amounts, c.proof)).wait();
    } catch (err) {
      const { describeRevert } = await import("../lib/errors.js");
      return { ok: false, text: `round ${roundId} created, but the claim of ${acc} reverted: ${describeRevert(err)}` };
    }
  }
  return {
    ok: true,
    text: `round ${roundId} created; ${accounts.length} of ${all.length} claim(s) simulated, all paid` +
      (skipped.length ? `; ${skipped.length} not simulated: ${skipped.join(", ")} cannot act (a contract with no claim path: --allow-contract-claimants), their tokens stay until the sweep` : ""),
  };
}

function renumberBatches(steps: PlanStep[]) {
  const times = [...new Set(steps.map((s) => s.queueAt))].sort((x, y) => x - y);
  for (const s of steps) s.batch = times.indexOf(s.queueAt) + 1;
}

export function fmt(amount: bigint, t: { decimals: number }): string {
  const s = formatUnits(amount, t.decimals);
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

function defaultTerms(incident: string | null, round: ClaimRound, infos: Map<string, TokenInfo>, treasury: string): string {
  return [
    `# Breakwater compensation round${incident ? ` — incident ${incident}` : ""}`,
    "",
    `Merkle root: ${round.root}`,
    "",
    "By claiming (calling `claim`, or signing the EIP-712 AcceptTerms message for `claimWithSig`) the account accepts these amounts",
    "as full compensation for the losses listed for it in this round:",
    "",
    ...round.tokens.map((t, i) => `- ${infos.get(t)!.symbol} (${t}): ${fmt(round.amounts[i]!, infos.get(t)!)} in total`),
    "",
    `Unclaimed amounts return to the treasury ${treasury} after the claim deadline.`,
    "",
  ].join("\n");
}

function renderSummaryText(s: Summary, plan: GuardianPlan, out: string, dryRun: boolean): string {
  const lines = [
    `${dryRun ? "[dry-run] " : ""}compensation round${s.incident ? ` for ${s.incident}` : ""}: ${s.claimants} claimant(s), root ${s.root}`,
    ...s.totals.map((t) => `  ${t.symbol.padEnd(8)} ${t.formatted} (${t.amount} units, ${t.claimants} claimant(s)) — ${t.token}`),
    `  claims until ${s.deadline}; remainder to ${s.treasury}; funding: ${s.funding}`,
    `  guardian proposal (${plan.steps.length} step(s), ${out}/proposal/playbook.md):`,
    ...plan.steps.map((st) => `    ${st.n}. [batch ${st.batch}, ${st.path}] ${st.kindName}: ${st.description}${st.file ? ` → ${st.file}` : ""}`),
  ];
  return lines.join("\n");
}

function renderSummaryMd(s: Summary, claims: ClaimsFile, infos: Map<string, TokenInfo>): string {
  const lines = [
    `# Compensation round${s.incident ? ` — ${s.incident}` : ""}`,
    "",
    `- source: ${s.source.kind} \`${s.source.path}\``,
    `- network: ${s.network} (chain ${s.chainId}); MerkleClaims \`${s.merkleClaims}\``,
    `- merkle root: \`${s.root}\``,
    `- terms hash: \`${s.termsHash}\` (terms.md)`,
    `- claimants: ${s.claimants}`,
    `- claims until: ${s.deadline}; the remainder returns to \`${s.treasury}\``,
    `- funding: ${s.funding}`,
    "",
    "## Totals per token",
    "",
    "| token | address | total | units | claimants |",
    "|---|---|---:|---:|---:|",
    ...s.totals.map((t) => `| ${t.symbol} | \`${t.token}\` | ${t.formatted} | ${t.amount} | ${t.claimants} |`),
    "",
    "## Claimants",
    "",
    "| account | amounts |",
    "|---|---|",
    ...Object.entries(claims.claims).map(([acc, c]) => `| \`${acc}\` | ${c.tokens.map((t, i) => `${fmt(BigInt(c.amounts[i]!), infos.get(t)!)} ${infos.get(t)!.symbol}`).join(", ")} |`),
    "",
    "Each claimant's proof is in `proofs/<account>.json`; claim with `npx hardhat breakwater incident claim --claims proofs/<account>.json --account <account>`.",
    "",
  ];
  return lines.join("\n");
}

export { OperatorError };
