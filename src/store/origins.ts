import { sql } from "drizzle-orm";
import type { Db } from "./db";

/** Whether any active registered site lists `origin` (exact match) in its allowed_origins. */
export async function isOriginRegistered(db: Db, origin: string): Promise<boolean> {
  const row = await db.get<{ one: number } | undefined>(
    sql`SELECT 1 AS one FROM sites WHERE status = 'active' AND EXISTS (SELECT 1 FROM json_each(sites.allowed_origins) WHERE json_each.value = ${origin}) LIMIT 1`,
  );
  return row?.one === 1;
}
