import { fromBase64, toBase64Url, utf8 } from "./encoding";
import { randomBytes } from "./random";

// TOTP secrets at rest: AES-256-GCM under TOTP_ENCRYPTION_KEY (32 bytes, base64), stored as
// `v1.<iv>.<ciphertext+tag>` (base64url). The owner (e.g. "admin:adm_x" or an auth_user_id) is the
// additional authenticated data, so a ciphertext copied onto another account's row does not decrypt.
// Shared by admin and user TOTP.

const VERSION = "v1";
const keys = new Map<string, Promise<CryptoKey>>();

function importKey(keyB64: string | undefined): Promise<CryptoKey> {
  if (!keyB64) throw new Error("TOTP_ENCRYPTION_KEY is not configured");
  let hit = keys.get(keyB64);
  if (!hit) {
    const raw = fromBase64(keyB64);
    if (raw.length !== 32) throw new Error("TOTP_ENCRYPTION_KEY must be 32 bytes (base64)");
    hit = crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    keys.set(keyB64, hit);
  }
  return hit;
}

/** Encrypts a base32 TOTP secret for storage in `totp_secret_enc`. */
export async function encryptTotpSecret(keyB64: string | undefined, secret: string, owner: string): Promise<string> {
  const key = await importKey(keyB64);
  const iv = randomBytes(12);
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: utf8(owner) }, key, utf8(secret));
  return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ct))}`;
}

/** Decrypts a stored TOTP secret; throws when the key, owner or ciphertext does not match. */
export async function decryptTotpSecret(keyB64: string | undefined, stored: string, owner: string): Promise<string> {
  const [version, iv, ct] = stored.split(".");
  if (version !== VERSION || !iv || !ct) throw new Error("Unsupported TOTP secret format");
  const key = await importKey(keyB64);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv), additionalData: utf8(owner) }, key, fromBase64(ct));
  return new TextDecoder().decode(plain);
}
