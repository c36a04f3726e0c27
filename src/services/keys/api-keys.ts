import type { Ctx } from "../../context";
import { sha256Hex } from "../../crypto/hmac";
import { generateKeySecret, hasKeyShape } from "../../crypto/key-secret";
import { generateId } from "../../crypto/random";
import { AppError } from "../../lib/errors";
import type { Read } from "../../store";
import type { ApiKeyFacts, ApiKeyRow, ApiKeyWithOwner } from "../../store/api-keys";
import { auditStatementIfChanged, recordAudit } from "../audit/record";
import { type Identity, toIdentity } from "../users/identity";

/** At most this many active (unrevoked, unexpired) keys per user. */
export const MAX_ACTIVE_API_KEYS = 50;
export const MAX_API_KEY_SCOPES = 20;
export const MAX_EXPIRES_IN_DAYS = 3650;
/** last_used_at is written at most once per this interval per key. */
export const API_KEY_LAST_USED_INTERVAL_MS = 60_000;
/** App-defined scope names: what the key's owner lets the app do with it. Auth2 stores and reports them. */
export const API_KEY_SCOPE_PATTERN = /^[a-z][a-z0-9_.:-]{0,63}$/;
const MAX_PRESENTED_LENGTH = 512;
const DAY_MS = 86_400_000;

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export type ApiKeyVerification =
  | { valid: true; key: ApiKeyView; user: Identity }
  | { valid: false; reason: "unknown" | "revoked" | "expired" | "owner_inactive"; keyId: string | null; userId: string | null };

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

function parseScopes(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((s): s is string => typeof s === "string") : [];
  } catch {
    return [];
  }
}

export function toApiKeyView(row: ApiKeyFacts): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: parseScopes(row.scopes),
    created_at: iso(row.createdAt)!,
    expires_at: iso(row.expiresAt),
    last_used_at: iso(row.lastUsedAt),
    revoked_at: iso(row.revokedAt),
  };
}

export interface NewApiKeyInput {
  name: string;
  scopes?: readonly string[] | undefined;
  expires_in_days?: number | null | undefined;
}

function validateInput(input: NewApiKeyInput): { name: string; scopes: string[]; expiresInDays: number | null } {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw new AppError("invalid_request", { fields: { name: "1 to 100 characters" } });
  const scopes = [...new Set((input.scopes ?? []).map((s) => s.trim()))];
  if (scopes.length > MAX_API_KEY_SCOPES) {
    throw new AppError("invalid_request", { fields: { scopes: `At most ${MAX_API_KEY_SCOPES} scopes` } });
  }
  const bad = scopes.find((s) => !API_KEY_SCOPE_PATTERN.test(s));
  if (bad !== undefined) {
    throw new AppError("invalid_request", { fields: { scopes: "Lower-case letters, digits and _ . : - (1 to 64 characters, starting with a letter)" } });
  }
  const days = input.expires_in_days ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRES_IN_DAYS)) {
    throw new AppError("invalid_request", { fields: { expires_in_days: `A whole number of days from 1 to ${MAX_EXPIRES_IN_DAYS}` } });
  }
  return { name, scopes, expiresInDays: days };
}

/**
 * Creates an API key for `userId` (always the session's own user: the route never takes a user id
 * from the body). The secret is returned here once; only its SHA-256 is stored.
 */
export async function createApiKey(ctx: Ctx, userId: string, input: NewApiKeyInput): Promise<{ key: ApiKeyView; secret: string }> {
  const { now } = ctx;
  const { name, scopes, expiresInDays } = validateInput(input);
  const { secret, prefix, hash } = generateKeySecret("a2k_");
  const row: ApiKeyRow = {
    id: `ak_${generateId(12)}`,
    userId,
    name,
    prefix,
    secretHash: hash,
    scopes: JSON.stringify(scopes),
    expiresAt: expiresInDays === null ? null : now + expiresInDays * DAY_MS,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  const actor = { type: "user" as const, id: userId };
  const target = { type: "user_api_key", id: row.id };
  // The key and its audit row commit together: a failure never leaves a key the client has no secret for, unrecorded.
  const [inserted] = await ctx.store.batch([
    ctx.store.apiKeys.insertWithinLimit(row, MAX_ACTIVE_API_KEYS, now),
    auditStatementIfChanged(ctx, { actor, action: "api_key.create", target, details: { name, prefix, scopes, expires_at: iso(row.expiresAt) } }),
  ]);
  if ((inserted.meta.changes ?? 0) !== 1) {
    await recordAudit(ctx, { actor, action: "api_key.create", target, outcome: "denied", details: { reason: "limit_reached" } });
    throw new AppError("api_key_limit_reached", { extra: { limit: MAX_ACTIVE_API_KEYS } });
  }
  return { key: toApiKeyView(row), secret };
}

/** The user's unrevoked keys (expired ones too, so they can be seen and revoked), newest first. No secrets or hashes. */
export async function listApiKeys(ctx: Ctx, userId: string): Promise<ApiKeyView[]> {
  return (await ctx.store.apiKeys.listActive(userId)).map(toApiKeyView);
}

/**
 * Revokes one of the user's own keys; the next verify answers `revoked`. Another user's key (or no
 * such key) → 404 not_found, the same answer, so key ids of other users cannot be probed.
 * Revoking an already revoked own key succeeds without changing it.
 */
export async function revokeApiKey(ctx: Ctx, userId: string, keyId: string): Promise<void> {
  const key = await ctx.store.apiKeys.findById(keyId);
  if (!key || key.userId !== userId) throw new AppError("not_found");
  if (key.revokedAt != null) return;
  await ctx.store.batch([
    ctx.store.apiKeys.revoke(userId, keyId, ctx.now),
    // Parallel revokes of one key: only the one whose UPDATE changed the row records it.
    auditStatementIfChanged(ctx, { actor: { type: "user", id: userId }, action: "api_key.revoke", target: { type: "user_api_key", id: keyId }, details: { prefix: key.prefix } }),
  ]);
}

/**
 * The read that finds a presented API key and its owner (one indexed read), or null when the value
 * cannot be a key at all (wrong shape or length: answered `unknown` without a read).
 */
export function apiKeyLookup(ctx: Ctx, presented: string): Read<ApiKeyWithOwner> | null {
  if (presented.length > MAX_PRESENTED_LENGTH || !hasKeyShape("a2k_", presented)) return null;
  return ctx.store.apiKeys.withOwnerByHashRead(sha256Hex(presented));
}

/**
 * Judges a looked-up key (null: no such key). Valid keys come back with their metadata and the
 * owner's canonical identity; anything else with a reason. last_used_at is written at most once a
 * minute per key, not on every call.
 */
export async function judgeApiKey(ctx: Ctx, found: ApiKeyWithOwner | null): Promise<ApiKeyVerification> {
  const { now } = ctx;
  if (!found) return { valid: false, reason: "unknown", keyId: null, userId: null };
  const { key, owner } = found;
  const ids = { keyId: key.id, userId: owner.id };
  if (key.revokedAt != null) return { valid: false, reason: "revoked", ...ids };
  if (key.expiresAt != null && key.expiresAt <= now) return { valid: false, reason: "expired", ...ids };
  if (owner.status !== "active") return { valid: false, reason: "owner_inactive", ...ids };
  let row = key;
  if (key.lastUsedAt == null || key.lastUsedAt < now - API_KEY_LAST_USED_INTERVAL_MS) {
    await ctx.store.apiKeys.touch(key.id, now, now - API_KEY_LAST_USED_INTERVAL_MS);
    row = { ...key, lastUsedAt: now };
  }
  return { valid: true, key: toApiKeyView(row), user: toIdentity(owner, ctx.config.publicBaseUrl) };
}

/** Checks a presented API key for a backend: one indexed read of the key and its owner, then judgeApiKey. */
export async function verifyApiKey(ctx: Ctx, presented: string): Promise<ApiKeyVerification> {
  const lookup = apiKeyLookup(ctx, presented);
  return judgeApiKey(ctx, lookup ? await ctx.store.run(lookup) : null);
}
