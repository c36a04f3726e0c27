import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/crypto/hmac";
import {
  MAX_ACTIVE_API_KEYS,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  verifyApiKey,
} from "../../src/services/keys/api-keys";
import { findApiKeyById } from "../../src/store/api-keys";
import { updateUser } from "../../src/store/users";
import { BASE, db, at } from "../helpers";
import { auditRows, makeApiKey, seedUser } from "./helpers";

async function activeCount(userId: string) {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM user_api_keys WHERE user_id = ? AND revoked_at IS NULL").bind(userId).first<{ n: number }>();
  return row!.n;
}

describe("user API keys: create", () => {
  it("shows the secret once, stores only its SHA-256, with name, prefix, scopes and expiry", async () => {
    const user = await seedUser();
    const now = Date.now();
    const { key, secret } = await createApiKey(at(now), user.id, { name: "  deploy bot ", scopes: ["read", "write", "read"], expires_in_days: 30 });
    expect(secret).toMatch(/^a2k_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(`${key.prefix}_`)).toBe(true);
    expect(key).toEqual({
      id: expect.stringMatching(/^ak_/),
      name: "deploy bot",
      prefix: expect.stringMatching(/^a2k_[0-9a-f]{12}$/),
      scopes: ["read", "write"],
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + 30 * 86_400_000).toISOString(),
      last_used_at: null,
      revoked_at: null,
    });
    const row = await env.DB.prepare("SELECT * FROM user_api_keys WHERE id = ?").bind(key.id).first<Record<string, unknown>>();
    expect(row!.secret_hash).toBe(sha256Hex(secret));
    expect(row!.user_id).toBe(user.id);
    expect(JSON.stringify(row)).not.toContain(secret.slice(17));
    const audit = (await auditRows("api_key.create")).find((r) => r.target_id === key.id);
    expect(audit).toMatchObject({ actor_type: "user", actor_id: user.id, outcome: "success", details: { name: "deploy bot", prefix: key.prefix } });
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it("keys without expires_in_days never expire", async () => {
    const user = await seedUser();
    const { key } = await makeApiKey(user.id);
    expect(key.expires_at).toBeNull();
  });

  it("validates name, scopes and expires_in_days", async () => {
    const user = await seedUser();
    for (const input of [
      { name: "" },
      { name: "x".repeat(101) },
      { name: "ok", scopes: ["Bad Scope"] },
      { name: "ok", scopes: Array.from({ length: 21 }, (_, i) => `s${i}`) },
      { name: "ok", expires_in_days: 0 },
      { name: "ok", expires_in_days: 1.5 },
      { name: "ok", expires_in_days: 3651 },
    ]) {
      await expect(createApiKey(at(), user.id, input), JSON.stringify(input)).rejects.toMatchObject({ code: "invalid_request" });
    }
    expect(await activeCount(user.id)).toBe(0);
  });

  it(`allows at most ${MAX_ACTIVE_API_KEYS} active keys; revoked and expired keys do not count`, async () => {
    const user = await seedUser();
    const now = Date.now();
    for (let i = 0; i < MAX_ACTIVE_API_KEYS; i++) await createApiKey(at(now), user.id, { name: `k${i}` });
    const refused = createApiKey(at(now), user.id, { name: "one too many" });
    await expect(refused).rejects.toMatchObject({ code: "api_key_limit_reached", status: 409 });
    expect((await auditRows("api_key.create")).some((r) => r.actor_id === user.id && r.outcome === "denied")).toBe(true);
    const [first] = await listApiKeys(at(), user.id);
    await revokeApiKey(at(), user.id, first!.id);
    await createApiKey(at(now), user.id, { name: "after revoke" });
    expect(await activeCount(user.id)).toBe(MAX_ACTIVE_API_KEYS);
    // Make one key expired: it no longer counts as active.
    await env.DB.prepare("UPDATE user_api_keys SET expires_at = ? WHERE id = (SELECT id FROM user_api_keys WHERE user_id = ? AND revoked_at IS NULL LIMIT 1)").bind(now - 1, user.id).run();
    await createApiKey(at(now), user.id, { name: "after expiry" });
    await expect(createApiKey(at(now), user.id, { name: "full again" })).rejects.toMatchObject({ code: "api_key_limit_reached" });
  });

  it("parallel creates at the limit never exceed it", async () => {
    const user = await seedUser();
    for (let i = 0; i < MAX_ACTIVE_API_KEYS - 5; i++) await makeApiKey(user.id, { name: `k${i}` });
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => makeApiKey(user.id, { name: `race${i}` })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "api_key_limit_reached" });
    expect(await activeCount(user.id)).toBe(MAX_ACTIVE_API_KEYS);
  });

  it("the limit is per user", async () => {
    const a = await seedUser();
    const b = await seedUser();
    await Promise.all(Array.from({ length: MAX_ACTIVE_API_KEYS }, (_, i) => makeApiKey(a.id, { name: `a${i}` })));
    await expect(makeApiKey(a.id)).rejects.toMatchObject({ code: "api_key_limit_reached" });
    await expect(makeApiKey(b.id)).resolves.toBeDefined();
  });
});

describe("user API keys: list and revoke", () => {
  it("lists only the user's own unrevoked keys, newest first, without secrets or hashes", async () => {
    const user = await seedUser();
    const other = await seedUser();
    const a = await createApiKey(at(1_000), user.id, { name: "a" });
    const b = await createApiKey(at(2_000), user.id, { name: "b" });
    const gone = await createApiKey(at(3_000), user.id, { name: "gone" });
    await makeApiKey(other.id, { name: "not mine" });
    await revokeApiKey(at(), user.id, gone.key.id);
    const keys = await listApiKeys(at(), user.id);
    expect(keys.map((k) => k.name)).toEqual(["b", "a"]);
    const text = JSON.stringify(keys);
    for (const s of [a.secret, b.secret, sha256Hex(a.secret), sha256Hex(b.secret)]) expect(text).not.toContain(s);
    expect(text).not.toMatch(/secret|hash/);
  });

  it("revokes only the user's own keys: another user's id or an unknown id → not_found, key untouched", async () => {
    const owner = await seedUser();
    const attacker = await seedUser();
    const { key, secret } = await makeApiKey(owner.id);
    await expect(revokeApiKey(at(), attacker.id, key.id)).rejects.toMatchObject({ code: "not_found", status: 404 });
    await expect(revokeApiKey(at(), attacker.id, "ak_nope")).rejects.toMatchObject({ code: "not_found" });
    expect((await findApiKeyById(db(), key.id))!.revokedAt).toBeNull();
    expect((await verifyApiKey(at(), secret)).valid).toBe(true);
    await revokeApiKey(at(), owner.id, key.id);
    await revokeApiKey(at(), owner.id, key.id);
    expect(await verifyApiKey(at(), secret)).toMatchObject({ valid: false, reason: "revoked" });
    const audits = (await auditRows("api_key.revoke")).filter((r) => r.target_id === key.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_type: "user", actor_id: owner.id });
  });
});

describe("user API keys: verify", () => {
  it("valid keys come back with metadata and the owner's canonical identity", async () => {
    const user = await seedUser({ name: "Ada", displayName: "ada" });
    const { key, secret } = await makeApiKey(user.id, { scopes: ["deploy"] });
    const result = await verifyApiKey(at(), secret);
    expect(result.valid).toBe(true);
    if (!result.valid) return;
    expect(result.key).toMatchObject({ id: key.id, name: key.name, prefix: key.prefix, scopes: ["deploy"], last_used_at: expect.any(String) });
    expect(result.user).toMatchObject({ auth_user_id: user.id, email: user.email, name: "Ada", display_name: "ada", status: "active" });
    expect(JSON.stringify(result)).not.toMatch(/password_hash|secret_hash/);
  });

  it("reasons: unknown, revoked, expired, owner_inactive", async () => {
    const user = await seedUser();
    const { secret } = await makeApiKey(user.id, { expires_in_days: 1 });
    expect(await verifyApiKey(at(), "a2k_000000000000_" + "A".repeat(43))).toMatchObject({ valid: false, reason: "unknown" });
    expect(await verifyApiKey(at(), "nonsense")).toMatchObject({ valid: false, reason: "unknown" });
    expect(await verifyApiKey(at(), secret.toUpperCase())).toMatchObject({ valid: false, reason: "unknown" });
    expect(await verifyApiKey(at(Date.now() + 2 * 86_400_000), secret)).toMatchObject({ valid: false, reason: "expired" });
    for (const status of ["disabled", "pending"] as const) {
      await updateUser(db(), user.id, { status });
      expect(await verifyApiKey(at(), secret)).toMatchObject({ valid: false, reason: "owner_inactive" });
    }
  });

  it("writes last_used_at at most once a minute", async () => {
    const user = await seedUser();
    const { key, secret } = await makeApiKey(user.id);
    const t0 = Date.now();
    await verifyApiKey(at(t0), secret);
    expect((await findApiKeyById(db(), key.id))!.lastUsedAt).toBe(t0);
    await verifyApiKey(at(t0 + 30_000), secret);
    expect((await findApiKeyById(db(), key.id))!.lastUsedAt).toBe(t0);
    await verifyApiKey(at(t0 + 60_001), secret);
    expect((await findApiKeyById(db(), key.id))!.lastUsedAt).toBe(t0 + 60_001);
  });
});
