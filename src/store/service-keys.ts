import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { type Db, type Read, pickColumns, schema } from "./db";

export type ServiceKeyRow = typeof schema.serviceKeys.$inferSelect;
export type NewServiceKeyRow = typeof schema.serviceKeys.$inferInsert;

export function insertServiceKey(db: Db, row: NewServiceKeyRow) {
  return db.insert(schema.serviceKeys).values(row);
}

/** One indexed read (unique `secret_hash`). */
export async function findServiceKeyByHash(db: Db, secretHash: string): Promise<ServiceKeyRow | null> {
  const rows = await db.select().from(schema.serviceKeys).where(eq(schema.serviceKeys.secretHash, secretHash)).limit(1);
  return rows[0] ?? null;
}

/** What checking a presented key needs of its row (fewer columns: less for D1 to prepare and ship on every service call). */
export type ServiceKeyCheck = Pick<ServiceKeyRow, "id" | "name" | "scopes" | "revokedAt" | "lastUsedAt">;
const checkColumns = pickColumns(schema.serviceKeys, "sk", ["id", "name", "scopes", "revokedAt", "lastUsedAt"]);

/**
 * The key with this hash and a route's read in ONE flat statement (one D1 round trip, one snapshot: a
 * key revoked before it is seen revoked). The read's table is LEFT JOINed on the condition that the
 * key is unrevoked and holds `scope`, so it yields nothing for a caller without a live key of the
 * scope. Scopes are stored as a JSON array of fixed names without quotes or backslashes, so `"scope"`
 * (with its quotes) occurs in the text exactly when it is an element. Both the key's hash and the
 * read's `where` are unique, so there is at most one row.
 */
export async function findServiceKeyWithRead<T>(
  db: Db,
  secretHash: string,
  scope: string,
  read: Read<T> | null,
): Promise<{ key: ServiceKeyCheck | null; result: T | null }> {
  const { sql, params } = serviceKeyWithReadStatement(secretHash, scope, read);
  const [row] = await db.$client.prepare(sql).bind(...params).raw();
  if (!row) return { key: null, result: null };
  // The read's first column is its table's primary key: NULL when the join found nothing.
  const found = read !== null && row[checkColumns.count] != null;
  return { key: checkColumns.map(row, 0), result: found ? read.map(row, checkColumns.count) : null };
}

/** The statement findServiceKeyWithRead runs (exported for the query-plan test). */
export function serviceKeyWithReadStatement(secretHash: string, scope: string, read: Read<unknown> | null): { sql: string; params: unknown[] } {
  if (!read) return { sql: `SELECT ${checkColumns.sql} FROM service_keys sk WHERE sk.secret_hash = ?`, params: [secretHash] };
  return {
    sql:
      `SELECT ${checkColumns.sql}, ${read.columns} FROM service_keys sk ` +
      `LEFT JOIN ${read.from} ON sk.revoked_at IS NULL AND instr(sk.scopes, ?) > 0 AND (${read.where})` +
      `${read.joins ? ` ${read.joins}` : ""} WHERE sk.secret_hash = ?`,
    params: [JSON.stringify(scope), ...read.params, secretHash],
  };
}

export async function findServiceKeyById(db: Db, id: string): Promise<ServiceKeyRow | null> {
  const rows = await db.select().from(schema.serviceKeys).where(eq(schema.serviceKeys.id, id)).limit(1);
  return rows[0] ?? null;
}

/** Newest first. */
export async function listServiceKeyRows(db: Db): Promise<ServiceKeyRow[]> {
  return db.select().from(schema.serviceKeys).orderBy(desc(schema.serviceKeys.createdAt), desc(schema.serviceKeys.id));
}

/** Sets revoked_at once; a key that is already revoked keeps its original time. */
export function revokeServiceKeyRow(db: Db, id: string, now: number) {
  return db
    .update(schema.serviceKeys)
    .set({ revokedAt: now })
    .where(and(eq(schema.serviceKeys.id, id), isNull(schema.serviceKeys.revokedAt)));
}

/** Writes last_used_at only if the stored value is older than `staleBefore`, so concurrent calls write once. */
export function touchServiceKeyRow(db: Db, id: string, now: number, staleBefore: number) {
  return db
    .update(schema.serviceKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(schema.serviceKeys.id, id), or(isNull(schema.serviceKeys.lastUsedAt), lt(schema.serviceKeys.lastUsedAt, staleBefore))));
}

export interface ServiceKeysStore {
  insert(row: NewServiceKeyRow): ReturnType<typeof insertServiceKey>;
  findByHash(secretHash: string): Promise<ServiceKeyRow | null>;
  /** The key with this hash and a route's read in ONE statement (see findServiceKeyWithRead). */
  findWithRead<T>(secretHash: string, scope: string, read: Read<T> | null): Promise<{ key: ServiceKeyCheck | null; result: T | null }>;
  findById(id: string): Promise<ServiceKeyRow | null>;
  list(): Promise<ServiceKeyRow[]>;
  revoke(id: string, now: number): ReturnType<typeof revokeServiceKeyRow>;
  touch(id: string, now: number, staleBefore: number): ReturnType<typeof touchServiceKeyRow>;
}

export function createServiceKeysStore(db: Db): ServiceKeysStore {
  return {
    insert: (row) => insertServiceKey(db, row),
    findByHash: (hash) => findServiceKeyByHash(db, hash),
    findWithRead: (hash, scope, read) => findServiceKeyWithRead(db, hash, scope, read),
    findById: (id) => findServiceKeyById(db, id),
    list: () => listServiceKeyRows(db),
    revoke: (id, now) => revokeServiceKeyRow(db, id, now),
    touch: (id, now, staleBefore) => touchServiceKeyRow(db, id, now, staleBefore),
  };
}
