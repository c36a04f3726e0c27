import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex, utf8 } from "./encoding";

/** Hex SHA-256 of a UTF-8 string: how API-key and session secrets are stored. */
export function sha256Hex(text: string): string {
  return toHex(sha256(utf8(text)));
}

/** Hex HMAC-SHA-256 of `message` under `key`: how challenge codes and tokens are stored. */
export function hmacHex(key: string, message: string): string {
  return toHex(hmac(sha256, utf8(key), utf8(message)));
}

/**
 * Compares two strings in time that depends only on their lengths' maximum, never on where they
 * first differ, so a caller cannot learn a secret byte by byte from response times.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = utf8(a);
  const y = utf8(b);
  const len = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < len; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
