import type { Ctx } from "../../context";
import { generateNumericCode, generateToken } from "../../crypto/random";
import { maskEmail, normaliseEmail } from "../../lib/email";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import type { UserRow } from "../../store/users";
import { type AuditEvent, auditStatement, auditStatementIfChanged, recordAudit } from "../audit/record";
import { CODE_TTL_SECONDS, ghostOwner } from "../challenges/challenges";
import { type ChallengeProof, checkEmailedProof, consumeProofForPassword, issueEmailedChallenge, proofVia, retireChallenge, settleProofWrite } from "../challenges/emailed";
import { ONBOARDING_REQUEST_PER_EMAIL, REQUEST_PER_IP, clientAddress, takeFlowLimit } from "../limits/flows";
import type { MailRequest } from "../mail/enqueue";
import { buildEmailLink, mailName, usableLinkBase } from "../mail/links";
import { deferOwedMail, owedMailStatement, owedMailStatementIfChanged, prepareDecoy, prepareMail, queueOwedMail } from "../mail/outbox";
import { refreshIdentity, revokeAllSessions, userPrincipal } from "../sessions/sessions";
import { resolveSite } from "../sites/resolve";
import { type Identity, toIdentity } from "./identity";

// Onboarding: an admin creates a `pending` account (no password hash); the user receives a 6-digit
// code (10 minutes; plus a link to the site's onboarding_url?token=… when one is configured), chooses
// a password, and the account becomes `active` with a verified email. A pending account can never
// log in with a password because it has none; an active one can never be onboarded again.

export interface SendOnboardingOptions {
  /** The site whose branding and onboarding_url the mail uses (null: the defaults). */
  siteKey: string | null;
  /** false: skip the 60 s resend cooldown (a brand-new account). */
  enforceCooldown: boolean;
  /**
   * Writes an `onboarding.code_sent` audit row with this actor. Omit it when the caller audits its
   * own action (admin user_create / user_onboarding_resend), so one action stays one row.
   */
  actor?: AuditEvent["actor"];
  /** Queue the mail after the answer instead of before returning (the app route). */
  afterAnswer?: boolean;
}

export interface SentOnboarding {
  /** When the mailed code (and link) stop working, ISO 8601. */
  expires_at: string;
}

/**
 * Mails a fresh onboarding code to a pending user (admin create with `send_onboarding`, admin
 * resend). `siteKey` picks the branding and the onboarding_url the link points to (null, or a site
 * without one: DEFAULT_ONBOARDING_URL; no usable URL: code only). The previous code dies; the code
 * works with auth_onboarding_check/complete (email + code, or the link's token). Throws 409 conflict
 * when the user is not pending, 429 resend_too_soon (with retry_after) within 60 s of the previous
 * code (unless `enforceCooldown: false`), 403 unknown_site for an unregistered key in strict mode.
 */
export async function sendOnboardingCode(ctx: Ctx, user: UserRow, options: SendOnboardingOptions): Promise<SentOnboarding> {
  const site = options.siteKey === null ? null : await resolveSite(ctx, options.siteKey);
  return issueOnboarding(ctx, user, site, options);
}

/** The onboarding mail, built the same way for a real account and for a decoy (stand-in token and code, no name). */
function onboardingMail(email: string, site: ResolvedSite | null, linkBase: string | null, secret: { token: string; code: string }, name: string | undefined): MailRequest {
  return {
    template: "onboarding_code",
    to: email,
    site_key: site?.site_key ?? null,
    data: {
      code: secret.code,
      ...(linkBase ? { link: buildEmailLink(linkBase, secret.token) } : {}),
      expires_minutes: CODE_TTL_SECONDS / 60,
      ...(name ? { name } : {}),
    },
  };
}

async function issueOnboarding(ctx: Ctx, user: UserRow, site: ResolvedSite | null, options: Omit<SendOnboardingOptions, "siteKey">): Promise<SentOnboarding> {
  if (user.status !== "pending") throw new AppError("conflict", { message: "Only a pending account can be onboarded." });
  const linkBase = usableLinkBase(site?.onboarding_url || ctx.config.defaultOnboardingUrl, ctx.config);
  const issued = await issueEmailedChallenge(ctx, {
    purpose: "onboarding",
    owner: user.id,
    userId: user.id,
    siteKey: site?.site_key ?? "",
    email: user.email,
    link: linkBase !== null,
    withCode: true,
    ttlSeconds: CODE_TTL_SECONDS,
    enforceCooldown: options.enforceCooldown,
  });
  const owed = await prepareMail(ctx, onboardingMail(user.email, site, linkBase, { token: issued.token, code: issued.code! }, mailName(user)));
  if (options.actor) {
    // The owed mail commits with the audit row (one round trip, the same as requestOnboarding's decoy).
    await ctx.store.batch([
      auditStatement(ctx, {
        actor: options.actor,
        action: "onboarding.code_sent",
        target: { type: "user", id: user.id },
        siteKey: site?.site_key ?? null,
        details: { email: maskEmail(user.email), link: linkBase !== null },
      }),
      owedMailStatement(ctx, owed),
    ]);
  } else {
    await owedMailStatement(ctx, owed);
  }
  if (options.afterAnswer) deferOwedMail(ctx, owed);
  else await queueOwedMail(ctx, owed);
  return { expires_at: new Date(issued.record.expires_at).toISOString() };
}

/**
 * Handles an app's onboarding request. Only a pending account gets a code; every address answers the
 * same. Inside the 60 s cooldown nothing is resent, silently: a 429 would tell who is pending. Other
 * addresses get a ghost challenge under the same cooldown, so that probing check with wrong codes
 * behaves alike for everyone, and a decoy outbox row in the audit row's batch, so that the storage
 * work matches the pending account's (audit row + owed mail in one batch).
 */
export async function requestOnboarding(ctx: Ctx, site: ResolvedSite, rawEmail: string): Promise<void> {
  const email = normaliseEmail(rawEmail);
  if (!email) throw new AppError("invalid_request", { fields: { email: "Not a valid email address" } });
  await takeFlowLimit(ctx, clientAddress(ctx), REQUEST_PER_IP);
  await takeFlowLimit(ctx, { kind: "flow-email", email }, ONBOARDING_REQUEST_PER_EMAIL);
  const user = await ctx.store.users.findByEmail(email);
  try {
    if (user && user.status === "pending") {
      await issueOnboarding(ctx, user, site, { actor: { type: "anonymous" }, enforceCooldown: true, afterAnswer: true });
      return;
    }
    await issueEmailedChallenge(ctx, {
      purpose: "onboarding",
      owner: ghostOwner(ctx, email),
      userId: null,
      siteKey: site.site_key,
      email,
      link: false,
      withCode: true,
      ttlSeconds: CODE_TTL_SECONDS,
      enforceCooldown: true,
    });
  } catch (err) {
    if (!(err instanceof AppError && err.code === "resend_too_soon")) throw err;
  }
  const linkBase = usableLinkBase(site.onboarding_url || ctx.config.defaultOnboardingUrl, ctx.config);
  const decoy = await prepareDecoy(ctx, onboardingMail(email, site, linkBase, { token: generateToken(32), code: generateNumericCode(6) }, undefined));
  await ctx.store.batch([
    auditStatement(ctx, {
      actor: { type: "anonymous" },
      action: "onboarding.requested",
      target: user ? { type: "user", id: user.id } : undefined,
      siteKey: site.site_key,
      outcome: "denied",
      details: { email: maskEmail(email), account: user ? user.status : "unknown", mailed: false },
    }),
    owedMailStatement(ctx, decoy),
  ]);
}

/** Validates a code (or the link's token) without using it up (wrong codes count). */
export async function checkOnboarding(ctx: Ctx, site: ResolvedSite, proof: ChallengeProof): Promise<{ email: string; expires_at: string }> {
  return checkEmailedProof(ctx, site, "onboarding", proof, null, "onboarding.check");
}

/**
 * Finishes onboarding: consumes the code, sets the first password and activates the account with a
 * verified email in one conditional write, refreshes the identity snapshot, mails a welcome. No session.
 */
export async function completeOnboarding(ctx: Ctx, site: ResolvedSite, proof: ChallengeProof, password: string): Promise<Identity> {
  const { resolved, userId, passwordHash } = await consumeProofForPassword(ctx, site, "onboarding", proof, password, {
    siteKey: null,
    field: "password",
    action: "onboarding.complete",
  });
  const before = await ctx.store.users.findById(userId);
  if (!before) {
    // Deleted since the mail went out: retire the challenge, 410 (settleProofWrite throws on no change).
    await settleProofWrite(ctx, resolved, 0);
    throw new AppError("challenge_expired");
  }
  const name = mailName(before);
  const welcome = await prepareMail(ctx, { template: "welcome", to: before.email, site_key: site.site_key, data: name ? { name } : {} });
  // Activation, its audit row and the owed welcome mail commit together (conditional on the account still being pending).
  const [activated] = await ctx.store.batch([
    ctx.store.users.activatePending(userId, passwordHash, ctx.now),
    auditStatementIfChanged(ctx, {
      actor: { type: "user", id: userId },
      action: "onboarding.completed",
      target: { type: "user", id: userId },
      siteKey: site.site_key,
      details: { via: proofVia(resolved) },
    }),
    owedMailStatementIfChanged(ctx, welcome),
  ]);
  await settleProofWrite(ctx, resolved, activated.meta.changes);
  const user = (await ctx.store.users.findById(userId))!;
  const identity = toIdentity(user, ctx.config.publicBaseUrl);
  await refreshIdentity(ctx, userPrincipal(user.id), identity);
  await revokeAllSessions(ctx, userPrincipal(user.id));
  await retireChallenge(ctx, resolved.record);
  deferOwedMail(ctx, welcome);
  return identity;
}

/** Sends a new onboarding code to a pending user (the previous one dies); 429 resend_too_soon inside the cooldown. */
export async function resendOnboarding(
  ctx: Ctx,
  adminId: string,
  input: { auth_user_id?: string | undefined; email?: string | undefined; site_key?: string | undefined },
): Promise<void> {
  let user: UserRow | null;
  if (input.auth_user_id) {
    user = await ctx.store.users.findById(input.auth_user_id);
  } else {
    const email = normaliseEmail(input.email);
    user = email ? await ctx.store.users.findByEmail(email) : null;
  }
  if (!user) throw new AppError("user_not_found");
  if (user.status !== "pending") throw new AppError("conflict", { message: "Only pending users can be sent an onboarding code." });
  const event = { actor: { type: "admin" as const, id: adminId }, action: "user.onboarding_resend", target: { type: "user", id: user.id }, siteKey: input.site_key ?? null };
  try {
    await sendOnboardingCode(ctx, user, { siteKey: input.site_key ?? null, enforceCooldown: true });
  } catch (err) {
    if (err instanceof AppError && err.code === "resend_too_soon") await recordAudit(ctx, { ...event, outcome: "denied", details: { reason: "cooldown" } });
    throw err;
  }
  await recordAudit(ctx, event);
}
