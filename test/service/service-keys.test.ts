import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/crypto/hmac";
import { AppError } from "../../src/lib/errors";
import {
  BOOTSTRAP_KEY_ID,
  createServiceKey,
  listServiceKeys,
  revokeServiceKey,
} from "../../src/services/keys/service-keys";
import { authorizeServiceCall, screenServiceKey } from "../../src/services/keys/service-auth";
import { findServiceKeyById } from "../../src/store/service-keys";
import { db, testCtx } from "../helpers";
import { BOOTSTRAP, auditRows, makeServiceKey } from "./helpers";

const system = { type: "system" as const, id: "test" };

/** The principal a presented key authorises for user_resolve (every key made here has it), or null for the 401. */
async function verifyServiceKey(_d: ReturnType<typeof db>, bootstrap: string | undefined, presented: string, now?: number) {
  const credential = screenServiceKey(bootstrap, presented);
  if (!credential) return null;
  try {
    return (await authorizeServiceCall(systemAt(now), { scope: "user_resolve", credential, principal: null }, null)).principal;
  } catch (err) {
    if (err instanceof AppError && err.code === "invalid_service_key") return null;
    throw err;
  }
}

/** A context for setup work at `now` (no request meta: its audit rows carry none). */
function systemAt(now = Date.now()) {
  return testCtx({ now, meta: { requestId: "", ip: "", userAgent: "" } });
}

describe("service keys: create, list, revoke", () => {
  it("shows the secret once and stores only its SHA-256", async () => {
    const { key, secret } = await makeServiceKey(["user_resolve", "firebase_token"], "payroll");
    expect(secret).toMatch(/^a2s_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(key.prefix + "_")).toBe(true);
    expect(key).toEqual({
      id: expect.stringMatching(/^sk_/),
      name: "payroll",
      prefix: expect.stringMatching(/^a2s_[0-9a-f]{12}$/),
      scopes: ["user_resolve", "firebase_token"],
      created_by: "test",
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
    });
    const row = await env.DB.prepare("SELECT * FROM service_keys WHERE id = ?").bind(key.id).first<Record<string, unknown>>();
    expect(row!.secret_hash).toBe(sha256Hex(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(17));
  });

  it("generates different secrets each time (≥ 128 random bits)", async () => {
    const a = await makeServiceKey(["user_resolve"]);
    const b = await makeServiceKey(["user_resolve"]);
    expect(a.secret).not.toBe(b.secret);
    expect(a.key.prefix).not.toBe(b.key.prefix);
    // 43 base64url characters = 256 bits after the public prefix.
    expect(a.secret.split("_").slice(2).join("_").length).toBeGreaterThanOrEqual(43);
  });

  it("refuses unknown or empty scopes and bad names", async () => {
    await expect(createServiceKey(systemAt(), system, { name: "x", scopes: ["admin"], createdBy: null })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(createServiceKey(systemAt(), system, { name: "x", scopes: [], createdBy: null })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(createServiceKey(systemAt(), system, { name: "   ", scopes: ["user_resolve"], createdBy: null })).rejects.toBeInstanceOf(AppError);
    await expect(createServiceKey(systemAt(), system, { name: "n".repeat(101), scopes: ["user_resolve"], createdBy: null })).rejects.toBeInstanceOf(AppError);
  });

  it("lists keys without secrets or hashes", async () => {
    const { secret } = await makeServiceKey(["api_key_verify"], "listed");
    const keys = await listServiceKeys(systemAt());
    const listed = keys.find((k) => k.name === "listed");
    expect(listed).toBeDefined();
    const text = JSON.stringify(keys);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(sha256Hex(secret));
    expect(text).not.toMatch(/secret|hash/);
  });

  it("audits create and revoke with the acting admin", async () => {
    const { key } = await makeServiceKey(["user_resolve"], "audited");
    await revokeServiceKey(systemAt(), { type: "admin", id: "adm_1" }, key.id);
    const created = (await auditRows("service_key.create")).find((r) => r.target_id === key.id);
    expect(created).toMatchObject({ actor_type: "system", outcome: "success", details: { name: "audited", scopes: ["user_resolve"] } });
    const revoked = (await auditRows("service_key.revoke")).filter((r) => r.target_id === key.id);
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ actor_type: "admin", actor_id: "adm_1" });
  });

  it("revokes immediately; revoking twice keeps the first time; unknown id → not_found", async () => {
    const { key, secret } = await makeServiceKey(["user_resolve"]);
    expect(await verifyServiceKey(db(), undefined, secret)).toMatchObject({ id: key.id, bootstrap: false });
    const first = await revokeServiceKey(systemAt(1_000), system, key.id);
    expect(first.revoked_at).toBe(new Date(1_000).toISOString());
    expect(await verifyServiceKey(db(), undefined, secret)).toBeNull();
    const second = await revokeServiceKey(systemAt(2_000), system, key.id);
    expect(second.revoked_at).toBe(new Date(1_000).toISOString());
    await expect(revokeServiceKey(systemAt(), system, "sk_nope")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("service keys: verify", () => {
  it("accepts the bootstrap key with every scope", async () => {
    expect(await verifyServiceKey(db(), BOOTSTRAP, BOOTSTRAP)).toEqual({
      id: BOOTSTRAP_KEY_ID,
      name: "bootstrap",
      scopes: ["user_resolve", "api_key_verify", "firebase_token"],
      bootstrap: true,
    });
  });

  it("ignores a bootstrap secret that is too short to be safe, or unset", async () => {
    expect(await verifyServiceKey(db(), "short-secret", "short-secret")).toBeNull();
    expect(await verifyServiceKey(db(), undefined, BOOTSTRAP)).toBeNull();
    expect(await verifyServiceKey(db(), "", "")).toBeNull();
  });

  it("writes last_used_at at most once a minute", async () => {
    const { key, secret } = await makeServiceKey(["user_resolve"]);
    const t0 = 1_700_000_000_000;
    await verifyServiceKey(db(), undefined, secret, t0);
    expect((await findServiceKeyById(db(), key.id))!.lastUsedAt).toBe(t0);
    await verifyServiceKey(db(), undefined, secret, t0 + 59_000);
    expect((await findServiceKeyById(db(), key.id))!.lastUsedAt).toBe(t0);
    await verifyServiceKey(db(), undefined, secret, t0 + 61_000);
    expect((await findServiceKeyById(db(), key.id))!.lastUsedAt).toBe(t0 + 61_000);
  });
});
