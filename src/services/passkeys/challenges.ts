import { sha256Hex } from "../../crypto/hmac";
import { generateToken } from "../../crypto/random";
import type { PasskeyChallengeRow, PasskeyChallengeStorage } from "../../store/passkey-challenges";
import { type PasskeyResult, passkeyFailure, passkeyOk } from "./types";

// WebAuthn challenges: 32 random bytes, single use, at most 5 minutes, bound to a purpose, a site
// and (when known) a user. Single use is decided by a Durable Object (PasskeyChallengeStorage):
// - registration: the user's own object (the user is signed in at both steps);
// - sign-in: one of 256 objects picked by the challenge's hash. The verify step must find the
//   challenge from the assertion alone (clientDataJSON.challenge): a discoverable sign-in names no
//   user before the assertion, and the email flow's verify request need not repeat the email.

export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;

export type PasskeyChallengePurpose = PasskeyChallengeRow["purpose"];

/** Whose passkeys may answer a challenge. */
export type PasskeyChallengeSubject =
  /** This user's passkeys only (registration; sign-in with a known email). */
  | { kind: "user"; userId: string }
  /** Any registered passkey (discoverable sign-in: the assertion names the user). */
  | { kind: "any" }
  /** None (sign-in with an unknown email): same answer shape, but nothing can verify. */
  | { kind: "nobody" };

export interface IssuedPasskeyChallenge {
  /** base64url, for the options' `challenge` (and so clientDataJSON.challenge). */
  challenge: string;
  expiresAt: number;
}

const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, unpadded base64url

/** The Durable Object name that holds a challenge (see the comment at the top). */
export function passkeyChallengeOwner(purpose: PasskeyChallengePurpose, userId: string | null, challengeId: string): string {
  if (purpose === "register") {
    if (userId === null) throw new Error("a registration challenge needs the signed-in user");
    return userId;
  }
  return `passkey-auth:${challengeId.slice(0, 2)}`;
}

/** Issues a challenge and registers it where it will be used up. */
export async function issuePasskeyChallenge(
  storage: PasskeyChallengeStorage,
  input: { purpose: PasskeyChallengePurpose; subject: PasskeyChallengeSubject; siteKey: string; now: number },
): Promise<IssuedPasskeyChallenge> {
  if (input.purpose === "register" && input.subject.kind !== "user") throw new Error("a registration challenge is for one user");
  const challenge = generateToken(32);
  const id = sha256Hex(challenge);
  const userId = input.subject.kind === "user" ? input.subject.userId : null;
  const row: PasskeyChallengeRow = {
    id,
    purpose: input.purpose,
    userId,
    anyUser: input.subject.kind === "any",
    siteKey: input.siteKey,
    createdAt: input.now,
    expiresAt: input.now + PASSKEY_CHALLENGE_TTL_MS,
  };
  // A new registration challenge replaces the user's previous one; sign-in challenges of one user
  // may overlap (two tabs), each still single use.
  await storage.put(passkeyChallengeOwner(input.purpose, userId, id), row, { replaceOpen: input.purpose === "register", now: input.now });
  return { challenge, expiresAt: row.expiresAt };
}

/**
 * Uses up the challenge a response carries. Whatever happens next (a bad signature, a wrong origin)
 * it is gone: every challenge gets exactly one verification attempt. `userId` is the signed-in user
 * for registration (ignored for sign-in, whose binding is returned for the caller to check).
 */
export async function consumePasskeyChallenge(
  storage: PasskeyChallengeStorage,
  input: { challenge: string; purpose: PasskeyChallengePurpose; siteKey: string; userId?: string | null; now: number },
): Promise<PasskeyResult<PasskeyChallengeRow>> {
  if (!CHALLENGE_PATTERN.test(input.challenge)) return passkeyFailure("passkey_challenge_invalid", "challenge is not one Auth2 issues");
  if (input.purpose === "register" && !input.userId) return passkeyFailure("passkey_challenge_invalid", "registration without a user");
  const id = sha256Hex(input.challenge);
  const row = await storage.take(passkeyChallengeOwner(input.purpose, input.userId ?? null, id), id, input.now);
  if (!row) return passkeyFailure("passkey_challenge_invalid", "challenge unknown, expired or already used");
  if (row.purpose !== input.purpose) return passkeyFailure("passkey_challenge_invalid", `challenge issued for ${row.purpose}`);
  if (row.siteKey !== input.siteKey) return passkeyFailure("passkey_challenge_invalid", "challenge issued for another site");
  if (input.purpose === "register" && row.userId !== input.userId) return passkeyFailure("passkey_challenge_invalid", "challenge issued for another user");
  return passkeyOk(row);
}

/** Whether a sign-in challenge's binding lets `userId`'s passkey answer it. */
export function challengeAllowsUser(row: PasskeyChallengeRow, userId: string): boolean {
  if (row.anyUser) return true;
  return row.userId !== null && row.userId === userId;
}
