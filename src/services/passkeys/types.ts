import type { ErrorCode } from "../../lib/errors";

// Shared types of the passkey (WebAuthn) ceremonies. No Hono, no Worker env: the ceremonies take the
// request context (storage ports, clock) and the relying party (relying-party.ts builds it).

/** The relying party a ceremony runs for. `origins` are exact origins (scheme://host[:port]). */
export interface RelyingParty {
  /** RP ID: a host name (never an IP address), e.g. "auth.example.com" or "localhost". */
  readonly id: string;
  /** Shown by authenticators next to the account ("Example Accounts"). */
  readonly name: string;
  /** Origins whose clientDataJSON.origin is accepted (passkeyAllowedOrigins builds this list). */
  readonly origins: readonly string[];
}

/** Transports a browser may report for a credential (WebAuthn AuthenticatorTransport, L3). */
export const PASSKEY_TRANSPORTS = ["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"] as const;
export type PasskeyTransport = (typeof PASSKEY_TRANSPORTS)[number];

/** The known transports in `value`, once each, at most 8: what we pass on to browsers and store. */
export function knownTransports(value: unknown): PasskeyTransport[] {
  if (!Array.isArray(value)) return [];
  const known = new Set<unknown>(PASSKEY_TRANSPORTS);
  const out: PasskeyTransport[] = [];
  for (const t of value.slice(0, 16)) if (known.has(t) && !out.includes(t as PasskeyTransport) && out.length < 8) out.push(t as PasskeyTransport);
  return out;
}

export type PasskeyDeviceType = "singleDevice" | "multiDevice";

/** What a verified registration gives the caller to store (store/passkeys.ts insertPasskey). */
export interface NewPasskey {
  /** base64url credential id, exactly as browsers send it back in `id`/`rawId`. */
  credentialId: string;
  /** base64url of the COSE_Key public key. */
  publicKey: string;
  signCounter: number;
  transports: PasskeyTransport[];
  /** BS flag: the private key is backed up (synced) now. */
  backedUp: boolean;
  /** From the BE flag: multiDevice = may be synced (a "passkey" in the platform sense). */
  deviceType: PasskeyDeviceType;
  /** Authenticator model (UUID string; all zeros when the authenticator does not say). */
  aaguid: string;
  /** Whether the authenticator verified the user (PIN, biometrics) during registration. */
  userVerified: boolean;
}

/** A stored passkey as the ceremonies need it (store/passkeys.ts findPasskeyByCredentialId). */
export interface StoredPasskey {
  id: string;
  credentialId: string;
  userId: string;
  /** The owner's WebAuthn user handle (base64url), or null when none was ever created. */
  userHandle: string | null;
  publicKey: string;
  signCounter: number;
  /** As stored; unknown values are dropped before they reach the verifier. */
  transports: readonly string[];
  /** Set after a counter regression: refused from then on. */
  flaggedAt?: number | null;
}

/** One entry of excludeCredentials / allowCredentials (store/passkeys.ts listPasskeyDescriptors). */
export interface PasskeyDescriptor {
  credentialId: string;
  /** As stored; unknown values are dropped before they reach a browser. */
  transports: readonly string[];
}

/**
 * Stable failure codes, each an error code of src/lib/errors.ts (statuses and client messages
 * there, docs/errors.md); a ceremony returns them, it never throws for bad input.
 * - passkey_invalid: malformed input (base64url, JSON, CBOR, attestation object, authenticator data,
 *   wrong type) or a signature/attestation that does not verify.
 * - passkey_challenge_invalid: the challenge is unknown, expired, already used, or bound to another
 *   purpose, user or site.
 * - passkey_origin_invalid: the ceremony ran on an origin we do not accept, inside a cross-origin
 *   frame, or for another RP ID.
 * - passkey_not_found: no such credential (never registered or deleted), or not the expected user's.
 * - passkey_counter_regressed: the signature counter did not increase (a possible cloned
 *   authenticator, WebAuthn §6.1.1). The caller writes an audit row from `audit`.
 * - passkey_user_verification_required: the caller required UV and the authenticator did not verify.
 */
export const PASSKEY_FAILURE_CODES = [
  "passkey_invalid",
  "passkey_challenge_invalid",
  "passkey_origin_invalid",
  "passkey_not_found",
  "passkey_counter_regressed",
  "passkey_user_verification_required",
] as const satisfies readonly ErrorCode[];
export type PasskeyFailureCode = (typeof PASSKEY_FAILURE_CODES)[number];

export interface PasskeyFailure {
  ok: false;
  code: PasskeyFailureCode;
  /** For logs only (may name the mismatch); never sent to a client. */
  reason: string;
  /** Fields for the caller's audit row (counter regression, a credential of another user). */
  audit?: Record<string, string | number | boolean | null>;
}

export type PasskeyResult<T> = { ok: true; value: T } | PasskeyFailure;

export function passkeyOk<T>(value: T): PasskeyResult<T> {
  return { ok: true, value };
}

export function passkeyFailure(code: PasskeyFailureCode, reason: string, audit?: PasskeyFailure["audit"]): PasskeyFailure {
  return audit ? { ok: false, code, reason, audit } : { ok: false, code, reason };
}
