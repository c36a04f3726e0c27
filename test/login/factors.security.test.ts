import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { issueChallenge } from "../../src/services/challenges/challenges";
import { call, createSite, testCtx } from "../helpers";
import { PASSWORD, auditRows, captureMail, json, login, me, seedPasswordUser, seedTotpUser, totpCode, verify, wrongCode } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

let ipN = 0;
const ip = () => ({ "CF-Connecting-IP": `198.51.100.${++ipN}` });

/** A user on a site with twofa required and no TOTP: login answers an email challenge. */
async function emailChallenge(siteKey = "twofa") {
  await createSite(siteKey, { policy: { twofa_mode: "required" } }).catch(() => undefined);
  const mail = captureMail();
  const user = await seedPasswordUser();
  const res = await login({ site_key: siteKey, email: user.email, password: PASSWORD }, ip());
  const body = await json(res);
  expect(body.status).toBe("factor_required");
  return { user, mail, token: body.challenge.token as string, code: mail.lastCode(user.email), challenge: body.challenge };
}

describe("email code challenges", () => {
  it("mails the code through the queue with the agreed template; KV keeps no code or token", async () => {
    const { user, mail, token, code, challenge } = await emailChallenge();
    const sent = mail.to(user.email);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ template: "login_code", site_key: "twofa", data: { code, expires_minutes: 10 } });
    expect(challenge.factor).toBe("email_otp");
    expect(Date.parse(challenge.expires_at) - Date.now()).toBeGreaterThan(590_000);
    const keys = await env.CHALLENGES.list({ prefix: "challenge:" });
    for (const k of keys.keys) {
      const raw = (await env.CHALLENGES.get(k.name))!;
      expect(raw).not.toContain(token);
      expect(raw).not.toContain(`"${code}"`);
    }
    expect(await auditRows(`action = 'factor.sent' AND target_id = '${user.id}'`)).toHaveLength(1);
  });

  it("counts wrong codes: attempts_remaining 4..1, then 410; the right code no longer works", async () => {
    const { user, token, code } = await emailChallenge();
    for (let left = 4; left >= 1; left--) {
      const res = await verify(token, wrongCode(code));
      expect(res.status).toBe(401);
      expect((await json(res)).error).toMatchObject({ code: "invalid_code", attempts_remaining: left });
    }
    expect((await verify(token, wrongCode(code))).status).toBe(410);
    const res = await verify(token, code);
    expect(res.status).toBe(410);
    expect((await json(res)).error.code).toBe("challenge_expired");
    expect(await auditRows(`action = 'factor.failed' AND target_id = '${user.id}'`)).toHaveLength(5); // the sixth never reached the code check
  });

  it("is single use, and the session token is brand new", async () => {
    const { token, code } = await emailChallenge();
    const ok = await verify(token, code);
    expect(ok.status).toBe(200);
    const session = (await json(ok)).session.token as string;
    expect(session).not.toContain(token);
    expect((await verify(token, code)).status).toBe(410);
    expect((await me(session)).status).toBe(200);
  });

  it("lets at most one of 20 parallel verifies succeed", async () => {
    const { user, token, code } = await emailChallenge();
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(token, code)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const stub = env.USER_STATE.get(env.USER_STATE.idFromName(user.id));
    const sessions = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT id FROM sessions").toArray());
    expect(sessions).toHaveLength(1);
  });

  it("expires after 10 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { token, code } = await emailChallenge();
    vi.setSystemTime(Date.now() + 601_000);
    expect((await verify(token, code)).status).toBe(410);
  });

  it("binds the challenge to its site and purpose", async () => {
    const { token, code } = await emailChallenge();
    await createSite("other");
    expect((await call("/api/auth_factor_verify", { json: { challenge_token: token, code, site_key: "other" } })).status).toBe(410);
    expect((await call("/api/auth_factor_verify", { json: { challenge_token: token, code }, headers: { "X-Site-Key": "other" } })).status).toBe(410);
    // A reset challenge's token is worth nothing here.
    const reset = await issueChallenge(testCtx(), { purpose: "reset", owner: "x", userId: "x", siteKey: "twofa", email: "x@example.com", ttlSeconds: 600, withCode: true, enforceCooldown: false });
    expect((await verify(reset.token, reset.code!)).status).toBe(410);
    // Another user's code does not open this challenge.
    const other = await emailChallenge();
    const res = await verify(token, other.code === code ? wrongCode(code) : other.code);
    expect(res.status).toBe(401);
    expect((await verify(token, code, { "X-Site-Key": "twofa" })).status).toBe(200);
  });

  it("locks the account after 10 wrong codes in an hour, across challenges", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const first = await emailChallenge();
    for (let i = 0; i < 5; i++) await verify(first.token, wrongCode(first.code));
    vi.setSystemTime(Date.now() + 61_000);
    const again = await login({ site_key: "twofa", email: first.user.email, password: PASSWORD }, ip());
    const token2 = (await json(again)).challenge.token;
    const code2 = first.mail.lastCode(first.user.email);
    for (let i = 0; i < 5; i++) await verify(token2, wrongCode(code2));
    vi.setSystemTime(Date.now() + 61_000);
    const third = await json(await login({ site_key: "twofa", email: first.user.email, password: PASSWORD }, ip()));
    const res = await verify(third.challenge.token, first.mail.lastCode(first.user.email));
    expect(res.status).toBe(429);
    expect((await json(res)).error.code).toBe("rate_limited");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(3000);
  });

  it("resends: new token and code, the old ones die; 60 s cooldown with retry_after", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { user, mail, token, code } = await emailChallenge();
    const soon = await call("/api/auth_factor_challenge", { json: { challenge_token: token } });
    expect(soon.status).toBe(429);
    const soonBody = await json(soon);
    expect(soonBody.error.code).toBe("resend_too_soon");
    expect(soonBody.error.retry_after).toBeGreaterThan(55);
    expect(soon.headers.get("Retry-After")).toBe(String(soonBody.error.retry_after));
    vi.setSystemTime(Date.now() + 61_000);
    const res = await call("/api/auth_factor_challenge.php", { form: { challenge_token: token } });
    expect(res.status).toBe(200);
    const fresh = (await json(res)).challenge;
    expect(fresh.token).not.toBe(token);
    expect(mail.to(user.email)).toHaveLength(2);
    const newCode = mail.lastCode(user.email);
    expect((await verify(token, code)).status).toBe(410);
    expect((await call("/api/auth_factor_challenge", { json: { challenge_token: token } })).status).toBe(410);
    if (newCode !== code) expect((await verify(fresh.token, code)).status).toBe(401);
    expect((await verify(fresh.token, newCode)).status).toBe(200);
  });

  it("refuses to switch to TOTP for a user without it", async () => {
    const { token } = await emailChallenge();
    const res = await call("/api/auth_factor_challenge", { json: { challenge_token: token, factor: "totp" } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("factor_not_allowed");
  });
});

describe("TOTP challenges", () => {
  async function totpChallenge(recovery: string[] = []) {
    await createSite("opt", { policy: { twofa_mode: "optional" } }).catch(() => undefined);
    const { user, secret } = await seedTotpUser({}, recovery);
    const body = await json(await login({ site_key: "opt", email: user.email, password: PASSWORD }, ip()));
    expect(body.challenge.factor).toBe("totp");
    return { user, secret, token: body.challenge.token as string };
  }

  it("accepts the previous and next step, refuses two steps away, and refuses a replayed code", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() }); // all in one 30 s step
    const a = await totpChallenge();
    expect((await verify(a.token, totpCode(a.secret, Date.now() - 60_000))).status).toBe(401);
    expect((await verify(a.token, totpCode(a.secret, Date.now() - 30_000))).status).toBe(200);
    // The same code (same step) on a new login is a replay.
    const again = await json(await login({ site_key: "opt", email: a.user.email, password: PASSWORD }, ip()));
    expect((await verify(again.challenge.token, totpCode(a.secret, Date.now() - 30_000))).status).toBe(401);
    expect((await verify(again.challenge.token, totpCode(a.secret, Date.now() + 30_000))).status).toBe(200);
  });

  it("accepts each recovery code once, in any spelling, and records the factor", async () => {
    const a = await totpChallenge(["abcde-fghjk", "mnpqr-stuvw"]);
    const ok = await verify(a.token, "ABCDE FGHJK");
    expect(ok.status).toBe(200);
    const session = (await json(ok)).session.token;
    expect((await json(await me(session))).session.factors).toEqual(["password", "recovery_code"]);
    const again = await json(await login({ site_key: "opt", email: a.user.email, password: PASSWORD }, ip()));
    expect((await verify(again.challenge.token, "abcde-fghjk")).status).toBe(401);
    expect((await verify(again.challenge.token, "mnpqr-stuvw")).status).toBe(200);
    const stub = env.USER_STATE.get(env.USER_STATE.idFromName(a.user.id));
    const used = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT hash FROM used_recovery_codes").toArray());
    expect(used).toHaveLength(2);
  });

  it("lets a TOTP user fall back to an emailed code", async () => {
    const mail = captureMail();
    const a = await totpChallenge();
    const res = await call("/api/auth_factor_challenge", { json: { challenge_token: a.token, factor: "email_otp" } });
    expect(res.status).toBe(200);
    const ch = (await json(res)).challenge;
    expect(ch.factor).toBe("email_otp");
    expect((await verify(a.token, totpCode(a.secret))).status).toBe(410);
    const ok = await verify(ch.token, mail.lastCode(a.user.email));
    expect((await json(await me((await json(ok)).session.token))).session.factors).toEqual(["password", "email_otp"]);
  });

  it("lets at most one of 20 parallel verifies with a valid TOTP code succeed", async () => {
    const a = await totpChallenge();
    const code = totpCode(a.secret);
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(a.token, code)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });
});

describe("passwordless sign-in", () => {
  it("answers unknown, pending and disabled emails with the same shape, and those challenges never verify", async () => {
    await createSite("otp", { policy: { login_mode: "email_otp" } });
    const mail = captureMail();
    const real = await seedPasswordUser();
    const pending = await seedPasswordUser({ status: "pending" });
    const disabled = await seedPasswordUser({ status: "disabled" });
    const shapes = new Set<string>();
    const tokens: Record<string, string> = {};
    for (const email of [real.email, pending.email, disabled.email, "ghost@example.com"]) {
      const res = await login({ site_key: "otp", email }, ip());
      expect(res.status).toBe(200);
      const body = await json(res);
      tokens[email] = body.challenge.token;
      shapes.add(JSON.stringify({ ...body, challenge: { ...body.challenge, token: body.challenge.token.length, expires_at: "", destination: body.challenge.destination.replace(/^[^@]+/, "") } }));
    }
    expect(shapes.size).toBe(1);
    expect(mail.sent.map((m) => m.to)).toEqual([real.email]);
    for (const email of [pending.email, disabled.email, "ghost@example.com"]) {
      const res = await verify(tokens[email]!, "123456");
      expect(res.status).toBe(401);
      expect((await json(res)).error).toMatchObject({ code: "invalid_code", attempts_remaining: 4 });
    }
    expect((await verify(tokens[real.email]!, mail.lastCode(real.email))).status).toBe(200);
  });
});
