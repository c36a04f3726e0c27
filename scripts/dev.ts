// `npm run dev`: .dev.vars from the example (development mode comes from there: wrangler.toml's
// top level is production-safe), local D1 migrations, the development seed (admin + demo site), then
// `wrangler dev` on http://localhost:$PORT (8787 by default).
import { spawn } from "node:child_process";
import { hashPassword } from "../src/crypto/password-hash";
import { ensureDevVars, readDevVars, readWranglerVars } from "./lib/dev-vars";
import { openLocalD1 } from "./lib/import/local-d1";
import { seedDevelopment } from "./lib/seed";
import { runWrangler } from "./lib/wrangler";

for (const line of ensureDevVars(".dev.vars", ".dev.vars.example")) console.log(line);
const vars = { ...readWranglerVars("wrangler.toml"), ...readDevVars(".dev.vars") };
if (vars.ENVIRONMENT !== "development") {
  console.error("ENVIRONMENT must be \"development\" in .dev.vars for npm run dev (see .dev.vars.example).");
  process.exit(1);
}

console.log("Applying local D1 migrations…");
runWrangler(["d1", "migrations", "apply", "DB", "--local"], { quiet: true });

const email = (vars.DEV_ADMIN_EMAIL || "admin@example.com").toLowerCase();
const password = vars.DEV_ADMIN_PASSWORD || "dev-admin-Auth2-2026!";
const passwordHash = await hashPassword(password, {
  scrypt: { ln: Number(vars.PASSWORD_SCRYPT_LN ?? 14), r: Number(vars.PASSWORD_SCRYPT_R ?? 8), p: Number(vars.PASSWORD_SCRYPT_P ?? 5) },
  pepper: vars.PASSWORD_PEPPER || undefined,
});
const local = await openLocalD1();
try {
  await seedDevelopment(local.db, { adminEmail: email, adminPasswordHash: passwordHash, now: Date.now() });
} finally {
  await local.close();
}

const port = process.env.PORT ?? "8787";
// localhost, not 127.0.0.1: cookies set for it are same-site with apps on http://localhost:<port>,
// and development mode answers only requests addressed to this machine.
const origin = `http://localhost:${port}`;
console.log(`
  Auth2 (development) → ${origin}
    health      ${origin}/healthz
    openapi     ${origin}/api/openapi.json
    dev portal  ${origin}/docs
    dev outbox  ${origin}/dev/outbox
  Development admin: ${email} / ${password}
  Demo site: site_key "demo" (origin http://localhost:5173)
`);

const args = ["dev", "--ip", "127.0.0.1", "--port", port, "--var", `PUBLIC_BASE_URL:${origin}`, ...process.argv.slice(2)];
const child = spawn("wrangler", args, {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
child.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
