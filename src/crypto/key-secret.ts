import { sha256Hex } from "./hmac";
import { generateId, generateToken } from "./random";

/**
 * Secrets for API keys (`a2k_`) and service keys (`a2s_`): `<kind><12 hex public prefix>_<32 random
 * bytes base64url>`. The prefix (48 bits, shown in lists so people can tell keys apart) is public;
 * the 256-bit tail is what makes the key unguessable. Only SHA-256 of the whole secret is stored:
 * the secret has full entropy, so a fast hash is enough (no dictionary to attack), and a lookup by
 * hash needs one indexed read.
 */
export type KeyKind = "a2k_" | "a2s_";

export interface NewKeySecret {
  secret: string;
  prefix: string;
  hash: string;
}

const SHAPES: Record<KeyKind, RegExp> = {
  a2k_: /^a2k_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/,
  a2s_: /^a2s_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/,
};

export function generateKeySecret(kind: KeyKind): NewKeySecret {
  const prefix = `${kind}${generateId(6)}`;
  const secret = `${prefix}_${generateToken(32)}`;
  return { secret, prefix, hash: sha256Hex(secret) };
}

/** True when `presented` has the exact shape of a generated secret of this kind (no storage read otherwise). */
export function hasKeyShape(kind: KeyKind, presented: string): boolean {
  return SHAPES[kind].test(presented);
}
