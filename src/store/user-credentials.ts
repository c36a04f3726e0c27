import { and, eq } from "drizzle-orm";
import { type Db, schema } from "./db";

// The two writes that set a user's password from an emailed challenge. Both are conditional on the
// account's state at the moment of writing, so a user disabled (or activated some other way) while
// the mail was in flight is never changed by a stale challenge.

/** The conditional UPDATE replacing an active account's password (for a db.batch with its audit row). */
export function setActiveUserPasswordStatement(db: Db, id: string, passwordHash: string, now: number) {
  return db
    .update(schema.users)
    .set({ passwordHash, passwordChangedAt: now, updatedAt: now })
    .where(and(eq(schema.users.id, id), eq(schema.users.status, "active")));
}

/** Replaces the password of an active account; false when the account is no longer active. */
export async function setActiveUserPassword(db: Db, id: string, passwordHash: string, now: number): Promise<boolean> {
  const result = await setActiveUserPasswordStatement(db, id, passwordHash, now);
  return (result.meta.changes ?? 0) > 0;
}

/**
 * Sets the first password of a pending account and activates it in one statement: a pending account
 * never holds a password hash, and an active one can never be "onboarded" again.
 */
export async function activatePendingUser(db: Db, id: string, passwordHash: string, now: number): Promise<boolean> {
  const result = await activatePendingUserStatement(db, id, passwordHash, now);
  return (result.meta.changes ?? 0) > 0;
}

/** The conditional UPDATE of `activatePendingUser` (for a db.batch with its audit row). */
export function activatePendingUserStatement(db: Db, id: string, passwordHash: string, now: number) {
  return db
    .update(schema.users)
    .set({ passwordHash, passwordChangedAt: now, emailVerified: true, status: "active", updatedAt: now })
    .where(and(eq(schema.users.id, id), eq(schema.users.status, "pending")));
}
