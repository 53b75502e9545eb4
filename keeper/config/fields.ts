// Field types shared by every part of the keeper's config schema.
import { z } from "zod";

export const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");
/** A "$name" reference (contracts.named / the address book). */
export const NAME_REF = /^\$[A-Za-z_][A-Za-z0-9_]*$/;
/** An address, or a "$name" the keeper config resolves (contracts.named / the address book). */
export const addressOrName = z
  .string()
  .refine((v) => /^0x[0-9a-fA-F]{40}$/.test(v) || NAME_REF.test(v), "must be a 0x-prefixed 20-byte hex address or a $name (contracts.named / the address book)");
export const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex value");

/** A URL whose protocol is one of `protocols` (e.g. ["http:", "https:"]). */
export const urlWith = (protocols: string[]) =>
  z.string().refine((u) => {
    try {
      return protocols.includes(new URL(u).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with protocol ${protocols.join(" or ")}`);

export const httpUrl = urlWith(["http:", "https:"]);

/** The name of an environment variable (not its value): secrets never sit in the config file. */
export const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable (letters, digits, _), not its value");
