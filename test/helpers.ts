import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { type Ctx, type RequestMeta, createContext } from "../src/context";
import type { Env } from "../src/env";
import { readConfig } from "../src/env";
import type { SitePolicy } from "../src/lib/site-policy";
import { unwrittenAuditRows } from "../src/services/audit/deferred";
import { createDb } from "../src/store/db";
import { type UserRow, findUserById, insertUser } from "../src/store/users";

export const BASE = "https://auth.test";
/** A local origin: development mode (the dev outbox) answers only requests addressed to this machine. */
export const LOCAL_BASE = "http://localhost:8787";

export interface CallOptions {
  method?: string;
  json?: unknown;
  form?: Record<string, string>;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Another origin than BASE (e.g. http://localhost:8787: development mode answers only local hosts). */
  base?: string;
}

/** The request a client would send for `path` and `options` (JSON or form body, a client address). */
export function buildRequest(path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  let body: BodyInit | undefined = options.body;
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(options.form).toString();
  }
  if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", "203.0.113.10");
  const method = options.method ?? (body === undefined ? "GET" : "POST");
  return new Request(`${options.base ?? BASE}${path}`, { method, headers, body });
}

/** Sends a request through the Worker's own fetch handler, as a client would. */
export function call(path: string, options: CallOptions = {}): Promise<Response> {
  return exports.default.fetch(buildRequest(path, options));
}

/**
 * Waits until the audit rows that read-only service calls write after their response
 * (src/services/audit-deferred.ts) are in D1. Polls the isolate's counter of unwritten rows (the
 * Worker runs in this isolate) with this test's own timer; throws after `timeoutMs`.
 */
export async function settleAudit(timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (unwrittenAuditRows() > 0) {
    if (Date.now() > deadline) throw new Error(`${unwrittenAuditRows()} deferred audit rows still unwritten after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** An audit row as stored, with `details` parsed. */
export interface AuditRowView {
  id: number;
  at: number;
  action: string;
  actor_type: string;
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  site_key: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: string;
  // Read by tests as the action's own fields (reason, factors, via…).
  details: Record<string, any>;
}

/**
 * Audit rows, oldest first, once the rows deferred by earlier service calls are written. `filter` is
 * an action or action prefix ("admin.login", "password_reset.") or an SQL condition on audit_log
 * ("action = 'login.failure' AND target_id = '…'").
 */
export async function auditRows(filter = ""): Promise<AuditRowView[]> {
  await settleAudit();
  const sql = /[\s=<>()']/.test(filter) ? filter : "action LIKE ? ESCAPE '\\'";
  const stmt = env.DB.prepare(`SELECT * FROM audit_log WHERE ${sql || "1=1"} ORDER BY id`);
  const bound = sql === filter ? stmt : stmt.bind(`${filter.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const { results } = await bound.all<Omit<AuditRowView, "details"> & { details: string }>();
  return results.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, any> }));
}

/** A 6-digit code that is certainly not `code`. */
export const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

let ipCounter = 0;

/** A client address no other test in this file uses (per-address limits never interfere). */
export function freshIp(): string {
  ipCounter++;
  return `198.51.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

let counter = 0;

/** Inserts a user row directly (admin/onboarding flows are tested elsewhere). */
export async function seedUser(overrides: Partial<UserRow> = {}): Promise<UserRow> {
  const now = Date.now();
  const id = overrides.id ?? crypto.randomUUID();
  await insertUser(db(), {
    id,
    email: overrides.email ?? `user${++counter}-${id.slice(0, 6)}@example.com`,
    name: "Test User",
    status: "active",
    emailVerified: true,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
  return (await findUserById(db(), id))!;
}

export async function json<T = Record<string, any>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/**
 * The suite's bindings configured as a real production deployment would be (production mode refuses
 * to serve with the public test secrets): fresh secrets, a mail provider with a key, an https origin.
 */
export function productionEnv(overrides: Partial<Env> = {}): Env {
  const random = (n: number) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(n))));
  return {
    ...env,
    ENVIRONMENT: "production",
    PUBLIC_BASE_URL: "https://auth.test",
    CODE_HMAC_KEY: random(32),
    TOTP_ENCRYPTION_KEY: random(32),
    PASSWORD_PEPPER: random(24),
    SERVICE_BOOTSTRAP_KEY: `a2s_${random(30).replace(/[^A-Za-z0-9]/g, "x")}`,
    MAIL_PROVIDER: "resend",
    RESEND_API_KEY: `re_${random(12).replace(/[^A-Za-z0-9]/g, "x")}`,
    ...overrides,
  };
}

export const db = () => createDb(env.DB);
export const config = () => readConfig(env);

/** The meta of work a test does directly (not through HTTP). */
export const TEST_META: RequestMeta = { requestId: "test", ip: "203.0.113.10", userAgent: "vitest" };

/**
 * A request context on the suite's real bindings, for calling services directly: fixtures, and
 * checks of what a route left behind. Its clock is read now (move time before building one).
 */
export function testCtx(options: { env?: Env; meta?: Partial<RequestMeta>; now?: number; waitUntil?: (work: Promise<unknown>) => void } = {}): Ctx {
  return createContext(options.env ?? env, { meta: { ...TEST_META, ...options.meta }, waitUntil: options.waitUntil ?? null, now: options.now ?? Date.now() });
}

/** The UserState object of an account name (an auth_user_id or "admin:<id>"), for checks of what a flow left there. */
export const accountObject = (name: string) => env.USER_STATE.get(env.USER_STATE.idFromName(name));

/** A test context whose clock reads `now` (services take the time from the request context). */
export const at = (now = Date.now()) => testCtx({ now });

/** A context for setup work no client asked for (its audit rows carry no address, agent or request id). */
export const systemCtx = () => testCtx({ meta: { requestId: "", ip: "", userAgent: "" } });

export async function createSite(
  siteKey: string,
  options: { status?: "active" | "inactive"; policy?: Partial<SitePolicy>; allowed_origins?: string[]; reset_url?: string; onboarding_url?: string; name?: string } = {},
): Promise<void> {
  await testCtx().store.sites.insert(
    {
      site_key: siteKey,
      name: options.name ?? `Site ${siteKey}`,
      status: options.status ?? "active",
      allowed_origins: options.allowed_origins ?? [],
      reset_url: options.reset_url ?? null,
      onboarding_url: options.onboarding_url ?? null,
      branding: { display_name: `Site ${siteKey}` },
      policy: { ...config().defaultPolicy, ...options.policy },
    },
    Date.now(),
  );
}

// ---------------------------------------------------------------------------------------------------
// Mail in tests. Code under test calls `enqueueMail` → the MAIL_QUEUE producer binding. The vitest
// plugin runs the queue for real: Miniflare's queue broker hands the batch to this Worker's `queue`
// handler (the same isolate and storage as the test) after `max_batch_timeout` (1 s in wrangler.toml),
// and with MAIL_PROVIDER=log (the test config) the consumer writes the rendered mail to `dev_outbox`.
// (vitest.config.ts sets max_batch_timeout 0 so the batch goes out at once). So a test reads mailed
// codes by polling the outbox: `waitForMail(to, { template, since, except })` returns the newest
// matching mail created at or after `since` (take `Date.now()` before the request) whose id is not in
// `except` (pass the ids of mails already seen when waiting for a second one to the same address:
// two mails can share a millisecond), or throws after `timeoutMs` (default 10 s).
// `mailCode(mail)` / `mailLink(mail)` pull the code or the first http(s) link out of its text part.
// To drive the consumer directly instead (failures, retries), see test/mail/queue-helpers.ts.
// ---------------------------------------------------------------------------------------------------
import type { OutboxItem } from "../src/store/dev-outbox";

export type { OutboxItem } from "../src/store/dev-outbox";

/** The outbox, newest first, optionally for one (normalised) recipient. */
export function readOutbox(to?: string, limit = 100): Promise<OutboxItem[]> {
  return testCtx().store.mail.devOutbox.list({ to: to ?? null, limit });
}

/** Polls the outbox until a mail to `to` (optionally of `template`, created at/after `since`) arrives. */
export async function waitForMail(
  to: string,
  options: { template?: string; since?: number; except?: string[]; timeoutMs?: number } = {},
): Promise<OutboxItem> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const items = await readOutbox(to.trim().toLowerCase(), 20);
    const hit = items.find(
      (m) =>
        (!options.template || m.template === options.template) &&
        (options.since === undefined || m.created_at >= options.since) &&
        !options.except?.includes(m.id),
    );
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no ${options.template ?? ""} mail to ${to} arrived in the outbox`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The one-time code in a mail (the first 4-10 digit group standing on its own line). */
export function mailCode(mail: OutboxItem): string {
  const match = /^(\d{4,10})$/m.exec(mail.text);
  if (!match) throw new Error(`no code in ${mail.template} mail`);
  return match[1]!;
}

/** The first http(s) link in a mail's text part, or null. */
export function mailLink(mail: OutboxItem): string | null {
  return /https?:\/\/\S+/.exec(mail.text)?.[0] ?? null;
}
