import { abortAllDurableObjects, env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LINK_TTL_SECONDS } from "../../src/services/challenges/challenges";
import { issueEmailedChallenge } from "../../src/services/challenges/emailed";
import { call, createSite, json, testCtx } from "../helpers";
import { PASSWORD, captureMail, login, me, seedPasswordUser, verify } from "../login/helpers";
import { passwordMatches } from "../reset/fixtures";

// Every Durable Object instance is reset (abortAllDurableObjects: in-memory state gone, storage kept,
// as when the platform restarts an object or moves it) in the middle of a flow. Sessions, limiter
// counts and pending challenges live in the objects' durable storage, so each flow carries on exactly
// as without the reset. The same checks run against a restarted workerd in bench/scenarios/faults.ts.

let ipN = 0;
const ip = () => ({ "CF-Connecting-IP": `192.0.2.${(++ipN % 250) + 1}` });
let mail: ReturnType<typeof captureMail>;

beforeAll(async () => {
  await createSite("flt-do", { policy: { login_mode: "password", twofa_mode: "off", reset_mode: "link" } });
  await createSite("flt-do-2fa", { policy: { login_mode: "password", twofa_mode: "required" } });
  mail = captureMail();
});
afterAll(() => vi.restoreAllMocks());

describe("Durable Object reset mid-flow", () => {
  it("sessions survive: auth_me still answers, logout still ends exactly that session", async () => {
    const user = await seedPasswordUser();
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await login({ site_key: "flt-do", email: user.email, password: PASSWORD }, ip());
      tokens.push((await json(res)).session.token);
    }
    await abortAllDurableObjects();
    for (const t of tokens) {
      const res = await me(t);
      expect(res.status).toBe(200);
      expect((await json(res)).user.auth_user_id).toBe(user.id);
    }
    expect((await call("/api/auth_logout", { json: {}, headers: { Authorization: `Bearer ${tokens[0]}` } })).status).toBe(200);
    await abortAllDurableObjects();
    expect((await me(tokens[0]!)).status).toBe(401);
    expect((await me(tokens[1]!)).status).toBe(200);
  });

  it("the login limiter keeps its count: 5 failures, a reset, and the next attempt (even the right password) is still refused", async () => {
    const user = await seedPasswordUser();
    for (let i = 0; i < 4; i++) expect((await login({ site_key: "flt-do", email: user.email, password: "wrong password" }, ip())).status).toBe(401);
    await abortAllDurableObjects();
    expect((await login({ site_key: "flt-do", email: user.email, password: "wrong password" }, ip())).status).toBe(401); // the 5th
    await abortAllDurableObjects();
    const res = await login({ site_key: "flt-do", email: user.email, password: PASSWORD }, ip());
    expect(res.status).toBe(429);
    expect((await json(res)).error).toMatchObject({ code: "rate_limited", retry_after: 15 });
  });

  it("a pending second-factor challenge completes once after the reset, and only once", async () => {
    const user = await seedPasswordUser();
    const headers = ip();
    const body = await json(await login({ site_key: "flt-do-2fa", email: user.email, password: PASSWORD }, headers));
    expect(body.status).toBe("factor_required");
    const code = mail.lastCode(user.email);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    // A wrong code counted before the reset is still counted after it.
    const first = await json(await verify(body.challenge.token, wrong, headers));
    expect(first.error.code).toBe("invalid_code");
    await abortAllDurableObjects();
    const second = await json(await verify(body.challenge.token, wrong, headers));
    expect(second.error.attempts_remaining).toBe(first.error.attempts_remaining - 1);
    await abortAllDurableObjects();
    const ok = await verify(body.challenge.token, code, headers);
    expect(ok.status).toBe(200);
    expect((await me((await json(ok)).session.token)).status).toBe(200);
    await abortAllDurableObjects();
    expect((await verify(body.challenge.token, code, headers)).status).toBe(410);
  });

  it("a pending reset link completes once after the reset, and only once", async () => {
    const user = await seedPasswordUser();
    const { token } = await issueEmailedChallenge(testCtx(), { purpose: "reset", owner: user.id, userId: user.id, siteKey: "flt-do", email: user.email, link: true, withCode: false, ttlSeconds: LINK_TTL_SECONDS, enforceCooldown: false });
    await abortAllDurableObjects();
    const complete = () => call("/api/auth_password_reset_complete", { json: { site_key: "flt-do", token, new_password: "a new password after reset" }, headers: ip() });
    expect((await complete()).status).toBe(200);
    expect(await passwordMatches(user.id, "a new password after reset")).toBe(true);
    await abortAllDurableObjects();
    expect((await complete()).status).toBe(410);
  });
});
