import { afterEach, describe, expect, it, vi } from "vitest";
import { call, json } from "../helpers";
import { captureMail, seedTotpUser, totpCode } from "../login/helpers";
import { ORIGIN, addPasskey, auditOf, me, passkeyLogin, passkeySite, passwordLogin, userWithPasskey } from "./http";
import { SoftAuthenticator } from "./soft-authenticator";

// Issue 21, item 4: a passkey as the second factor of auth_login, and a passkey without user
// verification as a first factor followed by the site's second factor.

afterEach(() => {
  vi.restoreAllMocks();
});

function factorVerify(body: Record<string, unknown>) {
  return call("/api/auth_factor_verify", { json: body });
}

function factorChallenge(body: Record<string, unknown>) {
  return call("/api/auth_factor_challenge", { json: body });
}

describe("auth_login with a passkey as the second factor", () => {
  it("twofa required, passkey_mode optional: the factor stays email_otp (old clients unchanged), passkey is among the choices with options", async () => {
    const site = await passkeySite({ twofa_mode: "required" });
    // Enrol on a site without 2FA, then sign in where it is required.
    const enrolSite = await passkeySite();
    const { user, authenticator } = await userWithPasskey(enrolSite);
    const mail = captureMail();
    const { body } = await passwordLogin(site, user.email);
    expect(body.status).toBe("factor_required");
    expect(body.challenge).toMatchObject({ factor: "email_otp", choices: ["email_otp", "passkey"] });
    expect(body.challenge.passkey).toMatchObject({ rpId: "auth.test", allowCredentials: [{ id: authenticator.credentials[0]!.id, type: "public-key" }] });
    expect(mail.to(user.email).map((m) => m.template)).toEqual(["login_code"]);
    const credential = await authenticator.authenticate(body.challenge.passkey, { origin: ORIGIN, uv: false });
    const res = await factorVerify({ challenge_token: body.challenge.token, passkey: credential });
    const done = await json(res);
    expect([res.status, done.status]).toEqual([200, "authenticated"]);
    expect((await me(done.session.token)).body.session.factors).toEqual(["password", "passkey"]);
    // The challenge is used up: neither the code nor the assertion works again.
    const again = await factorVerify({ challenge_token: body.challenge.token, code: mail.lastCode(user.email) });
    expect(again.status).toBe(410);
  });

  it("passkey_mode preferred: factor passkey first, no code mailed; a code needs a switch through auth_factor_challenge", async () => {
    const site = await passkeySite({ twofa_mode: "required", passkey_mode: "preferred" });
    const { user, authenticator } = await userWithPasskey(await passkeySite());
    const mail = captureMail();
    const { body } = await passwordLogin(site, user.email);
    expect(body.challenge).toMatchObject({ factor: "passkey", choices: ["passkey", "email_otp"] });
    expect(mail.to(user.email)).toEqual([]);
    const withCode = await factorVerify({ challenge_token: body.challenge.token, code: "123456" });
    expect([withCode.status, (await json(withCode)).error.code]).toEqual([400, "factor_not_allowed"]);
    const switched = await json(await factorChallenge({ challenge_token: body.challenge.token, factor: "email_otp" }));
    expect(switched.challenge).toMatchObject({ factor: "email_otp", choices: ["passkey", "email_otp"], passkey: expect.any(Object) });
    const code = mail.lastCode(user.email);
    const ok = await json(await factorVerify({ challenge_token: switched.challenge.token, code }));
    expect(ok.status).toBe("authenticated");
    expect((await me(ok.session.token)).body.session.factors).toEqual(["password", "email_otp"]);
  });

  it("a TOTP user: factor totp, passkey among the choices; either works", async () => {
    const site = await passkeySite({ twofa_mode: "optional" });
    const { user, secret } = await seedTotpUser();
    const { body: first } = await passwordLogin(site, user.email);
    expect(first.challenge).toMatchObject({ factor: "totp", choices: ["totp", "email_otp"] });
    expect(first.challenge.passkey).toBeUndefined();
    // Add a passkey (the session of that sign-in has a fresh proof), then sign in again.
    const ok = await json(await factorVerify({ challenge_token: first.challenge.token, code: totpCode(secret) }));
    const authenticator = new SoftAuthenticator();
    await addPasskey(ok.session.token, authenticator);
    const { body } = await passwordLogin(site, user.email);
    expect(body.challenge).toMatchObject({ factor: "totp", choices: ["totp", "email_otp", "passkey"] });
    const credential = await authenticator.authenticate(body.challenge.passkey, { origin: ORIGIN });
    const done = await json(await factorVerify({ challenge_token: body.challenge.token, passkey: credential }));
    expect(done.status).toBe("authenticated");
    expect((await me(done.session.token)).body.session.factors).toEqual(["password", "passkey", "uv"]);
  });

  it("twofa optional without TOTP: a passkey never makes a second factor be asked", async () => {
    const site = await passkeySite({ twofa_mode: "optional" });
    const { user } = await userWithPasskey(site);
    const { body } = await passwordLogin(site, user.email);
    expect(body.status).toBe("authenticated");
  });

  it("passkey_mode off: no passkey among the choices", async () => {
    const enrolSite = await passkeySite();
    const site = await passkeySite({ twofa_mode: "required", passkey_mode: "off" });
    const { user } = await userWithPasskey(enrolSite);
    const { body } = await passwordLogin(site, user.email);
    expect(body.challenge).toMatchObject({ factor: "email_otp", choices: ["email_otp"] });
    expect(body.challenge.passkey).toBeUndefined();
  });

  it("a failed assertion costs an attempt and answers its own code; an assertion for another login challenge is refused", async () => {
    const site = await passkeySite({ twofa_mode: "required", passkey_mode: "preferred" });
    const { user, authenticator } = await userWithPasskey(await passkeySite());
    const a = (await passwordLogin(site, user.email)).body.challenge;
    const b = (await passwordLogin(site, user.email)).body.challenge;
    // b superseded a (a new challenge kills the old one); an assertion for a's options on b:
    const forA = await authenticator.authenticate(a.passkey, { origin: ORIGIN });
    const res = await factorVerify({ challenge_token: b.token, passkey: forA });
    const body = await json(res);
    expect([res.status, body.error.code, body.error.attempts_remaining]).toEqual([400, "passkey_challenge_invalid", 4]);
    const bad = await authenticator.authenticate(b.passkey, { origin: "https://evil.test" });
    const res2 = await json(await factorVerify({ challenge_token: b.token, passkey: bad }));
    expect([res2.error.code, res2.error.attempts_remaining]).toEqual(["passkey_origin_invalid", 3]);
    const failures = await auditOf("factor.failed", user.id);
    expect(failures.map((f) => f.details.reason).slice(-2)).toEqual(["passkey_challenge_invalid", "passkey_origin_invalid"]);
    // New options through auth_factor_challenge, and the passkey works.
    const fresh = (await json(await factorChallenge({ challenge_token: b.token, factor: "passkey" }))).challenge;
    const ok = await json(await factorVerify({ challenge_token: fresh.token, passkey: await authenticator.authenticate(fresh.passkey, { origin: ORIGIN }) }));
    expect(ok.status).toBe("authenticated");
  });

  it("another user's passkey cannot answer (404 passkey_not_found)", async () => {
    const site = await passkeySite({ twofa_mode: "required", passkey_mode: "preferred" });
    const enrolSite = await passkeySite();
    const victim = await userWithPasskey(enrolSite);
    const attacker = await userWithPasskey(enrolSite);
    const challenge = (await passwordLogin(site, victim.user.email)).body.challenge;
    const forged = await attacker.authenticator.authenticate({ ...challenge.passkey, allowCredentials: [] }, { origin: ORIGIN });
    const res = await json(await factorVerify({ challenge_token: challenge.token, passkey: forged }));
    expect(res.error.code).toBe("passkey_not_found");
  });

  it("code and passkey together, or neither: 400 invalid_request", async () => {
    const site = await passkeySite({ twofa_mode: "required" });
    const { user } = await userWithPasskey(await passkeySite());
    const challenge = (await passwordLogin(site, user.email)).body.challenge;
    for (const extra of [{}, { code: "123456", passkey: { id: "x" } }]) {
      const res = await factorVerify({ challenge_token: challenge.token, ...extra });
      expect([res.status, (await json(res)).error.code]).toEqual([400, "invalid_request"]);
    }
  });
});

describe("a passkey without user verification is one factor", () => {
  it("twofa required: factor_required with an emailed code, then a session with both factors", async () => {
    const site = await passkeySite({ twofa_mode: "required" });
    const enrolSite = await passkeySite();
    const { user, authenticator } = await userWithPasskey(enrolSite, { userVerification: false });
    const mail = captureMail();
    const { res, body } = await passkeyLogin(site, authenticator);
    expect([res.status, body.status]).toEqual([200, "factor_required"]);
    expect(body.challenge).toMatchObject({ factor: "email_otp", choices: ["email_otp"] });
    const done = await json(await factorVerify({ challenge_token: body.challenge.token, code: mail.lastCode(user.email) }));
    expect(done.status).toBe("authenticated");
    expect((await me(done.session.token)).body.session.factors).toEqual(["passkey", "email_otp"]);
  });

  it("with user verification the same site signs in at once (UV is multi-factor)", async () => {
    const site = await passkeySite({ twofa_mode: "required" });
    const enrolSite = await passkeySite();
    const { authenticator } = await userWithPasskey(enrolSite);
    const { body } = await passkeyLogin(site, authenticator);
    expect(body.status).toBe("authenticated");
    expect((await me(body.session.token)).body.session.factors).toEqual(["passkey", "uv"]);
  });

  it("a TOTP user without UV is asked for TOTP", async () => {
    const site = await passkeySite({ twofa_mode: "optional" });
    const { user, secret } = await seedTotpUser();
    const first = (await passwordLogin(site, user.email)).body.challenge;
    const session = await json(await factorVerify({ challenge_token: first.token, code: totpCode(secret) }));
    const authenticator = new SoftAuthenticator({ userVerification: false });
    await addPasskey(session.session.token, authenticator);
    const { body } = await passkeyLogin(site, authenticator);
    expect(body.challenge).toMatchObject({ factor: "totp", choices: ["totp", "email_otp"] });
  });
});
