import type { Ctx } from "../../context";
import type { FailurePolicy } from "../../durable/limiter";
import type { LimitSubject } from "../../store/limits";
import { rateLimited } from "../limits/take";

// Admin login is throttled harder than user login: per hashed email (unknown emails count the
// same as real ones, so the throttle reveals nothing) and per client address (IPv6 by /64).
// Both are checked before any password hashing.

export const ADMIN_EMAIL_POLICY: FailurePolicy = { windowSeconds: 3600, softLimit: 3, hardLimit: 5, lockSeconds: 1800 };
export const ADMIN_IP_POLICY: FailurePolicy = { windowSeconds: 3600, softLimit: 10, hardLimit: 20, lockSeconds: 3600 };
export const ADMIN_REAUTH_POLICY: FailurePolicy = { windowSeconds: 3600, softLimit: 5, hardLimit: 10, lockSeconds: 900 };

export interface ThrottleSubjects {
  email: LimitSubject;
  ip: LimitSubject;
}

export function adminLoginSubjects(emailInput: string, ip: string): ThrottleSubjects {
  return { email: { kind: "admin-login-email", email: emailInput }, ip: { kind: "admin-login-ip", ip } };
}

/** Refuses (429) while either is throttled. */
export async function assertAdminLoginAllowed(ctx: Ctx, subjects: ThrottleSubjects): Promise<void> {
  const [byEmail, byIp] = await Promise.all([
    ctx.store.limits.checkFailures(subjects.email, ADMIN_EMAIL_POLICY, ctx.now),
    ctx.store.limits.checkFailures(subjects.ip, ADMIN_IP_POLICY, ctx.now),
  ]);
  if (!byEmail.allowed || !byIp.allowed) throw rateLimited(Math.max(byEmail.retryAfterSeconds, byIp.retryAfterSeconds));
}

export async function recordAdminLoginFailure(ctx: Ctx, subjects: ThrottleSubjects): Promise<void> {
  await Promise.all([
    ctx.store.limits.recordFailure(subjects.email, ADMIN_EMAIL_POLICY, ctx.now),
    ctx.store.limits.recordFailure(subjects.ip, ADMIN_IP_POLICY, ctx.now),
  ]);
}

/** A successful login forgets the email's failures (the address keeps counting). */
export async function clearAdminLoginFailures(ctx: Ctx, subjects: ThrottleSubjects): Promise<void> {
  await ctx.store.limits.clearFailures(subjects.email);
}

/** Wrong passwords and TOTP codes on signed-in admin routes (change_password, TOTP), per admin. */
export async function assertReauthAllowed(ctx: Ctx, adminId: string): Promise<void> {
  const state = await ctx.store.limits.checkFailures({ kind: "admin-reauth", adminId }, ADMIN_REAUTH_POLICY, ctx.now);
  if (!state.allowed) throw rateLimited(state.retryAfterSeconds);
}

export async function recordReauthFailure(ctx: Ctx, adminId: string): Promise<void> {
  await ctx.store.limits.recordFailure({ kind: "admin-reauth", adminId }, ADMIN_REAUTH_POLICY, ctx.now);
}
