import type { Config, Env } from "../env";
import { burnPasswordTime, hashPassword, needsRehash, verifyPassword } from "../crypto/password-hash";
import { checkPasswordRules } from "../crypto/password-policy";
import { matchTotpStep } from "../crypto/totp-code";
import { decryptTotpSecret } from "../crypto/totp-secret";
import { maskEmail, normaliseEmail } from "../lib/email";
import { AppError } from "../lib/errors";
import type { RequestMeta } from "../lib/types";
import { type AdminRow, findAdminByEmail, findAdminById, findAdminSessionGate, updateAdmin } from "../store/admins";
import type { Db } from "../store/db";
import { auditStatement, recordAudit } from "./audit";
import { adminLoginKeys, assertAdminLoginAllowed, assertReauthAllowed, clearAdminLoginFailures, recordAdminLoginFailure, recordReauthFailure } from "./admin-throttle";
import { type IssuedSession, createSession, refreshIdentity, revokeAllSessions } from "./sessions";
import { userStateStub } from "./user-state";

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

export function adminHashOptions(env: Env, config: Config) {
  return { scrypt: config.scrypt, pepper: env.PASSWORD_PEPPER || undefined };
}

/** The object name TOTP secrets of an admin are bound to (AES-GCM associated data). */
export function adminTotpOwner(adminId: string): string {
  return `admin:${adminId}`;
}

/** Checks a TOTP code against the admin's enrolled (or pending) secret and burns its time step. */
export async function checkAdminTotp(env: Env, admin: AdminRow, code: string, now: number): Promise<boolean> {
  if (!admin.totpSecretEnc) return false;
  const secret = await decryptTotpSecret(env.TOTP_ENCRYPTION_KEY, admin.totpSecretEnc, adminTotpOwner(admin.id));
  const step = matchTotpStep(secret, code, now);
  if (step === null) return false;
  // A code is good once: the admin's object refuses a step it has already accepted.
  return userStateStub(env, adminTotpOwner(admin.id)).acceptTotpStep(step);
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

/**
 * Admin login. Unknown email, wrong password and disabled admins answer the same 401 after the same
 * hashing work; the throttle is checked before any hashing. TOTP is asked for only once the password
 * is proven.
 */
export async function loginAdmin(env: Env, db: Db, config: Config, input: AdminLoginInput, meta: RequestMeta, now: number): Promise<AdminLoginResult> {
  const typed = input.email.trim().toLowerCase();
  const email = normaliseEmail(input.email);
  const keys = adminLoginKeys(env, email ?? typed, meta.ip);
  await assertAdminLoginAllowed(env, keys, now);

  const options = adminHashOptions(env, config);
  const admin = email ? await findAdminByEmail(db, email) : null;
  const canLogin = admin !== null && admin.status === "active";
  const passwordOk = canLogin ? await verifyPassword(input.password, admin.passwordHash, options) : (await burnPasswordTime(input.password, options), false);

  const fail = async (reason: string, code: "invalid_credentials" | "invalid_code") => {
    await recordAdminLoginFailure(env, keys, now);
    await recordAudit(
      db,
      {
        actor: { type: "anonymous" },
        action: "admin.login",
        target: admin ? { type: "admin", id: admin.id } : undefined,
        outcome: "failure",
        details: { reason, email: maskEmail(email ?? typed) },
      },
      meta,
    );
    return new AppError(code);
  };
  if (!canLogin || !passwordOk) throw await fail(admin === null ? "unknown_email" : !canLogin ? "disabled" : "wrong_password", "invalid_credentials");

  const factors = ["password"];
  if (admin.totpEnabledAt != null) {
    if (!input.totp) throw new AppError("totp_required");
    if (!(await checkAdminTotp(env, admin, input.totp, now))) throw await fail("wrong_totp", "invalid_code");
    factors.push("totp");
  }
  await clearAdminLoginFailures(env, keys);

  const patch: Partial<AdminRow> = { lastLoginAt: now };
  if (needsRehash(admin.passwordHash, options)) patch.passwordHash = await hashPassword(input.password, options);
  const updated: AdminRow = { ...admin, ...patch };
  await db.batch([
    updateAdmin(db, admin.id, patch),
    auditStatement(db, { actor: { type: "admin", id: admin.id }, action: "admin.login", target: { type: "admin", id: admin.id }, details: { factors } }, meta),
  ]);
  const view = toAdminView(updated);
  const session = await createSession(env, {
    kind: "admin",
    principalId: admin.id,
    siteKey: ADMIN_SESSION_SITE,
    ttlSeconds: ADMIN_SESSION_TTL_SECONDS,
    idleSeconds: ADMIN_IDLE_TIMEOUT_SECONDS,
    factors,
    identity: view,
    meta,
    now,
  });
  return { admin: view, session, totpEnrollmentRequired: config.adminRequireTotp && admin.totpEnabledAt == null };
}

/** Loads the signed-in admin's row; a row that vanished ends the session. */
export async function loadAdmin(db: Db, adminId: string): Promise<AdminRow> {
  const admin = await findAdminById(db, adminId);
  if (!admin || admin.status !== "active") throw new AppError("unauthenticated");
  return admin;
}

/** Changes the admin's own password (current one required) and ends every other session of theirs. */
export async function changeAdminPassword(
  env: Env,
  db: Db,
  config: Config,
  input: { adminId: string; sessionId: string; currentPassword: string; newPassword: string },
  meta: RequestMeta,
  now: number,
): Promise<void> {
  const admin = await loadAdmin(db, input.adminId);
  await assertReauthAllowed(env, admin.id, now);
  const options = adminHashOptions(env, config);
  if (!(await verifyPassword(input.currentPassword, admin.passwordHash, options))) {
    await recordReauthFailure(env, admin.id, now);
    await recordAudit(db, { actor: { type: "admin", id: admin.id }, action: "admin.password_change", target: { type: "admin", id: admin.id }, outcome: "failure", details: { reason: "wrong_password" } }, meta);
    throw new AppError("invalid_credentials", { message: "The current password is incorrect." });
  }
  const problem = checkPasswordRules(input.newPassword, config.defaultPolicy.password_min_length);
  if (problem) throw new AppError(problem, { fields: { new_password: problem } });
  const passwordHash = await hashPassword(input.newPassword, options);
  const patch = { passwordHash, passwordChangedAt: now, updatedAt: now };
  await db.batch([
    updateAdmin(db, admin.id, patch),
    auditStatement(db, { actor: { type: "admin", id: admin.id }, action: "admin.password_change", target: { type: "admin", id: admin.id }, details: { other_sessions_revoked: true } }, meta),
  ]);
  await refreshIdentity(env, "admin", admin.id, toAdminView({ ...admin, ...patch }));
  await revokeAllSessions(env, "admin", admin.id, input.sessionId);
}

/**
 * Whether an admin session the Durable Object accepted is still good by the admins row: the account
 * exists, is active, and the session was created after `sessions_valid_after`. The break-glass
 * `admin:create --reset-password` writes only D1 (it cannot reach the Durable Object), so this read on
 * every admin request is what ends the sessions of an admin whose password was reset that way. A
 * session that fails is ended in the Durable Object too, with every other session of that admin.
 */
export async function isAdminSessionCurrent(env: Env, db: Db, adminId: string, sessionCreatedAt: number): Promise<boolean> {
  const gate = await findAdminSessionGate(db, adminId);
  const current = gate !== null && gate.status === "active" && (gate.sessionsValidAfter === null || sessionCreatedAt > gate.sessionsValidAfter);
  if (!current) await revokeAllSessions(env, "admin", adminId);
  return current;
}
