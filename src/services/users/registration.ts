import type { Ctx } from "../../context";
import { emailDigest } from "../../crypto/email-digest";
import { hashPassword } from "../../crypto/password-hash";
import { checkPasswordRules } from "../../crypto/password-policy";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import { isUniqueViolation } from "../../store/errors";
import type { UserRow } from "../../store/users";
import { type AuditEvent, auditStatement, recordAudit } from "../audit/record";
import { CODE_TTL_SECONDS, issueChallenge, verifyChallenge } from "../challenges/challenges";
import { takeLimit } from "../limits/take";
import type { MailRequest } from "../mail/enqueue";
import { owedMailStatement, prepareMail, queueOwedMail } from "../mail/outbox";
import { refreshIdentity, userPrincipal } from "../sessions/sessions";
import { toIdentity } from "./identity";
import { hashOptions } from "./passwords";

// Legacy self-registration (PHP clients). Only where the site's policy allows it; the same 202
// answer whether or not the email exists (an existing owner gets a "someone tried to register"
// mail instead of a code); codes and limits as everywhere else.

export interface RegistrationInput {
  email: string;
  password: string;
  name: string;
}

function assertAllowed(site: ResolvedSite): void {
  if (!site.policy.allow_self_registration) throw new AppError("registration_disabled");
}

async function checkLimits(ctx: Ctx, email: string): Promise<void> {
  await takeLimit(ctx, { kind: "ip", ip: ctx.meta.ip }, "register", 20, 3600);
  await takeLimit(ctx, { kind: "register-email", email }, "register", 3, 3600);
}

function auditEvent(ctx: Ctx, site: ResolvedSite, action: string, email: string, userId: string | null, outcome: "success" | "failure" = "success"): AuditEvent {
  return { actor: { type: userId ? "user" : "anonymous", id: userId }, action, target: { type: "user", id: userId }, siteKey: site.site_key, outcome, details: { source: "legacy_register", email_digest: emailDigest(ctx.secrets.codeKey(), email).slice(0, 16) } };
}

/**
 * Writes the audit row and the owed mail's outbox row in one batch, then queues the mail (awaited, as
 * before; a failed send is logged and left to the outbox sweep). Every branch of a registration
 * request ends here with one mail, so the storage work is the same whether the address is taken.
 */
async function auditAndMail(ctx: Ctx, site: ResolvedSite, action: string, email: string, userId: string | null, mail: MailRequest): Promise<void> {
  const owed = await prepareMail(ctx, mail);
  await ctx.store.batch([auditStatement(ctx, auditEvent(ctx, site, action, email, userId)), owedMailStatement(ctx, owed)]);
  await queueOwedMail(ctx, owed);
}

/** Tells an existing owner that someone tried to register with their address; no code is sent. */
async function notifyExisting(ctx: Ctx, site: ResolvedSite, email: string): Promise<void> {
  // A challenge nobody can complete keeps attempts and cooldowns identical to a real registration.
  const { record } = await issueChallenge(ctx, { purpose: "register", owner: ctx.store.challenges.ghostOwner(email), userId: null, siteKey: site.site_key, email, ttlSeconds: CODE_TTL_SECONDS, withCode: true, enforceCooldown: true, data: { exists: true } });
  await ctx.store.challenges.putRef("register", email, record.id, CODE_TTL_SECONDS);
  await auditAndMail(ctx, site, "register.existing_email", email, null, { template: "registration_exists", to: email, site_key: site.site_key, data: {} });
}

/** The registration challenge and its email pointer; returns the code to mail. */
async function openCode(ctx: Ctx, site: ResolvedSite, email: string, userId: string | null, data: Record<string, unknown>): Promise<string> {
  const { code, record } = await issueChallenge(ctx, { purpose: "register", owner: ctx.store.challenges.ghostOwner(email), userId, siteKey: site.site_key, email, ttlSeconds: CODE_TTL_SECONDS, withCode: true, enforceCooldown: true, data });
  await ctx.store.challenges.putRef("register", email, record.id, CODE_TTL_SECONDS);
  return code!;
}

function codeMail(site: ResolvedSite, email: string, code: string): MailRequest {
  return { template: "registration_code", to: email, site_key: site.site_key, data: { code, expires_minutes: CODE_TTL_SECONDS / 60 } };
}

function validate(site: ResolvedSite, input: RegistrationInput): void {
  const problem = checkPasswordRules(input.password, site.policy.password_min_length);
  if (problem) throw new AppError(problem, { fields: { password: problem } });
}

/**
 * auth_register (one step): creates the account now — pending, email unverified, password set — and
 * mails a code; register_verify activates it. Pending accounts cannot log in until then.
 */
export async function registerAccount(ctx: Ctx, site: ResolvedSite, email: string, input: RegistrationInput): Promise<void> {
  assertAllowed(site);
  validate(site, input);
  await checkLimits(ctx, email);
  const now = ctx.now;
  const passwordHash = await hashPassword(input.password, hashOptions(ctx));
  if (await ctx.store.users.findByEmail(email)) return notifyExisting(ctx, site, email);
  const id = crypto.randomUUID();
  try {
    await ctx.store.users.insert({ id, email, name: input.name, status: "pending", emailVerified: false, passwordHash, passwordChangedAt: now, source: "legacy_register", createdAt: now, updatedAt: now });
  } catch (err) {
    // Lost a race with another registration of the same address: behave as for an existing one.
    // Anything else (storage down) is a 503, never a 202 that mailed nothing.
    if (isUniqueViolation(err, "users.email")) return notifyExisting(ctx, site, email);
    throw err;
  }
  try {
    const code = await openCode(ctx, site, email, id, {});
    // The owed mail commits with the audit row, last: a code is never owed for an account that is then taken back.
    await auditAndMail(ctx, site, "register.created", email, id, codeMail(site, email, code));
  } catch (err) {
    // Nobody can ever verify a pending account whose code never went out, and it would turn the
    // retry into "already registered": take the row back (only this still-pending one), then fail.
    await ctx.store.users.deletePendingRegistration(id).catch(() => undefined);
    throw err;
  }
}

/** auth_register_start: holds the registration (password already hashed) in the challenge until the code comes back. */
export async function startRegistration(ctx: Ctx, site: ResolvedSite, email: string, input: RegistrationInput): Promise<void> {
  assertAllowed(site);
  validate(site, input);
  await checkLimits(ctx, email);
  const passwordHash = await hashPassword(input.password, hashOptions(ctx));
  if (await ctx.store.users.findByEmail(email)) return notifyExisting(ctx, site, email);
  const code = await openCode(ctx, site, email, null, { name: input.name, password_hash: passwordHash });
  await auditAndMail(ctx, site, "register.started", email, null, codeMail(site, email, code));
}

/** auth_register_verify: the right code creates (start flow) or activates (one-step flow) the account. */
export async function verifyRegistration(ctx: Ctx, site: ResolvedSite, email: string, code: string): Promise<UserRow> {
  assertAllowed(site);
  const now = ctx.now;
  const id = await ctx.store.challenges.getRef("register", email);
  const record = id ? await ctx.store.challenges.getRecord(id) : null;
  if (!record || record.email !== email || record.expires_at <= now) throw new AppError("challenge_expired");
  await verifyChallenge(ctx, record, code, { consume: true });
  let user: UserRow | null;
  if (record.data.exists === true) {
    user = null;
  } else if (record.user_id) {
    user = await ctx.store.users.findById(record.user_id);
    if (user && user.status === "pending" && user.source === "legacy_register") {
      await ctx.store.users.update(user.id, { status: "active", emailVerified: true, updatedAt: now });
      user = await ctx.store.users.findById(user.id);
    } else user = null;
  } else {
    const newId = crypto.randomUUID();
    const name = typeof record.data.name === "string" ? record.data.name : "";
    const passwordHash = typeof record.data.password_hash === "string" ? record.data.password_hash : null;
    try {
      await ctx.store.users.insert({ id: newId, email, name, status: "active", emailVerified: true, passwordHash, passwordChangedAt: now, source: "legacy_register", createdAt: now, updatedAt: now });
      user = await ctx.store.users.findById(newId);
    } catch (err) {
      if (!isUniqueViolation(err, "users.email")) throw err;
      user = null; // the address was taken meanwhile
    }
  }
  if (!user) {
    await recordAudit(ctx, auditEvent(ctx, site, "register.verify_failed", email, null, "failure"));
    throw new AppError("challenge_expired");
  }
  await refreshIdentity(ctx, userPrincipal(user.id), toIdentity(user, ctx.config.publicBaseUrl));
  await auditAndMail(ctx, site, "register.completed", email, user.id, { template: "welcome", to: email, site_key: site.site_key, data: {} });
  return user;
}
