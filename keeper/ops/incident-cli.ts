// `breakwater-keeper incident list|close` (npm run keeper -- incident …): what a person uses to end
// the keeper's retries of a decision (a false alarm handled by hand, a pause done another way).
// Works on the store file of the config, while the keeper runs (SQLite WAL, busy timeout) or not.
import { KeeperStore } from "../store/store.js";
import type { KeeperConfig } from "../config/schema.js";

export const INCIDENT_USAGE = `usage: npm run keeper -- incident list --config <file>
       npm run keeper -- incident close <incident id> --config <file> [--note "<why>"] [--by <name>]

  list    open / contained incidents and the decisions not carried out yet
  close   close the incident: its pending pause / proposal is no longer retried`;

export interface IncidentCommand {
  action: string | undefined;
  id?: string;
  note?: string;
  by?: string;
}

/** Run the command on the config's store; returns the text for stdout. Throws with what to do. */
export function runIncidentCommand(config: KeeperConfig, cmd: IncidentCommand): string {
  const store = new KeeperStore(config.store.path, config.chain.maxReorgDepth);
  try {
    if (cmd.action === "list") {
      const open = [...store.incidents("open"), ...store.incidents("contained")];
      const pending = store.actions("pending");
      const lines = open.map((i) => {
        const p = pending.filter((a) => a.incidentId === i.id);
        return `${i.id}  ${i.severity} ${i.status}  block ${i.firstBlock}  ${i.summary}${p.length ? `\n    pending: ${p.map((a) => `${a.kind} (${a.tries} tries, last error: ${a.lastError ?? "none"})`).join("; ")}` : ""}`;
      });
      return lines.length ? lines.join("\n") : "no open or contained incidents";
    }
    if (cmd.action === "close") {
      if (!cmd.id) throw new Error(`incident close needs the incident id (see \`incident list\`)\n${INCIDENT_USAGE}`);
      const before = store.closeIncident(cmd.id, cmd.by ?? process.env.USER ?? "operator", cmd.note);
      if (!before) throw new Error(`no incident "${cmd.id}" in ${config.store.path}: see \`incident list\``);
      return `incident ${cmd.id} closed (was ${before.status}); its pending decisions are no longer retried`;
    }
    throw new Error(`unknown incident command "${cmd.action ?? ""}"\n${INCIDENT_USAGE}`);
  } finally {
    store.close();
  }
}
