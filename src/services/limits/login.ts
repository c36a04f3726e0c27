import type { Ctx } from "../../context";
import type { FailurePolicy } from "../../durable/limiter";
import { AppError } from "../../lib/errors";
import { rateLimited } from "./take";

export { rateLimited } from "./take";

// Brute-force limits for sign-in. Every check runs before any password hashing. What is counted
// (keys in store/limits.ts, documented in docs/storage.md): attempts per client address (buckets
// "login" and "factor") and per site; failures per normalised email, the same for existing and
// unknown addresses; one emailed sign-in code per account (or unknown address) per 60 s; failed code
// or password checks of a signed-in user on the TOTP routes.

/** 5 failures in 15 min → 429 with a growing Retry-After; 10 → a 15-minute lock. */
export const EMAIL_FAILURE_POLICY: FailurePolicy = { windowSeconds: 900, softLimit: 5, hardLimit: 10, lockSeconds: 900 };
export const IP_LOGIN_LIMIT = { limit: 60, windowSeconds: 60 };
export const IP_FACTOR_LIMIT = { limit: 60, windowSeconds: 60 };
export const SITE_LOGIN_LIMIT = { limit: 600, windowSeconds: 60 };
export const MAIL_COOLDOWN_SECONDS = 60;

/** Per-client and per-site caps on sign-in attempts. */
export async function takeLoginCaps(ctx: Ctx, siteKey: string): Promise<void> {
  const limits = ctx.store.limits;
  const [byIp, bySite] = await Promise.all([
    limits.take({ kind: "ip", ip: ctx.meta.ip }, "login", IP_LOGIN_LIMIT.limit, IP_LOGIN_LIMIT.windowSeconds, ctx.now),
    limits.take({ kind: "login-site", siteKey }, "login", SITE_LOGIN_LIMIT.limit, SITE_LOGIN_LIMIT.windowSeconds, ctx.now),
  ]);
  if (!byIp.allowed || !bySite.allowed) throw rateLimited(Math.max(byIp.retryAfterSeconds, bySite.retryAfterSeconds));
}

/** Per-client cap on the factor routes (each challenge also has its own attempt limits). */
export async function takeFactorCap(ctx: Ctx): Promise<void> {
  const r = await ctx.store.limits.take({ kind: "ip", ip: ctx.meta.ip }, "factor", IP_FACTOR_LIMIT.limit, IP_FACTOR_LIMIT.windowSeconds, ctx.now);
  if (!r.allowed) throw rateLimited(r.retryAfterSeconds);
}

/** Refuses while the email is throttled or locked, without counting anything. */
export async function checkEmailThrottle(ctx: Ctx, email: string): Promise<void> {
  const state = await ctx.store.limits.checkFailures({ kind: "login-email", email }, EMAIL_FAILURE_POLICY, ctx.now);
  if (!state.allowed) throw rateLimited(state.retryAfterSeconds);
}

/**
 * Admits one password attempt for this email and counts it as a failure straight away (cleared by
 * `clearEmailFailures` once the password is proven), so 50 parallel guesses are all counted and only
 * the first few reach the hash. Returns whether this attempt started a lock (for the audit).
 */
export async function reserveEmailAttempt(ctx: Ctx, email: string): Promise<{ lockedNow: boolean }> {
  const r = await ctx.store.limits.reserveFailure({ kind: "login-email", email }, EMAIL_FAILURE_POLICY, ctx.now);
  if (!r.allowed) throw rateLimited(r.retryAfterSeconds);
  return { lockedNow: r.lockedNow };
}

/**
 * Best effort: the password is proven and the session is being issued, so a limiter that cannot be
 * reached must not fail the login. Left uncleared, the reserved attempt simply stays counted (stricter,
 * never looser) until its window passes.
 */
export async function clearEmailFailures(ctx: Ctx, email: string): Promise<void> {
  try {
    await ctx.store.limits.clearFailures({ kind: "login-email", email });
  } catch (err) {
    console.warn(JSON.stringify({ level: "warn", event: "limiter_clear_failed", error: err instanceof Error ? err.name : "error" }));
  }
}

/** One sign-in code mail per account per 60 s: 429 resend_too_soon with retry_after inside it. */
export async function takeMailCooldown(ctx: Ctx, owner: string): Promise<void> {
  const r = await ctx.store.limits.take({ kind: "login-mail", owner }, "send", 1, MAIL_COOLDOWN_SECONDS, ctx.now);
  if (!r.allowed) {
    throw new AppError("resend_too_soon", { extra: { retry_after: r.retryAfterSeconds }, headers: { "Retry-After": String(r.retryAfterSeconds) } });
  }
}

/** Failed code or password checks by a signed-in user on the TOTP routes (same shape as the email throttle). */
export async function reserveUserVerify(ctx: Ctx, userId: string): Promise<void> {
  const r = await ctx.store.limits.reserveFailure({ kind: "user-verify", userId }, EMAIL_FAILURE_POLICY, ctx.now);
  if (!r.allowed) throw rateLimited(r.retryAfterSeconds);
}

export async function clearUserVerify(ctx: Ctx, userId: string): Promise<void> {
  await ctx.store.limits.clearFailures({ kind: "user-verify", userId });
}
