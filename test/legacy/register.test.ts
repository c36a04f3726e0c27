import { env } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, createSite, json } from "../helpers";
import { captureMail } from "../mail-capture";
import { seedUser } from "../sessions/fixtures";

let mail: ReturnType<typeof captureMail>;
beforeAll(async () => {
  await createSite("open", { policy: { allow_self_registration: true, password_min_length: 10 } });
  await createSite("closed", { policy: { allow_self_registration: false } });
});
beforeEach(() => {
  mail = captureMail();
});
afterEach(() => mail.restore());

const PASSWORD = "Zq8#mv2!w-Long";
const userRow = (email: string) => env.DB.prepare("SELECT id, status, email_verified, source, password_hash FROM users WHERE email = ?").bind(email).first<Record<string, unknown>>();

describe("legacy self-registration", () => {
  it("register_start + register_verify creates an active, verified account (JSON and form)", async () => {
    const start = await call("/api/auth_register_start.php", { form: { site_key: "open", email: "New.Person@Example.com", password: PASSWORD, name: "New Person" } });
    expect(start.status).toBe(202);
    expect(await json(start)).toEqual({ ok: true, status: "verification_sent" });
    expect(await userRow("new.person@example.com")).toBeNull();
    const code = mail.code("new.person@example.com", "registration_code");
    const verify = await call("/api/auth_register_verify.php", { json: { site_key: "open", email: "new.person@example.com", code } });
    expect(verify.status).toBe(200);
    const body = await json(verify);
    expect(body).toMatchObject({ ok: true, status: "registered", user: { email: "new.person@example.com", status: "active", email_verified: true, name: "New Person" } });
    expect(verify.headers.get("Set-Cookie")).toBeNull();
    const row = await userRow("new.person@example.com");
    expect(row).toMatchObject({ status: "active", email_verified: 1, source: "legacy_register" });
    expect(String(row?.password_hash)).toMatch(/^\$scrypt\$/);
    const audit = await env.DB.prepare("SELECT action FROM audit_log ORDER BY id").all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(["register.started", "register.completed"]);
    // The code is single use.
    expect((await call("/api/auth_register_verify", { json: { site_key: "open", email: "new.person@example.com", code } })).status).toBe(410);
  });

  it("auth_register creates a pending account that the code activates", async () => {
    const res = await call("/api/auth_register", { json: { site_key: "open", email: "one@example.com", password: PASSWORD, name: "One" } });
    expect(res.status).toBe(202);
    expect(await userRow("one@example.com")).toMatchObject({ status: "pending", email_verified: 0 });
    const verify = await call("/api/auth_register_verify", { json: { site_key: "open", email: "one@example.com", code: mail.code("one@example.com") } });
    expect(verify.status).toBe(200);
    expect(await userRow("one@example.com")).toMatchObject({ status: "active", email_verified: 1 });
  });

  it("answers an existing email identically and mails the owner a warning instead of a code", async () => {
    await seedUser({ email: "taken@example.com" });
    const existing = await call("/api/auth_register_start", { json: { site_key: "open", email: "taken@example.com", password: PASSWORD, name: "X" } });
    const fresh = await call("/api/auth_register_start", { json: { site_key: "open", email: "fresh@example.com", password: PASSWORD, name: "X" } });
    expect(existing.status).toBe(fresh.status);
    const strip = async (r: Response) => ({ ...(await json(r)), request_id: undefined });
    expect(await strip(existing)).toEqual(await strip(fresh));
    expect(mail.last("taken@example.com")?.template).toBe("registration_exists");
    expect(mail.last("taken@example.com")?.data).toEqual({});
    // Guessing a code for the existing address never creates or changes anything.
    const guess = await call("/api/auth_register_verify", { json: { site_key: "open", email: "taken@example.com", code: "000000" } });
    expect(guess.status).toBe(401);
    expect((await json(guess)).error).toMatchObject({ code: "invalid_code", attempts_remaining: 4 });
  });

  it("is refused where the site does not allow it, and for inactive sites", async () => {
    const res = await call("/api/auth_register", { json: { site_key: "closed", email: "a@example.com", password: PASSWORD } });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("registration_disabled");
    // Unknown sites use the default policy, which does not allow it.
    expect((await call("/api/auth_register_start", { json: { site_key: "unregistered", email: "a@example.com", password: PASSWORD } })).status).toBe(403);
    expect(mail.messages()).toHaveLength(0);
  });

  it("applies the password rules and the site's minimum length", async () => {
    const short = await call("/api/auth_register_start", { json: { site_key: "open", email: "p@example.com", password: "Zq8#mv2!w" } });
    expect(short.status).toBe(400);
    expect((await json(short)).error.code).toBe("password_too_short");
    const common = await call("/api/auth_register_start", { json: { site_key: "open", email: "p@example.com", password: "password1234" } });
    expect((await json(common)).error.code).toBe("password_too_common");
    expect(mail.messages()).toHaveLength(0);
  });

  it("limits attempts per code and per email", async () => {
    await call("/api/auth_register_start", { json: { site_key: "open", email: "lim@example.com", password: PASSWORD } });
    const code = mail.code("lim@example.com");
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    for (let left = 4; left >= 1; left--) {
      const res = await call("/api/auth_register_verify", { json: { site_key: "open", email: "lim@example.com", code: wrong } });
      expect((await json(res)).error).toMatchObject({ code: "invalid_code", attempts_remaining: left });
    }
    expect((await call("/api/auth_register_verify", { json: { site_key: "open", email: "lim@example.com", code: wrong } })).status).toBe(410);
    expect((await call("/api/auth_register_verify", { json: { site_key: "open", email: "lim@example.com", code } })).status).toBe(410);
    // Resend inside the cooldown is refused; the per-email hourly cap applies to known and unknown emails alike.
    const again = await call("/api/auth_register_start", { json: { site_key: "open", email: "lim@example.com", password: PASSWORD } });
    expect(again.status).toBe(429);
    expect((await json(again)).error.code).toBe("resend_too_soon");
  });

  it("is served through auth_api.php with the same answer", async () => {
    const res = await call("/api/auth_api.php", { form: { action: "register_start", site_key: "open", email: "wrapped@example.com", password: PASSWORD, name: "W" } });
    expect(res.status).toBe(202);
    const verify = await call("/api/auth_api.php", { json: { action: "register_verify", site_key: "open", email: "wrapped@example.com", code: mail.code("wrapped@example.com") } });
    expect(verify.status).toBe(200);
    expect((await json(verify)).status).toBe("registered");
  });
});
