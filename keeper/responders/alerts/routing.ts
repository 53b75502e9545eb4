// Routing alerts by the incident plan (keeper config `plan`): each severity goes to the channels the
// plan's severities.<P>.channels name, on top of each channel's own minSeverity. Channels the plan
// does not govern (extra channels handed to the Keeper by tests and drills) are left as they are.
// Without a plan nothing is wrapped: today's behaviour (every channel, filtered by minSeverity).
import type { AlertChannel, AlertMessage, Severity } from "../../types.js";

export type SeverityRoutes = Record<Severity, readonly string[]>;

/** A channel that may refuse a severity (the dispatcher asks before recording / sending). */
export interface RoutedAlertChannel extends AlertChannel {
  accepts(severity: Severity): boolean;
}

/** Check every routed channel name exists; returns the problems ("P1 → "pager": no such channel"). */
export function checkRoutes(routes: SeverityRoutes, channelNames: readonly string[]): string[] {
  const out: string[] = [];
  for (const [sev, names] of Object.entries(routes)) {
    for (const n of names) if (!channelNames.includes(n)) out.push(`${sev} routes to "${n}", which is not a channel in alerts.channels (${channelNames.join(", ") || "none"})`);
  }
  return out;
}

/** Wrap `channels` so each accepts only the severities the plan routes to it. */
export function routeChannels(channels: AlertChannel[], routes: SeverityRoutes): AlertChannel[] {
  return channels.map((ch) => {
    const allowed = new Set((Object.keys(routes) as Severity[]).filter((s) => routes[s].includes(ch.name)));
    const routed: RoutedAlertChannel & { readonly type?: string; readonly minSeverity?: Severity } = {
      name: ch.name,
      type: (ch as { type?: string }).type,
      minSeverity: (ch as { minSeverity?: Severity }).minSeverity,
      send: (m: AlertMessage) => ch.send(m),
      accepts: (s: Severity) => allowed.has(s),
    };
    return routed;
  });
}
