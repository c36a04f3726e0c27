import type { Ctx } from "../../context";
import { hashPassword } from "../../crypto/password-hash";
import { checkPasswordRules } from "../../crypto/password-policy";
import { normaliseEmail } from "../../lib/email";
import { AppError } from "../../lib/errors";
import { canonicalLocale } from "../../lib/locale";
import { isUniqueViolation } from "../../store/errors";
import type { NewUserRow, UserRow } from "../../store/users";
import { diffFields } from "../audit/diff";
import { auditStatement } from "../audit/record";
import { refreshIdentity, revokeAllSessions, userPrincipal } from "../sessions/sessions";
import { type Identity, toIdentity } from "./identity";
import { sendOnboardingCode } from "./onboarding";
import { hashOptions } from "./passwords";

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

export async function requireUser(ctx: Ctx, id: string): Promise<UserRow> {
  const user = await ctx.store.users.findById(id);
  if (!user) throw new AppError("user_not_found");
  return user;
}

async function hashNewPassword(ctx: Ctx, password: string): Promise<string> {
  // Users are global: the global minimum applies (a site may ask for more at its own password screens).
  const problem = checkPasswordRules(password, ctx.config.defaultPolicy.password_min_length);
  if (problem) throw new AppError(problem, { fields: { password: problem } });
  return hashPassword(password, hashOptions(ctx));
}

export interface CreateUserInput extends ProfileInput {
  email: string;
  name: string;
  send_onboarding?: boolean | undefined;
  site_key?: string | undefined;
}

/** Creates a pending user (no password: they set one through onboarding). */
export async function createUser(ctx: Ctx, adminId: string, input: CreateUserInput): Promise<Identity> {
  const email = requireEmail(input.email);
  if (await ctx.store.users.findByEmail(email)) throw new AppError("email_taken");
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
  const identity = toIdentity(row, ctx.config.publicBaseUrl);
  const after: Record<string, unknown> = {};
  for (const key of AUDITED_FIELDS) after[key] = identity[key];
  try {
    await ctx.store.batch([
      ctx.store.users.insert(row),
      auditStatement(ctx, {
        actor: { type: "admin", id: adminId },
        action: "user.create",
        target: { type: "user", id: row.id },
        siteKey: input.site_key ?? null,
        details: { after, send_onboarding: input.send_onboarding === true },
      }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err, "users.email")) throw new AppError("email_taken");
    throw err;
  }
  // Best effort: a new account has no session yet, and every session start writes the snapshot anew.
  await refreshIdentity(ctx, userPrincipal(row.id), identity).catch((err: unknown) =>
    console.warn(JSON.stringify({ level: "warn", event: "identity_refresh_failed", user_id: row.id, error: err instanceof Error ? err.name : "error" })),
  );
  if (input.send_onboarding) {
    await sendOnboardingCode(ctx, row, { siteKey: input.site_key ?? null, enforceCooldown: false });
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
export async function updateUserByAdmin(ctx: Ctx, adminId: string, input: UpdateUserInput): Promise<Identity> {
  const { config } = ctx;
  const user = await requireUser(ctx, input.auth_user_id);
  const patch = profilePatch(input);
  if (input.email !== undefined) {
    const email = requireEmail(input.email);
    if (email !== user.email) {
      const holder = await ctx.store.users.findByEmail(email);
      if (holder && holder.id !== user.id) throw new AppError("email_taken");
      patch.email = email;
      patch.emailVerified = false; // a new address is unproven until its owner uses it
    }
  }
  if (input.status !== undefined && input.status !== user.status) patch.status = input.status;
  if (input.password !== undefined) {
    patch.passwordHash = await hashNewPassword(ctx, input.password);
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
  if (endSessions) await revokeAllSessions(ctx, userPrincipal(user.id));
  try {
    await ctx.store.batch([
      ctx.store.users.update(user.id, patch),
      auditStatement(ctx, { actor: { type: "admin", id: adminId }, action: "user.update", target: { type: "user", id: user.id }, details: { ...diff, sessions_revoked: endSessions } }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err, "users.email")) throw new AppError("email_taken");
    throw err;
  }
  await refreshIdentity(ctx, userPrincipal(user.id), identity);
  if (endSessions) await revokeAllSessions(ctx, userPrincipal(user.id));
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
export async function listUsers(ctx: Ctx, input: UserListInput): Promise<{ items: Identity[]; next_cursor: string | null }> {
  const limit = input.limit ?? 50;
  const rows = await ctx.store.users.listPage({
    q: input.q?.trim() || null,
    status: input.status ?? null,
    after: input.cursor ? decodeCursor(input.cursor) : null,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { items: page.map((r) => toIdentity(r, ctx.config.publicBaseUrl)), next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}
