// `npm run dev`: local D1 migrations, .dev.vars from the example, the development seed (admin + demo
// site), then `wrangler dev` on http://127.0.0.1:8787.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { hashPassword } from "../src/crypto/password-hash";
import { readDevVars, readWranglerVars } from "./lib/dev-vars";
import { executeSql, runWrangler } from "./lib/wrangler";
import { seedSql } from "./lib/seed";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example");
}
const vars = { ...readWranglerVars("wrangler.toml"), ...readDevVars(".dev.vars") };
if (vars.ENVIRONMENT !== "development") {
  console.error("wrangler.toml [vars] ENVIRONMENT must be \"development\" for npm run dev.");
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
executeSql(seedSql({ adminEmail: email, adminPasswordHash: passwordHash, now: Date.now() }));

const port = process.env.PORT ?? "8787";
console.log(`
  Auth2 (development) → http://127.0.0.1:${port}
    health      http://127.0.0.1:${port}/healthz
    openapi     http://127.0.0.1:${port}/api/openapi.json
    dev portal  http://127.0.0.1:${port}/docs
    dev outbox  http://127.0.0.1:${port}/dev/outbox
  Development admin: ${email} / ${password}
  Demo site: site_key "demo" (origin http://localhost:5173)
`);

const child = spawn("wrangler", ["dev", "--ip", "127.0.0.1", "--port", port, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
child.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
