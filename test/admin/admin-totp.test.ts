import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { totpCodeAt } from "../../src/crypto/totp-code";
import { decryptTotpSecret } from "../../src/crypto/totp-secret";
import { findAdminById } from "../../src/store/admins";
import { call, db, json } from "../helpers";
import { ADMIN_PASSWORD, adminSessionFor, auditAfter, auditMark, bearer, loginAdmin, seedAdmin } from "./fixtures";

let mark = 0;
beforeEach(async () => {
  mark = await auditMark();
});

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("admin TOTP enrolment", () => {
  it("enrol → confirm → login needs the code → disable with password + code", async () => {
    const admin = await seedAdmin();
    const first = await adminSessionFor(admin);
    const other = await adminSessionFor(admin);
    const enroll = await call("/api/admin/totp_enroll", { json: {}, headers: bearer(first.token) });
    expect(enroll.status).toBe(200);
    const { secret, otpauth_url } = await json(enroll);
    expect(otpauth_url).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    expect(otpauth_url).toContain(encodeURIComponent(admin.email).replace(/%40/, "%40"));
    const row = (await findAdminById(db(), admin.id))!;
    expect(row.totpSecretEnc).not.toContain(secret);
    expect(await decryptTotpSecret(env.TOTP_ENCRYPTION_KEY, row.totpSecretEnc!, `admin:${admin.id}`)).toBe(secret);
    await expect(decryptTotpSecret(env.TOTP_ENCRYPTION_KEY, row.totpSecretEnc!, "admin:adm_other")).rejects.toThrow();
    expect(row.totpEnabledAt).toBeNull();
    // Not enabled until confirmed: login still works with the password alone.
    expect((await loginAdmin(admin.email)).res.status).toBe(200);

    const code = totpCodeAt(secret, Date.now());
    const bad = await call("/api/admin/totp_confirm", { json: { code: wrongCode(code) }, headers: bearer(first.token) });
    expect(bad.status).toBe(401);
    expect((await json(bad)).error.code).toBe("invalid_code");
    const ok = await call("/api/admin/totp_confirm", { json: { code }, headers: bearer(first.token) });
    expect(ok.status).toBe(200);
    const { session } = await json(ok);
    expect(ok.headers.get("Set-Cookie")).toContain(`__Host-auth2_admin=${session.token}`);
    // Every earlier session ended; the new one carries the totp factor.
    expect((await call("/api/admin/me", { headers: bearer(first.token) })).status).toBe(401);
    expect((await call("/api/admin/me", { headers: bearer(other.token) })).status).toBe(401);
    const me = await json(await call("/api/admin/me", { headers: bearer(session.token) }));
    expect(me.session.factors).toEqual(["password", "totp"]);
    expect(me.admin.totp_enabled).toBe(true);
    expect((await call("/api/admin/totp_enroll", { json: {}, headers: bearer(session.token) })).status).toBe(409);

    const login = await loginAdmin(admin.email);
    expect(login.body.error.code).toBe("totp_required");

    const noPw = await call("/api/admin/totp_disable", { json: { password: "wrong wrong wrong", code: totpCodeAt(secret, Date.now() + 30_000) }, headers: bearer(session.token) });
    expect(noPw.status).toBe(401);
    const off = await call("/api/admin/totp_disable", { json: { password: ADMIN_PASSWORD, code: totpCodeAt(secret, Date.now() + 30_000) }, headers: bearer(session.token) });
    expect(off.status).toBe(200);
    const after = (await findAdminById(db(), admin.id))!;
    expect(after.totpEnabledAt).toBeNull();
    expect(after.totpSecretEnc).toBeNull();
    expect((await loginAdmin(admin.email)).res.status).toBe(200);

    const actions = (await auditAfter(mark)).filter((r) => r.action.startsWith("admin.totp")).map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(["admin.totp_enroll:success", "admin.totp_confirm:failure", "admin.totp_confirm:success", "admin.totp_disable:failure", "admin.totp_disable:success"]);
  });

  it("refuses confirm without a pending enrolment and validates the code shape", async () => {
    const admin = await seedAdmin();
    const s = await adminSessionFor(admin);
    expect((await call("/api/admin/totp_confirm", { json: { code: "123456" }, headers: bearer(s.token) })).status).toBe(409);
    const shape = await call("/api/admin/totp_confirm", { json: { code: "12345" }, headers: bearer(s.token) });
    expect((await json(shape)).error.fields).toHaveProperty("code");
  });

  it("throttles wrong codes per admin", async () => {
    const admin = await seedAdmin();
    const s = await adminSessionFor(admin);
    const { secret } = await json(await call("/api/admin/totp_enroll", { json: {}, headers: bearer(s.token) }));
    const wrong = wrongCode(totpCodeAt(secret, Date.now()));
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call("/api/admin/totp_confirm", { json: { code: wrong }, headers: bearer(s.token) })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    const right = await call("/api/admin/totp_confirm", { json: { code: totpCodeAt(secret, Date.now()) }, headers: bearer(s.token) });
    expect(right.status).toBe(429);
  });
});
