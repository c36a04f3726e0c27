import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { findUserById } from "../../src/store/users";
import { call, createSite, db } from "../helpers";
import { PASSWORD, auditRows, json, login, me, seedPasswordUser, totpCode, verify } from "./helpers";

afterEach(() => vi.useRealTimers());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function signedIn(siteKey = "demo") {
  const user = await seedPasswordUser();
  const token = (await json(await login({ site_key: siteKey, email: user.email, password: PASSWORD }))).session.token as string;
  return { user, token };
}

async function enrolAndConfirm(token: string) {
  const enrol = await json(await call("/api/auth_totp_enroll", { json: {}, headers: bearer(token) }));
  const confirm = await call("/api/auth_totp_confirm", { json: { code: totpCode(enrol.secret) }, headers: bearer(token) });
  expect(confirm.status).toBe(200);
  return { secret: enrol.secret as string, recovery: (await json(confirm)).recovery_codes as string[] };
}

describe("TOTP enrolment", () => {
  it("enrol → confirm: the secret is sealed at rest, 10 recovery codes once, only their hashes kept", async () => {
    const { user, token } = await signedIn();
    const res = await call("/api/auth_totp_enroll.php", { json: {}, headers: bearer(token) });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(body.otpauth_url);
    expect(url.protocol).toBe("otpauth:");
    expect(url.searchParams.get("secret")).toBe(body.secret);
    expect(url.searchParams.get("algorithm")).toBe("SHA1");
    expect(url.searchParams.get("digits")).toBe("6");
    expect(url.searchParams.get("period")).toBe("30");
    let row = (await findUserById(db(), user.id))!;
    expect(row.totpSecretEnc).toMatch(/^v1\./);
    expect(row.totpSecretEnc).not.toContain(body.secret);
    expect(row.totpEnabledAt).toBeNull();
    expect((await json(await me(token))).user.totp_enabled).toBe(false);

    const wrong = await call("/api/auth_totp_confirm", { json: { code: "000000" === totpCode(body.secret) ? "111111" : "000000" }, headers: bearer(token) });
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error.code).toBe("invalid_code");
    const ok = await call("/api/auth_totp_confirm", { json: { code: totpCode(body.secret) }, headers: bearer(token) });
    expect(ok.status).toBe(200);
    const codes = (await json(ok)).recovery_codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    row = (await findUserById(db(), user.id))!;
    expect(row.totpEnabledAt).not.toBeNull();
    const stored = JSON.parse(row.recoveryCodes!) as string[];
    expect(stored).toHaveLength(10);
    for (const c of codes) expect(row.recoveryCodes).not.toContain(c);
    // The DO snapshot was refreshed: auth_me shows it without a D1 read.
    expect((await json(await me(token))).user.totp_enabled).toBe(true);
    expect((await auditRows(`target_id = '${user.id}' AND action LIKE 'totp.%'`)).map((r) => r.action)).toEqual(["totp.enrol_started", "totp.enabled"]);
    // A second enrolment while on is refused.
    expect((await call("/api/auth_totp_enroll", { json: {}, headers: bearer(token) })).status).toBe(409);
  });

  it("refuses replay of the confirming code at the next login", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() }); // all in one 30 s step
    await createSite("opt2", { policy: { twofa_mode: "optional" } });
    const { user, token } = await signedIn("opt2");
    const { secret } = await enrolAndConfirm(token);
    const ch = await json(await login({ site_key: "opt2", email: user.email, password: PASSWORD }));
    expect(ch.challenge.factor).toBe("totp");
    expect((await verify(ch.challenge.token, totpCode(secret))).status).toBe(401);
    expect((await verify(ch.challenge.token, totpCode(secret, Date.now() + 30_000))).status).toBe(200);
  });

  it("requires a session, and refuses a challenge token in its place", async () => {
    expect((await call("/api/auth_totp_enroll", { json: {} })).status).toBe(401);
    await createSite("req2", { policy: { twofa_mode: "required" } });
    const user = await seedPasswordUser();
    const ch = await json(await login({ site_key: "req2", email: user.email, password: PASSWORD }));
    expect((await call("/api/auth_totp_enroll", { json: {}, headers: bearer(ch.challenge.token) })).status).toBe(401);
  });
});

describe("TOTP disable", () => {
  it("with a TOTP code", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const { user, token } = await signedIn();
    const { secret } = await enrolAndConfirm(token);
    vi.setSystemTime(Date.now() + 30_000);
    const res = await call("/api/auth_totp_disable", { json: { code: totpCode(secret) }, headers: bearer(token) });
    expect(res.status).toBe(200);
    const row = (await findUserById(db(), user.id))!;
    expect(row).toMatchObject({ totpEnabledAt: null, totpSecretEnc: null, recoveryCodes: null });
    expect((await json(await me(token))).user.totp_enabled).toBe(false);
    expect(await auditRows(`target_id = '${user.id}' AND action = 'totp.disabled'`)).toHaveLength(1);
  });

  it("with a recovery code (used up) or the password; wrong proofs are refused and limited", async () => {
    const { user, token } = await signedIn();
    const { recovery } = await enrolAndConfirm(token);
    const bad = await call("/api/auth_totp_disable", { json: { password: "not my password" }, headers: bearer(token) });
    expect(bad.status).toBe(401);
    expect((await json(bad)).error.code).toBe("invalid_credentials");
    expect((await call("/api/auth_totp_disable", { json: {}, headers: bearer(token) })).status).toBe(400);
    expect((await call("/api/auth_totp_disable", { json: { code: recovery[0] }, headers: bearer(token) })).status).toBe(200);
    expect((await findUserById(db(), user.id))!.totpEnabledAt).toBeNull();
    // Re-enrol, then disable with the password; the old recovery codes are gone.
    const again = await enrolAndConfirm(token);
    expect(again.recovery).not.toContain(recovery[1]);
    expect((await call("/api/auth_totp_disable", { json: { code: recovery[1] }, headers: bearer(token) })).status).toBe(401);
    expect((await call("/api/auth_totp_disable", { json: { password: PASSWORD }, headers: bearer(token) })).status).toBe(200);
    const stub = env.USER_STATE.get(env.USER_STATE.idFromName(user.id));
    const used = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT * FROM used_recovery_codes").toArray());
    expect(used).toEqual([]);
  });

  it("throttles wrong proofs: 5 failures → 429", async () => {
    const { token } = await signedIn();
    await enrolAndConfirm(token);
    for (let i = 0; i < 5; i++) expect((await call("/api/auth_totp_disable", { json: { password: `wrong password ${i}` }, headers: bearer(token) })).status).toBe(401);
    const res = await call("/api/auth_totp_disable", { json: { password: PASSWORD }, headers: bearer(token) });
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("15");
  });
});
