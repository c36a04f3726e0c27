import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { call, config, createSite, json } from "../helpers";
import { asAdmin, auditAfter, auditMark } from "./fixtures";

let headers: Record<string, string>;
let mark = 0;
beforeEach(async () => {
  headers = (await asAdmin()).headers;
  mark = await auditMark();
});
const post = (path: string, body: unknown) => call(path, { json: body, headers });

const fullSite = {
  site_key: "billing",
  name: "Billing",
  status: "active",
  allowed_origins: ["https://billing.example.com", "http://localhost:5173", "https://billing.example.com"],
  reset_url: "https://billing.example.com/reset",
  onboarding_url: "http://localhost:5173/onboarding",
  branding: { display_name: "Billing", logo_url: "https://cdn.example.com/logo.png", primary_color: "#1a2B3c", support_email: "help@example.com", from_name: "Billing Team" },
  policy: { login_mode: "password_or_otp", twofa_mode: "required", password_min_length: 12 },
};

describe("admin/site_create", () => {
  it("registers a site with its policy (defaults fill the rest); the next request sees it; one audit row", async () => {
    const res = await post("/api/admin/site_create.php", fullSite);
    expect(res.status).toBe(200);
    const { site } = await json(res);
    expect(site).toMatchObject({
      site_key: "billing",
      allowed_origins: ["https://billing.example.com", "http://localhost:5173"],
      branding: fullSite.branding,
      policy: { ...config().defaultPolicy, login_mode: "password_or_otp", twofa_mode: "required", password_min_length: 12 },
    });
    const info = await json(await call("/api/auth_site_info", { json: { site_key: "billing" } }));
    expect(info.site).toMatchObject({ registered: true, login_mode: "password_or_otp", password_min_length: 12 });
    const rows = await auditAfter(mark);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "site.create", target_type: "site", target_id: "billing", site_key: "billing" });
    const again = await post("/api/admin/site_create", { site_key: "billing", name: "Dup" });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe("site_key_taken");
  });

  it("generates a site_key when none is given", async () => {
    const { site } = await json(await post("/api/admin/site_create", { name: "Generated" }));
    expect(site.site_key).toMatch(/^[a-z0-9_-]{3,64}$/);
    expect(site.policy).toEqual(config().defaultPolicy);
    expect(site.status).toBe("active");
  });

  it("refuses bad keys, origins, URLs, branding and policy values with field paths", async () => {
    const res = await post("/api/admin/site_create", {
      site_key: "Bad Key!",
      name: "X",
      allowed_origins: ["https://ok.example.com", "http://evil.example.com", "https://x.example.com/", "https://x.example.com/path", "https://user:pw@x.example.com"],
      reset_url: "http://app.example.com/reset",
      onboarding_url: "javascript:alert(1)",
      branding: { primary_color: "red", logo_url: "http://cdn.example.com/l.png", support_email: "nope", from_name: "A\r\nBcc: x@y.z", extra: 1 },
      policy: { login_mode: "magic", password_min_length: 7, session_ttl_seconds: 10, idle_timeout_seconds: 10_000_000, allow_self_registration: "yes", surprise: true },
    });
    expect(res.status).toBe(400);
    const fields = Object.keys((await json(res)).error.fields).sort();
    expect(fields).toEqual(
      [
        "allowed_origins.1", "allowed_origins.2", "allowed_origins.3", "allowed_origins.4", "branding", "branding.from_name", "branding.logo_url",
        "branding.primary_color", "branding.support_email", "onboarding_url", "policy", "policy.allow_self_registration", "policy.idle_timeout_seconds",
        "policy.login_mode", "policy.password_min_length", "policy.session_ttl_seconds", "reset_url", "site_key",
      ].sort(),
    );
  });

  it("refuses an idle timeout longer than the session", async () => {
    const res = await post("/api/admin/site_create", { name: "X", policy: { session_ttl_seconds: 3600, idle_timeout_seconds: 7200 } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.fields).toEqual({ "policy.idle_timeout_seconds": "Must not exceed session_ttl_seconds" });
  });
});

describe("admin/site_update, policy_update, site_list, site_delete", () => {
  it("updates fields and audits before/after of what changed", async () => {
    await createSite("crm", { allowed_origins: ["https://crm.example.com"] });
    const res = await post("/api/admin/site_update", { site_key: "crm", name: "CRM", status: "inactive", reset_url: null, is_admin: true });
    expect(res.status).toBe(200);
    expect((await json(res)).site).toMatchObject({ name: "CRM", status: "inactive", allowed_origins: ["https://crm.example.com"], reset_url: null });
    // Applies to the very next request: login-type routes now refuse the site.
    expect((await json(await call("/api/auth_site_info", { json: { site_key: "crm" } }))).error.code).toBe("site_inactive");
    const [row] = await auditAfter(mark, "site.update");
    expect(JSON.parse(row!.details)).toEqual({ changed: ["name", "status"], before: { name: "Site crm", status: "active" }, after: { name: "CRM", status: "inactive" } });
    expect((await post("/api/admin/site_update", { site_key: "nope", name: "X" })).status).toBe(404);
  });

  it("policy_update validates every field, merges, applies on the next request and audits the policy diff", async () => {
    await createSite("hr");
    for (const [body, field] of [
      [{ reset_mode: "sms" }, "reset_mode"],
      [{ twofa_mode: "always" }, "twofa_mode"],
      [{ password_min_length: 257 }, "password_min_length"],
      [{ password_min_length: 9.5 }, "password_min_length"],
      [{ session_ttl_seconds: 90 * 86400 + 1 }, "session_ttl_seconds"],
      [{ idle_timeout_seconds: 59 }, "idle_timeout_seconds"],
      [{ idle_timeout_seconds: 90_000 }, "policy.idle_timeout_seconds"],
      [{ site_key: 5 }, "site_key"],
      [{ role: "admin" }, "_"],
    ] as const) {
      const res = await post("/api/admin/policy_update", { site_key: "hr", ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys((await json(res)).error.fields)).toContain(field);
    }
    const ok = await post("/api/admin/policy_update", { site_key: "hr", reset_mode: "otp", password_min_length: 14, allow_self_registration: true });
    expect(ok.status).toBe(200);
    expect((await json(ok)).site.policy).toMatchObject({ reset_mode: "otp", password_min_length: 14, allow_self_registration: true, login_mode: "password" });
    const info = await json(await call("/api/auth_site_info", { json: { site_key: "hr" } }));
    expect(info.site).toMatchObject({ reset_mode: "otp", password_min_length: 14, allow_self_registration: true });
    const rows = await auditAfter(mark, "site.policy_update");
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.details).changed).toEqual(["policy.reset_mode", "policy.allow_self_registration", "policy.password_min_length"]);
    expect((await post("/api/admin/policy_update", { site_key: "ghost", reset_mode: "otp" })).status).toBe(404);
  });

  it("lists sites with policies and deletes a site with its policy (users stay)", async () => {
    await createSite("aa-one");
    await createSite("aa-two");
    const list = await json(await call("/api/admin/site_list", { headers }));
    const keys = list.items.map((s: any) => s.site_key);
    expect(keys).toEqual(expect.arrayContaining(["aa-one", "aa-two"]));
    expect(keys).toEqual([...keys].sort());
    expect(list.items[0].policy).toHaveProperty("login_mode");
    const del = await post("/api/admin/site_delete", { site_key: "aa-one" });
    expect(del.status).toBe(200);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM site_policies WHERE site_key = 'aa-one'").first("n")).toBe(0);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM sites WHERE site_key = 'aa-one'").first("n")).toBe(0);
    expect((await post("/api/admin/site_delete", { site_key: "aa-one" })).status).toBe(404);
    expect((await auditAfter(mark, "site.delete")).length).toBe(1);
  });
});
