import { describe, expect, it } from "vitest";
import { PASSKEY_FAILURE_CODES } from "../../src/services/passkeys/types";
import { ORIGIN, authenticationOptions, createUser, registerPasskey, registrationOptions, verifyAuthentication, verifyRegistration } from "./fixtures";
import { encodeCbor } from "./cbor";
import { SoftAuthenticator, fromB64u, toB64u } from "./soft-authenticator";

// Malformed responses end in a typed failure with a stable code, never an exception (which a route
// would turn into a 500). Each case changes one thing in an otherwise valid response.

type Json = Record<string, any>;
const b64 = (text: string) => toB64u(new TextEncoder().encode(text));

function expectTypedFailure(result: { ok: boolean; code?: string }, label: string, code?: string) {
  expect(result.ok, label).toBe(false);
  expect(PASSKEY_FAILURE_CODES, label).toContain(result.code);
  if (code) expect(result.code, label).toBe(code);
}

describe("malformed registration responses", () => {
  it("every broken field is a typed failure", async () => {
    const user = await createUser();
    const valid = (await new SoftAuthenticator().register(await registrationOptions(user), { origin: ORIGIN })) as unknown as Json;
    const withResponse = (patch: Json) => ({ ...valid, response: { ...valid.response, ...patch } });
    const cases: [string, unknown][] = [
      ["null", null],
      ["a string", "credential"],
      ["an array", [valid]],
      ["empty object", {}],
      ["id not base64url", { ...valid, id: "not base64url!", rawId: "not base64url!" }],
      ["id padded", { ...valid, id: `${valid.id}=`, rawId: `${valid.id}=` }],
      ["id too long", { ...valid, id: "A".repeat(2000), rawId: "A".repeat(2000) }],
      ["rawId differs", { ...valid, rawId: toB64u(new Uint8Array(32)) }],
      ["wrong type", { ...valid, type: "password" }],
      ["response missing", { ...valid, response: undefined }],
      ["response a string", { ...valid, response: "x" }],
      ["clientDataJSON missing", withResponse({ clientDataJSON: undefined })],
      ["clientDataJSON a number", withResponse({ clientDataJSON: 5 })],
      ["clientDataJSON bad base64url", withResponse({ clientDataJSON: "%%%" })],
      ["clientDataJSON length 1 mod 4", withResponse({ clientDataJSON: "abcde" })],
      ["clientDataJSON not JSON", withResponse({ clientDataJSON: b64("{not json") })],
      ["clientDataJSON not UTF-8", withResponse({ clientDataJSON: toB64u(Uint8Array.of(0xff, 0xfe, 0x7b, 0x7d)) })],
      ["clientDataJSON an array", withResponse({ clientDataJSON: b64("[1,2]") })],
      ["clientDataJSON without challenge", withResponse({ clientDataJSON: b64(JSON.stringify({ type: "webauthn.create", origin: ORIGIN })) })],
      ["clientDataJSON challenge a number", withResponse({ clientDataJSON: b64(JSON.stringify({ type: "webauthn.create", origin: ORIGIN, challenge: 1 })) })],
      ["clientDataJSON crossOrigin a string", withResponse({ clientDataJSON: b64(JSON.stringify({ type: "webauthn.create", origin: ORIGIN, challenge: "x", crossOrigin: "no" })) })],
      ["attestationObject missing", withResponse({ attestationObject: undefined })],
      ["attestationObject bad base64url", withResponse({ attestationObject: "***" })],
      ["attestationObject random bytes", withResponse({ attestationObject: toB64u(crypto.getRandomValues(new Uint8Array(64))) })],
      ["attestationObject empty CBOR", withResponse({ attestationObject: toB64u(new Uint8Array(0)) })],
      ["attestationObject truncated", withResponse({ attestationObject: toB64u(fromB64u(valid.response.attestationObject).slice(0, 40)) })],
      ["attestationObject a CBOR text", withResponse({ attestationObject: toB64u(encodeCbor("fmt")) })],
      ["attestationObject a CBOR array", withResponse({ attestationObject: toB64u(encodeCbor(["none", new Uint8Array(37)])) })],
      ["attestationObject without authData", withResponse({ attestationObject: toB64u(encodeCbor(new Map<string, any>([["fmt", "none"], ["attStmt", new Map()]]))) })],
      ["authData a string", withResponse({ attestationObject: toB64u(encodeCbor(new Map<string, any>([["fmt", "none"], ["attStmt", new Map()], ["authData", "abc"]]))) })],
      ["authData too short", withResponse({ attestationObject: toB64u(encodeCbor(new Map<string, any>([["fmt", "none"], ["attStmt", new Map()], ["authData", new Uint8Array(20)]]))) })],
      ["fmt unknown", withResponse({ attestationObject: toB64u(encodeCbor(new Map<string, any>([["fmt", "made-up"], ["attStmt", new Map()], ["authData", new Uint8Array(37)]]))) })],
      ["transports not an array", withResponse({ transports: "usb" })],
    ];
    for (const [label, response] of cases) {
      const result = await (verifyRegistration(user, response));
      expectTypedFailure(result, label);
    }
  });

  it("a bad attestation object behind a valid challenge: passkey_invalid, never a throw", async () => {
    const user = await createUser();
    const authenticator = new SoftAuthenticator();
    const valid = (await authenticator.register(await registrationOptions(user), { origin: ORIGIN })) as unknown as Json;
    const authData = new Uint8Array(37); // no attested credential data (AT flag clear)
    const forged = { ...valid, response: { ...valid.response, attestationObject: toB64u(encodeCbor(new Map<string, any>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]))) } };
    expectTypedFailure(await (verifyRegistration(user, forged)), "no credential data");
    // "none" with a statement, "packed" without a signature or with a garbage certificate chain.
    const statements: [string, string, Map<string, any>][] = [
      ["none with a statement", "none", new Map([["sig", new Uint8Array(8)]])],
      ["packed without sig", "packed", new Map([["alg", -7]])],
      ["packed with a bad sig", "packed", new Map<string, any>([["alg", -7], ["sig", new Uint8Array(70)]])],
      ["packed with a garbage x5c", "packed", new Map<string, any>([["alg", -7], ["sig", new Uint8Array(70)], ["x5c", [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])]]])],
      ["tpm without anything", "tpm", new Map()],
      ["fido-u2f without anything", "fido-u2f", new Map()],
    ];
    for (const [label, fmt, attStmt] of statements) {
      const response = await new SoftAuthenticator().register(await registrationOptions(user), { origin: ORIGIN, attestation: { fmt, attStmt } });
      expectTypedFailure(await (verifyRegistration(user, response)), label, "passkey_invalid");
    }
  });

  it("a public key WebCrypto cannot use (off the curve, wrong curve, short RSA, alg mismatch) is refused at registration", async () => {
    const user = await createUser();
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    const keys: [string, Uint8Array][] = [
      ["P-256 point off the curve", encodeCbor(new Map<number, any>([[1, 2], [3, -7], [-1, 1], [-2, random(32)], [-3, random(32)]]))],
      ["P-384 curve under ES256", encodeCbor(new Map<number, any>([[1, 2], [3, -7], [-1, 2], [-2, random(48)], [-3, random(48)]]))],
      ["EC2 key claiming RS256", encodeCbor(new Map<number, any>([[1, 2], [3, -257], [-1, 1], [-2, random(32)], [-3, random(32)]]))],
      ["1024-bit RSA", encodeCbor(new Map<number, any>([[1, 3], [3, -257], [-1, random(128)], [-2, Uint8Array.of(1, 0, 1)]]))],
      ["Ed25519 key of 31 bytes", encodeCbor(new Map<number, any>([[1, 1], [3, -8], [-1, 6], [-2, random(31)]]))],
    ];
    for (const [label, coseKey] of keys) {
      const response = await new SoftAuthenticator().register(await registrationOptions(user), { origin: ORIGIN, coseKey });
      expectTypedFailure(await verifyRegistration(user, response), label, "passkey_invalid");
    }
  });

  it("random corruption of a valid attestation object or clientDataJSON never throws (and fails typed when it fails)", async () => {
    const user = await createUser();
    for (let i = 0; i < 30; i++) {
      const valid = (await new SoftAuthenticator().register(await registrationOptions(user), { origin: ORIGIN })) as unknown as Json;
      const field = i % 3 === 0 ? "clientDataJSON" : "attestationObject";
      const bytes = fromB64u(valid.response[field]);
      const at = (i * 7919) % bytes.length;
      bytes[at]! ^= 1 << i % 8;
      const result = await (verifyRegistration(user, { ...valid, response: { ...valid.response, [field]: toB64u(bytes) } }));
      // Nothing signs a "none" registration, so a flip in a part nobody reads (an unknown
      // clientDataJSON key, the AAGUID) may still verify; what must never happen is a throw.
      if (!result.ok) expectTypedFailure(result, `${field}[${at}]`);
    }
  });
});

describe("malformed authentication responses", () => {
  it("every broken field is a typed failure", async () => {
    const user = await createUser();
    const authenticator = new SoftAuthenticator();
    await registerPasskey(user, authenticator);
    const valid = (await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN })) as unknown as Json;
    const withResponse = (patch: Json) => ({ ...valid, response: { ...valid.response, ...patch } });
    const cases: [string, unknown, string?][] = [
      ["undefined", undefined],
      ["a number", 42],
      ["id not base64url", { ...valid, id: "a b", rawId: "a b" }],
      ["wrong type", { ...valid, type: "public-key-ish" }],
      ["authenticatorData missing", withResponse({ authenticatorData: undefined })],
      ["authenticatorData too short", withResponse({ authenticatorData: toB64u(new Uint8Array(10)) })],
      ["authenticatorData not base64url", withResponse({ authenticatorData: "+/+/" })],
      ["signature missing", withResponse({ signature: undefined })],
      ["signature empty", withResponse({ signature: "" })],
      ["signature not DER", withResponse({ signature: toB64u(new Uint8Array(64)) }), "passkey_invalid"],
      ["signature too long", withResponse({ signature: "A".repeat(5000) })],
      ["userHandle a number", withResponse({ userHandle: 7 })],
      ["userHandle not base64url", withResponse({ userHandle: "???" })],
      ["clientDataJSON not JSON", withResponse({ clientDataJSON: b64("nope") })],
      ["unknown credential", { ...valid, id: toB64u(new Uint8Array(16)), rawId: toB64u(new Uint8Array(16)) }],
    ];
    for (const [label, response, code] of cases) {
      // Each case gets a fresh valid challenge when its clientDataJSON is intact, so the failure is the field's.
      const fresh = (await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN })) as unknown as Json;
      const patched = response && typeof response === "object" && "response" in (response as Json) && (response as Json).response?.clientDataJSON === valid.response.clientDataJSON
        ? { ...(response as Json), response: { ...(response as Json).response, clientDataJSON: fresh.response.clientDataJSON } }
        : response;
      const result = await (verifyAuthentication(patched));
      expectTypedFailure(result, label, code);
    }
  });

  it("random corruption of authenticatorData, signature or clientDataJSON (all signed) always fails typed, never throws", async () => {
    const user = await createUser();
    const authenticator = new SoftAuthenticator();
    await registerPasskey(user, authenticator);
    const fields = ["authenticatorData", "signature", "clientDataJSON"] as const;
    for (let i = 0; i < 30; i++) {
      const valid = (await authenticator.authenticate(await authenticationOptions(), { origin: ORIGIN })) as unknown as Json;
      const field = fields[i % 3]!;
      const bytes = fromB64u(valid.response[field]);
      const at = (i * 104729) % bytes.length;
      bytes[at]! ^= 1 << i % 8;
      const result = await (verifyAuthentication({ ...valid, response: { ...valid.response, [field]: toB64u(bytes) } }));
      expectTypedFailure(result, `${field}[${at}]`);
    }
  });
});
