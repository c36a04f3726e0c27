import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { type Db, schema } from "./db";

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
