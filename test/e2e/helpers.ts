// Shared pieces of the browser scenario: steps, screenshots, the axe check, waiting helpers.
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


export async function step(name: string, run: () => Promise<void>): Promise<void> {
  const t = Date.now();
  await run();
  console.log(`  ✓ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

export async function shot(ctx: Ctx, name: string): Promise<void> {
  await ctx.page.screenshot({ path: join(ctx.artifacts, `${name}.png`), fullPage: true });
}

export async function axe(ctx: Ctx, where: string): Promise<void> {
  const violations = await seriousAxeViolations(ctx.page);
  assert.deepEqual(
    violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe: serious/critical violations on ${where}`,
  );
}

export async function status(page: Page, id: string, text: string | RegExp): Promise<void> {
  await page.locator(`#${id}`).filter({ hasText: text }).waitFor();
}

export async function waitForMail(ctx: Ctx, to: string): Promise<{ subject: string; text: string; template: string }> {
  for (let i = 0; i < 40; i++) {
    const res = await fetch(`${ctx.server.origin}/dev/outbox?to=${encodeURIComponent(to)}`);
    const body = (await res.json()) as { items: { subject: string; text: string; template: string }[] };
    if (body.items.length) return body.items[0]!;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no mail to ${to} in /dev/outbox`);
}

/** Polls an expression (page.waitForFunction would eval in the page, which the console's CSP forbids). */
export async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function signIn(ctx: Ctx): Promise<void> {
  const form = ctx.page.locator("#signin-form");
  await form.getByLabel("Email", { exact: true }).fill(ctx.server.adminEmail);
  await form.getByLabel("Password", { exact: true }).fill(ctx.server.adminPassword);
  await form.getByRole("button", { name: "Sign in" }).click();
  await ctx.page.getByRole("navigation", { name: "Console" }).waitFor();
}

export async function go(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: link }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}
