// Building blocks of scenarios and templates (re-exported by tasks/drills/api.ts, the package's
// `breakwater/drills`). The scenario API for users: write a drill
// against YOUR protocol in a file of your project, e.g. drills/my-attack.ts, and run it with
// `npx hardhat breakwater drill run ./drills/my-attack.ts` (files in drills/ are also listed by
// `drill list`). A scenario gets the chain (embedded or a fork), the address book of the forked
// deployment, the keeper config you run in production (--keeper-config) and the admin / guardians
// named in the book (impersonated on forks). The attack templates (keyCompromise, repeatedDrain,
// priceManipulation, replay) build whole scenarios from an address book and a few parameters.
import { Contract, Interface, getAddress, isAddress, type Signer } from "ethers";
import type { DrillActors, DrillChain, Scenario, StepContext } from "./types.js";
import { DrillSkip } from "./types.js";

export type {
  AddressBook,
  DrillActors,
  DrillChain,
  DrillScore,
  Expectations,
  GuardianResponse,
  KeeperSetup,
  Recorder,
  Scenario,
  StepContext,
} from "./types.js";
export { DrillSkip } from "./types.js";
export { ATTACK_GAS, DAY, E18, HOUR, OPEN_LIMIT, SCOPE, at, deploy, mined, units, outflowSpikeRule, pausedAlertRule } from "./helpers.js";

/** A scenario as users write it: incidentClass, reference and summary may be left out. */
export type ScenarioInput<S> = Omit<Scenario<S>, "incidentClass" | "reference" | "summary"> & Partial<Pick<Scenario<S>, "incidentClass" | "reference" | "summary">>;

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Declare a scenario (checked at load: a bad field is named, not discovered mid-drill). */
export function defineScenario<S>(scenario: ScenarioInput<S>): Scenario<S> {
  const problems: string[] = [];
  if (typeof scenario?.id !== "string" || !KEBAB.test(scenario.id)) problems.push(`id ${JSON.stringify(scenario?.id)} must be kebab-case, e.g. "my-pool-drain"`);
  if (!scenario?.title) problems.push("title is required");
  for (const f of ["setup", "keeper", "protectedFunds", "unit"] as const) if (typeof scenario?.[f] !== "function") problems.push(`${f}() is required`);
  if (!scenario?.expectations || typeof scenario.expectations !== "object") problems.push("expectations is required (e.g. { containWithinBlocks: 1, minSavedPct: 90 })");
  if (problems.length) throw new Error(`defineScenario(${scenario?.id ?? "?"}): ${problems.join("; ")}`);
  return {
    ...scenario,
    incidentClass: scenario.incidentClass ?? "user scenario",
    reference: scenario.reference ?? { incident: "—", date: "—", loss: "—", url: "" },
    summary: scenario.summary ?? scenario.title,
  };
}

/**
 * A scenario (typically a template's) preceded by a setup of your own: `before` deploys or finds
 * your protocol and register()s its addresses, so a template's "$names" resolve on the embedded
 * chain as they would from the address book on a fork.
 */
export function withSetup<S>(scenario: Scenario<S>, before: (chain: DrillChain, actors: DrillActors) => Promise<void>): Scenario<S> {
  return {
    ...scenario,
    async setup(chain, actors) {
      await before(chain, actors);
      return scenario.setup(chain, actors);
    },
    // Template scenarios set their expectations in setup (containment or detection only).
    get expectations() {
      return scenario.expectations;
    },
  };
}

// ---------------------------------------------------------------- names

/** Make `address` resolvable as "$name" in calls and rules of this drill (e.g. a contract the
 * scenario deployed on the embedded chain, standing in for the address book). */
export function register(chain: DrillChain, name: string, address: string): string {
  if (!isAddress(address)) throw new Error(`register(${name}): ${address} is not an address`);
  chain.names[name] = getAddress(address);
  return chain.names[name]!;
}

/**
 * Every "$name" a drill can use: the scenario's registered names, the template's `named`, the
 * address book's contracts and roles ($admin, $deployer, $guardian0…), the keeper config's named
 * contracts and $breaker, and the drill's actors ($sentinel — the keeper's drill key — $containKey — its contain key — $attacker,
 * $attacker1…, $user0…).
 */
export async function drillNames(chain: DrillChain, actors?: DrillActors, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const team = chain.keeperConfig;
  if (team) {
    Object.assign(out, team.contracts.named);
    if (team.contracts.breaker) out.breaker = team.contracts.breaker;
    if (team.contracts.guardian) out.guardian = team.contracts.guardian;
  }
  const book = chain.addressBook;
  if (book) {
    Object.assign(out, book.contracts);
    if (book.roles?.admin) out.admin = book.roles.admin;
    if (book.roles?.deployer) out.deployer = book.roles.deployer;
    book.roles?.guardians?.forEach((g, i) => (out[`guardian${i}`] = g));
  }
  if (actors) {
    out.sentinel = actors.sentinel.address;
    out.containKey = actors.containKey.address;
    const attackers = await Promise.all(actors.attackers.map((a) => a.getAddress()));
    attackers.forEach((a, i) => (out[i === 0 ? "attacker" : `attacker${i}`] = a));
    (await Promise.all(actors.users.map((u) => u.getAddress()))).forEach((u, i) => (out[`user${i}`] = u));
    if (!out.admin) out.admin = await actors.deployer.getAddress();
  }
  Object.assign(out, chain.names, extra);
  return out;
}

/** "$name" → its address, "0x…" → checksummed; anything else is refused naming `field`. */
export function resolveAddress(ref: string, names: Record<string, string>, field = "address"): string {
  if (typeof ref === "string" && ref.startsWith("$")) {
    const v = names[ref.slice(1)];
    if (!v) {
      throw new DrillSkip(
        `${field} "${ref}" is not known here: pass --address-book <book with contracts.${ref.slice(1)}>, add it to the params' "named", or register() it in the scenario's setup (known: ${Object.keys(names).sort().join(", ") || "none"})`,
      );
    }
    return getAddress(v);
  }
  if (typeof ref !== "string" || !isAddress(ref)) throw new DrillSkip(`${field} ${JSON.stringify(ref)} is neither a 0x address nor a "$name"`);
  return getAddress(ref);
}

/** Arguments of a configured call: "$name" → address, "$self" → the sender, "1.5e18" → bigint. */
export function resolveArgs(args: unknown[], names: Record<string, string>, self?: string): unknown[] {
  const one = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(one);
    if (typeof v !== "string") return v;
    if (v === "$self") {
      if (!self) throw new DrillSkip(`"$self" used in a call without a sender`);
      return self;
    }
    if (/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v)) return resolveAddress(v, names, "argument");
    const m = /^(\d+(?:\.\d+)?)e(\d+)$/.exec(v);
    if (m) return parseScaled(m[1]!, Number(m[2]));
    return v;
  };
  return args.map(one);
}

function parseScaled(mantissa: string, exp: number): bigint {
  const [w, f = ""] = mantissa.split(".");
  if (f.length > exp) throw new DrillSkip(`amount ${mantissa}e${exp} has more decimals than its exponent`);
  return BigInt(w! + f.padEnd(exp, "0"));
}

/** An amount in params: a number, a decimal string, or "1.5e18". */
export function amountOf(v: string | number | bigint | undefined, field: string): bigint {
  if (v === undefined) return 0n;
  if (typeof v === "bigint") return v;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new DrillSkip(`${field} ${v}: write amounts above 2^53 as strings ("1000e18")`);
    return BigInt(v);
  }
  const m = /^(\d+(?:\.\d+)?)e(\d+)$/.exec(v);
  if (m) return parseScaled(m[1]!, Number(m[2]));
  if (/^\d+$/.test(v)) return BigInt(v);
  throw new DrillSkip(`${field} ${JSON.stringify(v)} is not an amount (e.g. "250000e18" or "1000")`);
}

// ---------------------------------------------------------------- calls

/** A call configured by signature and arguments: works against any contract. */
export interface CallSpec {
  /** Who sends it: "$admin", "$attacker", "$guardian0", an address (impersonated), … Default: the template's actor. */
  from?: string;
  /** The contract: "$pool" or an address. */
  to: string;
  /** "withdraw(uint256)" or "function withdraw(uint256 amount)". */
  signature: string;
  args?: unknown[];
  /** ETH sent (wei, or "1e18"). */
  value?: string | number;
  gasLimit?: number;
  /** For the report. */
  note?: string;
}

/** Calldata of `signature(args)`; a wrong signature or argument is refused naming both. */
export function encodeCall(signature: string, args: unknown[]): string {
  const sig = signature.trim().startsWith("function ") ? signature.trim() : `function ${signature.trim()}`;
  let iface: Interface;
  try {
    iface = new Interface([sig]);
  } catch (err) {
    throw new DrillSkip(`call signature "${signature}" is not a Solidity function signature (e.g. "withdraw(uint256)"): ${(err as Error).message.split("\n")[0]}`);
  }
  const fn = iface.fragments[0] as unknown as { name: string };
  try {
    return iface.encodeFunctionData(fn.name, args);
  } catch (err) {
    throw new DrillSkip(`arguments ${JSON.stringify(args, (_, v) => (typeof v === "bigint" ? v.toString() : v))} do not fit "${signature}": ${(err as { shortMessage?: string }).shortMessage ?? (err as Error).message}`);
  }
}

/** Signer for "$name" / an address: impersonated (the drill chain is a Hardhat network, embedded or fork). */
export async function actorFor(chain: DrillChain, ref: string, names: Record<string, string>, field = "from"): Promise<Signer> {
  return chain.impersonate(resolveAddress(ref, names, field));
}

/** Build the transaction of a CallSpec: { to, data, value, gasLimit }. */
export function txOf(spec: CallSpec, names: Record<string, string>, self: string) {
  const to = resolveAddress(spec.to, names, `call ${spec.signature}: to`);
  const data = encodeCall(spec.signature, resolveArgs(spec.args ?? [], names, self));
  return { to, data, value: amountOf(spec.value, `call ${spec.signature}: value`), gasLimit: spec.gasLimit ?? 1_000_000 };
}

/** Send a configured call in setup (automine): waits, throws with the revert reason on failure. */
export async function callNow(chain: DrillChain, spec: CallSpec, names: Record<string, string>, defaultFrom: string): Promise<void> {
  const signer = await actorFor(chain, spec.from ?? defaultFrom, names);
  const self = await signer.getAddress();
  const tx = txOf(spec, names, self);
  try {
    await (await signer.sendTransaction(tx)).wait();
  } catch (err) {
    const e = err as { shortMessage?: string; message?: string };
    throw new DrillSkip(`setup call ${spec.note ?? spec.signature} from ${self} to ${tx.to} failed: ${e.shortMessage ?? e.message?.split("\n")[0]}`);
  }
}

/** Send a configured call during the attack (interval mining: not awaited) and record it. */
export async function sendCall(ctx: StepContext, kind: "malicious" | "benign", spec: CallSpec, names: Record<string, string>, defaultFrom: string): Promise<string | null> {
  const signer = await actorFor(ctx.chain, spec.from ?? defaultFrom, names);
  const self = await signer.getAddress();
  const tx = txOf(spec, names, self);
  return ctx.send(kind, () => signer.sendTransaction(tx), spec.note ?? `${spec.signature} from ${short(self)}`);
}

// ---------------------------------------------------------------- funds and traffic

const ERC20 = [
  "function balanceOf(address) view returns (uint256)",
  "function transfer(address,uint256) returns (bool)",
  "function approve(address,uint256) returns (bool)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
  "function mint(address,uint256)",
];

/** Balance of `holder` in `token` ("ETH" for ether). */
export async function balanceOf(chain: DrillChain, token: string, holder: string): Promise<bigint> {
  if (token.toUpperCase() === "ETH") return chain.ethers.provider.getBalance(holder);
  return (await new Contract(token, ERC20, chain.ethers.provider).getFunction("balanceOf")(holder)) as bigint;
}

/** Symbol and decimals of a token (ETH: 18), for the report. */
export async function tokenUnit(chain: DrillChain, token: string): Promise<{ symbol: string; decimals: number }> {
  if (token.toUpperCase() === "ETH") return { symbol: "ETH", decimals: 18 };
  const code = await chain.ethers.provider.getCode(token);
  if (code === "0x") throw new DrillSkip(`no contract at token ${token} at the drill's block: is this the right chain and block?`);
  const c = new Contract(token, ERC20, chain.ethers.provider);
  const symbol = await c.getFunction("symbol")().catch(() => "units");
  const decimals = Number(await c.getFunction("decimals")().catch(() => 18));
  return { symbol: String(symbol), decimals };
}

/** Give `to` ether (hardhat_setBalance). */
export async function fundEth(chain: DrillChain, to: string, wei: bigint): Promise<void> {
  await chain.ethers.provider.send("hardhat_setBalance", [to, "0x" + wei.toString(16)]);
}

/** Give `to` `amount` of `token`: transferred from an impersonated `whale` (forks of real tokens),
 * else minted (test tokens with an open mint). */
export async function fundToken(chain: DrillChain, token: string, to: string, amount: bigint, whale?: string): Promise<void> {
  if (whale) {
    const w = await chain.impersonate(whale);
    const have = await balanceOf(chain, token, whale);
    if (have < amount) throw new DrillSkip(`whale ${whale} holds ${have} of ${token} at this block, less than the ${amount} needed: name a bigger holder`);
    await (await (new Contract(token, ERC20, w) as Contract).getFunction("transfer")(to, amount)).wait();
    return;
  }
  const minter = (await chain.ethers.getSigners())[0]!;
  try {
    await (await (new Contract(token, ERC20, minter) as Contract).getFunction("mint")(to, amount)).wait();
  } catch {
    throw new DrillSkip(`cannot mint ${token}: name a whale (a holder of the token at the fork block) to fund from`);
  }
}

/** Measures the protected funds: the balance of `holder` in `token`, for Scenario.protectedFunds. */
export function fundsHeldBy(chain: () => DrillChain, token: string, holder: string): () => Promise<bigint> {
  return () => balanceOf(chain(), token, holder);
}

/**
 * Benign background traffic for Scenario.background: each block, the next user sends one of the
 * configured calls (round robin), e.g. small deposits and withdrawals, recorded as benign.
 */
export function backgroundTraffic(calls: CallSpec[], names: () => Record<string, string>, users: () => string[]): (state: unknown, ctx: StepContext) => Promise<void> {
  let i = 0;
  return async (_state, ctx) => {
    if (calls.length === 0) return;
    const call = calls[i % calls.length]!;
    const who = call.from ?? users()[i % Math.max(1, users().length)]!;
    i++;
    await sendCall(ctx, "benign", call, names(), who);
  };
}

const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;


// ---------------------------------------------------------------- whales

const TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

/**
 * An EOA holding at least `amount` of `token` at the drill's block, found among the recipients of
 * the token's Transfer logs in the last `lookbackBlocks` blocks (biggest recent inflows checked
 * first, with balanceOf) — a whale to fund a drill from on a fork of a token no one can mint.
 * Contracts are never chosen (taking a pool's or a pair's balance would change the market the
 * drill plays in), nor `exclude`. Null when no recent recipient holds enough.
 */
export async function findWhale(
  chain: DrillChain,
  token: string,
  amount: bigint,
  opts: { exclude?: string[]; lookbackBlocks?: number; chunkBlocks?: number; maxChecks?: number } = {},
): Promise<string | null> {
  const provider = chain.ethers.provider;
  const exclude = new Set((opts.exclude ?? []).map((a) => a.toLowerCase()));
  const head = await provider.getBlockNumber();
  const floor = Math.max(0, head - (opts.lookbackBlocks ?? 20_000));
  const chunk = opts.chunkBlocks ?? 2_000;
  const checked = new Set<string>();
  let checks = opts.maxChecks ?? 40;
  for (let to = head; to >= floor && checks > 0; to -= chunk) {
    const from = Math.max(floor, to - chunk + 1);
    let logs: { topics: readonly string[]; data: string }[];
    try {
      logs = await provider.getLogs({ address: token, topics: [TRANSFER_TOPIC], fromBlock: from, toBlock: to });
    } catch {
      return null; // the RPC refuses the range: no whale found this way
    }
    const inflow = new Map<string, bigint>();
    for (const l of logs) {
      if (l.topics.length < 3) continue;
      const who = getAddress("0x" + l.topics[2]!.slice(26)).toLowerCase();
      if (exclude.has(who) || checked.has(who) || /^0x0{40}$/.test(who)) continue;
      inflow.set(who, (inflow.get(who) ?? 0n) + (l.data && l.data !== "0x" ? BigInt(l.data) : 0n));
    }
    for (const [who] of [...inflow].sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : 0))) {
      if (checks-- <= 0) break;
      checked.add(who);
      if ((await provider.getCode(who)) !== "0x") continue;
      if ((await balanceOf(chain, token, who)) >= amount) return getAddress(who);
    }
    if (from === floor) break;
  }
  return null;
}
