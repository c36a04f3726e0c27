import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/crypto/encoding";
import worker from "../../src/index";
import { FIREBASE_AUDIENCE } from "../../src/services/keys/firebase";
import { json } from "../helpers";
import { auditRows, makeServiceKey, seedUser } from "./helpers";

const CLIENT_EMAIL = "firebase-adminsdk-test@auth2-test.iam.gserviceaccount.com";
let serviceKey: { id: string; secret: string };
let publicKey: CryptoKey;
let otherPublicKey: CryptoKey;
let account: string;

async function rsaPair() {
  return (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
}

async function pemOf(key: CryptoKey) {
  const der = new Uint8Array((await crypto.subtle.exportKey("pkcs8", key)) as ArrayBuffer);
  const b64 = toBase64(der).replace(/.{64}/g, "$&\n");
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

beforeAll(async () => {
  const made = await makeServiceKey(["firebase_token"], "mobile-backend");
  serviceKey = { id: made.key.id, secret: made.secret };
  const pair = await rsaPair();
  publicKey = pair.publicKey;
  otherPublicKey = (await rsaPair()).publicKey;
  account = JSON.stringify({ type: "service_account", project_id: "auth2-test", client_email: CLIENT_EMAIL, private_key: await pemOf(pair.privateKey) });
});

/** Drives the Worker with FIREBASE_SERVICE_ACCOUNT set (or not) for this request only. */
async function mint(body: unknown, serviceAccount: string | null = account, key = serviceKey.secret) {
  const ctx = createExecutionContext();
  const req = new Request("https://auth.test/api/firebase_custom_token", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Service-Key": key, "CF-Connecting-IP": "203.0.113.9" },
    body: JSON.stringify(body),
  });
  const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, { ...env, FIREBASE_SERVICE_ACCOUNT: serviceAccount ?? undefined }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("POST /api/firebase_custom_token", () => {
  it("mints an RS256 custom token that verifies with the service account's public key", async () => {
    const user = await seedUser();
    const before = Math.floor(Date.now() / 1000);
    const res = await mint({ auth_user_id: user.id, claims: { role: "staff", teams: ["a", "b"] }, site_key: "mobile" });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toEqual({ ok: true, token: expect.any(String), uid: user.id, expires_at: expect.any(String) });
    expect(decodeProtectedHeader(body.token)).toEqual({ alg: "RS256", typ: "JWT" });
    const { payload } = await jwtVerify(body.token, publicKey, { algorithms: ["RS256"], audience: FIREBASE_AUDIENCE, issuer: CLIENT_EMAIL, subject: CLIENT_EMAIL });
    expect(payload.uid).toBe(user.id);
    expect(payload.claims).toEqual({ role: "staff", teams: ["a", "b"] });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.exp).toBe(payload.iat! + 3600);
    expect(body.expires_at).toBe(new Date(payload.exp! * 1000).toISOString());
    await expect(jwtVerify(body.token, otherPublicKey)).rejects.toThrow();
    const audit = (await auditRows("service.firebase_custom_token")).find((r) => r.target_id === user.id);
    expect(audit).toMatchObject({ actor_type: "service", actor_id: serviceKey.id, site_key: "mobile", outcome: "success", details: { claim_names: ["role", "teams"] } });
    expect(JSON.stringify(audit)).not.toContain(body.token);
  });

  it("finds the user by email; no claims → no claims member", async () => {
    const user = await seedUser({ email: "fire@example.com" });
    const body = await json(await mint({ email: "FIRE@example.com" }));
    const { payload } = await jwtVerify(body.token, publicKey, { audience: FIREBASE_AUDIENCE });
    expect(payload.uid).toBe(user.id);
    expect(payload).not.toHaveProperty("claims");
  });

  it("refuses reserved claim names, non-objects and claims over 1000 bytes", async () => {
    const user = await seedUser();
    for (const name of ["acr", "amr", "at_hash", "aud", "auth_time", "azp", "cnf", "c_hash", "exp", "iat", "iss", "jti", "nbf", "nonce", "firebase"]) {
      const res = await mint({ auth_user_id: user.id, claims: { [name]: "x", ok: 1 } });
      expect(res.status, name).toBe(400);
      expect((await json(res)).error.fields.claims).toContain(name);
    }
    for (const claims of [["a"], "[1]", "not json", 5]) {
      expect((await mint({ auth_user_id: user.id, claims })).status, JSON.stringify(claims)).toBe(400);
    }
    expect((await mint({ auth_user_id: user.id, claims: { pad: "x".repeat(1000) } })).status).toBe(400);
    expect((await mint({ auth_user_id: user.id, claims: { pad: "x".repeat(980) } })).status).toBe(200);
  });

  it("accepts claims as JSON text (form posts cannot carry objects)", async () => {
    const user = await seedUser();
    const body = await json(await mint({ auth_user_id: user.id, claims: '{"tier":"gold"}' }));
    const { payload } = await jwtVerify(body.token, publicKey, { audience: FIREBASE_AUDIENCE });
    expect(payload.claims).toEqual({ tier: "gold" });
  });

  it("mints only for active users; unknown → 404", async () => {
    for (const status of ["pending", "disabled"] as const) {
      const user = await seedUser({ status });
      const res = await mint({ auth_user_id: user.id });
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe("user_inactive");
    }
    const res = await mint({ auth_user_id: "nobody" });
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe("user_not_found");
  });

  it("503 firebase_not_configured without a usable service account, without leaking why", async () => {
    const user = await seedUser();
    for (const broken of [null, "", "not json", JSON.stringify({ client_email: CLIENT_EMAIL }), JSON.stringify({ client_email: CLIENT_EMAIL, private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" })]) {
      const res = await mint({ auth_user_id: user.id }, broken);
      expect(res.status, String(broken)).toBe(503);
      const body = await json(res);
      expect(body.error.code).toBe("firebase_not_configured");
      expect(JSON.stringify(body)).not.toMatch(/PRIVATE|client_email|pkcs/i);
    }
    // A fixed secret works at once (a broken import is not cached).
    expect((await mint({ auth_user_id: user.id })).status).toBe(200);
  });

  it("picks up a rotated service account", async () => {
    const user = await seedUser();
    const pair = await rsaPair();
    const rotated = JSON.stringify({ client_email: "rotated@x.iam.gserviceaccount.com", private_key: await pemOf(pair.privateKey) });
    const body = await json(await mint({ auth_user_id: user.id }, rotated));
    const { payload } = await jwtVerify(body.token, pair.publicKey, { audience: FIREBASE_AUDIENCE });
    expect(payload.iss).toBe("rotated@x.iam.gserviceaccount.com");
  });

  it("needs the firebase_token scope even with a service account configured", async () => {
    const user = await seedUser();
    const other = await makeServiceKey(["user_resolve"]);
    const res = await mint({ auth_user_id: user.id }, account, other.secret);
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("scope_denied");
    expect((await mint({ auth_user_id: user.id }, account, "")).status).toBe(401);
  });
});
