import { beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "../../src/services/keys/api-keys";
import { updateUser } from "../../src/store/users";
import { call, db, json, testCtx } from "../helpers";
import { auditRows, callService, makeApiKey, makeServiceKey, seedUser } from "./helpers";

const PATH = "/api/auth_api_key_verify";
let serviceKey: { id: string; secret: string };

beforeAll(async () => {
  const made = await makeServiceKey(["api_key_verify"], "gateway");
  serviceKey = { id: made.key.id, secret: made.secret };
});

describe("POST /api/auth_api_key_verify", () => {
  it("answers valid:true with key metadata and the canonical identity, and audits it", async () => {
    const user = await seedUser({ name: "Grace", jobTitle: "Admiral" });
    const { key, secret } = await makeApiKey(user.id, { name: "cli", scopes: ["read"] });
    const res = await callService(PATH, serviceKey.secret, { api_key: secret });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = await json(res);
    expect(body).toEqual({
      ok: true,
      valid: true,
      key: { ...key, last_used_at: expect.any(String) },
      user: expect.objectContaining({ auth_user_id: user.id, email: user.email, name: "Grace", job_title: "Admiral", status: "active", avatar_url: null }),
    });
    expect(JSON.stringify(body)).not.toContain(secret);
    const audit = (await auditRows("service.api_key_verify")).find((r) => r.target_id === key.id);
    expect(audit).toMatchObject({ actor_type: "service", actor_id: serviceKey.id, outcome: "success", details: { user_id: user.id } });
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it("answers valid:false with reason unknown / revoked / expired / owner_inactive", async () => {
    const user = await seedUser();
    const unknown = await callService(PATH, serviceKey.secret, { api_key: "a2k_000000000000_" + "B".repeat(43) });
    expect(await json(unknown)).toEqual({ ok: true, valid: false, reason: "unknown" });

    const revoked = await makeApiKey(user.id);
    expect((await json(await callService(PATH, serviceKey.secret, { api_key: revoked.secret }))).valid).toBe(true);
    await revokeApiKey(testCtx(), user.id, revoked.key.id);
    expect(await json(await callService(PATH, serviceKey.secret, { api_key: revoked.secret }))).toEqual({ ok: true, valid: false, reason: "revoked" });

    const expiring = await makeApiKey(user.id, { expires_in_days: 1 });
    const { env } = await import("cloudflare:test");
    await env.DB.prepare("UPDATE user_api_keys SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, expiring.key.id).run();
    expect(await json(await callService(PATH, serviceKey.secret, { api_key: expiring.secret }))).toEqual({ ok: true, valid: false, reason: "expired" });

    const live = await makeApiKey(user.id);
    await updateUser(db(), user.id, { status: "disabled" });
    expect(await json(await callService(PATH, serviceKey.secret, { api_key: live.secret }))).toEqual({ ok: true, valid: false, reason: "owner_inactive" });

    const failures = (await auditRows("service.api_key_verify")).filter((r) => r.outcome === "failure").map((r) => r.details.reason);
    expect(failures).toEqual(expect.arrayContaining(["unknown", "revoked", "expired", "owner_inactive"]));
  });

  it("accepts form posts from older clients", async () => {
    const user = await seedUser();
    const { secret } = await makeApiKey(user.id);
    const res = await call(PATH, { form: { api_key: secret }, headers: { "X-Service-Key": serviceKey.secret } });
    expect((await json(res)).valid).toBe(true);
  });

  it("requires api_key", async () => {
    const res = await callService(PATH, serviceKey.secret, {});
    expect(res.status).toBe(400);
    expect((await json(res)).error.fields).toHaveProperty("api_key");
  });

  it("is served at the .php path too", async () => {
    const user = await seedUser();
    const { secret } = await makeApiKey(user.id);
    const res = await call("/api/auth_api_key_verify.php", { json: { api_key: secret }, headers: { "X-Service-Key": serviceKey.secret } });
    expect((await json(res)).valid).toBe(true);
  });
});
