// The keeper's view of the incident plan (config `plan`, plan/schema.ts): each rule's severity from
// its runbook (the plan wins over the rule's own, and the override is logged), and the alert route
// per severity (channel names that must exist in config.alerts). No plan: nothing changes.
import { resolve } from "node:path";
import type { KeeperConfig } from "../config/schema.js";
import { ConfigError } from "../config/load.js";
import type { Logger } from "../ops/log.js";
import type { Severity } from "../types.js";
import { checkRoutes, type SeverityRoutes } from "../responders/alerts/routing.js";
import { loadPlan } from "../../plan/load.js";
import { planSeverityOf, SEVERITIES, type IncidentPlan } from "../../plan/schema.js";

export interface KeeperPlan {
  plan: IncidentPlan;
  /** rule id → severity, for rules whose runbook sets one. */
  planSeverities: Record<string, Severity>;
  routes: SeverityRoutes;
}

/** Severities and routes of `plan` for `config` (throws ConfigError on a route to an unknown channel). */
export function keeperPlanOf(plan: IncidentPlan, config: Pick<KeeperConfig, "rules" | "alerts">, logger?: Pick<Logger, "info">): KeeperPlan {
  const planSeverities: Record<string, Severity> = {};
  for (const r of config.rules) {
    const s = planSeverityOf(plan, r.id);
    if (!s) continue;
    planSeverities[r.id] = s;
    if (s !== r.severity) logger?.info({ rule: r.id, ruleSeverity: r.severity, planSeverity: s }, `plan "${plan.name}" sets the severity of rule ${r.id}: ${r.severity} → ${s} (plan wins)`);
  }
  const routes = Object.fromEntries(SEVERITIES.map((s) => [s, plan.severities[s].channels])) as unknown as SeverityRoutes;
  const names = config.alerts.channels.map((c) => c.name ?? c.type);
  const problems = checkRoutes(routes, names);
  if (problems.length) {
    throw new ConfigError(problems.map((message) => ({ path: "plan", message: `${message}: fix plan severities.*.channels or add the channel` })));
  }
  return { plan, planSeverities, routes };
}

/** Load config.plan (relative to the working directory) and derive severities and routes. */
export async function loadKeeperPlan(config: KeeperConfig, logger?: Pick<Logger, "info">): Promise<KeeperPlan | undefined> {
  if (!config.plan) return undefined;
  const plan = await loadPlan(resolve(config.plan));
  return keeperPlanOf(plan, config, logger);
}
