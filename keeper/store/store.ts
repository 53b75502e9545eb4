// The keeper's memory, in node:sqlite (built into Node >= 22.5: no native addon). It holds
// the chain of processed blocks (the checkpoint and enough ancestors to find a fork point),
// incidents, the timeline, every transaction attempt and every alert sent, so a restarted
// keeper resumes exactly where it stopped and never fires twice. Secrets are never stored.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type {
  AlertMessage,
  Decision,
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
CREATE TABLE IF NOT EXISTS actions (
  incident_id TEXT NOT NULL, kind TEXT NOT NULL, decision TEXT NOT NULL, block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL, status TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0, last_error TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, closed_by TEXT,
  PRIMARY KEY (incident_id, kind)
);
`;

/** Columns added after the first release, per table: added to existing store files on open. */
const ADDED_COLUMNS: Record<string, [string, string][]> = {
  tx_attempts: [
    ["sent_block", "INTEGER"],
    ["gas_used", "TEXT"],
    ["fee_paid", "TEXT"],
  ],
};

/** Store schema version (meta "schemaVersion"): 2 = actions table + tx_attempts fee columns. */
export const STORE_SCHEMA_VERSION = 2;

/**
 * A decision to act (pause / contain / propose), recorded before the first try and retried on every
 * new head until it is carried out (`done`), the incident is retracted by a reorg, or a person closes it.
 */
export interface ActionRecord {
  incidentId: string;
  kind: "pause" | "contain" | "propose";
  /** The policy's decision, as decided (bigints as strings). */
  decision: Decision;
  blockNumber: number;
  blockHash: string;
  status: "pending" | "done" | "closed" | "retracted";
  /** Tries so far (each one ran every pre-broadcast step: state, nonce, fees, simulation, signing). */
  tries: number;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
  closedBy?: string;
}

/** What one pause cost and how fast it landed (the drill score and the bench read this). */
export interface PauseFee {
  incidentId: string;
  hash: string;
  /** Head block when the first transaction of the pause was broadcast. */
  firstSentBlock?: number;
  includedBlock: number;
  /** includedBlock - firstSentBlock (0 = in the block after the one it was sent at... see note). */
  blocksToInclusion?: number;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  feePaidWei: bigint;
  maxPriorityFeePerGas?: bigint;
  /** Transactions signed for it (1 + replacements). */
  transactions: number;
}

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
  ...(r.sent_block === null || r.sent_block === undefined ? {} : { sentBlock: Number(r.sent_block) }),
  ...(r.gas_used === null || r.gas_used === undefined ? {} : { gasUsed: BigInt(String(r.gas_used)) }),
  ...(r.fee_paid === null || r.fee_paid === undefined ? {} : { feePaidWei: BigInt(String(r.fee_paid)) }),
});

const jsonBig = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

const toAction = (r: Row): ActionRecord => ({
  incidentId: String(r.incident_id),
  kind: r.kind as ActionRecord["kind"],
  decision: JSON.parse(String(r.decision)) as Decision,
  blockNumber: Number(r.block_number),
  blockHash: String(r.block_hash),
  status: r.status as ActionRecord["status"],
  tries: Number(r.tries),
  lastError: r.last_error === null ? undefined : String(r.last_error),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  closedBy: r.closed_by === null ? undefined : String(r.closed_by),
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
    this.migrate();
  }

  /** Bring a store file written by an older keeper up to STORE_SCHEMA_VERSION (additive only). */
  private migrate(): void {
    for (const [table, cols] of Object.entries(ADDED_COLUMNS)) {
      const have = new Set((this.db.prepare(`PRAGMA table_info(${table})`).all() as Row[]).map((r) => String(r.name)));
      for (const [name, type] of cols) if (!have.has(name)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
    }
    const v = Number(this.getMeta("schemaVersion") ?? "1");
    if (v < STORE_SCHEMA_VERSION) this.setMeta("schemaVersion", String(STORE_SCHEMA_VERSION));
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
      this.stmt("UPDATE actions SET status = 'retracted', updated_at = ? WHERE block_number > ? AND status = 'pending'").run(Date.now(), blockNumber);
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

  /**
   * A person closes the incident (`breakwater-keeper incident close <id>`): its pending actions stop
   * being retried. Returns the incident as it was before, or undefined if there is none.
   */
  closeIncident(id: string, by = "operator", note?: string): Incident | undefined {
    return this.transaction(() => {
      const before = this.incident(id);
      if (!before) return undefined;
      this.stmt("UPDATE incidents SET status = 'closed' WHERE id = ?").run(id);
      this.stmt("UPDATE actions SET status = 'closed', closed_by = ?, updated_at = ? WHERE incident_id = ? AND status = 'pending'").run(by, Date.now(), id);
      this.addTimeline({ incidentId: id, at: Date.now(), blockNumber: null, kind: "note", message: `incident closed by ${by}${note ? `: ${note}` : ""} (was ${before.status}); pending actions are no longer retried` });
      return before;
    });
  }

  // ------------------------------------------------------------------ actions (durable decisions)

  /** Record a decision to act before its first try; a second record of the same (incident, kind) is a no-op. */
  recordAction(decision: Decision, kind: ActionRecord["kind"], block: BlockRef, at = Date.now()): ActionRecord {
    this.stmt(
      `INSERT INTO actions (incident_id, kind, decision, block_number, block_hash, status, tries, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT(incident_id, kind) DO NOTHING`,
    ).run(decision.incidentId, kind, jsonBig(decision), block.number, block.hash, at, at);
    return this.action(decision.incidentId, kind)!;
  }

  action(incidentId: string, kind: ActionRecord["kind"]): ActionRecord | undefined {
    const r = this.stmt("SELECT * FROM actions WHERE incident_id = ? AND kind = ?").get(incidentId, kind) as Row | undefined;
    return r ? toAction(r) : undefined;
  }

  actions(status?: ActionRecord["status"]): ActionRecord[] {
    const rows = status
      ? this.stmt("SELECT * FROM actions WHERE status = ? ORDER BY created_at").all(status)
      : this.stmt("SELECT * FROM actions ORDER BY created_at").all();
    return (rows as Row[]).map(toAction);
  }

  /** One more try of a pending action: `error` = why it did not go through (undefined: it did). */
  noteActionTry(incidentId: string, kind: ActionRecord["kind"], error?: string, at = Date.now()): void {
    this.stmt("UPDATE actions SET tries = tries + 1, last_error = ?, updated_at = ? WHERE incident_id = ? AND kind = ?").run(error ?? null, at, incidentId, kind);
  }

  /** The action is carried out (a transaction is in the lane's hands, the scope was paused, the proposal published). */
  finishAction(incidentId: string, kind: ActionRecord["kind"], status: "done" | "retracted" = "done", at = Date.now()): void {
    this.stmt("UPDATE actions SET status = ?, updated_at = ? WHERE incident_id = ? AND kind = ? AND status = 'pending'").run(status, at, incidentId, kind);
  }

  /** Put a finished action back to pending (its pause did not take effect: reverted, nonce taken). */
  reopenAction(incidentId: string, kind: ActionRecord["kind"], why: string, at = Date.now()): void {
    this.stmt("UPDATE actions SET status = 'pending', last_error = ?, updated_at = ? WHERE incident_id = ? AND kind = ? AND status = 'done'").run(why, at, incidentId, kind);
  }

  // ------------------------------------------------------------------ fees

  /**
   * Every pause that was included, with its cost (gas used × effective gas price, from the receipt)
   * and the blocks from the first broadcast to inclusion. Drill scores and the bench read this.
   */
  pauseFees(): PauseFee[] {
    const rows = (this.stmt("SELECT * FROM tx_attempts WHERE kind = 'pause' ORDER BY id").all() as Row[]).map(toTxAttempt);
    const out: PauseFee[] = [];
    for (const a of rows) {
      if (a.status !== "included" || !a.hash || a.includedBlock === undefined) continue;
      const same = rows.filter((x) => x.incidentId === a.incidentId && x.hash);
      const firstSent = same.map((x) => x.sentBlock).filter((x): x is number => x !== undefined).reduce<number | undefined>((m, x) => (m === undefined || x < m ? x : m), undefined);
      const gasUsed = a.gasUsed ?? 0n;
      const fee = a.feePaidWei ?? 0n;
      out.push({
        incidentId: a.incidentId,
        hash: a.hash,
        firstSentBlock: firstSent,
        includedBlock: a.includedBlock,
        blocksToInclusion: firstSent === undefined ? undefined : a.includedBlock - firstSent,
        gasUsed,
        effectiveGasPrice: gasUsed > 0n ? fee / gasUsed : 0n,
        feePaidWei: fee,
        maxPriorityFeePerGas: a.maxPriorityFeePerGas,
        transactions: same.length,
      });
    }
    return out;
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
      `INSERT INTO tx_attempts (incident_id, kind, chain_id, to_address, data, nonce, hash, max_fee, max_priority_fee, status, included_block, note, created_at, sent_block)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      a.sentBlock ?? null,
    );
    return Number(r.lastInsertRowid);
  }

  updateTxAttempt(id: number, patch: Partial<Pick<TxAttempt, "status" | "hash" | "nonce" | "includedBlock" | "note" | "maxFeePerGas" | "maxPriorityFeePerGas" | "sentBlock" | "gasUsed" | "feePaidWei">>): void {
    const current = this.stmt("SELECT * FROM tx_attempts WHERE id = ?").get(id) as Row | undefined;
    if (!current) throw new Error(`no tx attempt ${id}`);
    const merged = { ...toTxAttempt(current), ...patch };
    this.stmt(
      "UPDATE tx_attempts SET status = ?, hash = ?, nonce = ?, included_block = ?, note = ?, max_fee = ?, max_priority_fee = ?, sent_block = ?, gas_used = ?, fee_paid = ? WHERE id = ?",
    ).run(
      merged.status,
      merged.hash ?? null,
      merged.nonce ?? null,
      merged.includedBlock ?? null,
      merged.note ?? null,
      merged.maxFeePerGas?.toString() ?? null,
      merged.maxPriorityFeePerGas?.toString() ?? null,
      merged.sentBlock ?? null,
      merged.gasUsed?.toString() ?? null,
      merged.feePaidWei?.toString() ?? null,
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
