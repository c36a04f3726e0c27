import { env } from "cloudflare:test";
import { readConfig } from "../../src/env";
import { createSession } from "../../src/services/sessions/sessions";
import { toIdentity } from "../../src/services/users/identity";
import { insertUser, type UserRow, findUserById } from "../../src/store/users";
import { db, testCtx } from "../helpers";

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

/** Issues a session for a user the way login does. */
export async function sessionFor(user: UserRow, options: { siteKey?: string; ttl?: number; idle?: number; factors?: string[] } = {}) {
  return createSession(testCtx(), {
    kind: "user",
    principalId: user.id,
    siteKey: options.siteKey ?? "demo",
    ttlSeconds: options.ttl ?? 3600,
    idleSeconds: options.idle ?? 1800,
    factors: options.factors ?? ["password"],
    identity: toIdentity(user, readConfig(env).publicBaseUrl),
  });
}
