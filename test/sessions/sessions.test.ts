import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../../src/env";
import { toIdentity } from "../../src/services/users/identity";
import { refreshIdentity } from "../../src/services/sessions/sessions";
import { call, createSite, json, testCtx } from "../helpers";
import { seedUser, sessionFor } from "./fixtures";

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

afterEach(() => vi.useRealTimers());

describe("auth_me", () => {
  it("answers the user and session for a Bearer token, and for the cookie", async () => {
    const user = await seedUser({ name: "Ada" });
    const s = await sessionFor(user, { factors: ["password", "totp"] });
    for (const headers of [bearer(s.token), { Cookie: `__Host-auth2_session=${s.token}` }]) {
      const res = await call("/api/auth_me.php", { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("Cache-Control")).toBe("no-store");
      const body = await json(res);
      expect(body.user).toMatchObject({ auth_user_id: user.id, email: user.email, name: "Ada", status: "active" });
      expect(body.user).not.toHaveProperty("password_hash");
      expect(body.session).toMatchObject({ id: s.id, site_key: "demo", factors: ["password", "totp"], expires_at: s.expires_at });
    }
  });

  it("refuses missing, malformed, forged and admin-shaped tokens with the same 401", async () => {
    const user = await seedUser();
    const s = await sessionFor(user);
    const forged = `${user.id}.${"A".repeat(43)}`;
    const otherUser = await seedUser();
    const swapped = `${otherUser.id}.${s.token.split(".")[1]}`;
    const bodies = new Set<string>();
    for (const headers of [{}, bearer("garbage"), bearer(forged), bearer(swapped), bearer(`adm_x.${s.token.split(".")[1]}`), { Authorization: "Basic abc" }]) {
      const res = await call("/api/auth_me", { headers });
      expect(res.status).toBe(401);
      const body = await json(res);
      bodies.add(JSON.stringify({ ...body, request_id: "" }));
    }
    expect(bodies.size).toBe(1);
  });

  it("stops answering at once when the user is disabled", async () => {
    const user = await seedUser();
    const s = await sessionFor(user);
    expect((await call("/api/auth_me", { headers: bearer(s.token) })).status).toBe(200);
    await refreshIdentity(testCtx(), { kind: "user", id: user.id }, { ...toIdentity(user, readConfig(env).publicBaseUrl), status: "disabled" });
    expect((await call("/api/auth_me", { headers: bearer(s.token) })).status).toBe(401);
  });

  it("enforces the absolute lifetime and the idle timeout", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const user = await seedUser();
    const s = await sessionFor(user, { ttl: 3600, idle: 600 });
    vi.setSystemTime(Date.now() + 500_000);
    expect((await call("/api/auth_me", { headers: bearer(s.token) })).status).toBe(200);
    vi.setSystemTime(Date.now() + 500_000); // 500 s after the last use: still inside the idle window
    expect((await call("/api/auth_me", { headers: bearer(s.token) })).status).toBe(200);
    vi.setSystemTime(Date.now() + 601_000); // idle too long
    expect((await call("/api/auth_me", { headers: bearer(s.token) })).status).toBe(401);

    const s2 = await sessionFor(user, { ttl: 900, idle: 600 });
    for (let i = 0; i < 3; i++) {
      vi.setSystemTime(Date.now() + 290_000);
      expect((await call("/api/auth_me", { headers: bearer(s2.token) })).status).toBe(200);
    }
    vi.setSystemTime(Date.now() + 100_000); // 970 s after creation: past the absolute lifetime
    expect((await call("/api/auth_me", { headers: bearer(s2.token) })).status).toBe(401);
  });

  it("at the shortest idle timeout (60 s) a session used every 20 s stays alive; one left alone for 60 s ends", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const user = await seedUser();
    const s = await sessionFor(user, { ttl: 3600, idle: 60 });
    // 10 minutes of use every 20 s: each use lands inside the 60 s window after the last recorded one.
    for (let i = 0; i < 30; i++) {
      vi.setSystemTime(Date.now() + 20_000);
      expect((await call("/api/auth_me", { headers: bearer(s.token) })).status, `use ${i + 1}`).toBe(200);
    }
    vi.setSystemTime(Date.now() + 60_000);
    expect((await call("/api/auth_me", { headers: bearer(s.token) })).status).toBe(401);
  });

  it("writes last_seen_at at most every min(60 s, idle timeout / 4)", async () => {
    const { touchIntervalMs } = await import("../../src/durable/user-state");
    expect(touchIntervalMs(60)).toBe(15_000);
    expect(touchIntervalMs(200)).toBe(50_000);
    expect(touchIntervalMs(7200)).toBe(60_000);
    vi.useFakeTimers({ toFake: ["Date"] });
    const user = await seedUser();
    const s = await sessionFor(user, { ttl: 3600, idle: 600 });
    const stub = env.USER_STATE.get(env.USER_STATE.idFromName(user.id));
    const lastSeen = () => runInDurableObject(stub, (_i, state) => Number(state.storage.sql.exec("SELECT last_seen_at AS t FROM sessions WHERE id = ?", s.id).one().t));
    const created = await lastSeen();
    vi.setSystemTime(created + 30_000);
    expect((await call("/api/auth_me", { headers: bearer(s.token) })).status).toBe(200);
    expect(await lastSeen()).toBe(created); // inside a minute: no write
    vi.setSystemTime(created + 61_000);
    expect((await call("/api/auth_me", { headers: bearer(s.token) })).status).toBe(200);
    expect(await lastSeen()).toBe(created + 61_000);
  });

  it("stores only a hash of the secret in the user's Durable Object", async () => {
    const user = await seedUser();
    const s = await sessionFor(user);
    const secret = s.token.split(".")[1]!;
    const stub = env.USER_STATE.get(env.USER_STATE.idFromName(user.id));
    const dump = await runInDurableObject(stub, (_instance, state) => JSON.stringify(state.storage.sql.exec("SELECT * FROM sessions").toArray()));
    expect(dump).toContain(s.id);
    expect(dump).not.toContain(secret);
  });
});

describe("auth_logout", () => {
  it("ends the current session only", async () => {
    const user = await seedUser();
    const a = await sessionFor(user);
    const b = await sessionFor(user);
    const res = await call("/api/auth_logout", { json: {}, headers: bearer(a.token) });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true });
    expect(res.headers.get("Set-Cookie")).toMatch(/__Host-auth2_session=;.*Max-Age=0/);
    expect((await call("/api/auth_me", { headers: bearer(a.token) })).status).toBe(401);
    expect((await call("/api/auth_me", { headers: bearer(b.token) })).status).toBe(200);
    const audit = await env.DB.prepare("SELECT action, actor_id, outcome FROM audit_log").all();
    expect(audit.results).toEqual([{ action: "session.logout", actor_id: user.id, outcome: "success" }]);
  });

  it("ends every session with all: true (JSON or form)", async () => {
    const user = await seedUser();
    const a = await sessionFor(user);
    const b = await sessionFor(user);
    const res = await call("/api/auth_logout.php", { form: { all: "true" }, headers: bearer(a.token) });
    expect(res.status).toBe(200);
    expect((await call("/api/auth_me", { headers: bearer(b.token) })).status).toBe(401);
  });

  it("refuses cookie-authenticated logout from a foreign origin, allows the site's own", async () => {
    await createSite("corp", { allowed_origins: ["https://app.corp.test"] });
    const user = await seedUser();
    const s = await sessionFor(user, { siteKey: "corp" });
    const cookie = { Cookie: `__Host-auth2_session=${s.token}` };
    const evil = await call("/api/auth_logout", { json: {}, headers: { ...cookie, Origin: "https://evil.test" } });
    expect(evil.status).toBe(403);
    expect((await json(evil)).error.code).toBe("origin_not_allowed");
    const crossNoOrigin = await call("/api/auth_logout", { json: {}, headers: { ...cookie, "Sec-Fetch-Site": "cross-site" } });
    expect(crossNoOrigin.status).toBe(403);
    expect((await call("/api/auth_me", { headers: cookie })).status).toBe(200);
    const ok = await call("/api/auth_logout", { json: {}, headers: { ...cookie, Origin: "https://app.corp.test" } });
    expect(ok.status).toBe(200);
    expect((await call("/api/auth_me", { headers: cookie })).status).toBe(401);
  });
});
