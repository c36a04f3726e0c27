import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSite, json, freshIp } from "../helpers";
import { PASSWORD, auditRows, captureMail, login, seedPasswordUser, sessionRows, verify } from "../login/helpers";
import { callWith, expectUnavailable, faultyEnv, sweep } from "./inject";

// auth_login with a D1, KV or Durable Object failure at each of its storage steps: the client gets
// the 503 envelope, and nothing is left half-done — no live session without its login.success row
// and last_login_at, no success row without a session the client holds.


let mail: ReturnType<typeof captureMail>;
beforeAll(async () => {
  await createSite("flt-login", { policy: { login_mode: "password", twofa_mode: "off" } });
  await createSite("flt-2fa", { policy: { login_mode: "password", twofa_mode: "required" } });
  mail = captureMail();
});
afterAll(() => vi.restoreAllMocks());

describe("auth_login under storage faults", () => {
  it("a failure at any step answers 503 and leaves no session without its audit row (and vice versa)", async () => {
    const steps = await sweep({
      setup: async () => ({ user: await seedPasswordUser(), ip: freshIp() }),
      act: (e, f) => callWith(e, "/api/auth_login", { json: { site_key: "flt-login", email: f.user.email, password: PASSWORD }, headers: { "CF-Connecting-IP": f.ip } }),
      okStatus: 200,
      // Clearing the email's failure counter after a proven password is best effort (left, it only counts stricter).
      tolerated: (s) => s.label === "do Limiter.clearFailures",
      verify: async (f, res) => {
        const sessions = (await sessionRows(f.user.id)).filter((s) => !s.revoked_at);
        const success = await auditRows(`action = 'login.success' AND target_id = '${f.user.id}'`);
        const row = await env.DB.prepare("SELECT last_login_at FROM users WHERE id = ?").bind(f.user.id).first<{ last_login_at: number | null }>();
        // A failed login leaves neither a live session nor a success row nor a last-login time; a
        // tolerated failure leaves exactly one of each.
        const n = res.status === 200 ? 1 : 0;
        expect(sessions, "live sessions").toHaveLength(n);
        expect(success, "login.success rows").toHaveLength(n);
        expect(row?.last_login_at != null, "last_login_at set").toBe(n === 1);
      },
    });
    // The steps the sweep covered: limiter, user read, the session in the user's object, the batch.
    const labels = steps.map((s) => s.label).join("\n");
    expect(labels).toMatch(/do Limiter\./);
    expect(labels).toMatch(/d1 (all|raw|first): select .* from "users"/i);
    expect(labels).toMatch(/do UserState\.createSession/);
    expect(labels).toMatch(/d1 batch: update "users".*insert into "audit_log"/i);
  });

  it("a wrong password with the failure-audit insert failing: 503 with the envelope, no session", async () => {
    const user = await seedPasswordUser();
    const faulty = faultyEnv({ failAt: (s) => /insert into "audit_log"/i.test(s.label) });
    const res = await callWith(faulty.env, "/api/auth_login", { json: { site_key: "flt-login", email: user.email, password: "wrong password here" }, headers: { "CF-Connecting-IP": freshIp() } });
    await expectUnavailable(res);
    expect(faulty.failed).toHaveLength(1);
    expect((await sessionRows(user.id)).length).toBe(0);
  });

  it("the log line of a storage failure names the D1 error, never drizzle's SQL or its parameters", async () => {
    const user = await seedPasswordUser();
    const lines: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    // A single statement (drizzle wraps its failure in "Failed query: <sql> params: <values>").
    const faulty = faultyEnv({ failAt: (s) => /^d1 (all|raw|first|run): select .* from "users"/i.test(s.label) });
    await expectUnavailable(await callWith(faulty.env, "/api/auth_login", { json: { site_key: "flt-login", email: user.email, password: PASSWORD }, headers: { "CF-Connecting-IP": freshIp() } }));
    const line = lines.map((l) => JSON.parse(l) as Record<string, string>).find((l) => l.kind === "storage");
    expect(line).toMatchObject({ level: "error", kind: "storage", message: "D1_ERROR: Network connection lost." });
    expect(lines.join("\n")).not.toMatch(/Failed query|from "users"|params:|@example\.com/);
    spy.mockRestore();
  });

  it("second factor (emailed code, KV challenge): 503 leaves no session; the retry signs in once", async () => {
    await sweep({
      setup: async () => {
        const user = await seedPasswordUser();
        const headers = { "CF-Connecting-IP": freshIp() };
        const body = await json(await login({ site_key: "flt-2fa", email: user.email, password: PASSWORD }, headers));
        expect(body.status).toBe("factor_required");
        return { user, headers, token: body.challenge.token as string, code: mail.lastCode(user.email) };
      },
      act: (e, f) => callWith(e, "/api/auth_factor_verify", { json: { challenge_token: f.token, code: f.code }, headers: f.headers }),
      okStatus: 200,
      verify: async (f) => {
        const live = async () => (await sessionRows(f.user.id)).filter((s) => !s.revoked_at).length;
        const success = async () => (await auditRows(`action = 'login.success' AND target_id = '${f.user.id}'`)).length;
        expect(await live()).toBe(0);
        expect(await success()).toBe(0);
        // The same code again: it signs in (one session, one row), or the challenge is spent (410) and nothing was issued.
        const retry = await verify(f.token, f.code, f.headers);
        expect([200, 410]).toContain(retry.status);
        expect(await live()).toBe(retry.status === 200 ? 1 : 0);
        expect(await success()).toBe(retry.status === 200 ? 1 : 0);
      },
    });
  });
});
