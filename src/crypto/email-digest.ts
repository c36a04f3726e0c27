import { hmacHex } from "./hmac";

/**
 * A keyed digest of a normalised email (HMAC-SHA-256 under CODE_HMAC_KEY): what limiter keys,
 * challenge owners and audit targets use instead of the address, so none holds it in clear.
 */
export function emailDigest(codeKey: string, email: string): string {
  return hmacHex(codeKey, `email:${email}`);
}
