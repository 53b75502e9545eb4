// OpenZeppelin Relayer (self-hosted, https://github.com/OpenZeppelin/openzeppelin-relayer) through
// @openzeppelin/relayer-sdk. The relayer owns the nonce and re-prices stuck transactions by
// `speed`; we submit once and follow the transaction by id. Endpoints the SDK calls:
//   GET  {baseUrl}/api/v1/relayers/{id}                       (address)
//   POST {baseUrl}/api/v1/relayers/{id}/transactions          (send)
//   GET  {baseUrl}/api/v1/relayers/{id}/transactions/{txId}   (follow)
//   GET  {baseUrl}/api/v1/relayers/{id}/transactions/         (list, to find one after a crash)
//   PUT  {baseUrl}/api/v1/relayers/{id}/transactions/{txId}   (replace)
//   DELETE same                                                (cancel)
// with `Authorization: Bearer <api key>`, JSON bodies wrapped as { success, data, error }.
import { createRequire } from "node:module";
import type { EvmTransactionResponse, RelayersApi as RelayersApiT, Configuration as ConfigurationT } from "@openzeppelin/relayer-sdk";
import type { OzRelayerSignerConfig } from "./schema.js";
import type { KeeperSigner, RelayedStatus, RelayedTx, SentTx, TxRequest } from "./types.js";
import { redact, requireEnv } from "./types.js";

const require = createRequire(import.meta.url);
const sdk = require("@openzeppelin/relayer-sdk") as {
  RelayersApi: typeof RelayersApiT;
  Configuration: typeof ConfigurationT;
};

const toStatus = (s: string | undefined): RelayedStatus =>
  (["pending", "sent", "mined", "confirmed", "failed", "expired", "canceled"] as const).find((x) => x === s) ??
  (s === "submitted" ? "sent" : "unknown");

export class OzRelayerSigner implements KeeperSigner {
  readonly kind = "oz-relayer" as const;
  readonly managesNonceAndFees = true;
  private readonly api: RelayersApiT;
  private readonly apiKey: string;
  private cachedAddress?: string;

  constructor(private readonly cfg: OzRelayerSignerConfig, env: NodeJS.ProcessEnv = process.env) {
    this.apiKey = requireEnv(cfg.apiKeyEnv, `oz-relayer ${cfg.relayerId} API key`, env);
    this.api = new sdk.RelayersApi(
      new sdk.Configuration({ basePath: cfg.baseUrl.replace(/\/+$/, ""), accessToken: this.apiKey }),
    );
  }

  /** Call the SDK; unwrap { success, data }; errors carry the HTTP status and never the key. */
  private async call<T>(what: string, fn: () => Promise<{ data: { success: boolean; data?: unknown; error?: string } }>): Promise<T> {
    try {
      const res = await fn();
      if (!res.data?.success) throw new Error(res.data?.error ?? "success: false");
      return res.data.data as T;
    } catch (err) {
      const e = err as { response?: { status?: number; data?: { error?: string } }; message?: string };
      const detail = e.response ? `HTTP ${e.response.status}${e.response.data?.error ? `: ${e.response.data.error}` : ""}` : e.message;
      throw new Error(redact(`oz-relayer ${this.cfg.relayerId}: ${what} failed: ${detail}`, [this.apiKey]));
    }
  }

  async address(): Promise<string> {
    if (!this.cachedAddress) {
      const r = await this.call<{ address?: string }>("getRelayer", () => this.api.getRelayer(this.cfg.relayerId));
      if (!r.address) throw new Error(`oz-relayer ${this.cfg.relayerId}: the relayer reports no address`);
      this.cachedAddress = r.address;
    }
    return this.cachedAddress;
  }

  private body(tx: TxRequest) {
    return {
      to: tx.to,
      data: tx.data,
      value: 0,
      gas_limit: Number(tx.gasLimit),
      speed: this.cfg.speed as never,
      valid_until: new Date(Date.now() + this.cfg.validForSeconds * 1000).toISOString(),
    };
  }

  private toRelayed(t: EvmTransactionResponse): RelayedTx {
    return {
      id: t.id,
      hash: t.hash ?? undefined,
      nonce: t.nonce ?? undefined,
      status: toStatus(t.status),
      maxFeePerGas: t.max_fee_per_gas ? BigInt(t.max_fee_per_gas) : undefined,
      maxPriorityFeePerGas: t.max_priority_fee_per_gas ? BigInt(t.max_priority_fee_per_gas) : undefined,
    };
  }

  async sendTransaction(tx: TxRequest): Promise<SentTx> {
    const t = await this.call<EvmTransactionResponse>("sendTransaction", () =>
      this.api.sendTransaction(this.cfg.relayerId, this.body(tx)),
    );
    return { id: t.id, hash: t.hash ?? undefined, nonce: t.nonce ?? undefined };
  }

  async getTransaction(ref: SentTx): Promise<RelayedTx> {
    if (!ref.id) throw new Error("oz-relayer: getTransaction needs the relayer transaction id");
    const t = await this.call<EvmTransactionResponse>("getTransactionById", () =>
      this.api.getTransactionById(this.cfg.relayerId, ref.id!),
    );
    return this.toRelayed(t);
  }

  async findTransaction(to: string, data: string): Promise<RelayedTx | undefined> {
    const list = await this.call<EvmTransactionResponse[]>("listTransactions", () =>
      this.api.listTransactions(this.cfg.relayerId, 1, 50),
    );
    const t = (list ?? []).find(
      (x) => x.to?.toLowerCase() === to.toLowerCase() && x.data?.toLowerCase() === data.toLowerCase() &&
        !["failed", "expired", "canceled"].includes(x.status),
    );
    return t ? this.toRelayed(t) : undefined;
  }

  async replaceTransaction(ref: SentTx, tx: TxRequest): Promise<SentTx> {
    const t = await this.call<EvmTransactionResponse>("replaceTransaction", () =>
      this.api.replaceTransaction(this.cfg.relayerId, ref.id!, this.body(tx)),
    );
    return { id: t.id, hash: t.hash ?? undefined, nonce: t.nonce ?? undefined };
  }

  async cancelTransaction(ref: SentTx): Promise<void> {
    await this.call("cancelTransaction", () => this.api.cancelTransaction(this.cfg.relayerId, ref.id!));
  }
}
