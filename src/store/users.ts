import { eq } from "drizzle-orm";
import { type Db, type Read, readOne, schema } from "./db";

export type UserRow = typeof schema.users.$inferSelect;
export type NewUserRow = typeof schema.users.$inferInsert;

export async function findUserById(db: Db, id: string): Promise<UserRow | null> {
  const rows = await db.select().from(schema.users).where(eq(schema.users.id, id)).limit(1);
  return rows[0] ?? null;
}

/** `email` must already be normalised (lib/email.ts). */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  const rows = await db.select().from(schema.users).where(eq(schema.users.email, email)).limit(1);
  return rows[0] ?? null;
}

/** findUserById as a Read (hot service paths, store/db.ts). */
export function userByIdRead(id: string): Read<UserRow | null> {
  return readOne(schema.users, "id = ?", [id]);
}

/** findUserByEmail as a Read; `email` must already be normalised. */
export function userByEmailRead(email: string): Read<UserRow | null> {
  return readOne(schema.users, "email = ?", [email]);
}

export function insertUser(db: Db, row: NewUserRow) {
  return db.insert(schema.users).values(row);
}

export function updateUser(db: Db, id: string, patch: Partial<NewUserRow>) {
  return db.update(schema.users).set(patch).where(eq(schema.users.id, id));
}
