// The incident response plan as code: severities (who is paged where, how fast), roles (people and
// the on-chain addresses that must hold each role), runbooks (per keeper rule or incident type: the
// automated action and the human checklist), communication templates and readiness settings.
//
//   export default definePlan({ name, severities, roles, runbooks, templates, readiness })
//
// Validated with zod; `plan/load.ts` turns a bad field into `plan error at <path>: <why>`.
// Addresses may be written as "$name": resolved against the address book (contracts.* first, then
// roles.sentinel / roles.admin), so one plan fits every deployment of the same suite.
import { z } from "zod";

export const SEVERITIES = ["P1", "P2", "P3", "P4"] as const;
export type PlanSeverity = (typeof SEVERITIES)[number];

/** "90s", "15m", "2h", "1d", "1w", "1h30m" or seconds. */
export const durationSchema = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^(\d+|(\d+[smhdw])+)$/i, 'must be a duration: seconds or 90s / 15m / 2h / 1d / 1w'),
]);
export type Duration = z.infer<typeof durationSchema>;

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
/** Duration → seconds. */
export function seconds(d: Duration): number {
  if (typeof d === "number") return d;
  const t = d.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  let total = 0;
  for (const m of t.matchAll(/(\d+)([smhdw])/g)) total += Number(m[1]) * UNIT[m[2]!]!;
  return total;
}

/** A 0x address or a "$name" reference into the address book. */
export const addressRef = z
  .string()
  .regex(/^(0x[0-9a-fA-F]{40}|\$[A-Za-z_][A-Za-z0-9_]*)$/, 'must be a 0x address or a "$name" from the address book ($breaker, $guardian, $vault, $sentinel, …)');

const person = z.object({
  name: z.string().min(1),
  /** Chat handle, e-mail or pager id. */
  handle: z.string().min(1),
  /** Optional note: time zone, backup phone, … */
  note: z.string().optional(),
});

export const ON_CHAIN_ROLES = ["DEFAULT_ADMIN_ROLE", "EMERGENCY_ROLE", "RECOVERY_ROLE", "guardian", "sentinel"] as const;
export type OnChainRole = (typeof ON_CHAIN_ROLES)[number];

export const onChainRoleSchema = z.object({
  /** Contract the role lives on: a breaker for the AccessControl roles and the sentinel, the multisig for "guardian". */
  contract: addressRef.default("$breaker"),
  /**
   * DEFAULT_ADMIN_ROLE / EMERGENCY_ROLE / RECOVERY_ROLE (OpenZeppelin AccessControl on the breaker),
   * "guardian" (the multisig's guardian set), "sentinel" (the breaker's sentinel key).
   */
  role: z.enum(ON_CHAIN_ROLES),
  /** Exactly these must hold it — and nobody else (readiness proves both). */
  holders: z.array(addressRef).min(1, "name at least one holder"),
});
export type OnChainRoleSpec = z.output<typeof onChainRoleSchema>;

export const roleSchema = z.object({
  description: z.string().optional(),
  people: z.array(person).min(1, "a role needs at least one person"),
  /** Where the role is on-chain: the addresses that must hold it. */
  onChain: z.array(onChainRoleSchema).default([]),
});

export const severitySchema = z.object({
  /** What this level means (SEAL: "when in doubt, choose the higher level"). */
  meaning: z.string().min(1),
  /** Keeper alert channels (names from the keeper config's alerts.channels) that get this level. */
  channels: z.array(z.string().min(1)).min(1, "route each severity to at least one channel"),
  /** Roles (keys of `roles`) paged at this level. */
  page: z.array(z.string().min(1)).default([]),
  /** Target time to acknowledge and to contain. */
  ackWithin: durationSchema,
  containWithin: durationSchema,
});

export const runbookSchema = z
  .object({
    id: z.string().min(1).regex(/^[a-z0-9][a-z0-9-]*$/, "kebab-case id"),
    title: z.string().min(1),
    /** Keeper rule ids this runbook covers (keeper config rules[].id). */
    rules: z.array(z.string().min(1)).default([]),
    /** Or an incident type not tied to a rule (e.g. "key-compromise", "oracle-failure"). */
    incidentTypes: z.array(z.string().min(1)).default([]),
    /** Severity for the covered rules: the keeper takes it over the rule's own (plan wins). */
    severity: z.enum(SEVERITIES).optional(),
    /** What the automation does on its own (keeper action), in words. */
    automated: z.string().min(1),
    /** The human checklist, in order. */
    firstSteps: z.array(z.string().min(1)).min(1, "a runbook needs at least one first step"),
    /** Who decides to unpause (a key of `roles`) and on what evidence. */
    unpause: z.object({ decidedBy: z.string().min(1), when: z.string().min(1) }),
    /** What to tell users (a template id from `templates`, plus a note). */
    tellUsers: z.object({ template: z.string().min(1), note: z.string().optional() }),
    /** Commands people run (guardian / breaker tasks), e.g. "npx hardhat breakwater guardian propose --kind Unpause --args GLOBAL". */
    tasks: z.array(z.string().min(1)).default([]),
  })
  .refine((r) => r.rules.length + r.incidentTypes.length > 0, { message: "a runbook covers at least one rule or incident type", path: ["rules"] });
export type Runbook = z.output<typeof runbookSchema>;

export const templateSchema = z.object({
  audience: z.enum(["status-page", "users", "downstream", "internal"]),
  title: z.string().min(1),
  /** {{placeholder}} fields are filled from the incident facts (renderTemplate). */
  body: z.string().min(1),
});

/** A preparation change that came out of a drill or an incident (plan/suggest.ts writes them). */
export const improvementSchema = z.object({
  id: z.string().min(1),
  /** Where it came from: "drill:<scenario>" or "incident:<id>". */
  source: z.string().min(1),
  kind: z.enum(["add-rule", "tighten-limit", "add-runbook", "change-severity", "add-channel", "faster-containment", "other"]),
  description: z.string().min(1),
  /** The command or edit that carries it out. */
  fix: z.string().optional(),
  status: z.enum(["open", "done", "wont-do"]).default("open"),
});
export type Improvement = z.output<typeof improvementSchema>;

export const readinessSchema = z.object({
  /** The protected contracts holding funds (default: "$vault" if the address book has one, else "$breaker"). */
  protected: z.array(addressRef).default([]),
  /** Tokens to check for a balance without a limit besides those seen transferred in (default: the address book's asset). */
  tokens: z.array(addressRef).default([]),
  /** Longest acceptable breaker maxPauseDuration. */
  maxPause: durationSchema.default("14d"),
  /** Shortest acceptable maxPauseDuration (a pause shorter than this cannot cover a weekend response). */
  minPause: durationSchema.default("1h"),
  /** Restorative (slow) guardian kinds must wait at least this long (veto window). */
  minSlowDelay: durationSchema.default("1h"),
  /** And at most this long (a week-long unpause is a lockout of users). */
  maxSlowDelay: durationSchema.default("14d"),
  /** Warn when a guardian's last heartbeat used more than this share of the heartbeat period. */
  heartbeatWarnShare: z.number().min(0).max(1).default(0.8),
  /** The keeper's checkpoint may be at most this many blocks behind the head. */
  maxKeeperLag: z.number().int().nonnegative().default(5),
  /** Newest drill report must be younger than this. */
  maxDrillAge: durationSchema.default("7d"),
  /** Defaults for the readiness task's options. */
  keeperUrl: z.string().url().optional(),
  keeperConfig: z.string().optional(),
  drillsDir: z.string().default("reports/drills"),
});

export const planSchema = z
  .object({
    name: z.string().min(1),
    version: z.union([z.string(), z.number()]).default(1),
    /** P1–P4. Every level is required: a plan that cannot say who gets a P4 is incomplete. */
    severities: z.object({ P1: severitySchema, P2: severitySchema, P3: severitySchema, P4: severitySchema }),
    /** incidentLead, scribe, guardians, comms (required) and any others (keeper on-call, …). */
    roles: z
      .object({ incidentLead: roleSchema, scribe: roleSchema, guardians: roleSchema, comms: roleSchema })
      .catchall(roleSchema),
    runbooks: z.array(runbookSchema).default([]),
    templates: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "kebab-case template id"), templateSchema).default({}),
    readiness: readinessSchema.default({}),
    /** Follow-ups from drills and incidents (the loop from incident to better preparation). */
    improvements: z.array(improvementSchema).default([]),
  })
  .superRefine((p, ctx) => {
    const roles = new Set(Object.keys(p.roles));
    for (const sev of SEVERITIES) {
      p.severities[sev].page.forEach((r, i) => {
        if (!roles.has(r)) ctx.addIssue({ code: "custom", path: ["severities", sev, "page", i], message: `unknown role "${r}" (roles: ${[...roles].join(", ")})` });
      });
    }
    const ids = new Set<string>();
    const ruleOwner = new Map<string, string>();
    p.runbooks.forEach((r, i) => {
      if (ids.has(r.id)) ctx.addIssue({ code: "custom", path: ["runbooks", i, "id"], message: `duplicate runbook id "${r.id}"` });
      ids.add(r.id);
      r.rules.forEach((rule, j) => {
        const other = ruleOwner.get(rule);
        if (other) ctx.addIssue({ code: "custom", path: ["runbooks", i, "rules", j], message: `rule "${rule}" already has runbook "${other}"` });
        ruleOwner.set(rule, r.id);
      });
      if (!roles.has(r.unpause.decidedBy)) {
        ctx.addIssue({ code: "custom", path: ["runbooks", i, "unpause", "decidedBy"], message: `unknown role "${r.unpause.decidedBy}"` });
      }
      if (!(r.tellUsers.template in p.templates)) {
        ctx.addIssue({ code: "custom", path: ["runbooks", i, "tellUsers", "template"], message: `unknown template "${r.tellUsers.template}" (templates: ${Object.keys(p.templates).join(", ") || "none"})` });
      }
    });
  });

export type PlanInput = z.input<typeof planSchema>;
export type IncidentPlan = z.output<typeof planSchema>;
export type SeverityRoute = z.output<typeof severitySchema>;

/** Typed helper for plan files written in TypeScript. */
export function definePlan(plan: PlanInput): PlanInput {
  return plan;
}

/** The runbook covering keeper rule `ruleId`, if any. */
export function runbookForRule(plan: IncidentPlan, ruleId: string): Runbook | undefined {
  return plan.runbooks.find((r) => r.rules.includes(ruleId));
}

/** Severity the plan assigns to rule `ruleId` (its runbook's), if any. */
export function planSeverityOf(plan: IncidentPlan, ruleId: string): PlanSeverity | undefined {
  return runbookForRule(plan, ruleId)?.severity;
}
