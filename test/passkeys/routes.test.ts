import { afterEach, describe, expect, it, vi } from "vitest";
import { captureMail } from "../mail-capture";
import { sessionRows } from "../login/helpers";
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

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("adding a passkey (auth_passkey_register_options / _verify)", () => {
  it("options: the RP, an opaque user handle, attestation none, resident key and UV preferred, the user's passkeys excluded", async () => {
    const site = await passkeySite();
    const { user, token } = await signedInUser(site);
    const { res, body } = await registerOptions(token);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toContain("no-store");
    expect(body.options).toMatchObject({
      rp: { id: "auth.test", name: "Auth2" },
      user: { name: user.email },
      attestation: "none",
      authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
      excludeCredentials: [],
      timeout: 300_000,
    });
    expect(body.options.user.id).not.toContain(user.id);
    const authenticator = new SoftAuthenticator();
    await addPasskey(token, authenticator);
    const again = await registerOptions(token);
    expect(again.body.options.excludeCredentials).toEqual([{ id: authenticator.credentials[0]!.id, type: "public-key", transports: ["hybrid", "internal"] }]);
    expect(again.body.options.user.id).toBe(body.options.user.id);
  });

  it("verify stores the passkey, answers its view, audits it and mails the owner a notice", async () => {
    const mail = captureMail();
    const site = await passkeySite();
    const { user, token } = await signedInUser(site);
    const authenticator = new SoftAuthenticator();
    const options = await registerOptions(token);
    const credential = await authenticator.register(options.body.options, { origin: ORIGIN });
    const { res, body } = await registerVerify(token, credential, "Work laptop");
    expect(res.status).toBe(200);
    expect(body.passkey).toEqual({
      id: expect.any(String),
      name: "Work laptop",
      created_at: expect.any(String),
      last_used_at: null,
      transports: ["hybrid", "internal"],
      aaguid: "a24a572e-5061-7373-6b65-795465737431",
      provider_name: null,
      backed_up: true,
      device_type: "multiDevice",
      flagged_at: null,
    });
    const rows = await passkeyRows(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: body.passkey.id, credential_id: credential.id, sign_counter: 0, name: "Work laptop" });
    const [audit] = await auditOf("passkey.register", user.id);
    expect(audit).toMatchObject({ actor_id: user.id, outcome: "success", site_key: site, details: { passkey_id: body.passkey.id, user_verified: true } });
    await vi.waitFor(() => expect(mail.last(user.email, "passkey_added")).toBeDefined());
    expect(mail.last(user.email, "passkey_added")!.data).toMatchObject({ passkey_name: "Work laptop" });
  });

  it("an unnamed passkey is named after its provider where the AAGUID is known", async () => {
    const site = await passkeySite();
    const { token } = await signedInUser(site);
    const icloud = Uint8Array.from("fbfc3007154e4ecc8c0b6e020557d7bd".match(/../g)!.map((h) => parseInt(h, 16)));
    await addPasskey(token, new SoftAuthenticator({ aaguid: icloud }));
    await addPasskey(token, new SoftAuthenticator({ aaguid: new Uint8Array(16), backupEligible: false, backedUp: false }));
    const { body } = await json200(staffGet("/api/auth_passkeys_list", token));
    expect(body.passkeys.map((p: any) => [p.name, p.provider_name])).toEqual([
      ["iCloud Keychain", "iCloud Keychain"],
      ["Security key", null],
    ]);
  });

  it("the same credential cannot be registered twice (409), and nothing is mailed for it", async () => {
    const site = await passkeySite();
    const { token } = await signedInUser(site);
    const authenticator = new SoftAuthenticator();
    const options = await registerOptions(token);
    const credential = await authenticator.register(options.body.options, { origin: ORIGIN });
    expect((await registerVerify(token, credential)).res.status).toBe(200);
    // A client replaying the same attestation object against fresh options: with attestation "none"
    // nothing signs clientDataJSON, so only the challenge in it needs to change.
    const fresh = await registerOptions(token);
    const clientData = JSON.parse(new TextDecoder().decode(fromB64u(credential.response.clientDataJSON)));
    const replay = { ...credential, response: { ...credential.response, clientDataJSON: toB64u(new TextEncoder().encode(JSON.stringify({ ...clientData, challenge: fresh.body.options.challenge }))) } };
    const mail = captureMail();
    const { res, body } = await registerVerify(token, replay);
    expect([res.status, body.error.code]).toEqual([409, "conflict"]);
    expect(mail.messages()).toEqual([]);
  });

  it("passkey_mode off: 403 passkeys_disabled for options and verify", async () => {
    const site = await passkeySite({ passkey_mode: "off" });
    const { token } = await signedInUser(site);
    const { res, body } = await registerOptions(token);
    expect([res.status, body.error.code]).toEqual([403, "passkeys_disabled"]);
    const verify = await registerVerify(token, { id: "x", rawId: "x", type: "public-key", response: { clientDataJSON: "x", attestationObject: "x" } });
    expect([verify.res.status, verify.body.error.code]).toEqual([403, "passkeys_disabled"]);
  });
});

async function json200(promise: Promise<Response>) {
  const res = await promise;
  expect(res.status).toBe(200);
  return { res, body: (await res.json()) as Record<string, any> };
}

describe("managing passkeys (list, rename, delete)", () => {
  it("lists, renames and deletes the user's own passkeys; each write is audited", async () => {
    const site = await passkeySite();
    const { user, token } = await signedInUser(site);
    const first = await addPasskey(token, new SoftAuthenticator(), {}, "Phone");
    const second = await addPasskey(token, new SoftAuthenticator(), {}, "Key");
    const listed = await json200(staffGet("/api/auth_passkeys_list", token));
    expect(listed.body.passkeys.map((p: any) => [p.id, p.name])).toEqual([
      [first, "Phone"],
      [second, "Key"],
    ]);
    const renamed = await json200(staffPost("/api/auth_passkeys_rename", token, { id: first, name: "  Pixel  " }));
    expect(renamed.body.passkey).toMatchObject({ id: first, name: "Pixel" });
    await json200(staffPost("/api/auth_passkeys_delete", token, { id: second }));
    expect((await json200(staffGet("/api/auth_passkeys_list", token))).body.passkeys.map((p: any) => p.id)).toEqual([first]);
    expect((await auditOf("passkey.rename", user.id))[0]).toMatchObject({ outcome: "success", details: { passkey_id: first } });
    expect((await auditOf("passkey.delete", user.id))[0]).toMatchObject({ outcome: "success", details: { passkey_id: second } });
  });

  it("another user's passkey id is not found (404) and stays untouched", async () => {
    const site = await passkeySite();
    const a = await userWithPasskey(site);
    const b = await signedInUser(site);
    for (const [path, body] of [
      ["/api/auth_passkeys_rename", { id: a.passkeyId, name: "mine now" }],
      ["/api/auth_passkeys_delete", { id: a.passkeyId }],
    ] as const) {
      const res = await staffPost(path, b.token, body);
      expect([res.status, ((await res.json()) as any).error.code]).toEqual([404, "passkey_not_found"]);
    }
    expect(await passkeyRows(a.user.id)).toEqual([expect.objectContaining({ id: a.passkeyId, name: "Passkey" })]);
    expect(await auditOf("passkey.delete", b.user.id)).toEqual([]);
  });

  it("a deleted passkey no longer signs in", async () => {
    const site = await passkeySite();
    const { token, authenticator, passkeyId } = await userWithPasskey(site);
    await json200(staffPost("/api/auth_passkeys_delete", token, { id: passkeyId }));
    const { res, body } = await passkeyLogin(site, authenticator);
    expect([res.status, body.error.code]).toEqual([404, "passkey_not_found"]);
  });
});

describe("signing in with a passkey (auth_passkey_login_options / _verify)", () => {
  it("discoverable: options without allowCredentials; verify answers like auth_login with a session, cookie and login.success", async () => {
    const site = await passkeySite();
    const { user, authenticator, passkeyId } = await userWithPasskey(site);
    const options = await loginOptions(site);
    expect(options.res.status).toBe(200);
    expect(options.body.options).toMatchObject({ rpId: "auth.test", allowCredentials: [], userVerification: "preferred", timeout: 300_000 });
    const { res, body } = await loginVerify(site, await authenticator.authenticate(options.body.options, { origin: ORIGIN }));
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ ok: true, status: "authenticated", session: { token: expect.any(String) }, user: { auth_user_id: user.id, email: user.email } });
    expect(res.headers.get("Set-Cookie")).toContain("__Host-auth2_session=");
    const session = await me(body.session.token);
    expect(session.body.session).toMatchObject({ site_key: site, factors: ["passkey", "uv"] });
    const [success] = (await auditOf("login.success", user.id)).filter((r) => r.details.method === "passkey");
    expect(success).toMatchObject({ outcome: "success", site_key: site, details: { factors: ["passkey", "uv"], passkey_id: passkeyId } });
    const [row] = await passkeyRows(user.id);
    expect(row).toMatchObject({ sign_counter: 1, last_used_at: expect.any(Number) });
  });

  it("with an email: the account's passkeys in allowCredentials; the sign-in works", async () => {
    const site = await passkeySite();
    const { user, authenticator } = await userWithPasskey(site);
    const options = await loginOptions(site, user.email.toUpperCase());
    expect(options.body.options.allowCredentials).toEqual([{ id: authenticator.credentials[0]!.id, type: "public-key", transports: ["hybrid", "internal"] }]);
    const { res, body } = await loginVerify(site, await authenticator.authenticate(options.body.options, { origin: ORIGIN }));
    expect([res.status, body.status]).toEqual([200, "authenticated"]);
  });

  it("a device-bound key records hwk; without UV on a site without 2FA the session is one factor", async () => {
    const site = await passkeySite({ twofa_mode: "off" });
    const { authenticator } = await userWithPasskey(site, { backupEligible: false, backedUp: false, userVerification: false });
    const { body } = await passkeyLogin(site, authenticator);
    expect(body.status).toBe("authenticated");
    expect((await me(body.session.token)).body.session.factors).toEqual(["passkey", "hwk"]);
  });

  it("the session keeps the site's TTL and is bound to the site", async () => {
    const site = await passkeySite({ session_ttl_seconds: 900, idle_timeout_seconds: 300 });
    const { authenticator } = await userWithPasskey(site);
    const now = Date.now();
    const { body } = await passkeyLogin(site, authenticator);
    expect(Date.parse(body.session.expires_at) - now).toBeGreaterThan(890_000);
    expect(Date.parse(body.session.expires_at) - now).toBeLessThanOrEqual(901_000);
    const rows = await sessionRows(body.user.auth_user_id);
    expect(rows.find((r) => r.site_key === site && JSON.parse(String(r.factors))[0] === "passkey")).toBeDefined();
  });

  it("a disabled account: the key proves possession, but no session (403 user_inactive, audited)", async () => {
    const site = await passkeySite();
    const { user, authenticator } = await userWithPasskey(site);
    const options = await assertion(site, authenticator);
    await (await import("cloudflare:test")).env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(user.id).run();
    const { res, body } = await loginVerify(site, options);
    expect([res.status, body.error.code]).toEqual([403, "user_inactive"]);
    const failures = (await auditOf("login.failure", user.id)).filter((r) => r.details.method === "passkey");
    expect(failures.at(-1)).toMatchObject({ details: { reason: "account_disabled" } });
  });

  it("passkey_mode off: both routes answer 403 passkeys_disabled", async () => {
    const site = await passkeySite({ passkey_mode: "off" });
    const { res, body } = await loginOptions(site);
    expect([res.status, body.error.code]).toEqual([403, "passkeys_disabled"]);
    const verify = await loginVerify(site, { id: "AAAA", rawId: "AAAA", type: "public-key", response: { clientDataJSON: "AA", authenticatorData: "AA", signature: "AA" } });
    expect([verify.res.status, verify.body.error.code]).toEqual([403, "passkeys_disabled"]);
  });

  it("options are capped per client like auth_login (60 a minute → 429)", async () => {
    const site = await passkeySite();
    const ip = "198.51.100.77";
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await loginOptions(site, undefined, { "CF-Connecting-IP": ip })).res.status);
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    expect(statuses[60]).toBe(429);
  });
});
