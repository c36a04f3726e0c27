import { env } from "cloudflare:test";
import { readConfig } from "../../src/env";
import { createSession } from "../../src/services/sessions/sessions";
import { toIdentity } from "../../src/services/users/identity";
import type { UserRow } from "../../src/store/users";
import { testCtx } from "../helpers";

export { seedUser } from "../helpers";

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
