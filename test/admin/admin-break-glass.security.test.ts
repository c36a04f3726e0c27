import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../src/crypto/password-hash";
import { findAdminById } from "../../src/store/admins";
import { resetAdminSql } from "../../scripts/lib/admin-sql";
import { call, config, db, json, accountObject } from "../helpers";
import { ADMIN_PASSWORD, adminSessionFor, auditAfter, auditMark, bearer, loginAdmin, seedAdmin } from "./fixtures";

// `admin:create --reset-password` is the break-glass for a locked-out or compromised admin. It runs
// its SQL against D1 from a terminal and cannot reach the admin's Durable Object, so the sessions the
// admin (or whoever had their password) already holds must end through the admins row.

const NEW_PASSWORD = "a brand new break-glass passphrase 7";

/** Runs the script's SQL the way `wrangler d1 execute` does: its statements in order, as one batch. */
async function runScriptSql(sql: string): Promise<void> {
  const statements = sql
    .split(/;\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  expect(statements.length).toBeGreaterThan(1);
  await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
}

async function sessionRows(adminId: string) {
  const stub = accountObject(`admin:${adminId}`);
  return runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT id FROM sessions").toArray());
}

describe("admin:create --reset-password ends the admin's sessions", () => {
  it("refuses every session from before the reset, over Bearer and cookie, and removes them from the Durable Object", async () => {
    const admin = await seedAdmin();
    const login = await loginAdmin(admin.email);
    expect(login.res.status).toBe(200);
    const other = await adminSessionFor(admin);
    const viaCookie = { Cookie: `__Host-auth2_admin=${login.body.session.token}` };
    expect((await call("/api/admin/me", { headers: bearer(login.body.session.token) })).status).toBe(200);
    expect((await call("/api/admin/me", { headers: viaCookie })).status).toBe(200);
    expect(await sessionRows(admin.id)).toHaveLength(2);

    const mark = await auditMark();
    const now = Date.now();
    const passwordHash = await hashPassword(NEW_PASSWORD, { scrypt: config().scrypt, pepper: env.PASSWORD_PEPPER });
    await runScriptSql(resetAdminSql({ id: admin.id, email: admin.email, passwordHash, now }));

    for (const headers of [bearer(login.body.session.token), viaCookie, bearer(other.token)]) {
      const res = await call("/api/admin/me", { headers });
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe("unauthenticated");
    }
    // Admin routes past requireAdminFactors are refused the same way.
    expect((await call("/api/admin/user_list", { headers: bearer(other.token) })).status).toBe(401);
    expect(await sessionRows(admin.id)).toHaveLength(0);

    const row = (await findAdminById(db(), admin.id))!;
    expect(row.sessionsValidAfter).toBe(now);
    expect(row.status).toBe("active");
    const audit = await auditAfter(mark, "admin.reset_password");
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ sessions_ended: true, totp_disabled: true });

    // The old password is gone; the new one signs in, and that new session works.
    expect((await loginAdmin(admin.email, ADMIN_PASSWORD)).res.status).toBe(401);
    const fresh = await loginAdmin(admin.email, NEW_PASSWORD);
    expect(fresh.res.status).toBe(200);
    expect((await call("/api/admin/me", { headers: bearer(fresh.body.session.token) })).status).toBe(200);
    expect((await call("/api/admin/user_list", { headers: bearer(fresh.body.session.token) })).status).toBe(200);
  });

  it("a session of an admin whose row is no longer active (or gone) is refused even if its Durable Object still holds it", async () => {
    const disabled = await seedAdmin();
    const s1 = await adminSessionFor(disabled);
    expect((await call("/api/admin/me", { headers: bearer(s1.token) })).status).toBe(200);
    await env.DB.prepare("UPDATE admins SET status = 'disabled' WHERE id = ?").bind(disabled.id).run();
    expect((await call("/api/admin/me", { headers: bearer(s1.token) })).status).toBe(401);
    expect(await sessionRows(disabled.id)).toHaveLength(0);

    const removed = await seedAdmin();
    const s2 = await adminSessionFor(removed);
    await env.DB.prepare("DELETE FROM admins WHERE id = ?").bind(removed.id).run();
    expect((await call("/api/admin/me", { headers: bearer(s2.token) })).status).toBe(401);
  });

  it("an admin who was never reset keeps working sessions (no cut-off set)", async () => {
    const admin = await seedAdmin();
    const s = await adminSessionFor(admin);
    expect((await findAdminById(db(), admin.id))!.sessionsValidAfter).toBeNull();
    expect((await call("/api/admin/me", { headers: bearer(s.token) })).status).toBe(200);
    expect((await call("/api/admin/user_list", { headers: bearer(s.token) })).status).toBe(200);
  });
});
