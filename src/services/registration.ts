import type { Config, Env } from "../env";
import { hashPassword } from "../crypto/password-hash";
import { checkPasswordRules } from "../crypto/password-policy";
import { AppError } from "../lib/errors";
import type { RequestMeta, ResolvedSite } from "../lib/types";
import { getChallenge, getChallengeRef, putChallengeRef } from "../store/challenges";
import type { Db } from "../store/db";
import { type UserRow, deletePendingRegistration, findUserByEmail, findUserById, insertUser, updateUser } from "../store/users";
import { type AuditEvent, auditStatement, recordAudit } from "./audit";
import { isUniqueViolation } from "./audit-diff";
import { CODE_TTL_SECONDS, issueChallenge, verifyChallenge } from "./challenges";
import { toIdentity } from "./identity";
import type { MailRequest } from "./mail";
import { owedMailStatement, prepareMail, queueOwedMail } from "./mail-outbox";
import { ipLimiterKey, takeLimit } from "./rate-limits";
import { emailDigest } from "./secrets";
import { refreshIdentity } from "./sessions";

// Legacy self-registration (PHP clients). Only where the site's policy allows it; the same 202
// answer whether or not the email exists (an existing owner gets a "someone tried to register"
// mail instead of a code); codes and limits as everywhere else.

export interface RegistrationInput {
  email: string;
  password: string;
  name: string;
}

export interface RegistrationContext {
  env: Env;
  db: Db;
  config: Config;
  site: ResolvedSite;
  meta: RequestMeta;
}

function assertAllowed(site: ResolvedSite): void {
  if (!site.policy.allow_self_registration) throw new AppError("registration_disabled");
}

async function checkLimits(ctx: RegistrationContext, email: string): Promise<void> {
  await takeLimit(ctx.env, ipLimiterKey(ctx.meta.ip), "register", 20, 3600);
  await takeLimit(ctx.env, `register-email:${emailDigest(ctx.env, email)}`, "register", 3, 3600);
}

function hashOptions(ctx: RegistrationContext) {
  return { scrypt: ctx.config.scrypt, pepper: ctx.env.PASSWORD_PEPPER };
}

function auditEvent(ctx: RegistrationContext, action: string, email: string, userId: string | null, outcome: "success" | "failure" = "success"): AuditEvent {
  return { actor: { type: userId ? "user" : "anonymous", id: userId }, action, target: { type: "user", id: userId }, siteKey: ctx.site.site_key, outcome, details: { source: "legacy_register", email_digest: emailDigest(ctx.env, email).slice(0, 16) } };
}

async function audit(ctx: RegistrationContext, action: string, email: string, userId: string | null, outcome: "success" | "failure" = "success") {
  await recordAudit(ctx.db, auditEvent(ctx, action, email, userId, outcome), ctx.meta);
}

/**
 * Writes the audit row and the owed mail's outbox row in one batch, then queues the mail (awaited, as
 * before; a failed send is logged and left to the outbox sweep). Every branch of a registration
 * request ends here with one mail, so the storage work is the same whether the address is taken.
 */
async function auditAndMail(ctx: RegistrationContext, action: string, email: string, userId: string | null, mail: MailRequest, now: number): Promise<void> {
  const owed = await prepareMail(ctx.env, mail, now);
  await ctx.db.batch([auditStatement(ctx.db, auditEvent(ctx, action, email, userId), ctx.meta), owedMailStatement(ctx.db, owed)]);
  await queueOwedMail(ctx.env, owed, ctx.meta.requestId);
}

/** Tells an existing owner that someone tried to register with their address; no code is sent. */
async function notifyExisting(ctx: RegistrationContext, email: string, now: number): Promise<void> {
  // A challenge nobody can complete keeps attempts and cooldowns identical to a real registration.
  const { record } = await issueChallenge(ctx.env, { purpose: "register", owner: `ghost:${emailDigest(ctx.env, email)}`, userId: null, siteKey: ctx.site.site_key, email, ttlSeconds: CODE_TTL_SECONDS, withCode: true, enforceCooldown: true, data: { exists: true }, now });
  await putChallengeRef(ctx.env, "register", emailDigest(ctx.env, email), record.id, CODE_TTL_SECONDS);
  await auditAndMail(ctx, "register.existing_email", email, null, { template: "registration_exists", to: email, site_key: ctx.site.site_key, data: {} }, now);
}

/** The registration challenge and its email pointer; returns the code to mail. */
async function openCode(ctx: RegistrationContext, email: string, userId: string | null, data: Record<string, unknown>, now: number): Promise<string> {
  const { code, record } = await issueChallenge(ctx.env, { purpose: "register", owner: `ghost:${emailDigest(ctx.env, email)}`, userId, siteKey: ctx.site.site_key, email, ttlSeconds: CODE_TTL_SECONDS, withCode: true, enforceCooldown: true, data, now });
  await putChallengeRef(ctx.env, "register", emailDigest(ctx.env, email), record.id, CODE_TTL_SECONDS);
  return code!;
}

function codeMail(ctx: RegistrationContext, email: string, code: string): MailRequest {
  return { template: "registration_code", to: email, site_key: ctx.site.site_key, data: { code, expires_minutes: CODE_TTL_SECONDS / 60 } };
}

function validate(ctx: RegistrationContext, input: RegistrationInput): void {
  const problem = checkPasswordRules(input.password, ctx.site.policy.password_min_length);
  if (problem) throw new AppError(problem, { fields: { password: problem } });
}

/**
 * auth_register (one step): creates the account now — pending, email unverified, password set — and
 * mails a code; register_verify activates it. Pending accounts cannot log in until then.
 */
export async function registerAccount(ctx: RegistrationContext, email: string, input: RegistrationInput): Promise<void> {
  assertAllowed(ctx.site);
  validate(ctx, input);
  await checkLimits(ctx, email);
  const now = Date.now();
  const passwordHash = await hashPassword(input.password, hashOptions(ctx));
  if (await findUserByEmail(ctx.db, email)) return notifyExisting(ctx, email, now);
  const id = crypto.randomUUID();
  try {
    await insertUser(ctx.db, { id, email, name: input.name, status: "pending", emailVerified: false, passwordHash, passwordChangedAt: now, source: "legacy_register", createdAt: now, updatedAt: now });
  } catch (err) {
    // Lost a race with another registration of the same address: behave as for an existing one.
    // Anything else (storage down) is a 503, never a 202 that mailed nothing.
    if (isUniqueViolation(err, "users.email")) return notifyExisting(ctx, email, now);
    throw err;
  }
  try {
    const code = await openCode(ctx, email, id, {}, now);
    // The owed mail commits with the audit row, last: a code is never owed for an account that is then taken back.
    await auditAndMail(ctx, "register.created", email, id, codeMail(ctx, email, code), now);
  } catch (err) {
    // Nobody can ever verify a pending account whose code never went out, and it would turn the
    // retry into "already registered": take the row back (only this still-pending one), then fail.
    await deletePendingRegistration(ctx.db, id).catch(() => undefined);
    throw err;
  }
}

/** auth_register_start: holds the registration (password already hashed) in the challenge until the code comes back. */
export async function startRegistration(ctx: RegistrationContext, email: string, input: RegistrationInput): Promise<void> {
  assertAllowed(ctx.site);
  validate(ctx, input);
  await checkLimits(ctx, email);
  const now = Date.now();
  const passwordHash = await hashPassword(input.password, hashOptions(ctx));
  if (await findUserByEmail(ctx.db, email)) return notifyExisting(ctx, email, now);
  const code = await openCode(ctx, email, null, { name: input.name, password_hash: passwordHash }, now);
  await auditAndMail(ctx, "register.started", email, null, codeMail(ctx, email, code), now);
}

/** auth_register_verify: the right code creates (start flow) or activates (one-step flow) the account. */
export async function verifyRegistration(ctx: RegistrationContext, email: string, code: string): Promise<UserRow> {
  assertAllowed(ctx.site);
  const now = Date.now();
  const id = await getChallengeRef(ctx.env, "register", emailDigest(ctx.env, email));
  const record = id ? await getChallenge(ctx.env, id) : null;
  if (!record || record.email !== email || record.expires_at <= now) throw new AppError("challenge_expired");
  await verifyChallenge(ctx.env, record, code, { consume: true, now });
  let user: UserRow | null;
  if (record.data.exists === true) {
    user = null;
  } else if (record.user_id) {
    user = await findUserById(ctx.db, record.user_id);
    if (user && user.status === "pending" && user.source === "legacy_register") {
      await updateUser(ctx.db, user.id, { status: "active", emailVerified: true, updatedAt: now });
      user = await findUserById(ctx.db, user.id);
    } else user = null;
  } else {
    const newId = crypto.randomUUID();
    const name = typeof record.data.name === "string" ? record.data.name : "";
    const passwordHash = typeof record.data.password_hash === "string" ? record.data.password_hash : null;
    try {
      await insertUser(ctx.db, { id: newId, email, name, status: "active", emailVerified: true, passwordHash, passwordChangedAt: now, source: "legacy_register", createdAt: now, updatedAt: now });
      user = await findUserById(ctx.db, newId);
    } catch (err) {
      if (!isUniqueViolation(err, "users.email")) throw err;
      user = null; // the address was taken meanwhile
    }
  }
  if (!user) {
    await audit(ctx, "register.verify_failed", email, null, "failure");
    throw new AppError("challenge_expired");
  }
  await refreshIdentity(ctx.env, "user", user.id, toIdentity(user, ctx.config.publicBaseUrl));
  await auditAndMail(ctx, "register.completed", email, user.id, { template: "welcome", to: email, site_key: ctx.site.site_key, data: {} }, now);
  return user;
}
