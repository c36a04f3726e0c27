import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/crypto/hmac";
import { call, json } from "../helpers";
import { auditRows, callService, makeServiceKey } from "../service/helpers";
import { signedInUser } from "./helpers";

describe("staff API key routes", () => {
  it("create → verify → list → revoke → verify fails, end to end", async () => {
    const me = await signedInUser();
    const created = await me.post("/api/auth_api_keys_create", { name: "laptop", scopes: ["read"], expires_in_days: 90 });
    expect(created.status).toBe(200);
    const { key, secret } = await json(created);
    expect(secret).toMatch(/^a2k_/);
    expect(key).toMatchObject({ name: "laptop", scopes: ["read"], prefix: secret.slice(0, 16), last_used_at: null, revoked_at: null });
    expect(Date.parse(key.expires_at) - Date.parse(key.created_at)).toBe(90 * 86_400_000);

    const svc = (await makeServiceKey(["api_key_verify"])).secret;
    const verified = await json(await callService("/api/auth_api_key_verify", svc, { api_key: secret }));
    expect(verified).toMatchObject({ valid: true, key: { id: key.id }, user: { auth_user_id: me.user.id } });

    const listed = await me.get("/api/auth_api_keys_list");
    expect(listed.status).toBe(200);
    const { keys } = await json(listed);
    expect(keys.map((k: { id: string }) => k.id)).toEqual([key.id]);
    expect(JSON.stringify(keys)).not.toContain(secret);
    expect(JSON.stringify(keys)).not.toContain(sha256Hex(secret));

    const revoked = await me.post("/api/auth_api_keys_revoke", { id: key.id });
    expect(revoked.status).toBe(200);
    expect(await json(revoked)).toEqual({ ok: true });
    expect(await json(await callService("/api/auth_api_key_verify", svc, { api_key: secret }))).toEqual({ ok: true, valid: false, reason: "revoked" });
    expect((await json(await me.get("/api/auth_api_keys_list"))).keys).toEqual([]);
    expect((await auditRows("api_key.create")).some((r) => r.target_id === key.id && r.actor_id === me.user.id)).toBe(true);
    expect((await auditRows("api_key.revoke")).some((r) => r.target_id === key.id && r.actor_id === me.user.id)).toBe(true);
  });

  it("ignores a user_id in the body: keys are always the session user's", async () => {
    const me = await signedInUser();
    const victim = await signedInUser();
    const { key } = await json(await me.post("/api/auth_api_keys_create", { name: "sneaky", user_id: victim.user.id, auth_user_id: victim.user.id }));
    const row = await env.DB.prepare("SELECT user_id FROM user_api_keys WHERE id = ?").bind(key.id).first<{ user_id: string }>();
    expect(row!.user_id).toBe(me.user.id);
    expect((await json(await victim.get(`/api/auth_api_keys_list?user_id=${me.user.id}`))).keys).toEqual([]);
    const mine = await json(await me.get(`/api/auth_api_keys_list?user_id=${victim.user.id}`));
    expect(mine.keys.map((k: { id: string }) => k.id)).toEqual([key.id]);
  });

  it("revoking another user's key id → 404 not_found, and that key keeps working", async () => {
    const owner = await signedInUser();
    const attacker = await signedInUser();
    const { key, secret } = await json(await owner.post("/api/auth_api_keys_create", { name: "owned" }));
    for (const body of [{ id: key.id }, { id: key.id, user_id: owner.user.id }, { id: "ak_does_not_exist" }]) {
      const res = await attacker.post("/api/auth_api_keys_revoke", body);
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe("not_found");
    }
    const svc = (await makeServiceKey(["api_key_verify"])).secret;
    expect((await json(await callService("/api/auth_api_key_verify", svc, { api_key: secret }))).valid).toBe(true);
  });

  it("validates the create body and answers 409 at the limit", async () => {
    const me = await signedInUser();
    for (const body of [{}, { name: "" }, { name: "x", expires_in_days: 0 }, { name: "x", scopes: "read" }, { name: "x", scopes: ["NO SPACES"] }]) {
      const res = await me.post("/api/auth_api_keys_create", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    await Promise.all(Array.from({ length: 50 }, (_, i) => me.post("/api/auth_api_keys_create", { name: `k${i}` })));
    const full = await me.post("/api/auth_api_keys_create", { name: "51st" });
    expect(full.status).toBe(409);
    expect((await json(full)).error).toMatchObject({ code: "api_key_limit_reached", limit: 50 });
    expect((await json(await me.get("/api/auth_api_keys_list"))).keys).toHaveLength(50);
  });
});
