import { afterEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { isSignCounterRegression } from "../../src/services/passkeys/counter";
import { schema } from "../../src/store/db";
import { deletePasskey, insertPasskey, recordPasskeyUse, renamePasskey } from "../../src/store/passkeys";
import { db } from "../helpers";
import { ORIGIN, authenticationOptions, createUser, registerPasskey, registrationOptions, verifyAuthentication, verifyRegistration } from "./fixtures";
import { SoftAuthenticator, fromB64u, toB64u } from "./soft-authenticator";

afterEach(() => {
  vi.useRealTimers();
});

async function enrolled(options: ConstructorParameters<typeof SoftAuthenticator>[0] = {}) {
  const user = await createUser();
  const authenticator = new SoftAuthenticator(options);
  const passkeyId = await registerPasskey(user, authenticator);
  return { user, authenticator, passkeyId };
}

describe("passkeys: challenges", () => {
  it("a registration response used twice: the second is refused", async () => {
    const user = await createUser();
    const response = await new SoftAuthenticator().register(await registrationOptions(user), { origin: ORIGIN });
    expect((await verifyRegistration(user, response)).ok).toBe(true);
    expect(await verifyRegistration(user, response)).toMatchObject({ ok: false, code: "passkey_challenge_invalid" });
  });

  it("a sign-in assertion used twice (replay): the second is refused", async () => {
    const { authenticator } = await enrolled();
    const assertion = await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN });
    expect((await verifyAuthentication(assertion)).ok).toBe(true);
    expect(await verifyAuthentication(assertion)).toMatchObject({ ok: false, code: "passkey_challenge_invalid" });
  });

  it("a failed verification uses the challenge up (one attempt per challenge)", async () => {
    const { authenticator } = await enrolled();
    const options = await authenticationOptions();
    expect((await verifyAuthentication(await authenticator.authenticate(options, { origin: "https://evil.test" }))).ok).toBe(false);
    expect(await verifyAuthentication(await authenticator.authenticate(options, { origin: ORIGIN }))).toMatchObject({ ok: false, code: "passkey_challenge_invalid" });
  });

  it("a challenge Auth2 never issued, an expired one, and one from another site are refused", async () => {
    const { authenticator } = await enrolled();
    const options = await authenticationOptions();
    const forged = { ...options, challenge: toB64u(crypto.getRandomValues(new Uint8Array(32))) };
    expect(await verifyAuthentication(await authenticator.authenticate(forged, { origin: ORIGIN }))).toMatchObject({ code: "passkey_challenge_invalid" });
    vi.useFakeTimers();
    vi.setSystemTime(Date.now() + 5 * 60_000 + 1);
    expect(await verifyAuthentication(await authenticator.authenticate(options, { origin: ORIGIN }))).toMatchObject({ code: "passkey_challenge_invalid" });
    vi.useRealTimers();
    const other = await authenticationOptions({ siteKey: "another-site" });
    expect(await verifyAuthentication(await authenticator.authenticate(other, { origin: ORIGIN }))).toMatchObject({ code: "passkey_challenge_invalid" });
  });

  it("a registration challenge issued to user A cannot register a passkey for user B", async () => {
    const a = await createUser();
    const b = await createUser();
    const response = await new SoftAuthenticator().register(await registrationOptions(a), { origin: ORIGIN });
    expect(await verifyRegistration(b, response)).toMatchObject({ ok: false, code: "passkey_challenge_invalid" });
  });
});

describe("passkeys: origin and RP ID", () => {
  it("an assertion made for another RP ID is refused", async () => {
    const { authenticator } = await enrolled();
    const result = await verifyAuthentication(await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN, rpId: "evil.test" }));
    expect(result).toMatchObject({ ok: false, code: "passkey_origin_invalid" });
  });

  it("an assertion from another origin (a phishing page relaying the challenge) is refused", async () => {
    const { authenticator } = await enrolled();
    for (const origin of ["https://auth.test.evil.test", "http://auth.test", "https://other.test", "https://auth.test:8443"]) {
      const result = await verifyAuthentication(await authenticator.authenticate(await authenticationOptions(), { origin }));
      expect(result, origin).toMatchObject({ ok: false, code: "passkey_origin_invalid" });
    }
  });

  it("an assertion made inside a cross-origin frame is refused", async () => {
    const { authenticator } = await enrolled();
    const result = await verifyAuthentication(await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN, crossOrigin: true }));
    expect(result).toMatchObject({ ok: false, code: "passkey_origin_invalid" });
  });

  it("registration for another RP ID or origin is refused", async () => {
    const user = await createUser();
    const a = await new SoftAuthenticator().register(await registrationOptions(user), { origin: ORIGIN, rpId: "evil.test" });
    expect(await verifyRegistration(user, a)).toMatchObject({ ok: false, code: "passkey_origin_invalid" });
    const b = await new SoftAuthenticator().register(await registrationOptions(user), { origin: "https://evil.test" });
    expect(await verifyRegistration(user, b)).toMatchObject({ ok: false, code: "passkey_origin_invalid" });
  });

  it("the ceremony type must match (a sign-in response is not a registration)", async () => {
    const user = await createUser();
    const response = await new SoftAuthenticator().register(await registrationOptions(user), { origin: ORIGIN, type: "webauthn.get" });
    expect(await verifyRegistration(user, response)).toMatchObject({ ok: false, code: "passkey_invalid" });
    const { authenticator } = await enrolled();
    const assertion = await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN, type: "webauthn.create" });
    expect(await verifyAuthentication(assertion)).toMatchObject({ ok: false, code: "passkey_invalid" });
  });
});

describe("passkeys: the signature counter", () => {
  it("a counter that goes backwards (or repeats) is refused with its own code and audit fields", async () => {
    const { user, authenticator, passkeyId } = await enrolled();
    await recordPasskeyUse(db(), { id: passkeyId, counter: 5, backedUp: true, now: Date.now() });
    for (const counter of [3, 5, 0]) {
      const result = await verifyAuthentication(await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN, counter }));
      expect(result, String(counter)).toEqual({
        ok: false,
        code: "passkey_counter_regressed",
        reason: `counter ${counter} after 5`,
        audit: { passkey_id: passkeyId, user_id: user.id, stored_counter: 5, presented_counter: counter, already_flagged: false },
      });
    }
    expect((await verifyAuthentication(await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN, counter: 6 }))).ok).toBe(true);
  });

  it("the regression is judged only after the signature verifies: an unsigned low counter is just invalid", async () => {
    const { authenticator, passkeyId } = await enrolled();
    await recordPasskeyUse(db(), { id: passkeyId, counter: 9, backedUp: true, now: Date.now() });
    const assertion = await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN, counter: 2 });
    const sig = fromB64u(assertion.response.signature);
    sig[sig.length - 1]! ^= 0x01;
    const result = await verifyAuthentication({ ...assertion, response: { ...assertion.response, signature: toB64u(sig) } });
    expect(result).toMatchObject({ ok: false, code: "passkey_invalid" });
  });

  it("follows WebAuthn §6.1.1: zero after zero is fine (synced passkeys), otherwise it must grow", () => {
    expect(isSignCounterRegression(0, 0)).toBe(false);
    expect(isSignCounterRegression(0, 1)).toBe(false);
    expect(isSignCounterRegression(4, 5)).toBe(false);
    expect(isSignCounterRegression(5, 5)).toBe(true);
    expect(isSignCounterRegression(5, 4)).toBe(true);
    expect(isSignCounterRegression(5, 0)).toBe(true);
  });

  it("recordPasskeyUse refuses to move the counter backwards (two racing sign-ins)", async () => {
    const { passkeyId } = await enrolled();
    expect(await recordPasskeyUse(db(), { id: passkeyId, counter: 7, backedUp: true, now: 1 })).toBe(true);
    expect(await recordPasskeyUse(db(), { id: passkeyId, counter: 7, backedUp: true, now: 2 })).toBe(false);
    expect(await recordPasskeyUse(db(), { id: passkeyId, counter: 6, backedUp: true, now: 3 })).toBe(false);
  });
});

describe("passkeys: whose credential", () => {
  it("user A's credential presented for user B's email is refused like an unknown one, with audit fields", async () => {
    const a = await enrolled();
    const b = await enrolled();
    const options = await authenticationOptions({ email: b.user.email, userId: b.user.id });
    const assertion = await a.authenticator.authenticate(options, { origin: ORIGIN, credentialId: a.authenticator.credentials[0]!.id });
    expect(await verifyAuthentication(assertion)).toEqual({
      ok: false,
      code: "passkey_not_found",
      reason: "passkey of another user than the challenge's",
      audit: { passkey_id: a.passkeyId, passkey_user_id: a.user.id, expected_user_id: b.user.id },
    });
  });

  it("no passkey answers a challenge issued for an unknown email", async () => {
    const a = await enrolled();
    const options = await authenticationOptions({ email: "ghost@passkeys.test", userId: null });
    const assertion = await a.authenticator.authenticate(options, { origin: ORIGIN, credentialId: a.authenticator.credentials[0]!.id });
    expect(await verifyAuthentication(assertion)).toMatchObject({ ok: false, code: "passkey_not_found" });
  });

  it("a user handle that is not the credential owner's is refused; a discoverable sign-in needs one", async () => {
    const a = await enrolled();
    const b = await enrolled();
    const swapped = await a.authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN, userHandle: b.authenticator.credentials[0]!.userHandle });
    expect(await verifyAuthentication(swapped)).toMatchObject({ ok: false, code: "passkey_not_found" });
    const missing = await a.authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN, userHandle: null });
    expect(await verifyAuthentication(missing)).toMatchObject({ ok: false, code: "passkey_invalid" });
  });

  it("a deleted passkey no longer signs in, and neither does one of a deleted user", async () => {
    const a = await enrolled();
    expect(await deletePasskey(db(), { userId: a.user.id, id: a.passkeyId })).toBe(true);
    const result = await verifyAuthentication(await a.authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN }));
    expect(result).toMatchObject({ ok: false, code: "passkey_not_found" });
    const b = await enrolled();
    await db().delete(schema.users).where(eq(schema.users.id, b.user.id));
    expect(await db().select().from(schema.passkeys).where(eq(schema.passkeys.userId, b.user.id))).toEqual([]);
    expect(await db().select().from(schema.webauthnUserHandles).where(eq(schema.webauthnUserHandles.userId, b.user.id))).toEqual([]);
    expect(await verifyAuthentication(await b.authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN }))).toMatchObject({ code: "passkey_not_found" });
  });

  it("rename and delete touch only the named user's passkey", async () => {
    const a = await enrolled();
    const b = await createUser();
    expect(await renamePasskey(db(), { userId: b.id, id: a.passkeyId, name: "stolen" })).toBe(false);
    expect(await deletePasskey(db(), { userId: b.id, id: a.passkeyId })).toBe(false);
    expect(await renamePasskey(db(), { userId: a.user.id, id: a.passkeyId, name: "Laptop" })).toBe(true);
    const [row] = await db().select().from(schema.passkeys).where(eq(schema.passkeys.id, a.passkeyId));
    expect(row?.name).toBe("Laptop");
  });

  it("a credential id is registered once, across all users", async () => {
    const a = await enrolled();
    const [row] = await db().select().from(schema.passkeys).where(eq(schema.passkeys.id, a.passkeyId));
    const other = await createUser();
    const again = await insertPasskey(db(), { ...row!, userId: other.id, transports: [], name: "copy", now: Date.now() });
    expect(again).toEqual({ ok: false, reason: "duplicate" });
  });
});

describe("passkeys: user verification", () => {
  it("UV missing where required: sign-in and registration refused with their own code", async () => {
    const { authenticator } = await enrolled({ userVerification: false });
    const result = await verifyAuthentication(await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN }), { requireUserVerification: true });
    expect(result).toMatchObject({ ok: false, code: "passkey_user_verification_required" });
    const user = await createUser();
    const response = await new SoftAuthenticator({ userVerification: false }).register(await registrationOptions(user), { origin: ORIGIN });
    expect(await verifyRegistration(user, response, { requireUserVerification: true })).toMatchObject({ ok: false, code: "passkey_user_verification_required" });
  });

  it("UV present where required: accepted and reported", async () => {
    const { authenticator } = await enrolled({ userVerification: false });
    const result = await verifyAuthentication(await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN, uv: true }), { requireUserVerification: true });
    expect(result).toMatchObject({ ok: true, value: { userVerified: true } });
  });

  it("flipping the UV bit after signing breaks the signature", async () => {
    const { authenticator } = await enrolled({ userVerification: false });
    const assertion = await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN });
    const authData = fromB64u(assertion.response.authenticatorData);
    authData[32]! |= 0x04;
    const forged = { ...assertion, response: { ...assertion.response, authenticatorData: toB64u(authData) } };
    expect(await verifyAuthentication(forged, { requireUserVerification: true })).toMatchObject({ ok: false, code: "passkey_invalid" });
  });
});
