import { type SQL, and, asc, desc, eq, gte, lt, lte } from "drizzle-orm";
import { type Db, schema } from "./db";

const a = schema.auditLog;

export type AuditRow = typeof a.$inferSelect;

export interface AuditQuery {
  actorId: string | null;
  action: string | null;
  targetId: string | null;
  siteKey: string | null;
  outcome: string | null;
  since: number | null; // inclusive, ms
  until: number | null; // exclusive, ms
  beforeId: number | null; // cursor: rows with a smaller id
  limit: number;
}

/**
 * Rows are inserted with `at = Date.now()` by many isolates, so ids follow time only to within clock
 * skew. Time bounds are turned into id bounds with this margin (rows inside it are then filtered on
 * `at` exactly), so a page walks one index range instead of the whole table.
 */
export const CLOCK_SKEW_MARGIN_MS = 60_000;

async function firstIdFrom(db: Db, at: number): Promise<number | null> {
  const rows = await db.select({ id: a.id }).from(a).where(gte(a.at, at)).orderBy(asc(a.at), asc(a.id)).limit(1);
  return rows[0]?.id ?? null;
}

async function lastIdBefore(db: Db, at: number): Promise<number | null> {
  const rows = await db.select({ id: a.id }).from(a).where(lt(a.at, at)).orderBy(desc(a.at), desc(a.id)).limit(1);
  return rows[0]?.id ?? null;
}

interface IdBounds {
  lo: number | null;
  hi: number | null;
}

function pageQuery(db: Db, q: AuditQuery, bounds: IdBounds) {
  const conditions: SQL[] = [];
  if (q.actorId !== null) conditions.push(eq(a.actorId, q.actorId));
  if (q.action !== null) conditions.push(eq(a.action, q.action));
  if (q.targetId !== null) conditions.push(eq(a.targetId, q.targetId));
  if (q.siteKey !== null) conditions.push(eq(a.siteKey, q.siteKey));
  if (q.outcome !== null) conditions.push(eq(a.outcome, q.outcome));
  if (q.beforeId !== null) conditions.push(lt(a.id, q.beforeId));
  if (bounds.lo !== null) conditions.push(gte(a.id, bounds.lo));
  if (bounds.hi !== null) conditions.push(lte(a.id, bounds.hi));
  if (q.since !== null) conditions.push(gte(a.at, q.since));
  if (q.until !== null) conditions.push(lt(a.at, q.until));
  return db
    .select()
    .from(a)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(a.id))
    .limit(q.limit);
}

/**
 * A page of audit rows, newest (highest id) first. Each equality filter has an index on (column, id),
 * so `column = ? AND id < cursor ORDER BY id DESC` is one index range; time bounds become id bounds
 * through audit_at_idx (at, id).
 */
export async function listAuditPage(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  const bounds: IdBounds = { lo: null, hi: null };
  if (q.since !== null) {
    bounds.lo = await firstIdFrom(db, q.since - CLOCK_SKEW_MARGIN_MS);
    if (bounds.lo === null) return [];
  }
  if (q.until !== null) {
    bounds.hi = await lastIdBefore(db, q.until + CLOCK_SKEW_MARGIN_MS);
    if (bounds.hi === null) return [];
  }
  return pageQuery(db, q, bounds);
}

/** The SQL and parameters of a page query with given id bounds (EXPLAIN QUERY PLAN in tests and benchmarks). */
export function auditPageSql(db: Db, q: AuditQuery, bounds: IdBounds = { lo: null, hi: null }) {
  return pageQuery(db, q, bounds).toSQL();
}

/** The SQL of the two time-to-id lookups. */
export function auditBoundSql(db: Db) {
  return [
    db.select({ id: a.id }).from(a).where(gte(a.at, 0)).orderBy(asc(a.at), asc(a.id)).limit(1).toSQL(),
    db.select({ id: a.id }).from(a).where(lt(a.at, 0)).orderBy(desc(a.at), desc(a.id)).limit(1).toSQL(),
  ];
}
