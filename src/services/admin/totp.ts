import type { Ctx } from "../../context";
import { verifyPassword } from "../../crypto/password-hash";
import { generateTotpSecret, totpUri } from "../../crypto/totp-code";
import { encryptTotpSecret } from "../../crypto/totp-secret";
import { AppError } from "../../lib/errors";
import type { AdminRow } from "../../store/admins";
import { auditStatement, recordAudit } from "../audit/record";
import { type IssuedSession, refreshIdentity, revokeAllSessions } from "../sessions/sessions";
import { hashOptions } from "../users/passwords";
import { adminPrincipal, adminTotpOwner, checkAdminTotp, createAdminSession, loadAdmin, toAdminView } from "./accounts";
import { assertReauthAllowed, recordReauthFailure } from "./throttle";

// Admin TOTP: enrol (a pending secret, encrypted at rest), confirm with a first code (enables it and
// re-issues the session with the totp factor), disable (password + code; refused when required).

const actorOf = (admin: AdminRow) => ({ actor: { type: "admin" as const, id: admin.id }, target: { type: "admin", id: admin.id } });

export async function startAdminTotpEnrollment(ctx: Ctx, adminId: string) {
  const admin = await loadAdmin(ctx, adminId);
  if (admin.totpEnabledAt != null) throw new AppError("conflict", { message: "TOTP is already enabled. Disable it first." });
  const secret = generateTotpSecret();
  const totpSecretEnc = await encryptTotpSecret(ctx.secrets.totpKey, secret, adminTotpOwner(admin.id));
  await ctx.store.batch([ctx.store.admins.update(admin.id, { totpSecretEnc, updatedAt: ctx.now }), auditStatement(ctx, { ...actorOf(admin), action: "admin.totp_enroll" })]);
  await refreshIdentity(ctx, adminPrincipal(admin.id), toAdminView({ ...admin, totpSecretEnc, updatedAt: ctx.now }));
  return { secret, otpauth_url: totpUri(secret, admin.email, "Auth2 admin") };
}

async function requireCode(ctx: Ctx, admin: AdminRow, code: string, action: string): Promise<void> {
  await assertReauthAllowed(ctx, admin.id);
  if (await checkAdminTotp(ctx, admin, code)) return;
  await recordReauthFailure(ctx, admin.id);
  await recordAudit(ctx, { ...actorOf(admin), action, outcome: "failure", details: { reason: "wrong_code" } });
  throw new AppError("invalid_code");
}

/** Enables the pending secret; every session of the admin ends and a new one (password + totp) is issued. */
export async function confirmAdminTotp(ctx: Ctx, adminId: string, code: string): Promise<IssuedSession> {
  const admin = await loadAdmin(ctx, adminId);
  if (admin.totpEnabledAt != null) throw new AppError("conflict", { message: "TOTP is already enabled." });
  if (!admin.totpSecretEnc) throw new AppError("conflict", { message: "Start enrolment with admin/totp_enroll first." });
  await requireCode(ctx, admin, code, "admin.totp_confirm");
  const patch = { totpEnabledAt: ctx.now, updatedAt: ctx.now };
  await ctx.store.batch([ctx.store.admins.update(admin.id, patch), auditStatement(ctx, { ...actorOf(admin), action: "admin.totp_confirm" })]);
  const view = toAdminView({ ...admin, ...patch });
  await revokeAllSessions(ctx, adminPrincipal(admin.id));
  return createAdminSession(ctx, view, ["password", "totp"]);
}

/** Turns TOTP off (current password and a code required). Refused while ADMIN_REQUIRE_TOTP is on. */
export async function disableAdminTotp(ctx: Ctx, adminId: string, input: { password: string; code: string }): Promise<void> {
  if (ctx.config.adminRequireTotp) throw new AppError("forbidden", { message: "TOTP is required for admins and cannot be disabled." });
  const admin = await loadAdmin(ctx, adminId);
  if (admin.totpEnabledAt == null) throw new AppError("conflict", { message: "TOTP is not enabled." });
  await assertReauthAllowed(ctx, admin.id);
  if (!(await verifyPassword(input.password, admin.passwordHash, hashOptions(ctx)))) {
    await recordReauthFailure(ctx, admin.id);
    await recordAudit(ctx, { ...actorOf(admin), action: "admin.totp_disable", outcome: "failure", details: { reason: "wrong_password" } });
    throw new AppError("invalid_credentials", { message: "The password is incorrect." });
  }
  await requireCode(ctx, admin, input.code, "admin.totp_disable");
  const patch = { totpEnabledAt: null, totpSecretEnc: null, updatedAt: ctx.now };
  await ctx.store.batch([ctx.store.admins.update(admin.id, patch), auditStatement(ctx, { ...actorOf(admin), action: "admin.totp_disable" })]);
  await ctx.store.totp.reset(adminPrincipal(admin.id));
  await refreshIdentity(ctx, adminPrincipal(admin.id), toAdminView({ ...admin, ...patch }));
}
