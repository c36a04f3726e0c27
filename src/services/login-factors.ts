import type { Env } from "../env";
import { AppError } from "../lib/errors";
import type { RequestMeta, ResolvedSite } from "../lib/types";
import type { ChallengeRecord } from "../store/challenges";
import type { Db } from "../store/db";
import { findUserById } from "../store/users";
import { recordAudit } from "./audit";
import { expiredChallenge, findChallenge, settleChallengeAttempt, verifyChallenge } from "./challenges";
import { type ChallengeView, type Defer, type LoginFactor, challengeData, issueLoginChallenge, secondFactorFor } from "./login-challenge";
import type { SignInResult } from "./login";
import { emailDigest } from "./secrets";
import { startUserSession } from "./session-start";
import { acceptSecondFactorCode } from "./totp";
import { userStateStub } from "./user-state";

export interface FactorContext {
  record: ChallengeRecord;
  site: ResolvedSite;
  meta: RequestMeta;
  now: number;
  defer: Defer;
}

/**
 * The live login challenge behind a token. A token from another flow (reset, onboarding), an
 * expired, used or superseded challenge, or one for another site than the request names → 410.
 */
export async function openLoginChallenge(env: Env, token: string, siteKey: string | null, now: number): Promise<ChallengeRecord> {
  const record = await findChallenge(env, token, "login", now);
  if (!record || (siteKey !== null && siteKey !== record.site_key)) throw expiredChallenge();
  if (!(await userStateStub(env, record.owner).isChallengeOpen(record.id, now))) throw expiredChallenge();
  return record;
}

/** auth_factor_challenge: a new challenge (new token, new code; the old one dies), optionally for another allowed factor. */
export async function resendLoginFactor(env: Env, db: Db, ctx: FactorContext, factor: LoginFactor | undefined): Promise<ChallengeView> {
  const { record } = ctx;
  const data = challengeData(record);
  const next = factor ?? (record.factor as LoginFactor);
  if (!data.choices.includes(next)) {
    throw new AppError("factor_not_allowed", { fields: { factor: `Allowed: ${data.choices.join(", ")}` } });
  }
  const user = record.user_id ? await findUserById(db, record.user_id) : null;
  const active = user && user.status === "active" ? user : null;
  return issueLoginChallenge(env, db, { owner: record.owner, user: active, email: record.email, site: ctx.site, factor: next, data, meta: ctx.meta, now: ctx.now, defer: ctx.defer });
}

/**
 * auth_factor_verify: checks the code under the challenge's rules (≤ 5 tries, ≤ 10 failures per
 * account per hour, single use). Email challenges take the mailed code; TOTP challenges take a TOTP
 * code or a one-time recovery code. Success ends in a session, or in the next factor the policy asks for.
 */
export async function verifyLoginFactor(env: Env, db: Db, ctx: FactorContext, code: string): Promise<SignInResult> {
  const { record, site, meta, now } = ctx;
  const data = challengeData(record);
  const user = record.user_id ? await findUserById(db, record.user_id) : null;
  let proven: string = record.factor ?? "email_otp";
  const audit = (action: string, outcome: "success" | "failure", details: Record<string, unknown>) =>
    recordAudit(
      db,
      {
        actor: user ? { type: "user", id: user.id } : { type: "anonymous" },
        action,
        target: user ? { type: "user", id: user.id } : { type: "email_digest", id: emailDigest(env, record.email) },
        siteKey: site.site_key,
        outcome,
        details: { factor: record.factor, ...details },
      },
      meta,
    );
  try {
    if (record.factor === "totp") {
      const used = user ? await acceptSecondFactorCode(env, user, code, now) : null;
      if (used) proven = used;
      await settleChallengeAttempt(env, record, used !== null, { consume: true, now });
    } else {
      await verifyChallenge(env, record, code, { consume: true, now });
    }
  } catch (err) {
    if (err instanceof AppError) await audit("factor.failed", "failure", { reason: err.code });
    throw err;
  }
  // The account may have been disabled since the challenge was issued.
  if (!user || user.status !== "active") {
    await audit("factor.failed", "failure", { reason: "account_inactive" });
    throw new AppError("invalid_credentials");
  }
  await audit("factor.verified", "success", { method: proven });
  const factors = [...data.done, proven];
  if (data.stage === "primary") {
    const second = secondFactorFor(site.policy.twofa_mode, user, "email_otp");
    if (second) {
      const challenge = await issueLoginChallenge(env, db, {
        owner: user.id,
        user,
        email: record.email,
        site,
        factor: second.factor,
        data: { stage: "second", done: factors, choices: second.choices },
        meta,
        now,
        defer: ctx.defer,
      });
      return { status: "factor_required", challenge };
    }
  }
  const started = await startUserSession(env, db, {
    user,
    site,
    factors,
    meta,
    now,
    audit: { actor: { type: "user", id: user.id }, action: "login.success", target: { type: "user", id: user.id }, siteKey: site.site_key, details: { factors } },
  });
  return { status: "authenticated", started };
}
