import type { Env } from "../env";
import type { FailurePolicy } from "../durable/limiter";
import { AppError } from "../lib/errors";
import { ipLimiterKey, limiterStub as limiter } from "./rate-limits";
import { emailDigest } from "./secrets";

// Brute-force limits for sign-in. Every check runs before any password hashing. Limiter keys
// (one Limiter object each; documented in docs/storage.md):
//   login-email:<hmac(email)>  failures per normalised email — the same for existing and unknown addresses
//   ip:<IPv4> / ip6:<prefix>::/64  attempts per client address (services/rate-limits.ts), buckets "login" and "factor"
//   login-site:<site_key>      attempts per site, bucket "login"
//   login-mail:<owner>         one emailed sign-in code per account (or unknown address) per 60 s
//   user-verify:<user id>      failed code/password checks on a signed-in user's TOTP routes

/** 5 failures in 15 min → 429 with a growing Retry-After; 10 → a 15-minute lock. */
export const EMAIL_FAILURE_POLICY: FailurePolicy = { windowSeconds: 900, softLimit: 5, hardLimit: 10, lockSeconds: 900 };
export const IP_LOGIN_LIMIT = { limit: 60, windowSeconds: 60 };
export const IP_FACTOR_LIMIT = { limit: 60, windowSeconds: 60 };
export const SITE_LOGIN_LIMIT = { limit: 600, windowSeconds: 60 };
export const MAIL_COOLDOWN_SECONDS = 60;

export function rateLimited(retryAfterSeconds: number): AppError {
  const wait = Math.max(1, retryAfterSeconds);
  return new AppError("rate_limited", { extra: { retry_after: wait }, headers: { "Retry-After": String(wait) } });
}

export const emailLimiterKey = (env: Env, email: string) => `login-email:${emailDigest(env, email)}`;

/** Per-client and per-site caps on sign-in attempts. */
export async function takeLoginCaps(env: Env, ip: string, siteKey: string, now: number): Promise<void> {
  const [byIp, bySite] = await Promise.all([
    limiter(env, ipLimiterKey(ip)).take("login", IP_LOGIN_LIMIT.limit, IP_LOGIN_LIMIT.windowSeconds, now),
    limiter(env, `login-site:${siteKey}`).take("login", SITE_LOGIN_LIMIT.limit, SITE_LOGIN_LIMIT.windowSeconds, now),
  ]);
  if (!byIp.allowed || !bySite.allowed) throw rateLimited(Math.max(byIp.retryAfterSeconds, bySite.retryAfterSeconds));
}

/** Per-client cap on the factor routes (each challenge also has its own attempt limits). */
export async function takeFactorCap(env: Env, ip: string, now: number): Promise<void> {
  const r = await limiter(env, ipLimiterKey(ip)).take("factor", IP_FACTOR_LIMIT.limit, IP_FACTOR_LIMIT.windowSeconds, now);
  if (!r.allowed) throw rateLimited(r.retryAfterSeconds);
}

/** Refuses while the email is throttled or locked, without counting anything. */
export async function checkEmailThrottle(env: Env, email: string, now: number): Promise<void> {
  const state = await limiter(env, emailLimiterKey(env, email)).checkFailures(EMAIL_FAILURE_POLICY, now);
  if (!state.allowed) throw rateLimited(state.retryAfterSeconds);
}

/**
 * Admits one password attempt for this email and counts it as a failure straight away (cleared by
 * `clearEmailFailures` once the password is proven), so 50 parallel guesses are all counted and only
 * the first few reach the hash. Returns whether this attempt started a lock (for the audit).
 */
export async function reserveEmailAttempt(env: Env, email: string, now: number): Promise<{ lockedNow: boolean }> {
  const r = await limiter(env, emailLimiterKey(env, email)).reserveFailure(EMAIL_FAILURE_POLICY, now);
  if (!r.allowed) throw rateLimited(r.retryAfterSeconds);
  return { lockedNow: r.lockedNow };
}

/**
 * Best effort: the password is proven and the session is being issued, so a limiter that cannot be
 * reached must not fail the login. Left uncleared, the reserved attempt simply stays counted (stricter,
 * never looser) until its window passes.
 */
export async function clearEmailFailures(env: Env, email: string): Promise<void> {
  try {
    await limiter(env, emailLimiterKey(env, email)).clearFailures();
  } catch (err) {
    console.warn(JSON.stringify({ level: "warn", event: "limiter_clear_failed", error: err instanceof Error ? err.name : "error" }));
  }
}

/** One sign-in code mail per account per 60 s: 429 resend_too_soon with retry_after inside it. */
export async function takeMailCooldown(env: Env, owner: string, now: number): Promise<void> {
  const r = await limiter(env, `login-mail:${owner}`).take("send", 1, MAIL_COOLDOWN_SECONDS, now);
  if (!r.allowed) {
    throw new AppError("resend_too_soon", { extra: { retry_after: r.retryAfterSeconds }, headers: { "Retry-After": String(r.retryAfterSeconds) } });
  }
}

/** Failed code or password checks by a signed-in user on the TOTP routes (same shape as the email throttle). */
export async function reserveUserVerify(env: Env, userId: string, now: number): Promise<void> {
  const r = await limiter(env, `user-verify:${userId}`).reserveFailure(EMAIL_FAILURE_POLICY, now);
  if (!r.allowed) throw rateLimited(r.retryAfterSeconds);
}

export async function clearUserVerify(env: Env, userId: string): Promise<void> {
  await limiter(env, `user-verify:${userId}`).clearFailures();
}
