// The drill runner: builds the drill chain (a fresh in-process simulated network, or a fork of a
// live / stand-in chain) served over HTTP, sets up the scenario, starts the REAL keeper in process
// against the same chain with the scenario's rules, plays warm-up traffic, the attack and a
// cool-down under interval mining, then scores the response from the keeper's store and what the
// scenario recorded (tasks/drills/score.ts). Nothing short-circuits detection: the keeper only
// sees the chain through its JSON-RPC endpoint, like in production.
import { mkdtempSync, readdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Wallet, getAddress, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { JsonRpcServer } from "hardhat/types/network";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { Keeper } from "../../keeper/runtime.js";
import type { KeeperConfig, KeeperConfigInput } from "../../keeper/config/schema.js";
import { KeeperStore } from "../../keeper/store/store.js";
import { createLogger } from "../../keeper/ops/log.js";
import type { AlertChannel, AlertMessage } from "../../keeper/types.js";
import type {
  AddressBook,
  DrillActors,
  DrillChain,
  DrillScore,
  DrillTxRecord,
  KeeperSetup,
  Recorder,
  Scenario,
  StepContext,
} from "./types.js";
import { DrillInputError, DrillSkip, type GuardianResponse } from "./types.js";
import { scoreRun, type RunRecord } from "./score.js";
import { chooseAddressBook, preflightFork, type BookChoice, type ForkTarget } from "./attach.js";
import { GuardianDrill, WEBHOOK_SECRET_ENV } from "./guardians.js";
import { loadPlan } from "../../plan/load.js";
import { SEVERITIES } from "../../plan/schema.js";
import { checkRoutes } from "../../keeper/responders/alerts/routing.js";
import { callSignature, containCalldata, readContained } from "../../keeper/responders/contain.js";

export const DEFAULT_INTERVAL_MS = 1_000;
const SENTINEL_KEY_ENV = "BREAKWATER_DRILL_SENTINEL_KEY";
const CONTAIN_KEY_ENV = "BREAKWATER_DRILL_CONTAIN_KEY";
const CANONICAL_MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";

export interface RunOptions {
  /** Fork this JSON-RPC URL instead of a fresh simulated chain. */
  forkUrl?: string;
  forkBlock?: number;
  /** Address book file (default: deployments/<name>.json whose chainId matches the forked chain). */
  addressBook?: string;
  /** The fork checked and its address book chosen (planFork); computed from the above when absent. */
  forkPlan?: ForkPlan;
  /** The team's production keeper config (`--keeper-config`, loaded with keeper/config/load.ts). */
  keeperConfig?: KeeperConfig;
  /** Guardian response mode: the keeper only alerts; scripted guardians pause through the guardian tasks. */
  guardiansRespond?: boolean | GuardianResponse;
  /** The plan's ack / contain targets (ms) for guardian response mode. */
  responseTargets?: { timeToAcknowledgeMs?: number; timeToContainMs?: number };
  /** Block interval (interval mining); default: the scenario's, else 1,000 ms. */
  intervalMs?: number;
  /** Called on every new block and phase change (progress display). */
  onProgress?: (p: { scenario: string; phase: Phase; block: number }) => void;
  /** Keeper log level (default silent; env DRILL_KEEPER_LOG). */
  keeperLogLevel?: string;
  /** Called once the run is scored, while the drill chain (HTTP RPC) and the keeper's store are
   * still alive (the keeper is stopped), e.g. to run forensics (`incident analyze`) on the drill.
   * The chain and the store are torn down when it returns. */
  onFinished?: (finished: { chain: DrillChain; storePath: string; setup: KeeperSetup; score: DrillScore }) => Promise<void> | void;
}

export type Phase = "setup" | "warmup" | "attack" | "cooldown" | "scoring";

/** Every module in tasks/drills/scenarios that exports a Scenario (default or named export): *.ts
 * in the source tree, *.js in the package (dist/tasks/drills/scenarios). */
export async function loadScenarios(dir = resolve(import.meta.dirname, "scenarios")): Promise<Scenario<any>[]> {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts") && !f.startsWith("_")) : [];
  const out: Scenario<any>[] = [];
  for (const f of files.sort()) {
    const mod = (await import(join(dir, f))) as Record<string, unknown>;
    const found = [mod.default, ...Object.values(mod)].find(isScenario);
    if (found && !out.some((s) => s.id === found.id)) out.push(found);
  }
  const order = [
    "multi-tx-drain-copycats",
    "reentrancy-pool-drain",
    "oracle-manipulation-lending",
    "accounting-bug-single-tx",
    "compromised-admin-key",
    "slow-drip-under-thresholds",
    "fast-multi-tx-limiter",
    "benign-whale-busy-traffic",
    "derivatives-oracle-failure",
  ];
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return out.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
}

/** A scenario file of the user's (`drill run ./drills/my-attack.ts`): its default export, or the
 * first exported Scenario. */
export async function loadScenarioFile(file: string, root = process.cwd()): Promise<Scenario<any>> {
  const abs = resolve(root, file);
  if (!existsSync(abs)) throw new DrillInputError(`scenario file ${file} not found (looked at ${abs})`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    throw new DrillInputError(`cannot load scenario file ${file}: ${short(err)}`);
  }
  const found = [mod.default, ...Object.values(mod)].find(isScenario);
  if (!found) throw new DrillInputError(`${file} exports no scenario: \`export default defineScenario({ id, title, setup, keeper, protectedFunds, unit, attack, expectations })\` (from "breakwater/drills")`);
  return found;
}

/** The scenario files of the user's project: <root>/drills/*.ts (listed beside the library). */
export async function loadProjectScenarios(root: string): Promise<{ scenario: Scenario<any>; file: string }[]> {
  const dir = join(root, "drills");
  if (!existsSync(dir)) return [];
  const out: { scenario: Scenario<any>; file: string }[] = [];
  for (const f of readdirSync(dir).filter((x) => /\.(ts|mts|js|mjs)$/.test(x) && !x.endsWith(".d.ts") && !x.startsWith("_")).sort()) {
    const file = join(dir, f);
    try {
      out.push({ scenario: await loadScenarioFile(file, root), file });
    } catch {
      /* a helper module or params next to the scenarios: not a scenario */
    }
  }
  return out;
}

function isScenario(v: unknown): v is Scenario<any> {
  return !!v && typeof v === "object" && typeof (v as Scenario).id === "string" && typeof (v as Scenario).setup === "function" && typeof (v as Scenario).keeper === "function";
}

interface BuiltChain {
  chain: DrillChain;
  server: JsonRpcServer;
  close(): Promise<void>;
  addressBookPath?: string;
}

/** Where the fork points and which address book fits it: checked once per `drill run`, before any
 * simulated network is created (so bad input never leaves a server behind). */
export interface ForkPlan {
  target: ForkTarget;
  book: BookChoice;
}

export async function planFork(opts: Pick<RunOptions, "forkUrl" | "forkBlock" | "addressBook">, root = process.cwd()): Promise<ForkPlan | undefined> {
  if (!opts.forkUrl) {
    if (opts.addressBook) throw new DrillInputError("--address-book only applies with --fork-url (the embedded chain is fresh: scenarios deploy their own contracts)");
    return undefined;
  }
  const target = await preflightFork(opts.forkUrl, opts.forkBlock);
  return { target, book: await chooseAddressBook(target, opts.addressBook, root) };
}

/** A fresh simulated chain (or a fork) served over HTTP on 127.0.0.1:<free port>, with ethers over it. */
export async function buildChain(hre: HardhatRuntimeEnvironment, opts: RunOptions): Promise<BuiltChain> {
  const forkPlan = opts.forkPlan ?? (await planFork(opts, hre.config.paths.root));
  if (forkPlan?.book.refused) throw new DrillSkip(forkPlan.book.refused);
  const fork = forkPlan ? { url: forkPlan.target.url, blockNumber: forkPlan.target.blockNumber } : undefined;
  const server = await hre.network.createServer(
    { network: "default", ...(fork ? { override: { forking: { enabled: true, ...fork } } } : {}) },
    "127.0.0.1",
    0,
  );
  try {
    const { port } = await server.listen();
    const rpcUrl = `http://127.0.0.1:${port}`;
    const conn = await hre.network.create({ network: "localhost", override: { url: rpcUrl, timeout: 120_000 } as never });
    const ethers = (conn as unknown as { ethers: HardhatEthers }).ethers;
    const chainId = Number((await ethers.provider.getNetwork()).chainId);
    const impersonated = new Set<string>();
    const chain: DrillChain = {
      ethers,
      rpcUrl,
      chainId,
      fork,
      forkBlock: fork?.blockNumber,
      addressBook: forkPlan?.book.book,
      keeperConfig: opts.keeperConfig,
      names: {},
      guardiansRespond: !!opts.guardiansRespond,
      async impersonate(address: string): Promise<Signer> {
        const a = address.toLowerCase();
        if (!impersonated.has(a)) {
          await ethers.provider.send("hardhat_impersonateAccount", [address]);
          const bal = await ethers.provider.getBalance(address);
          if (bal < 10n ** 20n) await ethers.provider.send("hardhat_setBalance", [address, "0x56BC75E2D63100000"]); // 100 ETH
          impersonated.add(a);
        }
        return ethers.getSigner(address);
      },
    };
    return {
      chain,
      server,
      addressBookPath: forkPlan?.book.path,
      close: async () => {
        await conn.close().catch(() => undefined);
        await server.close().catch(() => undefined);
      },
    };
  } catch (err) {
    await server.close().catch(() => undefined);
    throw err;
  }
}

/** deployer, 5 guardians, 4 attackers, users; a random sentinel Wallet (funded). On a fork with an
 * address book: deployer = roles.admin, guardians = roles.guardians (impersonated). */
export async function buildActors(chain: DrillChain): Promise<DrillActors & { impersonated: string[] }> {
  const { ethers } = chain;
  const signers = await ethers.getSigners();
  const roles = chain.addressBook?.roles;
  const impersonated: string[] = [];
  let deployer: Signer = signers[0]!;
  let guardians: Signer[] = signers.slice(1, 6);
  if (chain.fork && roles?.admin) {
    deployer = await chain.impersonate(roles.admin);
    impersonated.push(roles.admin);
  }
  if (chain.fork && roles?.guardians?.length) {
    guardians = [];
    for (const g of roles.guardians) {
      guardians.push(await chain.impersonate(g));
      impersonated.push(g);
    }
  }
  const [sentinel, containKey] = [0, 1].map(() => Wallet.createRandom().connect(ethers.provider as never) as unknown as Wallet) as [Wallet, Wallet];
  for (const k of [sentinel, containKey]) await ethers.provider.send("hardhat_setBalance", [k.address, "0x56BC75E2D63100000"]);
  return { deployer, localDeployer: signers[0]!, guardians, sentinel, containKey, attackers: signers.slice(6, 10), users: signers.slice(10), impersonated };
}

class MemoryChannel implements AlertChannel {
  readonly name = "drill-memory";
  readonly messages: (AlertMessage & { receivedAt: number })[] = [];
  async send(message: AlertMessage): Promise<void> {
    this.messages.push({ ...message, receivedAt: Date.now() });
  }
}

/** Run one scenario end to end; returns its score (expectations checked). */
export async function runScenario(hre: HardhatRuntimeEnvironment, scenario: Scenario<any>, opts: RunOptions = {}): Promise<DrillScore> {
  const t0 = Date.now();
  const progress = (phase: Phase, block: number) => opts.onProgress?.({ scenario: scenario.id, phase, block });
  progress("setup", 0);
  const built = await buildChain(hre, opts);
  const { chain } = built;
  const provider = chain.ethers.provider;
  const dir = mkdtempSync(join(tmpdir(), `drill-${scenario.id}-`));
  const store = new KeeperStore(join(dir, "keeper.sqlite"));
  let keeper: Keeper | undefined;
  let guardianDrill: GuardianDrill | undefined;
  const stopWatch = { stop: () => {} };
  try {
    const actors = await buildActors(chain);
    const respondMode = opts.guardiansRespond ?? scenario.guardiansRespond;
    chain.guardiansRespond = !!respondMode;
    const state = await scenario.setup(chain, actors);
    let setup = scenario.keeper(state);
    // No rules of the scenario's own: the team's (--keeper-config) are the drill's rules, for the
    // keeper and for the scoring alike (detection and false alarms count their incidents).
    if (setup.rules.length === 0 && chain.keeperConfig?.rules.length) setup = { ...setup, rules: chain.keeperConfig.rules as KeeperSetup["rules"] };
    const unit = scenario.unit(state);
    const intervalMs = opts.intervalMs ?? scenario.blockIntervalMs ?? DEFAULT_INTERVAL_MS;
    const lateNotes: ((m: string) => void)[] = [];
    if (respondMode) ({ setup, guardianDrill } = await guardianMode(chain, actors, setup, respondMode, (m) => lateNotes[0]?.(m)));

    // ---- the keeper: real pipeline, over the chain's HTTP endpoint
    const head = await provider.getBlockNumber();
    const channel = new MemoryChannel();
    const keeperConfig = drillKeeperConfig(scenario.id, chain, setup, store.path, head);
    const env: NodeJS.ProcessEnv = {};
    const teamChannels = await keepReachableChannels(keeperConfig);
    if (guardianDrill) {
      const url = await guardianDrill.start();
      const channels = [...((keeperConfig.alerts?.channels as unknown[]) ?? []), { type: "webhook", name: "drill-guardians", url, secretEnv: WEBHOOK_SECRET_ENV }];
      keeperConfig.alerts = { ...(keeperConfig.alerts ?? {}), channels } as never;
      env[WEBHOOK_SECRET_ENV] = guardianDrill.secret;
    }
    keeper = new Keeper({
      config: keeperConfig,
      store,
      http: false,
      installMulticall3: true,
      env: { ...(chain.keeperConfig ? process.env : {}), ...env, [SENTINEL_KEY_ENV]: actors.sentinel.privateKey, [CONTAIN_KEY_ENV]: actors.containKey.privateKey },
      channels: [channel],
      retryDelayMs: 50,
      maxRetryDelayMs: 500,
      alertDrainTimeoutMs: 1_000,
      logger: createLogger({ level: (opts.keeperLogLevel ?? process.env.DRILL_KEEPER_LOG ?? "silent") as never }),
    });
    await keeper.start();

    // ---- interval mining from here on
    await provider.send("evm_setAutomine", [false]);
    await provider.send("evm_setIntervalMining", [intervalMs]);

    // Wall-clock time each block was first seen (the runner polls every 20 ms).
    const minedAt = new Map<number, number>();
    let lastSeen = head;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        try {
          const n = await provider.getBlockNumber();
          const now = Date.now();
          for (let b = lastSeen + 1; b <= n; b++) if (!minedAt.has(b)) minedAt.set(b, now);
          if (n > lastSeen) lastSeen = n;
        } catch {
          /* closing */
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    stopWatch.stop = () => {
      watching = false;
    };

    const transactions: DrillTxRecord[] = [];
    const notes: { at: number; block: number | null; message: string }[] = [];
    const series = new Map<number, bigint>();
    let phase: Phase = "warmup";
    let currentBlock = head;
    const record: Recorder = {
      malicious: (hash, note) => void transactions.push({ hash, kind: "malicious", note, blockNumber: null, success: null, attemptedBlock: currentBlock }),
      benign: (hash, note) => void transactions.push({ hash, kind: "benign", note, blockNumber: null, success: null, attemptedBlock: currentBlock }),
      note: (message) => void notes.push({ at: Date.now(), block: currentBlock, message }),
    };
    lateNotes.push(record.note);
    const sample = async () => {
      const n = await provider.getBlockNumber();
      series.set(n, await scenario.protectedFunds(state));
      currentBlock = n;
      progress(phase, n);
    };
    let inBackground = false;
    const ctx: StepContext = {
      chain,
      actors,
      record,
      blockNumber: () => provider.getBlockNumber(),
      nextBlock: async () => {
        const target = (await provider.getBlockNumber()) + 1;
        await keeper!.waitForBlock(target, Math.max(60_000, intervalMs * 20));
        await sample();
        if (scenario.background && !inBackground) {
          inBackground = true;
          try {
            await scenario.background(state, ctx);
          } catch (err) {
            record.note(`background traffic failed: ${short(err)}`);
          } finally {
            inBackground = false;
          }
        }
        return currentBlock;
      },
      send: async (kind, tx, note) => {
        const attemptedBlock = await provider.getBlockNumber();
        try {
          const { hash } = await tx();
          transactions.push({ hash, kind, note, blockNumber: null, success: null, attemptedBlock });
          return hash;
        } catch (err) {
          transactions.push({ hash: "", kind, note, blockNumber: null, success: false, attemptedBlock, error: short(err) });
          return null;
        }
      },
    };

    await sample();
    const startBlock = currentBlock;
    const startedAt = Date.now();
    const warmup = scenario.warmupBlocks ?? 5;
    for (let i = 0; i < warmup; i++) await ctx.nextBlock();
    const before = await scenario.protectedFunds(state);
    phase = "attack";
    const attackStartBlock = await provider.getBlockNumber();
    if (scenario.attack) {
      record.note("attack starts");
      await scenario.attack(state, ctx);
    }
    phase = "cooldown";
    const cooldown = scenario.cooldownBlocks ?? 5;
    for (let i = 0; i < cooldown; i++) await ctx.nextBlock();
    // Guardians still signing: their pause is part of the drill.
    if (guardianDrill) {
      await guardianDrill.settle();
      await ctx.nextBlock();
    }
    // Everything sent is mined: one more block with nothing new, processed by the keeper.
    const endBlock = await ctx.nextBlock();
    const after = await scenario.protectedFunds(state);
    phase = "scoring";
    progress(phase, endBlock);
    await keeper.stop();
    stopWatch.stop();
    await watch;
    await provider.send("evm_setIntervalMining", [0]).catch(() => undefined);
    await provider.send("evm_setAutomine", [true]).catch(() => undefined);

    // ---- receipts of everything recorded
    for (const t of transactions) {
      if (!t.hash) continue;
      const r = await provider.getTransactionReceipt(t.hash);
      if (r) {
        t.blockNumber = r.blockNumber;
        t.success = r.status === 1;
      }
    }
    const blockTimes = new Map<number, number>();
    for (let b = startBlock; b <= endBlock; b++) {
      const blk = await provider.getBlock(b);
      if (blk) blockTimes.set(b, blk.timestamp);
    }

    const measured = scenario.measure ? await scenario.measure(state, { before, after }) : { fundsAtRisk: before, fundsLost: before > after ? before - after : 0n };
    const facts = scenario.facts ? await scenario.facts(state) : {};
    const run: RunRecord = {
      scenario: guardianDrill ? guardianScenario(scenario) : scenario,
      setup,
      unit,
      store,
      alerts: channel.messages,
      transactions,
      notes,
      series: [...series.entries()].sort((a, b) => a[0] - b[0]),
      minedAt,
      blockTimes,
      sentinel: actors.sentinel.address,
      containKey: actors.containKey.address,
      fundsAtRisk: measured.fundsAtRisk,
      fundsLost: measured.fundsLost,
      facts,
      fork: chain.fork ?? null,
      startBlock,
      attackStartBlock,
      endBlock,
      intervalMs,
      chainId: chain.chainId,
      addressBook: built.addressBookPath ?? null,
      pausedLogs: setup.breaker ? await pausedLogs(chain, setup.breaker, startBlock, endBlock) : [],
      ...(await containRecord(chain, keeperConfig, store, startBlock, endBlock)),
      durationMs: Date.now() - t0,
      startedAt,
      impersonated: actors.impersonated,
      pausers: guardianDrill ? [guardianDrill.multisig] : [],
    };
    const score = await scoreRun(run);
    if (teamChannels) score.facts.teamAlertChannels = teamChannels;
    if (guardianDrill) guardianTimes(score, guardianDrill, store, setup, minedAt, blockTimes, opts.responseTargets);
    if (opts.onFinished) await opts.onFinished({ chain, storePath: store.path, setup, score });
    return score;
  } finally {
    stopWatch.stop();
    await keeper?.stop().catch(() => undefined);
    await guardianDrill?.close().catch(() => undefined);
    if (store.db.isOpen) store.close();
    await built.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The keeper config of the drill. With the team's production config (--keeper-config) the drill
 * keeps its rules (unless the scenario brings its own), contracts, responders and alert routing,
 * and overrides only what a drill must: the RPC (the drill chain), the store (a temp file), the
 * signer keys (the drill's sentinel: production keys are not here and must not be), no ops port.
 */
export function drillKeeperConfig(id: string, chain: DrillChain, setup: KeeperSetup, storePath: string, head: number): KeeperConfigInput {
  const team = chain.keeperConfig;
  const rules = setup.rules.length ? setup.rules : (team?.rules ?? []);
  if (rules.length === 0) throw new DrillInputError(`scenario ${id} has no keeper rules: give the scenario rules, or pass --keeper-config <the keeper config you run in production>`);
  const chainCfg = {
    chainId: chain.chainId,
    rpcUrls: [chain.rpcUrl],
    pollIntervalMs: 50,
    startBlock: head + 1,
    multicall3: chain.addressBook?.contracts.multicall3 ?? team?.chain.multicall3 ?? CANONICAL_MULTICALL3,
  };
  // Each lane its own drill key: the sentinel pauses breakers, the contain key calls PauseGates /
  // protocols' pauses, so one drill may do both (the keeper refuses one key for both lanes).
  const contain = drillContain(team, setup);
  const signers = {
    sentinel: { type: "local" as const, keyEnv: SENTINEL_KEY_ENV },
    ...(contain ? { contain: { type: "local" as const, keyEnv: CONTAIN_KEY_ENV } } : {}),
  };
  if (team) {
    return {
      ...(team as unknown as KeeperConfigInput),
      name: `drill-${id} (${team.name})`,
      chain: chainCfg,
      contracts: { ...team.contracts, breaker: setup.breaker || team.contracts.breaker, named: { ...team.contracts.named, ...(setup.named ?? {}) } },
      store: { path: storePath },
      signers,
      rules: rules as never,
      ...(contain ? { responders: { ...(team.responders as unknown as KeeperConfigInput["responders"]), contain } } : {}),
      ops: { ...team.ops, logLevel: "silent" },
    };
  }
  return {
    name: `drill-${id}`,
    chain: chainCfg,
    contracts: { ...(setup.breaker ? { breaker: setup.breaker } : {}), named: setup.named ?? {} },
    store: { path: storePath },
    signers,
    rules,
    alerts: { channels: [] },
    // The keeper outbids ordinary traffic (as a production keeper would), so its pause lands first.
    responders: { sentinel: { priorityFeePerGas: 50, maxFeePerGas: 2_000 }, ...(contain ? { contain } : {}) },
    ops: { logLevel: "silent" },
  };
}

type ContainInput = NonNullable<NonNullable<KeeperConfigInput["responders"]>["contain"]>;
type ContainTargetInput = NonNullable<ContainInput["targets"]>[string];

/** responders.contain of the drill: the team's targets (--keeper-config) with the scenario's over
 * them; the allow-list is the team's plus the scenario's (default: its targets' functions). */
function drillContain(team: KeeperConfig | undefined, setup: KeeperSetup): ContainInput | undefined {
  const own = setup.contain?.targets ?? {};
  const targets: Record<string, ContainTargetInput> = { ...((team?.responders.contain.targets ?? {}) as Record<string, ContainTargetInput>), ...own };
  if (Object.keys(targets).length === 0) return undefined;
  const allowed = new Set([...(team?.responders.contain.allowedSelectors ?? []), ...(setup.contain?.allowedSelectors ?? Object.values(own).map((t) => t.function))]);
  return { allowedSelectors: [...allowed], targets };
}

/**
 * What the keeper's contain calls did, for the score: each included contain attempt with its
 * target's containedWhen view read AT the inclusion block (historical eth_call: exact, however late
 * the runner looks), and the SentinelPaused events of the gates the targets call.
 */
async function containRecord(chain: DrillChain, cfg: KeeperConfigInput, store: KeeperStore, fromBlock: number, toBlock: number): Promise<Pick<RunRecord, "containChecks" | "gatePauses">> {
  const targets = Object.entries((cfg.responders?.contain?.targets ?? {}) as Record<string, ContainTargetInput>);
  if (targets.length === 0) return {};
  const calldata = (t: { function: string; args?: unknown[] }) => containCalldata(t.function, t.args ?? []);
  const containChecks: NonNullable<RunRecord["containChecks"]> = [];
  for (const a of store.txAttempts().filter((x) => x.kind === "contain" && x.status === "included" && x.includedBlock !== undefined)) {
    const found = targets.find(([, t]) => t.to.toLowerCase() === a.to?.toLowerCase() && calldata(t).toLowerCase() === a.data?.toLowerCase());
    if (!found) continue;
    const [name, t] = found;
    const v = t.containedWhen;
    const view = `${callSignature(v.function)} on ${v.target}`;
    // Unreadable here (null): not held against the call.
    const contained = await readContained(chain.ethers.provider, v, a.includedBlock).catch(() => null);
    containChecks.push({ block: a.includedBlock!, hash: a.hash, target: name, to: t.to, view, contained });
  }
  const gates = [...new Set(targets.filter(([, t]) => t.via === "gate").map(([, t]) => t.to.toLowerCase()))];
  const topic = chain.ethers.id("SentinelPaused(address,address,uint64)");
  const gatePauses: NonNullable<RunRecord["gatePauses"]> = [];
  for (const gate of gates) {
    for (const l of await chain.ethers.provider.getLogs({ address: gate, topics: [topic], fromBlock, toBlock })) {
      gatePauses.push({ block: l.blockNumber, gate: l.address, target: getAddress("0x" + l.topics[1]!.slice(26)), by: getAddress("0x" + l.topics[2]!.slice(26)), expiry: Number(BigInt(l.data)), txHash: l.transactionHash });
    }
  }
  return { containChecks, gatePauses };
}

/**
 * The team's alert channels stay in the drill (it rehearses the real paging) when their secrets
 * are in the environment; a channel whose secret is not set here is left out (and said so in the
 * report) instead of failing the drill. When the team's incident plan routes alerts to a channel
 * left out, the keeper would refuse the plan: the drill then runs without the plan's routing (and
 * its rule severities), and says so.
 */
async function keepReachableChannels(cfg: KeeperConfigInput): Promise<string | undefined> {
  const channels = (cfg.alerts?.channels ?? []) as Record<string, unknown>[];
  if (channels.length === 0) return undefined;
  const kept: string[] = [];
  const dropped: string[] = [];
  const ok = channels.filter((c) => {
    const name = String(c.name ?? c.type);
    const missing = Object.entries(c).filter(([k, v]) => /Env$/.test(k) && typeof v === "string" && !process.env[v]?.trim());
    (missing.length ? dropped : kept).push(missing.length ? `${name} (${missing.map(([, v]) => v).join(", ")} not set)` : name);
    return missing.length === 0;
  });
  cfg.alerts = { ...(cfg.alerts ?? {}), channels: ok } as never;
  let planNote = "";
  if (cfg.plan && dropped.length) {
    const plan = await loadPlan(resolve(cfg.plan));
    const routes = Object.fromEntries(SEVERITIES.map((s) => [s, plan.severities[s].channels])) as unknown as Parameters<typeof checkRoutes>[0];
    if (checkRoutes(routes, ok.map((c) => String(c.name ?? c.type))).length) {
      planNote = `; plan ${cfg.plan} not applied (it routes alerts to a channel left out)`;
      delete cfg.plan;
    }
  }
  return `kept: ${kept.join(", ") || "none"}; left out: ${dropped.join(", ") || "none"}${planNote}`;
}

/**
 * Guardian response mode: every acting rule only alerts (the keeper pages, people act); the
 * guardians are the drill chain's local keys of the multisig that can pause the breaker.
 */
async function guardianMode(chain: DrillChain, actors: DrillActors, setup: KeeperSetup, mode: boolean | GuardianResponse, note: (m: string) => void): Promise<{ setup: KeeperSetup; guardianDrill: GuardianDrill }> {
  if (!setup.breaker) throw new DrillSkip("guardian response mode needs a Breakwater breaker the guardians pause (KeeperSetup.breaker); this scenario only contains through responders.contain");
  const multisig = setup.guardian ?? chain.names.guardian ?? chain.addressBook?.contracts.guardian;
  if (!multisig) throw new DrillSkip("guardian response mode needs a guardian multisig that can pause the breaker: set KeeperSetup.guardian, register(chain, \"guardian\", …) in the scenario, or contracts.guardian in the address book");
  const local = new Set((await Promise.all((await chain.ethers.getSigners()).map((s) => s.getAddress()))).map((a) => a.toLowerCase()));
  const guardians: Signer[] = [];
  for (const g of actors.guardians) if (local.has((await g.getAddress()).toLowerCase())) guardians.push(g);
  if (guardians.length === 0) {
    throw new DrillSkip("guardian response mode needs guardian keys that sign for real (EIP-712): the address book's guardians are impersonated on a fork and cannot sign; run a scenario whose multisig has the drill's local guardians");
  }
  const rules = setup.rules.map((r) => (r.act ? ({ ...r, act: false, action: "alert" } as typeof r) : r));
  const paging = new Set(setup.detectionRules ?? setup.rules.map((r) => r.id));
  const opts = typeof mode === "object" ? mode : {};
  const guardianDrill = new GuardianDrill({ ...opts, chain, multisig, breaker: setup.breaker, guardians, pagingRules: paging, note });
  return { setup: { ...setup, rules }, guardianDrill };
}

/** The scenario's expectations in guardian response mode: containment by people is timed, not
 * held to the keeper's block budget; the pause must land. */
function guardianScenario(scenario: Scenario<any>): Scenario<any> {
  const { containWithinBlocks: _c, minSavedPct: _s, maxLossPct: _l, ...rest } = scenario.expectations;
  return { ...scenario, expectations: { ...rest } };
}

function guardianTimes(
  score: DrillScore,
  g: GuardianDrill,
  store: KeeperStore,
  setup: KeeperSetup,
  minedAt: Map<number, number>,
  blockTimes: Map<number, number>,
  targets?: RunOptions["responseTargets"],
): void {
  const t = g.times;
  const detection = new Set(setup.detectionRules ?? setup.rules.map((r) => r.id));
  const first = store
    .incidents()
    .filter((i) => detection.has(i.ruleId) && score.firstMaliciousBlock !== null && i.firstBlock >= score.firstMaliciousBlock)
    .sort((a, b) => a.detectedAt - b.detectedAt)[0];
  t.detectedAt = first?.detectedAt ?? null;
  const wall = (b: number) => minedAt.get(b) ?? (blockTimes.get(b) ?? 0) * 1000;
  if (t.pauseBlock !== null) t.pauseIncludedAt = Math.max(wall(t.pauseBlock), t.thresholdMetAt ?? 0);
  t.timeToAcknowledgeMs = t.detectedAt !== null && t.firstSignatureAt !== null ? t.firstSignatureAt - t.detectedAt : null;
  t.timeToContainMs = t.pauseIncludedAt !== null && score.firstMaliciousBlock !== null ? Math.max(0, t.pauseIncludedAt - wall(score.firstMaliciousBlock)) : null;
  if (targets) t.targets = targets;
  const unmet: string[] = [];
  if (t.pauseBlock === null) unmet.push("the guardians' pause was not included");
  if (targets?.timeToAcknowledgeMs !== undefined && (t.timeToAcknowledgeMs === null || t.timeToAcknowledgeMs > targets.timeToAcknowledgeMs)) unmet.push(`time to acknowledge ${t.timeToAcknowledgeMs ?? "n/a"} ms (plan target ${targets.timeToAcknowledgeMs} ms)`);
  if (targets?.timeToContainMs !== undefined && (t.timeToContainMs === null || t.timeToContainMs > targets.timeToContainMs)) unmet.push(`time to contain ${t.timeToContainMs ?? "n/a"} ms (plan target ${targets.timeToContainMs} ms)`);
  score.guardianResponse = t;
  score.unmet.push(...unmet);
  score.expectationsMet = score.unmet.length === 0;
}

/** Paused(bytes32 indexed scope, uint64 until, address indexed by) logs of the breaker. */
async function pausedLogs(chain: DrillChain, breaker: string, fromBlock: number, toBlock: number): Promise<{ block: number; by: string; scope: string; txHash: string }[]> {
  const topic = chain.ethers.id("Paused(bytes32,uint64,address)");
  const logs = await chain.ethers.provider.getLogs({ address: breaker, topics: [topic], fromBlock, toBlock });
  return logs.map((l) => ({ block: l.blockNumber, scope: l.topics[1]!, by: "0x" + l.topics[2]!.slice(26), txHash: l.transactionHash }));
}

export function short(err: unknown): string {
  const e = err as { shortMessage?: string; reason?: string; message?: string };
  return String(e?.shortMessage ?? e?.reason ?? e?.message ?? err).split("\n")[0]!.slice(0, 200);
}
