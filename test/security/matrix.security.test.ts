import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers";
import { REAL_PNG, dataUrl } from "../staff/helpers";
import {
  adminSession,
  concretePath,
  expectEnvelope,
  freshIp,
  listOperations,
  openApiDocument,
  principal,
  serviceKeys,
  type Operation,
} from "./fixtures";

// Route × access-kind matrix. Every operation of /api/openapi.json must have an entry below: a new
// route without one fails the suite. Each entry names the expected status for each way of calling
// it with the entry's body (default `{}`: where access is granted, an empty body answers 400, which
// proves the guard let the request through).

const KINDS = [
  "anonymous",
  "session",
  "pending_2fa",
  "api_key_bearer",
  "api_key_header",
  "service_no_scope",
  "service_scope",
  "admin",
] as const;
type Kind = (typeof KINDS)[number];
type Expect = Record<Kind, number>;

interface Ctx {
  userId: string;
  email: string;
  apiKey: string;
}
interface Entry {
  tag: "App" | "Staff" | "Service" | "Admin" | "Compatibility" | "Legacy" | "Operations";
  /** The service scope the route needs (Service routes). */
  scope?: "user_resolve" | "api_key_verify" | "firebase_token";
  body?: (ctx: Ctx) => unknown;
  expect: Expect;
}

/** The same answer whoever calls (public routes: credentials neither help nor hurt). */
const everyone = (status: number): Expect => Object.fromEntries(KINDS.map((k) => [k, status])) as Expect;
/** Only a user session passes; everything else is unauthenticated. */
const userOnly = (status: number): Expect => ({ ...everyone(401), session: status });
/** Only a service key holding the scope passes; keys without it 403, everything else 401. */
const serviceOnly = (status: number): Expect => ({ ...everyone(401), service_no_scope: 403, service_scope: status });
/** Only an admin session passes. */
const adminOnly = (status: number): Expect => ({ ...everyone(401), admin: status });

const MATRIX: Record<string, Entry> = {
  // --- App: public, site-scoped -----------------------------------------------------------------
  "POST /api/auth_site_info": { tag: "App", body: () => ({ site_key: "demo" }), expect: everyone(200) },
  "GET /api/avatars/{user}/{key}": { tag: "App", expect: everyone(404) },
  // --- App: sign-in (public; the challenge token is the second step's credential) ----------------
  "POST /api/auth_login": { tag: "App", expect: everyone(400) },
  "POST /api/auth_factor_challenge": { tag: "App", expect: everyone(400) },
  "POST /api/auth_factor_verify": { tag: "App", expect: everyone(400) },
  "POST /api/auth_passkey_login_options": { tag: "App", expect: everyone(400) },
  "POST /api/auth_passkey_login_verify": { tag: "App", expect: everyone(400) },
  // --- App: reset and onboarding (public; codes and link tokens are the credentials) --------------
  "POST /api/auth_password_reset_request": { tag: "App", expect: everyone(400) },
  "POST /api/auth_password_reset_check": { tag: "App", expect: everyone(400) },
  "POST /api/auth_password_reset_complete": { tag: "App", expect: everyone(400) },
  "POST /api/auth_onboarding_request": { tag: "App", expect: everyone(400) },
  "POST /api/auth_onboarding_check": { tag: "App", expect: everyone(400) },
  "POST /api/auth_onboarding_complete": { tag: "App", expect: everyone(400) },
  // --- App: the signed-in user ------------------------------------------------------------------
  "GET /api/auth_me": { tag: "App", expect: userOnly(200) },
  "POST /api/auth_logout": { tag: "App", expect: userOnly(200) },
  // --- Staff: user sessions only (API keys are not sessions) -------------------------------------
  "POST /api/auth_profile_update": { tag: "Staff", body: () => ({ name: "Matrix" }), expect: userOnly(200) },
  "POST /api/auth_profile_avatar": { tag: "Staff", body: () => ({ image: dataUrl(REAL_PNG) }), expect: userOnly(200) },
  "POST /api/auth_api_keys_create": { tag: "Staff", body: () => ({ name: "matrix" }), expect: userOnly(200) },
  "GET /api/auth_api_keys_list": { tag: "Staff", expect: userOnly(200) },
  "POST /api/auth_api_keys_revoke": { tag: "Staff", body: () => ({ id: "ak_none" }), expect: userOnly(404) },
  "POST /api/auth_totp_enroll": { tag: "Staff", expect: userOnly(200) },
  "POST /api/auth_totp_confirm": { tag: "Staff", expect: userOnly(400) },
  "POST /api/auth_totp_disable": { tag: "Staff", expect: userOnly(400) },
  // A fresh session has a recent proof: the options are issued.
  "POST /api/auth_passkey_register_options": { tag: "Staff", expect: userOnly(200) },
  "POST /api/auth_passkey_register_verify": { tag: "Staff", expect: userOnly(400) },
  "GET /api/auth_passkeys_list": { tag: "Staff", expect: userOnly(200) },
  "POST /api/auth_passkeys_rename": { tag: "Staff", body: () => ({ id: "pk_none", name: "matrix" }), expect: userOnly(404) },
  "POST /api/auth_passkeys_delete": { tag: "Staff", body: () => ({ id: "pk_none" }), expect: userOnly(404) },
  "POST /api/auth_reauthenticate": { tag: "Staff", expect: userOnly(400) },
  // --- Service: X-Service-Key with the route's scope --------------------------------------------
  "POST /api/auth_api_key_verify": { tag: "Service", scope: "api_key_verify", body: (c) => ({ api_key: c.apiKey }), expect: serviceOnly(200) },
  "POST /api/service/user_resolve": { tag: "Service", scope: "user_resolve", body: (c) => ({ auth_user_id: c.userId }), expect: serviceOnly(200) },
  // No Firebase service account in the test env: 503 proves the guard let the request through.
  "POST /api/firebase_custom_token": { tag: "Service", scope: "firebase_token", body: (c) => ({ auth_user_id: c.userId }), expect: serviceOnly(503) },
  // --- Legacy registration: public ---------------------------------------------------------------
  "POST /api/auth_register": { tag: "Legacy", expect: everyone(400) },
  "POST /api/auth_register_start": { tag: "Legacy", expect: everyone(400) },
  "POST /api/auth_register_verify": { tag: "Legacy", expect: everyone(400) },
  // --- Compatibility wrapper: dispatches to the routes above, no own access --------------------------
  "POST /api/auth_api": { tag: "Compatibility", expect: everyone(400) },
  // --- Admin: admin sessions only (a user session, API key or service key is not an admin) --------
  "POST /api/admin/login": { tag: "Admin", expect: everyone(400) },
  "GET /api/admin/me": { tag: "Admin", expect: adminOnly(200) },
  "POST /api/admin/logout": { tag: "Admin", expect: adminOnly(200) },
  "POST /api/admin/change_password": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/totp_enroll": { tag: "Admin", expect: adminOnly(200) },
  "POST /api/admin/totp_confirm": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/totp_disable": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/service_key_create": { tag: "Admin", expect: adminOnly(400) },
  "GET /api/admin/service_key_list": { tag: "Admin", expect: adminOnly(200) },
  "POST /api/admin/service_key_revoke": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/site_create": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/site_update": { tag: "Admin", expect: adminOnly(400) },
  "GET /api/admin/site_list": { tag: "Admin", expect: adminOnly(200) },
  "POST /api/admin/site_delete": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/policy_update": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/user_create": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/user_update": { tag: "Admin", expect: adminOnly(400) },
  "GET /api/admin/user_list": { tag: "Admin", expect: adminOnly(200) },
  "POST /api/admin/user_disable": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/user_delete": { tag: "Admin", expect: adminOnly(400) },
  "GET /api/admin/user_sessions_list": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/user_sessions_revoke": { tag: "Admin", expect: adminOnly(400) },
  "GET /api/admin/user_passkeys_list": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/user_passkeys_delete": { tag: "Admin", expect: adminOnly(400) },
  "POST /api/admin/user_onboarding_resend": { tag: "Admin", expect: adminOnly(400) },
  "GET /api/admin/audit_list": { tag: "Admin", expect: adminOnly(200) },
  // --- Operations ----------------------------------------------------------------------------------
  "GET /healthz": { tag: "Operations", expect: everyone(200) },
  // Development mode answers only local hosts (the matrix calls https://auth.test): the route does not exist here.
  "GET /dev/outbox": { tag: "Operations", expect: everyone(404) },
  "GET /docs": { tag: "Operations", expect: everyone(200) },
  // The console page itself is public HTML; everything it does goes through the admin API above.
  "GET /admin/": { tag: "Operations", expect: everyone(200) },
  "GET /docs/reference": { tag: "Operations", expect: everyone(200) },
};

let operations: Operation[];
let keys: Awaited<ReturnType<typeof serviceKeys>>;

beforeAll(async () => {
  operations = listOperations(await openApiDocument());
  keys = await serviceKeys();
});

describe("access matrix (generated from /api/openapi.json)", () => {
  it("every operation in the document has a matrix entry, and every entry an operation", () => {
    const documented = operations.map((o) => `${o.method} ${o.path}`);
    const missing = documented.filter((k) => !MATRIX[k]);
    expect(missing, "new route without a matrix entry").toEqual([]);
    const stale = Object.keys(MATRIX).filter((k) => !documented.includes(k));
    expect(stale, "matrix entry for a route the document no longer has").toEqual([]);
    expect(operations.length).toBeGreaterThan(10);
  });

  it("each operation's tag is the one its entry expects", () => {
    for (const o of operations) {
      const entry = MATRIX[`${o.method} ${o.path}`];
      if (entry) expect(o.tag, `${o.method} ${o.path}`).toBe(entry.tag);
    }
  });

  it("each cell answers its expected status (errors in the envelope)", async () => {
    const failures: string[] = [];
    for (const o of operations) {
      const key = `${o.method} ${o.path}`;
      const entry = MATRIX[key];
      if (!entry) continue;
      const p = await principal();
      const admin = await adminSession();
      const ctx: Ctx = { userId: p.user.id, email: p.user.email, apiKey: p.apiKey };
      const svcWith = entry.scope ? keys.withOnly[entry.scope]! : keys.all;
      const svcWithout = entry.scope ? keys.without[entry.scope]! : keys.withOnly.user_resolve!;
      const headersFor: Record<Kind, Record<string, string>> = {
        anonymous: {},
        session: { Authorization: `Bearer ${p.session}` },
        pending_2fa: { Authorization: `Bearer ${p.pending}` },
        api_key_bearer: { Authorization: `Bearer ${p.apiKey}` },
        api_key_header: { "X-Service-Key": p.apiKey },
        service_no_scope: { "X-Service-Key": svcWithout },
        service_scope: { "X-Service-Key": svcWith },
        admin: { Authorization: `Bearer ${admin.token}` },
      };
      // The session cell last: a passing logout ends the session the other cells did not use.
      const order: Kind[] = [...KINDS.filter((k) => k !== "session"), "session"];
      for (const kind of order) {
        const headers = { ...headersFor[kind], "CF-Connecting-IP": freshIp() };
        const path = concretePath(o.path);
        const res =
          o.method === "GET"
            ? await call(path, { headers })
            : await call(path, { method: o.method, json: entry.body ? entry.body(ctx) : {}, headers });
        const label = `${key} as ${kind}`;
        if (res.status !== entry.expect[kind]) {
          failures.push(`${label}: expected ${entry.expect[kind]}, got ${res.status} ${(await res.text()).slice(0, 160)}`);
          continue;
        }
        if (res.status >= 400 && path.startsWith("/api/")) await expectEnvelope(res, label);
        else await res.body?.cancel();
      }
    }
    expect(failures).toEqual([]);
  });
});
