// The browser scenario, passkeys: a user with a passkey (registered through the API by the software
// authenticator, signing for this dev server's origin and RP ID `localhost`), listed in the console's
// user dialog and removed there after a confirmation; the API then lists none and the passkey no
// longer signs in. The hosted-page journey with Chromium's virtual authenticator comes with the pages.
import { strict as assert } from "node:assert";
import { SoftAuthenticator } from "../passkeys/soft-authenticator";
import { type Ctx, axe, shot, status, step } from "./helpers";

const EMAIL = "e2e.passkey@example.com";
const PASSWORD = "e2e-Passkey-2026!";

async function api(ctx: Ctx, path: string, body?: unknown, token?: string): Promise<Record<string, any>> {
  const res = await fetch(`${ctx.server.origin}/api/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json()) as Record<string, any>;
  if (!data.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(data.error)}`);
  return data;
}

export async function passkeySteps(ctx: Ctx): Promise<void> {
  const { page } = ctx;
  const authenticator = new SoftAuthenticator();
  let userId = "";

  await step("a user registers a passkey through the API (RP ID localhost)", async () => {
    const admin = await api(ctx, "admin/login", { email: ctx.server.adminEmail, password: ctx.server.adminPassword });
    const created = await api(ctx, "admin/user_create", { email: EMAIL, name: "Pia Passkey" }, admin.session.token);
    userId = created.user.auth_user_id;
    await api(ctx, "admin/user_update", { auth_user_id: userId, status: "active", password: PASSWORD }, admin.session.token);
    const login = await api(ctx, "auth_login", { site_key: "demo", email: EMAIL, password: PASSWORD });
    const token = login.session.token as string;
    const { options } = await api(ctx, "auth_passkey_register_options", {}, token);
    assert.equal(options.rp.id, "localhost");
    const credential = await authenticator.register(options, { origin: ctx.server.origin });
    const { passkey } = await api(ctx, "auth_passkey_register_verify", { credential, name: "Pia's laptop" }, token);
    assert.equal(passkey.name, "Pia's laptop");
    // It signs in.
    const signIn = await api(ctx, "auth_passkey_login_options", { site_key: "demo" });
    const assertion = await authenticator.authenticate(signIn.options, { origin: ctx.server.origin });
    assert.equal((await api(ctx, "auth_passkey_login_verify", { site_key: "demo", credential: assertion })).status, "authenticated");
  });

  await step("the console's user dialog lists the passkey and removes it after a confirmation", async () => {
    const filter = page.locator("#users-filter");
    await filter.getByLabel("Search", { exact: true }).fill(EMAIL);
    await filter.getByLabel("Status", { exact: true }).selectOption("");
    await filter.getByRole("button", { name: "Search" }).click();
    const row = page.locator("#users-table tbody tr").filter({ hasText: EMAIL });
    await row.getByRole("button", { name: /^Edit/ }).click();
    const dialog = page.locator("#user-edit");
    const passkeyRow = dialog.locator("#ue-passkeys tbody tr").filter({ hasText: "Pia's laptop" });
    await passkeyRow.waitFor();
    await passkeyRow.locator(".badge", { hasText: "synced" }).waitFor();
    await axe(ctx, "user dialog with passkeys");
    await shot(ctx, "04b-user-passkeys");
    await passkeyRow.getByRole("button", { name: /^Remove/ }).click();
    await page.locator("#confirm-text").filter({ hasText: "Pia's laptop" }).waitFor();
    await page.locator("#confirm").getByRole("button", { name: "Remove passkey" }).click();
    await status(page, "ue-passkeys-message", "Removed passkey Pia's laptop.");
    await dialog.locator("#ue-passkeys td.empty", { hasText: "No passkeys." }).waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  await step("the removal is real: the API lists none, the passkey no longer signs in, the audit log has it", async () => {
    const admin = await api(ctx, "admin/login", { email: ctx.server.adminEmail, password: ctx.server.adminPassword });
    assert.deepEqual((await api(ctx, `admin/user_passkeys_list?auth_user_id=${userId}`, undefined, admin.session.token)).passkeys, []);
    const signIn = await api(ctx, "auth_passkey_login_options", { site_key: "demo" });
    const assertion = await authenticator.authenticate(signIn.options, { origin: ctx.server.origin });
    const res = await fetch(`${ctx.server.origin}/api/auth_passkey_login_verify`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ site_key: "demo", credential: assertion }) });
    assert.equal(res.status, 404);
    const audit = await api(ctx, `admin/audit_list?action=user.passkeys_delete&target=${userId}`, undefined, admin.session.token);
    assert.equal(audit.items.length, 1);
  });
}
