// The browser scenario, continued: sites, service keys, the audit log, the account, phone layout,
// session expiry, sign-out, and the developer portal.
import { strict as assert } from "node:assert";
import { type Ctx, axe, go, shot, signIn, status, step, until } from "./helpers";

export async function siteSteps(ctx: Ctx): Promise<void> {
  const { page } = ctx;
  await step("create a site: origin error next to its field, branding preview, success", async () => {
    await go(page, "Sites", "Sites");
    await page.getByRole("button", { name: "New site" }).click();
    const dialog = page.locator("#site");
    await dialog.getByLabel("Name", { exact: true }).fill("E2E Shop");
    await dialog.getByLabel("site_key", { exact: true }).fill("e2e-shop");
    await dialog.getByLabel("Allowed origins", { exact: true }).fill("https://shop.example.com/path");
    await dialog.getByLabel("Display name", { exact: true }).fill("Shop Accounts");
    await dialog.getByLabel("Primary colour", { exact: true }).fill("#146c43");
    await page.locator("#site-preview-name", { hasText: "Shop Accounts" }).waitFor();
    assert.equal(await page.evaluate("getComputedStyle(document.getElementById('site-preview')).backgroundColor"), "rgb(20, 108, 67)");
    await dialog.getByRole("button", { name: "Save site" }).click();
    await dialog.locator('[data-error-for="allowed_origins"]').filter({ hasText: /origin/i }).waitFor();
    await axe(ctx, "site dialog");
    await shot(ctx, "05-site-dialog");
    await dialog.getByLabel("Allowed origins", { exact: true }).fill("https://shop.example.com\nhttp://localhost:5173");
    await dialog.getByRole("button", { name: "Save site" }).click();
    await status(page, "sites-message", "Created site E2E Shop (e2e-shop).");
  });

  await step("change the site's policy", async () => {
    const row = page.locator("#sites-table tbody tr").filter({ hasText: "e2e-shop" });
    await row.getByRole("button", { name: /^Edit/ }).click();
    const dialog = page.locator("#site");
    assert.equal(await dialog.getByLabel("site_key", { exact: true }).inputValue(), "e2e-shop");
    await dialog.getByLabel("Two-factor", { exact: true }).selectOption("required");
    await dialog.getByLabel("Login mode", { exact: true }).selectOption("password_or_otp");
    await dialog.getByLabel("Minimum password length", { exact: true }).fill("12");
    await dialog.getByRole("button", { name: "Save site" }).click();
    await status(page, "sites-message", "Saved site E2E Shop (e2e-shop).");
    await row.filter({ hasText: "2FA required" }).filter({ hasText: "min 12 chars" }).waitFor();
    await axe(ctx, "sites");
    await shot(ctx, "06-sites");
  });
}

export async function keySteps(ctx: Ctx): Promise<void> {
  const { page } = ctx;
  const doc = (await (await fetch(`${ctx.server.origin}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
  if (!doc.paths["/api/admin/service_key_create"]) {
    // The admin API's service-key routes land separately; until then this step cannot run.
    console.log("  - SKIPPED service keys: /api/admin/service_key_create is not in this build's OpenAPI document");
    return;
  }
  await step("create a service key (secret shown once, copy button), then revoke it", async () => {
    await go(page, "Service keys", "Service keys");
    await page.getByRole("button", { name: "New service key" }).click();
    const dialog = page.locator("#key-create");
    await dialog.getByLabel("Name", { exact: true }).fill("e2e-backend");
    await dialog.getByLabel("Scopes", { exact: true }).fill("user_resolve");
    await dialog.getByRole("button", { name: "Create key" }).click();
    const secretDialog = page.locator("#key-secret");
    await secretDialog.waitFor();
    const secret = await secretDialog.getByLabel("Secret", { exact: true }).inputValue();
    assert.ok(secret.length >= 20, "a secret is shown");
    await ctx.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: ctx.server.origin });
    await secretDialog.getByRole("button", { name: "Copy secret" }).click();
    await secretDialog.locator("#key-copy-status", { hasText: "copied" }).waitFor();
    await axe(ctx, "secret dialog");
    await shot(ctx, "07-service-key-secret");
    await secretDialog.getByRole("button", { name: "Done, I stored it" }).click();
    await until(page, "!document.getElementById('key-secret').open");
    assert.equal(await page.locator("#key-secret-value").inputValue(), "", "the secret is gone once its dialog closes");
    assert.equal(await page.content().then((html) => html.includes(secret)), false, "the secret is nowhere in the page");
    const row = page.locator("#keys-table tbody tr").filter({ hasText: "e2e-backend" });
    await row.getByRole("button", { name: /^Revoke/ }).click();
    await page.locator("#confirm").getByRole("button", { name: "Revoke key" }).click();
    await row.locator(".badge", { hasText: "revoked" }).waitFor();
    await shot(ctx, "08-service-keys");
  });
}

export async function auditSteps(ctx: Ctx): Promise<void> {
  const { page } = ctx;
  await step("filter the audit log and open an entry", async () => {
    await go(page, "Audit log", "Audit log");
    await page.locator("#audit-table tbody tr").first().waitFor();
    const filter = page.locator("#audit-filter");
    await filter.getByLabel("Action", { exact: true }).fill("user.disable");
    await filter.getByLabel("Outcome", { exact: true }).selectOption("success");
    await filter.getByRole("button", { name: "Apply filters" }).click();
    const rows = page.locator("#audit-table tbody tr");
    await rows.filter({ hasText: "user.disable" }).first().waitFor();
    await until(page, "Array.from(document.querySelectorAll('#audit-table tbody tr')).every(function (r) { return r.textContent.includes('user.disable'); })");
    assert.equal(await rows.count(), 1);
    await rows.first().getByRole("button", { name: /^View/ }).click();
    const detail = page.locator("#audit-detail");
    await detail.locator("#audit-detail-facts", { hasText: "user.disable" }).waitFor();
    await axe(ctx, "audit detail");
    await shot(ctx, "09-audit-detail");
    await detail.getByRole("button", { name: "Close" }).click();
    await filter.getByLabel("Action", { exact: true }).fill("no.such_action");
    await filter.getByRole("button", { name: "Apply filters" }).click();
    await page.locator("#audit-table td.empty", { hasText: "No events match." }).waitFor();
    await axe(ctx, "audit log");
    await shot(ctx, "10-audit");
  });
}

export async function accountSteps(ctx: Ctx): Promise<void> {
  const { page } = ctx;
  await step("account: wrong current password is reported next to its field", async () => {
    await go(page, "Account", "Account");
    const form = page.locator("#password-form");
    await form.getByLabel("Current password", { exact: true }).fill("wrong-password-123");
    await form.getByLabel("New password", { exact: true }).fill("another-Strong-passphrase-2026");
    await form.getByRole("button", { name: "Change password" }).click();
    await form.locator('[data-error-for="current_password"]').filter({ hasText: /incorrect/i }).waitFor();
    await axe(ctx, "account");
    await shot(ctx, "11-account");
  });

  await step("390 px phone: no sideways scrolling; tables stack", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await go(page, "Users", "Users");
    await page.locator("#users-filter").getByRole("button", { name: "Search" }).click();
    await page.locator("#users-table tbody tr").first().waitFor();
    assert.ok(Number(await page.evaluate("document.documentElement.scrollWidth")) <= 390, "the users view fits 390 px");
    await axe(ctx, "users at 390 px");
    await shot(ctx, "12-users-390px");
    await go(page, "Sites", "Sites");
    assert.ok(Number(await page.evaluate("document.documentElement.scrollWidth")) <= 390, "the sites view fits 390 px");
    await shot(ctx, "13-sites-390px");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step("session expiry: a 401 takes the admin back to sign-in with a message", async () => {
    await ctx.context.clearCookies();
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await page.locator("#signin-message", { hasText: "Your session has ended" }).waitFor();
    await shot(ctx, "14-session-ended");
  });

  await step("sign in again, sign out", async () => {
    await signIn(ctx);
    await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("#signin-message", { hasText: "You are signed out." }).waitFor();
    const me = await page.evaluate("fetch('/api/admin/me').then(function (r) { return r.status; })");
    assert.equal(me, 401, "the session is gone after sign-out");
  });
}

export async function portalSteps(ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  await step("portal /docs lists every route of /api/openapi.json", async () => {
    const doc = (await (await fetch(`${server.origin}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    await page.goto(`${server.origin}/docs`);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    const listed = new Set(
      (await page.evaluate("Array.from(document.querySelectorAll('[data-method][data-path]')).map(function (r) { return r.getAttribute('data-method') + ' ' + r.getAttribute('data-path'); })")) as string[],
    );
    const expected = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).filter((m) => ["get", "post", "put", "patch", "delete"].includes(m)).map((m) => `${m.toUpperCase()} ${path}`),
    );
    assert.ok(expected.length > 30, `the document has the routes (${expected.length})`);
    assert.deepEqual(expected.filter((e) => !listed.has(e)), [], "every route is listed on /docs");
    for (const admin of ["POST /api/admin/login", "GET /api/admin/audit_list", "GET /admin/"]) assert.ok(listed.has(admin), admin);
    await axe(ctx, "/docs");
    await shot(ctx, "15-portal-docs");
  });
}
