import type { Ctx } from "../../context";
import { maskEmail, normaliseEmail } from "../../lib/email";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import { auditStatement, auditStatementIfChanged } from "../audit/record";
import { CODE_TTL_SECONDS, LINK_TTL_SECONDS, ghostOwner } from "../challenges/challenges";
import { type ChallengeProof, checkEmailedProof, consumeProofForPassword, issueEmailedChallenge, proofVia, retireChallenge, settleProofWrite } from "../challenges/emailed";
import { REQUEST_PER_IP, RESET_REQUEST_PER_EMAIL, clientAddress, takeFlowLimit } from "../limits/flows";
import type { MailRequest } from "../mail/enqueue";
import { buildEmailLink, mailName, usableLinkBase } from "../mail/links";
import { deferOwedMail, owedMailStatement, owedMailStatementIfChanged, prepareDecoy, prepareMail } from "../mail/outbox";
import { refreshIdentity, revokeAllSessions, userPrincipal } from "../sessions/sessions";
import { toIdentity } from "./identity";

// Password reset (site reset_mode): `link` mails reset_url?token=… (256-bit token, 30 minutes), `otp`
// mails a 6-digit code (10 minutes), `both` mails the two (the code still lives 10 minutes),
// `disabled` answers 403 reset_disabled. Nothing about the account changes until complete succeeds.

export function assertResetEnabled(site: ResolvedSite): void {
  if (site.policy.reset_mode === "disabled") throw new AppError("reset_disabled");
}

/**
 * Handles a reset request. Every address costs the same work — limiter calls, one user read, one
 * challenge (a "ghost" one, which can never verify, for unknown, pending and disabled accounts) and
 * one D1 batch of the audit row and an outbox row (the reset mail, or a decoy of the same size) —
 * and the caller answers 202 the same way. Only an active account's mail is queued, after the
 * answer; its outbox row makes the sweep send it if the Worker dies first.
 */
export async function requestPasswordReset(ctx: Ctx, site: ResolvedSite, rawEmail: string): Promise<void> {
  assertResetEnabled(site);
  const email = normaliseEmail(rawEmail);
  if (!email) throw new AppError("invalid_request", { fields: { email: "Not a valid email address" } });
  await takeFlowLimit(ctx, clientAddress(ctx), REQUEST_PER_IP);
  await takeFlowLimit(ctx, { kind: "flow-email", email }, RESET_REQUEST_PER_EMAIL);

  const user = await ctx.store.users.findByEmail(email);
  const active = user !== null && user.status === "active";
  const mode = site.policy.reset_mode;
  const linkBase = mode === "link" || mode === "both" ? usableLinkBase(site.reset_url || ctx.config.defaultResetUrl, ctx.config) : null;
  // Without a usable reset URL a link cannot be mailed; the code keeps the flow working.
  const withCode = mode === "otp" || mode === "both" || linkBase === null;
  const ttlSeconds = linkBase ? LINK_TTL_SECONDS : CODE_TTL_SECONDS;
  const issued = await issueEmailedChallenge(ctx, {
    purpose: "reset",
    owner: active ? user.id : ghostOwner(ctx, email),
    userId: active ? user.id : null,
    siteKey: site.site_key,
    email,
    link: linkBase !== null,
    withCode,
    ttlSeconds,
    codeTtlSeconds: CODE_TTL_SECONDS,
    enforceCooldown: false,
  });
  // The same mail for every address (a ghost challenge's token and code stand in); only the name is the account's.
  const name = active ? mailName(user) : undefined;
  const mail: MailRequest = {
    template: "password_reset",
    to: email,
    site_key: site.site_key,
    data: {
      ...(linkBase ? { link: buildEmailLink(linkBase, issued.token) } : {}),
      ...(issued.code ? { code: issued.code } : {}),
      expires_minutes: (withCode ? CODE_TTL_SECONDS : ttlSeconds) / 60,
      ...(name ? { name } : {}),
    },
  };
  const owed = active ? await prepareMail(ctx, mail) : await prepareDecoy(ctx, mail);
  await ctx.store.batch([
    auditStatement(ctx, {
      actor: { type: "anonymous" },
      action: "password_reset.requested",
      target: user ? { type: "user", id: user.id } : undefined,
      siteKey: site.site_key,
      outcome: active ? "success" : "denied",
      details: { email: maskEmail(email), account: user ? user.status : "unknown", mode, mailed: active },
    }),
    owedMailStatement(ctx, owed),
  ]);
  deferOwedMail(ctx, owed);
}

/** Validates a token or email + code without using it up (wrong codes count). */
export async function checkPasswordReset(ctx: Ctx, site: ResolvedSite, proof: ChallengeProof): Promise<{ email: string; expires_at: string }> {
  assertResetEnabled(site);
  return checkEmailedProof(ctx, site, "reset", proof, site.site_key, "password_reset.check");
}

/**
 * Sets the new password: the challenge is consumed first (of two parallel completes one wins), then
 * the hash is written, every session ends, the identity snapshot is refreshed and a notice is mailed.
 * No session is issued, and TOTP / second-factor settings are left exactly as they were.
 */
export async function completePasswordReset(ctx: Ctx, site: ResolvedSite, proof: ChallengeProof, newPassword: string): Promise<void> {
  assertResetEnabled(site);
  const { resolved, userId, passwordHash } = await consumeProofForPassword(ctx, site, "reset", proof, newPassword, {
    siteKey: site.site_key,
    field: "new_password",
    action: "password_reset.complete",
  });
  // The notice is owed exactly when the change commits: its outbox row rides in the change's batch.
  const before = await ctx.store.users.findById(userId);
  if (!before) {
    // Deleted since the mail went out: retire the challenge, 410 (settleProofWrite throws on no change).
    await settleProofWrite(ctx, resolved, 0);
    throw new AppError("challenge_expired");
  }
  const name = mailName(before);
  const notice = await prepareMail(ctx, { template: "password_changed", to: before.email, site_key: site.site_key, data: name ? { name } : {} });
  // Sessions end before the password changes, and the change commits with its audit row in one batch:
  // a storage failure at any step leaves either the old password (sessions ended, challenge used: the
  // user asks for a new link) or the new one, recorded, with no session of the old one alive.
  const revoked = await revokeAllSessions(ctx, userPrincipal(userId));
  const [changed] = await ctx.store.batch([
    ctx.store.users.setActivePassword(userId, passwordHash, ctx.now),
    // Conditional on status: an account disabled since the mail went out keeps its old password (and no row).
    auditStatementIfChanged(ctx, {
      actor: { type: "user", id: userId },
      action: "password_reset.completed",
      target: { type: "user", id: userId },
      siteKey: site.site_key,
      details: { via: proofVia(resolved), sessions_revoked: revoked },
    }),
    owedMailStatementIfChanged(ctx, notice),
  ]);
  await settleProofWrite(ctx, resolved, changed.meta.changes);
  const user = (await ctx.store.users.findById(userId))!;
  await refreshIdentity(ctx, userPrincipal(user.id), toIdentity(user, ctx.config.publicBaseUrl));
  await retireChallenge(ctx, resolved.record);
  deferOwedMail(ctx, notice);
}
