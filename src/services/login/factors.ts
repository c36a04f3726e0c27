import type { Ctx } from "../../context";
import { emailDigest } from "../../crypto/email-digest";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import { recordAudit } from "../audit/record";
import { type ChallengeRecord, expiredChallenge, findChallenge, isChallengeOpen, settleChallengeAttempt, verifyChallenge } from "../challenges/challenges";
import { startUserSession } from "../sessions/start";
import { acceptSecondFactorCode } from "../users/totp";
import { type ChallengeView, type LoginFactor, challengeData, issueLoginChallenge, secondFactorFor } from "./challenge";
import { passkeyChoiceFor, verifyPasskeyFactor } from "./passkey-factor";
import type { SignInResult } from "./sign-in";

export interface FactorInput {
  record: ChallengeRecord;
  site: ResolvedSite;
}

/**
 * The live login challenge behind a token. A token from another flow (reset, onboarding), an
 * expired, used or superseded challenge, or one for another site than the request names → 410.
 */
export async function openLoginChallenge(ctx: Ctx, token: string, siteKey: string | null): Promise<ChallengeRecord> {
  const record = await findChallenge(ctx, token, "login");
  if (!record || (siteKey !== null && siteKey !== record.site_key)) throw expiredChallenge();
  if (!(await isChallengeOpen(ctx, record))) throw expiredChallenge();
  return record;
}

/** auth_factor_challenge: a new challenge (new token, new code; the old one dies), optionally for another allowed factor. */
export async function resendLoginFactor(ctx: Ctx, input: FactorInput, factor: LoginFactor | undefined): Promise<ChallengeView> {
  const { record } = input;
  const data = challengeData(record);
  const next = factor ?? (record.factor as LoginFactor);
  if (!data.choices.includes(next)) {
    throw new AppError("factor_not_allowed", { fields: { factor: `Allowed: ${data.choices.join(", ")}` } });
  }
  const user = record.user_id ? await ctx.store.users.findById(record.user_id) : null;
  const active = user && user.status === "active" ? user : null;
  return issueLoginChallenge(ctx, { owner: record.owner, user: active, email: record.email, site: input.site, factor: next, data });
}

/** What answers a login challenge: a code (emailed, TOTP or recovery code) or a passkey assertion. */
export type FactorProof = { kind: "code"; code: string } | { kind: "passkey"; passkey: unknown };

/**
 * auth_factor_verify: checks the proof under the challenge's rules (≤ 5 tries, ≤ 10 failures per
 * account per hour, single use). Email challenges take the mailed code; TOTP challenges take a TOTP
 * code or a one-time recovery code; a challenge offering "passkey" also takes a passkey assertion.
 * Success ends in a session, or in the next factor the policy asks for.
 */
export async function verifyLoginFactor(ctx: Ctx, input: FactorInput, proof: FactorProof): Promise<SignInResult> {
  const { record, site } = input;
  const data = challengeData(record);
  const user = record.user_id ? await ctx.store.users.findById(record.user_id) : null;
  let proven: string[] = [record.factor ?? "email_otp"];
  const audit = (action: string, outcome: "success" | "failure", details: Record<string, unknown>) =>
    recordAudit(ctx, {
      actor: user ? { type: "user", id: user.id } : { type: "anonymous" },
      action,
      target: user ? { type: "user", id: user.id } : { type: "email_digest", id: emailDigest(ctx.secrets.codeKey(), record.email) },
      siteKey: site.site_key,
      outcome,
      details: { factor: proof.kind === "passkey" ? "passkey" : record.factor, ...details },
    });
  try {
    if (proof.kind === "passkey") {
      proven = await verifyPasskeyFactor(ctx, { record, data, site, user, response: proof.passkey });
    } else if (record.factor === "passkey") {
      // A passkey challenge has no code; its other choices need auth_factor_challenge first.
      throw new AppError("factor_not_allowed", { message: "This challenge takes a passkey: send `passkey`, or switch factors with auth_factor_challenge.", fields: { code: "Send passkey" } });
    } else if (record.factor === "totp") {
      const used = user ? await acceptSecondFactorCode(ctx, user, proof.code) : null;
      if (used) proven = [used];
      await settleChallengeAttempt(ctx, record, used !== null, { consume: true });
    } else {
      await verifyChallenge(ctx, record, proof.code, { consume: true });
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
  await audit("factor.verified", "success", { method: proven[0] });
  const factors = [...data.done, ...proven];
  if (data.stage === "primary") {
    const second = secondFactorFor(site.policy.twofa_mode, user, "email_otp", await passkeyChoiceFor(ctx, site, user));
    if (second) {
      const challenge = await issueLoginChallenge(ctx, {
        owner: user.id,
        user,
        email: record.email,
        site,
        factor: second.factor,
        data: { stage: "second", done: factors, choices: second.choices },
      });
      return { status: "factor_required", challenge };
    }
  }
  const started = await startUserSession(ctx, {
    user,
    site,
    factors,
    audit: { actor: { type: "user", id: user.id }, action: "login.success", target: { type: "user", id: user.id }, siteKey: site.site_key, details: { factors } },
  });
  return { status: "authenticated", started };
}
