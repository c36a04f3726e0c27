import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/env";
import { toIdentity } from "../../src/services/users/identity";
import { createSession, refreshIdentity, revokeSessionToken } from "../../src/services/sessions/sessions";
import { call, json, testCtx } from "../helpers";
import { BOOTSTRAP, makeApiKey } from "../service/helpers";
import { REAL_PNG, dataUrl, signedInUser } from "./helpers";

interface Case {
  path: string;
  method: "GET" | "POST";
  body?: unknown;
}
const STAFF: Case[] = [
  { path: "/api/auth_profile_update", method: "POST", body: { name: "Matrix" } },
  { path: "/api/auth_profile_avatar", method: "POST", body: { image: dataUrl(REAL_PNG) } },
  { path: "/api/auth_api_keys_create", method: "POST", body: { name: "matrix" } },
  { path: "/api/auth_api_keys_list", method: "GET" },
  { path: "/api/auth_api_keys_revoke", method: "POST", body: { id: "ak_none" } },
];
const SERVICE = ["/api/auth_api_key_verify", "/api/service/user_resolve", "/api/firebase_custom_token"];

function send(c: Case, headers: Record<string, string>) {
  return c.method === "GET" ? call(c.path, { headers }) : call(c.path, { json: c.body, headers });
}

async function expectUnauthenticated(res: Response, label: string) {
  expect(res.status, label).toBe(401);
  expect((await json(res)).error.code, label).toBe("unauthenticated");
}

describe("access matrix of the staff routes", () => {
  it("anonymous, service key, API key as bearer, admin session → 401; user session → allowed", async () => {
    const me = await signedInUser();
    const apiKey = (await makeApiKey(me.user.id)).secret;
    const admin = await createSession(testCtx(), { kind: "admin", principalId: "adm_matrix", siteKey: "admin", ttlSeconds: 3600, idleSeconds: 1800, factors: ["password"], identity: { id: "adm_matrix", email: "admin@example.com", status: "active" } });
    for (const c of STAFF) {
      await expectUnauthenticated(await send(c, {}), `${c.path} anonymous`);
      await expectUnauthenticated(await send(c, { "X-Service-Key": BOOTSTRAP }), `${c.path} service key`);
      await expectUnauthenticated(await send(c, { Authorization: `Bearer ${apiKey}` }), `${c.path} API key`);
      await expectUnauthenticated(await send(c, { Authorization: `Bearer ${admin.token}` }), `${c.path} admin session`);
      await expectUnauthenticated(await send(c, { Authorization: `Bearer ${me.session.token}x` }), `${c.path} tampered token`);
      const allowed = await send(c, me.headers);
      const expected = c.path.endsWith("revoke") ? 404 : 200; // revoke of an unknown id: authorised, then not found
      expect(allowed.status, `${c.path} user session`).toBe(expected);
    }
  });

  it("a logged-out session or a disabled user is refused at once", async () => {
    const me = await signedInUser();
    await revokeSessionToken(testCtx(), me.session.token, "user");
    for (const c of STAFF) await expectUnauthenticated(await send(c, me.headers), `${c.path} revoked`);
    const other = await signedInUser();
    await refreshIdentity(testCtx(), { kind: "user", id: other.user.id }, toIdentity({ ...other.user, status: "disabled" }, readConfig(env).publicBaseUrl));
    for (const c of STAFF) await expectUnauthenticated(await send(c, other.headers), `${c.path} disabled`);
  });

  it("cookie sessions: writes from a foreign origin → 403, from Auth2's own origin → allowed", async () => {
    const me = await signedInUser();
    const cookie = { Cookie: `__Host-auth2_session=${me.session.token}` };
    const res = await call("/api/auth_profile_update", { json: { name: "csrf" }, headers: { ...cookie, Origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("origin_not_allowed");
    const avatar = await call("/api/auth_profile_avatar", { json: { image: dataUrl(REAL_PNG) }, headers: { ...cookie, Origin: "https://evil.example" } });
    expect(avatar.status).toBe(403);
    const ok = await call("/api/auth_profile_update", { json: { name: "same origin" }, headers: { ...cookie, Origin: "https://auth.test" } });
    expect(ok.status).toBe(200);
  });

  it("the avatar upload refuses an anonymous body without reading it", async () => {
    const res = await call("/api/auth_profile_avatar", { body: "x".repeat(3_000_000), headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(401);
  });

  it("service routes refuse a user session (401 invalid_service_key)", async () => {
    const me = await signedInUser();
    for (const path of SERVICE) {
      const res = await call(path, { json: { auth_user_id: me.user.id, api_key: "x" }, headers: me.headers });
      expect(res.status, path).toBe(401);
      expect((await json(res)).error.code).toBe("invalid_service_key");
    }
  });
});
