import type { Ctx } from "../../context";
import { sha256Hex } from "../../crypto/hmac";
import { generateToken } from "../../crypto/random";
import type { PasskeyChallengePurpose, PasskeyChallengeRow } from "../../store/passkey-challenges";
import { type PasskeyResult, passkeyFailure, passkeyOk } from "./types";

export type { PasskeyChallengePurpose, PasskeyChallengeRow } from "../../store/passkey-challenges";

// WebAuthn challenges: 32 random bytes, single use, at most 5 minutes, bound to a purpose, a site
// and (when known) a user. Single use is decided in a Durable Object (ctx.store.passkeyChallenges:
// a Limiter shard, like every other challenge): taking a challenge removes it, so whatever happens
// next (a bad signature, a wrong origin) it is gone, and each challenge gets one verification.

export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;

/** Whose passkeys may answer a challenge. */
export type PasskeyChallengeSubject =
  /** This user's passkeys only (registration; sign-in with a known email; a second factor). */
  | { kind: "user"; userId: string }
  /** Any registered passkey (discoverable sign-in: the assertion names the user). */
  | { kind: "any" }
  /** None (sign-in with an unknown email): same answer shape, but nothing can verify. */
  | { kind: "nobody" };

export interface IssuedPasskeyChallenge {
  /** base64url, for the options' `challenge` (and so clientDataJSON.challenge). */
  challenge: string;
  /** Hex SHA-256 of the challenge: what storage and other records know it by. */
  id: string;
  expiresAt: number;
}

const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, unpadded base64url

/** The id a challenge is stored under (hex SHA-256 of its base64url text). */
export function passkeyChallengeId(challenge: string): string {
  return sha256Hex(challenge);
}

/** Issues a challenge and registers it where it will be used up. */
export async function issuePasskeyChallenge(
  ctx: Ctx,
  input: { purpose: PasskeyChallengePurpose; subject: PasskeyChallengeSubject; siteKey: string },
): Promise<IssuedPasskeyChallenge> {
  if (input.purpose !== "authenticate" && input.subject.kind !== "user") throw new Error(`a ${input.purpose} challenge is for one user`);
  const challenge = generateToken(32);
  const id = passkeyChallengeId(challenge);
  const row: PasskeyChallengeRow = {
    id,
    purpose: input.purpose,
    userId: input.subject.kind === "user" ? input.subject.userId : null,
    anyUser: input.subject.kind === "any",
    siteKey: input.siteKey,
    createdAt: ctx.now,
    expiresAt: ctx.now + PASSKEY_CHALLENGE_TTL_MS,
  };
  // A new registration challenge replaces the user's previous one (the store does it); sign-in
  // challenges of one user may overlap (two tabs), each still single use.
  await ctx.store.passkeyChallenges.put(row, ctx.now);
  return { challenge, id, expiresAt: row.expiresAt };
}

/**
 * Uses up the challenge a response carries. `userId` is the signed-in user for registration (the
 * binding of sign-in challenges is returned for the caller to check).
 */
export async function consumePasskeyChallenge(
  ctx: Ctx,
  input: { challenge: string; purpose: PasskeyChallengePurpose; siteKey: string; userId?: string | null },
): Promise<PasskeyResult<PasskeyChallengeRow>> {
  if (!CHALLENGE_PATTERN.test(input.challenge)) return passkeyFailure("passkey_challenge_invalid", "challenge is not one Auth2 issues");
  if (input.purpose === "register" && !input.userId) return passkeyFailure("passkey_challenge_invalid", "registration without a user");
  const id = passkeyChallengeId(input.challenge);
  const row = await ctx.store.passkeyChallenges.take(id, input.purpose, input.userId ?? null, ctx.now);
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
