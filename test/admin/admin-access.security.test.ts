import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { adminCsrfToken } from "../../src/services/admin/csrf";
import { call, json, testCtx } from "../helpers";
import { seedUser, sessionFor } from "../sessions/fixtures";
import { adminSessionFor, bearer, seedAdmin } from "./fixtures";

// Every admin route × every kind of caller. Only a live admin session gets past the guard.
const ROUTES: [method: "GET" | "POST", path: string][] = [
  ["GET", "/api/admin/me"],
  ["POST", "/api/admin/logout"],
  ["POST", "/api/admin/change_password"],
  ["POST", "/api/admin/totp_enroll"],
  ["POST", "/api/admin/totp_confirm"],
  ["POST", "/api/admin/totp_disable"],
  ["GET", "/api/admin/audit_list"],
  ["POST", "/api/admin/user_create"],
  ["POST", "/api/admin/user_update"],
  ["GET", "/api/admin/user_list"],
  ["POST", "/api/admin/user_disable"],
  ["POST", "/api/admin/user_delete"],
  ["POST", "/api/admin/user_onboarding_resend"],
  ["GET", "/api/admin/user_sessions_list"],
  ["POST", "/api/admin/user_sessions_revoke"],
  ["GET", "/api/admin/user_passkeys_list"],
  ["POST", "/api/admin/user_passkeys_delete"],
  ["POST", "/api/admin/site_create"],
  ["POST", "/api/admin/site_update"],
  ["GET", "/api/admin/site_list"],
  ["POST", "/api/admin/site_delete"],
  ["POST", "/api/admin/policy_update"],
  ["POST", "/api/admin/service_key_create"],
  ["GET", "/api/admin/service_key_list"],
  ["POST", "/api/admin/service_key_revoke"],
];

let userToken = "";
let adminToken = "";
let adminCsrf = "";
let adminId = "";
beforeAll(async () => {
  const user = await seedUser();
  userToken = (await sessionFor(user)).token;
  const admin = await seedAdmin();
  adminId = admin.id;
  const adminSession = await adminSessionFor(admin);
  adminToken = adminSession.token;
  adminCsrf = adminCsrfToken(testCtx(), adminSession.id);
});

const send = (method: string, path: string, headers: Record<string, string>) =>
  call(path, method === "GET" ? { headers } : { method, json: { role: "admin", is_admin: true }, headers });

describe("admin route × access kind", () => {
  it("covers every admin route in the OpenAPI document (all tagged Admin)", async () => {
    const doc = await json(await call("/api/openapi.json"));
    const documented: string[] = [];
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      if (!path.startsWith("/api/admin/") || path === "/api/admin/login") continue;
      for (const [method, op] of Object.entries(ops)) {
        expect(op.tags, path).toEqual(["Admin"]);
        documented.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(documented.sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
    expect(doc.paths["/api/admin/login"].post.tags).toEqual(["Admin"]);
  });

  it("refuses anonymous callers, user sessions, API keys, service keys and forged admin tokens with 401", async () => {
    const secret = adminToken.split(".")[1]!;
    const callers: Record<string, Record<string, string>> = {
      anonymous: {},
      "user session (Bearer)": bearer(userToken),
      "user session (user cookie)": { Cookie: `__Host-auth2_session=${userToken}` },
      "user token in the admin cookie": { Cookie: `__Host-auth2_admin=${userToken}` },
      "user id with an admin secret": bearer(`${userToken.split(".")[0]}.${secret}`),
      "api key": bearer(`a2k_${"x".repeat(40)}`),
      "service key": { "X-Service-Key": env.SERVICE_BOOTSTRAP_KEY! },
      "service key as bearer": bearer(env.SERVICE_BOOTSTRAP_KEY!),
      "forged admin token": bearer(`${adminId}.${"A".repeat(43)}`),
      "another admin id with this secret": bearer(`adm_someoneelse.${secret}`),
      garbage: bearer("adm_"),
      basic: { Authorization: `Basic ${btoa("admin:admin")}` },
    };
    for (const [method, path] of ROUTES) {
      for (const [who, headers] of Object.entries(callers)) {
        const res = await send(method, path, headers);
        expect(res.status, `${who} → ${method} ${path}`).toBe(401);
        expect((await json(res)).error.code).toBe("unauthenticated");
      }
    }
  });

  it("lets an admin session through the guard on every route (then the route's own validation answers)", async () => {
    for (const [method, path] of ROUTES) {
      if (path === "/api/admin/logout") continue;
      const res = await send(method, path, bearer(adminToken));
      expect(res.status, `${method} ${path}`).not.toBe(401);
      expect(res.status).toBeLessThan(500);
    }
  });

  it("refuses cookie-authenticated writes from a foreign origin (CSRF), allows them from Auth2's own", async () => {
    const cookie = { Cookie: `__Host-auth2_admin=${adminToken}` };
    const evil = await call("/api/admin/site_create", { json: { name: "Evil" }, headers: { ...cookie, Origin: "https://evil.example.com" } });
    expect(evil.status).toBe(403);
    expect((await json(evil)).error.code).toBe("origin_not_allowed");
    const crossSite = await call("/api/admin/site_create", { json: { name: "Evil" }, headers: { ...cookie, "Sec-Fetch-Site": "cross-site" } });
    expect(crossSite.status).toBe(403);
    const own = await call("/api/admin/site_create", { json: { name: "Mine" }, headers: { ...cookie, Origin: "https://auth.test", "X-CSRF-Token": adminCsrf } });
    expect(own.status).toBe(200);
  });

  it("ignores role and admin flags in bodies: a created user is a plain pending user", async () => {
    const res = await call("/api/admin/user_create", { json: { email: "flags@example.com", name: "Flags", role: "admin", is_admin: true, admin: true, status: "active" }, headers: bearer(adminToken) });
    const { user } = await json(res);
    expect(user.status).toBe("pending");
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM admins WHERE email = 'flags@example.com'").first("n")).toBe(0);
  });

  it("never answers an admin's hash or TOTP secret", async () => {
    const me = await call("/api/admin/me", { headers: bearer(adminToken) });
    const text = await me.text();
    expect(text).not.toMatch(/scrypt|password_hash|totp_secret/);
  });
});

describe("ADMIN_REQUIRE_TOTP", () => {
  it("lets a session without TOTP only enrol: other admin routes answer 403 totp_enrollment_required", async () => {
    const app = createApp();
    const strictEnv = { ...env, ADMIN_REQUIRE_TOTP: "true" };
    const admin = await seedAdmin();
    const token = (await adminSessionFor(admin)).token;
    const fetchAs = (path: string, init: RequestInit = {}) =>
      app.fetch(new Request(`https://auth.test${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...init.headers } }), strictEnv, createExecutionContext());
    const blocked = await fetchAs("/api/admin/user_list");
    expect(blocked.status).toBe(403);
    expect((await json(blocked)).error.code).toBe("totp_enrollment_required");
    expect((await fetchAs("/api/admin/site_create", { method: "POST", body: JSON.stringify({ name: "x" }) })).status).toBe(403);
    expect((await fetchAs("/api/admin/me")).status).toBe(200);
    expect((await fetchAs("/api/admin/totp_enroll", { method: "POST", body: "{}" })).status).toBe(200);
    const withTotp = (await adminSessionFor(admin, ["password", "totp"])).token;
    const ok = await app.fetch(new Request("https://auth.test/api/admin/user_list", { headers: { Authorization: `Bearer ${withTotp}` } }), strictEnv, createExecutionContext());
    expect(ok.status).toBe(200);
  });

  it("guards every admin route of the OpenAPI document: only login and the enrolment routes answer a session without TOTP", async () => {
    // Read from the document, so a new admin route that forgot the factor guard fails here.
    const doc = await json(await call("/api/openapi.json"));
    const ENROLMENT = new Set(["GET /api/admin/me", "POST /api/admin/logout", "POST /api/admin/totp_enroll", "POST /api/admin/totp_confirm"]);
    const strictEnv = { ...env, ADMIN_REQUIRE_TOTP: "true" };
    const app = createApp();
    const admin = await seedAdmin();
    const withoutTotp = (await adminSessionFor(admin)).token;
    const withTotp = (await adminSessionFor(admin, ["password", "totp"])).token;
    const send = (method: string, path: string, token: string) =>
      app.fetch(
        new Request(`https://auth.test${path}`, {
          method: method.toUpperCase(),
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: method === "get" ? undefined : "{}",
        }),
        strictEnv,
        createExecutionContext(),
      );
    let guarded = 0;
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      if (!path.startsWith("/api/admin/") || path === "/api/admin/login") continue;
      for (const method of Object.keys(ops)) {
        const label = `${method.toUpperCase()} ${path}`;
        if (ENROLMENT.has(label)) continue;
        const res = await send(method, path, withoutTotp);
        expect(res.status, label).toBe(403);
        expect((await json(res)).error.code, label).toBe("totp_enrollment_required");
        // With the TOTP factor the same call gets past the guard (its own validation answers).
        const through = await send(method, path, withTotp);
        expect(through.status, `${label} with TOTP`).not.toBe(403);
        guarded++;
      }
    }
    expect(guarded).toBe(ROUTES.length - ENROLMENT.size);
    for (const label of ENROLMENT) {
      const [method, path] = label.split(" ") as [string, string];
      if (path === "/api/admin/logout") continue;
      expect((await send(method.toLowerCase(), path, withoutTotp)).status, label).not.toBe(403);
    }
  });
});
