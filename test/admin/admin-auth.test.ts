import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { verifyPassword } from "../../src/crypto/password-hash";
import { totpCodeAt, generateTotpSecret } from "../../src/crypto/totp-code";
import { findAdminById } from "../../src/store/admins";
import { call, config, db, json } from "../helpers";
import { ADMIN_PASSWORD, adminSessionFor, auditAfter, auditMark, bearer, loginAdmin, seedAdmin } from "./fixtures";

afterEach(() => vi.useRealTimers());

let mark = 0;
beforeEach(async () => {
  mark = await auditMark();
});
const auditRows = (action: string) => auditAfter(mark, action);

describe("admin/login", () => {
  it("signs in with email + password: admin, session token, __Host- cookie, one audit row", async () => {
    const admin = await seedAdmin();
    const { res, body } = await loginAdmin(`  ${admin.email.toUpperCase()} `);
    expect(res.status).toBe(200);
    expect(body.admin).toMatchObject({ id: admin.id, email: admin.email, totp_enabled: false, status: "active" });
    expect(JSON.stringify(body)).not.toMatch(/password_hash|\$scrypt\$/);
    expect(body.session.token).toMatch(/^adm_[a-z0-9]+\.[A-Za-z0-9_-]{43}$/);
    expect(body.totp_enrollment_required).toBe(false);
    const cookie = res.headers.get("Set-Cookie")!;
    expect(cookie).toContain(`__Host-auth2_admin=${body.session.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=43200/);
    const me = await call("/api/admin/me.php", { headers: bearer(body.session.token) });
    expect(me.status).toBe(200);
    expect((await json(me)).admin.id).toBe(admin.id);
    const cookieMe = await call("/api/admin/me", { headers: { Cookie: `__Host-auth2_admin=${body.session.token}` } });
    expect(cookieMe.status).toBe(200);
    const rows = await auditRows("admin.login");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_type: "admin", actor_id: admin.id, outcome: "success", ip: "203.0.113.10" });
    expect((await findAdminById(db(), admin.id))!.lastLoginAt).not.toBeNull();
  });

  it("answers unknown email, wrong password and disabled admins identically, each audited as a failure", async () => {
    const admin = await seedAdmin();
    const disabled = await seedAdmin({ status: "disabled" });
    const bodies = new Set<string>();
    const attempts: [string, string, string][] = [
      ["nobody@example.com", ADMIN_PASSWORD, "198.51.100.1"],
      [admin.email, "wrong password here", "198.51.100.2"],
      [disabled.email, ADMIN_PASSWORD, "198.51.100.3"],
      ["not-an-email", ADMIN_PASSWORD, "198.51.100.4"],
    ];
    for (const [email, password, ip] of attempts) {
      const { res, body } = await loginAdmin(email, password, {}, ip);
      expect(res.status).toBe(401);
      expect(res.headers.get("Set-Cookie")).toBeNull();
      bodies.add(JSON.stringify({ ...body, request_id: "" }));
    }
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).toContain("invalid_credentials");
    const rows = await auditRows("admin.login");
    expect(rows.map((r) => r.outcome)).toEqual(["failure", "failure", "failure", "failure"]);
    expect(rows.map((r) => JSON.parse(r.details).reason)).toEqual(["unknown_email", "wrong_password", "disabled", "unknown_email"]);
    for (const r of rows) expect(r.details).not.toContain(ADMIN_PASSWORD);
  });

  it("validates the body with field paths and takes JSON only", async () => {
    const res = await call("/api/admin/login", { json: { email: 5 } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("invalid_request");
    expect(Object.keys(body.error.fields)).toEqual(expect.arrayContaining(["email", "password"]));
    const form = await call("/api/admin/login", { form: { email: "a@b.co", password: "x" } });
    expect(form.status).toBe(415);
  });

  it("requires the TOTP code of an enrolled admin, refuses wrong and replayed codes", async () => {
    const secret = generateTotpSecret();
    const admin = await seedAdmin({ totpSecret: secret });
    const missing = await loginAdmin(admin.email);
    expect(missing.res.status).toBe(401);
    expect(missing.body.error.code).toBe("totp_required");
    const wrongCode = totpCodeAt(secret, Date.now()) === "000000" ? "111111" : "000000";
    const wrong = await loginAdmin(admin.email, ADMIN_PASSWORD, { totp: wrongCode }, "198.51.100.9");
    expect(wrong.res.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_code");
    const code = totpCodeAt(secret, Date.now());
    const ok = await loginAdmin(admin.email, ADMIN_PASSWORD, { totp: code });
    expect(ok.res.status).toBe(200);
    expect(ok.body.admin.totp_enabled).toBe(true);
    const me = await json(await call("/api/admin/me", { headers: bearer(ok.body.session.token) }));
    expect(me.session.factors).toEqual(["password", "totp"]);
    const replay = await loginAdmin(admin.email, ADMIN_PASSWORD, { totp: code }, "198.51.100.10");
    expect(replay.res.status).toBe(401);
    expect(replay.body.error.code).toBe("invalid_code");
  });

  it("rehashes a password stored with old parameters on a successful login", async () => {
    const admin = await seedAdmin();
    await env.DB.prepare("UPDATE admins SET password_hash = ? WHERE id = ?")
      .bind(admin.passwordHash.replace(/^\$scrypt\$ln=\d+/, "$scrypt$ln=9"), admin.id)
      .run();
    const { hashPassword } = await import("../../src/crypto/password-hash");
    const old = await hashPassword(ADMIN_PASSWORD, { scrypt: { ln: 9, r: 8, p: 1 }, pepper: env.PASSWORD_PEPPER });
    await env.DB.prepare("UPDATE admins SET password_hash = ? WHERE id = ?").bind(old, admin.id).run();
    expect((await loginAdmin(admin.email)).res.status).toBe(200);
    const row = (await findAdminById(db(), admin.id))!;
    expect(row.passwordHash).toMatch(new RegExp(`^\\$scrypt\\$ln=${config().scrypt.ln},`));
  });
});

describe("admin session lifetime", () => {
  it("ends after 30 minutes idle and after 12 hours in any case", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const admin = await seedAdmin();
    const s = await adminSessionFor(admin);
    vi.setSystemTime(Date.now() + 29 * 60_000);
    expect((await call("/api/admin/me", { headers: bearer(s.token) })).status).toBe(200);
    vi.setSystemTime(Date.now() + 31 * 60_000);
    expect((await call("/api/admin/me", { headers: bearer(s.token) })).status).toBe(401);
    const s2 = await adminSessionFor(admin);
    for (let i = 0; i < 26; i++) {
      vi.setSystemTime(Date.now() + 28 * 60_000);
      const status = (await call("/api/admin/me", { headers: bearer(s2.token) })).status;
      expect(status).toBe(i < 25 ? 200 : 401); // 26 × 28 min > 12 h
    }
  });
});

describe("admin/logout", () => {
  it("ends exactly this session and clears the cookie", async () => {
    const admin = await seedAdmin();
    const a = await adminSessionFor(admin);
    const b = await adminSessionFor(admin);
    const res = await call("/api/admin/logout", { json: {}, headers: bearer(a.token) });
    expect(res.status).toBe(200);
    expect(res.headers.get("Set-Cookie")).toMatch(/__Host-auth2_admin=;/);
    expect((await call("/api/admin/me", { headers: bearer(a.token) })).status).toBe(401);
    expect((await call("/api/admin/me", { headers: bearer(b.token) })).status).toBe(200);
    expect(await auditRows("admin.logout")).toHaveLength(1);
  });
});

describe("admin/change_password", () => {
  it("needs the current password, applies the rules, keeps this session and ends the others", async () => {
    const admin = await seedAdmin();
    const mine = await adminSessionFor(admin);
    const other = await adminSessionFor(admin);
    const wrong = await call("/api/admin/change_password", { json: { current_password: "nope nope nope", new_password: "a brand new passphrase 7" }, headers: bearer(mine.token) });
    expect(wrong.status).toBe(401);
    const common = await call("/api/admin/change_password", { json: { current_password: ADMIN_PASSWORD, new_password: "password123" }, headers: bearer(mine.token) });
    expect(common.status).toBe(400);
    expect((await json(common)).error.code).toBe("password_too_common");
    const short = await call("/api/admin/change_password", { json: { current_password: ADMIN_PASSWORD, new_password: "short" }, headers: bearer(mine.token) });
    expect((await json(short)).error).toMatchObject({ code: "password_too_short", fields: { new_password: "password_too_short" } });
    expect((await call("/api/admin/me", { headers: bearer(other.token) })).status).toBe(200);

    const ok = await call("/api/admin/change_password", { json: { current_password: ADMIN_PASSWORD, new_password: "a brand new passphrase 7" }, headers: bearer(mine.token) });
    expect(ok.status).toBe(200);
    expect((await call("/api/admin/me", { headers: bearer(mine.token) })).status).toBe(200);
    expect((await call("/api/admin/me", { headers: bearer(other.token) })).status).toBe(401);
    const row = (await findAdminById(db(), admin.id))!;
    expect(await verifyPassword("a brand new passphrase 7", row.passwordHash, { scrypt: config().scrypt, pepper: env.PASSWORD_PEPPER })).toBe(true);
    expect((await loginAdmin(admin.email)).res.status).toBe(401);
    expect((await loginAdmin(admin.email, "a brand new passphrase 7", {}, "198.51.100.20")).res.status).toBe(200);
    const rows = await auditRows("admin.password_change");
    expect(rows.map((r) => r.outcome)).toEqual(["failure", "success"]);
  });
});
