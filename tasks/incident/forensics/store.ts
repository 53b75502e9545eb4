// Read-only view of the keeper's store for forensics: the KeeperStore opened read-only (forensics
// never writes the store, and a wrong path never creates an empty one), projected to the plain
// JSON-safe shapes the analysis records.
import { existsSync } from "node:fs";
import { KeeperStore } from "../../../keeper/store/store.js";
import type { Incident } from "../../../keeper/types.js";
import { fail } from "../../lib/errors.js";

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
  private readonly store: KeeperStore;

  constructor(readonly path: string, option = "--store") {
    if (!existsSync(path)) fail(`${option} ${path}: no such file`, "pass the keeper's store.path (the SQLite file of its config)");
    try {
      this.store = new KeeperStore(path, undefined, { readOnly: true });
      this.store.incidents();
    } catch (err) {
      fail(`${option} ${path} is not a keeper store: ${(err as Error).message}`, "pass the keeper's store.path (keeper/store/store.ts schema)");
    }
  }

  close(): void {
    this.store.close();
  }

  chainId(): number | undefined {
    const v = this.store.getMeta("chainId");
    return v === undefined ? undefined : Number(v);
  }

  incidents(): StoredIncident[] {
    return this.store
      .incidents()
      .sort((x, y) => x.firstBlock - y.firstBlock || x.detectedAt - y.detectedAt)
      .map(toStoredIncident);
  }

  incident(id: string): StoredIncident | undefined {
    const i = this.store.incident(id);
    return i && toStoredIncident(i);
  }

  timeline(incidentId?: string): StoredTimeline[] {
    return this.store.timeline(incidentId).map(({ incidentId, at, blockNumber, kind, message, data }) => ({
      incidentId,
      at,
      blockNumber,
      kind,
      message,
      data,
    }));
  }

  attempts(incidentId?: string): StoredAttempt[] {
    return this.store.txAttempts(incidentId).map(({ incidentId, kind, to, hash, status, includedBlock, createdAt, note }) => ({
      incidentId,
      kind,
      to,
      hash,
      status,
      includedBlock,
      createdAt,
      note,
    }));
  }

  alerts(incidentId?: string): ReturnType<KeeperStore["alerts"]> {
    return this.store.alerts(incidentId);
  }
}

function toStoredIncident(i: Incident): StoredIncident {
  return {
    id: i.id,
    ruleId: i.ruleId,
    severity: i.severity,
    status: i.status,
    firstBlock: i.firstBlock,
    containedBlock: i.containedBlock,
    summary: i.summary,
    detectedAt: i.detectedAt,
    blockTimestamp: i.blockTimestamp,
  };
}
