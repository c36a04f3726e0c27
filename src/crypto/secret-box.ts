import { fromBase64, toBase64Url, utf8 } from "./encoding";

// AES-256-GCM for small secrets at rest (TOTP secrets). Stored as `v1.<iv>.<ciphertext>` (base64url).
// The associated data (e.g. the user id) binds a ciphertext to its row: copied to another row, it
// no longer decrypts.

const keys = new Map<string, Promise<CryptoKey>>();

function importKey(base64Key: string | undefined): Promise<CryptoKey> {
  if (!base64Key) throw new Error("TOTP_ENCRYPTION_KEY is not configured");
  let hit = keys.get(base64Key);
  if (!hit) {
    const raw = fromBase64(base64Key);
    if (raw.length !== 32) throw new Error("TOTP_ENCRYPTION_KEY must be 32 bytes (base64)");
    hit = crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    keys.set(base64Key, hit);
  }
  return hit;
}

export async function sealSecret(base64Key: string | undefined, plaintext: string, associatedData: string): Promise<string> {
  const key = await importKey(base64Key);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: utf8(associatedData) }, key, utf8(plaintext));
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** Decrypts a sealed secret; null when it was tampered with, moved to another row or sealed under another key. */
export async function openSecret(base64Key: string | undefined, sealed: string, associatedData: string): Promise<string | null> {
  const key = await importKey(base64Key);
  const [version, iv, ct] = sealed.split(".");
  if (version !== "v1" || !iv || !ct) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv), additionalData: utf8(associatedData) }, key, fromBase64(ct));
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
