// createSigner(config, provider): one KeeperSigner per configured backend.
//   local       → LocalSigner (key from env `keyEnv`, or hardhat-keystore entry)
//   oz-relayer  → OzRelayerSigner (@openzeppelin/relayer-sdk)
//   defender    → DefenderSigner (@openzeppelin/defender-sdk relay signer)
// A missing env variable throws a SignerConfigError naming it; nothing is sent.
import type { Provider } from "ethers";
import { loadKeystoreSecret } from "./keystore.js";
import { LocalSigner } from "./local.js";
import { OzRelayerSigner } from "./oz-relayer.js";
import { DefenderSigner } from "./defender.js";
import { signerSchema, type SignerConfig, type SignerConfigInput } from "./schema.js";
import { requireEnv, SignerConfigError, type KeeperSigner } from "./types.js";

export * from "./types.js";
export { LocalSigner } from "./local.js";
export { OzRelayerSigner } from "./oz-relayer.js";
export { DefenderSigner } from "./defender.js";
export { signerSchema } from "./schema.js";
export type { SignerConfig, SignerConfigInput } from "./schema.js";

export interface CreateSignerOptions {
  /** Chain id for local signing (default: asked from the provider). */
  chainId?: bigint | number;
  /** Environment to read secrets from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** What this signer is for, in errors ("signers.sentinel"). */
  label?: string;
}

export async function createSigner(
  config: SignerConfig | SignerConfigInput,
  provider: Provider,
  opts: CreateSignerOptions = {},
): Promise<KeeperSigner> {
  const cfg: SignerConfig = signerSchema.parse(config);
  const env = opts.env ?? process.env;
  const label = opts.label ?? "signer";
  try {
    switch (cfg.type) {
      case "local": {
        const chainId = BigInt(opts.chainId ?? (await provider.getNetwork()).chainId);
        if (cfg.keyEnv) {
          const key = requireEnv(cfg.keyEnv, `${label} (local) private key`, env);
          return new LocalSigner(key, provider, chainId, `env ${cfg.keyEnv}`);
        }
        const key = await loadKeystoreSecret(cfg.keystore!, env);
        return new LocalSigner(key, provider, chainId, `hardhat-keystore entry "${cfg.keystore!.key}"`);
      }
      case "oz-relayer":
        return new OzRelayerSigner(cfg, env);
      case "defender":
        return new DefenderSigner(cfg, env);
    }
  } catch (err) {
    if (err instanceof SignerConfigError) throw new SignerConfigError(`${label}: ${err.message}`);
    throw err;
  }
}
