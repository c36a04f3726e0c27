import type { Miniflare, MiniflareOptions } from "miniflare";
import type { FakeMailProvider } from "./fake-mail";
import { forgetWorkerdPids } from "./machine";
import { hashPassword as hashWithParams } from "../../src/crypto/password-hash";
import type { BenchContext, BenchOptions, CallOptions, RouteResult, SeedSiteOptions, SeedUsersOptions } from "./types";
import { PRODUCTION_SCRYPT } from "./worker";
import { readDefaultPolicy } from "../../src/lib/site-policy";
import { createDb } from "../../src/store/db";
import { createSitesStore } from "../../src/store/sites";

// What a scenario gets: the running Worker and helpers to seed it. Seeding goes straight to the
// bindings (D1 through Miniflare), never through routes under test, so setup never pollutes a figure.

/** The password of every user seeded with the default hash. */
export const BENCH_PASSWORD = "bench-Password-2026!";

/** Rows per INSERT … SELECT: big enough to be fast, small enough to keep each statement short. */
const BULK_CHUNK = 50_000;

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export interface ContextInput {
  mf: Miniflare;
  baseUrl: string;
  options: BenchOptions;
  vars: Record<string, string>;
  results: Map<string, RouteResult>;
  /** The options the Worker was started with (a restart reuses them). */
  workerOptions: MiniflareOptions;
  mail: FakeMailProvider;
}

export async function createContext(input: ContextInput): Promise<BenchContext> {
  // Reassigned by restartWorker: Miniflare poisons binding proxies taken before a restart.
  let db = (await input.mf.getD1Database("DB")) as unknown as D1Database;
  const hashes = new Map<string, Promise<string>>();
  const pepper = input.vars.PASSWORD_PEPPER || undefined;

  const hashPassword = (password: string): Promise<string> => {
    let hit = hashes.get(password);
    if (!hit) {
      hit = hashWithParams(password, { scrypt: { ...PRODUCTION_SCRYPT }, pepper });
      hashes.set(password, hit);
    }
    return hit;
  };

  const sql = async <T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T[]> => {
    const result = await db.prepare(query).bind(...params).all<T>();
    return result.results;
  };

  const bulkInsert = async (table: string, count: number, columns: Record<string, string>, offset = 0): Promise<void> => {
    const names = Object.keys(columns);
    if (!/^[a-z_][a-z0-9_]*$/i.test(table) || names.some((c) => !/^[a-z_][a-z0-9_]*$/i.test(c))) {
      throw new Error(`bulkInsert: bad table or column name in ${table}(${names.join(", ")})`);
    }
    const select = names.map((c) => columns[c]).join(", ");
    for (let from = 1; from <= count; from += BULK_CHUNK) {
      const to = Math.min(count, from + BULK_CHUNK - 1);
      await db
        .prepare(
          `INSERT INTO ${table} (${names.join(", ")}) ` +
            `WITH RECURSIVE seq(n) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT n + 1 FROM seq WHERE n < CAST(? AS INTEGER)) SELECT ${select} FROM seq`,
        )
        .bind(from + offset, to + offset)
        .run();
    }
  };

  const call = (path: string, options: CallOptions = {}): Promise<Response> => {
    const headers = new Headers(options.headers);
    let body: string | undefined;
    if (options.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      body = new URLSearchParams(options.form).toString();
    }
    if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", "203.0.113.10");
    return fetch(input.baseUrl + path, { method: options.method ?? (body === undefined ? "GET" : "POST"), headers, ...(body !== undefined && { body }) });
  };

  // Sites go in through the Worker's own store function, with the default policy read as the Worker reads it.
  const seedSite = async (siteKey: string, options: SeedSiteOptions = {}): Promise<void> => {
    const v = input.vars;
    await createSitesStore(createDb(db)).insert(
      {
        site_key: siteKey,
        name: options.name ?? `Bench ${siteKey}`,
        status: options.status ?? "active",
        allowed_origins: options.allowed_origins ?? [],
        reset_url: v.DEFAULT_RESET_URL ?? null,
        onboarding_url: v.DEFAULT_ONBOARDING_URL ?? null,
        branding: { display_name: options.name ?? `Bench ${siteKey}` },
        policy: { ...readDefaultPolicy(v), ...options.policy },
      },
      Date.now(),
    );
  };

  const seedUsers: BenchContext["seedUsers"] = async (count, options: SeedUsersOptions = {}) => {
    const start = options.start ?? 1;
    const idPrefix = options.idPrefix ?? "usr_bench_";
    const emailPrefix = options.emailPrefix ?? "user";
    const domain = options.domain ?? "bench.test";
    const hash = options.passwordHash === undefined ? await hashPassword(BENCH_PASSWORD) : options.passwordHash;
    const createdAt = options.createdAtStart ?? Date.now() - count;
    await bulkInsert(
      "users",
      count,
      {
        id: `${sqlString(idPrefix)} || n`,
        email: `${sqlString(emailPrefix)} || n || ${sqlString(`@${domain}`)}`,
        email_verified: "1",
        name: `'Bench User ' || n`,
        status: sqlString(options.status ?? "active"),
        password_hash: hash === null ? "NULL" : sqlString(hash),
        password_changed_at: String(createdAt),
        source: "'admin'",
        created_at: `${createdAt} + n`,
        updated_at: `${createdAt} + n`,
      },
      start - 1,
    );
    return { id: (n: number) => `${idPrefix}${n}`, email: (n: number) => `${emailPrefix}${n}@${domain}` };
  };

  const seedAudit: BenchContext["seedAudit"] = async (count, options = {}) => {
    const users = Math.max(1, options.users ?? 1000);
    const idPrefix = options.idPrefix ?? "usr_bench_";
    const at = Date.now() - count * 1000;
    const actions = ["login.success", "login.failure", "logout", "password.reset", "user.update", "api_key.create"];
    const actionCase = `CASE n % ${actions.length} ${actions.map((a, i) => `WHEN ${i} THEN ${sqlString(a)}`).join(" ")} END`;
    await bulkInsert(
      "audit_log",
      count,
      {
        at: `${at} + n * 1000`,
        actor_type: "'user'",
        actor_id: `${sqlString(idPrefix)} || (n % ${users} + 1)`,
        action: actionCase,
        target_type: "'user'",
        target_id: `${sqlString(idPrefix)} || (n % ${users} + 1)`,
        site_key: options.siteKey ? sqlString(options.siteKey) : "NULL",
        ip: "'203.0.113.' || (n % 250 + 1)",
        user_agent: "'bench'",
        request_id: "'req_bench_' || n",
        outcome: "CASE n % 10 WHEN 1 THEN 'failure' ELSE 'success' END",
        details: "'{}'",
      },
      (options.start ?? 1) - 1,
    );
  };

  return {
    mf: input.mf,
    mail: input.mail,
    async restartWorker() {
      // setOptions with the same options stops the workerd process and starts a new one on the same
      // persistence directories and port: every isolate and Durable Object instance starts afresh.
      await input.mf.setOptions(input.workerOptions);
      await input.mf.ready;
      db = (await input.mf.getD1Database("DB")) as unknown as D1Database;
      forgetWorkerdPids();
    },
    baseUrl: input.baseUrl,
    options: input.options,
    vars: input.vars,
    get db() {
      return db;
    },
    sql,
    bulkInsert,
    call,
    seedSite,
    seedUsers,
    seedAudit,
    hashPassword,
    password: BENCH_PASSWORD,
    results: input.results,
    log: (message: string) => console.log(`    ${message}`),
  };
}
