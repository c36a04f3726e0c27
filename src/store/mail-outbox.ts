import { and, asc, eq, isNull, lte, or, sql } from "drizzle-orm";
import { type Db, schema } from "./db";

/*
 * mail_outbox: the transactional outbox of mail. A row is written before a flow answers (in the same
 * batch as its audit row) and deleted when the queue consumer claims the mail id in mail_log; until
 * then the per-minute sweep re-enqueues it. `payload` is sealed ({to, data}: codes and links); the
 * clear columns hold no secret (the recipient is masked). Decoy rows stand in for addresses nobody
 * owns and are only ever deleted.
 */

const t = schema.mailOutbox;

export type OutboxRow = typeof t.$inferSelect;

export interface NewOutboxRow {
  id: string;
  template: string;
  recipient: string;
  siteKey: string | null;
  decoy: boolean;
  payload: string;
  createdAt: number;
}

/** The insert, for a db.batch beside the flow's audit row (or awaited alone). */
export function outboxInsert(db: Db, row: NewOutboxRow) {
  return db.insert(t).values({ ...row, attempts: 0, sweptAt: null });
}

/**
 * The insert for a batch whose previous statement is a conditional write (e.g. auditInsertIfChanged):
 * the row is written only if that statement changed a row (SQLite's changes()), so a mail is owed
 * exactly when the change it reports committed.
 */
export function outboxInsertIfChanged(db: Db, row: NewOutboxRow) {
  // Raw SELECT: drizzle inserts into every column in table order.
  return db
    .insert(t)
    .select(
      sql`SELECT ${row.id}, ${row.template}, ${row.recipient}, ${row.siteKey}, ${row.decoy ? 1 : 0}, ${row.payload}, ${row.createdAt}, 0, NULL WHERE changes() > 0`,
    );
}

/** The delete of one row (the consumer's claim runs it in the same batch). */
export function outboxDelete(db: Db, id: string) {
  return db.delete(t).where(eq(t.id, id));
}

/**
 * Mail rows (not decoys) written at or before `cutoff` and not re-enqueued since `cutoff`, oldest
 * first (index mail_outbox_due_idx: decoy, created_at).
 */
export async function listDueOutboxRows(db: Db, cutoff: number, limit: number): Promise<OutboxRow[]> {
  return db
    .select()
    .from(t)
    .where(and(eq(t.decoy, false), lte(t.createdAt, cutoff), or(isNull(t.sweptAt), lte(t.sweptAt, cutoff))))
    .orderBy(asc(t.createdAt))
    .limit(limit);
}

/** One statement for any number of ids: they travel as one JSON parameter (D1 allows 100 per statement). */
function idIn(ids: readonly string[]) {
  return sql`${t.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}

/** Records a re-enqueue: attempts + 1, swept_at = now. */
export async function markOutboxSwept(db: Db, ids: readonly string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(t)
    .set({ attempts: sql`${t.attempts} + 1`, sweptAt: now })
    .where(idIn(ids));
}

/** Deletes decoy rows written at or before `cutoff`; returns how many went. */
export async function deleteDecoysBefore(db: Db, cutoff: number): Promise<number> {
  const result = await db.delete(t).where(and(eq(t.decoy, true), lte(t.createdAt, cutoff)));
  return result.meta.changes ?? 0;
}

/** A row by id (tests and operators). */
export async function findOutboxRow(db: Db, id: string): Promise<OutboxRow | null> {
  const rows = await db.select().from(t).where(eq(t.id, id)).limit(1);
  return rows[0] ?? null;
}
