import type { Config, Env } from "../env";
import { verifyPassword } from "../crypto/password-hash";
import { generateTotpSecret, totpUri } from "../crypto/totp-code";
import { encryptTotpSecret } from "../crypto/totp-secret";
import { AppError } from "../lib/errors";
import type { RequestMeta } from "../lib/types";
import { type AdminRow, updateAdmin } from "../store/admins";
import type { Db } from "../store/db";
import { auditStatement, recordAudit } from "./audit";
import { ADMIN_IDLE_TIMEOUT_SECONDS, ADMIN_SESSION_SITE, ADMIN_SESSION_TTL_SECONDS, adminHashOptions, adminTotpOwner, checkAdminTotp, loadAdmin, toAdminView } from "./admin-accounts";
import { assertReauthAllowed, recordReauthFailure } from "./admin-throttle";
import { type IssuedSession, createSession, refreshIdentity, revokeAllSessions } from "./sessions";
import { userStateStub } from "./user-state";

// Admin TOTP: enrol (a pending secret, encrypted at rest), confirm with a first code (enables it and
// re-issues the session with the totp factor), disable (password + code; refused when required).

const actorOf = (admin: AdminRow) => ({ actor: { type: "admin" as const, id: admin.id }, target: { type: "admin", id: admin.id } });

export async function startAdminTotpEnrollment(env: Env, db: Db, adminId: string, meta: RequestMeta, now: number) {
  const admin = await loadAdmin(db, adminId);
  if (admin.totpEnabledAt != null) throw new AppError("conflict", { message: "TOTP is already enabled. Disable it first." });
  const secret = generateTotpSecret();
  const totpSecretEnc = await encryptTotpSecret(env.TOTP_ENCRYPTION_KEY, secret, adminTotpOwner(admin.id));
  await db.batch([
    updateAdmin(db, admin.id, { totpSecretEnc, updatedAt: now }),
    auditStatement(db, { ...actorOf(admin), action: "admin.totp_enroll" }, meta),
  ]);
  await refreshIdentity(env, "admin", admin.id, toAdminView({ ...admin, totpSecretEnc, updatedAt: now }));
  return { secret, otpauth_url: totpUri(secret, admin.email, "Auth2 admin") };
}

async function requireCode(env: Env, db: Db, admin: AdminRow, code: string, action: string, meta: RequestMeta, now: number): Promise<void> {
  await assertReauthAllowed(env, admin.id, now);
  if (await checkAdminTotp(env, admin, code, now)) return;
  await recordReauthFailure(env, admin.id, now);
  await recordAudit(db, { ...actorOf(admin), action, outcome: "failure", details: { reason: "wrong_code" } }, meta);
  throw new AppError("invalid_code");
}

/** Enables the pending secret; every session of the admin ends and a new one (password + totp) is issued. */
export async function confirmAdminTotp(env: Env, db: Db, adminId: string, code: string, meta: RequestMeta, now: number): Promise<IssuedSession> {
  const admin = await loadAdmin(db, adminId);
  if (admin.totpEnabledAt != null) throw new AppError("conflict", { message: "TOTP is already enabled." });
  if (!admin.totpSecretEnc) throw new AppError("conflict", { message: "Start enrolment with admin/totp_enroll first." });
  await requireCode(env, db, admin, code, "admin.totp_confirm", meta, now);
  const patch = { totpEnabledAt: now, updatedAt: now };
  await db.batch([updateAdmin(db, admin.id, patch), auditStatement(db, { ...actorOf(admin), action: "admin.totp_confirm" }, meta)]);
  const view = toAdminView({ ...admin, ...patch });
  await revokeAllSessions(env, "admin", admin.id);
  return createSession(env, {
    kind: "admin",
    principalId: admin.id,
    siteKey: ADMIN_SESSION_SITE,
    ttlSeconds: ADMIN_SESSION_TTL_SECONDS,
    idleSeconds: ADMIN_IDLE_TIMEOUT_SECONDS,
    factors: ["password", "totp"],
    identity: view,
    meta,
    now,
  });
}

/** Turns TOTP off (current password and a code required). Refused while ADMIN_REQUIRE_TOTP is on. */
export async function disableAdminTotp(env: Env, db: Db, config: Config, adminId: string, input: { password: string; code: string }, meta: RequestMeta, now: number): Promise<void> {
  if (config.adminRequireTotp) throw new AppError("forbidden", { message: "TOTP is required for admins and cannot be disabled." });
  const admin = await loadAdmin(db, adminId);
  if (admin.totpEnabledAt == null) throw new AppError("conflict", { message: "TOTP is not enabled." });
  await assertReauthAllowed(env, admin.id, now);
  if (!(await verifyPassword(input.password, admin.passwordHash, adminHashOptions(env, config)))) {
    await recordReauthFailure(env, admin.id, now);
    await recordAudit(db, { ...actorOf(admin), action: "admin.totp_disable", outcome: "failure", details: { reason: "wrong_password" } }, meta);
    throw new AppError("invalid_credentials", { message: "The password is incorrect." });
  }
  await requireCode(env, db, admin, input.code, "admin.totp_disable", meta, now);
  const patch = { totpEnabledAt: null, totpSecretEnc: null, updatedAt: now };
  await db.batch([updateAdmin(db, admin.id, patch), auditStatement(db, { ...actorOf(admin), action: "admin.totp_disable" }, meta)]);
  await userStateStub(env, adminTotpOwner(admin.id)).resetTotpState();
  await refreshIdentity(env, "admin", admin.id, toAdminView({ ...admin, ...patch }));
}
