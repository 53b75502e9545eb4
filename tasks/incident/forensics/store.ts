// Read-only view of the keeper's SQLite store (keeper/store/store.ts schema): incidents, their
// timeline, transaction attempts and alerts. Opened read-only: forensics never writes the store
// (and a wrong path never creates an empty one).
import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { fail } from "../../lib/errors.js";

type Row = Record<string, unknown>;

export interface StoredIncident {
  id: string;
  ruleId: string;
  severity: string;
  status: string;
  firstBlock: number;
  containedBlock?: number;
  summary: string;
  detectedAt: number;
  blockTimestamp: number;
}

export interface StoredTimeline {
  incidentId: string | null;
  at: number;
  blockNumber: number | null;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface StoredAttempt {
  incidentId: string;
  kind: string;
  to: string;
  hash?: string;
  status: string;
  includedBlock?: number;
  createdAt: number;
  note?: string;
}

export class StoreReader {
  private readonly db: DatabaseSync;

  constructor(readonly path: string, option = "--store") {
    if (!existsSync(path)) fail(`${option} ${path}: no such file`, "pass the keeper's store.path (the SQLite file of its config)");
    try {
      this.db = new DatabaseSync(path, { readOnly: true });
      this.db.prepare("SELECT count(*) AS n FROM incidents").get();
    } catch (err) {
      fail(`${option} ${path} is not a keeper store: ${(err as Error).message}`, "pass the keeper's store.path (keeper/store/store.ts schema)");
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  chainId(): number | undefined {
    const r = this.db.prepare("SELECT value FROM meta WHERE key = 'chainId'").get() as Row | undefined;
    return r ? Number(r.value) : undefined;
  }

  incidents(): StoredIncident[] {
    return (this.db.prepare("SELECT * FROM incidents ORDER BY first_block, detected_at").all() as Row[]).map(toIncident);
  }

  incident(id: string): StoredIncident | undefined {
    const r = this.db.prepare("SELECT * FROM incidents WHERE id = ?").get(id) as Row | undefined;
    return r ? toIncident(r) : undefined;
  }

  timeline(incidentId?: string): StoredTimeline[] {
    const rows = incidentId
      ? this.db.prepare("SELECT * FROM timeline WHERE incident_id = ? ORDER BY id").all(incidentId)
      : this.db.prepare("SELECT * FROM timeline ORDER BY id").all();
    return (rows as Row[]).map((r) => ({
      incidentId: r.incident_id === null ? null : String(r.incident_id),
      at: Number(r.at),
      blockNumber: r.block_number === null ? null : Number(r.block_number),
      kind: String(r.kind),
      message: String(r.message),
      data: r.data === null ? undefined : (JSON.parse(String(r.data)) as Record<string, unknown>),
    }));
  }

  attempts(incidentId?: string): StoredAttempt[] {
    const rows = incidentId
      ? this.db.prepare("SELECT * FROM tx_attempts WHERE incident_id = ? ORDER BY id").all(incidentId)
      : this.db.prepare("SELECT * FROM tx_attempts ORDER BY id").all();
    return (rows as Row[]).map((r) => ({
      incidentId: String(r.incident_id),
      kind: String(r.kind),
      to: String(r.to_address),
      hash: r.hash === null ? undefined : String(r.hash),
      status: String(r.status),
      includedBlock: r.included_block === null ? undefined : Number(r.included_block),
      createdAt: Number(r.created_at),
      note: r.note === null ? undefined : String(r.note),
    }));
  }

  alerts(incidentId?: string): { id: string; channel: string; incidentId: string; blockNumber: number; deliveredAt?: number; retracted: boolean }[] {
    const rows = incidentId
      ? this.db.prepare("SELECT * FROM alerts WHERE incident_id = ? ORDER BY block_number").all(incidentId)
      : this.db.prepare("SELECT * FROM alerts ORDER BY block_number").all();
    return (rows as Row[]).map((r) => ({
      id: String(r.id),
      channel: String(r.channel),
      incidentId: String(r.incident_id),
      blockNumber: Number(r.block_number),
      deliveredAt: r.delivered_at === null ? undefined : Number(r.delivered_at),
      retracted: Number(r.retracted) === 1,
    }));
  }
}

function toIncident(r: Row): StoredIncident {
  return {
    id: String(r.id),
    ruleId: String(r.rule_id),
    severity: String(r.severity),
    status: String(r.status),
    firstBlock: Number(r.first_block),
    containedBlock: r.contained_block === null ? undefined : Number(r.contained_block),
    summary: String(r.summary),
    detectedAt: Number(r.detected_at),
    blockTimestamp: Number(r.block_timestamp),
  };
}
