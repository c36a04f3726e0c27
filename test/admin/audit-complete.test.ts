import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createSite } from "../helpers";
import { seedUser } from "../sessions/fixtures";
import { ADMIN_PASSWORD, adminSessionFor, auditAfter, auditMark, bearer, seedAdmin } from "./fixtures";

// Each audited admin action leaves exactly one audit row, naming the admin, the target and the request.
describe("one audit row per admin action", () => {
  it("holds for every mutating admin route", async () => {
    const admin = await seedAdmin();
    const token = (await adminSessionFor(admin)).token;
    const headers = { ...bearer(token), "User-Agent": "audit-check" };
    const user = await seedUser();
    const pending = await seedUser({ status: "pending" });
    await createSite("audited");
    await createSite("doomed");
    let keyId = "";
    const steps: [string, string, () => unknown][] = [
      ["/api/admin/user_create", "user.create", () => ({ email: "audited@example.com", name: "Audited" })],
      ["/api/admin/user_update", "user.update", () => ({ auth_user_id: user.id, name: "Renamed" })],
      ["/api/admin/user_disable", "user.disable", () => ({ auth_user_id: user.id })],
      ["/api/admin/user_onboarding_resend", "user.onboarding_resend", () => ({ auth_user_id: pending.id })],
      ["/api/admin/user_delete", "user.delete", () => ({ auth_user_id: user.id })],
      ["/api/admin/site_create", "site.create", () => ({ site_key: "audited-new", name: "New" })],
      ["/api/admin/site_update", "site.update", () => ({ site_key: "audited", name: "Changed" })],
      ["/api/admin/policy_update", "site.policy_update", () => ({ site_key: "audited", reset_mode: "both" })],
      ["/api/admin/site_delete", "site.delete", () => ({ site_key: "doomed" })],
      ["/api/admin/service_key_create", "service_key.create", () => ({ name: "k", scopes: ["user_resolve"] })],
      ["/api/admin/service_key_revoke", "service_key.revoke", () => ({ id: keyId })],
      ["/api/admin/totp_enroll", "admin.totp_enroll", () => ({})],
      ["/api/admin/change_password", "admin.password_change", () => ({ current_password: ADMIN_PASSWORD, new_password: "another long passphrase 9" })],
      ["/api/admin/logout", "admin.logout", () => undefined],
    ];
    for (const [path, action, body] of steps) {
      const mark = await auditMark();
      const payload = body();
      const res = await call(path, payload === undefined ? { method: "POST", headers } : { json: payload, headers });
      expect(res.status, path).toBe(200);
      if (action === "service_key.create") keyId = ((await res.json()) as { service_key: { id: string } }).service_key.id;
      const rows = await auditAfter(mark);
      expect(rows.map((r) => r.action), path).toEqual([action]);
      expect(rows[0]).toMatchObject({ actor_type: "admin", actor_id: admin.id, outcome: "success", ip: "203.0.113.10", user_agent: "audit-check" });
      expect(rows[0]!.request_id).toBe(res.headers.get("X-Request-Id"));
      expect(rows[0]!.target_id).not.toBeNull();
    }
    // Audit rows about the deleted user are still there.
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE target_id = ?").bind(user.id).first("n")).toBe(3);
  });
});
