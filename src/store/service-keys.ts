import { type SQL, and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { type BatchableRead, type Db, type ReadResults, schema } from "./db";

export type ServiceKeyRow = typeof schema.serviceKeys.$inferSelect;
export type NewServiceKeyRow = typeof schema.serviceKeys.$inferInsert;

export function insertServiceKey(db: Db, row: NewServiceKeyRow) {
  return db.insert(schema.serviceKeys).values(row);
}

/** A SQL condition a route's read adds to its WHERE so it finds nothing for a caller without a live key of the scope. */
export type ReadGuard = SQL;

function serviceKeyByHash(db: Db, secretHash: string) {
  return db.select().from(schema.serviceKeys).where(eq(schema.serviceKeys.secretHash, secretHash)).limit(1);
}

/** One indexed read (unique `secret_hash`). */
export async function findServiceKeyByHash(db: Db, secretHash: string): Promise<ServiceKeyRow | null> {
  const rows = await serviceKeyByHash(db, secretHash);
  return rows[0] ?? null;
}

/**
 * True (in SQL) only while an unrevoked key with this hash holds `scope`. Scopes are stored as a JSON
 * array of fixed names without quotes or backslashes, so `"scope"` (with its quotes) occurs in the
 * text exactly when it is an element. Evaluated once per statement (the subquery is not correlated).
 */
export function serviceKeyGrants(secretHash: string, scope: string): ReadGuard {
  const t = schema.serviceKeys;
  return sql`EXISTS (SELECT 1 FROM ${t} WHERE ${t.secretHash} = ${secretHash} AND ${t.revokedAt} IS NULL AND instr(${t.scopes}, ${JSON.stringify(scope)}) > 0)`;
}

/**
 * The key with this hash and a route's reads, in ONE db.batch (one D1 round trip, one snapshot: a
 * key revoked before the batch is seen revoked by every statement).
 * (No joins in the reads: D1 batch results are keyed by column name, so same-named columns collide.)
 */
export async function findServiceKeyWithReads<Q extends readonly BatchableRead[]>(
  db: Db,
  secretHash: string,
  reads: Q,
): Promise<{ key: ServiceKeyRow | null; results: ReadResults<Q> }> {
  if (reads.length === 0) return { key: await findServiceKeyByHash(db, secretHash), results: [] as unknown as ReadResults<Q> };
  const [keys, ...results] = (await db.batch([serviceKeyByHash(db, secretHash), ...reads])) as unknown as [ServiceKeyRow[], ...unknown[]];
  return { key: keys[0] ?? null, results: results as unknown as ReadResults<Q> };
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
