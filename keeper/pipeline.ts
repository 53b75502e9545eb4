// Building the detect → decide → respond pipeline from the config. The runtime only knows the
// small interfaces below; the modules that implement them live in detectors/, policy/ and
// responders/ (and signers/ for the sentinel key). This file is the one place that wires them.
import type { KeeperConfig } from "./config/schema.js";
import type { KeeperStore } from "./store/store.js";
import type { BlockRef, Decision, Detector, Finding } from "./types.js";
import type { Provider } from "ethers";
import type { Logger } from "./ops/log.js";
import type { AlertChannel } from "./types.js";
import { createDetectors, type CreateDetectorsOptions } from "./detectors/index.js";
import { Policy } from "./policy/index.js";
import { loadKeeperPlan } from "./policy/plan.js";
import { routeChannels } from "./responders/alerts/routing.js";
import { Responders, createChannels, type RespondersConfigInput, type ResponderMetrics } from "./responders/index.js";
import { createSigner } from "./signers/index.js";

/** The policy as the runtime uses it (keeper/policy). */
export interface PolicyLike {
  /** Severity → action, dedup and cooldown (through the store). */
  decide(findings: Finding[], block: BlockRef): Decision[] | Promise<Decision[]>;
  /** A detector threw on `block`: the rule's onError (fail-open: alert only / fail-closed: a detection) decides. */
  onDetectorError?(ruleId: string, error: unknown, block: BlockRef): Decision[] | Promise<Decision[]>;
  /** Forget state above `blockNumber` (reorg). */
  rollback?(blockNumber: number): void;
}

/** An alert the store says was delivered for a block a reorg orphaned. */
export interface RetractableAlert {
  id: string;
  channel: string;
  incidentId: string;
}

/** The responders as the runtime uses them (keeper/responders). */
export interface RespondersLike {
  handle(decisions: Decision[], block: BlockRef): Promise<unknown>;
  /**
   * A new chain HEAD (called once per head number, not for every block replayed while catching
   * up): receipts, confirmations and fee bumps of pending transactions, retries of pending decisions.
   */
  onNewBlock?(head: BlockRef): Promise<unknown>;
  /** Retry decisions not carried out yet (between heads, with backoff). Returns how many were tried. */
  retryPending?(head: BlockRef): Promise<unknown>;
  /**
   * Alerts sent for orphaned blocks: queue their retractions. The runtime does not wait for the
   * returned promise (delivery runs in the background, like every alert).
   */
  retract?(alerts: RetractableAlert[]): Promise<unknown>;
  /** A reorg unwound blocks above `forkPoint` (a pause tx may have been orphaned with them). */
  onReorg?(forkPoint: number, orphaned: BlockRef[]): Promise<void>;
  /** Alerts queued so far are settled (tests, drills). */
  idle?(): Promise<void>;
  /** Keeper.stop(): drain queued alerts for at most `drainTimeoutMs`, then stop. */
  stop?(drainTimeoutMs?: number): Promise<void>;
}

export interface PipelineDeps {
  config: KeeperConfig;
  store: KeeperStore;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** ethers provider over the keeper's RPC pool (responders: simulation, nonces, fees, receipts). */
  provider: Provider;
  metrics?: ResponderMetrics;
  /** Which parts to build (the others were given to the Keeper). */
  only: { detectors: boolean; policy: boolean; responders: boolean };
  /** Custom invariants referenced by `{ type: "custom", name }` rules. */
  invariants?: CreateDetectorsOptions["invariants"];
  /** Extra alert channels (tests, drills) besides those of config.alerts. */
  channels?: AlertChannel[];
}

export interface Pipeline {
  detectors?: Detector[];
  policy?: PolicyLike;
  responders?: RespondersLike;
}

export async function buildPipeline(deps: PipelineDeps): Promise<Pipeline> {
  const { config, store, env } = deps;
  const out: Pipeline = {};
  const enabled = config.rules.filter((r) => r.enabled);
  // Incident plan (config.plan): rule severities and alert routing; none = today's behaviour.
  const plan = await loadKeeperPlan(config, deps.logger);
  if (deps.only.detectors) {
    out.detectors = [...createDetectors(enabled, { named: config.contracts.named, invariants: deps.invariants })];
  }
  if (deps.only.policy) {
    out.policy = new Policy(enabled, store, { defaultBreaker: config.contracts.breaker, named: config.contracts.named, planSeverities: plan?.planSeverities });
  }
  if (deps.only.responders) {
    const chainId = config.chain.chainId;
    const sentinelSigner = config.signers.sentinel
      ? await createSigner(config.signers.sentinel, deps.provider, { chainId, env, label: "signers.sentinel" })
      : undefined;
    const guardianSigner = config.signers.guardian
      ? await createSigner(config.signers.guardian, deps.provider, { chainId, env, label: "signers.guardian" })
      : undefined;
    const containSigner = config.signers.contain
      ? await createSigner(config.signers.contain, deps.provider, { chainId, env, label: "signers.contain" })
      : undefined;
    const responders = new Responders({
      // `responders` (sentinel lane / guardian settings) is read when the config schema carries it.
      config: config as KeeperConfig & { responders?: RespondersConfigInput },
      store,
      provider: deps.provider,
      sentinelSigner,
      guardianSigner,
      containSigner,
      channels: [...(plan ? routeChannels(createChannels(config.alerts, env), plan.routes) : createChannels(config.alerts, env)), ...(deps.channels ?? [])],
      logger: deps.logger,
      metrics: deps.metrics,
    });
    await responders.resumePending();
    out.responders = responders;
  }
  return out;
}
