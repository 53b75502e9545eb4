// A store file written by the keeper before the actions table and the fee columns existed opens
// with the new keeper: the missing columns and table are added, old rows stay readable.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { KeeperStore, STORE_SCHEMA_VERSION } from "../../keeper/store/store.js";

describe("keeper store: migration of an existing store file", function () {
  const dir = mkdtempSync(join(tmpdir(), "keeper-store-mig-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("adds the actions table and the tx_attempts fee columns; old attempts read as before", function () {
    const file = join(dir, "old.sqlite");
    const old = new DatabaseSync(file);
    // The tx_attempts / incidents schema of the previous release (no sent_block, gas_used, fee_paid; no actions).
    old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE incidents (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, rule_id TEXT NOT NULL, severity TEXT NOT NULL,
        status TEXT NOT NULL, first_block INTEGER NOT NULL, first_block_hash TEXT NOT NULL, detected_at INTEGER NOT NULL,
        block_timestamp INTEGER NOT NULL, contained_block INTEGER, summary TEXT NOT NULL);
      CREATE TABLE tx_attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, kind TEXT NOT NULL,
        chain_id INTEGER NOT NULL, to_address TEXT NOT NULL, data TEXT NOT NULL, nonce INTEGER, hash TEXT, max_fee TEXT,
        max_priority_fee TEXT, status TEXT NOT NULL, included_block INTEGER, note TEXT, created_at INTEGER NOT NULL);
      INSERT INTO meta VALUES ('chainId', '31337');
      INSERT INTO incidents VALUES ('i1', 'fp', 'r', 'P1', 'open', 5, '0xaa', 1, 1, NULL, 'old incident');
      INSERT INTO tx_attempts (incident_id, kind, chain_id, to_address, data, nonce, hash, status, included_block, created_at)
        VALUES ('i1', 'pause', 31337, '0x01', '0x', 3, '0xbeef', 'included', 6, 1);`);
    old.close();

    const store = new KeeperStore(file);
    expect(store.getMeta("schemaVersion")).to.equal(String(STORE_SCHEMA_VERSION));
    const [a] = store.txAttempts("i1");
    expect(a).to.deep.include({ hash: "0xbeef", status: "included", includedBlock: 6, nonce: 3 });
    expect(a!.gasUsed).to.equal(undefined);
    // The new parts work on the migrated file.
    store.updateTxAttempt(a!.id!, { gasUsed: 50_000n, feePaidWei: 50_000n * 7n, sentBlock: 5 });
    expect(store.pauseFees()).to.deep.equal([
      { incidentId: "i1", hash: "0xbeef", firstSentBlock: 5, includedBlock: 6, blocksToInclusion: 1, gasUsed: 50_000n, effectiveGasPrice: 7n, feePaidWei: 350_000n, maxPriorityFeePerGas: undefined, transactions: 1 },
    ]);
    const d = { finding: { ruleId: "r", detector: "matcher", severity: "P1", fingerprint: "fp", blockNumber: 5, blockHash: "0xaa", summary: "s", details: {} }, action: "pause", act: true, incidentId: "i1" } as const;
    store.recordAction(d as never, "pause", { number: 5, hash: "0xaa", parentHash: "0x00", timestamp: 1 });
    expect(store.actions("pending")).to.have.length(1);
    store.closeIncident("i1", "test", "false alarm");
    expect(store.actions("closed")[0]).to.deep.include({ incidentId: "i1", closedBy: "test" });
    expect(store.incident("i1")!.status).to.equal("closed");
    store.close();
    // Opening again is a no-op.
    new KeeperStore(file).close();
  });
});
