import { eq } from "drizzle-orm";
import { type Db, schema } from "./db";

export type AdminRow = typeof schema.admins.$inferSelect;
export type NewAdminRow = typeof schema.admins.$inferInsert;

export async function findAdminById(db: Db, id: string): Promise<AdminRow | null> {
  const rows = await db.select().from(schema.admins).where(eq(schema.admins.id, id)).limit(1);
  return rows[0] ?? null;
}

/** `email` must already be normalised. */
export async function findAdminByEmail(db: Db, email: string): Promise<AdminRow | null> {
  const rows = await db.select().from(schema.admins).where(eq(schema.admins.email, email)).limit(1);
  return rows[0] ?? null;
}

export function insertAdmin(db: Db, row: NewAdminRow) {
  return db.insert(schema.admins).values(row);
}

export function updateAdmin(db: Db, id: string, patch: Partial<NewAdminRow>) {
  return db.update(schema.admins).set(patch).where(eq(schema.admins.id, id));
}

/** What every admin request checks of the row besides the session itself (one primary-key read). */
export async function findAdminSessionGate(db: Db, id: string): Promise<{ status: string; sessionsValidAfter: number | null } | null> {
  const row = await db.$client
    .prepare("SELECT status, sessions_valid_after FROM admins WHERE id = ?")
    .bind(id)
    .first<{ status: string; sessions_valid_after: number | null }>();
  return row ? { status: row.status, sessionsValidAfter: row.sessions_valid_after } : null;
}

export interface AdminsStore {
  findById(id: string): Promise<AdminRow | null>;
  /** `email` must already be normalised. */
  findByEmail(email: string): Promise<AdminRow | null>;
  insert(row: NewAdminRow): ReturnType<typeof insertAdmin>;
  update(id: string, patch: Partial<NewAdminRow>): ReturnType<typeof updateAdmin>;
  /** What every admin request checks of the row besides the session itself (one primary-key read). */
  findSessionGate(id: string): Promise<{ status: string; sessionsValidAfter: number | null } | null>;
}

export function createAdminsStore(db: Db): AdminsStore {
  return {
    findById: (id) => findAdminById(db, id),
    findByEmail: (email) => findAdminByEmail(db, email),
    insert: (row) => insertAdmin(db, row),
    update: (id, patch) => updateAdmin(db, id, patch),
    findSessionGate: (id) => findAdminSessionGate(db, id),
  };
}
