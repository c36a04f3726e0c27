import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json } from "../helpers";
import { PASSWORD } from "../login/helpers";
import { encodeCbor } from "./cbor";
import {
  ORIGIN,
  addPasskey,
  assertion,
  auditOf,
  loginOptions,
  loginVerify,
  me,
  passkeyLogin,
  passkeyRows,
  passkeySite,
  registerOptions,
  registerVerify,
  signedInUser,
  staffGet,
  staffPost,
  userWithPasskey,
} from "./http";
import { SoftAuthenticator, fromB64u, toB64u } from "./soft-authenticator";

// Issue 21's security cases, through HTTP with the software authenticator: what a client sees, and
// what is left behind (passkeys, flags, audit rows, sessions).

afterEach(() => {
  vi.useRealTimers();
});

const PASSKEY_CODES = ["passkey_invalid", "passkey_challenge_invalid", "passkey_origin_invalid", "passkey_not_found", "invalid_request"];

describe("passkey challenges are single use and bound", () => {
  it("an assertion used twice: the second answers 400 passkey_challenge_invalid and starts no session", async () => {
    const site = await passkeySite();
    const { user, authenticator } = await userWithPasskey(site);
    const credential = await assertion(site, authenticator);
    expect((await loginVerify(site, credential)).body.status).toBe("authenticated");
    const { res, body } = await loginVerify(site, credential);
    expect([res.status, body.error.code]).toEqual([400, "passkey_challenge_invalid"]);
    const successes = (await auditOf("login.success", user.id)).filter((r) => r.details.method === "passkey");
    expect(successes).toHaveLength(1);
  });

  it("a registration response used twice, or by another user's session, is refused", async () => {
    const site = await passkeySite();
    const a = await signedInUser(site);
    const b = await signedInUser(site);
    const options = await registerOptions(a.token);
    const credential = await new SoftAuthenticator().register(options.body.options, { origin: ORIGIN });
    const stolen = await registerVerify(b.token, credential);
    expect([stolen.res.status, stolen.body.error.code]).toEqual([400, "passkey_challenge_invalid"]);
    expect((await registerVerify(a.token, credential)).res.status).toBe(200);
    const twice = await registerVerify(a.token, credential);
    expect([twice.res.status, twice.body.error.code]).toEqual([400, "passkey_challenge_invalid"]);
    expect(await passkeyRows(b.user.id)).toEqual([]);
    expect(await passkeyRows(a.user.id)).toHaveLength(1);
  });

  it("options issued for one site do not sign in on another", async () => {
    const site = await passkeySite();
    const other = await passkeySite();
    const { authenticator } = await userWithPasskey(site);
    const credential = await assertion(site, authenticator);
    const { res, body } = await loginVerify(other, credential);
    expect([res.status, body.error.code]).toEqual([400, "passkey_challenge_invalid"]);
  });
});

describe("origins and RP ID", () => {
  it("an assertion for another RP ID, from another origin or inside a cross-origin frame: 400 passkey_origin_invalid", async () => {
    const site = await passkeySite();
    const { authenticator } = await userWithPasskey(site);
    for (const overrides of [{ rpId: "evil.test", origin: ORIGIN }, { origin: "https://auth.test.evil.test" }, { origin: "http://auth.test" }, { crossOrigin: true }]) {
      const { res, body } = await passkeyLogin(site, authenticator, overrides);
      expect([res.status, body.error.code], JSON.stringify(overrides)).toEqual([400, "passkey_origin_invalid"]);
    }
  });

  it("a registered site origin on the RP ID's domain is accepted; one on another domain is not, even when registered", async () => {
    const site = await passkeySite({}, { allowed_origins: ["https://app.auth.test", "https://app.elsewhere.test"] });
    const { authenticator } = await userWithPasskey(site);
    expect((await passkeyLogin(site, authenticator, { origin: "https://app.auth.test" })).body.status).toBe("authenticated");
    const foreign = await passkeyLogin(site, authenticator, { origin: "https://app.elsewhere.test" });
    expect(foreign.body.error.code).toBe("passkey_origin_invalid");
    // The same origin is not accepted for a site that did not register it.
    const plain = await passkeySite();
    expect((await passkeyLogin(plain, authenticator, { origin: "https://app.auth.test" })).body.error.code).toBe("passkey_origin_invalid");
  });
});

describe("the signature counter", () => {
  it("a counter that goes backwards is refused, flags the passkey (refused from then on), and is audited", async () => {
    const site = await passkeySite();
    const { user, token, authenticator, passkeyId } = await userWithPasskey(site);
    expect((await passkeyLogin(site, authenticator, { counter: 5 })).body.status).toBe("authenticated");
    const { res, body } = await passkeyLogin(site, authenticator, { counter: 3 });
    expect([res.status, body.error.code]).toEqual([403, "passkey_counter_regressed"]);
    const [row] = await passkeyRows(user.id);
    expect(row).toMatchObject({ sign_counter: 5, flagged_at: expect.any(Number) });
    const [audit] = await auditOf("passkey.counter_regressed", user.id);
    expect(audit).toMatchObject({ outcome: "denied", site_key: site, details: { passkey_id: passkeyId, stored_counter: 5, presented_counter: 3 } });
    // Which copy is genuine is unknown: even a higher counter is refused until the passkey is removed.
    expect((await passkeyLogin(site, authenticator, { counter: 50 })).body.error.code).toBe("passkey_counter_regressed");
    const list = await json(await staffGet("/api/auth_passkeys_list", token));
    expect(list.passkeys[0].flagged_at).toEqual(expect.any(String));
    // Removing it and adding it again is the way back.
    await staffPost("/api/auth_passkeys_delete", token, { id: passkeyId });
    const fresh = new SoftAuthenticator();
    await addPasskey(token, fresh);
    expect((await passkeyLogin(site, fresh)).body.status).toBe("authenticated");
  });

  it("an equal counter (a clone racing the original) is a regression too; synced passkeys (always 0) are fine", async () => {
    const site = await passkeySite();
    const counting = await userWithPasskey(site);
    expect((await passkeyLogin(site, counting.authenticator, { counter: 7 })).body.status).toBe("authenticated");
    expect((await passkeyLogin(site, counting.authenticator, { counter: 7 })).body.error.code).toBe("passkey_counter_regressed");
    const synced = await userWithPasskey(site, { counter: "zero" });
    for (let i = 0; i < 3; i++) expect((await passkeyLogin(site, synced.authenticator)).body.status).toBe("authenticated");
  });
});

describe("credentials and accounts", () => {
  it("user A's credential presented for user B's email: 404 passkey_not_found, as for an unknown one; no session; audited", async () => {
    const site = await passkeySite();
    const a = await userWithPasskey(site);
    const b = await userWithPasskey(site);
    const options = await loginOptions(site, b.user.email);
    const forged = await a.authenticator.authenticate(options.body.options, { origin: ORIGIN, credentialId: a.authenticator.credentials[0]!.id });
    const { res, body } = await loginVerify(site, forged);
    expect([res.status, body.error.code]).toEqual([404, "passkey_not_found"]);
    const failure = (await auditOf("login.failure", a.user.id)).at(-1);
    expect(failure).toMatchObject({ details: { method: "passkey", reason: "passkey_not_found", expected_user_id: b.user.id } });
    // The same for an address nobody has.
    const nobody = await loginOptions(site, "nobody@passkeys.test");
    const forNobody = await a.authenticator.authenticate(nobody.body.options, { origin: ORIGIN, credentialId: a.authenticator.credentials[0]!.id });
    expect((await loginVerify(site, forNobody)).body.error.code).toBe("passkey_not_found");
  });

  it("a removed passkey (by the user or an administrator's user delete) answers 404 passkey_not_found", async () => {
    const site = await passkeySite();
    const { user, authenticator } = await userWithPasskey(site);
    await env.DB.prepare("DELETE FROM users WHERE id = ?").bind(user.id).run();
    expect(await passkeyRows(user.id)).toEqual([]);
    const { res, body } = await passkeyLogin(site, authenticator);
    expect([res.status, body.error.code]).toEqual([404, "passkey_not_found"]);
  });

  it("sign-in options for an email answer alike for unknown, pending, passkey-less, disabled and real addresses, and stay stable per address", async () => {
    const site = await passkeySite();
    const { user: bare } = await signedInUser(site);
    const { user: disabled } = await userWithPasskey(site);
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(disabled.id).run();
    const pending = `pending-${crypto.randomUUID().slice(0, 6)}@passkeys.test`;
    await env.DB.prepare("INSERT INTO users (id, email, name, status, email_verified, created_at, updated_at) VALUES (?, ?, 'P', 'pending', 0, 0, 0)").bind(crypto.randomUUID(), pending).run();
    const { user: real } = await userWithPasskey(site);
    // The outline (fields and their kinds) is one and the same; ids are base64url of lengths real
    // authenticators use; transports are sets browsers report.
    const outline = (o: any) =>
      JSON.stringify({
        keys: Object.keys(o).sort(),
        challenge: typeof o.challenge,
        descriptors: o.allowCredentials.map((c: any) => Object.keys(c).sort()),
      }).replace(/\[(\["id","transports","type"\],?)+\]/, "[descriptors]");
    const shapes = new Set<string>();
    for (const email of ["unknown@passkeys.test", pending, bare.email, disabled.email, real.email]) {
      const first = await loginOptions(site, email);
      const second = await loginOptions(site, email);
      expect(first.res.status).toBe(200);
      const creds = first.body.options.allowCredentials as { id: string; type: string; transports: string[] }[];
      expect(creds.length).toBeGreaterThan(0);
      for (const c of creds) {
        expect([16, 20, 32, 64]).toContain(fromB64u(c.id).length);
        expect(c.type).toBe("public-key");
        expect(c.transports.length).toBeGreaterThan(0);
      }
      expect(second.body.options.allowCredentials).toEqual(creds);
      shapes.add(outline(first.body.options));
    }
    expect([...shapes]).toHaveLength(1);
  });
});

describe("user verification and recent authentication", () => {
  it("UV missing where required: auth_reauthenticate with a passkey that did not verify the user → 403, the session's proof unchanged", async () => {
    const site = await passkeySite();
    const { token, authenticator } = await userWithPasskey(site);
    const before = (await me(token)).body.session.authenticated_at;
    const credential = await assertion(site, authenticator, { uv: false });
    const res = await staffPost("/api/auth_reauthenticate", token, { passkey: credential });
    expect([res.status, (await json(res)).error.code]).toEqual([403, "passkey_user_verification_required"]);
    expect((await me(token)).body.session.authenticated_at).toBe(before);
  });

  it("UV missing on a site that requires a second factor: no session, the second factor is asked", async () => {
    const site = await passkeySite({ twofa_mode: "required" });
    const { authenticator } = await userWithPasskey(await passkeySite(), { userVerification: false });
    const { res, body } = await passkeyLogin(site, authenticator);
    expect([res.status, body.status, body.session]).toEqual([200, "factor_required", undefined]);
  });

  it("registration without a recent proof: 403 reauthentication_required, until auth_reauthenticate", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const site = await passkeySite({ idle_timeout_seconds: 3600, session_ttl_seconds: 7200 });
    const { user, token } = await signedInUser(site);
    vi.setSystemTime(Date.now() + 10 * 60_000 + 1_000);
    const { res, body } = await registerOptions(token);
    expect([res.status, body.error.code]).toEqual([403, "reauthentication_required"]);
    const wrong = await staffPost("/api/auth_reauthenticate", token, { password: "not the password" });
    expect(wrong.status).toBe(401);
    const ok = await staffPost("/api/auth_reauthenticate", token, { password: PASSWORD });
    expect(ok.status).toBe(200);
    const options = await registerOptions(token);
    expect(options.res.status).toBe(200);
    const credential = await new SoftAuthenticator().register(options.body.options, { origin: ORIGIN });
    // The verify step accepts the options' challenge (5 minutes) within the proof's window: 10 + 5.
    vi.setSystemTime(Date.now() + 15 * 60_000 + 1_000);
    const late = await registerVerify(token, credential);
    expect([late.res.status, late.body.error.code]).toEqual([403, "reauthentication_required"]);
    expect(await passkeyRows(user.id)).toEqual([]);
    expect((await auditOf("session.reauthenticate", user.id)).map((r) => r.outcome)).toEqual(["failure", "success"]);
  });
});

describe("malformed input answers 400 with a stable code, never a 500", () => {
  it("broken CBOR, attestation objects and envelopes at register_verify", async () => {
    const site = await passkeySite();
    const { token } = await signedInUser(site);
    const options = await registerOptions(token);
    const valid = await new SoftAuthenticator().register(options.body.options, { origin: ORIGIN });
    const att = fromB64u(valid.response.attestationObject);
    const cases: unknown[] = [
      { ...valid, response: { ...valid.response, attestationObject: toB64u(att.slice(0, 20)) } },
      { ...valid, response: { ...valid.response, attestationObject: toB64u(Uint8Array.of(0xbf, 0x61, 0x66)) } },
      { ...valid, response: { ...valid.response, attestationObject: toB64u(encodeCbor(new Map([["fmt", "packed"]]))) } },
      { ...valid, response: { ...valid.response, attestationObject: "!!not base64!!" } },
      { ...valid, response: { ...valid.response, clientDataJSON: toB64u(new TextEncoder().encode("{not json")) } },
      { ...valid, rawId: "AAAA" },
      { ...valid, type: "password" },
      { ...valid, response: "nope" },
      "a string",
      { id: 5 },
    ];
    for (const credential of cases) {
      // Fresh options each time: every verification uses the user's open challenge up.
      await registerOptions(token);
      const res = await staffPost("/api/auth_passkey_register_verify", token, { credential });
      const body = await json(res);
      expect(res.status, JSON.stringify(credential).slice(0, 80)).toBe(400);
      expect(PASSKEY_CODES).toContain(body.error.code);
      expect(body.ok).toBe(false);
    }
  });

  it("random byte flips in a valid assertion at login_verify: always a 4xx with a passkey code", async () => {
    const site = await passkeySite();
    const { authenticator } = await userWithPasskey(site, { counter: "zero" });
    for (let i = 0; i < 12; i++) {
      const valid = await assertion(site, authenticator);
      const field = (["authenticatorData", "signature", "clientDataJSON"] as const)[i % 3]!;
      const bytes = fromB64u(valid.response[field]);
      bytes[(i * 7) % bytes.length]! ^= 1 << (i % 8);
      const { res, body } = await loginVerify(site, { ...valid, response: { ...valid.response, [field]: toB64u(bytes) } });
      expect(res.status, field).toBeLessThan(500);
      expect(res.status, field).toBeGreaterThanOrEqual(400);
      expect([...PASSKEY_CODES, "passkey_counter_regressed"]).toContain(body.error.code);
    }
  });
});
