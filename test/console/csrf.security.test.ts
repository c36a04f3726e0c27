import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminCsrfToken } from "../../src/services/admin/csrf";
import { ADMIN_PASSWORD, adminSessionFor, loginAdmin, seedAdmin } from "../admin/fixtures";
import { BASE, call, db, json, testCtx } from "../helpers";
import { findUserByEmail } from "../../src/store/users";

const ORIGIN = new URL(BASE).origin;

/** Signs in over HTTP: the cookie pair and the CSRF token the console keeps. */
async function signIn() {
  const admin = await seedAdmin();
  const { res, body } = await loginAdmin(admin.email, ADMIN_PASSWORD);
  expect(res.status).toBe(200);
  return { admin, cookie: `__Host-auth2_admin=${body.session.token}`, csrf: body.csrf_token as string, token: body.session.token as string };
}

function createUser(headers: Record<string, string>, email: string) {
  return call("/api/admin/user_create", { json: { email, name: "CSRF Probe" }, headers });
}

describe("admin CSRF token", () => {
  it("login and admin/me return the same session-bound token; another session gets another", async () => {
    const s = await signIn();
    expect(s.csrf).toMatch(/^[0-9a-f]{64}$/);
    const me = await json(await call("/api/admin/me", { headers: { Cookie: s.cookie } }));
    expect(me.csrf_token).toBe(s.csrf);
    const other = await adminSessionFor(s.admin);
    const meOther = await json(await call("/api/admin/me", { headers: { Authorization: `Bearer ${other.token}` } }));
    expect(meOther.csrf_token).toMatch(/^[0-9a-f]{64}$/);
    expect(meOther.csrf_token).not.toBe(s.csrf);
  });

  it("refuses a cookie-authenticated write without the header, with a wrong one, or another session's", async () => {
    const s = await signIn();
    const other = await adminSessionFor(s.admin);
    const cases: [string, Record<string, string>][] = [
      ["missing", { Cookie: s.cookie, Origin: ORIGIN }],
      ["wrong", { Cookie: s.cookie, Origin: ORIGIN, "X-CSRF-Token": "0".repeat(64) }],
      ["other session", { Cookie: s.cookie, Origin: ORIGIN, "X-CSRF-Token": adminCsrfToken(testCtx(), other.id) }],
      ["empty", { Cookie: s.cookie, Origin: ORIGIN, "X-CSRF-Token": "" }],
    ];
    for (const [label, headers] of cases) {
      const email = `csrf-${label.replace(/ /g, "-")}@example.com`;
      const res = await createUser(headers, email);
      expect(res.status, label).toBe(403);
      expect((await json(res)).error.code, label).toBe("csrf_token_invalid");
      expect(await findUserByEmail(db(), email), label).toBeNull();
    }
    // Logout is a write too: the session survives a forged one.
    const logout = await call("/api/admin/logout", { json: {}, headers: { Cookie: s.cookie, Origin: ORIGIN } });
    expect(logout.status).toBe(403);
    expect((await call("/api/admin/me", { headers: { Cookie: s.cookie } })).status).toBe(200);
  });

  it("accepts a cookie-authenticated write with the session's token", async () => {
    const s = await signIn();
    const res = await createUser({ Cookie: s.cookie, Origin: ORIGIN, "X-CSRF-Token": s.csrf }, "csrf-ok@example.com");
    expect(res.status).toBe(200);
    expect(await findUserByEmail(db(), "csrf-ok@example.com")).not.toBeNull();
  });

  it("still checks Origin first: the right token from a foreign origin is refused", async () => {
    const s = await signIn();
    const res = await createUser({ Cookie: s.cookie, Origin: "https://evil.example", "X-CSRF-Token": s.csrf }, "csrf-origin@example.com");
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("origin_not_allowed");
    expect(await findUserByEmail(db(), "csrf-origin@example.com")).toBeNull();
  });

  it("exempts Bearer requests and GETs", async () => {
    const s = await signIn();
    const bearer = await createUser({ Authorization: `Bearer ${s.token}` }, "csrf-bearer@example.com");
    expect(bearer.status).toBe(200);
    const list = await call("/api/admin/user_list", { headers: { Cookie: s.cookie } });
    expect(list.status).toBe(200);
  });

  it("a token from a signed-out session is useless: the session is gone", async () => {
    const s = await signIn();
    const out = await call("/api/admin/logout", { json: {}, headers: { Cookie: s.cookie, Origin: ORIGIN, "X-CSRF-Token": s.csrf } });
    expect(out.status).toBe(200);
    const res = await createUser({ Cookie: s.cookie, Origin: ORIGIN, "X-CSRF-Token": s.csrf }, "csrf-after@example.com");
    expect(res.status).toBe(401);
  });
});
