import { and, eq } from "drizzle-orm";
import { type Db, type Read, pickColumns, schema } from "./db";

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

/** The columns the canonical identity is made of (services/identity.ts): what service routes read of a user. */
export const IDENTITY_COLUMNS = [
  "id", "email", "emailVerified", "name", "displayName", "phone", "jobTitle", "department", "locale", "timezone",
  "avatarKey", "status", "totpEnabledAt", "createdAt", "updatedAt", "lastLoginAt",
] as const satisfies readonly (keyof UserRow)[];
/** A user row without credentials (no password hash, TOTP secret or recovery codes). */
export type IdentityRow = Pick<UserRow, (typeof IDENTITY_COLUMNS)[number]>;

/** The identity columns of users aliased `u` ("id" first). */
export const identityColumns = pickColumns(schema.users, "u", IDENTITY_COLUMNS);

function identityRead(where: string, params: readonly unknown[]): Read<IdentityRow> {
  return { columns: identityColumns.sql, from: "users u", where, joins: "", params, map: identityColumns.map };
}

/** The identity columns of the user with this id, as a Read (hot service paths, store/db.ts). */
export function userByIdRead(id: string): Read<IdentityRow> {
  return identityRead("u.id = ?", [id]);
}

/** The identity columns of the user with this email (already normalised; unique), as a Read. */
export function userByEmailRead(email: string): Read<IdentityRow> {
  return identityRead("u.email = ?", [email]);
}

export function insertUser(db: Db, row: NewUserRow) {
  return db.insert(schema.users).values(row);
}

export function updateUser(db: Db, id: string, patch: Partial<NewUserRow>) {
  return db.update(schema.users).set(patch).where(eq(schema.users.id, id));
}

/** Removes an account that is still pending (a registration whose code could not be sent). */
export async function deletePendingRegistration(db: Db, id: string): Promise<void> {
  await db.delete(schema.users).where(and(eq(schema.users.id, id), eq(schema.users.status, "pending")));
}
