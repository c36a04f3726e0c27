import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/env";
import { AppError } from "../../src/lib/errors";
import { resolveSite } from "../../src/services/sites/resolve";
import { call, createSite, db, json, testCtx } from "../helpers";

describe("site resolution", () => {
  it("uses a registered site's saved policy (body field or X-Site-Key header)", async () => {
    await createSite("registered", { policy: { login_mode: "email_otp", twofa_mode: "required", password_min_length: 12 } });
    for (const res of [
      await call("/api/auth_site_info", { json: { site_key: "registered" } }),
      await call("/api/auth_site_info", { json: {}, headers: { "X-Site-Key": "registered" } }),
    ]) {
      expect(res.status).toBe(200);
      const { site } = await json(res);
      expect(site).toMatchObject({ site_key: "registered", registered: true, login_mode: "email_otp", twofa_mode: "required", password_min_length: 12 });
    }
  });

  it("prefers the body field over the header", async () => {
    await createSite("body-wins");
    const res = await call("/api/auth_site_info", { json: { site_key: "body-wins" }, headers: { "X-Site-Key": "header-loses" } });
    expect((await json(res)).site.site_key).toBe("body-wins");
  });

  it("falls back to the default policy for unknown keys", async () => {
    const res = await call("/api/auth_site_info", { json: { site_key: "never-registered" } });
    expect(res.status).toBe(200);
    const { site } = await json(res);
    expect(site).toMatchObject({ registered: false, login_mode: "password", reset_mode: "link", twofa_mode: "off", password_min_length: 8 });
  });

  it("refuses inactive sites on login-type routes with 403 site_inactive", async () => {
    await createSite("asleep", { status: "inactive" });
    const res = await call("/api/auth_site_info", { json: { site_key: "asleep" } });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("site_inactive");
  });

  it("requires a site_key", async () => {
    const res = await call("/api/auth_site_info", { json: {} });
    expect(res.status).toBe(400);
    expect((await json(res)).error.fields).toHaveProperty("site_key");
  });

  it("refuses unknown keys in strict mode with 403 unknown_site", async () => {
    const strict = testCtx({ env: { ...env, SITE_REGISTRY_MODE: "strict" } });
    await createSite("known-strict");
    await expect(resolveSite(strict, "known-strict")).resolves.toMatchObject({ registered: true });
    const err = await resolveSite(strict, "stranger").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "unknown_site", status: 403 });
  });

  it("deletes a site's policy with the site", async () => {
    await createSite("short-lived");
    await env.DB.prepare("DELETE FROM sites WHERE site_key = ?").bind("short-lived").run();
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM site_policies WHERE site_key = ?").bind("short-lived").first<{ n: number }>();
    expect(row?.n).toBe(0);
  });
});
