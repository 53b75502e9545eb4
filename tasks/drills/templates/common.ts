// What every attack template shares: names resolved from the address book / params / the drill's
// actors, the protected funds (a token balance of a holder), the keeper's rules (the team's, from
// --keeper-config, unless the params bring their own), and the pause path — containment is scored
// only when the keeper can really pause something in this chain; otherwise the drill scores
// detection and the report says why.
import { Contract, getAddress, isAddress } from "ethers";
import type { RuleInput } from "../../../keeper/detectors/schema.js";
import { BREAKER_ABI } from "../../../keeper/responders/abi.js";
import { HOUR } from "../helpers.js";
import { balanceOf, callNow, drillNames, resolveAddress, sendCall, tokenUnit, type CallSpec } from "../kit.js";
import { DrillSkip, type DrillActors, type DrillChain, type Expectations, type Scenario, type StepContext } from "../types.js";

export interface TemplateBase {
  /** Scenario id and title in the report (defaults name the template). */
  id?: string;
  title?: string;
  /** The real incident this rehearses, for the report (a replay names the one it replays). */
  reference?: { incident: string; date: string; loss: string; url: string };
  /** Extra names for "$name" (address book entries win over nothing; these win over the book). */
  named?: Record<string, string>;
  /** The funds the attack goes after: `token` ("ETH" or "$asset" / an address) held by `holder`. */
  funds: { token: string; holder: string };
  /** The contract the keeper pauses (a Breakable protocol or a CircuitBreaker). Default "$breaker". */
  breaker?: string;
  /** Keeper rules; default: the rules of --keeper-config, else one outflow rule on `funds`. */
  rules?: RuleInput[];
  /** Share of the funds one block may move before the default rule fires (default 0.05). */
  spikeShare?: number;
  /**
   * How the keeper gets a pause it can drive on this chain: `grant` calls (sent in setup, by
   * default from the impersonated "$admin") e.g. `setSentinel($sentinel, 3600, 0)` or a grant to a
   * gate; with `auto` (default true) the runner also tries `setSentinel($sentinel, …)` as the
   * book's admin when the breaker is Breakable but its sentinel is another key.
   */
  pausePath?: { grant?: CallSpec[]; auto?: boolean };
  /** Calls sent in setup before the drill (approvals, deposits, …); default sender "$admin". */
  setupCalls?: CallSpec[];
  /** Benign calls, one per block, round robin over the drill's users ("$self" = the user). */
  background?: CallSpec[];
  /** Override the template's expectations (containment ones are dropped when there is no pause path). */
  expectations?: Omit<Expectations, "custom">;
  warmupBlocks?: number;
  cooldownBlocks?: number;
  blockIntervalMs?: number;
}

export interface TemplateState {
  chain: DrillChain;
  actors: DrillActors;
  names: Record<string, string>;
  token: string;
  holder: string;
  unit: { symbol: string; decimals: number };
  breaker: string;
  /** null when the keeper can pause; else why not (detection only). */
  noPausePath: string | null;
  users: string[];
  tick: number;
  facts: Record<string, string | number>;
}

/** The shape of a template: its own setup, attack and default expectations on top of the base. */
export interface TemplateSpec<P extends TemplateBase> {
  template: string;
  title: string;
  incidentClass: string;
  reference: Scenario["reference"];
  summary: string;
  /** Expectations when the keeper can pause / when it can only detect. */
  contain: Expectations;
  prepare?(s: TemplateState, params: P): Promise<void>;
  attack(s: TemplateState, ctx: StepContext, params: P): Promise<void>;
}

const MIN_PAUSE = 60;

/** Try to give the drill's sentinel a pause on `breaker`; null when it has one, else why not. */
export async function ensurePausePath(s: TemplateState, pausePath: TemplateBase["pausePath"]): Promise<string | null> {
  for (const g of pausePath?.grant ?? []) await callNow(s.chain, g, s.names, "$admin");
  const ours = s.actors.sentinel.address.toLowerCase();
  const breaker = new Contract(s.breaker, BREAKER_ABI.concat(["function setSentinel(address,uint64,uint64)", "function pauseBounds() view returns (uint64,uint64)"]), s.chain.ethers.provider);
  if ((await s.chain.ethers.provider.getCode(s.breaker)) === "0x") return `no contract at the breaker ${s.breaker}`;
  let state: { sentinel: string; armed: boolean; maxDuration: bigint; cooldown: bigint };
  try {
    const r = await breaker.getFunction("sentinelState")();
    state = { sentinel: String(r[0]), armed: Boolean(r[1]), maxDuration: BigInt(r[2]), cooldown: BigInt(r[3]) };
  } catch {
    return `${s.breaker} has no sentinelState(): the protocol is not Breakable here and no pause power was granted (params.pausePath.grant: calls by its impersonated admin that give the keeper a pause it drives, e.g. to a CircuitBreaker or a PauseGate)`;
  }
  if (state.sentinel.toLowerCase() === ours && state.armed) return null;
  if (pausePath?.auto === false) return `the breaker's sentinel is ${state.sentinel}, not the drill's keeper key, and pausePath.auto is false`;
  const admin = s.names.admin;
  if (!admin) return `the breaker's sentinel is ${state.sentinel}; no admin is named ($admin in the address book's roles) to hand the sentinel role to the drill's keeper in the fork`;
  let maxDuration = state.maxDuration;
  if (maxDuration < BigInt(MIN_PAUSE)) maxDuration = BigInt(((await breaker.getFunction("pauseBounds")().catch(() => [HOUR])) as bigint[])[0]!);
  try {
    const signer = await s.chain.impersonate(admin);
    await (await (breaker.connect(signer) as Contract).getFunction("setSentinel")(s.actors.sentinel.address, maxDuration, state.cooldown)).wait();
  } catch (err) {
    const e = err as { shortMessage?: string; message?: string };
    return `impersonating the admin ${admin} to make the drill's keeper the sentinel of ${s.breaker} failed (${e.shortMessage ?? e.message?.split("\n")[0]}): name the key holding RECOVERY_ROLE as $admin, or grant a pause in params.pausePath.grant`;
  }
  s.facts.pausePowerGranted = `setSentinel by impersonated admin ${admin}`;
  return null;
}

/** The default rule when neither the params nor the team's config bring rules: an outflow spike
 * of the protected funds (acting when the keeper can pause). */
function defaultRules(s: TemplateState, spikeShare: number): RuleInput[] {
  return [
    {
      id: "protected-funds-outflow",
      description: `One block moved more than ${spikeShare * 100}% of the protected funds out of ${s.holder}`,
      severity: "P1",
      action: s.noPausePath ? "alert" : "pause",
      act: !s.noPausePath,
      ...(s.noPausePath ? {} : { pause: { scope: "GLOBAL" as const, durationSeconds: HOUR } }),
      cooldown: { blocks: 20 },
      detector: { kind: "statistic", token: "$fundsToken", holder: "$fundsHolder", warmupBlocks: 4, window: 10, zThreshold: 6, spikeShare },
    } as RuleInput,
  ];
}

/** A Scenario from a template spec and its params. */
export function buildTemplate<P extends TemplateBase>(spec: TemplateSpec<P>, params: P): Scenario<TemplateState> {
  if (!params || typeof params !== "object") throw new Error(`template ${spec.template}: params must be an object`);
  if (!params.funds?.token || !params.funds?.holder) throw new Error(`template ${spec.template}: params.funds { token, holder } is required (the funds the attack goes after, e.g. { "token": "$asset", "holder": "$pool" })`);
  const scenario: Scenario<TemplateState> = {
    id: params.id ?? `template-${spec.template}`,
    title: params.title ?? spec.title,
    incidentClass: spec.incidentClass,
    reference: params.reference ?? spec.reference,
    summary: spec.summary,
    warmupBlocks: params.warmupBlocks ?? 5,
    cooldownBlocks: params.cooldownBlocks ?? 4,
    blockIntervalMs: params.blockIntervalMs,
    expectations: { ...spec.contain, ...(params.expectations ?? {}) },

    async setup(chain, actors) {
      const names = await drillNames(chain, actors, params.named ?? {});
      const s: TemplateState = {
        chain,
        actors,
        names,
        token: params.funds.token.toUpperCase() === "ETH" ? "ETH" : resolveAddress(params.funds.token, names, "funds.token"),
        holder: resolveAddress(params.funds.holder, names, "funds.holder"),
        unit: { symbol: "", decimals: 18 },
        breaker: "",
        noPausePath: null,
        users: await Promise.all(actors.users.slice(0, 4).map((u) => u.getAddress())),
        tick: 0,
        facts: { template: spec.template },
      };
      if ((await chain.ethers.provider.getCode(s.holder)) === "0x") throw new DrillSkip(`funds.holder ${params.funds.holder} (${s.holder}) has no code at this block: fork at or after its deployment, or pass the right --address-book`);
      s.unit = await tokenUnit(chain, s.token);
      for (const c of params.setupCalls ?? []) await callNow(chain, c, names, "$admin");
      const breakerRef = params.breaker ?? (names.breaker ? "$breaker" : undefined);
      if (breakerRef) {
        s.breaker = resolveAddress(breakerRef, names, "breaker");
        s.noPausePath = await ensurePausePath(s, params.pausePath);
      } else {
        s.breaker = s.holder;
        s.noPausePath = "no breaker is named (params.breaker, contracts.breaker of the keeper config or the address book): nothing the keeper could pause";
      }
      if (s.noPausePath) {
        // Detection only: containment cannot be scored where the keeper cannot pause.
        const { containWithinBlocks: _c, minSavedPct: _m, maxLossPct: _l, ...rest } = { ...spec.contain, ...(params.expectations ?? {}) };
        scenario.expectations = { ...rest, mustDetect: true };
        s.facts.containment = `not scored — detection only: ${s.noPausePath}`;
      } else {
        scenario.expectations = { ...spec.contain, ...(params.expectations ?? {}) };
        s.facts.containment = chain.guardiansRespond ? `scored: the guardians pause ${s.breaker} through their multisig (the keeper only alerts)` : `scored: the keeper's sentinel can pause ${s.breaker}`;
      }
      await spec.prepare?.(s, params);
      return s;
    },

    keeper(s) {
      const named: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.names)) if (isAddress(v)) named[k] = getAddress(v);
      if (s.token !== "ETH") named.fundsToken = s.token;
      named.fundsHolder = s.holder;
      const rules = params.rules ?? (s.chain.keeperConfig ? [] : defaultRules(s, params.spikeShare ?? 0.05));
      const team = s.chain.keeperConfig;
      // Rules that pause cannot act without a pause path: they still detect (alert).
      const adjust = (r: RuleInput): RuleInput => (s.noPausePath && r.act ? ({ ...r, act: false, action: "alert" } as RuleInput) : r);
      return {
        breaker: s.breaker,
        named,
        rules: (rules.length ? rules : (team?.rules as RuleInput[] | undefined) ?? []).map(adjust),
      };
    },

    protectedFunds: (s) => balanceOf(s.chain, s.token, s.holder),
    unit: (s) => s.unit,

    async background(s, ctx) {
      const calls = params.background ?? [];
      if (!calls.length) return;
      const call = calls[s.tick % calls.length]!;
      const who = call.from ?? s.users[s.tick % s.users.length]!;
      s.tick++;
      await sendCall(ctx, "benign", call, s.names, who);
    },

    attack: (s, ctx) => spec.attack(s, ctx, params),
    facts: async (s) => s.facts,
  };
  return scenario;
}
