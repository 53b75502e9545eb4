// `npx hardhat breakwater incident rescue`: the guardian playbook to freeze an asset of a protected contract,
// move it to the RescueVault, optionally release it to a registered destination, and migrate users
// to a fixed vault — as ordered guardian action files (tasks/operator/guardian-file.ts format) with
// their delays, and playbook.md (timeline t0, t0 + delay, …, who signs, exact commands).
//   1 FreezeAsset (fast)                      t0
//   2 Rescue(asset, amount) (slow)            t0 → t0 + D
//   3 SetCallAllowed for the Calls below (slow, only those not yet allowed)
//   4 Call RescueVault.proposeDestination     (slow, then the RescueVault's own timelock)
//   5 Call PositionMigrator.setRoute(old → fixed vault) (slow)
//   6 UnfreezeAsset (slow; after the rescue, so users can migrate)
//   7 Call RescueVault.release(asset, destination, amount) (slow; once the destination is active)
//   8 users migrate (PositionMigrator.migrate / migrateWithSig)
// --dry-run plays every step on a fork (or a snapshot of a local chain) through the real multisig.
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { encodeBytes32String, getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ActionKind, Args } from "../../client/guardian-actions.js";
import { at, chainNow, type OperatorChain } from "../lib/chain.js";
import { fail } from "../lib/errors.js";
import { print } from "../lib/output.js";
import { formatDuration, parseAmount, parseDuration, requireAddress, requireCode } from "../lib/validation.js";
import { loadBook, type CommonArgs } from "../operator/common.js";
import { fmt } from "./compensation-core.js";
import {
  ERC20_IFACE,
  MIGRATOR_IFACE,
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

export interface RescueArgs extends CommonArgs {
  incident: string;
  vault: string;
  asset: string;
  amount: string;
  newVault: string;
  releaseTo: string;
  releaseAmount: string;
  label: string;
  out: string;
  signWindow: string;
  forkUrl: string;
  simulate: boolean;
  force: boolean;
}

export const rescueDefaults = {
  incident: "", vault: "", asset: "", amount: "all", newVault: "", releaseTo: "", releaseAmount: "", label: "", out: "",
  signWindow: "3d", forkUrl: "", simulate: false, force: false,
};

export interface RescueResult {
  dryRun: boolean;
  out: string;
  plan: GuardianPlan;
  simulated?: boolean;
}

const ERC4626 = ["function asset() view returns (address)", "function migrator() view returns (address)"];

export async function runRescue(a: RescueArgs, chain: OperatorChain, hre?: HardhatRuntimeEnvironment): Promise<RescueResult> {
  const { book } = loadBook(a, chain);
  const provider = chain.ethers.provider;
  const multisig = requireAddress(book.contracts.guardian, "address book contracts.guardian");
  const vaultAddr = a.vault ? requireAddress(a.vault, "--vault") : requireAddress(book.contracts.vault ?? book.contracts.breaker, "address book contracts.vault");
  await requireCode(provider, vaultAddr, "protected vault (--vault)");
  const vault = await at(chain, "vault", vaultAddr);
  const asset = a.asset ? requireAddress(a.asset, "--asset") : requireAddress(book.contracts.asset, "address book contracts.asset (or pass --asset)");
  await requireCode(provider, asset, "--asset");
  const view = await multisigView(chain, multisig);
  if (!(await view.ms.isManaged(vaultAddr))) fail(`the multisig ${multisig} does not manage ${vaultAddr}: it cannot freeze or rescue there`, "pass the protected contract the multisig manages (--vault)");
  let rvAddr: string;
  try {
    rvAddr = getAddress(await vault.rescueVault());
  } catch {
    return fail(`${vaultAddr} has no rescueVault(): it is not a Breakable contract that can rescue frozen assets`);
  }
  if (BigInt(rvAddr) === 0n) fail(`${vaultAddr} has no rescue vault set`, "the slow path must setRescueVault first (deploy does it for the example vault)");
  const rv = await at(chain, "rescueVault", rvAddr);
  const token = new chain.ethers.Contract(asset, ERC20_IFACE, provider);
  let balance: bigint;
  let symbol = "tokens";
  let decimals = 18;
  try {
    balance = await token.balanceOf(vaultAddr);
    symbol = await token.symbol().catch(() => symbol);
    decimals = Number(await token.decimals().catch(() => 18));
  } catch {
    return fail(`--asset ${asset} does not answer balanceOf: not an ERC-20`);
  }
  const unit = { decimals };
  const amount = !a.amount || a.amount === "all" ? balance : parseAmount(a.amount, "--amount");
  if (amount === 0n) fail(`--amount: ${vaultAddr} holds no ${symbol} (${asset}) to rescue`);
  if (amount > balance) fail(`--amount ${a.amount} exceeds the ${fmt(balance, unit)} ${symbol} that ${vaultAddr} holds`, `pass at most ${balance} (or "all")`);
  const signWindow = parseDuration(a.signWindow || "3d", "--sign-window");

  let newVault: string | undefined;
  let migrator: string | undefined;
  if (a.newVault) {
    newVault = requireAddress(a.newVault, "--new-vault");
    await requireCode(provider, newVault, "--new-vault");
    if (newVault === vaultAddr) fail("--new-vault is the vault being rescued");
    const nv = new chain.ethers.Contract(newVault, ERC4626, provider);
    let nAsset: string;
    try {
      nAsset = getAddress(await nv.asset());
    } catch {
      return fail(`--new-vault ${newVault} is not an ERC-4626 vault (no asset())`);
    }
    if (nAsset !== asset) fail(`--new-vault ${newVault} holds ${nAsset}, not ${asset}: positions cannot migrate there`);
    migrator = requireAddress(book.contracts.migrator, "address book contracts.migrator");
    const vm = getAddress(await new chain.ethers.Contract(vaultAddr, ERC4626, provider).migrator().catch(() => "0x0000000000000000000000000000000000000000"));
    if (vm !== migrator) fail(`${vaultAddr}.migrator() is ${vm}, not the PositionMigrator ${migrator}`, "the slow path must setMigrator on the old vault first");
    const owner = getAddress(await (await at(chain, "migrator", migrator)).owner());
    if (owner !== getAddress(multisig)) fail(`PositionMigrator ${migrator} is owned by ${owner}, not the multisig`, "transfer its ownership to the multisig");
  }
  let releaseTo: string | undefined;
  let releaseAmount = amount;
  if (a.releaseTo) {
    releaseTo = a.releaseTo.toLowerCase() === "merkleclaims" ? requireAddress(book.contracts.merkleClaims, "address book contracts.merkleClaims") : requireAddress(a.releaseTo, "--release-to");
    if (releaseTo === rvAddr) fail("--release-to is the RescueVault itself");
    if (a.releaseAmount) releaseAmount = parseAmount(a.releaseAmount, "--release-amount");
    if (releaseAmount === 0n || releaseAmount > amount + (await rv.balanceOf(asset))) fail(`--release-amount ${releaseAmount} must be positive and at most what the RescueVault will hold (${amount + (await rv.balanceOf(asset))})`);
  }

  const out = a.out ? resolve(a.out) : resolve("reports", "incidents", a.incident || "manual", "rescue");
  if (existsSync(out) && readdirSync(out).length > 0 && !a.force) fail(`--out ${out} exists and is not empty`, "pick another --out or pass --force");

  // ---- plan
  const now = await chainNow(chain);
  const pb = new PlanBuilder(chain, view, now, signWindow);
  const frozen = Boolean(await vault.isFrozen(asset));
  let freeze: PlanStep | undefined;
  if (frozen) pb.notes.push(`${symbol} is already frozen on ${vaultAddr}: no FreezeAsset step.`);
  else freeze = await pb.action(0, 0, "freeze-asset", ActionKind.FreezeAsset, vaultAddr, Args.freezeAsset(asset), `Freeze ${symbol} (${asset}) on ${vaultAddr}: no outflow of it, queued claims of it wait`);
  const rescue = await pb.action(0, 0, "rescue", ActionKind.Rescue, vaultAddr, Args.rescue(asset, amount), `Rescue ${fmt(amount, unit)} ${symbol} of frozen ${asset} from ${vaultAddr} to the RescueVault ${rvAddr}`, { notBefore: freeze?.executableAt ?? 0 });
  const allow: (PlanStep | undefined)[] = [];
  let destRegistered = true;
  if (releaseTo) {
    const dest = await rv.destinationOf(releaseTo);
    destRegistered = BigInt(dest.activeAt ?? dest[0]) !== 0n;
    if (!destRegistered) allow.push(await pb.allowCall(0, 0, rvAddr, RESCUE_VAULT_IFACE, "proposeDestination", "RescueVault"));
    allow.push(await pb.allowCall(0, 0, rvAddr, RESCUE_VAULT_IFACE, "release", "RescueVault"));
  }
  let routeEnabled = true;
  if (newVault) {
    routeEnabled = Boolean(await (await at(chain, "migrator", migrator!)).isRoute(vaultAddr, newVault));
    if (!routeEnabled) allow.push(await pb.allowCall(0, 0, migrator!, MIGRATOR_IFACE, "setRoute", "PositionMigrator"));
  }
  const allowDone = PlanBuilder.doneAt(allow);
  let destActiveAt = 0;
  let releaseQueueAt = allowDone;
  if (releaseTo) {
    const dest = await rv.destinationOf(releaseTo);
    const abs = BigInt(dest.activeAt ?? dest[0]);
    destActiveAt = abs > now ? Number(abs - now) + TIMELOCK_MARGIN : 0;
    if (!destRegistered) {
      const label = encodeBytes32String((a.label || `rescue ${a.incident}`).slice(0, 31).trim());
      const d = Number(await rv.delay());
      const s = await pb.action(0, allowDone, "rescue-vault-register-destination", ActionKind.Call, rvAddr, RESCUE_VAULT_IFACE.encodeFunctionData("proposeDestination", [releaseTo, label]), `Register ${releaseTo} as a RescueVault destination (usable ${formatDuration(d)} after execution)`);
      destActiveAt = s.executableAt + d + TIMELOCK_MARGIN;
      releaseQueueAt = s.executableAt;
    }
  }
  let route: PlanStep | undefined;
  let unfreeze: PlanStep | undefined;
  if (newVault) {
    if (!routeEnabled) route = await pb.action(0, allowDone, "migrator-route", ActionKind.Call, migrator!, MIGRATOR_IFACE.encodeFunctionData("setRoute", [vaultAddr, newVault, true]), `Enable the PositionMigrator route ${vaultAddr} → fixed vault ${newVault}`);
    unfreeze = await pb.action(0, rescue.executableAt, "unfreeze-asset", ActionKind.UnfreezeAsset, vaultAddr, Args.unfreezeAsset(asset), `Unfreeze ${symbol} on ${vaultAddr} after the rescue so positions can migrate (pauses stay as they are)`);
  }
  if (releaseTo) {
    await pb.action(0, releaseQueueAt, "rescue-vault-release", ActionKind.Call, rvAddr, RESCUE_VAULT_IFACE.encodeFunctionData("release", [asset, releaseTo, releaseAmount]), `Release ${fmt(releaseAmount, unit)} ${symbol} from the RescueVault to ${releaseTo}`, {
      notBefore: Math.max(destActiveAt, rescue.executableAt),
      waitsFor: "the rescue and the RescueVault destination timelock",
    });
  }
  if (newVault) {
    const runs = PlanBuilder.doneAt([route, unfreeze]);
    const s = pb.external(0, runs, "Migrate", `Users move their positions: PositionMigrator ${migrator}.migrate(${vaultAddr}, ${newVault}, type(uint256).max, minSharesOut) from their own account, or migrateWithSig for Safes / relayed signatures`, undefined);
    s.executableAt = runs;
    pb.notes.push(
      `Migrations count against ${symbol}'s outflow limit on ${vaultAddr} (and stop while the owner is quarantined or the asset frozen): a position above the window's capacity reverts, so large positions migrate in parts, or the guardians raise the limit first (slow: \`guardian propose --kind SetLimit --args ${asset},<capacity>,<window>,… --out limit.json\`).`,
    );
  }
  const times = [...new Set(pb.steps.map((s) => s.queueAt))].sort((x, y) => x - y);
  for (const s of pb.steps) s.batch = times.indexOf(s.queueAt) + 1;
  pb.notes.push(
    "Each slow action is re-validated when executed; a queued action expires 14 days after its eta (GRACE_PERIOD).",
    `The rescued ${symbol} stays in the RescueVault ${rvAddr} until released to a registered destination${releaseTo ? "" : " (none in this plan: fund a compensation round with `incident compensation --funding rescue-vault`)"}.`,
  );
  const plan = pb.plan(`Rescue playbook${a.incident ? ` — incident ${a.incident}` : ""}: ${symbol} on ${vaultAddr}`);

  let simulated: boolean | undefined;
  if (a.dryRun || a.simulate) {
    const sim = await simulationChain(chain, hre, a.forkUrl);
    try {
      const rvBefore: bigint = await (await at(sim.chain, "rescueVault", rvAddr)).balanceOf(asset);
      simulated = await simulatePlan(sim.chain, plan, pb.files);
      if (simulated) {
        const rvAfter: bigint = await (await at(sim.chain, "rescueVault", rvAddr)).balanceOf(asset);
        const expect = rvBefore + amount - (releaseTo ? releaseAmount : 0n);
        if (rvAfter !== expect) {
          simulated = false;
          pb.notes.push(`dry run: the RescueVault ended with ${rvAfter} ${symbol}, expected ${expect}`);
        } else pb.notes.push(`dry run: all ${plan.steps.length} steps succeeded; the RescueVault ends with ${fmt(rvAfter, unit)} ${symbol}${newVault ? `; route enabled: ${await (await at(sim.chain, "migrator", migrator!)).isRoute(vaultAddr, newVault)}; ${symbol} frozen: ${await (await at(sim.chain, "vault", vaultAddr)).isFrozen(asset)}` : ""}`);
      }
    } finally {
      await sim.close();
    }
  }

  const playbook = renderPlaybook(plan, out, [
    `Freeze ${symbol} on \`${vaultAddr}\`, rescue ${fmt(amount, unit)} ${symbol} to the RescueVault \`${rvAddr}\`${releaseTo ? `, release ${fmt(releaseAmount, unit)} to \`${releaseTo}\`` : ""}${newVault ? `, and let users migrate to the fixed vault \`${newVault}\`` : ""}.`,
    "Fast steps execute as soon as enough guardians signed; slow steps are queued, can be vetoed during their delay, and are executed by anyone afterwards.",
  ]);
  print(`${a.dryRun ? "[dry-run] " : ""}rescue playbook: ${plan.steps.length} step(s)`);
  for (const s of plan.steps) {
    print(`  ${s.n}. [batch ${s.batch}, ${s.path}] t0+${formatDuration(s.queueAt)} → runs t0+${formatDuration(s.executableAt)}: ${s.kindName}: ${s.description}${s.file ? ` → ${s.file}` : ""}${s.simulated ? ` — sim ${s.simulated.ok ? "ok" : "FAILED"}: ${s.simulated.detail}` : ""}`);
  }
  if (a.dryRun) {
    print(`[dry-run] nothing written (would write ${out})`);
    if (simulated === false) fail("the simulated playbook failed (see above)", "fix the cause before proposing");
    return { dryRun: true, out, plan, simulated };
  }
  if (simulated === false) fail("the simulated playbook failed (see above); nothing was written");
  writePlan(out, plan, pb.files, playbook);
  print(`wrote ${out}: ${pb.files.size} action file(s), plan.json, playbook.md`);
  return { dryRun: false, out, plan, simulated };
}

export { join };
