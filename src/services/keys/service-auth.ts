import type { Ctx } from "../../context";
import { constantTimeEqual, sha256Hex } from "../../crypto/hmac";
import { hasKeyShape } from "../../crypto/key-secret";
import { AppError } from "../../lib/errors";
import type { Read } from "../../store";
import {
  BOOTSTRAP_KEY_ID,
  BOOTSTRAP_MIN_LENGTH,
  LAST_USED_INTERVAL_MS,
  SERVICE_SCOPES,
  type ServicePrincipal,
  type ServiceScope,
  parseScopes,
} from "./service-keys";

/** Longer header values are refused without hashing. */
const MAX_PRESENTED_LENGTH = 512;

/** What the cheap checks of a presented X-Service-Key leave to look up. */
export type ServiceCredential = { kind: "bootstrap" } | { kind: "key"; secretHash: string };

/**
 * One service request's authorisation: the credential the middleware screened and the scope its
 * route needs. `principal` is set once authorizeServiceCall has checked the key (the middleware
 * refuses to let a route answer successfully without that).
 */
export interface ServiceCall {
  scope: ServiceScope;
  credential: ServiceCredential;
  principal: ServicePrincipal | null;
}

const BOOTSTRAP_PRINCIPAL: ServicePrincipal = { id: BOOTSTRAP_KEY_ID, name: "bootstrap", scopes: SERVICE_SCOPES, bootstrap: true };

/**
 * The checks that need no storage: null for a value that cannot be a live key (missing, empty, too
 * long, wrong shape, case-changed bootstrap, …); the caller answers all of those the same 401.
 *
 * Timing: the bootstrap secret is compared with constantTimeEqual. Row keys are later found by an
 * indexed lookup of SHA-256(presented); the database compares hashes, not secrets, so how long a
 * lookup takes can tell a caller at most how many leading bytes of *a hash* matched some stored hash,
 * and because SHA-256 is preimage-resistant that says nothing about which secret would produce it.
 */
export function screenServiceKey(bootstrapSecret: string | undefined, presented: string | null | undefined): ServiceCredential | null {
  if (!presented || presented.length > MAX_PRESENTED_LENGTH) return null;
  if (bootstrapSecret && bootstrapSecret.length >= BOOTSTRAP_MIN_LENGTH && constantTimeEqual(presented, bootstrapSecret)) {
    return { kind: "bootstrap" };
  }
  if (!hasKeyShape("a2s_", presented)) return null;
  return { kind: "key", secretHash: sha256Hex(presented) };
}

/**
 * Checks the call's service key and runs the route's read in the SAME D1 round trip (one statement:
 * the key row by hash, with the read joined on "the key is live and holds the scope", so a caller
 * without such a key never gets a row on its behalf). No cache: a revoked key fails on the very
 * next call.
 *
 * `buildRead()` returns the route's read (a store Read; null for none). It may throw (400 for a bad request): that answer is given only after the key passed, so
 * a caller without a valid key learns nothing about the route (401 first, then 403, then 400).
 *
 * Throws 401 invalid_service_key (no such key, revoked) or 403 scope_denied (live key without the
 * scope). last_used_at is written at most once a minute per key (a conditional UPDATE, so
 * concurrent requests write once).
 */
export async function authorizeServiceCall<T>(ctx: Ctx, call: ServiceCall, buildRead: (() => Read<T> | null) | null): Promise<{ principal: ServicePrincipal; result: T | null }> {
  const { now } = ctx;
  const { credential } = call;
  let read: Read<T> | null = null;
  let refusal: { error: unknown } | null = null;
  try {
    read = buildRead ? buildRead() : null;
  } catch (error) {
    refusal = { error };
  }
  let principal: ServicePrincipal;
  let result: T | null = null;
  if (credential.kind === "bootstrap") {
    principal = BOOTSTRAP_PRINCIPAL;
    if (read && !refusal) result = await ctx.store.run(read);
  } else {
    const found = await ctx.store.serviceKeys.findWithRead(credential.secretHash, call.scope, refusal ? null : read);
    const row = found.key;
    if (!row || row.revokedAt != null) throw new AppError("invalid_service_key");
    const scopes = parseScopes(row.scopes);
    if (!scopes.includes(call.scope)) throw new AppError("scope_denied");
    if (row.lastUsedAt == null || row.lastUsedAt < now - LAST_USED_INTERVAL_MS) {
      await ctx.store.serviceKeys.touch(row.id, now, now - LAST_USED_INTERVAL_MS);
    }
    principal = { id: row.id, name: row.name, scopes, bootstrap: false };
    result = found.result;
  }
  call.principal = principal;
  if (refusal) throw refusal.error;
  return { principal, result };
}
