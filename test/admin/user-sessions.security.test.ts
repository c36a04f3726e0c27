import { describe, expect, it } from "vitest";
import { findUserById } from "../../src/store/users";
import { call, db, json } from "../helpers";
import { seedUser, sessionFor } from "../sessions/fixtures";
import { asAdmin } from "./fixtures";

// Issue 15, item 7 (ASVS 5.0 7.4): an administrator can end a user's sessions without disabling
// the account — one session, or all of them — and sees which sessions are live.

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const me = (token: string) => call("/api/auth_me", { headers: bearer(token) });

async function auditFor(userId: string) {
  const { env } = await import("cloudflare:test");
  return (await env.DB.prepare("SELECT action, actor_id, target_id, details FROM audit_log WHERE action = 'user.sessions_revoke' AND target_id = ? ORDER BY id").bind(userId).all()).results;
}

describe("admin/user_sessions_list and admin/user_sessions_revoke", () => {
  it("lists the user's live sessions across sites", async () => {
    const { headers } = await asAdmin();
    const user = await seedUser();
    const a = await sessionFor(user, { siteKey: "demo", factors: ["password", "totp"] });
    const b = await sessionFor(user, { siteKey: "other" });
    const res = await call(`/api/admin/user_sessions_list?auth_user_id=${user.id}`, { headers });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.sessions.map((s: any) => s.id).sort()).toEqual([a.id, b.id].sort());
    const first = body.sessions.find((s: any) => s.id === a.id);
    expect(first).toMatchObject({ site_key: "demo", factors: ["password", "totp"], ip: "203.0.113.10", user_agent: "vitest", expires_at: a.expires_at });
    expect(Object.keys(first).sort()).toEqual(["created_at", "expires_at", "factors", "id", "idle_expires_at", "ip", "last_seen_at", "site_key", "user_agent"]);
    expect(JSON.stringify(body)).not.toContain(a.token.split(".")[1]);
  });

  it("ends one session: that token fails at once, the others and the account stay", async () => {
    const { admin, headers } = await asAdmin();
    const user = await seedUser();
    const a = await sessionFor(user);
    const b = await sessionFor(user);
    const res = await call("/api/admin/user_sessions_revoke", { json: { auth_user_id: user.id, session_id: a.id }, headers });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true, revoked: 1 });
    expect((await me(a.token)).status).toBe(401);
    expect((await me(b.token)).status).toBe(200);
    expect((await findUserById(db(), user.id))!.status).toBe("active");
    expect(await auditFor(user.id)).toEqual([
      { action: "user.sessions_revoke", actor_id: admin.id, target_id: user.id, details: JSON.stringify({ session_id: a.id, revoked: 1 }) },
    ]);
    // The same id again: not live any more.
    const again = await call("/api/admin/user_sessions_revoke", { json: { auth_user_id: user.id, session_id: a.id }, headers });
    expect(again.status).toBe(404);
    expect((await json(again)).error.code).toBe("session_not_found");
  });

  it("ends every session without disabling the account; the user can sign in again", async () => {
    const { headers } = await asAdmin();
    const user = await seedUser();
    const sessions = [await sessionFor(user), await sessionFor(user, { siteKey: "other" })];
    const res = await call("/api/admin/user_sessions_revoke", { json: { auth_user_id: user.id }, headers });
    expect(await json(res)).toMatchObject({ ok: true, revoked: 2 });
    for (const s of sessions) expect((await me(s.token)).status).toBe(401);
    expect((await findUserById(db(), user.id))!.status).toBe("active");
    const fresh = await sessionFor(user);
    expect((await me(fresh.token)).status).toBe(200);
    const listed = await json(await call(`/api/admin/user_sessions_list?auth_user_id=${user.id}`, { headers }));
    expect(listed.sessions.map((s: any) => s.id)).toEqual([fresh.id]);
  });

  it("answers 404 for an unknown user, 401 without an admin session, and a user session is not an admin one", async () => {
    const { headers } = await asAdmin();
    const missing = await call("/api/admin/user_sessions_revoke", { json: { auth_user_id: "nobody" }, headers });
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe("user_not_found");
    const user = await seedUser();
    const s = await sessionFor(user);
    expect((await call("/api/admin/user_sessions_revoke", { json: { auth_user_id: user.id } })).status).toBe(401);
    expect((await call("/api/admin/user_sessions_revoke", { json: { auth_user_id: user.id }, headers: bearer(s.token) })).status).toBe(401);
    expect((await call(`/api/admin/user_sessions_list?auth_user_id=${user.id}`, { headers: bearer(s.token) })).status).toBe(401);
    expect((await me(s.token)).status).toBe(200);
  });
});
