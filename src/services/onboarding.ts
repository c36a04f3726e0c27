import type { Env } from "../env";
import { readConfig } from "../env";
import { generateNumericCode, generateToken } from "../crypto/random";
import { AppError } from "../lib/errors";
import { maskEmail, normaliseEmail } from "../lib/email";
import type { RequestMeta, ResolvedSite } from "../lib/types";
import { createDb } from "../store/db";
import { activatePendingUserStatement } from "../store/user-credentials";
import { type UserRow, findUserByEmail, findUserById } from "../store/users";
import { type AuditEvent, auditStatement, auditStatementIfChanged } from "./audit";
import { CODE_TTL_SECONDS, ghostOwner } from "./challenges";
import {
  type ChallengeProof,
  type FlowContext,
  buildEmailLink,
  checkEmailedProof,
  consumeProofForPassword,
  issueEmailedChallenge,
  mailName,
  proofVia,
  retireChallenge,
  settleProofWrite,
  usableLinkBase,
} from "./emailed-challenges";
import { ONBOARDING_REQUEST_PER_EMAIL, REQUEST_PER_IP, emailLimitKey, takeFlowLimit } from "./flow-limits";
import { ipLimiterKey } from "./rate-limits";
import { type Identity, toIdentity } from "./identity";
import type { MailRequest } from "./mail";
import { owedMailStatement, owedMailStatementIfChanged, prepareDecoy, prepareMail, queueOwedMail } from "./mail-outbox";
import { refreshIdentity, revokeAllSessions } from "./sessions";
import { resolveSite } from "./sites";

// Onboarding: an admin creates a `pending` account (no password hash); the user receives a 6-digit
// code (10 minutes; plus a link to the site's onboarding_url?token=… when one is configured), chooses
// a password, and the account becomes `active` with a verified email. A pending account can never
// log in with a password because it has none; an active one can never be onboarded again.

export interface SendOnboardingOptions {
  /**
   * Writes an `onboarding.code_sent` audit row with this actor. Omit it when the caller audits its
   * own action (admin user_create / user_onboarding_resend), so one action stays one row.
   */
  actor?: AuditEvent["actor"];
  /** Defaults to Date.now(). */
  now?: number;
  /** false: skip the 60 s resend cooldown (a brand-new account). Default true. */
  enforceCooldown?: boolean;
  /** Hand the mail send to this instead of awaiting it (the app route sends after answering). */
  defer?: (work: Promise<unknown>) => void;
}

export interface SentOnboarding {
  /** When the mailed code (and link) stop working, ISO 8601. */
  expires_at: string;
}

/** The one-object call shape (`sendOnboardingCode(env, user, { siteKey, enforceCooldown, request, now })`). */
export interface OnboardingSendMeta {
  siteKey: string | null;
  enforceCooldown: boolean;
  request: RequestMeta | null;
  now: number;
}

/**
 * Mails a fresh onboarding code to a pending user (the admin issue's "send onboarding": admin create
 * with `send_onboarding`, admin resend). `siteKey` picks the branding and the onboarding_url the link
 * points to (null, or a site without one: DEFAULT_ONBOARDING_URL; no usable URL: code only). The
 * previous code dies; the code works with auth_onboarding_check/complete (email + code, or the link's
 * token). Throws 409 conflict when the user is not pending, 429 resend_too_soon (with retry_after)
 * within 60 s of the previous code (unless `enforceCooldown: false`), 403 unknown_site for an
 * unregistered key in strict mode. Also accepts the one-object form `(env, user, OnboardingSendMeta)`.
 */
export async function sendOnboardingCode(
  env: Env,
  user: UserRow,
  siteKey: string | null,
  meta: RequestMeta | null,
  options?: SendOnboardingOptions,
): Promise<SentOnboarding>;
export async function sendOnboardingCode(env: Env, user: UserRow, meta: OnboardingSendMeta): Promise<SentOnboarding>;
export async function sendOnboardingCode(
  env: Env,
  user: UserRow,
  siteOrMeta: string | null | OnboardingSendMeta,
  meta: RequestMeta | null = null,
  options: SendOnboardingOptions = {},
): Promise<SentOnboarding> {
  if (siteOrMeta !== null && typeof siteOrMeta === "object") {
    const m = siteOrMeta;
    return sendOnboardingCode(env, user, m.siteKey, m.request, { now: m.now, enforceCooldown: m.enforceCooldown });
  }
  const config = readConfig(env);
  const site = siteOrMeta === null ? null : await resolveSite(createDb(env.DB), config, siteOrMeta);
  return issueOnboarding(env, user, site, meta, options);
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

async function issueOnboarding(env: Env, user: UserRow, site: ResolvedSite | null, meta: RequestMeta | null, options: SendOnboardingOptions): Promise<SentOnboarding> {
  if (user.status !== "pending") throw new AppError("conflict", { message: "Only a pending account can be onboarded." });
  const config = readConfig(env);
  const now = options.now ?? Date.now();
  const linkBase = usableLinkBase(site?.onboarding_url || config.defaultOnboardingUrl, config);
  const issued = await issueEmailedChallenge(env, {
    purpose: "onboarding",
    owner: user.id,
    userId: user.id,
    siteKey: site?.site_key ?? "",
    email: user.email,
    link: linkBase !== null,
    withCode: true,
    ttlSeconds: CODE_TTL_SECONDS,
    enforceCooldown: options.enforceCooldown ?? true,
    now,
  });
  const owed = await prepareMail(env, onboardingMail(user.email, site, linkBase, { token: issued.token, code: issued.code! }, mailName(user)), now);
  const db = createDb(env.DB);
  if (options.actor) {
    // The owed mail commits with the audit row (one round trip, the same as requestOnboarding's decoy).
    await db.batch([
      auditStatement(
        db,
        {
          actor: options.actor,
          action: "onboarding.code_sent",
          target: { type: "user", id: user.id },
          siteKey: site?.site_key ?? null,
          details: { email: maskEmail(user.email), link: linkBase !== null },
        },
        meta,
      ),
      owedMailStatement(db, owed),
    ]);
  } else {
    await owedMailStatement(db, owed);
  }
  const send = queueOwedMail(env, owed, meta?.requestId);
  if (options.defer) options.defer(send);
  else await send;
  return { expires_at: new Date(issued.record.expires_at).toISOString() };
}

/**
 * Handles an app's onboarding request. Only a pending account gets a code; every address answers the
 * same. Inside the 60 s cooldown nothing is resent, silently: a 429 would tell who is pending. Other
 * addresses get a ghost challenge under the same cooldown, so that probing check with wrong codes
 * behaves alike for everyone, and a decoy outbox row in the audit row's batch, so that the storage
 * work matches the pending account's (audit row + owed mail in one batch).
 */
export async function requestOnboarding(ctx: FlowContext, rawEmail: string): Promise<void> {
  const { env, site, now } = ctx;
  const email = normaliseEmail(rawEmail);
  if (!email) throw new AppError("invalid_request", { fields: { email: "Not a valid email address" } });
  await takeFlowLimit(env, ipLimiterKey(ctx.meta.ip), REQUEST_PER_IP);
  await takeFlowLimit(env, emailLimitKey(env, email), ONBOARDING_REQUEST_PER_EMAIL);
  const db = createDb(env.DB);
  const user = await findUserByEmail(db, email);
  try {
    if (user && user.status === "pending") {
      await issueOnboarding(env, user, site, ctx.meta, { actor: { type: "anonymous" }, now, defer: ctx.defer });
      return;
    }
    await issueEmailedChallenge(env, {
      purpose: "onboarding",
      owner: ghostOwner(env, email),
      userId: null,
      siteKey: site.site_key,
      email,
      link: false,
      withCode: true,
      ttlSeconds: CODE_TTL_SECONDS,
      enforceCooldown: true,
      now,
    });
  } catch (err) {
    if (!(err instanceof AppError && err.code === "resend_too_soon")) throw err;
  }
  const linkBase = usableLinkBase(site.onboarding_url || ctx.config.defaultOnboardingUrl, ctx.config);
  const decoy = await prepareDecoy(env, onboardingMail(email, site, linkBase, { token: generateToken(32), code: generateNumericCode(6) }, undefined), now);
  await db.batch([
    auditStatement(
      db,
      {
        actor: { type: "anonymous" },
        action: "onboarding.requested",
        target: user ? { type: "user", id: user.id } : undefined,
        siteKey: site.site_key,
        outcome: "denied",
        details: { email: maskEmail(email), account: user ? user.status : "unknown", mailed: false },
      },
      ctx.meta,
    ),
    owedMailStatement(db, decoy),
  ]);
}

/** Validates a code (or the link's token) without using it up (wrong codes count). */
export async function checkOnboarding(ctx: FlowContext, proof: ChallengeProof): Promise<{ email: string; expires_at: string }> {
  return checkEmailedProof(ctx, "onboarding", proof, null, "onboarding.check");
}

/**
 * Finishes onboarding: consumes the code, sets the first password and activates the account with a
 * verified email in one conditional write, refreshes the identity snapshot, mails a welcome. No session.
 */
export async function completeOnboarding(ctx: FlowContext, proof: ChallengeProof, password: string): Promise<Identity> {
  const { env, site, now } = ctx;
  const { resolved, userId, passwordHash } = await consumeProofForPassword(ctx, "onboarding", proof, password, {
    siteKey: null,
    field: "password",
    action: "onboarding.complete",
  });
  const db = createDb(env.DB);
  const before = await findUserById(db, userId);
  if (!before) {
    // Deleted since the mail went out: retire the challenge, 410 (settleProofWrite throws on no change).
    await settleProofWrite(env, resolved, 0);
    throw new AppError("challenge_expired");
  }
  const name = mailName(before);
  const welcome = await prepareMail(env, { template: "welcome", to: before.email, site_key: site.site_key, data: name ? { name } : {} }, now);
  // Activation, its audit row and the owed welcome mail commit together (conditional on the account still being pending).
  const [activated] = await db.batch([
    activatePendingUserStatement(db, userId, passwordHash, now),
    auditStatementIfChanged(
      db,
      {
        actor: { type: "user", id: userId },
        action: "onboarding.completed",
        target: { type: "user", id: userId },
        siteKey: site.site_key,
        details: { via: proofVia(resolved) },
      },
      ctx.meta,
    ),
    owedMailStatementIfChanged(db, welcome),
  ]);
  await settleProofWrite(env, resolved, activated.meta.changes);
  const user = (await findUserById(db, userId))!;
  const identity = toIdentity(user, ctx.config.publicBaseUrl);
  await refreshIdentity(env, "user", user.id, identity);
  await revokeAllSessions(env, "user", user.id);
  await retireChallenge(env, resolved.record);
  ctx.defer(queueOwedMail(env, welcome, ctx.meta.requestId));
  return identity;
}
