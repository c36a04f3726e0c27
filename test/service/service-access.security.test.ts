import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { revokeServiceKey } from "../../src/services/keys/service-keys";
import { call, db, json, systemCtx } from "../helpers";
import { BOOTSTRAP, callService, makeApiKey, makeServiceKey, seedUser } from "./helpers";

const ROUTES = [
  { path: "/api/auth_api_key_verify", scope: "api_key_verify" as const },
  { path: "/api/service/user_resolve", scope: "user_resolve" as const },
  { path: "/api/firebase_custom_token", scope: "firebase_token" as const },
];

let user: Awaited<ReturnType<typeof seedUser>>;
let fullKey: string;
let apiKeySecret: string;
const bodyFor = (path: string) => (path.endsWith("api_key_verify") ? { api_key: apiKeySecret } : { auth_user_id: user.id });

beforeAll(async () => {
  user = await seedUser();
  fullKey = (await makeServiceKey(["user_resolve", "api_key_verify", "firebase_token"])).secret;
  apiKeySecret = (await makeApiKey(user.id)).secret;
});

async function expectInvalidKey(res: Response) {
  expect(res.status).toBe(401);
  const body = await json(res);
  expect(body.error).toEqual({ code: "invalid_service_key", message: "A valid service key is required." });
  expect(Object.keys(body).sort()).toEqual(["error", "ok", "request_id"]);
}

describe("X-Service-Key: every bad key gets the same 401", () => {
  it("missing, empty, wrong, truncated, extended, case-changed", async () => {
    const wrong = fullKey.slice(0, -1) + (fullKey.endsWith("A") ? "B" : "A");
    const caseChanged = fullKey.replace(/[a-z]/g, (ch) => ch.toUpperCase());
    for (const path of ROUTES.map((r) => r.path)) {
      await expectInvalidKey(await callService(path, null, bodyFor(path)));
      await expectInvalidKey(await callService(path, "", bodyFor(path)));
      await expectInvalidKey(await callService(path, wrong, bodyFor(path)));
      await expectInvalidKey(await callService(path, fullKey.slice(0, -5), bodyFor(path)));
      await expectInvalidKey(await callService(path, fullKey.slice(0, 20), bodyFor(path)));
      await expectInvalidKey(await callService(path, fullKey + "x", bodyFor(path)));
      await expectInvalidKey(await callService(path, caseChanged, bodyFor(path)));
      await expectInvalidKey(await callService(path, BOOTSTRAP.toUpperCase(), bodyFor(path)));
      await expectInvalidKey(await callService(path, BOOTSTRAP.slice(0, -1), bodyFor(path)));
      await expectInvalidKey(await callService(path, "x".repeat(5000), bodyFor(path)));
    }
  });

  it("ignores a key in the query string or in the body", async () => {
    for (const path of ROUTES.map((r) => r.path)) {
      for (const q of ["service_key", "X-Service-Key", "x-service-key", "key"]) {
        await expectInvalidKey(await call(`${path}?${q}=${encodeURIComponent(fullKey)}`, { json: bodyFor(path) }));
      }
      await expectInvalidKey(await call(path, { json: { ...bodyFor(path), service_key: fullKey } }));
      await expectInvalidKey(await call(path, { json: bodyFor(path), headers: { Authorization: `Bearer ${fullKey}` } }));
    }
  });

  it("refuses a user API key presented as a service key", async () => {
    for (const path of ROUTES.map((r) => r.path)) await expectInvalidKey(await callService(path, apiKeySecret, bodyFor(path)));
  });

  it("refuses a revoked key on the very next call", async () => {
    const { key, secret } = await makeServiceKey(["user_resolve"]);
    expect((await callService("/api/service/user_resolve", secret, { auth_user_id: user.id })).status).toBe(200);
    await revokeServiceKey(systemCtx(), { type: "system", id: "test" }, key.id);
    await expectInvalidKey(await callService("/api/service/user_resolve", secret, { auth_user_id: user.id }));
  });

  it("answers 401 before validating the body (nothing about the route leaks)", async () => {
    await expectInvalidKey(await callService("/api/service/user_resolve", null, { auth_user_id: 42 }));
  });

  it("disables the bootstrap key when the secret is unset", async () => {
    const ctx = createExecutionContext();
    const req = new Request("https://auth.test/api/service/user_resolve", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Service-Key": BOOTSTRAP },
      body: JSON.stringify({ auth_user_id: user.id }),
    });
    const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, { ...env, SERVICE_BOOTSTRAP_KEY: undefined }, ctx);
    await waitOnExecutionContext(ctx);
    await expectInvalidKey(res);
  });
});

describe("access matrix of the service routes", () => {
  for (const { path, scope } of ROUTES) {
    it(`${path}: anonymous 401, API key 401, other scopes 403, own scope passes, bootstrap passes`, async () => {
      await expectInvalidKey(await callService(path, null, bodyFor(path)));
      await expectInvalidKey(await callService(path, apiKeySecret, bodyFor(path)));
      const others = ROUTES.map((r) => r.scope).filter((s) => s !== scope);
      const without = (await makeServiceKey(others)).secret;
      const denied = await callService(path, without, bodyFor(path));
      expect(denied.status).toBe(403);
      expect((await json(denied)).error.code).toBe("scope_denied");
      const withScope = (await makeServiceKey([scope])).secret;
      // firebase_custom_token has no service account in the test env: 503 proves the guard let it through.
      const passStatus = scope === "firebase_token" ? 503 : 200;
      expect((await callService(path, withScope, bodyFor(path))).status).toBe(passStatus);
      expect((await callService(path, BOOTSTRAP, bodyFor(path))).status).toBe(passStatus);
    });
  }

  it("a session-style Authorization header is not a service credential", async () => {
    for (const path of ROUTES.map((r) => r.path)) {
      await expectInvalidKey(await call(path, { json: bodyFor(path), headers: { Authorization: `Bearer ${user.id}.abcdef` } }));
    }
  });
});
