import { toBase64Url, toHex } from "./encoding";

/** CSPRNG bytes. */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** An opaque URL-safe token of `bytes` random bytes (default 32 = 256 bits). */
export function generateToken(bytes = 32): string {
  return toBase64Url(randomBytes(bytes));
}

/** A random lower-case hex id (default 16 bytes). */
export function generateId(bytes = 16): string {
  return toHex(randomBytes(bytes));
}

/**
 * A uniformly random numeric code of `digits` digits. Rejection sampling keeps every code equally
 * likely (a plain `% 10^n` on a 32-bit value would favour low codes).
 */
export function generateNumericCode(digits = 6): string {
  const range = 10 ** digits;
  const limit = Math.floor(0x1_0000_0000 / range) * range;
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0]! < limit) return String(buf[0]! % range).padStart(digits, "0");
  }
}
