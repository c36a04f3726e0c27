import type { Ctx } from "../../context";
import { burnPasswordTime, hashPassword, needsRehash, verifyPassword } from "../../crypto/password-hash";
import { checkPasswordRules } from "../../crypto/password-policy";
import { matchTotpStep } from "../../crypto/totp-code";
import { decryptTotpSecret } from "../../crypto/totp-secret";
import { maskEmail, normaliseEmail } from "../../lib/email";
import { AppError } from "../../lib/errors";
import type { AdminRow } from "../../store/admins";
import type { Principal } from "../../store/sessions";
import { auditStatement, recordAudit } from "../audit/record";
import { type IssuedSession, createSession, refreshIdentity, revokeAllSessions, revokeSessionToken } from "../sessions/sessions";
import { hashOptions } from "../users/passwords";
import { adminLoginSubjects, assertAdminLoginAllowed, assertReauthAllowed, clearAdminLoginFailures, recordAdminLoginFailure, recordReauthFailure } from "./throttle";

/** Admin sessions: 12 h at most, 30 min idle. */
export const ADMIN_SESSION_TTL_SECONDS = 12 * 3600;
export const ADMIN_IDLE_TIMEOUT_SECONDS = 30 * 60;
/** The session's "site": not a valid site_key, so no registered site's origins can ever apply to admin cookies. */
export const ADMIN_SESSION_SITE = "@admin";

/** What the API shows of an admin (also the identity snapshot admin sessions answer from). Never a hash or secret. */
export type AdminView = {
  id: string;
  email: string;
  name: string;
  status: "active" | "disabled";
  totp_enabled: boolean;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
  password_changed_at: string | null;
};

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

export function toAdminView(row: AdminRow): AdminView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    totp_enabled: row.totpEnabledAt != null,
    created_at: iso(row.createdAt)!,
    updated_at: iso(row.updatedAt)!,
    last_login_at: iso(row.lastLoginAt),
    password_changed_at: iso(row.passwordChangedAt),
  };
}

export const adminPrincipal = (id: string): Principal => ({ kind: "admin", id });

/** What TOTP secrets of an admin are bound to (AES-GCM associated data). */
export function adminTotpOwner(adminId: string): string {
  return `admin:${adminId}`;
}

/** Checks a TOTP code against the admin's enrolled (or pending) secret and burns its time step. */
export async function checkAdminTotp(ctx: Ctx, admin: AdminRow, code: string): Promise<boolean> {
  if (!admin.totpSecretEnc) return false;
  const secret = await decryptTotpSecret(ctx.secrets.totpKey, admin.totpSecretEnc, adminTotpOwner(admin.id));
  const step = matchTotpStep(secret, code, ctx.now);
  if (step === null) return false;
  // A code is good once: the admin's object refuses a step it has already accepted.
  return ctx.store.totp.acceptStep(adminPrincipal(admin.id), step);
}

export interface AdminLoginInput {
  email: string;
  password: string;
  totp?: string | undefined;
}

export interface AdminLoginResult {
  admin: AdminView;
  session: IssuedSession;
  totpEnrollmentRequired: boolean;
}

/** A new admin session with the admin's factors. */
export function createAdminSession(ctx: Ctx, view: AdminView, factors: string[]): Promise<IssuedSession> {
  return createSession(ctx, {
    kind: "admin",
    principalId: view.id,
    siteKey: ADMIN_SESSION_SITE,
    ttlSeconds: ADMIN_SESSION_TTL_SECONDS,
    idleSeconds: ADMIN_IDLE_TIMEOUT_SECONDS,
    factors,
    identity: view,
  });
}

/**
 * Admin login. Unknown email, wrong password and disabled admins answer the same 401 after the same
 * hashing work; the throttle is checked before any hashing. TOTP is asked for only once the password
 * is proven.
 */
export async function loginAdmin(ctx: Ctx, input: AdminLoginInput): Promise<AdminLoginResult> {
  const typed = input.email.trim().toLowerCase();
  const email = normaliseEmail(input.email);
  const subjects = adminLoginSubjects(email ?? typed, ctx.meta.ip);
  await assertAdminLoginAllowed(ctx, subjects);

  const options = hashOptions(ctx);
  const admin = email ? await ctx.store.admins.findByEmail(email) : null;
  const canLogin = admin !== null && admin.status === "active";
  const passwordOk = canLogin ? await verifyPassword(input.password, admin.passwordHash, options) : (await burnPasswordTime(input.password, options), false);

  const fail = async (reason: string, code: "invalid_credentials" | "invalid_code") => {
    await recordAdminLoginFailure(ctx, subjects);
    await recordAudit(ctx, {
      actor: { type: "anonymous" },
      action: "admin.login",
      target: admin ? { type: "admin", id: admin.id } : undefined,
      outcome: "failure",
      details: { reason, email: maskEmail(email ?? typed) },
    });
    return new AppError(code);
  };
  if (!canLogin || !passwordOk) throw await fail(admin === null ? "unknown_email" : !canLogin ? "disabled" : "wrong_password", "invalid_credentials");

  const factors = ["password"];
  if (admin.totpEnabledAt != null) {
    if (!input.totp) throw new AppError("totp_required");
    if (!(await checkAdminTotp(ctx, admin, input.totp))) throw await fail("wrong_totp", "invalid_code");
    factors.push("totp");
  }
  await clearAdminLoginFailures(ctx, subjects);

  const patch: Partial<AdminRow> = { lastLoginAt: ctx.now };
  if (needsRehash(admin.passwordHash, options)) patch.passwordHash = await hashPassword(input.password, options);
  const updated: AdminRow = { ...admin, ...patch };
  await ctx.store.batch([
    ctx.store.admins.update(admin.id, patch),
    auditStatement(ctx, { actor: { type: "admin", id: admin.id }, action: "admin.login", target: { type: "admin", id: admin.id }, details: { factors } }),
  ]);
  const view = toAdminView(updated);
  const session = await createAdminSession(ctx, view, factors);
  return { admin: view, session, totpEnrollmentRequired: ctx.config.adminRequireTotp && admin.totpEnabledAt == null };
}

/** Loads the signed-in admin's row; a row that vanished ends the session. */
export async function loadAdmin(ctx: Ctx, adminId: string): Promise<AdminRow> {
  const admin = await ctx.store.admins.findById(adminId);
  if (!admin || admin.status !== "active") throw new AppError("unauthenticated");
  return admin;
}

/** Changes the admin's own password (current one required) and ends every other session of theirs. */
export async function changeAdminPassword(ctx: Ctx, input: { adminId: string; sessionId: string; currentPassword: string; newPassword: string }): Promise<void> {
  const admin = await loadAdmin(ctx, input.adminId);
  await assertReauthAllowed(ctx, admin.id);
  const options = hashOptions(ctx);
  if (!(await verifyPassword(input.currentPassword, admin.passwordHash, options))) {
    await recordReauthFailure(ctx, admin.id);
    await recordAudit(ctx, { actor: { type: "admin", id: admin.id }, action: "admin.password_change", target: { type: "admin", id: admin.id }, outcome: "failure", details: { reason: "wrong_password" } });
    throw new AppError("invalid_credentials", { message: "The current password is incorrect." });
  }
  const problem = checkPasswordRules(input.newPassword, ctx.config.defaultPolicy.password_min_length);
  if (problem) throw new AppError(problem, { fields: { new_password: problem } });
  const passwordHash = await hashPassword(input.newPassword, options);
  const patch = { passwordHash, passwordChangedAt: ctx.now, updatedAt: ctx.now };
  await ctx.store.batch([
    ctx.store.admins.update(admin.id, patch),
    auditStatement(ctx, { actor: { type: "admin", id: admin.id }, action: "admin.password_change", target: { type: "admin", id: admin.id }, details: { other_sessions_revoked: true } }),
  ]);
  await refreshIdentity(ctx, adminPrincipal(admin.id), toAdminView({ ...admin, ...patch }));
  await revokeAllSessions(ctx, adminPrincipal(admin.id), input.sessionId);
}

/**
 * Whether an admin session the Durable Object accepted is still good by the admins row: the account
 * exists, is active, and the session was created after `sessions_valid_after`. The break-glass
 * `admin:create --reset-password` writes only D1 (it cannot reach the Durable Object), so this read on
 * every admin request is what ends the sessions of an admin whose password was reset that way. A
 * session that fails is ended in the Durable Object too, with every other session of that admin.
 */
export async function isAdminSessionCurrent(ctx: Ctx, adminId: string, sessionCreatedAt: number): Promise<boolean> {
  const gate = await ctx.store.admins.findSessionGate(adminId);
  const current = gate !== null && gate.status === "active" && (gate.sessionsValidAfter === null || sessionCreatedAt > gate.sessionsValidAfter);
  if (!current) await revokeAllSessions(ctx, adminPrincipal(adminId));
  return current;
}

/** Ends the admin's current session (the token fails on the very next request) and records it. */
export async function logoutAdmin(ctx: Ctx, session: { principalId: string; sessionId: string; token: string }): Promise<void> {
  await revokeSessionToken(ctx, session.token, "admin");
  await recordAudit(ctx, { actor: { type: "admin", id: session.principalId }, action: "admin.logout", target: { type: "admin", id: session.principalId }, details: { session_id: session.sessionId } });
}
