import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { asAdmin } from "../admin/fixtures";
import { call, createSite, json } from "../helpers";
import { seedUser } from "./fixtures";

// Parallel admin revokes and deletes of one thing: exactly one of them changes it, and exactly one
// audit row records the change (a second row would claim a revocation or deletion that never happened).

let headers: Record<string, string>;
const post = (path: string, body: Record<string, unknown>) => call(path, { json: body, headers });
const auditCount = async (action: string, targetId: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND target_id = ?").bind(action, targetId).first<{ n: number }>())!.n;

beforeAll(async () => {
  headers = (await asAdmin()).headers;
});

describe("parallel admin revokes and deletes", () => {
  it("service_key_revoke ×6 of one key: all succeed, the key is revoked, one audit row", async () => {
    const created = await json(await post("/api/admin/service_key_create", { name: "race key", scopes: ["user_resolve"] }));
    const id = created.service_key.id as string;
    const results = await Promise.all(Array.from({ length: 6 }, () => post("/api/admin/service_key_revoke", { id })));
    for (const r of results) expect(r.status).toBe(200);
    const row = await env.DB.prepare("SELECT revoked_at FROM service_keys WHERE id = ?").bind(id).first<{ revoked_at: number | null }>();
    expect(row!.revoked_at).toEqual(expect.any(Number));
    expect(await auditCount("service_key.revoke", id)).toBe(1);
  });

  it("user_delete ×6 of one user: one 200, the rest 404, one audit row", async () => {
    const user = await seedUser({ email: `race-del-${Date.now()}@example.com` });
    const results = await Promise.all(Array.from({ length: 6 }, () => post("/api/admin/user_delete", { auth_user_id: user.id })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 404, 404, 404, 404, 404]);
    for (const r of results.filter((x) => x.status === 404)) expect((await json(r)).error.code).toBe("user_not_found");
    expect(await auditCount("user.delete", user.id)).toBe(1);
    expect(await env.DB.prepare("SELECT id FROM users WHERE id = ?").bind(user.id).first()).toBeNull();
  });

  it("site_delete ×6 of one site: one 200, the rest 404, one audit row", async () => {
    await createSite("race-doomed");
    const results = await Promise.all(Array.from({ length: 6 }, () => post("/api/admin/site_delete", { site_key: "race-doomed" })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 404, 404, 404, 404, 404]);
    expect(await auditCount("site.delete", "race-doomed")).toBe(1);
  });
});
