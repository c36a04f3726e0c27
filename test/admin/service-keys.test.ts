import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { call, json } from "../helpers";
import { makeApiKey } from "../service/helpers";
import { seedUser } from "../sessions/fixtures";
import { asAdmin, auditAfter, auditMark } from "./fixtures";

let headers: Record<string, string>;
let adminId = "";
let mark = 0;
beforeEach(async () => {
  const a = await asAdmin();
  headers = a.headers;
  adminId = a.admin.id;
  mark = await auditMark();
});

describe("admin service keys", () => {
  it("create (secret once) → it works on its scope only → list without secrets → revoke → it fails; one audit row each", async () => {
    const user = await seedUser();
    const created = await call("/api/admin/service_key_create.php", { json: { name: "billing backend", scopes: ["user_resolve"], is_admin: true }, headers });
    expect(created.status).toBe(200);
    const { service_key, secret } = await json(created);
    expect(secret).toMatch(/^a2s_/);
    expect(service_key).toMatchObject({ name: "billing backend", scopes: ["user_resolve"], created_by: adminId, revoked_at: null });
    expect(JSON.stringify(service_key)).not.toContain(secret);

    const resolve = await call("/api/service/user_resolve", { json: { auth_user_id: user.id }, headers: { "X-Service-Key": secret } });
    expect(resolve.status).toBe(200);
    const wrongScope = await call("/api/auth_api_key_verify", { json: { api_key: "a2k_x" }, headers: { "X-Service-Key": secret } });
    expect(wrongScope.status).toBe(403);

    const list = await call("/api/admin/service_key_list", { headers });
    const listText = await list.text();
    expect(listText).not.toContain(secret);
    expect(listText).not.toMatch(/secret_hash|"secret"/);
    expect(JSON.parse(listText).items.map((k: any) => k.id)).toContain(service_key.id);

    const revoked = await call("/api/admin/service_key_revoke", { json: { id: service_key.id }, headers });
    expect(revoked.status).toBe(200);
    expect((await call("/api/service/user_resolve", { json: { auth_user_id: user.id }, headers: { "X-Service-Key": secret } })).status).toBe(401);
    expect((await call("/api/admin/service_key_revoke", { json: { id: "sk_nope" }, headers })).status).toBe(404);

    const actions = (await auditAfter(mark)).filter((r) => r.actor_type === "admin").map((r) => r.action);
    expect(actions).toEqual(["service_key.create", "service_key.revoke"]);
    for (const r of await auditAfter(mark)) expect(r.details).not.toContain(secret);
  });

  it("validates name and scopes with field paths", async () => {
    const res = await call("/api/admin/service_key_create", { json: { name: "", scopes: ["everything"] }, headers });
    expect(res.status).toBe(400);
    expect(Object.keys((await json(res)).error.fields).sort()).toEqual(["name", "scopes.0"]);
    const none = await call("/api/admin/service_key_create", { json: { name: "x", scopes: [] }, headers });
    expect((await json(none)).error.fields).toHaveProperty("scopes");
  });
});

describe("user_disable and API keys", () => {
  it("a disabled user's API keys stop verifying (owner_inactive); re-enabling restores them", async () => {
    const user = await seedUser();
    const { secret } = await makeApiKey(user.id);
    const verify = async () => json(await call("/api/auth_api_key_verify", { json: { api_key: secret }, headers: { "X-Service-Key": env.SERVICE_BOOTSTRAP_KEY! } }));
    expect((await verify()).valid).toBe(true);
    await call("/api/admin/user_disable", { json: { auth_user_id: user.id }, headers });
    expect(await verify()).toMatchObject({ valid: false, reason: "owner_inactive" });
    await call("/api/admin/user_update", { json: { auth_user_id: user.id, status: "active" }, headers });
    expect((await verify()).valid).toBe(true);
  });
});
