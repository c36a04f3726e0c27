import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MailCapture, captureMail } from "../mail-capture";
import { asAdmin } from "../admin/fixtures";
import { call, createSite, json } from "../helpers";
import { seedUser, sessionFor } from "../sessions/fixtures";
import { callWith, sweep } from "./inject";

// The account and key writes under a D1, KV or Durable Object failure at each storage step: 503 with
// the envelope, and then either nothing changed or the change is whole — its row(s), its audit row
// and its effect on sessions — and a retry succeeds (the 503 says "safe to retry").

const count = async (sql: string, ...params: unknown[]) => (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())!.n;
const audits = (action: string, targetId: string) => count("SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND target_id = ?", action, targetId);
/** Audit rows of `action` on the target that record a change of `field` (a repeated request records `changed: []`). */
const changeAudits = (action: string, targetId: string, field: string) =>
  count("SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND target_id = ? AND EXISTS (SELECT 1 FROM json_each(details, '$.changed') WHERE value = ?)", action, targetId, field);
const me = (token: string) => call("/api/auth_me", { headers: { Authorization: `Bearer ${token}` } });

let admin: Record<string, string>;
let n = 0;
const unique = () => `${Date.now().toString(36)}${++n}`;
let mail: MailCapture;

beforeAll(async () => {
  admin = (await asAdmin()).headers;
  await createSite("flt-open", { policy: { allow_self_registration: true } });
  mail = captureMail();
});
afterAll(() => mail.restore());

describe("API keys under storage faults", () => {
  it("create: 503 leaves no key (the client never saw its secret) and no audit row; the retry creates one", async () => {
    await sweep({
      setup: async () => {
        const user = await seedUser();
        return { user, headers: { Authorization: `Bearer ${(await sessionFor(user)).token}` } };
      },
      act: (e, f) => callWith(e, "/api/auth_api_keys_create", { json: { name: "laptop" }, headers: f.headers }),
      okStatus: 200,
      verify: async (f) => {
        expect(await count("SELECT COUNT(*) AS n FROM user_api_keys WHERE user_id = ?", f.user.id)).toBe(0);
        expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'api_key.create' AND actor_id = ?", f.user.id)).toBe(0);
        expect((await call("/api/auth_api_keys_create", { json: { name: "laptop" }, headers: f.headers })).status).toBe(200);
        expect(await count("SELECT COUNT(*) AS n FROM user_api_keys WHERE user_id = ?", f.user.id)).toBe(1);
      },
    });
  });

  it("revoke: 503 leaves the key live and unaudited, or revoked with its row; the retry revokes it once", async () => {
    await sweep({
      setup: async () => {
        const user = await seedUser();
        const headers = { Authorization: `Bearer ${(await sessionFor(user)).token}` };
        const { key } = await json(await call("/api/auth_api_keys_create", { json: { name: "k" }, headers }));
        return { user, headers, keyId: key.id as string };
      },
      act: (e, f) => callWith(e, "/api/auth_api_keys_revoke", { json: { id: f.keyId }, headers: f.headers }),
      okStatus: 200,
      verify: async (f) => {
        const revoked = await count("SELECT COUNT(*) AS n FROM user_api_keys WHERE id = ? AND revoked_at IS NOT NULL", f.keyId);
        expect(await audits("api_key.revoke", f.keyId)).toBe(revoked);
        await call("/api/auth_api_keys_revoke", { json: { id: f.keyId }, headers: f.headers });
        expect(await count("SELECT COUNT(*) AS n FROM user_api_keys WHERE id = ? AND revoked_at IS NOT NULL", f.keyId)).toBe(1);
        expect(await audits("api_key.revoke", f.keyId)).toBe(1);
      },
    });
  });
});

describe("admin writes under storage faults", () => {
  it("user_create: 503 leaves no user row and no audit row; the retry creates the user (no 409)", async () => {
    await sweep({
      setup: async () => ({ email: `created-${unique()}@example.com` }),
      act: (e, f) => callWith(e, "/api/admin/user_create", { json: { email: f.email, name: "Created" }, headers: admin }),
      okStatus: 200,
      // A new account has no session: its identity snapshot is written by every session start anyway.
      tolerated: (s) => s.label === "do UserState.putIdentity",
      verify: async (f, res) => {
        if (res.status === 200) {
          expect(await audits("user.create", (await json(res)).user.auth_user_id)).toBe(1);
          return;
        }
        expect(await count("SELECT COUNT(*) AS n FROM users WHERE email = ?", f.email)).toBe(0);
        const retry = await call("/api/admin/user_create", { json: { email: f.email, name: "Created" }, headers: admin });
        expect(retry.status).toBe(200);
        expect(await audits("user.create", (await json(retry)).user.auth_user_id)).toBe(1);
      },
    });
  });

  it("user_update: 503 leaves the row as it was and unaudited, or changed with its audit row", async () => {
    await sweep({
      setup: async () => {
        const user = await seedUser({ name: "Before" });
        return { user, session: (await sessionFor(user)).token };
      },
      act: (e, f) => callWith(e, "/api/admin/user_update", { json: { auth_user_id: f.user.id, name: "After" }, headers: admin }),
      okStatus: 200,
      verify: async (f) => {
        const row = await env.DB.prepare("SELECT name FROM users WHERE id = ?").bind(f.user.id).first<{ name: string }>();
        expect(await changeAudits("user.update", f.user.id, "name")).toBe(row!.name === "After" ? 1 : 0);
        // The retry applies it (recorded once) and the session's identity snapshot follows.
        expect((await call("/api/admin/user_update", { json: { auth_user_id: f.user.id, name: "After" }, headers: admin })).status).toBe(200);
        expect(await changeAudits("user.update", f.user.id, "name")).toBe(1);
        expect((await json(await me(f.session))).user.name).toBe("After");
      },
    });
  });

  it("user_update with a new password: 503 never leaves the new password with the old sessions alive", async () => {
    await sweep({
      setup: async () => {
        const user = await seedUser({ passwordHash: "old-hash-marker" });
        return { user, session: (await sessionFor(user)).token };
      },
      act: (e, f) => callWith(e, "/api/admin/user_update", { json: { auth_user_id: f.user.id, password: "an admin set password 9" }, headers: admin }),
      okStatus: 200,
      verify: async (f) => {
        const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?").bind(f.user.id).first<{ password_hash: string }>();
        const changed = row!.password_hash !== "old-hash-marker";
        expect(await changeAudits("user.update", f.user.id, "password")).toBe(changed ? 1 : 0);
        if (changed) expect((await me(f.session)).status).toBe(401);
      },
    });
  });

  it("user_disable: 503 never leaves a disabled user with a live session, nor a disable without its audit row", async () => {
    await sweep({
      setup: async () => {
        const user = await seedUser();
        return { user, session: (await sessionFor(user)).token };
      },
      act: (e, f) => callWith(e, "/api/admin/user_disable", { json: { auth_user_id: f.user.id }, headers: admin }),
      okStatus: 200,
      verify: async (f) => {
        const row = await env.DB.prepare("SELECT status FROM users WHERE id = ?").bind(f.user.id).first<{ status: string }>();
        if (row!.status === "disabled") {
          expect((await me(f.session)).status).toBe(401);
          expect(await changeAudits("user.disable", f.user.id, "status")).toBe(1);
        } else {
          expect(row!.status).toBe("active");
          expect(await audits("user.disable", f.user.id)).toBe(0);
        }
        expect((await call("/api/admin/user_disable", { json: { auth_user_id: f.user.id }, headers: admin })).status).toBe(200);
        expect((await me(f.session)).status).toBe(401);
        expect(await changeAudits("user.disable", f.user.id, "status")).toBe(1);
      },
    });
  });

  it("site_create: 503 leaves no site (nor a policy row without it); the retry creates it (no 409)", async () => {
    await sweep({
      setup: async () => ({ key: `flt-${unique()}` }),
      act: (e, f) => callWith(e, "/api/admin/site_create", { json: { site_key: f.key, name: "Faulty", policy: { twofa_mode: "required" } }, headers: admin }),
      okStatus: 200,
      verify: async (f) => {
        expect(await count("SELECT COUNT(*) AS n FROM sites WHERE site_key = ?", f.key)).toBe(0);
        expect(await count("SELECT COUNT(*) AS n FROM site_policies WHERE site_key = ?", f.key)).toBe(0);
        const retry = await call("/api/admin/site_create", { json: { site_key: f.key, name: "Faulty", policy: { twofa_mode: "required" } }, headers: admin });
        expect(retry.status).toBe(200);
        expect((await json(retry)).site.policy.twofa_mode).toBe("required");
        expect(await audits("site.create", f.key)).toBe(1);
      },
    });
  });
});

describe("self-registration under storage faults", () => {
  it("auth_register: 503 mails nothing; the retry registers once and mails one code", async () => {
    await sweep({
      setup: async () => ({ email: `reg-${unique()}@example.com`, ip: `198.51.102.${(n % 250) + 1}` }),
      act: (e, f) => callWith(e, "/api/auth_register", { json: { site_key: "flt-open", email: f.email, password: "a long enough password 1", name: "Reg" }, headers: { "CF-Connecting-IP": f.ip } }),
      okStatus: 202,
      verify: async (f, res, failed) => {
        // No pending account is left behind without its code (it could never be verified, and would
        // turn the retry into "already registered").
        expect(await count("SELECT COUNT(*) AS n FROM users WHERE email = ?", f.email)).toBe(0);
        expect(mail.to(f.email)).toHaveLength(0);
        const retry = await call("/api/auth_register", { json: { site_key: "flt-open", email: f.email, password: "a long enough password 1", name: "Reg" }, headers: { "CF-Connecting-IP": f.ip } });
        if (retry.status === 429) {
          // The failure came after the address's object started its 60 s resend cooldown: the retry is told when.
          expect((await json(retry)).error.code).toBe("resend_too_soon");
          expect(failed.label).toMatch(/kv put|insert into "audit_log"/i);
          return;
        }
        expect(retry.status).toBe(202);
        expect(await count("SELECT COUNT(*) AS n FROM users WHERE email = ?", f.email)).toBe(1);
        expect(mail.to(f.email).map((m) => m.template)).toEqual(["registration_code"]);
      },
    });
  });
});
