// The browser scenario: every step asserts what the admin sees, and the state behind it where the
// page cannot show it (the outbox, the portal's route list against /api/openapi.json).
import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { seriousAxeViolations } from "./browser";
import type { DevServer } from "./server";

export interface Ctx {
  server: DevServer;
  page: Page;
  context: BrowserContext;
  artifacts: string;
  problems: string[];
}

const USER_EMAIL = "e2e.jane@example.com";

async function step(name: string, run: () => Promise<void>): Promise<void> {
  const t = Date.now();
  await run();
  console.log(`  ✓ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

async function shot(ctx: Ctx, name: string): Promise<void> {
  await ctx.page.screenshot({ path: join(ctx.artifacts, `${name}.png`), fullPage: true });
}

async function axe(ctx: Ctx, where: string): Promise<void> {
  const violations = await seriousAxeViolations(ctx.page);
  assert.deepEqual(
    violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe: serious/critical violations on ${where}`,
  );
}

async function status(page: Page, id: string, text: string | RegExp): Promise<void> {
  await page.locator(`#${id}`).filter({ hasText: text }).waitFor();
}

async function waitForMail(ctx: Ctx, to: string): Promise<{ subject: string; text: string; template: string }> {
  for (let i = 0; i < 40; i++) {
    const res = await fetch(`${ctx.server.origin}/dev/outbox?to=${encodeURIComponent(to)}`);
    const body = (await res.json()) as { items: { subject: string; text: string; template: string }[] };
    if (body.items.length) return body.items[0]!;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no mail to ${to} in /dev/outbox`);
}

/** Polls an expression (page.waitForFunction would eval in the page, which the console's CSP forbids). */
async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signIn(ctx: Ctx): Promise<void> {
  const form = ctx.page.locator("#signin-form");
  await form.getByLabel("Email", { exact: true }).fill(ctx.server.adminEmail);
  await form.getByLabel("Password", { exact: true }).fill(ctx.server.adminPassword);
  await form.getByRole("button", { name: "Sign in" }).click();
  await ctx.page.getByRole("navigation", { name: "Console" }).waitFor();
}

async function go(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: link }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

export async function scenario(ctx: Ctx): Promise<void> {
  const { page, server } = ctx;

  await step("sign-in page: wrong password shows the API's message; keyboard order", async () => {
    await page.goto(`${server.origin}/admin/`);
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await shot(ctx, "01-sign-in");
    await axe(ctx, "sign-in");
    assert.equal(await page.evaluate("document.activeElement.id"), "signin-email", "the email field has focus");
    const form = page.locator("#signin-form");
    await form.getByLabel("Email", { exact: true }).fill(server.adminEmail);
    await form.getByLabel("Password", { exact: true }).fill("not-the-password");
    await form.getByLabel("Password", { exact: true }).press("Enter");
    await form.locator('[data-error-for="_form"]').filter({ hasText: /incorrect|invalid/i }).waitFor();
  });

  await step("sign in; users view at 1280 px", async () => {
    await signIn(ctx);
    await page.getByRole("heading", { level: 1, name: "Users" }).waitFor();
    await page.getByText(server.adminEmail, { exact: true }).waitFor();
    await axe(ctx, "users");
  });

  await step("every control on the users view is reachable with Tab", async () => {
    await page.locator("#main").focus();
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      seen.add(String(await page.evaluate("(document.activeElement.id || document.activeElement.textContent || '').trim()")));
    }
    for (const id of ["user-new", "users-q", "users-status"]) assert.ok(seen.has(id), `Tab never reached #${id}: ${[...seen].join(" | ")}`);
  });

  await step("create a user: field error from the API, then success and the onboarding mail", async () => {
    await page.getByRole("button", { name: "New user" }).click();
    const dialog = page.locator("#user-create");
    await dialog.getByLabel("Email", { exact: true }).fill("not-an-email");
    await dialog.getByLabel("Name", { exact: true }).fill("Jane Doe");
    await dialog.getByRole("button", { name: "Create user" }).click();
    await dialog.locator('[data-error-for="email"]').filter({ hasText: /./ }).waitFor();
    assert.equal(await dialog.getByLabel("Email", { exact: true }).getAttribute("aria-invalid"), "true");
    await axe(ctx, "new user dialog");
    await shot(ctx, "02-user-create-error");
    await dialog.getByLabel("Email", { exact: true }).fill(USER_EMAIL);
    assert.equal(await dialog.getByLabel("Send onboarding email", { exact: true }).isChecked(), true);
    await dialog.getByRole("button", { name: "Create user" }).click();
    await status(page, "users-message", `Created ${USER_EMAIL}; onboarding email sent.`);
    const mail = await waitForMail(ctx, USER_EMAIL);
    assert.equal(mail.template, "onboarding_code");
    assert.match(mail.text, /\b\d{6}\b/);
    await shot(ctx, "03-users");
  });

  await step("edit the user (profile), then disable with a confirmation naming them", async () => {
    const row = page.locator("#users-table tbody tr").filter({ hasText: USER_EMAIL });
    await row.getByRole("button", { name: /^Edit/ }).click();
    const dialog = page.locator("#user-edit");
    await dialog.getByLabel("Job title", { exact: true }).fill("Controller");
    await dialog.getByLabel("Time zone", { exact: true }).fill("Not/AZone");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.locator('[data-error-for="timezone"]').filter({ hasText: /IANA/ }).waitFor();
    await dialog.getByLabel("Time zone", { exact: true }).fill("Europe/Zurich");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await status(page, "users-message", `Saved ${USER_EMAIL}.`);
    await row.getByRole("button", { name: /^Disable/ }).click();
    await page.locator("#confirm-text").filter({ hasText: `Jane Doe (${USER_EMAIL})` }).waitFor();
    await axe(ctx, "confirmation dialog");
    await shot(ctx, "04-user-disable-confirm");
    await page.locator("#confirm").getByRole("button", { name: "Disable user" }).click();
    await status(page, "users-message", `Disabled ${USER_EMAIL}.`);
    await row.locator(".badge", { hasText: "disabled" }).waitFor();
  });

  await step("search and status filter", async () => {
    const filter = page.locator("#users-filter");
    await filter.getByLabel("Search", { exact: true }).fill("e2e.jane");
    await filter.getByLabel("Status", { exact: true }).selectOption("active");
    await filter.getByRole("button", { name: "Search" }).click();
    await page.locator("#users-table td.empty", { hasText: "No users match." }).waitFor();
    await filter.getByLabel("Status", { exact: true }).selectOption("disabled");
    await filter.getByRole("button", { name: "Search" }).click();
    await page.locator("#users-table tbody tr").filter({ hasText: USER_EMAIL }).waitFor();
    assert.equal(await page.locator("#users-table tbody tr").count(), 1);
  });

  await step("resend onboarding to a pending user; delete a user after a confirmation naming them", async () => {
    const filter = page.locator("#users-filter");
    await filter.getByLabel("Search", { exact: true }).fill("");
    await filter.getByLabel("Status", { exact: true }).selectOption("");
    await page.getByRole("button", { name: "New user" }).click();
    const dialog = page.locator("#user-create");
    await dialog.getByLabel("Email", { exact: true }).fill("e2e.max@example.com");
    await dialog.getByLabel("Name", { exact: true }).fill("Max Muster");
    await dialog.getByLabel("Send onboarding email", { exact: true }).uncheck();
    await dialog.getByRole("button", { name: "Create user" }).click();
    await status(page, "users-message", "Created e2e.max@example.com.");
    const row = page.locator("#users-table tbody tr").filter({ hasText: "e2e.max@example.com" });
    await row.getByRole("button", { name: /^Resend onboarding/ }).click();
    await status(page, "users-message", "Onboarding email sent again to e2e.max@example.com.");
    assert.equal((await waitForMail(ctx, "e2e.max@example.com")).template, "onboarding_code");
    await row.getByRole("button", { name: /^Delete/ }).click();
    await page.locator("#confirm-text").filter({ hasText: "Max Muster (e2e.max@example.com)" }).waitFor();
    await page.locator("#confirm").getByRole("button", { name: "Delete user" }).click();
    await status(page, "users-message", "Deleted e2e.max@example.com.");
    await row.waitFor({ state: "detached" });
  });

  await siteSteps(ctx);
  await keySteps(ctx);
  await auditSteps(ctx);
  await accountSteps(ctx);
  await portalSteps(ctx);
}

async function siteSteps(ctx: Ctx): Promise<void> {
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

async function keySteps(ctx: Ctx): Promise<void> {
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

async function auditSteps(ctx: Ctx): Promise<void> {
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

async function accountSteps(ctx: Ctx): Promise<void> {
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

async function portalSteps(ctx: Ctx): Promise<void> {
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
