import { type SQL, and, desc, eq, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { type Db, schema } from "./db";
import type { UserRow } from "./users";

const u = schema.users;

export interface UserPageQuery {
  q: string | null;
  status: UserRow["status"] | null;
  /** Keyset position: rows strictly older than (createdAt, id). */
  after: { createdAt: number; id: string } | null;
  limit: number;
}

/**
 * `q` is a prefix search: the email (stored normalised, so the term is normalised the same way) or
 * the name or the part of the name after its first space (the surname), ASCII case-insensitive;
 * a term starting with "@" also matches the email's domain part from its "@" ("@example" finds
 * ann@example.com). Each has an index (users_email_unique, users_name_nocase_idx,
 * users_surname_nocase_idx, users_email_domain_idx), so a term that matches nothing costs a few index
 * seeks instead of a walk over every user.
 */
export interface UserSearch {
  email: string;
  name: string;
}

/** Above every character that can follow a prefix: [p, p + TOP) is "starts with p". */
const TOP = "\u{10FFFF}";
/** Matches per index counted before choosing a plan (see listUserPage). */
export const SEARCH_PROBE_CAP = 2000;

const surname = sql`substr(${u.name}, instr(${u.name}, ' ') + 1)`;
const emailDomain = sql`substr(${u.email}, instr(${u.email}, '@'))`;

/** The prefix ranges (three, four for a term starting with "@"), each one index range (the expressions must match the indexes exactly). */
function searchRanges(s: UserSearch): SQL[] {
  const ranges = [
    sql`(${u.email} >= ${s.email} AND ${u.email} < ${s.email + TOP})`,
    sql`(${u.name} COLLATE NOCASE >= ${s.name} AND ${u.name} COLLATE NOCASE < ${s.name + TOP})`,
    sql`(${surname} COLLATE NOCASE >= ${s.name} AND ${surname} COLLATE NOCASE < ${s.name + TOP})`,
  ];
  if (s.email.startsWith("@")) ranges.push(sql`(${emailDomain} >= ${s.email} AND ${emailDomain} < ${s.email + TOP})`);
  return ranges;
}

/**
 * `rowid IN (one index range UNION ALL another …)`: SQLite's planner does not reliably pick a
 * MULTI-INDEX OR for `range OR range OR range` when an index also serves the ORDER BY, so the plan is
 * spelled out: the matching rowids from the indexes, then one primary-key lookup each.
 */
function matchingRowids(s: UserSearch): SQL {
  const parts = searchRanges(s).map((range) => sql`SELECT rowid FROM ${u} WHERE ${range}`);
  return sql`${u}.rowid IN (${sql.join(parts, sql` UNION ALL `)})`;
}

/** The same test as searchRanges, in a form no index serves (for walking the date index). */
function searchFilter(s: UserSearch): SQL {
  const emailLen = [...s.email].length;
  const nameLen = [...s.name].length;
  const domain = s.email.startsWith("@") ? sql` OR substr(${emailDomain}, 1, ${emailLen}) = ${s.email}` : sql``;
  return sql`(substr(${u.email}, 1, ${emailLen}) = ${s.email} OR substr(${u.name}, 1, ${nameLen}) = ${s.name} COLLATE NOCASE OR substr(${surname}, 1, ${nameLen}) = ${s.name} COLLATE NOCASE${domain})`;
}

/** Matches of the search, each index counted up to SEARCH_PROBE_CAP (a handful of index steps when few match). */
async function countMatches(db: Db, s: UserSearch): Promise<number> {
  const capped = (range: SQL) => sql`(SELECT count(*) FROM (SELECT 1 FROM ${u} WHERE ${range} LIMIT ${SEARCH_PROBE_CAP}))`;
  const row = await db.get<{ n: number }>(sql`SELECT ${sql.join(searchRanges(s).map(capped), sql` + `)} AS n`);
  return row?.n ?? 0;
}

/**
 * A page of users, newest first, ordered by (created_at, id) so ties are stable. Keyset pagination:
 * rows inserted between pages are newer than any cursor and so never shift a later page. Uses
 * users_status_created_idx with a status filter, users_created_idx without.
 *
 * With a search the cost depends on how many users match, so it is counted first (capped): fewer
 * than SEARCH_PROBE_CAP → the matches are read through the prefix indexes and sorted (at most
 * that many rows); more → matches are dense, and walking the date index finds a page after about
 * limit × users ÷ matches rows. Both stay a few thousand rows at most, whatever the table size.
 */
export async function listUserPage(db: Db, query: UserPageQuery): Promise<UserRow[]> {
  const search = query.q ? toSearch(query.q) : null;
  const plan = search === null ? null : (await countMatches(db, search)) < SEARCH_PROBE_CAP ? "indexes" : "walk";
  return pageQuery(db, query, plan);
}

type SearchPlan = "indexes" | "walk" | null;

function toSearch(q: string): UserSearch {
  return { email: q.normalize("NFC").toLowerCase(), name: q };
}

function pageQuery(db: Db, query: UserPageQuery, plan: SearchPlan) {
  // `+column` keeps SQLite from serving that term (or the ORDER BY) with an index: with few matches the
  // plan must be the search indexes, never a walk of the status or date index.
  const col = (c: AnySQLiteColumn) => (plan === "indexes" ? sql`+${c}` : sql`${c}`);
  const conditions: SQL[] = [];
  if (query.status) conditions.push(sql`${col(u.status)} = ${query.status}`);
  if (query.q && plan) conditions.push(plan === "indexes" ? matchingRowids(toSearch(query.q)) : searchFilter(toSearch(query.q)));
  if (query.after) {
    const { createdAt, id } = query.after;
    // `created_at <= ?` on its own: SQLite does not derive an index bound from the OR alone, and
    // without one a deep page scans the date index from the newest row down to the cursor.
    conditions.push(sql`${col(u.createdAt)} <= ${createdAt} AND (${col(u.createdAt)} < ${createdAt} OR ${col(u.id)} < ${id})`);
  }
  return db
    .select()
    .from(u)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(...(plan === "indexes" ? [sql`+${u.createdAt} DESC`, sql`+${u.id} DESC`] : [desc(u.createdAt), desc(u.id)]))
    .limit(query.limit);
}

/** The SQL of a page query with a given search plan (EXPLAIN QUERY PLAN in tests). */
export function userPageSql(db: Db, query: UserPageQuery, plan: SearchPlan) {
  return pageQuery(db, query, plan).toSQL();
}

export function deleteUserRow(db: Db, id: string) {
  return db.delete(u).where(eq(u.id, id));
}
