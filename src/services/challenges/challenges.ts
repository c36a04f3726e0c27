import type { Ctx } from "../../context";
import { constantTimeEqual, hmacHex, sha256Hex } from "../../crypto/hmac";
import { generateNumericCode, generateToken } from "../../crypto/random";
import { AppError } from "../../lib/errors";
import type { ChallengeRecord } from "../../store/challenges";
import { rateLimited } from "../limits/take";

export type { ChallengeRecord } from "../../store/challenges";

export type ChallengePurpose = "login" | "reset" | "onboarding" | "register";

export const CODE_TTL_SECONDS = 600;
export const LINK_TTL_SECONDS = 1800;

export interface IssueInput {
  purpose: ChallengePurpose;
  /** The account attempts count against; `ghostOwner(ctx, email)` for addresses nobody can sign in with. */
  owner: string;
  userId: string | null;
  siteKey: string;
  email: string;
  factor?: string | null;
  ttlSeconds: number;
  /** Include a 6-digit code (false: the token alone is the secret, e.g. reset links). */
  withCode: boolean;
  /** Refuse with 429 resend_too_soon inside the 60 s cooldown for this owner and purpose. */
  enforceCooldown: boolean;
  data?: Record<string, unknown>;
}

export interface IssuedChallenge {
  token: string;
  code: string | null;
  record: ChallengeRecord;
}

/** The owner that counts attempts for an email nobody owns, so those behave like real accounts. */
export function ghostOwner(ctx: Ctx, email: string): string {
  return ctx.store.challenges.ghostOwner(email);
}

// The code's HMAC covers purpose and challenge id, so a code is worth nothing on another challenge.
function codeHmac(ctx: Ctx, purpose: string, id: string, code: string): string {
  return hmacHex(ctx.secrets.codeKey(), `${purpose}:${id}:${code}`);
}

/**
 * Issues a challenge: a ≥256-bit token for the client, optionally a 6-digit code for the mail, a KV
 * record holding only HMACs, and the registration in the owner's object that kills any earlier
 * challenge of the same purpose.
 */
export async function issueChallenge(ctx: Ctx, input: IssueInput): Promise<IssuedChallenge> {
  const challenges = ctx.store.challenges;
  if (input.enforceCooldown) {
    const wait = await challenges.cooldown(input.owner, input.purpose, ctx.now);
    if (wait > 0) {
      throw new AppError("resend_too_soon", { extra: { retry_after: wait }, headers: { "Retry-After": String(wait) } });
    }
  }
  const token = generateToken(32);
  const id = sha256Hex(token);
  const code = input.withCode ? generateNumericCode(6) : null;
  const record: ChallengeRecord = {
    id,
    purpose: input.purpose,
    owner: input.owner,
    user_id: input.userId,
    site_key: input.siteKey,
    email: input.email,
    factor: input.factor ?? null,
    code_hmac: code ? codeHmac(ctx, input.purpose, id, code) : null,
    created_at: ctx.now,
    expires_at: ctx.now + input.ttlSeconds * 1000,
    data: input.data ?? {},
  };
  await challenges.open(input.owner, id, input.purpose, record.expires_at, ctx.now);
  await challenges.putRecord(record, ctx.now);
  return { token, code, record };
}

/** Finds a live challenge of `purpose` by its token; null when unknown, expired or of another purpose. */
export async function findChallenge(ctx: Ctx, token: string, purpose: ChallengePurpose): Promise<ChallengeRecord | null> {
  if (typeof token !== "string" || token.length < 20 || token.length > 128) return null;
  const record = await ctx.store.challenges.getRecord(sha256Hex(token));
  if (!record || record.purpose !== purpose || record.expires_at <= ctx.now) return null;
  return record;
}

export function expiredChallenge(): AppError {
  return new AppError("challenge_expired");
}

/**
 * Checks a code (or, with `code === null`, the token alone) against a challenge. Attempts, limits and
 * single use are decided by the owner's object: ≤ 5 tries per challenge, ≤ 10 failures per hour per
 * account. `consume: false` validates without using it up (the "check" routes).
 */
export async function verifyChallenge(ctx: Ctx, record: ChallengeRecord, code: string | null, options: { consume: boolean }): Promise<void> {
  let correct: boolean;
  if (record.code_hmac === null) correct = code === null;
  else correct = typeof code === "string" && /^\d{6}$/.test(code) && constantTimeEqual(codeHmac(ctx, record.purpose, record.id, code), record.code_hmac);
  // Challenges for emails nobody owns (e.g. passwordless login of an unknown address) can never
  // verify, but are counted exactly like real ones. Registration is the one flow whose challenge
  // precedes the account.
  if (record.user_id === null && record.purpose !== "register") correct = false;
  await settleChallengeAttempt(ctx, record, correct, options);
}

/**
 * Records one attempt whose correctness the caller decided (e.g. a TOTP code checked against the
 * user's secret) under the same rules as `verifyChallenge`: attempts, the hourly failure cap and
 * single use are decided by the owner's object. Throws invalid_code / challenge_expired / rate_limited.
 */
export async function settleChallengeAttempt(ctx: Ctx, record: ChallengeRecord, correct: boolean, options: { consume: boolean }): Promise<void> {
  if (record.user_id === null && record.purpose !== "register") correct = false;
  const outcome = await ctx.store.challenges.attempt(record.owner, record.id, record.purpose, correct, options.consume, ctx.now);
  switch (outcome.result) {
    case "ok":
      return;
    case "wrong":
      if (outcome.attemptsRemaining === 0) throw new AppError("challenge_expired", { message: "Too many wrong codes. Request a new one." });
      throw new AppError("invalid_code", { extra: { attempts_remaining: outcome.attemptsRemaining } });
    case "locked":
      throw rateLimited(outcome.retryAfterSeconds);
    default:
      throw expiredChallenge();
  }
}

/** Whether a challenge is still open in its owner's accounting (superseded, used, exhausted or expired: not). */
export function isChallengeOpen(ctx: Ctx, record: ChallengeRecord): Promise<boolean> {
  return ctx.store.challenges.isOpen(record.owner, record.id, ctx.now);
}
