import type { Config, Env } from "../env";
import { hashPassword } from "../crypto/password-hash";
import { checkPasswordRules } from "../crypto/password-policy";
import { normaliseEmail } from "../lib/email";
import { canonicalLocale } from "../lib/locale";
import { AppError } from "../lib/errors";
import type { RequestMeta } from "../lib/types";
import type { Db } from "../store/db";
import { listUserPage } from "../store/user-registry";
import { type NewUserRow, type UserRow, findUserByEmail, findUserById, insertUser, updateUser } from "../store/users";
import { auditStatement } from "./audit";
import { diffFields, isUniqueViolation } from "./audit-diff";
import { type Identity, toIdentity } from "./identity";
import { sendOnboardingCode } from "./onboarding";
import { refreshIdentity, revokeAllSessions } from "./sessions";

// The admin user registry: create, update, list. Every change commits with its audit row in one
// batch, then refreshes the identity snapshot sessions answer from.

export interface ProfileInput {
  name?: string | undefined;
  display_name?: string | null | undefined;
  phone?: string | null | undefined;
  job_title?: string | null | undefined;
  department?: string | null | undefined;
  locale?: string | null | undefined;
  timezone?: string | null | undefined;
}

export interface AdminContext {
  adminId: string;
  meta: RequestMeta;
  now: number;
}

const AUDITED_FIELDS = ["email", "email_verified", "name", "display_name", "phone", "job_title", "department", "locale", "timezone", "status"] as const;

function profilePatch(input: ProfileInput): Partial<NewUserRow> {
  const patch: Partial<NewUserRow> = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.display_name !== undefined) patch.displayName = input.display_name;
  if (input.phone !== undefined) patch.phone = input.phone;
  if (input.job_title !== undefined) patch.jobTitle = input.job_title;
  if (input.department !== undefined) patch.department = input.department;
  // Stored in canonical form (de-ch → de-CH), as the staff profile route stores it.
  if (input.locale !== undefined) patch.locale = input.locale === null ? null : (canonicalLocale(input.locale) ?? input.locale);
  if (input.timezone !== undefined) patch.timezone = input.timezone;
  return patch;
}

function requireEmail(input: string): string {
  const email = normaliseEmail(input);
  if (!email) throw new AppError("invalid_request", { fields: { email: "Invalid email address" } });
  return email;
}

export async function requireUser(db: Db, id: string): Promise<UserRow> {
  const user = await findUserById(db, id);
  if (!user) throw new AppError("user_not_found");
  return user;
}

async function hashNewPassword(env: Env, config: Config, password: string): Promise<string> {
  // Users are global: the global minimum applies (a site may ask for more at its own password screens).
  const problem = checkPasswordRules(password, config.defaultPolicy.password_min_length);
  if (problem) throw new AppError(problem, { fields: { password: problem } });
  return hashPassword(password, { scrypt: config.scrypt, pepper: env.PASSWORD_PEPPER || undefined });
}

export interface CreateUserInput extends ProfileInput {
  email: string;
  name: string;
  send_onboarding?: boolean | undefined;
  site_key?: string | undefined;
}

/** Creates a pending user (no password: they set one through onboarding). */
export async function createUser(env: Env, db: Db, config: Config, input: CreateUserInput, ctx: AdminContext): Promise<Identity> {
  const email = requireEmail(input.email);
  if (await findUserByEmail(db, email)) throw new AppError("email_taken");
  const row: UserRow = {
    id: crypto.randomUUID(),
    email,
    emailVerified: false,
    name: "",
    displayName: null,
    phone: null,
    jobTitle: null,
    department: null,
    locale: null,
    timezone: null,
    avatarKey: null,
    status: "pending",
    passwordHash: null,
    passwordChangedAt: null,
    totpSecretEnc: null,
    totpEnabledAt: null,
    recoveryCodes: null,
    source: "admin",
    externalId: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    lastLoginAt: null,
    ...profilePatch(input),
  };
  const identity = toIdentity(row, config.publicBaseUrl);
  const after: Record<string, unknown> = {};
  for (const key of AUDITED_FIELDS) after[key] = identity[key];
  try {
    await db.batch([
      insertUser(db, row),
      auditStatement(
        db,
        { actor: { type: "admin", id: ctx.adminId }, action: "user.create", target: { type: "user", id: row.id }, siteKey: input.site_key ?? null, details: { after, send_onboarding: input.send_onboarding === true } },
        ctx.meta,
      ),
    ]);
  } catch (err) {
    if (isUniqueViolation(err, "users.email")) throw new AppError("email_taken");
    throw err;
  }
  // Best effort: a new account has no session yet, and every session start writes the snapshot anew.
  await refreshIdentity(env, "user", row.id, identity).catch((err: unknown) =>
    console.warn(JSON.stringify({ level: "warn", event: "identity_refresh_failed", user_id: row.id, error: err instanceof Error ? err.name : "error" })),
  );
  if (input.send_onboarding) {
    await sendOnboardingCode(env, row, { siteKey: input.site_key ?? null, enforceCooldown: false, request: ctx.meta, now: ctx.now });
  }
  return identity;
}

export interface UpdateUserInput extends ProfileInput {
  auth_user_id: string;
  email?: string | undefined;
  status?: UserRow["status"] | undefined;
  password?: string | undefined;
}

/** Updates profile, email, status and/or password. A new password or status ends every session of the user. */
export async function updateUserByAdmin(env: Env, db: Db, config: Config, input: UpdateUserInput, ctx: AdminContext): Promise<Identity> {
  const user = await requireUser(db, input.auth_user_id);
  const patch = profilePatch(input);
  if (input.email !== undefined) {
    const email = requireEmail(input.email);
    if (email !== user.email) {
      const holder = await findUserByEmail(db, email);
      if (holder && holder.id !== user.id) throw new AppError("email_taken");
      patch.email = email;
      patch.emailVerified = false; // a new address is unproven until its owner uses it
    }
  }
  if (input.status !== undefined && input.status !== user.status) patch.status = input.status;
  if (input.password !== undefined) {
    patch.passwordHash = await hashNewPassword(env, config, input.password);
    patch.passwordChangedAt = ctx.now;
  }
  patch.updatedAt = ctx.now;
  const updated: UserRow = { ...user, ...patch };
  const before = toIdentity(user, config.publicBaseUrl);
  const identity = toIdentity(updated, config.publicBaseUrl);
  const diff = diffFields(before, identity, AUDITED_FIELDS);
  if (input.password !== undefined) diff.changed.push("password");
  const endSessions = input.password !== undefined || patch.status !== undefined;
  // Sessions end before the change commits (and again after it, for any started in between): a storage
  // failure at any step never leaves a changed password or status with the old sessions alive.
  if (endSessions) await revokeAllSessions(env, "user", user.id);
  try {
    await db.batch([
      updateUser(db, user.id, patch),
      auditStatement(db, { actor: { type: "admin", id: ctx.adminId }, action: "user.update", target: { type: "user", id: user.id }, details: { ...diff, sessions_revoked: endSessions } }, ctx.meta),
    ]);
  } catch (err) {
    if (isUniqueViolation(err, "users.email")) throw new AppError("email_taken");
    throw err;
  }
  await refreshIdentity(env, "user", user.id, identity);
  if (endSessions) await revokeAllSessions(env, "user", user.id);
  return identity;
}

/** Disables a user: sessions end at once; their API keys stop verifying (owner inactive). */
export async function disableUser(env: Env, db: Db, config: Config, userId: string, ctx: AdminContext): Promise<Identity> {
  const user = await requireUser(db, userId);
  const updated: UserRow = user.status === "disabled" ? user : { ...user, status: "disabled", updatedAt: ctx.now };
  const details = { changed: user.status === "disabled" ? [] : ["status"], before: { status: user.status }, after: { status: "disabled" }, sessions_revoked: true };
  const identity = toIdentity(updated, config.publicBaseUrl);
  // The sessions end first: if the write below fails, the user is signed out but not yet disabled (a
  // retry finishes it); never disabled with sessions still alive.
  await refreshIdentity(env, "user", user.id, identity);
  await revokeAllSessions(env, "user", user.id);
  await db.batch([
    updateUser(db, user.id, { status: updated.status, updatedAt: updated.updatedAt }),
    auditStatement(db, { actor: { type: "admin", id: ctx.adminId }, action: "user.disable", target: { type: "user", id: user.id }, details }, ctx.meta),
  ]);
  return identity;
}

export interface UserListInput {
  q?: string | undefined;
  status?: UserRow["status"] | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

function encodeCursor(row: UserRow): string {
  return btoa(`${row.createdAt}.${row.id}`).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  let text = "";
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    /* falls through to the error below */
  }
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!m) throw new AppError("invalid_request", { fields: { cursor: "Invalid cursor" } });
  return { createdAt: Number(m[1]), id: m[2]! };
}

/** A page of users, newest first; `next_cursor` is null on the last page. */
export async function listUsers(db: Db, config: Config, input: UserListInput): Promise<{ items: Identity[]; next_cursor: string | null }> {
  const limit = input.limit ?? 50;
  const rows = await listUserPage(db, {
    q: input.q?.trim() || null,
    status: input.status ?? null,
    after: input.cursor ? decodeCursor(input.cursor) : null,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { items: page.map((r) => toIdentity(r, config.publicBaseUrl)), next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}
