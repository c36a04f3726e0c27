import { lt, sql } from "drizzle-orm";
import { type AuditQuery, type AuditRow, listAuditPage } from "./audit-query";
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

const AUDIT_COLUMNS = "at, actor_type, actor_id, action, target_type, target_id, site_key, ip, user_agent, request_id, outcome, details";

/** One row per element of a JSON array of 12-element arrays, in array order (ids ascend with it). */
const INSERT_AUDIT_ROWS_SQL =
  `INSERT INTO audit_log (${AUDIT_COLUMNS}) SELECT ` +
  Array.from({ length: 12 }, (_, i) => `json_extract(value, '$[${i}]')`).join(", ") +
  " FROM json_each(?) ORDER BY key";

/**
 * Writes several audit rows as ONE statement (one round trip, all or none). The rows travel as one
 * JSON parameter that SQLite unpacks with json_each: binding 12 parameters per row and a batch of
 * statements cost more Worker CPU than the rest of a service call's audit (and D1 allows 100
 * parameters per statement, so a multi-row VALUES list could carry only 8 rows). Plain SQL on the
 * binding, not drizzle: this runs for every read-only service call (see store/db.ts Read).
 */
export async function insertAuditEntries(db: Db, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => [
    e.at,
    e.actorType,
    e.actorId,
    e.action,
    e.targetType,
    e.targetId,
    e.siteKey,
    e.ip,
    e.userAgent,
    e.requestId,
    e.outcome,
    JSON.stringify(e.details),
  ]);
  await db.$client.prepare(INSERT_AUDIT_ROWS_SQL).bind(JSON.stringify(rows)).run();
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

export interface AuditStore {
  /** The insert of one row: await it, or put it in a batch with the change it records. */
  insert(entry: AuditEntry): ReturnType<typeof auditInsert>;
  /** The row for a batch's preceding conditional write, written only if that write changed a row. */
  insertIfChanged(entry: AuditEntry): ReturnType<typeof auditInsertIfChanged>;
  /** Several rows as ONE statement (deferred audit of read-only service calls). */
  insertMany(entries: readonly AuditEntry[]): Promise<void>;
  deleteBefore(before: number): Promise<number>;
  listPage(query: AuditQuery): Promise<AuditRow[]>;
}

export function createAuditStore(db: Db): AuditStore {
  return {
    insert: (entry) => auditInsert(db, entry),
    insertIfChanged: (entry) => auditInsertIfChanged(db, entry),
    insertMany: (entries) => insertAuditEntries(db, entries),
    deleteBefore: (before) => deleteAuditBefore(db, before),
    listPage: (query) => listAuditPage(db, query),
  };
}
