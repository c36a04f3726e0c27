import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { maskEmail } from "../../src/lib/email";
import { findUserById } from "../../src/store/users";
import { call, createSite, db, json, accountObject } from "../helpers";
import { type MailCapture, captureMail, tokenOf } from "../mail-capture";
import { seedUser, sessionFor } from "../sessions/fixtures";
import { auditRows, challengeKey, challengeKeys, client, hashed, passwordMatches, wrongCode } from "./fixtures";

let mail: MailCapture;
beforeEach(() => {
  mail = captureMail();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const NEW_PASSWORD = "correct horse battery staple 42";

async function activeUser(overrides: Parameters<typeof seedUser>[0] = {}) {
  return seedUser({ passwordHash: await hashed("the old password 1"), ...overrides });
}

describe("password reset, link mode (default policy of an unregistered site)", () => {
  it("mails reset_url?token=…, checks without consuming, completes once, and leaves no challenge behind", async () => {
    const user = await activeUser({ name: "Jane Doe" });
    const c = client();
    const before = Date.now();
    const res = await c.post("/api/auth_password_reset_request", { site_key: "links", email: ` ${user.email.toUpperCase()} ` });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ ok: true, status: "sent_if_exists" });
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");

    const sent = mail.latest(user.email, "password_reset");
    expect(sent.site_key).toBe("links");
    expect(sent.data.code).toBeUndefined();
    expect(sent.data.expires_minutes).toBe(30);
    expect(sent.data.name).toBe("Jane Doe");
    expect(sent.data.link).toMatch(/^https:\/\/app\.test\/reset-password\?token=[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(sent.data.link);
    // 256-bit token; only its SHA-256 names the record, and the record holds no token.
    const raw = await env.CHALLENGES.get(challengeKey(token));
    expect(raw).not.toBeNull();
    expect(raw).not.toContain(token);

    for (let i = 0; i < 2; i++) {
      const check = await c.post("/api/auth_password_reset_check", { site_key: "links", token });
      expect(check.status).toBe(200);
      const body = await json(check);
      expect(body).toMatchObject({ ok: true, valid: true, email: maskEmail(user.email) });
      expect(body.email).not.toBe(user.email);
      const expires = Date.parse(body.expires_at);
      expect(expires).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1000);
    }
    // Nothing changed yet.
    expect(await passwordMatches(user.id, "the old password 1")).toBe(true);

    const done = await c.post("/api/auth_password_reset_complete", { site_key: "links", token, new_password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(await json(done)).toEqual({ ok: true, status: "password_reset" });
    expect(done.headers.get("Set-Cookie")).toBeNull();
    expect(done.headers.get("Referrer-Policy")).toBe("no-referrer");

    expect(await passwordMatches(user.id, NEW_PASSWORD)).toBe(true);
    expect(await passwordMatches(user.id, "the old password 1")).toBe(false);
    const row = (await findUserById(db(), user.id))!;
    expect(row.passwordChangedAt).toBeGreaterThanOrEqual(before);
    expect(row.status).toBe("active");

    expect(mail.to(user.email, "password_changed")).toHaveLength(1);
    expect(mail.latest(user.email, "password_changed")).toMatchObject({ site_key: "links", data: { name: "Jane Doe" } });

    // Used once: check and complete now answer 410; the KV record is gone.
    for (const path of ["/api/auth_password_reset_check", "/api/auth_password_reset_complete"]) {
      const again = await c.post(path, { site_key: "links", token, new_password: "another fine password 9" });
      expect(again.status).toBe(410);
      expect((await json(again)).error.code).toBe("challenge_expired");
    }
    expect(await env.CHALLENGES.get(challengeKey(token))).toBeNull();
    expect(await passwordMatches(user.id, NEW_PASSWORD)).toBe(true);

    const audit = (await auditRows("password_reset.")).filter((r) => r.target_id === user.id);
    expect(audit.map((r) => [r.action, r.outcome])).toEqual([
      ["password_reset.requested", "success"],
      ["password_reset.completed", "success"],
    ]);
    expect(JSON.stringify(audit)).not.toContain(token);
    expect(audit[0]!.details).toMatchObject({ account: "active", mode: "link", mailed: true });
  });

  it("uses the registered site's reset_url, keeping its own query", async () => {
    await createSite("withurl", { reset_url: "https://portal.corp.test/account/reset?lang=de" });
    const user = await activeUser();
    const res = await client().post("/api/auth_password_reset_request", { site_key: "withurl", email: user.email });
    expect(res.status).toBe(202);
    expect(mail.latest(user.email, "password_reset").data.link).toMatch(/^https:\/\/portal\.corp\.test\/account\/reset\?lang=de&token=[A-Za-z0-9_-]{43}$/);
  });

  it("accepts form posts and the .php path, site_key from X-Site-Key", async () => {
    const user = await activeUser();
    const c = client();
    const res = await c.form("/api/auth_password_reset_request.php", { email: user.email }, { "X-Site-Key": "formsite" });
    expect(res.status).toBe(202);
    const token = tokenOf(mail.latest(user.email, "password_reset").data.link);
    const done = await c.form("/api/auth_password_reset_complete.php", { site_key: "formsite", token, new_password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(await passwordMatches(user.id, NEW_PASSWORD)).toBe(true);
  });

  it("a new request kills the previous link", async () => {
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "links", email: user.email });
    const first = tokenOf(mail.latest(user.email, "password_reset").data.link);
    await c.post("/api/auth_password_reset_request", { site_key: "links", email: user.email });
    const second = tokenOf(mail.latest(user.email, "password_reset").data.link);
    expect(second).not.toBe(first);
    const old = await c.post("/api/auth_password_reset_complete", { site_key: "links", token: first, new_password: NEW_PASSWORD });
    expect(old.status).toBe(410);
    expect(await passwordMatches(user.id, "the old password 1")).toBe(true);
    expect((await c.post("/api/auth_password_reset_complete", { site_key: "links", token: second, new_password: NEW_PASSWORD })).status).toBe(200);
  });

  it("refuses a link on another site's routes", async () => {
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "site-a", email: user.email });
    const token = tokenOf(mail.latest(user.email, "password_reset").data.link);
    const res = await c.post("/api/auth_password_reset_check", { site_key: "site-b", token });
    expect(res.status).toBe(410);
    expect((await c.post("/api/auth_password_reset_check", { site_key: "site-a", token })).status).toBe(200);
  });

  it("validates the request body", async () => {
    const c = client();
    const bad = await c.post("/api/auth_password_reset_request", { site_key: "links", email: "not-an-address" });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({ code: "invalid_request", fields: { email: expect.any(String) } });
    const none = await c.post("/api/auth_password_reset_check", { site_key: "links" });
    expect(none.status).toBe(400);
    const noCode = await c.post("/api/auth_password_reset_check", { site_key: "links", email: "x@example.com" });
    expect((await json(noCode)).error).toMatchObject({ code: "invalid_request", fields: { code: "Required" } });
    const noSite = await c.post("/api/auth_password_reset_request", { email: "x@example.com" });
    expect(noSite.status).toBe(400);
  });
});

describe("password reset, otp and both modes", () => {
  it("otp: mails a 6-digit code (10 minutes); email + code checks and completes", async () => {
    await createSite("otpsite", { policy: { reset_mode: "otp" } });
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "otpsite", email: user.email });
    const sent = mail.latest(user.email, "password_reset");
    expect(sent.data.link).toBeUndefined();
    expect(sent.data.code).toMatch(/^\d{6}$/);
    expect(sent.data.expires_minutes).toBe(10);
    const code = sent.data.code as string;
    expect((await challengeKeys()).some((k) => k.startsWith("challenge-ref:reset:"))).toBe(true);

    const check = await c.post("/api/auth_password_reset_check", { site_key: "otpsite", email: user.email, code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(check.status).toBe(200);
    const expires = Date.parse((await json(check)).expires_at);
    expect(expires).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 1000);

    const done = await c.post("/api/auth_password_reset_complete", { site_key: "otpsite", email: user.email, code, new_password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(await passwordMatches(user.id, NEW_PASSWORD)).toBe(true);
    // Record and email pointer are both removed.
    const keys = await challengeKeys();
    expect(keys.filter((k) => k.startsWith("challenge-ref:reset:"))).toEqual([]);
  });

  it("counts wrong codes on check and complete: 4..1 remaining, then the code is dead", async () => {
    await createSite("otpcount", { policy: { reset_mode: "otp" } });
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "otpcount", email: user.email });
    const code = mail.latest(user.email, "password_reset").data.code as string;
    const paths = ["/api/auth_password_reset_check", "/api/auth_password_reset_complete"];
    for (let left = 4; left >= 1; left--) {
      const res = await c.post(paths[left % 2]!, { site_key: "otpcount", email: user.email, code: wrongCode(code), new_password: NEW_PASSWORD });
      expect(res.status).toBe(401);
      expect((await json(res)).error).toMatchObject({ code: "invalid_code", attempts_remaining: left });
    }
    const fifth = await c.post(paths[0]!, { site_key: "otpcount", email: user.email, code: wrongCode(code) });
    expect(fifth.status).toBe(410);
    const right = await c.post(paths[1]!, { site_key: "otpcount", email: user.email, code, new_password: NEW_PASSWORD });
    expect(right.status).toBe(410);
    expect(await passwordMatches(user.id, "the old password 1")).toBe(true);
    const failures = (await auditRows("password_reset.c")).filter((r) => r.target_id === user.id && r.outcome === "failure");
    expect(failures.length).toBe(6);
    expect(JSON.stringify(failures)).not.toContain(code);
  });

  it("both: the link (30 min) and the code (10 min) are one challenge; using one kills the other", async () => {
    await createSite("bothsite", { policy: { reset_mode: "both" } });
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "bothsite", email: user.email });
    const sent = mail.latest(user.email, "password_reset");
    expect(sent.data.code).toMatch(/^\d{6}$/);
    expect(sent.data.link).toMatch(/^https:\/\/app\.test\/reset-password\?token=/);
    expect(sent.data.expires_minutes).toBe(10);
    const token = tokenOf(sent.data.link);
    const byLink = await json(await c.post("/api/auth_password_reset_check", { site_key: "bothsite", token }));
    const byCode = await json(await c.post("/api/auth_password_reset_check", { site_key: "bothsite", email: user.email, code: sent.data.code }));
    expect(Date.parse(byLink.expires_at) - Date.parse(byCode.expires_at)).toBe(20 * 60_000);

    expect((await c.post("/api/auth_password_reset_complete", { site_key: "bothsite", token, new_password: NEW_PASSWORD })).status).toBe(200);
    const viaCode = await c.post("/api/auth_password_reset_complete", { site_key: "bothsite", email: user.email, code: sent.data.code, new_password: "a different password 77" });
    expect(viaCode.status).toBe(410);
    expect(await passwordMatches(user.id, NEW_PASSWORD)).toBe(true);
  });

  it("disabled: 403 reset_disabled on request, check and complete; nothing is mailed", async () => {
    await createSite("noreset", { policy: { reset_mode: "disabled" } });
    const user = await activeUser();
    const c = client();
    for (const path of ["/api/auth_password_reset_request", "/api/auth_password_reset_check", "/api/auth_password_reset_complete"]) {
      const res = await c.post(path, { site_key: "noreset", email: user.email, token: "x".repeat(43), new_password: NEW_PASSWORD });
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe("reset_disabled");
    }
    expect(mail.to(user.email)).toEqual([]);
  });

  it("refuses inactive sites", async () => {
    await createSite("gone", { status: "inactive" });
    const res = await client().post("/api/auth_password_reset_request", { site_key: "gone", email: "a@example.com" });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("site_inactive");
  });
});

describe("password reset complete", () => {
  it("enforces the password rules and the site's minimum length without using up the link", async () => {
    await createSite("strict12", { policy: { password_min_length: 12 } });
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "strict12", email: user.email });
    const token = tokenOf(mail.latest(user.email, "password_reset").data.link);
    const short = await c.post("/api/auth_password_reset_complete", { site_key: "strict12", token, new_password: "elevenchars" });
    expect(short.status).toBe(400);
    expect((await json(short)).error).toMatchObject({ code: "password_too_short", fields: { new_password: "At least 12 characters" } });
    const common = await c.post("/api/auth_password_reset_complete", { site_key: "strict12", token, new_password: "password1234" });
    expect((await json(common)).error.code).toBe("password_too_common");
    const long = await c.post("/api/auth_password_reset_complete", { site_key: "strict12", token, new_password: "x".repeat(257) });
    expect((await json(long)).error.code).toBe("password_too_long");
    expect(await passwordMatches(user.id, "the old password 1")).toBe(true);
    expect((await c.post("/api/auth_password_reset_complete", { site_key: "strict12", token, new_password: NEW_PASSWORD })).status).toBe(200);
  });

  it("ends every session, refreshes the identity snapshot and issues none", async () => {
    const user = await activeUser();
    const a = await sessionFor(user);
    const b = await sessionFor(user, { siteKey: "other" });
    const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
    expect((await call("/api/auth_me", { headers: bearer(a.token) })).status).toBe(200);
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "links", email: user.email });
    // Requesting changes nothing: sessions and password stay.
    expect((await call("/api/auth_me", { headers: bearer(b.token) })).status).toBe(200);
    const token = tokenOf(mail.latest(user.email, "password_reset").data.link);
    const done = await c.post("/api/auth_password_reset_complete", { site_key: "links", token, new_password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    const body = await json(done);
    expect(body.session).toBeUndefined();
    expect(body.user).toBeUndefined();
    expect((await call("/api/auth_me", { headers: bearer(a.token) })).status).toBe(401);
    expect((await call("/api/auth_me", { headers: bearer(b.token) })).status).toBe(401);
    const stub = accountObject(user.id);
    expect(await stub.listSessions(Date.now())).toEqual([]);
    const row = (await findUserById(db(), user.id))!;
    const identity = await stub.getIdentity();
    expect(identity?.updated_at).toBe(new Date(row.updatedAt).toISOString());
    expect(identity?.status).toBe("active");
    expect((await auditRows("password_reset.completed")).find((r) => r.target_id === user.id)?.details).toMatchObject({ sessions_revoked: 2, via: "link" });
  });

  it("never touches TOTP / second-factor settings", async () => {
    const user = await activeUser({ totpSecretEnc: "enc:v1:secret", totpEnabledAt: 1_700_000_000_000, recoveryCodes: '["h1","h2"]' });
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "links", email: user.email });
    const token = tokenOf(mail.latest(user.email, "password_reset").data.link);
    expect((await c.post("/api/auth_password_reset_complete", { site_key: "links", token, new_password: NEW_PASSWORD })).status).toBe(200);
    const row = (await findUserById(db(), user.id))!;
    expect(row.totpSecretEnc).toBe("enc:v1:secret");
    expect(row.totpEnabledAt).toBe(1_700_000_000_000);
    expect(row.recoveryCodes).toBe('["h1","h2"]');
  });

  it("an account disabled after the mail went out keeps its password (410)", async () => {
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "links", email: user.email });
    const token = tokenOf(mail.latest(user.email, "password_reset").data.link);
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(user.id).run();
    const res = await c.post("/api/auth_password_reset_complete", { site_key: "links", token, new_password: NEW_PASSWORD });
    expect(res.status).toBe(410);
    expect(await passwordMatches(user.id, "the old password 1")).toBe(true);
    expect(mail.to(user.email, "password_changed")).toEqual([]);
  });
});

describe("password reset expiry (moved clock)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a link dies after 30 minutes, a code after 10; in both mode the link outlives the code", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    await createSite("exp-otp", { policy: { reset_mode: "otp" } });
    await createSite("exp-both", { policy: { reset_mode: "both" } });
    const [u1, u2, u3] = [await activeUser(), await activeUser(), await activeUser()];
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "links", email: u1.email });
    await c.post("/api/auth_password_reset_request", { site_key: "exp-otp", email: u2.email });
    await c.post("/api/auth_password_reset_request", { site_key: "exp-both", email: u3.email });
    const link1 = tokenOf(mail.latest(u1.email, "password_reset").data.link);
    const code2 = mail.latest(u2.email, "password_reset").data.code as string;
    const both = mail.latest(u3.email, "password_reset").data;

    vi.setSystemTime(Date.now() + 9 * 60_000);
    expect((await c.post("/api/auth_password_reset_check", { site_key: "exp-otp", email: u2.email, code: code2 })).status).toBe(200);
    vi.setSystemTime(Date.now() + 2 * 60_000); // 11 minutes
    expect((await c.post("/api/auth_password_reset_check", { site_key: "exp-otp", email: u2.email, code: code2 })).status).toBe(410);
    expect((await c.post("/api/auth_password_reset_check", { site_key: "exp-both", email: u3.email, code: both.code })).status).toBe(410);
    expect((await c.post("/api/auth_password_reset_check", { site_key: "exp-both", token: tokenOf(both.link) })).status).toBe(200);
    expect((await c.post("/api/auth_password_reset_check", { site_key: "links", token: link1 })).status).toBe(200);
    vi.setSystemTime(Date.now() + 20 * 60_000); // 31 minutes
    const late = await c.post("/api/auth_password_reset_complete", { site_key: "links", token: link1, new_password: NEW_PASSWORD });
    expect(late.status).toBe(410);
    expect((await c.post("/api/auth_password_reset_check", { site_key: "exp-both", token: tokenOf(both.link) })).status).toBe(410);
    expect(await passwordMatches(u1.id, "the old password 1")).toBe(true);
  });
});

describe("reset through the legacy wrapper and in the OpenAPI document", () => {
  it("auth_api.php action=password_reset_request / _complete answer as the direct routes", async () => {
    const user = await activeUser();
    const c = client();
    const res = await c.post("/api/auth_api.php", { action: "password_reset_request", site_key: "legacy", email: user.email });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ ok: true, status: "sent_if_exists" });
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    const token = tokenOf(mail.latest(user.email, "password_reset").data.link);
    const done = await c.post("/api/auth_api.php", { action: "password_reset_complete", site_key: "legacy", token, new_password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(await passwordMatches(user.id, NEW_PASSWORD)).toBe(true);
  });

  it("documents the six routes under the App tag", async () => {
    const doc = await json(await call("/api/openapi.json"));
    for (const p of ["password_reset_request", "password_reset_check", "password_reset_complete", "onboarding_request", "onboarding_check", "onboarding_complete"]) {
      const op = doc.paths[`/api/auth_${p}`]?.post;
      expect(op, p).toBeDefined();
      expect(op.tags).toEqual(["App"]);
      expect(op.summary.length).toBeGreaterThan(10);
      expect(op.description.length).toBeGreaterThan(50);
    }
    expect(Object.keys(doc.paths["/api/auth_password_reset_request"].post.responses)).toContain("202");
  });
});
