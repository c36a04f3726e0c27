import { env } from "cloudflare:test";
import { hashPassword } from "../../src/crypto/password-hash";
import { encryptTotpSecret } from "../../src/crypto/totp-secret";
import { createAdminSession, toAdminView } from "../../src/services/admin/accounts";
import { type AdminRow, findAdminById, insertAdmin } from "../../src/store/admins";
import { call, config, db, json, testCtx } from "../helpers";

export const ADMIN_PASSWORD = "correct horse battery staple 42";
let counter = 0;

/** Inserts an admin row (cheap test hash parameters, the suite's pepper). */
export async function seedAdmin(overrides: Partial<AdminRow> & { password?: string; totpSecret?: string } = {}): Promise<AdminRow> {
  const { password = ADMIN_PASSWORD, totpSecret, ...rest } = overrides;
  const now = Date.now();
  const id = rest.id ?? `adm_${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
  await insertAdmin(db(), {
    id,
    email: `admin${++counter}-${id.slice(4, 10)}@example.com`,
    name: "Test Admin",
    passwordHash: await hashPassword(password, { scrypt: config().scrypt, pepper: env.PASSWORD_PEPPER }),
    passwordChangedAt: now,
    totpSecretEnc: totpSecret ? await encryptTotpSecret(env.TOTP_ENCRYPTION_KEY, totpSecret, `admin:${id}`) : null,
    totpEnabledAt: totpSecret ? now : null,
    status: "active",
    createdAt: now,
    updatedAt: now,
    ...rest,
  });
  return (await findAdminById(db(), id))!;
}

/** An admin session issued the way login does (without the HTTP round trip). */
export async function adminSessionFor(admin: AdminRow, factors = ["password"]) {
  return createAdminSession(testCtx(), toAdminView(admin), factors);
}

/** A fresh admin and a Bearer header for it: the usual start of an admin route test. */
export async function asAdmin(): Promise<{ admin: AdminRow; headers: Record<string, string> }> {
  const admin = await seedAdmin();
  const session = await adminSessionFor(admin);
  return { admin, headers: { Authorization: `Bearer ${session.token}` } };
}

/** Logs in over HTTP. */
export async function loginAdmin(email: string, password = ADMIN_PASSWORD, extra: Record<string, unknown> = {}, ip = "203.0.113.10") {
  const res = await call("/api/admin/login", { json: { email, password, ...extra }, headers: { "CF-Connecting-IP": ip } });
  return { res, body: await json(res) };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The newest audit id now: pass it to `auditAfter` to see only the rows a step wrote. */
export async function auditMark(): Promise<number> {
  const row = await env.DB.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM audit_log").first<{ id: number }>();
  return row!.id;
}

export async function auditAfter(mark: number, action?: string): Promise<Record<string, any>[]> {
  const stmt = action
    ? env.DB.prepare("SELECT * FROM audit_log WHERE id > ? AND action = ? ORDER BY id").bind(mark, action)
    : env.DB.prepare("SELECT * FROM audit_log WHERE id > ? ORDER BY id").bind(mark);
  return (await stmt.all<Record<string, any>>()).results;
}
