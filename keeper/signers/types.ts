// One interface over every way the keeper can sign: a local key (we own nonce and fees) or a
// relayer service (it owns nonce and fee bumping; we only submit and follow).

export interface TxRequest {
  to: string;
  data: string;
  gasLimit: bigint;
  /** Required for signers that do not manage nonces (local). Ignored by relayers. */
  nonce?: number;
  /** EIP-1559 fees. Local: required. Relayers: ignored (they price by `speed`). */
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

/** What a send returns: the hash when known, and the backend's own id for relayers. */
export interface SentTx {
  hash?: string;
  /** The relayer's transaction id (used to follow, replace or cancel it). */
  id?: string;
  nonce?: number;
}

export type RelayedStatus = "pending" | "sent" | "mined" | "confirmed" | "failed" | "expired" | "canceled" | "unknown";

export interface RelayedTx {
  id: string;
  hash?: string;
  nonce?: number;
  status: RelayedStatus;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

export interface SignedTx {
  raw: string;
  hash: string;
}

export interface KeeperSigner {
  readonly kind: "local" | "oz-relayer" | "defender";
  /**
   * true: the backend assigns nonces and re-prices stuck transactions itself. The responder
   * then never bumps fees or picks nonces; it submits once and follows `getTransaction`.
   */
  readonly managesNonceAndFees: boolean;
  address(): Promise<string>;
  /** Submit; local signers need nonce and fees. */
  sendTransaction(tx: TxRequest): Promise<SentTx>;
  /** Local only: sign without sending, so the hash is recorded before broadcast. */
  signTransaction?(tx: TxRequest): Promise<SignedTx>;
  /** Local only: broadcast a signed transaction (idempotent: "already known" is success). */
  broadcast?(raw: string): Promise<string>;
  /** Relayers: follow a submitted transaction (the hash may change as the relayer re-prices). */
  getTransaction?(ref: SentTx): Promise<RelayedTx>;
  /** Relayers: find a transaction we may have submitted before a crash (same to + data). */
  findTransaction?(to: string, data: string): Promise<RelayedTx | undefined>;
  /** Replace (same nonce) / cancel, when the backend supports it. */
  replaceTransaction?(ref: SentTx, tx: TxRequest): Promise<SentTx>;
  cancelTransaction?(ref: SentTx): Promise<void>;
  /** EIP-712 signature (guardian proposals); local signers only. */
  signTypedData?(
    domain: Record<string, unknown>,
    types: Record<string, { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** A configuration problem with a signer (missing env variable, bad key...): nothing was sent. */
export class SignerConfigError extends Error {
  override name = "SignerConfigError";
}

/** Read a required secret from the environment, with an error naming the variable (never the value). */
export function requireEnv(name: string, what: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name];
  if (v === undefined || v.trim() === "") {
    throw new SignerConfigError(`${what}: environment variable ${name} is not set (or empty); nothing was sent`);
  }
  return v.trim();
}

/** Replace every secret occurring in `text` by "***". */
export function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
  return out;
}
