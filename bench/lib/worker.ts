import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Log, LogLevel, Miniflare, type MiniflareOptions } from "miniflare";
import { FakeMailProvider } from "./fake-mail";
import { unstable_readConfig, unstable_splitSqlQuery } from "wrangler";

// Builds the Worker exactly as `wrangler deploy` bundles it and runs that bundle on Miniflare's
// programmatic API: one workerd process with the real local D1/KV/DO/Queue/R2 bindings, storage in a
// temporary directory, and no `wrangler dev` proxy in front (that proxy costs ~5× on a bare route).

export const ROOT = resolve(import.meta.dirname, "../..");

/** The production password-hash parameters (DESIGN.md; OWASP scrypt ln=14 r=8 p=5). The bench always runs with these. */
export const PRODUCTION_SCRYPT = { ln: 14, r: 8, p: 5 } as const;

/**
 * Secrets the bench Worker gets: fresh random values per run. The Worker runs in production mode
 * (wrangler.toml's top level), which refuses the public development values.
 */
export const BENCH_SECRETS: Record<string, string> = {
  PASSWORD_PEPPER: randomBytes(24).toString("base64url"),
  CODE_HMAC_KEY: randomBytes(32).toString("base64url"),
  TOTP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  SERVICE_BOOTSTRAP_KEY: `a2s_bench_${randomBytes(24).toString("hex")}`,
  RESEND_API_KEY: `re_bench_${randomBytes(12).toString("hex")}`,
};

/**
 * Mail goes through the real Resend provider code to the harness's fake Resend (bench/lib/fake-mail.ts,
 * reached through Miniflare's outboundService: nothing leaves the machine). Retries start at 1 s instead
 * of 15 s so a provider outage and the dead-letter queue (6 attempts) play out in under a minute.
 */
export const BENCH_MAIL_VARS: Record<string, string> = { MAIL_PROVIDER: "resend", MAIL_RETRY_BASE_SECONDS: "1" };

/** `wrangler deploy --dry-run --outdir <dir>`: the bundle wrangler would upload. Returns the entry module path. */
export async function buildWorker(outDir: string, signal?: AbortSignal): Promise<string> {
  // Asynchronous and abortable, so Ctrl-C during the build stops wrangler before the temp dir goes.
  const child = spawn("wrangler", ["deploy", "--dry-run", "--outdir", outDir, "--config", join(ROOT, "wrangler.toml"), "--env="], {
    cwd: ROOT,
    ...(signal && { signal }),
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  let failure: Error | undefined;
  child.on("error", (err) => (failure = err));
  // "close" comes after the process is gone (also after an abort or a failed spawn): nothing writes after it.
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (failure) throw failure;
  if (code !== 0) {
    process.stderr.write(output);
    throw new Error(`wrangler deploy --dry-run failed (exit ${code ?? "signal"})`);
  }
  const entry = join(outDir, "index.js");
  if (!existsSync(entry)) throw new Error(`wrangler produced no ${entry}`);
  return entry;
}

export interface Runtime {
  /** The workerd binary Miniflare runs. */
  workerdPath: string;
  workerdVersion: string;
  miniflareVersion: string;
  /** Why this binary. */
  note: string;
}

function packageVersion(req: NodeJS.Require, name: string): string {
  return (req(`${name}/package.json`) as { version: string }).version;
}

/**
 * The pinned miniflare 4.x ships a workerd that may predate wrangler.toml's compatibility_date (it
 * refuses to start rather than guess). Then Miniflare runs the workerd that the pinned wrangler ships
 * (what `wrangler dev` and the test pool use), through Miniflare's documented MINIFLARE_WORKERD_PATH,
 * so the Worker runs with its real compatibility date instead of a clamped one.
 */
export async function selectRuntime(compatibilityDate: string): Promise<Runtime> {
  const rootRequire = createRequire(join(ROOT, "package.json"));
  const miniflareVersion = packageVersion(rootRequire, "miniflare");
  const miniflareRequire = createRequire(rootRequire.resolve("miniflare/package.json"));
  const { supportedCompatibilityDate } = await import("miniflare");
  if (process.env.MINIFLARE_WORKERD_PATH) {
    return { workerdPath: process.env.MINIFLARE_WORKERD_PATH, workerdVersion: "custom", miniflareVersion, note: "MINIFLARE_WORKERD_PATH from the environment" };
  }
  if (compatibilityDate <= supportedCompatibilityDate) {
    const workerd = miniflareRequire("workerd") as { default?: string } | string;
    return {
      workerdPath: typeof workerd === "string" ? workerd : (workerd.default ?? ""),
      workerdVersion: packageVersion(miniflareRequire, "workerd"),
      miniflareVersion,
      note: "miniflare's own workerd",
    };
  }
  const wranglerRequire = createRequire(rootRequire.resolve("wrangler/package.json"));
  const workerd = wranglerRequire("workerd") as { default?: string } | string;
  const workerdPath = typeof workerd === "string" ? workerd : (workerd.default ?? "");
  process.env.MINIFLARE_WORKERD_PATH = workerdPath;
  return {
    workerdPath,
    workerdVersion: packageVersion(wranglerRequire, "workerd"),
    miniflareVersion,
    note: `miniflare ${miniflareVersion}'s workerd supports compatibility dates up to ${supportedCompatibilityDate} < ${compatibilityDate}; using wrangler's workerd`,
  };
}

/** The fields of wrangler's parsed config the bench maps (wrangler's own Config type is not exported cleanly). */
interface WranglerConfig {
  name?: string;
  compatibility_date?: string;
  compatibility_flags?: string[];
  vars: Record<string, unknown>;
  migrations: { new_sqlite_classes?: string[] }[];
  d1_databases: { binding: string; database_id?: string; database_name?: string }[];
  kv_namespaces: { binding: string; id?: string }[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  queues: {
    producers?: { binding: string; queue?: string }[];
    consumers?: { queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; dead_letter_queue?: string }[];
  };
  r2_buckets: { binding: string; bucket_name?: string }[];
}

export interface StartedWorker {
  mf: Miniflare;
  /** The options it was started with (`mf.setOptions(options)` restarts workerd on the same storage). */
  options: MiniflareOptions;
  /** The fake mail provider every outbound fetch of the Worker goes to. */
  mail: FakeMailProvider;
  baseUrl: string;
  vars: Record<string, string>;
  compatibilityDate: string;
  compatibilityFlags: string[];
  runtime: Runtime;
}

function forwardLines(from: Readable, to: NodeJS.WriteStream, keep: (line: string) => boolean): void {
  createInterface({ input: from, crlfDelay: Infinity }).on("line", (line) => {
    if (keep(line)) to.write(`${line}\n`);
  });
}

/** Maps wrangler.toml's bindings onto Miniflare options (one explicit line per binding kind). */
export async function startWorker(scriptPath: string, persistDir: string, options: { benchVars?: boolean } = {}): Promise<StartedWorker> {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") }, { hideWarnings: true }) as unknown as WranglerConfig;
  const sqliteClasses = new Set(config.migrations.flatMap((m) => m.new_sqlite_classes ?? []));
  const stringVars = Object.fromEntries(Object.entries(config.vars).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  // benchVars: false runs the bundle with wrangler.toml's vars alone (scripts/check-dry-run.ts).
  const vars: Record<string, string> = options.benchVars === false ? stringVars : {
    ...stringVars,
    ...BENCH_SECRETS,
    ...BENCH_MAIL_VARS,
    PASSWORD_SCRYPT_LN: String(PRODUCTION_SCRYPT.ln),
    PASSWORD_SCRYPT_R: String(PRODUCTION_SCRYPT.r),
    PASSWORD_SCRYPT_P: String(PRODUCTION_SCRYPT.p),
    BENCH_ROUTES: "1",
    // Production mode refuses the placeholder origin of wrangler.toml's top level.
    PUBLIC_BASE_URL: "https://auth2.bench.test",
  };
  const compatibilityDate = config.compatibility_date ?? "2026-10-01";
  const compatibilityFlags = config.compatibility_flags ?? [];

  const runtime = await selectRuntime(compatibilityDate);
  const mail = new FakeMailProvider();
  const mfOptions: MiniflareOptions = {
    name: config.name ?? "auth2",
    modules: true,
    scriptPath,
    // Module names are paths relative to this root; the bundle lives in a temp dir outside the project.
    modulesRoot: dirname(scriptPath),
    modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }],
    compatibilityDate,
    compatibilityFlags,
    host: "127.0.0.1",
    // No network lookup of the request.cf object; the Worker does not read it.
    cf: false,
    port: 0,
    bindings: vars,
    outboundService: mail.handle,
    d1Databases: Object.fromEntries(config.d1_databases.map((d) => [d.binding, d.database_id ?? d.database_name ?? d.binding])),
    kvNamespaces: Object.fromEntries(config.kv_namespaces.map((k) => [k.binding, k.id ?? k.binding])),
    durableObjects: Object.fromEntries(
      config.durable_objects.bindings.map((d) => [d.name, { className: d.class_name, useSQLite: sqliteClasses.has(d.class_name) }]),
    ),
    queueProducers: Object.fromEntries((config.queues.producers ?? []).map((q) => [q.binding, { queueName: q.queue ?? q.binding }])),
    queueConsumers: Object.fromEntries(
      (config.queues.consumers ?? []).map((q) => [
        q.queue,
        {
          ...(q.max_batch_size !== undefined && { maxBatchSize: q.max_batch_size }),
          ...(q.max_batch_timeout !== undefined && { maxBatchTimeout: q.max_batch_timeout }),
          ...(q.max_retries !== undefined && { maxRetries: q.max_retries }),
          ...(q.dead_letter_queue !== undefined && { deadLetterQueue: q.dead_letter_queue }),
        },
      ]),
    ),
    r2Buckets: Object.fromEntries(config.r2_buckets.map((b) => [b.binding, b.bucket_name ?? b.binding])),
    defaultPersistRoot: persistDir,
    d1Persist: join(persistDir, "d1"),
    kvPersist: join(persistDir, "kv"),
    durableObjectsPersist: join(persistDir, "do"),
    r2Persist: join(persistDir, "r2"),
    cachePersist: join(persistDir, "cache"),
    log: new Log(LogLevel.WARN),
    // The Worker's own info-level JSON lines (e.g. one per mail sent) would flood a long run's output;
    // warnings, errors and anything else still come through.
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      forwardLines(stdout, process.stdout, (line) => !line.includes('"level":"info"'));
      forwardLines(stderr, process.stderr, () => true);
    },
  };
  const mf = new Miniflare(mfOptions);
  const url = await mf.ready;
  return { mf, options: mfOptions, mail, baseUrl: url.origin, vars, compatibilityDate, compatibilityFlags, runtime };
}

/** Applies migrations/*.sql in name order to the D1 database (as `wrangler d1 migrations apply` would). */
export async function applyMigrations(db: D1Database): Promise<string[]> {
  const dir = join(ROOT, "migrations");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
  for (const file of files) {
    const statements = unstable_splitSqlQuery(readFileSync(join(dir, file), "utf8"))
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    await db.batch(statements.map((s) => db.prepare(s)));
  }
  return files;
}
