// `npm run test:e2e`: the admin console and the developer portal in headless Chromium against
// `wrangler dev`. Needs /usr/bin/chromium (Debian's `chromium` package; CHROMIUM_PATH overrides).
// Screenshots go to test-results/e2e/. Bounded: the whole run is killed after RUN_LIMIT_MS.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM, launchBrowser, type Browser } from "./browser";
import { type DevServer, startDevServer } from "./server";
import { type Ctx, scenario } from "./scenario";

const RUN_LIMIT_MS = 6 * 60_000;
const ARTIFACTS = join("test-results", "e2e");

let server: DevServer | null = null;
let browser: Browser | null = null;

async function cleanUp(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
}

const watchdog = setTimeout(() => {
  console.error(`e2e: still running after ${RUN_LIMIT_MS / 60_000} min; stopping.`);
  void cleanUp().finally(() => process.exit(1));
}, RUN_LIMIT_MS);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = Date.now();
  console.log("e2e: starting wrangler dev (fresh local storage)…");
  server = await startDevServer();
  console.log(`e2e: ${server.origin} up after ${((Date.now() - started) / 1000).toFixed(1)} s; launching Chromium`);
  browser = await launchBrowser();
  const ctx: Ctx = { server, page: browser.page, context: browser.context, artifacts: ARTIFACTS, problems: [] };
  browser.page.on("console", (msg) => {
    if (msg.type() === "error" && /Content Security Policy|Refused to/i.test(msg.text())) ctx.problems.push(`CSP: ${msg.text()}`);
  });
  browser.page.on("pageerror", (err) => ctx.problems.push(`page error: ${err.message}`));
  await scenario(ctx);
  if (ctx.problems.length) throw new Error(`problems during the run:\n  ${ctx.problems.join("\n  ")}`);
  console.log(`e2e: all steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${ARTIFACTS}/`);
}

main().then(
  async () => {
    clearTimeout(watchdog);
    await cleanUp();
    process.exit(0);
  },
  async (err: unknown) => {
    clearTimeout(watchdog);
    console.error("e2e: FAILED:", err instanceof Error ? err.stack ?? err.message : err);
    if (browser) await browser.page.screenshot({ path: join(ARTIFACTS, "failure.png"), fullPage: true }).catch(() => undefined);
    await cleanUp();
    process.exit(1);
  },
);
