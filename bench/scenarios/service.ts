import { sha256Hex } from "../../src/crypto/hmac";
import { hasKeyShape } from "../../src/crypto/key-secret";
import type { Scenario } from "../lib/types";

// Issue 5: the two service routes backends call on every request, under 32 connections, against the
// floor that makes one indexed D1 point read. Both authenticate with a row service key (not the
// bootstrap key) holding exactly the two scopes. Keys are rows inserted in setup: only SHA-256 of the
// secret is stored (src/crypto/key-secret.ts), so a fixed known secret of the right shape works.

const USER_ID = "usr_svc_1";
const API_KEY = `a2k_0123456789ab_${"A".repeat(21)}bench${"B".repeat(17)}`;
const SERVICE_KEY = `a2s_ba9876543210_${"C".repeat(21)}bench${"D".repeat(17)}`;

const scenario: Scenario = {
  name: "service",
  description: "auth_api_key_verify and service/user_resolve with a scoped service key vs one D1 read, 32 connections",
  order: 50,
  async setup(ctx) {
    if (!hasKeyShape("a2k_", API_KEY) || !hasKeyShape("a2s_", SERVICE_KEY)) throw new Error("service setup: key secrets have the wrong shape");
    await ctx.seedUsers(1, { idPrefix: "usr_svc_", emailPrefix: "svc" });
    const now = Date.now();
    await ctx.sql(
      "INSERT INTO user_api_keys (id, user_id, name, prefix, secret_hash, scopes, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
      "key_bench_1",
      USER_ID,
      "bench key",
      API_KEY.slice(0, 16),
      sha256Hex(API_KEY),
      "[]",
      now,
    );
    await ctx.sql(
      "INSERT INTO service_keys (id, name, prefix, secret_hash, scopes, created_by, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)",
      "svk_bench_1",
      "bench backend",
      SERVICE_KEY.slice(0, 16),
      sha256Hex(SERVICE_KEY),
      JSON.stringify(["api_key_verify", "user_resolve"]),
      now,
    );
    // Prove both routes answer what we expect before measuring them.
    const headers = { "x-service-key": SERVICE_KEY };
    const v = await ctx.call("/api/auth_api_key_verify", { json: { api_key: API_KEY }, headers });
    const vb = (await v.json()) as { valid?: boolean; user?: { id?: string } };
    if (v.status !== 200 || vb.valid !== true) throw new Error(`service setup: api_key_verify ${v.status} ${JSON.stringify(vb)}`);
    const r = await ctx.call("/api/service/user_resolve", { json: { auth_user_id: USER_ID }, headers });
    if (r.status !== 200) throw new Error(`service setup: user_resolve ${r.status} ${await r.text()}`);
  },
  routes: [
    {
      label: "api_key_verify",
      request: { method: "POST", path: "/api/auth_api_key_verify", headers: { "x-service-key": SERVICE_KEY }, body: { api_key: API_KEY } },
      floor: "d1",
      targets: { minRatioRps: 0.7, maxRatioP99: 2 },
    },
    {
      label: "user_resolve",
      request: { method: "POST", path: "/api/service/user_resolve", headers: { "x-service-key": SERVICE_KEY }, body: { auth_user_id: USER_ID } },
      floor: "d1",
      targets: { minRatioRps: 0.7, maxRatioP99: 2 },
    },
  ],
};

export default scenario;
