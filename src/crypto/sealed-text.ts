import { fromBase64, toBase64Url, utf8 } from "./encoding";
import { randomBytes } from "./random";

// Sealed text at rest: AES-256-GCM under a key derived with HKDF-SHA-256 from a secret and a purpose
// label (`info`), so one configured secret yields an independent key per use (a key for one purpose
// never decrypts another's data). Stored as `v1.<iv>.<ciphertext+tag>` (base64url). The associated
// data names the row the text belongs to: a ciphertext copied onto another row does not open.

const VERSION = "v1";
const keys = new Map<string, Promise<CryptoKey>>();

function deriveKey(secret: string, info: string): Promise<CryptoKey> {
  const cacheKey = `${info}\u0000${secret}`;
  let hit = keys.get(cacheKey);
  if (!hit) {
    hit = crypto.subtle
      .importKey("raw", utf8(secret), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: utf8("auth2 sealed-text"), info: utf8(info) },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    hit.catch(() => keys.delete(cacheKey));
    keys.set(cacheKey, hit);
  }
  return hit;
}

/**
 * Encrypts `plaintext`. With `padToBytes` the UTF-8 text is first padded with spaces to at least that
 * many bytes, so the stored size says nothing about the content below it (the reader's format must
 * ignore trailing spaces, as JSON does).
 */
export async function sealText(secret: string, info: string, associated: string, plaintext: string, padToBytes = 0): Promise<string> {
  const key = await deriveKey(secret, info);
  let bytes = utf8(plaintext);
  if (bytes.length < padToBytes) {
    const padded = new Uint8Array(padToBytes).fill(0x20);
    padded.set(bytes);
    bytes = padded;
  }
  const iv = randomBytes(12);
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: utf8(associated) }, key, bytes);
  return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ct))}`;
}

/** Decrypts sealed text (padding included); throws when the secret, label, associated data or ciphertext does not match. */
export async function openText(secret: string, info: string, associated: string, sealed: string): Promise<string> {
  const [version, iv, ct, extra] = sealed.split(".");
  if (version !== VERSION || !iv || !ct || extra !== undefined) throw new Error("Unsupported sealed text format");
  const key = await deriveKey(secret, info);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv), additionalData: utf8(associated) }, key, fromBase64(ct));
  return new TextDecoder().decode(plain);
}
