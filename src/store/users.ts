import { type SQL, and, eq } from "drizzle-orm";
import { type Db, schema } from "./db";

export type UserRow = typeof schema.users.$inferSelect;
export type NewUserRow = typeof schema.users.$inferInsert;

/** The user with this id (at most one row), as a query to await or batch; `guard` is an extra WHERE condition. */
export function userByIdQuery(db: Db, id: string, guard?: SQL) {
  return db.select().from(schema.users).where(and(eq(schema.users.id, id), guard)).limit(1);
}

/** `email` must already be normalised (lib/email.ts). */
export function userByEmailQuery(db: Db, email: string, guard?: SQL) {
  return db.select().from(schema.users).where(and(eq(schema.users.email, email), guard)).limit(1);
}

export async function findUserById(db: Db, id: string): Promise<UserRow | null> {
  const rows = await userByIdQuery(db, id);
  return rows[0] ?? null;
}

/** `email` must already be normalised (lib/email.ts). */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  const rows = await userByEmailQuery(db, email);
  return rows[0] ?? null;
}

export function insertUser(db: Db, row: NewUserRow) {
  return db.insert(schema.users).values(row);
}

export function updateUser(db: Db, id: string, patch: Partial<NewUserRow>) {
  return db.update(schema.users).set(patch).where(eq(schema.users.id, id));
}
