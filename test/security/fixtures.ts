import { env } from "cloudflare:test";
import { expect } from "vitest";
import { issueChallenge } from "../../src/services/challenges/challenges";
import { SERVICE_SCOPES, type ServiceScope } from "../../src/services/keys/service-keys";
import { createSession } from "../../src/services/sessions/sessions";
import { call, json, settleAudit, testCtx } from "../helpers";
import { seedUser, sessionFor } from "../sessions/fixtures";
import { makeApiKey, makeServiceKey } from "../service/helpers";
import errorsDoc from "../../docs/errors.md?raw";

export { seedUser, sessionFor };

/** The OpenAPI document as a client fetches it. */
export async function openApiDocument(): Promise<{ paths: Record<string, Record<string, any>> }> {
  const res = await call("/api/openapi.json");
  expect(res.status).toBe(200);
  return json(res);
}

export interface Operation {
  method: string;
  path: string;
  tag: string;
  op: any;
}

export const HTTP_METHODS = ["get", "post", "put", "patch", "delete"];

export function listOperations(doc: { paths: Record<string, Record<string, any>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      out.push({ method: method.toUpperCase(), path, tag: (op.tags ?? [])[0] ?? "", op });
    }
  }
  return out;
}

/** A path template with its parameters filled in (unknown values: the route must answer 404, not 500). */
export function concretePath(path: string): string {
  return path.replace(/\{[^}]+\}/g, "none0000");
}

/** Every code documented in docs/errors.md (the table `test/foundation/errors-doc.test.ts` checks). */
export const DOCUMENTED_CODES: Set<string> = new Set(
  [...errorsDoc.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]!),
);

let ipCounter = 0;
/** A fresh client address, so per-address limits from one test never decide another's answer. */
export function freshIp(): string {
  ipCounter++;
  return `198.51.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** An admin session for a real admins row (the admin routes check the row). */
export async function adminSession(): Promise<{ id: string; token: string }> {
  const id = `adm_${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const now = Date.now();
  const email = `${id}@admins.example.com`;
  await env.DB.prepare(
    "INSERT INTO admins (id, email, name, password_hash, password_changed_at, status, created_at, updated_at) VALUES (?, ?, 'Sec Admin', ?, ?, 'active', ?, ?)",
  )
    .bind(id, email, "$scrypt$unused", now, now, now)
    .run();
  const session = await createSession(testCtx(), {
    kind: "admin",
    principalId: id,
    siteKey: "@admin",
    ttlSeconds: 3600,
    idleSeconds: 1800,
    factors: ["password", "totp"],
    identity: { id, email, name: "Sec Admin", status: "active", totp_enabled: true } as never,
  });
  return { id, token: session.token };
}

/** The token of a login that waits for its second factor (what auth_login answers as challenge.token). */
export async function pendingLoginToken(userId: string, email: string): Promise<string> {
  const issued = await issueChallenge(testCtx(), {
    purpose: "login",
    owner: userId,
    userId,
    siteKey: "demo",
    email,
    factor: "email_otp",
    ttlSeconds: 600,
    withCode: true,
    enforceCooldown: false,
  });
  return issued.token;
}

/** Service keys: one with every scope, and for each scope one holding all the others. */
export async function serviceKeys() {
  const all = (await makeServiceKey([...SERVICE_SCOPES], "sec all scopes")).secret;
  const without: Record<string, string> = {};
  for (const scope of SERVICE_SCOPES) {
    const others = SERVICE_SCOPES.filter((s: ServiceScope) => s !== scope) as ServiceScope[];
    without[scope] = others.length ? (await makeServiceKey(others, `sec without ${scope}`)).secret : "a2s_none";
  }
  const withOnly: Record<string, string> = {};
  for (const scope of SERVICE_SCOPES) withOnly[scope] = (await makeServiceKey([scope], `sec only ${scope}`)).secret;
  return { all, without, withOnly };
}

/** A user with a session, an API key and a pending second-step token. */
export async function principal() {
  const user = await seedUser();
  const session = await sessionFor(user);
  const apiKey = (await makeApiKey(user.id)).secret;
  const pending = await pendingLoginToken(user.id, user.email);
  return { user, session: session.token, apiKey, pending };
}

/** Asserts the error envelope: ok:false, a documented code, a request_id, nothing internal. */
export async function expectEnvelope(res: Response, label: string): Promise<Record<string, any>> {
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${label}: answer ${res.status} is not JSON: ${text.slice(0, 200)}`);
  }
  expect(body.ok, label).toBe(false);
  expect(typeof body.error?.code, label).toBe("string");
  expect(DOCUMENTED_CODES.has(body.error.code), `${label}: undocumented code ${body.error.code}`).toBe(true);
  expect(typeof body.request_id, label).toBe("string");
  expect(body.request_id.length, label).toBeGreaterThan(0);
  expectNothingInternal(text, label);
  return body;
}

const INTERNAL = [/\bat [\w.<>]+ \(/, /\.ts:\d+/, /\.js:\d+/, /SQLITE/i, /D1_ERROR/, /\bSELECT\b.*\bFROM\b/i, /\bINSERT INTO\b/i, /TypeError|ReferenceError|SyntaxError/, /ZodError/];

export function expectNothingInternal(text: string, label: string): void {
  for (const pattern of INTERNAL) expect(pattern.test(text), `${label}: internal text ${pattern} in ${text.slice(0, 300)}`).toBe(false);
}

export const TABLES_WATCHED = ["users", "sites", "service_keys", "user_api_keys", "audit_log", "admins", "site_policies"];

/** Row counts of the tables whose rows a rejected request must never add (one query). */
export async function rowCounts(): Promise<Record<string, number>> {
  // Audit rows of earlier read-only service calls land just after their response: count them with their call.
  await settleAudit();
  const sql = `SELECT ${TABLES_WATCHED.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`).join(", ")}`;
  return (await env.DB.prepare(sql).first<Record<string, number>>())!;
}
