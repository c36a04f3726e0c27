import type { BatchItem } from "drizzle-orm/batch";
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

/** A query to run in a db.batch (a drizzle query, not awaited). */
export type BatchableRead = BatchItem<"sqlite">;
/** What each query of a tuple resolves to. */
export type ReadResults<Q extends readonly BatchableRead[]> = { -readonly [K in keyof Q]: Q[K]["_"]["result"] };

/**
 * Runs reads in one D1 round trip (a batch; a single read on its own).
 * Joins do not belong in a batch: D1 batch rows are keyed by column name, so same-named columns collide.
 */
export async function runReads<Q extends readonly BatchableRead[]>(db: Db, reads: Q): Promise<ReadResults<Q>> {
  const [first, ...rest] = reads;
  if (!first) return [] as unknown as ReadResults<Q>;
  if (rest.length === 0) return [await first] as unknown as ReadResults<Q>;
  return (await db.batch([first, ...rest])) as unknown as ReadResults<Q>;
}
