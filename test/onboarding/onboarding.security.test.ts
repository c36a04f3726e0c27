import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { findUserById } from "../../src/store/users";
import { db, json } from "../helpers";
import { type MailCapture, captureMail } from "../mail-capture";
import { auditRows, client, hashed, passwordMatches, wrongCode } from "../reset/fixtures";
import { seedUser } from "../sessions/fixtures";

let mail: MailCapture;
beforeEach(() => {
  mail = captureMail();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** D1 statements of the flow itself; the mail consumer may run meanwhile and touch other tables. */
const accountSql = (call: unknown[]) => /\b(users|audit_log)\b/.test(String(call[0]));

async function snapshot(res: Response) {
  const headers = [...res.headers.entries()].filter(([k]) => k !== "x-request-id").sort();
  return { status: res.status, body: await res.text(), headers };
}

async function accounts() {
  return {
    unknown: `nobody-${crypto.randomUUID()}@example.com`,
    pending: (await seedUser({ status: "pending", emailVerified: false })).email,
    disabled: (await seedUser({ status: "disabled" })).email,
    active: (await seedUser({ passwordHash: await hashed("active password 1") })).email,
  };
}

describe("no enumeration through onboarding", () => {
  it("unknown, pending, disabled and active addresses get byte-equal answers and cost the same storage work, also inside the cooldown", async () => {
    const emails = Object.values(await accounts());
    const kvPuts = vi.spyOn(env.CHALLENGES, "put");
    const objects = vi.spyOn(env.USER_STATE, "idFromName");
    const d1 = vi.spyOn(env.DB, "prepare");
    for (let round = 0; round < 2; round++) {
      const seen = [];
      const work = [];
      for (const email of emails) {
        for (const spy of [kvPuts, objects, d1]) spy.mockClear();
        seen.push(await snapshot(await client().post("/api/auth_onboarding_request", { site_key: "ob-enum", email })));
        work.push([kvPuts.mock.calls.length, objects.mock.calls.length, d1.mock.calls.filter(accountSql).length]);
      }
      expect(seen[0]).toMatchObject({ status: 202, body: '{"ok":true,"status":"sent_if_exists"}' });
      for (const s of seen.slice(1)) expect(s).toEqual(seen[0]);
      for (const w of work.slice(1)) expect(w).toEqual(work[0]);
      // First round: challenge + email pointer each; second round (cooldown): nothing is issued for anyone.
      expect(work[0]![0]).toBe(round === 0 ? 2 : 0);
    }
    // One mail in all: the pending account's first request.
    expect(mail.all().map((m) => [m.to, m.template])).toEqual([[emails[1], "onboarding_code"]]);
  });

  it("checking wrong codes behaves alike for every address, across a silent resend", async () => {
    const all = await accounts();
    const transcript = async (email: string) => {
      const c = client();
      const out: unknown[] = [];
      await c.post("/api/auth_onboarding_request", { site_key: "ob-enum", email });
      const real = mail.to(email, "onboarding_code")[0]?.data.code as string | undefined;
      const probe = wrongCode(real ?? "000000");
      for (let i = 0; i < 2; i++) {
        const res = await c.post("/api/auth_onboarding_check", { site_key: "ob-enum", email, code: probe });
        out.push([res.status, (await json(res)).error.attempts_remaining]);
      }
      await c.post("/api/auth_onboarding_request", { site_key: "ob-enum", email }); // inside the cooldown
      for (let i = 0; i < 3; i++) {
        const res = await c.post("/api/auth_onboarding_complete", { site_key: "ob-enum", email, code: probe, password: "some good password 1" });
        const body = await json(res);
        out.push([res.status, body.error.code, body.error.attempts_remaining ?? null]);
      }
      return out;
    };
    const results = await Promise.all(Object.values(all).map(transcript));
    for (const r of results.slice(1)) expect(r).toEqual(results[0]);
    expect(results[0]).toEqual([[401, 4], [401, 3], [401, "invalid_code", 2], [401, "invalid_code", 1], [410, "challenge_expired", null]]);
    expect(await passwordMatches((await findUserByEmailOrThrow(all.active)).id, "active password 1")).toBe(true);
  });
});

async function findUserByEmailOrThrow(email: string) {
  const row = await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first<{ id: string }>();
  if (!row) throw new Error("no such user");
  return row;
}

describe("onboarding limits", () => {
  it("3 requests per address per hour (known or not), then 429", async () => {
    const pending = (await seedUser({ status: "pending", emailVerified: false })).email;
    for (const email of [pending, `lim-${crypto.randomUUID()}@example.com`]) {
      for (let i = 0; i < 3; i++) expect((await client().post("/api/auth_onboarding_request", { site_key: "ob-lim", email })).status).toBe(202);
      const over = await client().post("/api/auth_onboarding_request", { site_key: "ob-lim", email: email.toUpperCase() });
      expect(over.status).toBe(429);
      expect((await json(over)).error.code).toBe("rate_limited");
      expect(over.headers.get("Retry-After")).not.toBeNull();
    }
  });

  it("locks an account after 10 wrong codes in an hour across codes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const user = await seedUser({ status: "pending", emailVerified: false });
    const c = client();
    for (let round = 0; round < 2; round++) {
      await c.post("/api/auth_onboarding_request", { site_key: "ob-lock", email: user.email });
      const code = mail.latest(user.email, "onboarding_code").data.code as string;
      for (let i = 0; i < 5; i++) await c.post("/api/auth_onboarding_check", { site_key: "ob-lock", email: user.email, code: wrongCode(code) });
      vi.setSystemTime(Date.now() + 61_000);
    }
    await c.post("/api/auth_onboarding_request", { site_key: "ob-lock", email: user.email });
    const code = mail.latest(user.email, "onboarding_code").data.code as string;
    const locked = await c.post("/api/auth_onboarding_complete", { site_key: "ob-lock", email: user.email, code, password: "some good password 1" });
    expect(locked.status).toBe(429);
    expect((await json(locked)).error.code).toBe("rate_limited");
    expect((await findUserById(db(), user.id))!.passwordHash).toBeNull();
  });
});

describe("onboarding single use", () => {
  it("of four parallel completes with one code, exactly one activates the account", async () => {
    const user = await seedUser({ status: "pending", emailVerified: false });
    const c = client();
    await c.post("/api/auth_onboarding_request", { site_key: "ob-race", email: user.email });
    const code = mail.latest(user.email, "onboarding_code").data.code as string;
    const passwords = Array.from({ length: 4 }, (_, i) => `parallel onboarding pw ${i}`);
    const results = await Promise.all(passwords.map((password) => c.post("/api/auth_onboarding_complete", { site_key: "ob-race", email: user.email, code, password })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(await passwordMatches(user.id, passwords[statuses.indexOf(200)]!)).toBe(true);
    expect(mail.to(user.email, "welcome")).toHaveLength(1);
    expect((await auditRows("onboarding.completed")).filter((r) => r.target_id === user.id)).toHaveLength(1);
  });
});
