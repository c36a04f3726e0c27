import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { type Db, type Read, pickColumns, schema } from "./db";
import { type IdentityRow, identityColumns } from "./users";

export type ApiKeyRow = typeof schema.userApiKeys.$inferSelect;
export type UserRowForKey = typeof schema.users.$inferSelect;

/**
 * Inserts the key only while the user has fewer than `limit` active (unrevoked, unexpired) keys.
 * The count and the insert are one SQL statement, and D1 runs statements one at a time, so parallel
 * creates cannot both see 49 and both insert. Returns whether the row went in.
 */
export async function insertApiKeyWithinLimit(db: Db, row: ApiKeyRow, limit: number, now: number): Promise<boolean> {
  const result = await insertApiKeyWithinLimitStatement(db, row, limit, now);
  return (result.meta.changes ?? 0) === 1;
}

/** The INSERT of `insertApiKeyWithinLimit` unexecuted, for a db.batch with its audit row (changes() = 1 when inserted). */
export function insertApiKeyWithinLimitStatement(db: Db, row: ApiKeyRow, limit: number, now: number) {
  const t = schema.userApiKeys;
  // INSERT … SELECT (batchable, unlike a raw statement); drizzle lists every column in table order.
  return db.insert(t).select(sql`
    SELECT ${row.id}, ${row.userId}, ${row.name}, ${row.prefix}, ${row.secretHash}, ${row.scopes}, ${row.expiresAt}, ${row.createdAt}, NULL, NULL
    WHERE (
      SELECT COUNT(*) FROM ${t}
      WHERE ${t.userId} = ${row.userId} AND ${t.revokedAt} IS NULL AND (${t.expiresAt} IS NULL OR ${t.expiresAt} > ${now})
    ) < ${limit}`);
}

/** A user's unrevoked keys (expired ones included), newest first: served by (user_id, revoked_at, created_at). */
export async function listActiveApiKeyRows(db: Db, userId: string): Promise<ApiKeyRow[]> {
  const t = schema.userApiKeys;
  return db
    .select()
    .from(t)
    .where(and(eq(t.userId, userId), isNull(t.revokedAt)))
    .orderBy(desc(t.createdAt), desc(t.id));
}

export async function findApiKeyById(db: Db, id: string): Promise<ApiKeyRow | null> {
  const rows = await db.select().from(schema.userApiKeys).where(eq(schema.userApiKeys.id, id)).limit(1);
  return rows[0] ?? null;
}

/** A key's columns without its owner id and secret hash: what verifying it reports. */
export type ApiKeyFacts = Omit<ApiKeyRow, "userId" | "secretHash">;
const keyFacts = pickColumns(schema.userApiKeys, "k", ["id", "name", "prefix", "scopes", "expiresAt", "createdAt", "lastUsedAt", "revokedAt"]);

/** A key and the user it belongs to (the identity columns). */
export interface ApiKeyWithOwner {
  key: ApiKeyFacts;
  owner: IdentityRow;
}

/**
 * The key with this hash and its owner, as one Read (one indexed read: unique secret_hash, then the
 * users primary key). Of the key no owner id or hash; of the owner only the identity columns (no
 * credentials).
 */
export function apiKeyWithOwnerByHashRead(secretHash: string): Read<ApiKeyWithOwner> {
  return {
    columns: `${keyFacts.sql}, ${identityColumns.sql}`,
    from: "user_api_keys k",
    where: "k.secret_hash = ?",
    joins: "LEFT JOIN users u ON u.id = k.user_id",
    params: [secretHash],
    map: (values, offset) => ({ key: keyFacts.map(values, offset), owner: identityColumns.map(values, offset + keyFacts.count) }),
  };
}

/** Revokes one of `userId`'s keys; the owner condition is in the statement itself. */
export function revokeApiKeyRow(db: Db, userId: string, id: string, now: number) {
  const t = schema.userApiKeys;
  return db
    .update(t)
    .set({ revokedAt: now })
    .where(and(eq(t.id, id), eq(t.userId, userId), isNull(t.revokedAt)));
}

/** Writes last_used_at only if the stored value is older than `staleBefore`. */
export function touchApiKeyRow(db: Db, id: string, now: number, staleBefore: number) {
  const t = schema.userApiKeys;
  return db
    .update(t)
    .set({ lastUsedAt: now })
    .where(and(eq(t.id, id), or(isNull(t.lastUsedAt), lt(t.lastUsedAt, staleBefore))));
}

export interface ApiKeysStore {
  /** The INSERT that succeeds only while the user has fewer than `limit` active keys (changes() = 1 when inserted). */
  insertWithinLimit(row: ApiKeyRow, limit: number, now: number): ReturnType<typeof insertApiKeyWithinLimitStatement>;
  listActive(userId: string): Promise<ApiKeyRow[]>;
  findById(id: string): Promise<ApiKeyRow | null>;
  withOwnerByHashRead(secretHash: string): Read<ApiKeyWithOwner>;
  revoke(userId: string, id: string, now: number): ReturnType<typeof revokeApiKeyRow>;
  /** Writes last_used_at only if the stored value is older than `staleBefore`. */
  touch(id: string, now: number, staleBefore: number): ReturnType<typeof touchApiKeyRow>;
}

export function createApiKeysStore(db: Db): ApiKeysStore {
  return {
    insertWithinLimit: (row, limit, now) => insertApiKeyWithinLimitStatement(db, row, limit, now),
    listActive: (userId) => listActiveApiKeyRows(db, userId),
    findById: (id) => findApiKeyById(db, id),
    withOwnerByHashRead: apiKeyWithOwnerByHashRead,
    revoke: (userId, id, now) => revokeApiKeyRow(db, userId, id, now),
    touch: (id, now, staleBefore) => touchApiKeyRow(db, id, now, staleBefore),
  };
}
