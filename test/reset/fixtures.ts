import { env } from "cloudflare:test";
import { hashPassword, verifyPassword } from "../../src/crypto/password-hash";
import { sha256Hex } from "../../src/crypto/hmac";
import { findUserById } from "../../src/store/users";
import { call, config, db } from "../helpers";

// Helpers shared by the reset and onboarding suites. Storage lives for a whole test file, so every
// test takes its own client address (per-IP limits) and its own users.

let ipCounter = 0;

/** A client address no other test in this file uses. */
export function freshIp(): string {
  ipCounter++;
  return `198.51.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

export interface Client {
  ip: string;
  post(path: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  form(path: string, body: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

/** A client with its own address. */
export function client(ip = freshIp()): Client {
  return {
    ip,
    post: (path, body, headers = {}) => call(path, { json: body, headers: { "CF-Connecting-IP": ip, ...headers } }),
    form: (path, body, headers = {}) => call(path, { form: body, headers: { "CF-Connecting-IP": ip, ...headers } }),
  };
}

export const hashOptions = () => ({ scrypt: config().scrypt, pepper: env.PASSWORD_PEPPER });

export function hashed(password: string): Promise<string> {
  return hashPassword(password, hashOptions());
}

/** Whether the user's stored hash verifies `password`. */
export async function passwordMatches(userId: string, password: string): Promise<boolean> {
  const user = await findUserById(db(), userId);
  return user?.passwordHash ? verifyPassword(password, user.passwordHash, hashOptions()) : false;
}

export interface AuditRow {
  action: string;
  actor_type: string;
  actor_id: string | null;
  target_id: string | null;
  site_key: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

/** Audit rows whose action starts with `prefix`, oldest first. */
export async function auditRows(prefix: string): Promise<AuditRow[]> {
  const rows = await env.DB.prepare("SELECT action, actor_type, actor_id, target_id, site_key, outcome, details FROM audit_log WHERE action LIKE ? ORDER BY id")
    .bind(`${prefix}%`)
    .all<Omit<AuditRow, "details"> & { details: string }>();
  return rows.results.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}

/** The KV record key of a challenge token. */
export const challengeKey = (token: string) => `challenge:${sha256Hex(token)}`;

/** Every challenge KV key (records and email pointers) currently stored. */
export async function challengeKeys(): Promise<string[]> {
  const list = await env.CHALLENGES.list({ prefix: "challenge" });
  return list.keys.map((k) => k.name);
}

/** A 6-digit code that is certainly not `code`. */
export const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");
