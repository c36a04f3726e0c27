import type { Ctx } from "../../context";
import { emailDigest } from "../../crypto/email-digest";
import { burnPasswordTime, hashPassword, needsRehash, verifyPassword } from "../../crypto/password-hash";
import { normaliseEmail } from "../../lib/email";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import type { NewUserRow, UserRow } from "../../store/users";
import { type AuditEvent, recordAudit } from "../audit/record";
import { ghostOwner } from "../challenges/challenges";
import { checkEmailThrottle, clearEmailFailures, reserveEmailAttempt, takeLoginCaps } from "../limits/login";
import { type StartedSession, startUserSession } from "../sessions/start";
import { hashOptions } from "../users/passwords";
import { type ChallengeView, issueLoginChallenge, secondFactorFor } from "./challenge";
import { passkeyChoiceFor } from "./passkey-factor";

export interface SignInInput {
  site: ResolvedSite;
  email: string;
  password?: string | undefined;
}

export type SignInResult = { status: "authenticated"; started: StartedSession } | { status: "factor_required"; challenge: ChallengeView };

function invalidEmail(): AppError {
  return new AppError("invalid_request", { fields: { email: "Invalid email address" } });
}

function failureAudit(ctx: Ctx, email: string, user: UserRow | null, site: ResolvedSite, reason: string): AuditEvent {
  return {
    actor: { type: "anonymous" },
    action: "login.failure",
    target: user ? { type: "user", id: user.id } : { type: "email_digest", id: emailDigest(ctx.secrets.codeKey(), email) },
    siteKey: site.site_key,
    outcome: "failure",
    details: { reason },
  };
}

/**
 * auth_login: the site's login_mode decides the first factor (password, or an emailed code when
 * passwordless or when password_or_otp gets no password); its twofa_mode decides whether a second
 * one follows. Caps per client address and site, then the per-email throttle, all before hashing.
 */
export async function signIn(ctx: Ctx, input: SignInInput): Promise<SignInResult> {
  const { site } = input;
  const email = normaliseEmail(input.email);
  if (!email) throw invalidEmail();
  const mode = site.policy.login_mode;
  const usePassword = mode === "password" || (mode === "password_or_otp" && input.password !== undefined);
  if (mode === "password" && input.password === undefined) {
    throw new AppError("invalid_request", { fields: { password: "Required" } });
  }
  await takeLoginCaps(ctx, site.site_key);
  return usePassword ? signInWithPassword(ctx, site, email, input.password ?? "") : startEmailCode(ctx, site, email);
}

async function signInWithPassword(ctx: Ctx, site: ResolvedSite, email: string, password: string): Promise<SignInResult> {
  // The user lookup is no hashing, so it runs beside the throttle check; nothing is hashed unless admitted.
  const [{ lockedNow }, user] = await Promise.all([reserveEmailAttempt(ctx, email), ctx.store.users.findByEmail(email)]);
  if (lockedNow) {
    await recordAudit(ctx, { actor: { type: "system" }, action: "login.lockout", target: { type: "email_digest", id: emailDigest(ctx.secrets.codeKey(), email) }, siteKey: site.site_key, outcome: "denied" });
  }
  const options = hashOptions(ctx);
  if (!user || user.status !== "active" || !user.passwordHash) {
    // Same work, same answer as a wrong password: nobody learns which addresses exist or their state.
    await burnPasswordTime(password, options);
    await recordAudit(ctx, failureAudit(ctx, email, user, site, user ? `account_${user.status}` : "unknown_email"));
    throw new AppError("invalid_credentials");
  }
  if (!(await verifyPassword(password, user.passwordHash, options))) {
    await recordAudit(ctx, failureAudit(ctx, email, user, site, "wrong_password"));
    throw new AppError("invalid_credentials");
  }
  const cleared = clearEmailFailures(ctx, email);
  // Legacy (bcrypt, argon2id) or outdated scrypt hashes are replaced while the password is at hand.
  const patch: Partial<NewUserRow> = needsRehash(user.passwordHash, options) ? { passwordHash: await hashPassword(password, options) } : {};
  const second = secondFactorFor(site.policy.twofa_mode, user, "password", await passkeyChoiceFor(ctx, site, user));
  if (!second) {
    const started = await startUserSession(ctx, {
      user,
      site,
      factors: ["password"],
      patch,
      audit: { actor: { type: "user", id: user.id }, action: "login.success", target: { type: "user", id: user.id }, siteKey: site.site_key, details: { factors: ["password"], upgraded: patch.passwordHash !== undefined } },
    });
    await cleared;
    return { status: "authenticated", started };
  }
  await cleared;
  if (patch.passwordHash) await ctx.store.users.update(user.id, patch);
  const challenge = await issueLoginChallenge(ctx, {
    owner: user.id,
    user,
    email,
    site,
    factor: second.factor,
    data: { stage: "second", done: ["password"], choices: second.choices },
  });
  return { status: "factor_required", challenge };
}

async function startEmailCode(ctx: Ctx, site: ResolvedSite, email: string): Promise<SignInResult> {
  await checkEmailThrottle(ctx, email);
  const user = await ctx.store.users.findByEmail(email);
  const canSignIn = user !== null && user.status === "active";
  // Unknown, pending and disabled addresses get the same answer with a challenge that never verifies.
  const challenge = await issueLoginChallenge(ctx, {
    owner: canSignIn ? user.id : ghostOwner(ctx, email),
    user: canSignIn ? user : null,
    email,
    site,
    factor: "email_otp",
    data: { stage: "primary", done: [], choices: ["email_otp"] },
  });
  return { status: "factor_required", challenge };
}
