import type { Ctx } from "../../context";
import { generateKeySecret } from "../../crypto/key-secret";
import { generateId } from "../../crypto/random";
import { AppError } from "../../lib/errors";
import type { ServiceKeyRow } from "../../store/service-keys";
import { type AuditEvent, auditStatement, auditStatementIfChanged } from "../audit/record";

/** What a service key may do. Each service route needs exactly one of these. */
export const SERVICE_SCOPES = ["user_resolve", "api_key_verify", "firebase_token"] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

/** The id audit rows carry for the bootstrap key (it has no row). */
export const BOOTSTRAP_KEY_ID = "bootstrap";
/** A bootstrap secret shorter than this is ignored: a weak shared secret must not open every service route. */
export const BOOTSTRAP_MIN_LENGTH = 32;
/** last_used_at is written at most once per this interval per key. */
export const LAST_USED_INTERVAL_MS = 60_000;

export interface ServiceKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ServiceScope[];
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Who called a service route: a key row or the bootstrap key. */
export interface ServicePrincipal {
  id: string;
  name: string;
  scopes: readonly ServiceScope[];
  bootstrap: boolean;
}

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

/** The scopes stored on a key row (unknown names dropped). */
export function parseScopes(text: string): ServiceScope[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((s): s is ServiceScope => (SERVICE_SCOPES as readonly string[]).includes(s)) : [];
  } catch {
    return [];
  }
}

export function toServiceKeyView(row: ServiceKeyRow): ServiceKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: parseScopes(row.scopes),
    created_by: row.createdBy,
    created_at: iso(row.createdAt)!,
    last_used_at: iso(row.lastUsedAt),
    revoked_at: iso(row.revokedAt),
  };
}

export function isServiceScope(value: string): value is ServiceScope {
  return (SERVICE_SCOPES as readonly string[]).includes(value);
}

/** Creates a key; the secret is returned here once and never stored or shown again. */
export async function createServiceKey(
  ctx: Ctx,
  actor: AuditEvent["actor"],
  input: { name: string; scopes: readonly string[]; createdBy: string | null },
): Promise<{ key: ServiceKeyView; secret: string }> {
  const { now } = ctx;
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) {
    throw new AppError("invalid_request", { fields: { name: "1 to 100 characters" } });
  }
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0 || !scopes.every(isServiceScope)) {
    throw new AppError("invalid_request", { fields: { scopes: `One or more of: ${SERVICE_SCOPES.join(", ")}` } });
  }
  const { secret, prefix, hash } = generateKeySecret("a2s_");
  const row: ServiceKeyRow = {
    id: `sk_${generateId(12)}`,
    name,
    prefix,
    secretHash: hash,
    scopes: JSON.stringify(scopes),
    createdBy: input.createdBy,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  await ctx.store.batch([
    ctx.store.serviceKeys.insert(row),
    auditStatement(ctx, { actor, action: "service_key.create", target: { type: "service_key", id: row.id }, details: { name, scopes, prefix } }),
  ]);
  return { key: toServiceKeyView(row), secret };
}

/** Every key, newest first, revoked ones included (with revoked_at). Never a secret or hash. */
export async function listServiceKeys(ctx: Ctx): Promise<ServiceKeyView[]> {
  return (await ctx.store.serviceKeys.list()).map(toServiceKeyView);
}

/** Revokes a key; the next request with it fails. Unknown id → 404 not_found; revoking twice is harmless. */
export async function revokeServiceKey(ctx: Ctx, actor: AuditEvent["actor"], id: string): Promise<ServiceKeyView> {
  const existing = await ctx.store.serviceKeys.findById(id);
  if (!existing) throw new AppError("not_found");
  if (existing.revokedAt == null) {
    await ctx.store.batch([
      ctx.store.serviceKeys.revoke(id, ctx.now),
      // Parallel revokes: only the request whose UPDATE changed the row records the revocation.
      auditStatementIfChanged(ctx, { actor, action: "service_key.revoke", target: { type: "service_key", id } }),
    ]);
  }
  return toServiceKeyView((await ctx.store.serviceKeys.findById(id)) ?? existing);
}
