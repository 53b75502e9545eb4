// Template (b): a repeated drain through one configured function: the attacker calls it, then
// copycats replay it with their own address over several blocks (Nomad: hundreds of copycats
// replayed the first exploit's calldata). "$self" in the call's args is each sender's address.
import { Wallet } from "ethers";
import { amountOf, callNow, fundEth, fundToken, resolveAddress, sendCall, type CallSpec } from "../kit.js";
import { buildTemplate, type TemplateBase } from "./common.js";

export interface RepeatedDrainParams extends TemplateBase {
  /** The drain call, sent by the attacker and then by each copycat (sender = "$self"). */
  call: CallSpec;
  /** Copycats per round after the first exploit (default 3). */
  copycats?: number;
  /** Rounds of copycats, one block each (default 3). */
  rounds?: number;
  /** Calls every attacker sends in setup (approve, deposit a small stake, …), as "$self". */
  attackerSetup?: CallSpec[];
  /** Funds each attacker starts with (for attackerSetup): a token ("$asset") and an amount, from a whale or minted. */
  attackerFunds?: { token: string; amount: string | number; whale?: string };
}

export function repeatedDrain(params: RepeatedDrainParams) {
  if (!params?.call?.to || !params.call.signature) throw new Error("template repeated-drain: params.call { to, signature, args } is required (the drain function)");
  const copycats = params.copycats ?? 3;
  const rounds = params.rounds ?? 3;
  if (!Number.isInteger(copycats) || copycats < 0 || copycats > 20) throw new Error(`template repeated-drain: params.copycats ${copycats} must be 0..20`);
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > 20) throw new Error(`template repeated-drain: params.rounds ${rounds} must be 0..20`);
  let senders: string[] = [];
  return buildTemplate<RepeatedDrainParams>(
    {
      template: "repeated-drain",
      title: "Repeated drain by an attacker and copycats over several blocks",
      incidentClass: "repeated drain through one function; copycat replays",
      reference: { incident: "Nomad bridge", date: "2022-08-01", loss: "~$190M", url: "https://medium.com/nomad-xyz-blog/nomad-bridge-hack-root-cause-analysis-875ad2e5aacd" },
      summary: `The attacker drains through ${params.call.signature}; then ${copycats} copycats per block replay it with their own address for ${rounds} block(s).`,
      contain: { containWithinBlocks: 1, minSavedPct: 50, maxFalseAlarms: 0 },
      async prepare(s, p) {
        const own = await Promise.all(s.actors.attackers.map((a) => a.getAddress()));
        // More copycats than local attacker keys: fresh addresses, impersonated.
        const extra = Array.from({ length: Math.max(0, 1 + copycats - own.length) }, () => Wallet.createRandom().address);
        senders = [...own, ...extra].slice(0, 1 + copycats);
        for (const who of senders) {
          await fundEth(s.chain, who, 10n ** 20n);
          if (p.attackerFunds) {
            const token = resolveAddress(p.attackerFunds.token, s.names, "attackerFunds.token");
            await fundToken(s.chain, token, who, amountOf(p.attackerFunds.amount, "attackerFunds.amount"), p.attackerFunds.whale ? resolveAddress(p.attackerFunds.whale, s.names, "attackerFunds.whale") : undefined);
          }
          for (const c of p.attackerSetup ?? []) await callNow(s.chain, { ...c, from: who }, s.names, who);
        }
        s.facts.attackers = senders.length;
      },
      async attack(s, ctx, p) {
        ctx.record.note(`the attacker drains through ${p.call.signature}`);
        await sendCall(ctx, "malicious", { ...p.call, from: senders[0]!, note: p.call.note ?? "exploit" }, s.names, senders[0]!);
        await ctx.nextBlock();
        for (let r = 0; r < rounds; r++) {
          if (r === 0 && copycats > 0) ctx.record.note("copycats replay the exploit with their own address");
          for (let c = 1; c <= copycats; c++) {
            await sendCall(ctx, "malicious", { ...p.call, from: senders[c]!, note: `copycat ${c} replays the exploit` }, s.names, senders[c]!);
          }
          await ctx.nextBlock();
        }
      },
    },
    params,
  );
}
