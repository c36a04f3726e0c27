import { lt, sql } from "drizzle-orm";
import { type Db, schema } from "./db";

export interface AuditEntry {
  at: number;
  actorType: "admin" | "user" | "service" | "system" | "anonymous";
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  siteKey: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  outcome: "success" | "failure" | "denied";
  details: Record<string, unknown>;
}

export function auditInsert(db: Db, entry: AuditEntry) {
  return db.insert(schema.auditLog).values({ ...entry, details: JSON.stringify(entry.details) });
}

const INSERT_AUDIT_SQL =
  "INSERT INTO audit_log (at, actor_type, actor_id, action, target_type, target_id, site_key, ip, user_agent, request_id, outcome, details) " +
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/**
 * Writes several audit rows in ONE D1 batch (one round trip, one transaction: all or none). Plain
 * SQL on the binding, not drizzle: this runs for every read-only service call (see store/db.ts Read).
 */
export async function insertAuditEntries(db: Db, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const d1 = db.$client;
  const insert = d1.prepare(INSERT_AUDIT_SQL);
  await d1.batch(
    entries.map((e) =>
      insert.bind(e.at, e.actorType, e.actorId, e.action, e.targetType, e.targetId, e.siteKey, e.ip, e.userAgent, e.requestId, e.outcome, JSON.stringify(e.details)),
    ),
  );
}

/**
 * The audit insert for a batch whose previous statement is a conditional UPDATE: the row is written
 * only if that UPDATE changed a row (SQLite's changes()), so racing requests that change the same
 * thing once leave one audit row, and the change and its row still commit together.
 */
export function auditInsertIfChanged(db: Db, entry: AuditEntry) {
  // Raw SELECT: drizzle inserts into every column in table order (id NULL = next autoincrement).
  return db.insert(schema.auditLog).select(
    sql`SELECT NULL, ${entry.at}, ${entry.actorType}, ${entry.actorId}, ${entry.action}, ${entry.targetType}, ${entry.targetId}, ${entry.siteKey},
      ${entry.ip}, ${entry.userAgent}, ${entry.requestId}, ${entry.outcome}, ${JSON.stringify(entry.details)} WHERE changes() > 0`,
  );
}

/** Deletes audit rows older than `before` (ms); returns how many went. */
export async function deleteAuditBefore(db: Db, before: number): Promise<number> {
  const result = await db.delete(schema.auditLog).where(lt(schema.auditLog.at, before));
  return result.meta.changes ?? 0;
}
