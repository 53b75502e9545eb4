// A local private key (env variable or hardhat-keystore). The keeper owns this key's nonce lane
// and its fees: the responder picks the nonce, signs first (hash known before broadcast) and
// re-prices with same-nonce replacements.
import { Transaction, Wallet, type Provider } from "ethers";
import type { KeeperSigner, SentTx, SignedTx, TxRequest } from "./types.js";
import { SignerConfigError } from "./types.js";

export class LocalSigner implements KeeperSigner {
  readonly kind = "local" as const;
  readonly managesNonceAndFees = false;
  private readonly wallet: Wallet;

  constructor(
    privateKey: string,
    private readonly provider: Provider,
    private readonly chainId: bigint,
    /** Where the key came from, for errors ("env SENTINEL_KEY", "keystore sentinel"). */
    readonly source: string,
  ) {
    try {
      this.wallet = new Wallet(privateKey.startsWith("0x") ? privateKey : `0x${privateKey}`);
    } catch {
      // Never echo the value.
      throw new SignerConfigError(`local signer: ${source} does not hold a valid 32-byte hex private key; nothing was sent`);
    }
  }

  async address(): Promise<string> {
    return this.wallet.address;
  }

  async signTransaction(tx: TxRequest): Promise<SignedTx> {
    if (tx.nonce === undefined || tx.maxFeePerGas === undefined || tx.maxPriorityFeePerGas === undefined) {
      throw new Error("local signer: nonce, maxFeePerGas and maxPriorityFeePerGas are required");
    }
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId: this.chainId,
      to: tx.to,
      data: tx.data,
      value: 0n,
      nonce: tx.nonce,
      gasLimit: tx.gasLimit,
      maxFeePerGas: tx.maxFeePerGas,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
    });
    return { raw, hash: Transaction.from(raw).hash! };
  }

  async broadcast(raw: string): Promise<string> {
    const hash = Transaction.from(raw).hash!;
    try {
      await this.provider.broadcastTransaction(raw);
    } catch (err) {
      const msg = String((err as Error)?.message ?? err).toLowerCase();
      // Sending the very same signed bytes again is harmless: the node already has it.
      if (msg.includes("already known") || msg.includes("known transaction") || msg.includes("already imported")) return hash;
      throw err;
    }
    return hash;
  }

  async sendTransaction(tx: TxRequest): Promise<SentTx> {
    const signed = await this.signTransaction(tx);
    await this.broadcast(signed.raw);
    return { hash: signed.hash, nonce: tx.nonce };
  }

  async signTypedData(
    domain: Record<string, unknown>,
    types: Record<string, { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    return this.wallet.signTypedData(domain, types, value);
  }
}
