// `npm run check:passkeys-bundle` (run by .ci/run): proves that @simplewebauthn/server bundles and
// runs in workerd with WebCrypto only, the way the Worker will ship it.
// 1. Builds with `wrangler deploy --dry-run --outdir`, the committed wrangler.toml (same
//    compatibility date, nodejs_compat, bindings) and one change: the entry is
//    scripts/passkeys-bundle/probe-worker.ts, i.e. the production Worker (whose passkey routes import
//    the same modules) plus a probe path that drives the ceremonies directly, case by case.
// 2. Reads the bundle: exactly one copy of @peculiar/asn1-schema's schema registry (two copies are
//    what breaks signature verification with "Cannot get schema").
// 3. Starts the bundle on Miniflare (bench/lib/worker.ts: real local D1, DO, KV, Queue, R2), applies
//    migrations/, and runs the probe: registration and sign-in for ES256 (none and packed), EdDSA and
//    RS256 through the real D1 tables and Limiter-shard challenges, plus replay, counter regression,
//    another origin and a malformed attestation object, each with its expected typed outcome.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, applyMigrations, startWorker } from "../bench/lib/worker";

async function buildProbeBundle(outDir: string): Promise<string> {
  const entry = join(ROOT, "scripts/passkeys-bundle/probe-worker.ts");
  const child = spawn("wrangler", ["deploy", entry, "--dry-run", "--outdir", outDir, "--config", join(ROOT, "wrangler.toml"), "--env="], {
    cwd: ROOT,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) {
    process.stderr.write(output);
    throw new Error(`wrangler deploy --dry-run failed (exit ${code ?? "signal"})`);
  }
  const bundle = join(outDir, "probe-worker.js");
  if (!existsSync(bundle)) throw new Error(`wrangler produced no ${bundle}`);
  return bundle;
}

const dir = mkdtempSync(join(tmpdir(), "auth2-passkeys-bundle-"));
const failures: string[] = [];
try {
  const bundle = await buildProbeBundle(join(dir, "bundle"));
  const text = readFileSync(bundle, "utf8");
  // esbuild names each bundled module in a comment and renames a second copy's classes (…Storage2).
  const modules = text.match(/^\/\/ \S*@peculiar\/asn1-schema\/build\/[^/\s]+\/storage\.js$/gm) ?? [];
  const registries = text.match(/\bnew AsnSchemaStorage\d*\(\)/g) ?? [];
  console.log(`bundle: ${(text.length / 1024).toFixed(0)} KiB (${(gzipSync(text).length / 1024).toFixed(0)} KiB gzip); asn1-schema storage modules: ${modules.length}, registries created: ${registries.length}`);
  if (modules.length !== 1 || registries.length !== 1) failures.push(`expected exactly one @peculiar/asn1-schema registry in the bundle, found ${modules.length} module(s), ${registries.length} instance(s)`);
  for (const marker of ["verifyAuthenticationResponse", "ECDSASigValue"]) if (!text.includes(marker)) failures.push(`the bundle lacks ${marker}`);

  const worker = await startWorker(bundle, join(dir, "state"), { benchVars: false });
  try {
    await applyMigrations(await worker.mf.getD1Database("DB"));
    const res = await worker.mf.dispatchFetch("https://auth.probe.test/__passkeys_probe");
    const body = (await res.json().catch(() => null)) as { ok?: boolean; steps?: { step: string; expected: string; got: string }[] } | null;
    if (res.status !== 200 || !body?.steps) failures.push(`probe answered ${res.status}`);
    for (const s of body?.steps ?? []) {
      const pass = s.expected === s.got;
      console.log(`${pass ? "ok  " : "FAIL"} ${s.step}: ${s.got}${pass ? "" : ` (expected ${s.expected})`}`);
      if (!pass) failures.push(`${s.step}: got ${s.got}, expected ${s.expected}`);
    }
    if ((body?.steps?.length ?? 0) < 15) failures.push(`the probe ran ${body?.steps?.length ?? 0} steps, expected at least 15`);
  } finally {
    await worker.mf.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error("The passkey bundle check failed:");
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log("@simplewebauthn/server bundles with wrangler and verifies passkeys in workerd (one asn1-schema copy).");
