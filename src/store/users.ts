import { and, eq } from "drizzle-orm";
import { type Db, type Read, pickColumns, schema } from "./db";
import { activatePendingUserStatement, setActiveUserPasswordStatement } from "./user-credentials";
import { type UserPageQuery, deleteUserRow, listUserPage } from "./user-search";

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

export interface UsersStore {
  findById(id: string): Promise<UserRow | null>;
  /** `email` must already be normalised (lib/email.ts). */
  findByEmail(email: string): Promise<UserRow | null>;
  insert(row: NewUserRow): ReturnType<typeof insertUser>;
  update(id: string, patch: Partial<NewUserRow>): ReturnType<typeof updateUser>;
  /** The conditional UPDATE replacing an active account's password (false → no change: no longer active). */
  setActivePassword(id: string, passwordHash: string, now: number): ReturnType<typeof setActiveUserPasswordStatement>;
  /** Sets a pending account's first password and activates it, in one conditional statement. */
  activatePending(id: string, passwordHash: string, now: number): ReturnType<typeof activatePendingUserStatement>;
  deletePendingRegistration(id: string): Promise<void>;
  delete(id: string): ReturnType<typeof deleteUserRow>;
  listPage(query: UserPageQuery): Promise<UserRow[]>;
  /** Hot service reads (the identity columns only), run through store.run or a service-key join. */
  byIdRead(id: string): Read<IdentityRow>;
  byEmailRead(email: string): Read<IdentityRow>;
}

export function createUsersStore(db: Db): UsersStore {
  return {
    findById: (id) => findUserById(db, id),
    findByEmail: (email) => findUserByEmail(db, email),
    insert: (row) => insertUser(db, row),
    update: (id, patch) => updateUser(db, id, patch),
    setActivePassword: (id, hash, now) => setActiveUserPasswordStatement(db, id, hash, now),
    activatePending: (id, hash, now) => activatePendingUserStatement(db, id, hash, now),
    deletePendingRegistration: (id) => deletePendingRegistration(db, id),
    delete: (id) => deleteUserRow(db, id),
    listPage: (query) => listUserPage(db, query),
    byIdRead: userByIdRead,
    byEmailRead: userByEmailRead,
  };
}
