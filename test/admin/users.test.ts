import { env, runInDurableObject } from "cloudflare:test";
import { shardStub } from "../../src/store/limits";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { verifyPassword } from "../../src/crypto/password-hash";
import { findUserById } from "../../src/store/users";
import { call, config, db, json } from "../helpers";
import { seedUser, sessionFor } from "../sessions/fixtures";
import { asAdmin, auditAfter, auditMark } from "./fixtures";

let headers: Record<string, string>;
let adminId: string;
let mark = 0;
beforeEach(async () => {
  const a = await asAdmin();
  headers = a.headers;
  adminId = a.admin.id;
  mark = await auditMark();
});
afterEach(() => vi.restoreAllMocks());

const post = (path: string, body: unknown) => call(path, { json: body, headers });

/** The user's challenges as their accounting holds them (a row per challenge in the owner's Limiter shard). */
async function onboardingChallenges(userId: string) {
  return runInDurableObject(shardStub(env, userId), (_obj, state) =>
    state.storage.sql.exec("SELECT purpose, state FROM challenges WHERE owner = ? ORDER BY created_at", userId).toArray(),
  );
}

describe("admin/user_create", () => {
  it("creates a pending user with a normalised email and profile fields; ignores role flags; one audit row", async () => {
    const res = await post("/api/admin/user_create.php", {
      email: "  New.Person@Example.COM ",
      name: "New Person",
      job_title: "Engineer",
      timezone: "Europe/Zurich",
      locale: "de-CH",
      role: "admin",
      is_admin: true,
      status: "active",
    });
    expect(res.status).toBe(200);
    const { user } = await json(res);
    expect(user).toMatchObject({ email: "new.person@example.com", name: "New Person", job_title: "Engineer", status: "pending", email_verified: false, timezone: "Europe/Zurich" });
    expect(JSON.stringify(user)).not.toMatch(/hash|role|is_admin|secret/);
    const row = (await findUserById(db(), user.auth_user_id))!;
    expect(row.status).toBe("pending");
    expect(row.passwordHash).toBeNull();
    expect(row.source).toBe("admin");
    const rows = await auditAfter(mark);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "user.create", actor_type: "admin", actor_id: adminId, target_type: "user", target_id: user.auth_user_id, outcome: "success" });
    expect(JSON.parse(rows[0]!.details).after).toMatchObject({ email: "new.person@example.com", status: "pending" });
  });

  it("stores the locale in canonical form, as the staff profile does", async () => {
    const res = await post("/api/admin/user_create", { email: "locale.case@example.com", name: "Locale Case", locale: "de-ch" });
    expect(res.status).toBe(200);
    const { user } = await json(res);
    expect(user.locale).toBe("de-CH");
    expect((await findUserById(db(), user.auth_user_id))!.locale).toBe("de-CH");
    const update = await post("/api/admin/user_update", { auth_user_id: user.auth_user_id, locale: "EN-gb" });
    expect(update.status).toBe(200);
    expect((await json(update)).user.locale).toBe("en-GB");
    expect((await findUserById(db(), user.auth_user_id))!.locale).toBe("en-GB");
  });

  it("answers 409 email_taken for an existing email in any spelling", async () => {
    await post("/api/admin/user_create", { email: "dup@example.com", name: "A" });
    const res = await post("/api/admin/user_create", { email: "DUP@example.com ", name: "B" });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("email_taken");
  });

  it("validates fields with their paths", async () => {
    const res = await post("/api/admin/user_create", { email: "x@example.com", name: "", timezone: "Mars/Olympus", locale: "not a locale", phone: "call me", send_onboarding: "maybe" });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(Object.keys(error.fields).sort()).toEqual(["locale", "name", "phone", "send_onboarding", "timezone"]);
    const bad = await post("/api/admin/user_create", { email: "not-an-email", name: "A" });
    expect((await json(bad)).error.fields).toEqual({ email: "Invalid email address" });
  });

  it("with send_onboarding issues an onboarding challenge and queues the onboarding_code mail", async () => {
    const send = vi.spyOn(env.MAIL_QUEUE, "send");
    const res = await post("/api/admin/user_create", { email: "onboard@example.com", name: "On Board", send_onboarding: true, site_key: "demo" });
    expect(res.status).toBe(200);
    const { user } = await json(res);
    expect(await onboardingChallenges(user.auth_user_id)).toEqual([{ purpose: "onboarding", state: "open" }]);
    expect(send).toHaveBeenCalledTimes(1);
    const msg = send.mock.calls[0]![0] as Record<string, any>;
    expect(msg).toMatchObject({ template: "onboarding_code", to: "onboard@example.com", site_key: "demo", data: { expires_minutes: 10 } });
    expect(msg.data.code).toMatch(/^\d{6}$/);
  });
});

describe("admin/user_update", () => {
  it("changes profile fields, keeps sessions, and audits before/after of the changed fields only", async () => {
    const user = await seedUser({ name: "Old Name", department: "Ops" });
    const s = await sessionFor(user);
    const res = await post("/api/admin/user_update", { auth_user_id: user.id, name: "New Name", department: "Ops", display_name: null });
    expect(res.status).toBe(200);
    expect((await json(res)).user).toMatchObject({ name: "New Name", department: "Ops" });
    // The session's identity snapshot follows the change.
    const me = await json(await call("/api/auth_me", { headers: { Authorization: `Bearer ${s.token}` } }));
    expect(me.user.name).toBe("New Name");
    const [row] = await auditAfter(mark, "user.update");
    expect(JSON.parse(row!.details)).toMatchObject({ changed: ["name"], before: { name: "Old Name" }, after: { name: "New Name" }, sessions_revoked: false });
  });

  it("changes the email (unique, unverified) and refuses one that another user has", async () => {
    const a = await seedUser();
    const b = await seedUser();
    const taken = await post("/api/admin/user_update", { auth_user_id: a.id, email: b.email.toUpperCase() });
    expect(taken.status).toBe(409);
    expect((await json(taken)).error.code).toBe("email_taken");
    const ok = await post("/api/admin/user_update", { auth_user_id: a.id, email: "Moved@Example.com" });
    expect((await json(ok)).user).toMatchObject({ email: "moved@example.com", email_verified: false });
    const same = await post("/api/admin/user_update", { auth_user_id: a.id, email: "moved@example.com" });
    expect(same.status).toBe(200);
  });

  it("sets a password under the rules and ends every session; a status change ends them too", async () => {
    const user = await seedUser();
    const s = await sessionFor(user);
    const weak = await post("/api/admin/user_update", { auth_user_id: user.id, password: "password" });
    expect((await json(weak)).error).toMatchObject({ code: "password_too_common", fields: { password: "password_too_common" } });
    expect((await call("/api/auth_me", { headers: { Authorization: `Bearer ${s.token}` } })).status).toBe(200);
    const ok = await post("/api/admin/user_update", { auth_user_id: user.id, password: "a fresh admin-set passphrase" });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(await json(ok))).not.toMatch(/passphrase|scrypt/);
    expect((await call("/api/auth_me", { headers: { Authorization: `Bearer ${s.token}` } })).status).toBe(401);
    const row = (await findUserById(db(), user.id))!;
    expect(await verifyPassword("a fresh admin-set passphrase", row.passwordHash!, { scrypt: config().scrypt, pepper: env.PASSWORD_PEPPER })).toBe(true);
    const [audit] = await auditAfter(mark, "user.update");
    expect(audit!.details).not.toContain("passphrase");
    expect(JSON.parse(audit!.details)).toMatchObject({ changed: ["password"], sessions_revoked: true });

    const s2 = await sessionFor(user);
    await post("/api/admin/user_update", { auth_user_id: user.id, status: "pending" });
    expect((await call("/api/auth_me", { headers: { Authorization: `Bearer ${s2.token}` } })).status).toBe(401);
  });

  it("answers 404 user_not_found for an unknown id and 400 for a bad status", async () => {
    expect((await json(await post("/api/admin/user_update", { auth_user_id: "nope", name: "x" }))).error.code).toBe("user_not_found");
    const bad = await post("/api/admin/user_update", { auth_user_id: "nope", status: "root" });
    expect((await json(bad)).error.fields).toHaveProperty("status");
  });
});

describe("admin/user_disable", () => {
  it("disables, ends sessions at once and writes one audit row", async () => {
    const user = await seedUser();
    const s = await sessionFor(user);
    const res = await post("/api/admin/user_disable", { auth_user_id: user.id });
    expect(res.status).toBe(200);
    expect((await json(res)).user.status).toBe("disabled");
    expect((await call("/api/auth_me", { headers: { Authorization: `Bearer ${s.token}` } })).status).toBe(401);
    expect((await findUserById(db(), user.id))!.status).toBe("disabled");
    expect(await auditAfter(mark)).toHaveLength(1);
  });
});

describe("admin/user_delete", () => {
  it("removes the row, API keys, avatar objects and sessions; audit rows stay", async () => {
    const user = await seedUser({ avatarKey: "av1" });
    const s = await sessionFor(user);
    const now = Date.now();
    await env.DB.prepare("INSERT INTO user_api_keys (id, user_id, name, prefix, secret_hash, created_at) VALUES (?, ?, 'k', ?, ?, ?)")
      .bind(`key_${user.id}`, user.id, `p_${user.id.slice(0, 8)}`, `h_${user.id}`, now)
      .run();
    await env.AVATARS.put(`avatars/${user.id}/av1`, "png");
    await env.AVATARS.put(`avatars/${user.id}/old`, "png");
    await post("/api/admin/user_update", { auth_user_id: user.id, name: "Before Delete" });

    const res = await post("/api/admin/user_delete", { auth_user_id: user.id });
    expect(res.status).toBe(200);
    expect(await findUserById(db(), user.id)).toBeNull();
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM user_api_keys WHERE user_id = ?").bind(user.id).first("n")).toBe(0);
    expect((await env.AVATARS.list({ prefix: `avatars/${user.id}/` })).objects).toHaveLength(0);
    expect((await call("/api/auth_me", { headers: { Authorization: `Bearer ${s.token}` } })).status).toBe(401);
    const rows = await auditAfter(mark);
    expect(rows.map((r) => r.action)).toEqual(["user.update", "user.delete"]);
    expect((await post("/api/admin/user_delete", { auth_user_id: user.id })).status).toBe(404);
  });
});

describe("admin/user_onboarding_resend", () => {
  it("resends to pending users only, by id or email, with a cooldown", async () => {
    const pending = await seedUser({ status: "pending" });
    const active = await seedUser();
    expect((await post("/api/admin/user_onboarding_resend", { auth_user_id: active.id })).status).toBe(409);
    expect((await post("/api/admin/user_onboarding_resend", { email: "ghost@example.com" })).status).toBe(404);
    const missing = await post("/api/admin/user_onboarding_resend", {});
    expect((await json(missing)).error.fields).toHaveProperty("auth_user_id");
    const first = await post("/api/admin/user_onboarding_resend", { email: pending.email.toUpperCase() });
    expect(first.status).toBe(200);
    const again = await post("/api/admin/user_onboarding_resend", { auth_user_id: pending.id });
    expect(again.status).toBe(429);
    const body = await json(again);
    expect(body.error.code).toBe("resend_too_soon");
    expect(Number(again.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await onboardingChallenges(pending.id)).toEqual([{ purpose: "onboarding", state: "open" }]);
    const rows = await auditAfter(mark, "user.onboarding_resend");
    expect(rows.map((r) => r.outcome)).toEqual(["success", "denied"]);
  });
});
