import { fromBase64 } from "../../crypto/encoding";
import { generateToken } from "../../crypto/random";

/**
 * A new WebAuthn user handle (user.id): 32 random bytes, base64url. Authenticators keep it with
 * discoverable passkeys, where anyone holding the device can read it, so it carries nothing about
 * the person (never the auth_user_id or the email). One per user, stored in webauthn_user_handles
 * (store/passkeys.ts ensureUserHandle).
 */
export function generateUserHandle(): string {
  return generateToken(32);
}

/** Raw bytes of a base64url user handle (1-64 bytes, WebAuthn §5.4.3). */
export function userHandleBytes(handle: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]{2,86}$/.test(handle) || handle.length % 4 === 1) throw new Error("a user handle is 1-64 bytes of base64url");
  return fromBase64(handle);
}
