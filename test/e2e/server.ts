// Starts `wrangler dev` for the browser tests on a free port with fresh local storage (its own
// --persist-to directory), migrated and seeded the way `npm run dev` does, and stops it again.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "../../src/crypto/password-hash";
import { readDevVars, readWranglerVars } from "../../scripts/lib/dev-vars";
import { openLocalD1 } from "../../scripts/lib/import/local-d1";
import { seedDevelopment } from "../../scripts/lib/seed";
import { runWrangler } from "../../scripts/lib/wrangler";

export interface DevServer {
  origin: string;
  adminEmail: string;
  adminPassword: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Ends the whole process group (wrangler runs workerd as a child): TERM, then KILL after 5 s. */
function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      try { process.kill(-pid, "SIGKILL"); } catch { /* already gone */ }
      resolve();
    }, 5000);
    child.once("exit", () => { clearTimeout(force); resolve(); });
    try { process.kill(-pid, "SIGTERM"); } catch { clearTimeout(force); resolve(); }
  });
}

async function waitForHealth(origin: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(3000) });
      if (res.status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`wrangler dev did not become healthy within ${timeoutMs / 1000} s:\n${log()}`);
}

export async function startDevServer(): Promise<DevServer> {
  // The example values, not the developer's .dev.vars: the run is the same on every machine.
  const vars = { ...readWranglerVars("wrangler.toml"), ...readDevVars(".dev.vars.example") };
  const port = await freePort();
  // Named localhost, as `npm run dev` serves: a WebAuthn RP ID cannot be an IP address (wrangler still
  // listens on 127.0.0.1 only).
  const origin = `http://localhost:${port}`;
  const persist = mkdtempSync(join(tmpdir(), "auth2-e2e-state-"));
  const adminEmail = (vars.DEV_ADMIN_EMAIL || "admin@example.com").toLowerCase();
  const adminPassword = vars.DEV_ADMIN_PASSWORD || "dev-admin-Auth2-2026!";

  runWrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], { quiet: true });
  const scrypt = { ln: Number(vars.PASSWORD_SCRYPT_LN ?? 14), r: Number(vars.PASSWORD_SCRYPT_R ?? 8), p: Number(vars.PASSWORD_SCRYPT_P ?? 5) };
  const passwordHash = await hashPassword(adminPassword, { scrypt, pepper: vars.PASSWORD_PEPPER || undefined });
  const local = await openLocalD1(undefined, persist);
  try {
    await seedDevelopment(local.db, { adminEmail, adminPasswordHash: passwordHash, now: Date.now() });
  } finally {
    await local.close();
  }

  // wrangler.toml's top level is production mode: development mode and its secrets come from the example.
  const overrides: Record<string, string> = { ...readDevVars(".dev.vars.example"), PUBLIC_BASE_URL: origin };
  delete overrides.DEV_ADMIN_EMAIL;
  delete overrides.DEV_ADMIN_PASSWORD;
  const varArgs = Object.entries(overrides).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child = spawn("wrangler", ["dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist, "--inspector-port", "0", "--show-interactive-dev-session=false", ...varArgs], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  let output = "";
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await killGroup(child);
    rmSync(persist, { recursive: true, force: true });
  };
  // However the run ends, wrangler and workerd go with it.
  process.once("exit", () => { try { if (child.pid) process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } });
  try {
    await waitForHealth(origin, child, () => output, 120_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { origin, adminEmail, adminPassword, stop };
}
