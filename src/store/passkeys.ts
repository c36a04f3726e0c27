import { and, asc, eq, sql } from "drizzle-orm";
import { generateId } from "../crypto/random";
import { type Db, schema } from "./db";

// Passkeys and WebAuthn user handles in D1. Only public keys and counters: nothing stored here lets
// anyone sign in. Every write that belongs to one user names that user, so an id from another
// account changes nothing.

const { passkeys, users, webauthnUserHandles } = schema;

export type PasskeyRow = typeof passkeys.$inferSelect;

/** A passkey as the list and ceremonies use it (transports parsed). */
export interface PasskeyRecord {
  id: string;
  credentialId: string;
  userId: string;
  publicKey: string;
  signCounter: number;
  transports: string[];
  backedUp: boolean;
  deviceType: "singleDevice" | "multiDevice";
  aaguid: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface NewPasskeyRecord {
  userId: string;
  credentialId: string;
  publicKey: string;
  signCounter: number;
  transports: readonly string[];
  backedUp: boolean;
  deviceType: "singleDevice" | "multiDevice";
  aaguid: string;
  name: string;
  now: number;
}

function parseTransports(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

function toRecord(row: PasskeyRow): PasskeyRecord {
  return { ...row, transports: parseTransports(row.transports) };
}

/**
 * Stores a verified passkey. A credential id is registered once across all users (WebAuthn §7.1
 * step 26): a second registration of it answers `duplicate` and changes nothing.
 */
export async function insertPasskey(db: Db, input: NewPasskeyRecord): Promise<{ ok: true; id: string } | { ok: false; reason: "duplicate" }> {
  const id = generateId();
  const result = await db
    .insert(passkeys)
    .values({
      id,
      credentialId: input.credentialId,
      userId: input.userId,
      publicKey: input.publicKey,
      signCounter: input.signCounter,
      transports: JSON.stringify(input.transports),
      backedUp: input.backedUp,
      deviceType: input.deviceType,
      aaguid: input.aaguid,
      name: input.name,
      createdAt: input.now,
    })
    .onConflictDoNothing({ target: passkeys.credentialId });
  return (result.meta.changes ?? 0) > 0 ? { ok: true, id } : { ok: false, reason: "duplicate" };
}

/** A user's passkeys, oldest first. */
export async function listPasskeysByUser(db: Db, userId: string): Promise<PasskeyRecord[]> {
  const rows = await db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt), asc(passkeys.id));
  return rows.map(toRecord);
}

/** The passkey with this credential id and its owner's user handle (one read), or null. */
export async function findPasskeyByCredentialId(db: Db, credentialId: string): Promise<(PasskeyRecord & { userHandle: string | null }) | null> {
  const rows = await db
    .select({ passkey: passkeys, userHandle: webauthnUserHandles.userHandle })
    .from(passkeys)
    .leftJoin(webauthnUserHandles, eq(webauthnUserHandles.userId, passkeys.userId))
    .where(eq(passkeys.credentialId, credentialId))
    .limit(1);
  const row = rows[0];
  return row ? { ...toRecord(row.passkey), userHandle: row.userHandle } : null;
}

/**
 * Records a verified sign-in: the new counter, the backup state and the time. Conditional on the
 * stored counter still being below the new one (or both zero), so two sign-ins racing with the same
 * counter cannot both be recorded; false means the counter moved meanwhile (treat as a regression).
 */
export async function recordPasskeyUse(db: Db, input: { id: string; counter: number; backedUp: boolean; now: number }): Promise<boolean> {
  const counterAdvances = input.counter === 0 ? eq(passkeys.signCounter, 0) : sql`${passkeys.signCounter} < ${input.counter}`;
  const result = await db
    .update(passkeys)
    .set({ signCounter: input.counter, backedUp: input.backedUp, lastUsedAt: input.now })
    .where(and(eq(passkeys.id, input.id), counterAdvances));
  return (result.meta.changes ?? 0) > 0;
}

/** Renames one of the user's passkeys; false when the user has no passkey with this id. */
export async function renamePasskey(db: Db, input: { userId: string; id: string; name: string }): Promise<boolean> {
  const result = await db.update(passkeys).set({ name: input.name }).where(and(eq(passkeys.id, input.id), eq(passkeys.userId, input.userId)));
  return (result.meta.changes ?? 0) > 0;
}

/** Deletes one of the user's passkeys; false when the user has no passkey with this id. */
export async function deletePasskey(db: Db, input: { userId: string; id: string }): Promise<boolean> {
  const result = await db.delete(passkeys).where(and(eq(passkeys.id, input.id), eq(passkeys.userId, input.userId)));
  return (result.meta.changes ?? 0) > 0;
}

/** The user's WebAuthn user handle, or null before their first passkey registration. */
export async function findUserHandle(db: Db, userId: string): Promise<string | null> {
  const rows = await db.select({ handle: webauthnUserHandles.userHandle }).from(webauthnUserHandles).where(eq(webauthnUserHandles.userId, userId)).limit(1);
  return rows[0]?.handle ?? null;
}

/**
 * The user's handle, creating it from `candidate` (services/passkeys generateUserHandle) when there
 * is none. Two requests racing both get the one that was stored first.
 */
export async function ensureUserHandle(db: Db, input: { userId: string; candidate: string; now: number }): Promise<string> {
  const existing = await findUserHandle(db, input.userId);
  if (existing) return existing;
  await db.insert(webauthnUserHandles).values({ userId: input.userId, userHandle: input.candidate, createdAt: input.now }).onConflictDoNothing();
  const stored = await findUserHandle(db, input.userId);
  if (!stored) throw new Error("user handle was not stored (unknown user?)");
  return stored;
}

/** Credential ids of the user's passkeys with their transports (excludeCredentials / allowCredentials). */
export async function listPasskeyDescriptors(db: Db, userId: string): Promise<{ credentialId: string; transports: string[] }[]> {
  const rows = await db
    .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt), asc(passkeys.id));
  return rows.map((r) => ({ credentialId: r.credentialId, transports: parseTransports(r.transports) }));
}


/**
 * For a sign-in by email, in ONE statement whether or not the address is known (so an unknown email
 * costs what a known one does): the account (id, status) and its passkeys' descriptors. `email` must
 * be normalised like users.email. The caller decides what a pending or disabled account gets.
 */
export async function findPasskeyDescriptorsByEmail(
  db: Db,
  email: string,
): Promise<{ user: { id: string; status: "pending" | "active" | "disabled" } | null; descriptors: { credentialId: string; transports: string[] }[] }> {
  const rows = await db
    .select({ userId: users.id, status: users.status, credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(users)
    .leftJoin(passkeys, eq(passkeys.userId, users.id))
    .where(eq(users.email, email))
    .orderBy(asc(passkeys.createdAt), asc(passkeys.id));
  const first = rows[0];
  if (!first) return { user: null, descriptors: [] };
  const descriptors = rows.flatMap((r) => (r.credentialId === null ? [] : [{ credentialId: r.credentialId, transports: parseTransports(r.transports ?? "[]") }]));
  return { user: { id: first.userId, status: first.status }, descriptors };
}
