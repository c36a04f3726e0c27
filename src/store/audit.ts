import { lt } from "drizzle-orm";
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

/** Deletes audit rows older than `before` (ms); returns how many went. */
export async function deleteAuditBefore(db: Db, before: number): Promise<number> {
  const result = await db.delete(schema.auditLog).where(lt(schema.auditLog.at, before));
  return result.meta.changes ?? 0;
}
