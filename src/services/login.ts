import { type Env, readConfig } from "../env";
import { burnPasswordTime, hashPassword, needsRehash, verifyPassword } from "../crypto/password-hash";
import { normaliseEmail } from "../lib/email";
import { AppError } from "../lib/errors";
import type { RequestMeta, ResolvedSite } from "../lib/types";
import type { Db } from "../store/db";
import { type NewUserRow, type UserRow, findUserByEmail, updateUser } from "../store/users";
import { type AuditEvent, recordAudit } from "./audit";
import { ghostOwner } from "./challenges";
import { type ChallengeView, type Defer, issueLoginChallenge, secondFactorFor } from "./login-challenge";
import { checkEmailThrottle, clearEmailFailures, reserveEmailAttempt, takeLoginCaps } from "./login-limits";
import { emailDigest } from "./secrets";
import { type StartedSession, startUserSession } from "./session-start";

export interface SignInInput {
  site: ResolvedSite;
  email: string;
  password?: string | undefined;
  meta: RequestMeta;
  now: number;
  defer: Defer;
}

export type SignInResult = { status: "authenticated"; started: StartedSession } | { status: "factor_required"; challenge: ChallengeView };

function invalidEmail(): AppError {
  return new AppError("invalid_request", { fields: { email: "Invalid email address" } });
}

function failureAudit(env: Env, email: string, user: UserRow | null, site: ResolvedSite, reason: string): AuditEvent {
  return {
    actor: { type: "anonymous" },
    action: "login.failure",
    target: user ? { type: "user", id: user.id } : { type: "email_digest", id: emailDigest(env, email) },
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
export async function signIn(env: Env, db: Db, input: SignInInput): Promise<SignInResult> {
  const { site, now } = input;
  const email = normaliseEmail(input.email);
  if (!email) throw invalidEmail();
  const mode = site.policy.login_mode;
  const usePassword = mode === "password" || (mode === "password_or_otp" && input.password !== undefined);
  if (mode === "password" && input.password === undefined) {
    throw new AppError("invalid_request", { fields: { password: "Required" } });
  }
  await takeLoginCaps(env, input.meta.ip, site.site_key, now);
  return usePassword ? signInWithPassword(env, db, { ...input, email, password: input.password ?? "" }) : startEmailCode(env, db, { ...input, email });
}

async function signInWithPassword(env: Env, db: Db, input: SignInInput & { password: string }): Promise<SignInResult> {
  const { site, email, now, meta } = input;
  // The user lookup is no hashing, so it runs beside the throttle check; nothing is hashed unless admitted.
  const [{ lockedNow }, user] = await Promise.all([reserveEmailAttempt(env, email, now), findUserByEmail(db, email)]);
  if (lockedNow) {
    await recordAudit(db, { actor: { type: "system" }, action: "login.lockout", target: { type: "email_digest", id: emailDigest(env, email) }, siteKey: site.site_key, outcome: "denied" }, meta);
  }
  const config = readConfig(env);
  const hashOptions = { scrypt: config.scrypt, pepper: env.PASSWORD_PEPPER };
  if (!user || user.status !== "active" || !user.passwordHash) {
    // Same work, same answer as a wrong password: nobody learns which addresses exist or their state.
    await burnPasswordTime(input.password, hashOptions);
    await recordAudit(db, failureAudit(env, email, user, site, user ? `account_${user.status}` : "unknown_email"), meta);
    throw new AppError("invalid_credentials");
  }
  if (!(await verifyPassword(input.password, user.passwordHash, hashOptions))) {
    await recordAudit(db, failureAudit(env, email, user, site, "wrong_password"), meta);
    throw new AppError("invalid_credentials");
  }
  const cleared = clearEmailFailures(env, email);
  // Legacy (bcrypt, argon2id) or outdated scrypt hashes are replaced while the password is at hand.
  const patch: Partial<NewUserRow> = needsRehash(user.passwordHash, hashOptions) ? { passwordHash: await hashPassword(input.password, hashOptions) } : {};
  const second = secondFactorFor(site.policy.twofa_mode, user, "password");
  if (!second) {
    const started = await startUserSession(env, db, {
      user,
      site,
      factors: ["password"],
      meta,
      now,
      patch,
      audit: { actor: { type: "user", id: user.id }, action: "login.success", target: { type: "user", id: user.id }, siteKey: site.site_key, details: { factors: ["password"], upgraded: patch.passwordHash !== undefined } },
    });
    await cleared;
    return { status: "authenticated", started };
  }
  await cleared;
  if (patch.passwordHash) await updateUser(db, user.id, patch);
  const challenge = await issueLoginChallenge(env, db, {
    owner: user.id,
    user,
    email,
    site,
    factor: second.factor,
    data: { stage: "second", done: ["password"], choices: second.choices },
    meta,
    now,
    defer: input.defer,
  });
  return { status: "factor_required", challenge };
}

async function startEmailCode(env: Env, db: Db, input: SignInInput): Promise<SignInResult> {
  const { site, email, now, meta } = input;
  await checkEmailThrottle(env, email, now);
  const user = await findUserByEmail(db, email);
  const canSignIn = user !== null && user.status === "active";
  // Unknown, pending and disabled addresses get the same answer with a challenge that never verifies.
  const challenge = await issueLoginChallenge(env, db, {
    owner: canSignIn ? user.id : ghostOwner(env, email),
    user: canSignIn ? user : null,
    email,
    site,
    factor: "email_otp",
    data: { stage: "primary", done: [], choices: ["email_otp"] },
    meta,
    now,
    defer: input.defer,
  });
  return { status: "factor_required", challenge };
}
