import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { type Db, type Read, aliasedColumns, rowMapper, schema } from "./db";
import { IDENTITY_COLUMNS, type IdentityRow } from "./users";

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

/** A key and the user it belongs to (the identity columns). */
export interface ApiKeyWithOwner {
  key: ApiKeyRow;
  owner: IdentityRow;
}

const keyWithOwner = {
  key: rowMapper(schema.userApiKeys, "key__"),
  owner: rowMapper(schema.users, "", IDENTITY_COLUMNS) as (raw: Record<string, unknown>) => IdentityRow,
};
const ownerColumns = aliasedColumns(schema.users, "u", "", IDENTITY_COLUMNS);

/**
 * The key with this hash and its owner, as one Read (one indexed read: unique secret_hash, then the
 * users primary key). The key's columns are aliased `key__…` so they do not clash with the owner's;
 * of the owner only the identity columns (no credentials).
 */
export function apiKeyWithOwnerByHashRead(secretHash: string): Read<ApiKeyWithOwner | null> {
  return {
    sql:
      `SELECT ${aliasedColumns(schema.userApiKeys, "k", "key__")}, ${ownerColumns} FROM user_api_keys k ` +
      "JOIN users u ON u.id = k.user_id WHERE k.secret_hash = ? LIMIT 1",
    params: [secretHash],
    map: (rows) => (rows[0] ? { key: keyWithOwner.key(rows[0]), owner: keyWithOwner.owner(rows[0]) } : null),
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
