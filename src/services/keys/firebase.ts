import { SignJWT, importPKCS8 } from "jose";
import { AppError } from "../../lib/errors";

/** The audience Firebase requires for custom tokens. */
export const FIREBASE_AUDIENCE = "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit";
export const FIREBASE_TOKEN_TTL_SECONDS = 3600;
export const FIREBASE_MAX_UID_LENGTH = 128;
export const FIREBASE_MAX_CLAIMS_BYTES = 1000;
/** Names Firebase reserves in a custom token's claims. */
export const FIREBASE_RESERVED_CLAIMS = [
  "acr", "amr", "at_hash", "aud", "auth_time", "azp", "cnf", "c_hash", "exp", "iat", "iss", "jti", "nbf", "nonce", "firebase",
] as const;

interface SigningAccount {
  clientEmail: string;
  key: CryptoKey;
}

// The imported key, per isolate, keyed by the secret's text so a rotated secret is picked up.
let cached: { raw: string; account: Promise<SigningAccount> } | null = null;

async function importAccount(raw: string): Promise<SigningAccount> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error("FIREBASE_SERVICE_ACCOUNT is not JSON");
  }
  const { client_email: clientEmail, private_key: privateKey } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof clientEmail !== "string" || !clientEmail || typeof privateKey !== "string" || !privateKey) {
    throw new Error("FIREBASE_SERVICE_ACCOUNT lacks client_email or private_key");
  }
  return { clientEmail, key: await importPKCS8(privateKey, "RS256") };
}

/** The signing account from the secret; 503 firebase_not_configured when it is missing or unusable. */
async function loadAccount(raw: string | undefined): Promise<SigningAccount> {
  if (!raw || !raw.trim()) throw new AppError("firebase_not_configured");
  if (!cached || cached.raw !== raw) {
    const account = importAccount(raw);
    cached = { raw, account };
    // A broken secret is not cached: the next request retries (and an operator's fix applies at once).
    account.catch(() => {
      if (cached?.account === account) cached = null;
    });
  }
  const pending = cached.account;
  try {
    return await pending;
  } catch (err) {
    // The reason goes to the log (no key material in it), the client sees only the stable code.
    console.error(JSON.stringify({ level: "error", kind: "firebase_config", message: err instanceof Error ? err.message : "invalid" }));
    throw new AppError("firebase_not_configured");
  }
}

/**
 * Checks developer claims: a plain object, no reserved names, at most 1000 bytes as JSON.
 * Returns undefined when there are none.
 */
export function checkClaims(claims: unknown): Record<string, unknown> | undefined {
  if (claims === undefined || claims === null) return undefined;
  if (typeof claims !== "object" || Array.isArray(claims)) {
    throw new AppError("invalid_request", { fields: { claims: "Must be an object" } });
  }
  const reserved = Object.keys(claims).filter((k) => (FIREBASE_RESERVED_CLAIMS as readonly string[]).includes(k));
  if (reserved.length) {
    throw new AppError("invalid_request", { fields: { claims: `Reserved claim names are not allowed: ${reserved.join(", ")}` } });
  }
  if (new TextEncoder().encode(JSON.stringify(claims)).byteLength > FIREBASE_MAX_CLAIMS_BYTES) {
    throw new AppError("invalid_request", { fields: { claims: `At most ${FIREBASE_MAX_CLAIMS_BYTES} bytes as JSON` } });
  }
  return Object.keys(claims).length ? (claims as Record<string, unknown>) : undefined;
}

/**
 * Mints a Firebase custom token (RS256, signed with the service account's key) for `uid`.
 * The caller has already checked that the user exists and is active.
 */
export async function mintFirebaseToken(
  serviceAccountJson: string | undefined,
  uid: string,
  claims: Record<string, unknown> | undefined,
  nowMs = Date.now(),
): Promise<{ token: string; uid: string; expires_at: string }> {
  if (!uid || uid.length > FIREBASE_MAX_UID_LENGTH) {
    throw new AppError("invalid_request", { fields: { uid: `1 to ${FIREBASE_MAX_UID_LENGTH} characters` } });
  }
  const account = await loadAccount(serviceAccountJson);
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + FIREBASE_TOKEN_TTL_SECONDS;
  const payload: Record<string, unknown> = { uid };
  if (claims) payload.claims = claims;
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(account.clientEmail)
    .setSubject(account.clientEmail)
    .setAudience(FIREBASE_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(account.key);
  return { token, uid, expires_at: new Date(exp * 1000).toISOString() };
}
