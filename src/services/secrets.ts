import type { Env } from "../env";
import { hmacHex } from "../crypto/hmac";

/**
 * The HMAC key for codes and tokens at rest. Fails closed: without it Auth2 refuses to issue or
 * check codes rather than store them under a guessable key.
 */
export function codeKey(env: Env): string {
  const key = env.CODE_HMAC_KEY;
  if (!key || key.length < 16) throw new Error("CODE_HMAC_KEY is not configured");
  return key;
}

/** A keyed digest of an email: used in limiter keys and object names so no address appears in clear. */
export function emailDigest(env: Env, email: string): string {
  return hmacHex(codeKey(env), `email:${email}`);
}
