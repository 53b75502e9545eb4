// Read one secret from a hardhat-keystore file (format "hardhat-v3-keystore-1", see
// @nomicfoundation/hardhat-keystore/dist/src/internal/keystores/encryption.js): the master key is
// scrypt(password NFKC, salt, N=2^17, r=8, p=1, 32 bytes); it decrypts (AES-256-GCM-SIV) the data
// key and the HMAC key; the HMAC-SHA256 over the deterministic JSON of the file (without `hmac`)
// authenticates the whole file; each secret is AES-GCM-SIV encrypted with the data key.
// The plugin only exposes its keystore inside Hardhat tasks (with an interactive password
// prompt), so the keeper reads the file itself; the password comes from an env variable, or,
// for the development keystore, from Hardhat's unencrypted checksum file, exactly as the plugin does.
import { createHmac, scryptSync, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gcmsiv } from "@noble/ciphers/aes.js";
import { SignerConfigError, requireEnv } from "./types.js";

export const KEYSTORE_VERSION = "hardhat-v3-keystore-1";

interface EncryptedData {
  iv: string;
  cypherText: string;
}
export interface EncryptedKeystore {
  version: string;
  crypto: {
    masterKeyDerivation: {
      algorithm: string;
      paramN: number;
      paramP: number;
      paramR: number;
      unicodeNormalizationForm: string;
      keyLength: number;
      salt: string;
    };
    encryption: { algorithm: string; keyLength: number };
    hmac: { algorithm: string; keyLength: number };
  };
  hmacKey: EncryptedData;
  dataEncryptionKey: EncryptedData;
  hmac: string;
  secrets: Record<string, EncryptedData>;
}

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ""), "hex"));

function deterministicJson(obj: unknown): string {
  return JSON.stringify(obj, (_k, value) => {
    if (value === undefined || typeof value === "string" || typeof value === "number") return value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error("unexpected value in a hardhat keystore");
    }
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) sorted[k] = (value as Record<string, unknown>)[k];
    return sorted;
  });
}

function decrypt(key: Uint8Array, data: EncryptedData, what: string): string {
  try {
    return new TextDecoder().decode(gcmsiv(key, hex(data.iv)).decrypt(hex(data.cypherText)));
  } catch {
    throw new SignerConfigError(`hardhat-keystore: cannot decrypt ${what}: wrong password or corrupted keystore`);
  }
}

export function deriveMasterKey(password: string, ks: EncryptedKeystore): Uint8Array {
  const d = ks.crypto.masterKeyDerivation;
  if (d.algorithm !== "scrypt") throw new SignerConfigError(`hardhat-keystore: unsupported key derivation ${d.algorithm}`);
  return Uint8Array.from(
    scryptSync(password.normalize("NFKC"), hex(d.salt), d.keyLength / 8, {
      N: d.paramN,
      r: d.paramR,
      p: d.paramP,
      maxmem: 256 * d.paramN * d.paramR + 32 * 1024 * 1024,
    }),
  );
}

/** Decrypt `key` from a parsed keystore with `password`. */
export function decryptKeystoreSecret(ks: EncryptedKeystore, password: string, key: string): string {
  if (ks.version !== KEYSTORE_VERSION) {
    throw new SignerConfigError(`hardhat-keystore: unsupported keystore version ${ks.version} (expected ${KEYSTORE_VERSION})`);
  }
  const master = deriveMasterKey(password, ks);
  const hmacKey = hex(decrypt(master, ks.hmacKey, "the HMAC key"));
  const mac = createHmac("sha256", hmacKey).update(deterministicJson({ ...ks, hmac: undefined })).digest();
  const expected = Buffer.from(ks.hmac, "hex");
  if (expected.length !== mac.length || !timingSafeEqual(mac, expected)) {
    throw new SignerConfigError("hardhat-keystore: the keystore HMAC does not match (file modified or corrupted)");
  }
  if (!(key in ks.secrets)) {
    throw new SignerConfigError(
      `hardhat-keystore: no key "${key}" in the keystore (list them with \`npx hardhat keystore list\`)`,
    );
  }
  const dataKey = hex(decrypt(master, ks.dataEncryptionKey, "the data key"));
  return decrypt(dataKey, ks.secrets[key], `"${key}"`);
}

/** Hardhat's global config dir (where the plugin keeps keystore.json / dev.keystore.json). */
async function hardhatConfigDir(): Promise<string> {
  const { getConfigDir } = await import("@nomicfoundation/hardhat-utils/global-dir");
  return getConfigDir();
}

export interface KeystoreSource {
  key: string;
  passwordEnv?: string;
  dev?: boolean;
  path?: string;
}

/** Load a secret from hardhat-keystore as configured; errors name the variable or file, never a secret. */
export async function loadKeystoreSecret(src: KeystoreSource, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = src.path ? undefined : await hardhatConfigDir();
  const file = src.path ?? path.join(dir!, src.dev ? "dev.keystore.json" : "keystore.json");
  let password: string;
  if (src.passwordEnv) password = requireEnv(src.passwordEnv, `hardhat-keystore password for "${src.key}"`, env);
  else if (src.dev) {
    const pwFile = path.join(dir ?? path.dirname(file), "hardhat.checksum");
    try {
      password = await readFile(pwFile, "utf8");
    } catch {
      throw new SignerConfigError(`hardhat-keystore: cannot read the development keystore password file ${pwFile}`);
    }
  } else {
    throw new SignerConfigError(`hardhat-keystore: "${src.key}" needs passwordEnv (the keeper cannot prompt for a password)`);
  }
  let parsed: EncryptedKeystore;
  try {
    parsed = JSON.parse(await readFile(file, "utf8")) as EncryptedKeystore;
  } catch (err) {
    throw new SignerConfigError(`hardhat-keystore: cannot read keystore file ${file}: ${(err as Error).message}`);
  }
  return decryptKeystoreSecret(parsed, password, src.key);
}
