import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { generateId } from "../crypto/random";
import { type Db, schema } from "./db";
import type { UserRow } from "./users";

// Passkeys and WebAuthn user handles in D1. Only public keys and counters: nothing stored here lets
// anyone sign in. Every write that belongs to one user names that user, so an id from another
// account changes nothing. The db-first functions below are wrapped by the port at the end
// (ctx.store.passkeys); writes that commit with an audit row return a statement for store.batch.

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
  /** Set after a counter regression: the passkey is refused until removed. */
  flaggedAt: number | null;
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

/** A passkey found by its credential id, with what a sign-in needs next: the owner's handle and row. */
export interface PasskeyForSignIn extends PasskeyRecord {
  userHandle: string | null;
  user: UserRow;
}

export interface PasskeyDescriptorRow {
  credentialId: string;
  transports: string[];
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

/** The insert of a verified passkey under `id`; a credential id already registered (anyone's) is left alone. */
export function insertPasskeyStatement(db: Db, id: string, input: NewPasskeyRecord) {
  return db
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
}

/**
 * Stores a verified passkey. A credential id is registered once across all users (WebAuthn §7.1
 * step 26): a second registration of it answers `duplicate` and changes nothing.
 */
export async function insertPasskey(db: Db, input: NewPasskeyRecord): Promise<{ ok: true; id: string } | { ok: false; reason: "duplicate" }> {
  const id = generateId();
  const result = await insertPasskeyStatement(db, id, input);
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

/** The passkey, its owner's user handle and the owner's row, in one read (a sign-in's only D1 read). */
export async function findPasskeyForSignIn(db: Db, credentialId: string): Promise<PasskeyForSignIn | null> {
  const rows = await db
    .select({ passkey: passkeys, userHandle: webauthnUserHandles.userHandle, user: users })
    .from(passkeys)
    .innerJoin(users, eq(users.id, passkeys.userId))
    .leftJoin(webauthnUserHandles, eq(webauthnUserHandles.userId, passkeys.userId))
    .where(eq(passkeys.credentialId, credentialId))
    .limit(1);
  const row = rows[0];
  return row ? { ...toRecord(row.passkey), userHandle: row.userHandle, user: row.user } : null;
}

/**
 * Records a verified sign-in: the new counter, the backup state and the time. Conditional on the
 * stored counter still being below the new one (or both zero) and the passkey not flagged, so two
 * sign-ins racing with the same counter cannot both be recorded; false means the counter moved
 * meanwhile (treat as a regression).
 */
export async function recordPasskeyUse(db: Db, input: { id: string; counter: number; backedUp: boolean; now: number }): Promise<boolean> {
  const counterAdvances = input.counter === 0 ? eq(passkeys.signCounter, 0) : sql`${passkeys.signCounter} < ${input.counter}`;
  const result = await db
    .update(passkeys)
    .set({ signCounter: input.counter, backedUp: input.backedUp, lastUsedAt: input.now })
    .where(and(eq(passkeys.id, input.id), counterAdvances, isNull(passkeys.flaggedAt)));
  return (result.meta.changes ?? 0) > 0;
}

/** Flags a passkey after a counter regression (first time only): it is refused until removed. */
export function flagPasskeyStatement(db: Db, id: string, now: number) {
  return db.update(passkeys).set({ flaggedAt: now }).where(and(eq(passkeys.id, id), isNull(passkeys.flaggedAt)));
}

/** Renames one of the user's passkeys; false when the user has no passkey with this id. */
export async function renamePasskey(db: Db, input: { userId: string; id: string; name: string }): Promise<boolean> {
  const result = await db.update(passkeys).set({ name: input.name }).where(and(eq(passkeys.id, input.id), eq(passkeys.userId, input.userId)));
  return (result.meta.changes ?? 0) > 0;
}

/** The delete of one of the user's passkeys (changes nothing for another user's id). */
export function deletePasskeyStatement(db: Db, input: { userId: string; id: string }) {
  return db.delete(passkeys).where(and(eq(passkeys.id, input.id), eq(passkeys.userId, input.userId)));
}

/** The delete of every passkey of a user (an administrator's "remove all"). */
export function deleteUserPasskeysStatement(db: Db, userId: string) {
  return db.delete(passkeys).where(eq(passkeys.userId, userId));
}

/** Deletes one of the user's passkeys; false when the user has no passkey with this id. */
export async function deletePasskey(db: Db, input: { userId: string; id: string }): Promise<boolean> {
  const result = await deletePasskeyStatement(db, input);
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
export async function listPasskeyDescriptors(db: Db, userId: string): Promise<PasskeyDescriptorRow[]> {
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
): Promise<{ user: { id: string; status: "pending" | "active" | "disabled" } | null; descriptors: PasskeyDescriptorRow[] }> {
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

/** The passkeys port (ctx.store.passkeys). */
export interface PasskeysStore {
  /** The insert of a verified passkey under a new id, for a batch with its audit row (0 changes: duplicate credential id). */
  insert(input: NewPasskeyRecord): { id: string; statement: ReturnType<typeof insertPasskeyStatement> };
  listByUser(userId: string): Promise<PasskeyRecord[]>;
  findForSignIn(credentialId: string): Promise<PasskeyForSignIn | null>;
  recordUse(input: { id: string; counter: number; backedUp: boolean; now: number }): Promise<boolean>;
  flag(id: string, now: number): ReturnType<typeof flagPasskeyStatement>;
  rename(input: { userId: string; id: string; name: string }): Promise<boolean>;
  delete(input: { userId: string; id: string }): ReturnType<typeof deletePasskeyStatement>;
  deleteAll(userId: string): ReturnType<typeof deleteUserPasskeysStatement>;
  ensureUserHandle(input: { userId: string; candidate: string; now: number }): Promise<string>;
  listDescriptors(userId: string): Promise<PasskeyDescriptorRow[]>;
  findDescriptorsByEmail(email: string): ReturnType<typeof findPasskeyDescriptorsByEmail>;
}

export function createPasskeysStore(db: Db): PasskeysStore {
  return {
    insert(input) {
      const id = generateId();
      return { id, statement: insertPasskeyStatement(db, id, input) };
    },
    listByUser: (userId) => listPasskeysByUser(db, userId),
    findForSignIn: (credentialId) => findPasskeyForSignIn(db, credentialId),
    recordUse: (input) => recordPasskeyUse(db, input),
    flag: (id, now) => flagPasskeyStatement(db, id, now),
    rename: (input) => renamePasskey(db, input),
    delete: (input) => deletePasskeyStatement(db, input),
    deleteAll: (userId) => deleteUserPasskeysStatement(db, userId),
    ensureUserHandle: (input) => ensureUserHandle(db, input),
    listDescriptors: (userId) => listPasskeyDescriptors(db, userId),
    findDescriptorsByEmail: (email) => findPasskeyDescriptorsByEmail(db, email),
  };
}
