// Template (a): a privileged key is compromised. The key named in the params (e.g. "$admin", or an
// address) is impersonated and makes the configured calls — a role grant, a limit raise, an
// upgrade, a drain — one per block. Modelled on Ronin (validator keys) and every "admin key
// leaked" incident since.
import { sendCall, type CallSpec } from "../kit.js";
import { buildTemplate, type TemplateBase } from "./common.js";

export interface KeyCompromiseParams extends TemplateBase {
  /** The compromised key: "$admin", "$guardian0", "$owner" (params.named) or an address. */
  key: string;
  /** What the attacker does with it, in order (sender: the key, unless a call says otherwise). */
  calls: CallSpec[];
  /** Blocks between calls (default 1). */
  blocksBetween?: number;
}

export function keyCompromise(params: KeyCompromiseParams) {
  if (!params?.key) throw new Error('template key-compromise: params.key is required (the compromised key, e.g. "$admin")');
  if (!Array.isArray(params.calls) || params.calls.length === 0) throw new Error("template key-compromise: params.calls needs at least one call { to, signature, args }");
  return buildTemplate<KeyCompromiseParams>(
    {
      template: "key-compromise",
      title: "Privileged key compromise: the attacker acts with a leaked key",
      incidentClass: "privileged-key compromise (role grant, limit raise, upgrade, drain)",
      reference: { incident: "Ronin bridge", date: "2022-03-23", loss: "~$625M", url: "https://roninchain.com/blog/posts/back-to-building-ronin-security-breach-6513cc78a5edc1001b03c364" },
      summary: "A privileged key is impersonated and makes the configured calls, one per block; the keeper watches under the team's rules.",
      contain: { containWithinBlocks: 2, minSavedPct: 50, maxFalseAlarms: 0 },
      async attack(s, ctx, p) {
        for (const [i, call] of p.calls.entries()) {
          if (i === 0) ctx.record.note(`the attacker acts with the compromised key ${p.key}`);
          await sendCall(ctx, "malicious", call, s.names, p.key);
          for (let b = 0; b < (p.blocksBetween ?? 1); b++) await ctx.nextBlock();
        }
      },
    },
    params,
  );
}
