import { type Column, type Table, getTableColumns } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../drizzle/schema";

export type Db = ReturnType<typeof createDb>;

const cache = new WeakMap<D1Database, ReturnType<typeof drizzle<typeof schema>>>();

/** The drizzle handle for the D1 binding (one per binding per isolate). Only the store calls it. */
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
 * A one-row read for the hot service paths, in parts, run straight on the D1 binding: alone
 * (runRead) or LEFT JOINed onto the service-key row in ONE flat statement (store/service-keys.ts).
 *
 * Why not drizzle here: building a query with drizzle costs more CPU than the D1 round trip it makes
 * (profiled on auth_api_key_verify: query building and its tracing spans were over 40% of the
 * Worker's time). Why parts and plain column lists: D1 on Miniflare prepares every statement anew,
 * and preparing is most of a point read's SQL cost; a flat join with plain columns prepares in about
 * half the time of the same read nested as an aliased subquery. Results come back as arrays
 * (`raw()`), mapped by position to the drizzle row types through the schema's own columns.
 */
export interface Read<T> {
  /** Column expressions, comma-separated; the first is the primary key of `from` (never NULL on a found row). */
  readonly columns: string;
  /** The table that `where` picks one row of, with its alias: `"user_api_keys k"`. */
  readonly from: string;
  /** Picks at most one row (a unique column): `"k.secret_hash = ?"`. */
  readonly where: string;
  /** Further tables, each a LEFT JOIN without parameters (`""` for none). */
  readonly joins: string;
  /** The parameters of `where`. */
  readonly params: readonly unknown[];
  /** The row from its values, read from a result row starting at `offset`. */
  readonly map: (values: readonly unknown[], offset: number) => T;
}

/** Property names of a table's rows (what `only` lists: a misspelt name does not compile). */
export type ColumnKey<T extends Table> = keyof T["$inferSelect"] & string;

/** Some columns of a table: their SQL under an alias, and their values (by position) back to row properties. */
export interface ColumnPick<R> {
  readonly sql: string;
  readonly count: number;
  readonly map: (values: readonly unknown[], offset: number) => R;
}

/**
 * `alias.col, …` for the properties in `only` (in that order) and the mapper that turns their values
 * back into those properties (boolean columns as booleans, NULL as null).
 */
export function pickColumns<T extends Table, K extends ColumnKey<T>>(table: T, alias: string, only: readonly K[]): ColumnPick<Pick<T["$inferSelect"], K>> {
  const all = getTableColumns(table) as Record<string, Column>;
  const columns = only.map((key) => ({ key, column: all[key]! }));
  return {
    sql: columns.map(({ column }) => `${alias}.${column.name}`).join(", "),
    count: columns.length,
    map: (values, offset) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) {
        const { key, column } = columns[i]!;
        const value = values[offset + i];
        row[key] = value == null ? null : column.mapFromDriverValue(value);
      }
      return row as Pick<T["$inferSelect"], K>;
    },
  };
}

/** The statement of a Read run alone. */
function readStatement(read: Read<unknown>): string {
  return `SELECT ${read.columns} FROM ${read.from}${read.joins ? ` ${read.joins}` : ""} WHERE ${read.where} LIMIT 1`;
}

/** Runs a Read (one D1 round trip): its row, or null. */
export async function runRead<T>(db: Db, read: Read<T>): Promise<T | null> {
  const rows = await db.$client.prepare(readStatement(read)).bind(...read.params).raw();
  return rows[0] ? read.map(rows[0], 0) : null;
}

/**
 * A statement for `store.batch([...])`: the port methods that write return one, so a change and its
 * audit row (and any owed mail) commit together. It can also be awaited on its own.
 */
export type Statement = Parameters<Db["batch"]>[0][number];
