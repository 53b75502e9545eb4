import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHmac, randomBytes, scryptSync } from "node:crypto";
import { gcmsiv } from "@noble/ciphers/aes.js";
import { Wallet, type JsonRpcProvider } from "ethers";
import { KeeperStore } from "../../keeper/store/store.js";
import { Responders } from "../../keeper/responders/index.js";
import { createSigner, signerSchema } from "../../keeper/signers/index.js";
import type { BlockRef, Decision } from "../../keeper/types.js";
import { Scope } from "../breaker/helpers.js";
import { startReceiver, type ReceivedRequest, type Receiver } from "./helpers/receiver.js";
import { startHardhatNode, type HardhatNode } from "./helpers/node.js";
import { armSentinel, deployVaultSystemOn, snapshots, testKey, type VaultSystem } from "./helpers/chain.js";

// The relayer stand-ins send to a real `hardhat node` spawned by this file (one node for the
// file; evm_snapshot/evm_revert between tests; contracts deployed from artifacts/).
const CHAIN_ID = 31337;
let node: HardhatNode;
let provider: JsonRpcProvider;
let vaultSys: VaultSystem;

/** The relayer's own key (the stand-in signs with it, as the real service would with its KMS key). */
let relayerWallet: Wallet;

/** The vault system with the relayer's address armed as sentinel and funded (restored by evm_revert after each test). */
const fixture = (): VaultSystem => vaultSys;

/** Assert that `p` rejects with a message matching `re`. */
async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, "expected a rejection").to.be.instanceOf(Error);
  expect((err as Error).message).to.match(re);
}

async function head(): Promise<BlockRef> {
  const b = (await provider.getBlock("latest"))!;
  return { number: b.number, hash: b.hash!, parentHash: b.parentHash, timestamp: b.timestamp };
}

interface StandInTx { id: string; hash: string; nonce: number; to: string; data: string; status: string }

/** Relay `body` to the chain with the relayer's key; the service owns the nonce and the fees. */
async function relay(txs: StandInTx[], to: string, data: string, gasLimit: bigint): Promise<StandInTx> {
  const sent = await relayerWallet.sendTransaction({ to, data, gasLimit });
  const t = { id: `tx-${txs.length + 1}`, hash: sent.hash, nonce: sent.nonce, to, data, status: "submitted" };
  txs.push(t);
  return t;
}

async function refresh(t: StandInTx): Promise<StandInTx> {
  const r = await provider.getTransactionReceipt(t.hash);
  if (r) t.status = r.status === 1 ? "mined" : "failed";
  return t;
}

function pauseDecision(store: KeeperStore, block: BlockRef, breaker: string): Decision {
  const f = { ruleId: "drain", detector: "invariant" as const, severity: "P1" as const, fingerprint: "fp", blockNumber: block.number, blockHash: block.hash, summary: "drain", details: {} };
  const { incident } = store.openIncident(f, block.timestamp);
  return { finding: f, action: "pause", act: true, incidentId: incident.id, pause: { breaker, scope: Scope.GLOBAL, durationSeconds: 1800 } };
}

describe("keeper signers", function () {
  this.timeout(60_000);
  let rx: Receiver | undefined;
  let snap: ReturnType<typeof snapshots>;
  before(async function () {
    node = await startHardhatNode();
    provider = node.provider;
    expect(Number((await provider.getNetwork()).chainId)).to.equal(CHAIN_ID);
    relayerWallet = new Wallet(testKey("signers.relayer"), provider);
    vaultSys = await deployVaultSystemOn(node);
    await armSentinel(node, vaultSys, relayerWallet.address);
    snap = snapshots(node);
    await snap.take();
  });
  after(async function () {
    await node?.stop();
  });
  afterEach(async () => {
    await rx?.close();
    rx = undefined;
    await snap.restore();
  });

  it("schema: exactly one key source; names of env variables, not values", function () {
    expect(() => signerSchema.parse({ type: "local" })).to.throw(/exactly one of keyEnv/);
    expect(() => signerSchema.parse({ type: "local", keyEnv: "0xabc" })).to.throw(/NAME of an environment variable/);
    expect(() => signerSchema.parse({ type: "local", keystore: { key: "sentinel" } })).to.throw(/passwordEnv/);
    expect(signerSchema.parse({ type: "oz-relayer", baseUrl: "http://relayer:8080", relayerId: "r1", apiKeyEnv: "K" })).to.include({ speed: "fastest" });
  });

  it("local: missing or invalid key → error naming the variable, never the value", async function () {
    await rejects(createSigner({ type: "local", keyEnv: "NO_SUCH_KEY" }, provider, { env: {} }), /NO_SUCH_KEY is not set/);
    let msg = "";
    try {
      await createSigner({ type: "local", keyEnv: "BAD" }, provider, { env: { BAD: "0xdeadbeefnotakey" } });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.match(/env BAD does not hold a valid/).and.not.include("deadbeef");
  });

  it("local: hardhat-keystore file decrypted with the password from an env variable", async function () {
    const dir = mkdtempSync(path.join(tmpdir(), "bw-ks-"));
    try {
      const wallet = Wallet.createRandom();
      const file = path.join(dir, "keystore.json");
      writeFileSync(file, JSON.stringify(makeKeystore("correct horse battery", { sentinel: wallet.privateKey })));
      const s = await createSigner({ type: "local", keystore: { key: "sentinel", passwordEnv: "KS_PW", path: file } }, provider, { env: { KS_PW: "correct horse battery" }, chainId: CHAIN_ID });
      expect(await s.address()).to.equal(wallet.address);
      await rejects(
        createSigner({ type: "local", keystore: { key: "sentinel", passwordEnv: "KS_PW", path: file } }, provider, { env: { KS_PW: "wrong" }, chainId: CHAIN_ID }),
      /wrong password/);
      await rejects(
        createSigner({ type: "local", keystore: { key: "other", passwordEnv: "KS_PW", path: file } }, provider, { env: { KS_PW: "correct horse battery" } }),
      /no key "other"/);
      await rejects(
        createSigner({ type: "local", keystore: { key: "sentinel", passwordEnv: "KS_PW", path: file } }, provider, { env: {} }),
      /KS_PW is not set/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("oz-relayer: the responder submits once through the SDK and follows the relayer's transaction to containment", async function () {
    const { vault, vaultAddr } = fixture();
    const txs: StandInTx[] = [];
    const auth: string[] = [];
    const route = async (r: ReceivedRequest) => {
      auth.push(String(r.headers.authorization));
      const m = r.path.match(/^\/api\/v1\/relayers\/([^/]+)(\/transactions\/?([^/?]*))?/);
      if (!m || m[1] !== "sentinel-relayer") return { status: 404, body: { success: false, error: "not found" } };
      const evm = (t: StandInTx) => ({ id: t.id, hash: t.hash, nonce: t.nonce, status: t.status, from: relayerWallet.address, to: t.to, data: t.data, relayer_id: m[1], created_at: new Date().toISOString(), value: "0" });
      if (r.method === "GET" && !m[2]) return { body: { success: true, data: { id: m[1], name: "sentinel", network: "localhost", network_type: "evm", paused: false, signer_id: "s", address: relayerWallet.address } } };
      if (r.method === "POST" && m[2]) {
        const t = await relay(txs, r.json.to, r.json.data, BigInt(r.json.gas_limit));
        return { body: { success: true, data: evm(t) } };
      }
      if (r.method === "GET" && m[3]) {
        const t = txs.find((x) => x.id === m[3]);
        return t ? { body: { success: true, data: evm(await refresh(t)) } } : { status: 404, body: { success: false, error: "no tx" } };
      }
      if (r.method === "GET" && m[2]) return { body: { success: true, data: await Promise.all(txs.map(async (t) => evm(await refresh(t)))) } };
      return { status: 405, body: { success: false, error: "method" } };
    };
    rx = await startReceiver(route);
    const signer = await createSigner({ type: "oz-relayer", baseUrl: rx.url, relayerId: "sentinel-relayer", apiKeyEnv: "OZR_KEY" }, provider, { env: { OZR_KEY: "ozr-api-key-123" } });
    expect(signer.managesNonceAndFees).to.equal(true);
    expect(await signer.address()).to.equal(relayerWallet.address);

    const store = new KeeperStore(":memory:");
    const r = new Responders({ config: { chain: { chainId: CHAIN_ID }, contracts: {}, alerts: {} }, store, provider, sentinelSigner: signer, channels: [] });
    const block = await head();
    const d = pauseDecision(store, block, vaultAddr);
    const [res] = await r.handle([d], block);
    expect(res.pause?.status).to.equal("sent");
    const posts = rx.requests.filter((q) => q.method === "POST");
    expect(posts).to.have.length(1);
    expect(posts[0].path).to.equal("/api/v1/relayers/sentinel-relayer/transactions");
    expect(posts[0].json).to.include({ to: vaultAddr, value: 0, speed: "fastest" });
    expect(posts[0].json).to.not.have.property("nonce");
    expect(posts[0].json).to.not.have.property("max_fee_per_gas");
    expect(auth.every((a) => a === "Bearer ozr-api-key-123")).to.equal(true);
    const contained = await r.onNewBlock(await head());
    expect(contained.map((c) => c.incidentId)).to.deep.equal([d.incidentId]);
    expect(await vault.isPaused(Scope.GLOBAL)).to.equal(true);
    const [a] = store.txAttempts(d.incidentId);
    expect(a.status).to.equal("included");
    expect(a.note).to.include("relayerTxId=tx-1");
    // Same decision again (or after a restart): no second POST.
    await r.handle([d], await head());
    expect(rx.requests.filter((q) => q.method === "POST")).to.have.length(1);
  });

  it("oz-relayer: errors carry the HTTP status, never the API key", async function () {
    rx = await startReceiver(() => ({ status: 401, body: { success: false, error: "Unauthorized" } }));
    const signer = await createSigner({ type: "oz-relayer", baseUrl: rx.url, relayerId: "r", apiKeyEnv: "K" }, provider, { env: { K: "very-secret-key" } });
    let msg = "";
    try {
      await signer.address();
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.match(/HTTP 401/).and.not.include("very-secret-key");
    await rejects(createSigner({ type: "oz-relayer", baseUrl: rx.url, relayerId: "r", apiKeyEnv: "OZ_MISSING" }, provider, { env: {} }), /OZ_MISSING is not set/);
  });

  it("defender: the SDK's relay signer (auth v2 login, then /relayers/self/txs) against a local stand-in", async function () {
    const { vault, vaultAddr } = fixture();
    const txs: StandInTx[] = [];
    const calls: string[] = [];
    rx = await startReceiver(async (r) => {
      calls.push(`${r.method} ${r.path.split("?")[0]}`);
      if (r.path === "/auth/login") {
        if (r.json.apiKey !== "dk-key" || r.json.secretKey !== "dk-secret" || r.json.type !== "relay") return { status: 401, body: "Unauthorized" };
        return { body: { accessToken: "jwt-access", refreshToken: "jwt-refresh" } };
      }
      if (r.headers.authorization !== "Bearer jwt-access" || r.headers["x-api-key"] !== "dk-key") return { status: 403, body: "Forbidden" };
      const dt = (t: StandInTx) => ({ transactionId: t.id, hash: t.hash, nonce: t.nonce, status: t.status, to: t.to, data: t.data, from: relayerWallet.address, gasLimit: 100000, chainId: CHAIN_ID, validUntil: "", createdAt: "" });
      if (r.method === "GET" && r.path === "/relayers/self") return { body: { relayerId: "rel", name: "sentinel", address: relayerWallet.address, network: "localhost", paused: false } };
      if (r.method === "POST" && r.path === "/relayers/self/txs") return { body: dt(await relay(txs, r.json.to, r.json.data, BigInt(r.json.gasLimit))) };
      if (r.method === "GET" && r.path.startsWith("/relayers/self/txs/")) {
        const t = txs.find((x) => x.id === r.path.split("/").pop());
        return t ? { body: dt(await refresh(t)) } : { status: 404, body: "no" };
      }
      if (r.method === "GET" && r.path.startsWith("/relayers/self/txs")) return { body: { items: (await Promise.all(txs.map(refresh))).filter((t) => t.status === "submitted").map(dt) } };
      return { status: 404, body: "no route" };
    });
    const prev = process.env.DEFENDER_API_URL;
    delete process.env.DEFENDER_API_URL;
    try {
      const signer = await createSigner(
        { type: "defender", relayerApiKeyEnv: "DK", relayerApiSecretEnv: "DS", apiUrl: rx.url },
        provider,
        { env: { DK: "dk-key", DS: "dk-secret" } },
      );
      expect(await signer.address()).to.equal(relayerWallet.address);
      const store = new KeeperStore(":memory:");
      const r = new Responders({ config: { chain: { chainId: CHAIN_ID }, contracts: {}, alerts: {} }, store, provider, sentinelSigner: signer, channels: [] });
      const block = await head();
      const d = pauseDecision(store, block, vaultAddr);
      const [res] = await r.handle([d], block);
      expect(res.pause?.status).to.equal("sent");
      const contained = await r.onNewBlock(await head());
      expect(contained).to.have.length(1);
      expect(await vault.isPaused(Scope.GLOBAL)).to.equal(true);
      expect(calls[0]).to.equal("POST /auth/login");
      expect(calls).to.include("POST /relayers/self/txs");
      expect(calls.filter((c) => c === "POST /relayers/self/txs")).to.have.length(1);
      const post = rx.requests.find((q) => q.method === "POST" && q.path === "/relayers/self/txs")!;
      expect(post.json).to.include({ to: vaultAddr, speed: "fastest" });
      expect(post.json).to.not.have.property("nonce");
      await rejects(createSigner({ type: "defender", relayerApiKeyEnv: "DK", relayerApiSecretEnv: "DS_MISSING" }, provider, { env: { DK: "x" } }), /DS_MISSING is not set/);
    } finally {
      if (prev === undefined) delete process.env.DEFENDER_API_URL;
      else process.env.DEFENDER_API_URL = prev;
    }
  });
});

/** Build a keystore exactly as @nomicfoundation/hardhat-keystore does (scrypt N=2^17 → AES-GCM-SIV, HMAC-SHA256). */
function makeKeystore(password: string, secrets: Record<string, string>) {
  const salt = randomBytes(32);
  const master = scryptSync(password.normalize("NFKC"), salt, 32, { N: 131072, r: 8, p: 1, maxmem: 300 * 1024 * 1024 });
  const enc = (key: Uint8Array, value: string) => {
    const iv = randomBytes(12);
    return { iv: iv.toString("hex"), cypherText: Buffer.from(gcmsiv(key, iv).encrypt(new TextEncoder().encode(value))).toString("hex") };
  };
  const dataKey = randomBytes(32);
  const hmacKey = randomBytes(32);
  const ks: any = {
    version: "hardhat-v3-keystore-1",
    crypto: {
      masterKeyDerivation: { algorithm: "scrypt", paramN: 131072, paramP: 1, paramR: 8, unicodeNormalizationForm: "NFKC", keyLength: 256, salt: salt.toString("hex") },
      encryption: { algorithm: "AES-GCM-SIV", keyLength: 256 },
      hmac: { algorithm: "HMAC-SHA-256", keyLength: 256 },
    },
    hmacKey: enc(master, hmacKey.toString("hex")),
    dataEncryptionKey: enc(master, dataKey.toString("hex")),
    secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, enc(dataKey, v)])),
  };
  const sorted = (o: any): any => (o && typeof o === "object" ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, sorted(o[k])])) : o);
  ks.hmac = createHmac("sha256", hmacKey).update(JSON.stringify(sorted(ks))).digest("hex");
  return ks;
}
