import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSite, json } from "../helpers";
import { type MailCapture, captureMail, tokenOf } from "../mail-capture";
import { seedUser } from "../sessions/fixtures";
import { auditRows, challengeKey, client, freshIp, hashed, passwordMatches, wrongCode } from "./fixtures";

let mail: MailCapture;
beforeEach(() => {
  mail = captureMail();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const OLD = "the old password 1";
const activeUser = async () => seedUser({ passwordHash: await hashed(OLD) });

/** Status, body bytes and headers (the request id aside) of an answer. */
/** D1 statements of the flow itself; the mail consumer may run meanwhile and touch other tables. */
const accountSql = (call: unknown[]) => /\b(users|audit_log)\b/.test(String(call[0]));

async function snapshot(res: Response) {
  const headers = [...res.headers.entries()].filter(([k]) => k !== "x-request-id").sort();
  return { status: res.status, body: await res.text(), headers };
}

describe("no enumeration through reset requests", () => {
  for (const mode of ["link", "otp", "both"] as const) {
    it(`${mode}: unknown, pending, disabled and active addresses get byte-equal answers and cost the same storage work`, async () => {
      const site = `enum-${mode}`;
      await createSite(site, { policy: { reset_mode: mode } });
      const pending = await seedUser({ status: "pending", emailVerified: false });
      const disabled = await seedUser({ status: "disabled", passwordHash: await hashed(OLD) });
      const active = await activeUser();
      const emails = [`nobody-${crypto.randomUUID()}@example.com`, pending.email, disabled.email, active.email];
      const kvPuts = vi.spyOn(env.CHALLENGES, "put");
      const objects = vi.spyOn(env.USER_STATE, "idFromName");
      const limiters = vi.spyOn(env.LIMITER, "idFromName");
      const d1 = vi.spyOn(env.DB, "prepare");
      const seen = [];
      const work = [];
      for (const email of emails) {
        for (const spy of [kvPuts, objects, limiters, d1]) spy.mockClear();
        const res = await client().post("/api/auth_password_reset_request", { site_key: site, email });
        seen.push(await snapshot(res));
        work.push([kvPuts.mock.calls.length, objects.mock.calls.length, limiters.mock.calls.length, d1.mock.calls.filter(accountSql).length]);
      }
      expect(seen[0]!.status).toBe(202);
      expect(seen[0]!.body).toBe('{"ok":true,"status":"sent_if_exists"}');
      for (const s of seen.slice(1)) expect(s).toEqual(seen[0]);
      for (const w of work.slice(1)) expect(w).toEqual(work[0]);
      expect(work[0]![0]).toBe(mode === "link" ? 1 : 2);
      // Only the active account is mailed.
      expect(mail.all().map((m) => m.to)).toEqual([active.email]);
      // Every address wrote exactly one audit row, saying what happened.
      const rows = (await auditRows("password_reset.requested")).filter((r) => r.site_key === site);
      expect(rows.map((r) => r.details.account)).toEqual(["unknown", "pending", "disabled", "active"]);
      expect(rows.map((r) => r.outcome)).toEqual(["denied", "denied", "denied", "success"]);
    });
  }

  it("wrong codes for an unknown address are counted exactly like an account's, up to the hourly lock", async () => {
    await createSite("ghosts", { policy: { reset_mode: "otp" } });
    const active = await activeUser();
    const unknown = `ghost-${crypto.randomUUID()}@example.com`;
    const transcript = async (email: string, realCode: () => string | null) => {
      const c = client();
      const out: unknown[] = [];
      for (let round = 0; round < 3; round++) {
        await c.post("/api/auth_password_reset_request", { site_key: "ghosts", email });
        const code = realCode() ?? "000000";
        const tries = round < 2 ? 5 : 1;
        for (let i = 0; i < tries; i++) {
          // The last round presents the real code (for the ghost: any code): the account is locked by now.
          const presented = round < 2 ? wrongCode(code) : code;
          const res = await c.post("/api/auth_password_reset_check", { site_key: "ghosts", email, code: presented });
          const body = await json(res);
          out.push([res.status, body.error.code, body.error.attempts_remaining ?? null, res.headers.has("Retry-After")]);
        }
      }
      return out;
    };
    const forActive = await transcript(active.email, () => mail.latest(active.email, "password_reset").data.code);
    const forUnknown = await transcript(unknown, () => null);
    expect(forActive).toEqual(forUnknown);
    expect(forActive.at(-1)).toEqual([429, "rate_limited", null, true]);
    expect(forActive.slice(0, 5)).toEqual([
      [401, "invalid_code", 4, false],
      [401, "invalid_code", 3, false],
      [401, "invalid_code", 2, false],
      [401, "invalid_code", 1, false],
      [410, "challenge_expired", null, false],
    ]);
    expect(await passwordMatches(active.id, OLD)).toBe(true);
  });
});

describe("reset request limits", () => {
  it("3 per address per hour, the same for unknown addresses; case and spaces do not reset the count", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const active = await activeUser();
    const unknown = `limit-${crypto.randomUUID()}@example.com`;
    for (const email of [active.email, unknown]) {
      const variants = [email, email.toUpperCase(), `  ${email} `];
      for (const variant of variants) {
        expect((await client().post("/api/auth_password_reset_request", { site_key: "lim", email: variant })).status).toBe(202);
      }
      const fourth = await client().post("/api/auth_password_reset_request", { site_key: "lim", email });
      expect(fourth.status).toBe(429);
      expect((await json(fourth)).error.code).toBe("rate_limited");
      expect(Number(fourth.headers.get("Retry-After"))).toBeGreaterThan(3000);
      expect(fourth.headers.get("Referrer-Policy")).toBe("no-referrer");
    }
    expect(mail.to(active.email, "password_reset")).toHaveLength(3);
    vi.setSystemTime(Date.now() + 3601_000);
    expect((await client().post("/api/auth_password_reset_request", { site_key: "lim", email: active.email })).status).toBe(202);
    expect(mail.to(active.email, "password_reset")).toHaveLength(4);
  });

  it("caps requests per client address (IPv6 by /64), whatever the email", async () => {
    const v6 = client("2001:db8:aa:1::1");
    for (let i = 0; i < 30; i++) {
      const res = await v6.post("/api/auth_password_reset_request", { site_key: "iplim", email: `ip-${i}-${crypto.randomUUID()}@example.com` });
      expect(res.status).toBe(202);
    }
    const sameBlock = await client("2001:db8:aa:1:ffff:ffff:ffff:ffff").post("/api/auth_password_reset_request", { site_key: "iplim", email: "x@example.com" });
    expect(sameBlock.status).toBe(429);
    expect((await json(sameBlock)).error.code).toBe("rate_limited");
    expect((await client("2001:db8:aa:2::1").post("/api/auth_password_reset_request", { site_key: "iplim", email: "x@example.com" })).status).toBe(202);
  });

  it("caps check/complete attempts per client address", async () => {
    const c = client();
    for (let i = 0; i < 60; i++) {
      const res = await c.post("/api/auth_password_reset_check", { site_key: "iplim", token: `bogus-token-${i}-xxxxxxxxxxxxxxxxxxxxxxxx` });
      expect(res.status).toBe(410);
    }
    const over = await c.post("/api/auth_password_reset_complete", { site_key: "iplim", token: "bogus-token-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", new_password: "whatever password 1" });
    expect(over.status).toBe(429);
    expect((await client().post("/api/auth_password_reset_check", { site_key: "iplim", token: "bogus-token-xxxxxxxxxxxxxxxxxxxxxxxx" })).status).toBe(410);
  });
});

describe("reset links are built from configuration only", () => {
  const spoofHeaders = (ip: string) => ({
    "Content-Type": "application/json",
    "CF-Connecting-IP": ip,
    Host: "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Port": "8080",
    Forwarded: "for=1.2.3.4;host=evil.example;proto=http",
    "X-Original-URL": "https://evil.example/reset",
    "X-Host": "evil.example",
    Origin: "https://evil.example",
    Referer: "https://evil.example/forgot",
  });

  for (const site of [{ key: "hosthdr-default", url: null }, { key: "hosthdr-site", url: "https://accounts.corp.test/reset" }]) {
    it(`ignores Host, X-Forwarded-* and the request URL (${site.url ? "site reset_url" : "default reset URL"})`, async () => {
      if (site.url) await createSite(site.key, { reset_url: site.url });
      const expected = site.url ?? "https://app.test/reset-password";
      const user = await activeUser();
      for (const origin of ["https://auth.test", "http://evil.example", "https://evil.example:8443"]) {
        const res = await exports.default.fetch(
          new Request(`${origin}/api/auth_password_reset_request`, {
            method: "POST",
            headers: spoofHeaders(freshIp()),
            body: JSON.stringify({ site_key: site.key, email: user.email }),
          }),
        );
        expect(res.status).toBe(202);
        const link = mail.latest(user.email, "password_reset").data.link as string;
        expect(link.startsWith(`${expected}?token=`)).toBe(true);
        expect(link).not.toContain("evil");
      }
    });
  }

  it("a site whose reset_url is not https falls back to a mailed code (no link)", async () => {
    await createSite("badurl", { reset_url: "javascript:alert(1)" });
    const user = await activeUser();
    await client().post("/api/auth_password_reset_request", { site_key: "badurl", email: user.email });
    const sent = mail.latest(user.email, "password_reset");
    expect(sent.data.link).toBeUndefined();
    expect(sent.data.code).toMatch(/^\d{6}$/);
  });
});

describe("single use under concurrency", () => {
  it("of five parallel completes with one link, exactly one succeeds", async () => {
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "race", email: user.email });
    const token = tokenOf(mail.latest(user.email, "password_reset").data.link);
    const passwords = Array.from({ length: 5 }, (_, i) => `parallel password number ${i}`);
    const results = await Promise.all(passwords.map((p) => c.post("/api/auth_password_reset_complete", { site_key: "race", token, new_password: p })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(4);
    const winner = passwords[statuses.indexOf(200)]!;
    expect(await passwordMatches(user.id, winner)).toBe(true);
    expect(mail.to(user.email, "password_changed")).toHaveLength(1);
    expect((await auditRows("password_reset.completed")).filter((r) => r.target_id === user.id)).toHaveLength(1);
  });

  it("of two parallel completes with one code, exactly one succeeds", async () => {
    await createSite("race-otp", { policy: { reset_mode: "otp" } });
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "race-otp", email: user.email });
    const code = mail.latest(user.email, "password_reset").data.code as string;
    const [a, b] = await Promise.all(
      ["first parallel password", "second parallel password"].map((p) => c.post("/api/auth_password_reset_complete", { site_key: "race-otp", email: user.email, code, new_password: p })),
    );
    expect([a!.status, b!.status].sort()).toEqual([200, 410]);
  });
});

describe("headers and secrets at rest", () => {
  it("every reset and onboarding route answers with Referrer-Policy: no-referrer and no-store, errors included", async () => {
    const c = client();
    const paths = ["password_reset_request", "password_reset_check", "password_reset_complete", "onboarding_request", "onboarding_check", "onboarding_complete"];
    for (const p of paths) {
      for (const path of [`/api/auth_${p}`, `/api/auth_${p}.php`]) {
        for (const body of [{ site_key: "hdr", email: "someone@example.com" }, { site_key: "hdr", email: "bad" }]) {
          const res = await c.post(path, body);
          expect(res.headers.get("Referrer-Policy"), path).toBe("no-referrer");
          expect(res.headers.get("Cache-Control"), path).toBe("no-store");
        }
      }
    }
  });

  it("KV holds neither the code nor the token; the audit trail neither", async () => {
    await createSite("atrest", { policy: { reset_mode: "both" } });
    const user = await activeUser();
    const c = client();
    await c.post("/api/auth_password_reset_request", { site_key: "atrest", email: user.email });
    const { code, link } = mail.latest(user.email, "password_reset").data;
    const token = tokenOf(link);
    const raw = (await env.CHALLENGES.get(challengeKey(token)))!;
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(code);
    const keys = (await env.CHALLENGES.list()).keys.map((k) => k.name);
    expect(keys.join(" ")).not.toContain(user.email);
    await c.post("/api/auth_password_reset_check", { site_key: "atrest", email: user.email, code: wrongCode(code) });
    await c.post("/api/auth_password_reset_complete", { site_key: "atrest", token, new_password: "a brand new password" });
    const audit = JSON.stringify(await auditRows("password_reset."));
    expect(audit).not.toContain(token);
    expect(audit).not.toContain(code);
    expect(audit).not.toContain(user.email);
  });
});
