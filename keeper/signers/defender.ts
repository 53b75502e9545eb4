// The relay signer of @openzeppelin/defender-sdk, for teams still holding Defender relayer
// credentials (Defender shut down on 2026-07-01; this adapter keeps their configs working against
// any compatible endpoint, e.g. a self-hosted stand-in). The relayer owns nonce and re-pricing.
//
// What the SDK does on the wire (defender-sdk-base-client 2.7, relay-signer-client 2.7):
//   auth (default, useCredentialsCaching = true → "auth v2", no AWS Cognito):
//     POST {apiUrl}/auth/login { apiKey, secretKey, type: "relay" } → { accessToken, refreshToken }
//     (only with useCredentialsCaching = false does it use amazon-cognito-identity-js)
//   then, with headers X-Api-Key: <key> and Authorization: Bearer <accessToken>:
//     GET  {apiUrl}/relayers/self            POST {apiUrl}/relayers/self/txs
//     GET  {apiUrl}/relayers/self/txs/{id}   PUT  {apiUrl}/relayers/self/txs/{id}
//     GET  {apiUrl}/relayers/self/txs?...    DELETE {apiUrl}/relayers/self/txs/{id}
// The API URL is read by the SDK from process.env.DEFENDER_API_URL at each call (default
// https://defender-api.openzeppelin.com/); `apiUrl` in the config sets it for this process.
import { createRequire } from "node:module";
import type { DefenderSignerConfig } from "./schema.js";
import type { KeeperSigner, RelayedStatus, RelayedTx, SentTx, TxRequest } from "./types.js";
import { SignerConfigError, redact, requireEnv } from "./types.js";

const require = createRequire(import.meta.url);

interface DefenderRelayTx {
  transactionId: string;
  hash?: string;
  nonce?: number;
  status: string;
  to?: string;
  data?: string;
  maxFeePerGas?: number | string;
  maxPriorityFeePerGas?: number | string;
}
interface RelaySigner {
  getRelayer(): Promise<{ address: string }>;
  sendTransaction(p: Record<string, unknown>): Promise<DefenderRelayTx>;
  getTransaction(id: string): Promise<DefenderRelayTx>;
  replaceTransactionById(id: string, p: Record<string, unknown>): Promise<DefenderRelayTx>;
  cancelTransactionById(id: string): Promise<unknown>;
  listTransactions(c?: Record<string, unknown>): Promise<DefenderRelayTx[] | { items: DefenderRelayTx[] }>;
}

const toStatus = (s: string): RelayedStatus =>
  s === "submitted" || s === "inmempool" ? "sent" : ((["pending", "sent", "mined", "confirmed", "failed", "expired"] as const).find((x) => x === s) ?? "unknown");

export class DefenderSigner implements KeeperSigner {
  readonly kind = "defender" as const;
  readonly managesNonceAndFees = true;
  private readonly relayer: RelaySigner;
  private readonly secrets: string[];
  private cachedAddress?: string;

  constructor(private readonly cfg: DefenderSignerConfig, env: NodeJS.ProcessEnv = process.env) {
    const key = requireEnv(cfg.relayerApiKeyEnv, "defender relayer API key", env);
    const secret = requireEnv(cfg.relayerApiSecretEnv, "defender relayer API secret", env);
    this.secrets = [key, secret];
    if (cfg.apiUrl) {
      const current = process.env.DEFENDER_API_URL;
      const wanted = cfg.apiUrl.endsWith("/") ? cfg.apiUrl : `${cfg.apiUrl}/`;
      if (current && current !== wanted && current !== cfg.apiUrl) {
        throw new SignerConfigError(
          `defender: DEFENDER_API_URL is already ${current} in this process, cannot also use ${cfg.apiUrl} (the SDK reads one URL per process)`,
        );
      }
      process.env.DEFENDER_API_URL = wanted;
    }
    const { Defender } = require("@openzeppelin/defender-sdk") as {
      Defender: new (o: Record<string, unknown>) => { relaySigner: RelaySigner };
    };
    // retries: 0 — the responder decides when to retry (and a relayer send is not idempotent).
    this.relayer = new Defender({ relayerApiKey: key, relayerApiSecret: secret, retryConfig: { retries: 0 } }).relaySigner;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as { response?: { status?: number; statusText?: string }; message?: string };
      const detail = e.response?.status ? `HTTP ${e.response.status} ${e.response.statusText ?? ""}`.trim() : e.message;
      throw new Error(redact(`defender relayer: ${what} failed: ${detail}`, this.secrets));
    }
  }

  private toRelayed(t: DefenderRelayTx): RelayedTx {
    return {
      id: t.transactionId,
      hash: t.hash,
      nonce: t.nonce,
      status: toStatus(t.status),
      maxFeePerGas: t.maxFeePerGas !== undefined ? BigInt(t.maxFeePerGas) : undefined,
      maxPriorityFeePerGas: t.maxPriorityFeePerGas !== undefined ? BigInt(t.maxPriorityFeePerGas) : undefined,
    };
  }

  async address(): Promise<string> {
    if (!this.cachedAddress) this.cachedAddress = (await this.call("getRelayer", () => this.relayer.getRelayer())).address;
    return this.cachedAddress;
  }

  private payload(tx: TxRequest): Record<string, unknown> {
    return {
      to: tx.to,
      data: tx.data,
      value: 0,
      gasLimit: tx.gasLimit.toString(),
      speed: this.cfg.speed,
      validUntil: new Date(Date.now() + this.cfg.validForSeconds * 1000).toISOString(),
    };
  }

  async sendTransaction(tx: TxRequest): Promise<SentTx> {
    const t = await this.call("sendTransaction", () => this.relayer.sendTransaction(this.payload(tx)));
    return { id: t.transactionId, hash: t.hash, nonce: t.nonce };
  }

  async getTransaction(ref: SentTx): Promise<RelayedTx> {
    return this.toRelayed(await this.call("getTransaction", () => this.relayer.getTransaction(ref.id!)));
  }

  async findTransaction(to: string, data: string): Promise<RelayedTx | undefined> {
    const res = await this.call("listTransactions", () => this.relayer.listTransactions({ status: "pending", limit: 50 }));
    const items = Array.isArray(res) ? res : res.items;
    const t = items.find((x) => x.to?.toLowerCase() === to.toLowerCase() && x.data?.toLowerCase() === data.toLowerCase());
    return t ? this.toRelayed(t) : undefined;
  }

  async replaceTransaction(ref: SentTx, tx: TxRequest): Promise<SentTx> {
    const t = await this.call("replaceTransactionById", () => this.relayer.replaceTransactionById(ref.id!, this.payload(tx)));
    return { id: t.transactionId, hash: t.hash, nonce: t.nonce };
  }

  async cancelTransaction(ref: SentTx): Promise<void> {
    await this.call("cancelTransactionById", () => this.relayer.cancelTransactionById(ref.id!));
  }
}
