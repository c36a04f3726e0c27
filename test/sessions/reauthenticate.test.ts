import { afterEach, describe, expect, it, vi } from "vitest";
import { call, json } from "../helpers";
import { PASSWORD, seedTotpUser, totpCode } from "../login/helpers";
import { assertion, auditOf, me, passkeySite, passwordLogin, signedInUser, staffPost, userWithPasskey } from "../passkeys/http";

// auth_reauthenticate: a fresh proof moves the session's authenticated_at (what recent-authentication
// checks read; auth_me shows it). Every session starts with authenticated_at = its sign-in.

afterEach(() => {
  vi.useRealTimers();
});

describe("auth_reauthenticate", () => {
  it("a session's authenticated_at is its sign-in; a password proof moves it to now", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const site = await passkeySite({ idle_timeout_seconds: 3600 });
    const { token } = await signedInUser(site);
    const first = (await me(token)).body.session;
    expect(first.authenticated_at).toBe(first.created_at);
    vi.setSystemTime(Date.now() + 20 * 60_000);
    const res = await staffPost("/api/auth_reauthenticate", token, { password: PASSWORD });
    const body = await json(res);
    expect(res.status).toBe(200);
    expect(body.authenticated_at).toBe(new Date(Date.now()).toISOString());
    expect((await me(token)).body.session.authenticated_at).toBe(body.authenticated_at);
  });

  it("takes a TOTP code, or a passkey with user verification", async () => {
    const totpSite = await passkeySite({ twofa_mode: "optional" });
    const site = await passkeySite();
    const { user, secret } = await seedTotpUser();
    const challenge = (await passwordLogin(totpSite, user.email)).body.challenge;
    const session = await json(await call("/api/auth_factor_verify", { json: { challenge_token: challenge.token, code: totpCode(secret) } }));
    const token = session.session.token as string;
    // The step just used is refused (replay guard); the next one works.
    const next = totpCode(secret, Date.now() + 30_000);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 30_000);
    expect((await staffPost("/api/auth_reauthenticate", token, { code: next })).status).toBe(200);
    vi.useRealTimers();
    const withKey = await userWithPasskey(site);
    const credential = await assertion(site, withKey.authenticator, {}, withKey.user.email);
    expect((await staffPost("/api/auth_reauthenticate", withKey.token, { passkey: credential })).status).toBe(200);
    expect((await auditOf("session.reauthenticate", withKey.user.id)).map((r) => r.details.method)).toEqual(["passkey"]);
  });

  it("another user's passkey does not re-authenticate this session", async () => {
    const site = await passkeySite();
    const a = await userWithPasskey(site);
    const b = await userWithPasskey(site);
    const credential = await assertion(site, b.authenticator);
    const res = await staffPost("/api/auth_reauthenticate", a.token, { passkey: credential });
    expect([res.status, (await json(res)).error.code]).toEqual([404, "passkey_not_found"]);
  });

  it("exactly one proof; wrong proofs are throttled (5 → 429)", async () => {
    const site = await passkeySite();
    const { token } = await signedInUser(site);
    for (const body of [{}, { password: "x", code: "123456" }]) {
      const res = await staffPost("/api/auth_reauthenticate", token, body);
      expect([res.status, (await json(res)).error.code]).toEqual([400, "invalid_request"]);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await staffPost("/api/auth_reauthenticate", token, { password: `wrong ${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
