import { beforeAll, describe, expect, it } from "vitest";
import { call, createSite } from "../helpers";
import { PASSWORD, json, login, me, seedPasswordUser } from "./helpers";

const APP = "https://app.corp.test";
const EVIL = "https://evil.test";

beforeAll(async () => {
  await createSite("corp", { allowed_origins: [APP, "https://admin.corp.test"] });
  await createSite("dormant", { status: "inactive", allowed_origins: ["https://dormant.test"] });
});

describe("CORS per site", () => {
  it("answers a preflight for a registered origin with the allowed methods and headers", async () => {
    const res = await call("/api/auth_login", {
      method: "OPTIONS",
      headers: { Origin: APP, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, x-site-key" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(res.headers.get("Access-Control-Allow-Methods")).toContain("POST");
    expect(res.headers.get("Access-Control-Allow-Headers")).toBe("Content-Type, Authorization, X-Site-Key");
    expect(res.headers.get("Vary")).toContain("Origin");
  });

  it("never allows an unlisted, inactive-site, null or look-alike origin, on preflight or request", async () => {
    for (const origin of [EVIL, "null", "https://dormant.test", "https://app.corp.test.evil.test", "http://app.corp.test", `${APP}/`, "https://APP.corp.test"]) {
      const pre = await call("/api/auth_me", { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "GET" } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("Access-Control-Allow-Origin"), origin).toBeNull();
      const res = await call("/api/auth_site_info", { json: { site_key: "corp" }, headers: { Origin: origin } });
      expect(res.headers.get("Access-Control-Allow-Origin"), origin).toBeNull();
      expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
      expect(res.headers.get("Vary")).toContain("Origin");
    }
  });

  it("allows the site's exact origin on login, and only for that site", async () => {
    const user = await seedPasswordUser();
    const ok = await login({ site_key: "corp", email: user.email, password: PASSWORD }, { Origin: APP });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    expect(ok.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(ok.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
    // The same origin is no good for another site (demo lists no origins).
    const other = await login({ site_key: "demo", email: user.email, password: PASSWORD }, { Origin: APP });
    expect(other.status).toBe(403);
    expect((await json(other)).error.code).toBe("origin_not_allowed");
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("puts the headers on errors too, so the app can read them", async () => {
    const res = await login({ site_key: "corp", email: "nobody@example.com", password: "wrong password" }, { Origin: APP });
    expect(res.status).toBe(401);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(APP);
  });

  it("refuses browser logins from a foreign origin, a null origin or a cross-site fetch without Origin", async () => {
    const user = await seedPasswordUser();
    for (const headers of [{ Origin: EVIL }, { Origin: "null" }, { "Sec-Fetch-Site": "cross-site" }] as Record<string, string>[]) {
      const res = await login({ site_key: "corp", email: user.email, password: PASSWORD }, headers);
      expect(res.status).toBe(403);
      expect(res.headers.get("Set-Cookie")).toBeNull();
    }
    // Server-side clients (no Origin) and Auth2's own pages are fine.
    expect((await login({ site_key: "corp", email: user.email, password: PASSWORD })).status).toBe(200);
    expect((await login({ site_key: "corp", email: user.email, password: PASSWORD }, { Origin: "https://auth.test", "Sec-Fetch-Site": "same-origin" })).status).toBe(200);
  });

  it("uses the session's site for auth_me and auth_logout", async () => {
    const user = await seedPasswordUser();
    const token = (await json(await login({ site_key: "corp", email: user.email, password: PASSWORD }))).session.token;
    const cookie = { Cookie: `__Host-auth2_session=${token}` };
    const res = await call("/api/auth_me", { headers: { ...cookie, Origin: APP } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    const evil = await call("/api/auth_me", { headers: { ...cookie, Origin: EVIL } });
    expect(evil.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const out = await call("/api/auth_logout", { json: {}, headers: { ...cookie, Origin: EVIL } });
    expect(out.status).toBe(403);
    const ok = await call("/api/auth_logout", { json: {}, headers: { ...cookie, Origin: APP } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe(APP);
  });
});

describe("session tokens", () => {
  it("issues a fresh token on every login; a token planted by someone else never becomes valid", async () => {
    const user = await seedPasswordUser();
    const planted = `${user.id}.${"B".repeat(43)}`;
    const a = await login({ site_key: "corp", email: user.email, password: PASSWORD }, { Cookie: `__Host-auth2_session=${planted}` });
    const b = await login({ site_key: "corp", email: user.email, password: PASSWORD });
    const ta = (await json(a)).session.token;
    const tb = (await json(b)).session.token;
    expect(ta).not.toBe(planted);
    expect(ta).not.toBe(tb);
    expect(a.headers.get("Set-Cookie")).toContain(`__Host-auth2_session=${ta};`);
    expect((await me(planted)).status).toBe(401);
    expect((await me(ta)).status).toBe(200);
  });

  it("logout all ends every session made by login", async () => {
    const user = await seedPasswordUser();
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push((await json(await login({ site_key: "corp", email: user.email, password: PASSWORD }))).session.token);
    expect((await call("/api/auth_logout", { json: { all: true }, headers: { Authorization: `Bearer ${tokens[0]}` } })).status).toBe(200);
    for (const t of tokens) expect((await me(t)).status).toBe(401);
  });
});
