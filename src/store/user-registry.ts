import { type SQL, and, desc, eq, lt, or, sql } from "drizzle-orm";
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

/** `%`, `_` and `\` in a search term match themselves. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/**
 * A page of users, newest first, ordered by (created_at, id) so ties are stable. Keyset pagination:
 * rows inserted between pages are newer than any cursor and so never shift a later page. Uses
 * users_status_created_idx with a status filter, users_created_idx without.
 */
export async function listUserPage(db: Db, query: UserPageQuery): Promise<UserRow[]> {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(u.status, query.status));
  if (query.q) {
    // Emails are stored lower-cased; names as typed (LIKE folds ASCII case only, so the term is kept as sent).
    conditions.push(or(sqlLike(u.email, likePattern(query.q.toLowerCase())), sqlLike(u.name, likePattern(query.q)))!);
  }
  if (query.after) {
    conditions.push(or(lt(u.createdAt, query.after.createdAt), and(eq(u.createdAt, query.after.createdAt), lt(u.id, query.after.id)))!);
  }
  return db
    .select()
    .from(u)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(u.createdAt), desc(u.id))
    .limit(query.limit);
}

// LIKE with an explicit ESCAPE (drizzle's like() has none). SQLite's LIKE ignores ASCII case.
function sqlLike(column: AnySQLiteColumn, pattern: string): SQL {
  return sql`${column} LIKE ${pattern} ESCAPE '\\'`;
}

export function deleteUserRow(db: Db, id: string) {
  return db.delete(u).where(eq(u.id, id));
}
