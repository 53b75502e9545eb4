// Who signs the keeper's transactions. Secrets never appear in the config: it names the
// environment variables (or hardhat-keystore entries) holding them.
import { z } from "zod";
import { envName, httpUrl } from "../config/fields.js";

export { envName } from "../config/fields.js";


/** hardhat-keystore: the key is read from the (encrypted) keystore file with a password from the env. */
export const keystoreSourceSchema = z.object({
  /** The keystore entry name, as in `npx hardhat keystore set <key>`. */
  key: z.string().min(1),
  /** Environment variable holding the keystore password (the keeper cannot prompt). */
  passwordEnv: envName.optional(),
  /** Use the development keystore (`--dev`): its password is read from Hardhat's checksum file. */
  dev: z.boolean().default(false),
  /** Keystore file; default: Hardhat's global config dir (keystore.json, or dev.keystore.json with dev). */
  path: z.string().min(1).optional(),
});

export const localSignerSchema = z.object({
  type: z.literal("local"),
  /** Environment variable holding a 0x-prefixed private key. */
  keyEnv: envName.optional(),
  /** Or: an entry of hardhat-keystore. Exactly one of keyEnv / keystore. */
  keystore: keystoreSourceSchema.optional(),
});

export const relayerSpeed = z.enum(["safeLow", "average", "fast", "fastest"]);

export const ozRelayerSignerSchema = z.object({
  type: z.literal("oz-relayer"),
  /** Base URL of the OpenZeppelin Relayer (the SDK appends /api/v1/...). */
  baseUrl: httpUrl,
  relayerId: z.string().min(1),
  /** Environment variable holding the relayer API key (sent as a bearer token). */
  apiKeyEnv: envName,
  /** Speed class the relayer prices and re-prices with (it manages nonces and fee bumps). */
  speed: relayerSpeed.default("fastest"),
  /** Seconds the relayer may keep trying before the transaction expires. */
  validForSeconds: z.number().int().min(30).max(86_400).default(600),
});

export const defenderSignerSchema = z.object({
  type: z.literal("defender"),
  /** Relayer API key / secret (what the relay signer authenticates with). */
  relayerApiKeyEnv: envName,
  relayerApiSecretEnv: envName,
  /** Team API key / secret: optional, not needed to send through the relayer. */
  apiKeyEnv: envName.optional(),
  apiSecretEnv: envName.optional(),
  /** Override of the Defender API URL (the SDK's DEFENDER_API_URL), e.g. a self-hosted stand-in. */
  apiUrl: httpUrl.optional(),
  speed: relayerSpeed.default("fastest"),
  validForSeconds: z.number().int().min(30).max(86_400).default(600),
});

export const signerSchema = z
  .discriminatedUnion("type", [localSignerSchema, ozRelayerSignerSchema, defenderSignerSchema])
  .superRefine((s, ctx) => {
    if (s.type === "local") {
      if (!s.keyEnv === !s.keystore) {
        ctx.addIssue({
          code: "custom",
          path: ["keyEnv"],
          message: "a local signer needs exactly one of keyEnv (env variable with the private key) or keystore ({ key, passwordEnv })",
        });
      }
      if (s.keystore && !s.keystore.dev && !s.keystore.passwordEnv) {
        ctx.addIssue({
          code: "custom",
          path: ["keystore", "passwordEnv"],
          message: "the production hardhat-keystore is password-protected and the keeper cannot prompt: set passwordEnv",
        });
      }
    }
  });

export type SignerConfigInput = z.input<typeof signerSchema>;
export type SignerConfig = z.output<typeof signerSchema>;
export type LocalSignerConfig = z.output<typeof localSignerSchema>;
export type OzRelayerSignerConfig = z.output<typeof ozRelayerSignerSchema>;
export type DefenderSignerConfig = z.output<typeof defenderSignerSchema>;
