// The keeper's memory, in node:sqlite (built into Node >= 22.5: no native addon). It holds
// the chain of processed blocks (the checkpoint and enough ancestors to find a fork point),
// incidents, the timeline, every transaction attempt and every alert sent, so a restarted
// keeper resumes exactly where it stopped and never fires twice. Secrets are never stored.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type {
  AlertMessage,
  BlockRef,
  Finding,
  Incident,
  TimelineEntry,
  TxAttempt,
  TxStatus,
} from "../types.js";

/** Id of the retraction of alert `id` (an alert message of its own, tracked per channel). */
export const RETRACTION_SUFFIX = "#retract";

/** How many processed blocks to remember below the checkpoint (deepest reorg we can unwind). */
export const DEFAULT_REORG_DEPTH = 128;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
  number INTEGER PRIMARY KEY, hash TEXT NOT NULL, parent_hash TEXT NOT NULL,
  timestamp INTEGER NOT NULL, processed_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, rule_id TEXT NOT NULL, severity TEXT NOT NULL,
  status TEXT NOT NULL, first_block INTEGER NOT NULL, first_block_hash TEXT NOT NULL,
  detected_at INTEGER NOT NULL, block_timestamp INTEGER NOT NULL, contained_block INTEGER,
  summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_fingerprint ON incidents (fingerprint, status);
CREATE TABLE IF NOT EXISTS timeline (
  id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT, at INTEGER NOT NULL,
  block_number INTEGER, kind TEXT NOT NULL, message TEXT NOT NULL, data TEXT
);
CREATE TABLE IF NOT EXISTS tx_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, kind TEXT NOT NULL,
  chain_id INTEGER NOT NULL, to_address TEXT NOT NULL, data TEXT NOT NULL, nonce INTEGER,
  hash TEXT, max_fee TEXT, max_priority_fee TEXT, status TEXT NOT NULL, included_block INTEGER,
  note TEXT, created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT NOT NULL, channel TEXT NOT NULL, incident_id TEXT NOT NULL, block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL, delivered_at INTEGER, retracted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (id, channel)
);
CREATE TABLE IF NOT EXISTS rule_fires (
  rule_id TEXT NOT NULL, fingerprint TEXT NOT NULL, block_number INTEGER NOT NULL, at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rule_fires_key ON rule_fires (rule_id, fingerprint, block_number);
`;

type Row = Record<string, unknown>;

const toBlockRef = (r: Row): BlockRef => ({
  number: Number(r.number),
  hash: String(r.hash),
  parentHash: String(r.parent_hash),
  timestamp: Number(r.timestamp),
});

const toIncident = (r: Row): Incident => ({
  id: String(r.id),
  fingerprint: String(r.fingerprint),
  ruleId: String(r.rule_id),
  severity: r.severity as Incident["severity"],
  status: r.status as Incident["status"],
  firstBlock: Number(r.first_block),
  firstBlockHash: String(r.first_block_hash),
  detectedAt: Number(r.detected_at),
  blockTimestamp: Number(r.block_timestamp),
  containedBlock: r.contained_block === null ? undefined : Number(r.contained_block),
  summary: String(r.summary),
});

const toTxAttempt = (r: Row): TxAttempt => ({
  id: Number(r.id),
  incidentId: String(r.incident_id),
  kind: r.kind as TxAttempt["kind"],
  chainId: Number(r.chain_id),
  to: String(r.to_address),
  data: String(r.data),
  nonce: r.nonce === null ? undefined : Number(r.nonce),
  hash: r.hash === null ? undefined : String(r.hash),
  maxFeePerGas: r.max_fee === null ? undefined : BigInt(String(r.max_fee)),
  maxPriorityFeePerGas: r.max_priority_fee === null ? undefined : BigInt(String(r.max_priority_fee)),
  status: r.status as TxStatus,
  includedBlock: r.included_block === null ? undefined : Number(r.included_block),
  note: r.note === null ? undefined : String(r.note),
  createdAt: Number(r.created_at),
});

const toTimeline = (r: Row): TimelineEntry => ({
  id: Number(r.id),
  incidentId: r.incident_id === null ? null : String(r.incident_id),
  at: Number(r.at),
  blockNumber: r.block_number === null ? null : Number(r.block_number),
  kind: r.kind as TimelineEntry["kind"],
  message: String(r.message),
  data: r.data === null ? undefined : (JSON.parse(String(r.data)) as Record<string, unknown>),
});

export class KeeperStore {
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  /**
   * `path` is a file, or ":memory:" for tests. `readOnly` opens an existing store without
   * creating or migrating anything (forensics and reports read a keeper's store this way).
   */
  constructor(
    readonly path: string,
    readonly reorgDepth = DEFAULT_REORG_DEPTH,
    opts: { readOnly?: boolean } = {},
  ) {
    if (opts.readOnly) {
      this.db = new DatabaseSync(path, { readOnly: true });
      return;
    }
    this.db = new DatabaseSync(path);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    this.db.exec(SCHEMA);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Run `fn` in one SQLite transaction (all or nothing). */
  transaction<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.db.exec("COMMIT");
      return out;
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
  }

  // ------------------------------------------------------------------ meta

  getMeta(key: string): string | undefined {
    const r = this.stmt("SELECT value FROM meta WHERE key = ?").get(key) as Row | undefined;
    return r ? String(r.value) : undefined;
  }

  setMeta(key: string, value: string): void {
    this.stmt("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
      key,
      value,
    );
  }

  /** Bind the store to one chain: a store written for another chain id is refused. */
  bindChain(chainId: number): void {
    const known = this.getMeta("chainId");
    if (known === undefined) this.setMeta("chainId", String(chainId));
    else if (Number(known) !== chainId) {
      throw new Error(
        `store ${this.path} belongs to chain ${known}, but the RPC is chain ${chainId}: use another store path`,
      );
    }
  }

  // ------------------------------------------------------------------ blocks

  /** The last processed block, or undefined before the first. */
  checkpoint(): BlockRef | undefined {
    const r = this.stmt("SELECT * FROM blocks ORDER BY number DESC LIMIT 1").get() as Row | undefined;
    return r ? toBlockRef(r) : undefined;
  }

  processedBlock(n: number): BlockRef | undefined {
    const r = this.stmt("SELECT * FROM blocks WHERE number = ?").get(n) as Row | undefined;
    return r ? toBlockRef(r) : undefined;
  }

  /** Record `block` as processed; it must extend the checkpoint (same parent hash). */
  markProcessed(block: BlockRef): void {
    const head = this.checkpoint();
    if (head && (block.number !== head.number + 1 || block.parentHash !== head.hash)) {
      throw new Error(
        `block ${block.number} (${block.hash}) does not extend checkpoint ${head.number} (${head.hash})`,
      );
    }
    this.stmt("INSERT INTO blocks (number, hash, parent_hash, timestamp, processed_at) VALUES (?, ?, ?, ?, ?)").run(
      block.number,
      block.hash,
      block.parentHash,
      block.timestamp,
      Date.now(),
    );
    this.stmt("DELETE FROM blocks WHERE number < ?").run(block.number - this.reorgDepth);
  }

  /**
   * Unwind everything derived from blocks above `blockNumber` (a reorg's fork point):
   * processed blocks, incidents first seen there (marked retracted), rule fires. Returns the
   * alerts that were delivered for orphaned blocks, so the caller can retract them.
   */
  rollbackTo(blockNumber: number): { retractedIncidents: Incident[]; alertsToRetract: { id: string; channel: string; incidentId: string }[] } {
    return this.transaction(() => {
      this.stmt("DELETE FROM blocks WHERE number > ?").run(blockNumber);
      this.stmt("DELETE FROM rule_fires WHERE block_number > ?").run(blockNumber);
      const incidents = (this.stmt("SELECT * FROM incidents WHERE first_block > ? AND status != 'retracted'").all(
        blockNumber,
      ) as Row[]).map(toIncident);
      this.stmt("UPDATE incidents SET status = 'retracted' WHERE first_block > ?").run(blockNumber);
      // `retracted` = "its block was orphaned" (also for alerts still queued: the dispatcher then
      // drops them, or retracts them if their delivery was already in flight). Whether the
      // retraction itself was delivered is tracked by its own row (id + RETRACTION_SUFFIX), so a
      // failed retraction is returned again here and by pendingRetractions() until it is delivered.
      this.stmt("UPDATE alerts SET retracted = 1 WHERE block_number > ?").run(blockNumber);
      return { retractedIncidents: incidents, alertsToRetract: this.pendingRetractions() };
    });
  }

  /**
   * Alerts delivered for blocks a reorg orphaned whose retraction (per channel) has not been
   * delivered yet: what must still be retracted (after a failed retraction, a restart...).
   */
  pendingRetractions(): { id: string; channel: string; incidentId: string }[] {
    return (this.stmt(
      `SELECT a.id, a.channel, a.incident_id FROM alerts a
       WHERE a.retracted = 1 AND a.delivered_at IS NOT NULL AND a.id NOT LIKE '%' || '${RETRACTION_SUFFIX}'
         AND NOT EXISTS (SELECT 1 FROM alerts r WHERE r.id = a.id || '${RETRACTION_SUFFIX}' AND r.channel = a.channel AND r.delivered_at IS NOT NULL)
       ORDER BY a.block_number, a.id, a.channel`,
    ).all() as Row[]).map((r) => ({ id: String(r.id), channel: String(r.channel), incidentId: String(r.incident_id) }));
  }

  // ------------------------------------------------------------------ incidents

  openIncidentFor(fingerprint: string): Incident | undefined {
    const r = this.stmt(
      "SELECT * FROM incidents WHERE fingerprint = ? AND status IN ('open', 'contained') ORDER BY detected_at DESC LIMIT 1",
    ).get(fingerprint) as Row | undefined;
    return r ? toIncident(r) : undefined;
  }

  /** The open incident of this finding's fingerprint, or a new one. */
  openIncident(finding: Finding, blockTimestamp: number, detectedAt = Date.now()): { incident: Incident; created: boolean } {
    const existing = this.openIncidentFor(finding.fingerprint);
    if (existing) return { incident: existing, created: false };
    const incident: Incident = {
      id: `${finding.ruleId}:${finding.blockNumber}:${finding.fingerprint}`.slice(0, 200),
      fingerprint: finding.fingerprint,
      ruleId: finding.ruleId,
      severity: finding.severity,
      status: "open",
      firstBlock: finding.blockNumber,
      firstBlockHash: finding.blockHash,
      detectedAt,
      blockTimestamp,
      summary: finding.summary,
    };
    this.stmt(
      `INSERT INTO incidents (id, fingerprint, rule_id, severity, status, first_block, first_block_hash, detected_at, block_timestamp, summary)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = 'open'`,
    ).run(
      incident.id,
      incident.fingerprint,
      incident.ruleId,
      incident.severity,
      incident.status,
      incident.firstBlock,
      incident.firstBlockHash,
      incident.detectedAt,
      incident.blockTimestamp,
      incident.summary,
    );
    return { incident, created: true };
  }

  incident(id: string): Incident | undefined {
    const r = this.stmt("SELECT * FROM incidents WHERE id = ?").get(id) as Row | undefined;
    return r ? toIncident(r) : undefined;
  }

  incidents(status?: Incident["status"]): Incident[] {
    const rows = status
      ? this.stmt("SELECT * FROM incidents WHERE status = ? ORDER BY detected_at").all(status)
      : this.stmt("SELECT * FROM incidents ORDER BY detected_at").all();
    return (rows as Row[]).map(toIncident);
  }

  markContained(id: string, blockNumber: number): void {
    this.stmt("UPDATE incidents SET status = 'contained', contained_block = ? WHERE id = ? AND status = 'open'").run(
      blockNumber,
      id,
    );
  }

  closeIncident(id: string): void {
    this.stmt("UPDATE incidents SET status = 'closed' WHERE id = ?").run(id);
  }

  // ------------------------------------------------------------------ rule fires (dedup, cooldown)

  recordRuleFire(ruleId: string, fingerprint: string, blockNumber: number, at = Date.now()): void {
    this.stmt("INSERT INTO rule_fires (rule_id, fingerprint, block_number, at) VALUES (?, ?, ?, ?)").run(
      ruleId,
      fingerprint,
      blockNumber,
      at,
    );
  }

  /** The latest fire of this rule+fingerprint, if any. */
  lastRuleFire(ruleId: string, fingerprint: string): { blockNumber: number; at: number } | undefined {
    const r = this.stmt(
      "SELECT block_number, at FROM rule_fires WHERE rule_id = ? AND fingerprint = ? ORDER BY block_number DESC LIMIT 1",
    ).get(ruleId, fingerprint) as Row | undefined;
    return r ? { blockNumber: Number(r.block_number), at: Number(r.at) } : undefined;
  }

  // ------------------------------------------------------------------ timeline

  addTimeline(entry: TimelineEntry): number {
    const r = this.stmt(
      "INSERT INTO timeline (incident_id, at, block_number, kind, message, data) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(
      entry.incidentId,
      entry.at,
      entry.blockNumber,
      entry.kind,
      entry.message,
      entry.data === undefined ? null : JSON.stringify(entry.data, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
    return Number(r.lastInsertRowid);
  }

  timeline(incidentId?: string): TimelineEntry[] {
    const rows = incidentId
      ? this.stmt("SELECT * FROM timeline WHERE incident_id = ? ORDER BY id").all(incidentId)
      : this.stmt("SELECT * FROM timeline ORDER BY id").all();
    return (rows as Row[]).map(toTimeline);
  }

  // ------------------------------------------------------------------ tx attempts

  /** Record an attempt (an intent before broadcast, then each send / replacement). */
  recordTxAttempt(a: TxAttempt): number {
    const r = this.stmt(
      `INSERT INTO tx_attempts (incident_id, kind, chain_id, to_address, data, nonce, hash, max_fee, max_priority_fee, status, included_block, note, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      a.incidentId,
      a.kind,
      a.chainId,
      a.to,
      a.data,
      a.nonce ?? null,
      a.hash ?? null,
      a.maxFeePerGas?.toString() ?? null,
      a.maxPriorityFeePerGas?.toString() ?? null,
      a.status,
      a.includedBlock ?? null,
      a.note ?? null,
      a.createdAt,
    );
    return Number(r.lastInsertRowid);
  }

  updateTxAttempt(id: number, patch: Partial<Pick<TxAttempt, "status" | "hash" | "nonce" | "includedBlock" | "note" | "maxFeePerGas" | "maxPriorityFeePerGas">>): void {
    const current = this.stmt("SELECT * FROM tx_attempts WHERE id = ?").get(id) as Row | undefined;
    if (!current) throw new Error(`no tx attempt ${id}`);
    const merged = { ...toTxAttempt(current), ...patch };
    this.stmt(
      "UPDATE tx_attempts SET status = ?, hash = ?, nonce = ?, included_block = ?, note = ?, max_fee = ?, max_priority_fee = ? WHERE id = ?",
    ).run(
      merged.status,
      merged.hash ?? null,
      merged.nonce ?? null,
      merged.includedBlock ?? null,
      merged.note ?? null,
      merged.maxFeePerGas?.toString() ?? null,
      merged.maxPriorityFeePerGas?.toString() ?? null,
      id,
    );
  }

  txAttempts(incidentId?: string): TxAttempt[] {
    const rows = incidentId
      ? this.stmt("SELECT * FROM tx_attempts WHERE incident_id = ? ORDER BY id").all(incidentId)
      : this.stmt("SELECT * FROM tx_attempts ORDER BY id").all();
    return (rows as Row[]).map(toTxAttempt);
  }

  /** Attempts not yet included or failed (what a restarted keeper must follow up). */
  pendingTxAttempts(kind?: TxAttempt["kind"]): TxAttempt[] {
    const rows = (this.stmt("SELECT * FROM tx_attempts WHERE status IN ('intent', 'sent') ORDER BY id").all() as Row[]).map(
      toTxAttempt,
    );
    return kind ? rows.filter((r) => r.kind === kind) : rows;
  }

  // ------------------------------------------------------------------ alerts

  /** Remember an alert per channel; returns false if it was already delivered (idempotence). */
  recordAlert(message: AlertMessage, channel: string): boolean {
    const existing = this.stmt("SELECT delivered_at FROM alerts WHERE id = ? AND channel = ?").get(message.id, channel) as
      | Row
      | undefined;
    if (existing && existing.delivered_at !== null) return false;
    if (!existing) {
      this.stmt(
        "INSERT INTO alerts (id, channel, incident_id, block_number, block_hash) VALUES (?, ?, ?, ?, ?)",
      ).run(message.id, channel, message.incidentId, message.blockNumber, message.blockHash);
    }
    return true;
  }

  markAlertDelivered(id: string, channel: string, at = Date.now()): void {
    this.stmt("UPDATE alerts SET delivered_at = ? WHERE id = ? AND channel = ?").run(at, id, channel);
  }

  /** Delivery state of one (alert, channel): undefined if never recorded. */
  alertState(id: string, channel: string): { delivered: boolean; orphaned: boolean } | undefined {
    const r = this.stmt("SELECT delivered_at, retracted FROM alerts WHERE id = ? AND channel = ?").get(id, channel) as Row | undefined;
    return r ? { delivered: r.delivered_at !== null, orphaned: Number(r.retracted) === 1 } : undefined;
  }

  alerts(incidentId?: string): { id: string; channel: string; incidentId: string; blockNumber: number; deliveredAt?: number; retracted: boolean }[] {
    const rows = incidentId
      ? this.stmt("SELECT * FROM alerts WHERE incident_id = ? ORDER BY block_number").all(incidentId)
      : this.stmt("SELECT * FROM alerts ORDER BY block_number").all();
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
