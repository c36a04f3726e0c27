import type { Env } from "../env";
import type { FailurePolicy } from "../durable/limiter";
import { AppError } from "../lib/errors";
import { ipLimiterKey, limiterStub } from "./rate-limits";
import { emailDigest } from "./secrets";

// Admin login is throttled harder than user login: per hashed email (unknown emails count the
// same as real ones, so the throttle reveals nothing) and per client address (IPv6 by /64).
// Both are checked before any password hashing.

export const ADMIN_EMAIL_POLICY: FailurePolicy = { windowSeconds: 3600, softLimit: 3, hardLimit: 5, lockSeconds: 1800 };
export const ADMIN_IP_POLICY: FailurePolicy = { windowSeconds: 3600, softLimit: 10, hardLimit: 20, lockSeconds: 3600 };
export const ADMIN_REAUTH_POLICY: FailurePolicy = { windowSeconds: 3600, softLimit: 5, hardLimit: 10, lockSeconds: 900 };

const limiter = limiterStub;

export interface ThrottleKeys {
  email: string;
  ip: string;
}

export function adminLoginKeys(env: Env, emailInput: string, ip: string): ThrottleKeys {
  return { email: `admin-login-email:${emailDigest(env, emailInput)}`, ip: `admin-login-${ipLimiterKey(ip)}` };
}

function limited(retryAfterSeconds: number): AppError {
  const wait = Math.max(1, retryAfterSeconds);
  return new AppError("rate_limited", { extra: { retry_after: wait }, headers: { "Retry-After": String(wait) } });
}

/** Refuses (429) while either key is throttled. */
export async function assertAdminLoginAllowed(env: Env, keys: ThrottleKeys, now: number): Promise<void> {
  const [byEmail, byIp] = await Promise.all([
    limiter(env, keys.email).checkFailures(ADMIN_EMAIL_POLICY, now),
    limiter(env, keys.ip).checkFailures(ADMIN_IP_POLICY, now),
  ]);
  if (!byEmail.allowed || !byIp.allowed) throw limited(Math.max(byEmail.retryAfterSeconds, byIp.retryAfterSeconds));
}

export async function recordAdminLoginFailure(env: Env, keys: ThrottleKeys, now: number): Promise<void> {
  await Promise.all([
    limiter(env, keys.email).recordFailure(ADMIN_EMAIL_POLICY, now),
    limiter(env, keys.ip).recordFailure(ADMIN_IP_POLICY, now),
  ]);
}

/** A successful login forgets the email's failures (the address keeps counting). */
export async function clearAdminLoginFailures(env: Env, keys: ThrottleKeys): Promise<void> {
  await limiter(env, keys.email).clearFailures();
}

/** Wrong passwords and TOTP codes on signed-in admin routes (change_password, TOTP), per admin. */
export async function assertReauthAllowed(env: Env, adminId: string, now: number): Promise<void> {
  const state = await limiter(env, `admin-reauth:${adminId}`).checkFailures(ADMIN_REAUTH_POLICY, now);
  if (!state.allowed) throw limited(state.retryAfterSeconds);
}

export async function recordReauthFailure(env: Env, adminId: string, now: number): Promise<void> {
  await limiter(env, `admin-reauth:${adminId}`).recordFailure(ADMIN_REAUTH_POLICY, now);
}
