import { type Table, getTableColumns, getTableName } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../drizzle/schema";

export type Db = ReturnType<typeof createDb>;

const cache = new WeakMap<D1Database, ReturnType<typeof drizzle<typeof schema>>>();

/** The drizzle handle for the D1 binding (one per binding per isolate). */
export function createDb(d1: D1Database) {
  let db = cache.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    cache.set(d1, db);
  }
  return db;
}

export { schema };

/**
 * A read for the hot service paths, as SQL text and its parameters, run straight on the D1 binding.
 * Why not drizzle here: building a query with drizzle costs more CPU than the D1 round trip it makes
 * (profiled on auth_api_key_verify: query building and its tracing spans were over 40% of the
 * Worker's time). Rows are mapped back to the drizzle row types through the schema's own columns.
 */
export interface Read<T> {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly map: (rows: Record<string, unknown>[]) => T;
}

const mappers = new WeakMap<Table, Map<string, (raw: Record<string, unknown>) => unknown>>();

/**
 * Maps a raw D1 row (column names, each behind `prefix` when the SQL aliased them so) to the table's
 * drizzle row (property names, boolean columns as booleans).
 */
export function rowMapper<T extends Table>(table: T, prefix = "", only?: readonly string[]): (raw: Record<string, unknown>) => T["$inferSelect"] {
  let byPrefix = mappers.get(table);
  if (!byPrefix) mappers.set(table, (byPrefix = new Map()));
  const cacheKey = only ? `${prefix}|${only.join(",")}` : prefix;
  let mapper = byPrefix.get(cacheKey);
  if (!mapper) {
    const columns = Object.entries(getTableColumns(table))
      .filter(([key]) => !only || only.includes(key))
      .map(([key, column]) => ({ key, name: prefix + column.name, column }));
    mapper = (raw) => {
      const row: Record<string, unknown> = {};
      for (const { key, name, column } of columns) {
        const value = raw[name];
        row[key] = value == null ? null : column.mapFromDriverValue(value);
      }
      return row;
    };
    byPrefix.set(cacheKey, mapper);
  }
  return mapper as (raw: Record<string, unknown>) => T["$inferSelect"];
}

/**
 * `alias.col AS prefixcol, …` for the columns of `table` (all, or the properties in `only`): to
 * select two tables' columns without name clashes, or only what a route needs.
 */
export function aliasedColumns(table: Table, alias: string, prefix: string, only?: readonly string[]): string {
  return Object.entries(getTableColumns(table))
    .filter(([key]) => !only || only.includes(key))
    .map(([, column]) => `${alias}.${column.name} AS ${prefix}${column.name}`)
    .join(", ");
}

/** A Read of at most one row of `table`: `SELECT * FROM table WHERE <where> LIMIT 1`. */
export function readOne<T extends Table>(table: T, where: string, params: readonly unknown[]): Read<T["$inferSelect"] | null> {
  const map = rowMapper(table);
  return { sql: `SELECT * FROM ${getTableName(table)} WHERE ${where} LIMIT 1`, params, map: (rows) => (rows[0] ? map(rows[0]) : null) };
}

/** Runs a Read (one D1 round trip). */
export async function runRead<T>(db: Db, read: Read<T>): Promise<T> {
  const { results } = await db.$client.prepare(read.sql).bind(...read.params).all<Record<string, unknown>>();
  return read.map(results);
}
