import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { type Db, type Read, aliasedColumns, readOne, rowMapper, runRead, schema } from "./db";

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

const serviceKeyColumns = aliasedColumns(schema.serviceKeys, "sk", "svckey__");
const serviceKeyFromRow = rowMapper(schema.serviceKeys, "svckey__");

/**
 * The key with this hash and a route's read in ONE statement (one D1 round trip, one snapshot: a key
 * revoked before it is seen revoked). The read is LEFT JOINed on the condition that the key is
 * unrevoked and holds `scope`, so it yields nothing for a caller without a live key of the scope.
 * Scopes are stored as a JSON array of fixed names without quotes or backslashes, so `"scope"` (with
 * its quotes) occurs in the text exactly when it is an element.
 */
export async function findServiceKeyWithRead<T>(
  db: Db,
  secretHash: string,
  scope: string,
  read: Read<T> | null,
): Promise<{ key: ServiceKeyRow | null; result: T | null }> {
  if (read === null) return { key: await runRead(db, readOne(schema.serviceKeys, "secret_hash = ?", [secretHash])), result: null };
  const combined: Read<{ key: ServiceKeyRow | null; result: T | null }> = {
    sql:
      `SELECT ${serviceKeyColumns}, r.* FROM service_keys sk ` +
      `LEFT JOIN (SELECT 1 AS read__found, * FROM (${read.sql})) r ON sk.revoked_at IS NULL AND instr(sk.scopes, ?) > 0 ` +
      "WHERE sk.secret_hash = ?",
    params: [...read.params, JSON.stringify(scope), secretHash],
    map: (rows) => {
      if (!rows[0]) return { key: null, result: null };
      const granted = rows.filter((row) => row.read__found === 1);
      return { key: serviceKeyFromRow(rows[0]), result: granted.length ? read.map(granted) : null };
    },
  };
  return runRead(db, combined);
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
