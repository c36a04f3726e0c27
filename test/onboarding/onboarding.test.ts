import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../../src/lib/errors";
import { maskEmail } from "../../src/lib/email";
import { sendOnboardingCode } from "../../src/services/users/onboarding";
import { findUserById } from "../../src/store/users";
import { createSite, db, json, accountObject, testCtx, systemCtx } from "../helpers";
import { type MailCapture, captureMail, tokenOf } from "../mail-capture";
import { auditRows, challengeKey, challengeKeys, client, hashed, passwordMatches, wrongCode } from "../reset/fixtures";
import { seedUser } from "../sessions/fixtures";

let mail: MailCapture;
beforeEach(() => {
  mail = captureMail();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const PASSWORD = "my first real password 7";
const pendingUser = (overrides: Parameters<typeof seedUser>[0] = {}) => seedUser({ status: "pending", emailVerified: false, ...overrides });

describe("onboarding end to end", () => {
  it("request → code by mail → check → complete: active, verified, password set, welcome mail, no session", async () => {
    const user = await pendingUser({ name: "New Starter" });
    expect(user.passwordHash).toBeNull();
    const c = client();
    const before = Date.now();
    const res = await c.post("/api/auth_onboarding_request", { site_key: "ob", email: user.email.toUpperCase() });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ ok: true, status: "sent_if_exists" });
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");

    const sent = mail.latest(user.email, "onboarding_code");
    expect(sent.site_key).toBe("ob");
    expect(sent.data).toMatchObject({ code: expect.stringMatching(/^\d{6}$/), expires_minutes: 10, name: "New Starter" });
    expect(sent.data.link).toMatch(/^https:\/\/app\.test\/onboarding\?token=[A-Za-z0-9_-]{43}$/);
    const code = sent.data.code as string;

    const check = await c.post("/api/auth_onboarding_check", { site_key: "ob", email: user.email, code });
    expect(check.status).toBe(200);
    const checked = await json(check);
    expect(checked).toMatchObject({ ok: true, valid: true, email: maskEmail(user.email) });
    expect(Date.parse(checked.expires_at)).toBeGreaterThanOrEqual(before + 10 * 60_000 - 1000);
    expect(Date.parse(checked.expires_at)).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 1000);
    // Checking changes nothing: still pending, still no password.
    let row = (await findUserById(db(), user.id))!;
    expect(row.status).toBe("pending");
    expect(row.passwordHash).toBeNull();

    const done = await c.post("/api/auth_onboarding_complete", { site_key: "ob", email: user.email, code, password: PASSWORD });
    expect(done.status).toBe(200);
    expect(done.headers.get("Set-Cookie")).toBeNull();
    const body = await json(done);
    expect(body).toMatchObject({ ok: true, status: "activated", user: { auth_user_id: user.id, email: user.email, status: "active", email_verified: true } });
    expect(body.session).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain("scrypt");

    row = (await findUserById(db(), user.id))!;
    expect(row.status).toBe("active");
    expect(row.emailVerified).toBe(true);
    expect(row.passwordChangedAt).toBeGreaterThanOrEqual(before);
    expect(await passwordMatches(user.id, PASSWORD)).toBe(true);
    expect((await accountObject(user.id).getIdentity())?.status).toBe("active");

    expect(mail.to(user.email, "welcome")).toHaveLength(1);
    expect(mail.latest(user.email, "welcome")).toMatchObject({ site_key: "ob", data: { name: "New Starter" } });
    expect(await env.CHALLENGES.get(challengeKey(tokenOf(sent.data.link)))).toBeNull();
    expect((await challengeKeys()).filter((k) => k.startsWith("challenge-ref:onboarding:"))).toEqual([]);
    const audit = (await auditRows("onboarding.")).filter((r) => r.target_id === user.id);
    expect(audit.map((r) => [r.action, r.actor_type, r.outcome])).toEqual([
      ["onboarding.code_sent", "anonymous", "success"],
      ["onboarding.completed", "user", "success"],
    ]);
    expect(JSON.stringify(audit)).not.toContain(code);

    // Once active: the code is spent, and the account can never be onboarded again.
    const again = await c.post("/api/auth_onboarding_complete", { site_key: "ob", email: user.email, code, password: "another password 123" });
    expect(again.status).toBe(410);
    mail.clear();
    expect((await c.post("/api/auth_onboarding_request", { site_key: "ob", email: user.email })).status).toBe(202);
    expect(mail.all()).toEqual([]);
    expect(await passwordMatches(user.id, PASSWORD)).toBe(true);
  });

  it("completes with the link's token alone (form post, .php path)", async () => {
    const user = await pendingUser();
    const c = client();
    await c.form("/api/auth_onboarding_request.php", { site_key: "ob", email: user.email });
    const token = tokenOf(mail.latest(user.email, "onboarding_code").data.link);
    expect((await c.form("/api/auth_onboarding_check.php", { site_key: "ob", token })).status).toBe(200);
    const done = await c.form("/api/auth_onboarding_complete.php", { site_key: "ob", token, password: PASSWORD });
    expect(done.status).toBe(200);
    expect(await passwordMatches(user.id, PASSWORD)).toBe(true);
    expect((await auditRows("onboarding.completed")).find((r) => r.target_id === user.id)?.details).toMatchObject({ via: "link" });
  });

  it("links point to the registered site's onboarding_url", async () => {
    await createSite("ob-site", { onboarding_url: "https://hr.corp.test/welcome" });
    const user = await pendingUser();
    await client().post("/api/auth_onboarding_request", { site_key: "ob-site", email: user.email });
    expect(mail.latest(user.email, "onboarding_code").data.link).toMatch(/^https:\/\/hr\.corp\.test\/welcome\?token=/);
  });

  it("applies the password rules with the site's minimum; a rejected password leaves the account pending and the code alive", async () => {
    await createSite("ob-strict", { policy: { password_min_length: 14 } });
    const user = await pendingUser();
    const c = client();
    await c.post("/api/auth_onboarding_request", { site_key: "ob-strict", email: user.email });
    const code = mail.latest(user.email, "onboarding_code").data.code as string;
    const short = await c.post("/api/auth_onboarding_complete", { site_key: "ob-strict", email: user.email, code, password: "thirteen char" });
    expect(short.status).toBe(400);
    expect((await json(short)).error).toMatchObject({ code: "password_too_short", fields: { password: "At least 14 characters" } });
    const common = await c.post("/api/auth_onboarding_complete", { site_key: "ob-strict", email: user.email, code, password: "passwordpassword" });
    expect((await json(common)).error.code).toBe("password_too_common");
    const row = (await findUserById(db(), user.id))!;
    expect(row.status).toBe("pending");
    expect(row.passwordHash).toBeNull();
    expect((await c.post("/api/auth_onboarding_complete", { site_key: "ob-strict", email: user.email, code, password: PASSWORD })).status).toBe(200);
  });

  it("counts wrong codes: 4..1 remaining, then the code is dead", async () => {
    const user = await pendingUser();
    const c = client();
    await c.post("/api/auth_onboarding_request", { site_key: "ob", email: user.email });
    const code = mail.latest(user.email, "onboarding_code").data.code as string;
    for (let left = 4; left >= 1; left--) {
      const res = await c.post("/api/auth_onboarding_check", { site_key: "ob", email: user.email, code: wrongCode(code) });
      expect(res.status).toBe(401);
      expect((await json(res)).error).toMatchObject({ code: "invalid_code", attempts_remaining: left });
    }
    expect((await c.post("/api/auth_onboarding_complete", { site_key: "ob", email: user.email, code: wrongCode(code), password: PASSWORD })).status).toBe(410);
    expect((await c.post("/api/auth_onboarding_complete", { site_key: "ob", email: user.email, code, password: PASSWORD })).status).toBe(410);
    const row = (await findUserById(db(), user.id))!;
    expect([row.status, row.passwordHash]).toEqual(["pending", null]);
  });

  it("an account activated some other way since the code went out is not changed (410)", async () => {
    const user = await pendingUser();
    const c = client();
    await c.post("/api/auth_onboarding_request", { site_key: "ob", email: user.email });
    const code = mail.latest(user.email, "onboarding_code").data.code as string;
    const adminHash = await hashed("set by an admin 1");
    await env.DB.prepare("UPDATE users SET status = 'active', password_hash = ? WHERE id = ?").bind(adminHash, user.id).run();
    const res = await c.post("/api/auth_onboarding_complete", { site_key: "ob", email: user.email, code, password: PASSWORD });
    expect(res.status).toBe(410);
    expect(await passwordMatches(user.id, "set by an admin 1")).toBe(true);
    expect(mail.to(user.email, "welcome")).toEqual([]);
  });

  it("an active account asking for onboarding gets no mail and its wrong codes change nothing", async () => {
    const user = await seedUser({ passwordHash: await hashed("already active 1") });
    const c = client();
    expect((await c.post("/api/auth_onboarding_request", { site_key: "ob", email: user.email })).status).toBe(202);
    expect(mail.all()).toEqual([]);
    const res = await c.post("/api/auth_onboarding_complete", { site_key: "ob", email: user.email, code: "123456", password: PASSWORD });
    expect(res.status).toBe(401);
    expect(await passwordMatches(user.id, "already active 1")).toBe(true);
  });
});

describe("onboarding resend cooldown and expiry (moved clock)", () => {
  it("within 60 s nothing is resent (silently) and the first code stays valid; after that a new code kills the old", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const user = await pendingUser();
    const c = client();
    await c.post("/api/auth_onboarding_request", { site_key: "ob", email: user.email });
    const first = mail.latest(user.email, "onboarding_code").data.code as string;
    vi.setSystemTime(Date.now() + 30_000);
    const quiet = await c.post("/api/auth_onboarding_request", { site_key: "ob", email: user.email });
    expect(quiet.status).toBe(202);
    expect(await json(quiet)).toEqual({ ok: true, status: "sent_if_exists" });
    expect(mail.to(user.email, "onboarding_code")).toHaveLength(1);
    expect((await c.post("/api/auth_onboarding_check", { site_key: "ob", email: user.email, code: first })).status).toBe(200);

    vi.setSystemTime(Date.now() + 31_000);
    await c.post("/api/auth_onboarding_request", { site_key: "ob", email: user.email });
    expect(mail.to(user.email, "onboarding_code")).toHaveLength(2);
    const second = mail.latest(user.email, "onboarding_code").data.code as string;
    const old = await c.post("/api/auth_onboarding_check", { site_key: "ob", email: user.email, code: first });
    if (first !== second) expect(old.status).toBe(401);
    expect((await c.post("/api/auth_onboarding_check", { site_key: "ob", email: user.email, code: second })).status).toBe(200);
    const oldLink = await c.post("/api/auth_onboarding_check", { site_key: "ob", token: tokenOf(mail.to(user.email, "onboarding_code")[0]!.data.link) });
    expect(oldLink.status).toBe(410);
  });

  it("a code dies after 10 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const user = await pendingUser();
    const c = client();
    await c.post("/api/auth_onboarding_request", { site_key: "ob", email: user.email });
    const sent = mail.latest(user.email, "onboarding_code").data;
    vi.setSystemTime(Date.now() + 9 * 60_000);
    expect((await c.post("/api/auth_onboarding_check", { site_key: "ob", email: user.email, code: sent.code })).status).toBe(200);
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect((await c.post("/api/auth_onboarding_complete", { site_key: "ob", email: user.email, code: sent.code, password: PASSWORD })).status).toBe(410);
    expect((await c.post("/api/auth_onboarding_complete", { site_key: "ob", token: tokenOf(sent.link), password: PASSWORD })).status).toBe(410);
    expect((await findUserById(db(), user.id))!.status).toBe("pending");
  });
});

describe("sendOnboardingCode (the admin issue's create/resend)", () => {
  const meta = { requestId: "req-admin", ip: "192.0.2.1", userAgent: "admin-console" };

  it("mails a pending user with the site's branding and link, audits with the given actor, and refuses a resend within 60 s", async () => {
    await createSite("hr", { onboarding_url: "https://hr.corp.test/setup" });
    const user = await pendingUser();
    const sent = await sendOnboardingCode(testCtx({ meta: meta }), user, { siteKey: "hr", enforceCooldown: true, actor: { type: "admin", id: "adm_1" } });
    expect(Date.parse(sent.expires_at)).toBeGreaterThan(Date.now() + 9 * 60_000);
    const queued = mail.latest(user.email, "onboarding_code");
    expect(queued.site_key).toBe("hr");
    expect(queued.data.link).toMatch(/^https:\/\/hr\.corp\.test\/setup\?token=/);
    const row = (await auditRows("onboarding.code_sent")).find((r) => r.target_id === user.id)!;
    expect(row).toMatchObject({ actor_type: "admin", actor_id: "adm_1", site_key: "hr" });

    const err = await sendOnboardingCode(testCtx({ meta: meta }), user, { siteKey: "hr", enforceCooldown: true }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("resend_too_soon");
    expect((err as AppError).extra?.retry_after).toBeGreaterThan(0);
    expect(mail.to(user.email, "onboarding_code")).toHaveLength(1);

    // The mailed code completes onboarding through the app route.
    const done = await client().post("/api/auth_onboarding_complete", { site_key: "hr", email: user.email, code: queued.data.code, password: PASSWORD });
    expect(done.status).toBe(200);
  });

  it("without a site uses the default onboarding URL and default branding; refuses accounts that are not pending", async () => {
    const user = await pendingUser();
    await sendOnboardingCode(systemCtx(), user, { siteKey: null, enforceCooldown: true });
    const queued = mail.latest(user.email, "onboarding_code");
    expect(queued.site_key).toBeNull();
    expect(queued.data.link).toMatch(/^https:\/\/app\.test\/onboarding\?token=/);
    // Without an actor the caller audits its own action: no extra row.
    expect((await auditRows("onboarding.code_sent")).filter((r) => r.target_id === user.id)).toEqual([]);

    const active = await seedUser();
    const err = await sendOnboardingCode(testCtx({ meta: meta }), active, { siteKey: null, enforceCooldown: true }).then(() => null, (e: unknown) => e);
    expect((err as AppError).code).toBe("conflict");
  });

  it("takes the one-object form; enforceCooldown: false sends again at once and the newest code is the one that works", async () => {
    const user = await pendingUser();
    await sendOnboardingCode(testCtx({ meta }), user, { siteKey: "ob", enforceCooldown: false });
    const first = mail.latest(user.email, "onboarding_code").data.code as string;
    await sendOnboardingCode(testCtx({ meta }), user, { siteKey: "ob", enforceCooldown: false });
    expect(mail.to(user.email, "onboarding_code")).toHaveLength(2);
    const second = mail.latest(user.email, "onboarding_code").data.code as string;
    const err = await sendOnboardingCode(testCtx({ meta }), user, { siteKey: "ob", enforceCooldown: true }).then(() => null, (e: unknown) => e);
    expect((err as AppError).code).toBe("resend_too_soon");
    const c = client();
    if (first !== second) expect((await c.post("/api/auth_onboarding_check", { site_key: "ob", email: user.email, code: first })).status).toBe(401);
    expect((await c.post("/api/auth_onboarding_complete", { site_key: "ob", email: user.email, code: second, password: PASSWORD })).status).toBe(200);
  });
});
