// `npm run check:deploy-config` (run by .ci/run): builds exactly what a plain `wrangler deploy` would
// upload (`wrangler deploy --dry-run`), starts that bundle on Miniflare with wrangler.toml's top-level
// vars and no secrets, and proves it is production mode that refuses to serve: the dev outbox and
// every other route answer 503 not_configured on a public host, and nothing development-only answers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWorker, startWorker } from "../bench/lib/worker";

const dir = mkdtempSync(join(tmpdir(), "auth2-dry-run-"));
const failures: string[] = [];
try {
  const entry = await buildWorker(join(dir, "bundle"));
  const worker = await startWorker(entry, join(dir, "state"), { benchVars: false });
  try {
    if (worker.vars.ENVIRONMENT !== "production") failures.push(`top-level ENVIRONMENT is ${JSON.stringify(worker.vars.ENVIRONMENT)}, not "production"`);
    if (worker.vars.MAIL_PROVIDER === "log") failures.push("top-level MAIL_PROVIDER is log");
    for (const url of ["https://auth.example.com/dev/outbox", "https://auth.example.com/healthz", "https://auth.example.com/api/auth_login", "http://localhost:8787/dev/outbox"]) {
      const res = await worker.mf.dispatchFetch(url);
      const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
      const code = body?.error?.code;
      console.log(`GET ${url} → ${res.status} ${code ?? ""}`);
      if (res.status !== 503 || code !== "not_configured") failures.push(`GET ${url} answered ${res.status} ${code ?? ""}, expected 503 not_configured`);
    }
  } finally {
    await worker.mf.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error("The committed wrangler.toml would not deploy a refusing production Worker:");
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log("wrangler deploy --dry-run ships production mode, refusing to serve until configured.");
