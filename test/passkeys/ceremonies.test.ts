import { describe, expect, it } from "vitest";
import { fakePasskeyDescriptors } from "../../src/services/passkeys/fake-credentials";
import { findPasskeyByCredentialId, findPasskeyDescriptorsByEmail, findUserHandle, listPasskeysByUser, recordPasskeyUse } from "../../src/store/passkeys";
import { db } from "../helpers";
import { DECOY_KEY, ORIGIN, authenticationOptions, createUser, registerPasskey, registrationOptions, verifyAuthentication, verifyRegistration } from "./fixtures";
import { SoftAuthenticator, type SoftAlgorithm } from "./soft-authenticator";

describe("passkey registration", () => {
  it("options carry an opaque user handle, the RP, attestation none, resident key and UV preferred", async () => {
    const user = await createUser();
    const options = await registrationOptions(user);
    const handle = await findUserHandle(db(), user.id);
    expect(options.user.id).toBe(handle);
    expect(options.user.id).not.toContain(user.id);
    expect(atob(options.user.id.replace(/-/g, "+").replace(/_/g, "/") + "=")).not.toContain(user.email);
    expect(options.user.name).toBe(user.email);
    expect(options.rp).toEqual({ id: "auth.test", name: "Auth2 Test" });
    expect(options.attestation).toBe("none");
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "preferred", userVerification: "preferred", requireResidentKey: false });
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-8, -7, -257]);
    expect(options.excludeCredentials).toEqual([]);
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.timeout).toBe(300_000);
  });

  it("the user handle is created once per user and reused", async () => {
    const user = await createUser();
    const a = await registrationOptions(user);
    const b = await registrationOptions(user);
    expect(a.user.id).toBe(b.user.id);
    const other = await createUser();
    expect((await registrationOptions(other)).user.id).not.toBe(a.user.id);
  });

  for (const algorithm of ["ES256", "EdDSA", "RS256"] as SoftAlgorithm[]) {
    it(`verifies a ${algorithm} passkey and returns what to store`, async () => {
      const user = await createUser();
      const authenticator = new SoftAuthenticator({ algorithm });
      const options = await registrationOptions(user);
      const response = await authenticator.register(options, { origin: ORIGIN });
      const result = await verifyRegistration(user, response);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value).toMatchObject({
        credentialId: response.id,
        signCounter: 0,
        transports: ["hybrid", "internal"],
        backedUp: true,
        deviceType: "multiDevice",
        aaguid: "a24a572e-5061-7373-6b65-795465737431",
        userVerified: true,
      });
      expect(result.value.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
    });
  }

  it("verifies packed self-attestation and a single-device key without UV", async () => {
    const user = await createUser();
    const authenticator = new SoftAuthenticator({ attestation: "packed-self", userVerification: false, backupEligible: false, backedUp: false, aaguid: new Uint8Array(16) });
    const response = await authenticator.register(await registrationOptions(user), { origin: ORIGIN });
    const result = await verifyRegistration(user, response);
    expect(result).toMatchObject({ ok: true, value: { userVerified: false, backedUp: false, deviceType: "singleDevice", aaguid: "00000000-0000-0000-0000-000000000000" } });
  });

  it("lists the user's passkeys in excludeCredentials, and a site origin on the RP ID works", async () => {
    const user = await createUser();
    const authenticator = new SoftAuthenticator();
    await registerPasskey(user, authenticator, { origin: "https://app.auth.test" });
    const options = await registrationOptions(user);
    expect(options.excludeCredentials).toEqual([{ id: authenticator.credentials[0]!.id, type: "public-key", transports: ["hybrid", "internal"] }]);
    // The authenticator refuses to make a second credential for the same account.
    await expect(authenticator.register(options, { origin: ORIGIN })).rejects.toThrow(/InvalidStateError/);
  });
});

describe("passkey sign-in", () => {
  it("discoverable: empty allowCredentials; the assertion names the user; UV and the counter come back", async () => {
    const user = await createUser();
    const authenticator = new SoftAuthenticator();
    const passkeyId = await registerPasskey(user, authenticator);
    const options = await authenticationOptions();
    expect(options).toMatchObject({ rpId: "auth.test", userVerification: "preferred", allowCredentials: [], timeout: 300_000 });
    const result = await verifyAuthentication(await authenticator.authenticate(options, { origin: ORIGIN }));
    expect(result).toEqual({
      ok: true,
      value: {
        passkeyId,
        credentialId: authenticator.credentials[0]!.id,
        userId: user.id,
        userVerified: true,
        newCounter: 1,
        backedUp: true,
        // The stored passkey that answered and the challenge it answered, for the caller's next steps.
        passkey: expect.objectContaining({ id: passkeyId, userId: user.id }),
        challenge: expect.objectContaining({ purpose: "authenticate", anyUser: true, userId: null }),
      },
    });
  });

  it("reports a sign-in without user verification as such", async () => {
    const user = await createUser();
    const authenticator = new SoftAuthenticator({ userVerification: false });
    await registerPasskey(user, authenticator);
    const result = await verifyAuthentication(await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN }));
    expect(result).toMatchObject({ ok: true, value: { userId: user.id, userVerified: false } });
  });

  it("with an email: the user's credentials in allowCredentials, and the sign-in verifies", async () => {
    const user = await createUser();
    const authenticator = new SoftAuthenticator({ counter: "zero" });
    await registerPasskey(user, authenticator);
    const options = await authenticationOptions({ email: user.email, userId: user.id });
    expect(options.allowCredentials).toEqual([{ id: authenticator.credentials[0]!.id, type: "public-key", transports: ["hybrid", "internal"] }]);
    const result = await verifyAuthentication(await authenticator.authenticate(options, { origin: ORIGIN, userHandle: null }));
    expect(result).toMatchObject({ ok: true, value: { userId: user.id, newCounter: 0 } });
  });

  it("an unknown email and a user without passkeys get an answer of the same shape, stable per address", async () => {
    const known = await createUser();
    await registerPasskey(known, new SoftAuthenticator());
    const bare = await createUser();
    const shape = (o: object) => JSON.stringify(o, (_k, v) => (typeof v === "string" ? "s" : v));
    const a = await authenticationOptions({ email: known.email, userId: known.id });
    const b = await authenticationOptions({ email: "nobody@passkeys.test", userId: null });
    const c = await authenticationOptions({ email: bare.email, userId: bare.id });
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const options of [b, c]) {
      expect(options.allowCredentials!.length).toBeGreaterThan(0);
      for (const d of options.allowCredentials!) {
        expect(Object.keys(d).sort()).toEqual(["id", "transports", "type"]);
        expect(d.id).toMatch(/^[A-Za-z0-9_-]{22,86}$/);
      }
    }
    expect(shape({ ...b, allowCredentials: b.allowCredentials!.slice(0, 1) })).toBe(shape({ ...a, allowCredentials: a.allowCredentials!.slice(0, 1) }));
    // Asking twice shows the same list; another address gets another one.
    const again = await authenticationOptions({ email: "nobody@passkeys.test", userId: null });
    expect(again.allowCredentials).toEqual(b.allowCredentials);
    expect(again.challenge).not.toBe(b.challenge);
    expect(fakePasskeyDescriptors(DECOY_KEY, "other@passkeys.test")).not.toEqual(fakePasskeyDescriptors(DECOY_KEY, "nobody@passkeys.test"));
  });

  it("stand-in lists vary like real ones (lengths, one or two entries) across addresses", () => {
    const lists = Array.from({ length: 200 }, (_, i) => fakePasskeyDescriptors(DECOY_KEY, `user${i}@passkeys.test`));
    expect(new Set(lists.map((l) => l.length))).toEqual(new Set([1, 2]));
    expect(new Set(lists.flat().map((d) => d.credentialId.length)).size).toBe(4);
  });

  it("recordPasskeyUse stores the counter, backup state and time; the next sign-in counts on from there", async () => {
    const user = await createUser();
    const authenticator = new SoftAuthenticator();
    const passkeyId = await registerPasskey(user, authenticator);
    for (const expected of [1, 2]) {
      const result = await verifyAuthentication(await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN }));
      expect(result).toMatchObject({ ok: true, value: { newCounter: expected } });
      if (!result.ok) return;
      expect(await recordPasskeyUse(db(), { id: passkeyId, counter: result.value.newCounter, backedUp: result.value.backedUp, now: 1_700_000_000_000 + expected })).toBe(true);
    }
    const [stored] = await listPasskeysByUser(db(), user.id);
    expect(stored).toMatchObject({ id: passkeyId, signCounter: 2, backedUp: true, lastUsedAt: 1_700_000_000_002, transports: ["hybrid", "internal"] });
    expect((await findPasskeyByCredentialId(db(), authenticator.credentials[0]!.id))?.userHandle).toBe(await findUserHandle(db(), user.id));
  });

  it("findPasskeyDescriptorsByEmail: the account and its passkeys in one read; nothing for an unknown address", async () => {
    const user = await createUser();
    const phone = new SoftAuthenticator();
    const key = new SoftAuthenticator({ transports: ["nfc", "usb"] });
    await registerPasskey(user, phone);
    await registerPasskey(user, key);
    const found = await findPasskeyDescriptorsByEmail(db(), user.email);
    expect(found.user).toEqual({ id: user.id, status: "active" });
    const byId = (a: { credentialId: string }, b: { credentialId: string }) => a.credentialId.localeCompare(b.credentialId);
    expect([...found.descriptors].sort(byId)).toEqual(
      [
        { credentialId: phone.credentials[0]!.id, transports: ["hybrid", "internal"] },
        { credentialId: key.credentials[0]!.id, transports: ["nfc", "usb"] },
      ].sort(byId),
    );
    const bare = await createUser();
    expect(await findPasskeyDescriptorsByEmail(db(), bare.email)).toEqual({ user: { id: bare.id, status: "active" }, descriptors: [] });
    expect(await findPasskeyDescriptorsByEmail(db(), "nobody@passkeys.test")).toEqual({ user: null, descriptors: [] });
  });
});
