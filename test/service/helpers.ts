import { createApiKey } from "../../src/services/keys/api-keys";
import { type ServiceScope, createServiceKey } from "../../src/services/keys/service-keys";
import { call, systemCtx } from "../helpers";

export const BOOTSTRAP = "a2s_test_bootstrap_key_000000000000000000";

export { seedUser } from "../helpers";

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

export { auditRows } from "../helpers";
