import { createApiKey } from "../../src/services/keys/api-keys";
import { type ServiceScope, createServiceKey } from "../../src/services/keys/service-keys";
import { generateId } from "../../src/crypto/random";
import { type NewUserRow, insertUser } from "../../src/store/users";
import { call, db, settleAudit, systemCtx } from "../helpers";

export const BOOTSTRAP = "a2s_test_bootstrap_key_000000000000000000";

/** Inserts a user row (active by default) and returns it. */
export async function seedUser(overrides: Partial<NewUserRow> = {}) {
  const now = Date.now();
  const row: NewUserRow = {
    id: generateId(16),
    email: `user-${generateId(4)}@example.com`,
    emailVerified: true,
    name: "Test User",
    status: "active",
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  await insertUser(db(), row);
  return row as NewUserRow & { id: string; email: string };
}

/** A service key made in setup, the way the admin routes will make them. */
export async function makeServiceKey(scopes: ServiceScope[], name = "test backend") {
  return createServiceKey(systemCtx(), { type: "system", id: "test" }, { name, scopes, createdBy: "test" });
}

export async function makeApiKey(userId: string, input: { name?: string; scopes?: string[]; expires_in_days?: number } = {}) {
  return createApiKey(systemCtx(), userId, { name: input.name ?? "ci", scopes: input.scopes, expires_in_days: input.expires_in_days });
}

export function callService(path: string, key: string | null, json: unknown, headers: Record<string, string> = {}) {
  return call(path, { json, headers: key === null ? headers : { ...headers, "X-Service-Key": key } });
}

/** The audit rows of one action, oldest first (after the deferred ones of earlier calls are written). */
export async function auditRows(action: string) {
  await settleAudit();
  const { env } = await import("cloudflare:test");
  const { results } = await env.DB.prepare("SELECT * FROM audit_log WHERE action = ? ORDER BY id").bind(action).all<Record<string, any>>();
  return results.map((r): Record<string, any> => ({ ...r, details: JSON.parse(r.details as string) }));
}
