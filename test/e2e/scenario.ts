// The browser scenario: every step asserts what the admin sees, and the state behind it where the
// page cannot show it (the outbox, the portal's route list against /api/openapi.json).
import { strict as assert } from "node:assert";
import { accountSteps, auditSteps, keySteps, portalSteps, siteSteps } from "./scenario-more";
import { passkeySteps } from "./scenario-passkeys";
import { type Ctx, axe, shot, signIn, status, step, waitForMail } from "./helpers";

export type { Ctx } from "./helpers";

const USER_EMAIL = "e2e.jane@example.com";

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

  await passkeySteps(ctx);
  await siteSteps(ctx);
  await keySteps(ctx);
  await auditSteps(ctx);
  await accountSteps(ctx);
  await portalSteps(ctx);
}
