import type { Config, Env } from "../env";
import { hashPassword } from "../crypto/password-hash";
import { checkPasswordRules } from "../crypto/password-policy";
import { AppError } from "../lib/errors";
import { maskEmail, normaliseEmail } from "../lib/email";
import type { RequestMeta, ResolvedSite } from "../lib/types";
import { type ChallengeRecord, deleteChallenge, deleteChallengeRef, getChallenge, getChallengeRef, putChallengeRef } from "../store/challenges";
import { type ChallengePurpose, type IssuedChallenge, findChallenge, issueChallenge, verifyChallenge } from "./challenges";
import { createDb } from "../store/db";
import { recordAudit } from "./audit";
import { VERIFY_PER_IP, takeFlowLimit } from "./flow-limits";
import { ipLimiterKey } from "./rate-limits";
import { emailDigest } from "./secrets";

// Challenges that travel by email (password reset, onboarding): a link carrying the challenge token
// and/or a 6-digit code the user types with their email address. The token is found by its SHA-256
// (KV `challenge:<sha256>`); the email + code form through the pointer `challenge-ref:<purpose>:<hmac(email)>`.
// Attempts and single use are decided by the owner's Durable Object (services/challenges.ts).

export interface EmailedChallengeInput {
  purpose: Extract<ChallengePurpose, "reset" | "onboarding">;
  owner: string;
  userId: string | null;
  siteKey: string;
  email: string;
  /** The token goes out in a link and proves possession on its own. */
  link: boolean;
  /** A code goes out too (typed with the email address). */
  withCode: boolean;
  /** Lifetime of the challenge (and of the link). */
  ttlSeconds: number;
  /** A shorter lifetime for the code when a link lives longer (reset_mode both). */
  codeTtlSeconds?: number;
  enforceCooldown: boolean;
  now: number;
}

/** Issues the challenge (killing the previous one of this purpose for the owner) and, with a code, the email pointer. */
export async function issueEmailedChallenge(env: Env, input: EmailedChallengeInput): Promise<IssuedChallenge> {
  const data: Record<string, unknown> = { link: input.link };
  if (input.withCode && input.codeTtlSeconds !== undefined && input.codeTtlSeconds < input.ttlSeconds) {
    data.code_expires_at = input.now + input.codeTtlSeconds * 1000;
  }
  const issued = await issueChallenge(env, {
    purpose: input.purpose,
    owner: input.owner,
    userId: input.userId,
    siteKey: input.siteKey,
    email: input.email,
    ttlSeconds: input.ttlSeconds,
    withCode: input.withCode,
    enforceCooldown: input.enforceCooldown,
    data,
    now: input.now,
  });
  if (input.withCode) {
    await putChallengeRef(env, input.purpose, emailDigest(env, input.email), issued.record.id, input.ttlSeconds);
  }
  return issued;
}

/** What a check/complete request presents: the link's token, or the email address and the code. */
export interface ChallengeProof {
  token?: string | undefined;
  email?: string | undefined;
  code?: string | undefined;
}

export interface ResolvedProof {
  record: ChallengeRecord;
  /** The code to verify, or null when the link's token is the proof. */
  code: string | null;
  /** When this proof stops working (ms). */
  expiresAt: number;
}

/** Users type codes with spaces or dashes ("123 456"); only the digits count. */
export function cleanCode(code: string): string {
  return code.replace(/[\s-]/g, "");
}

/**
 * Finds the live challenge a proof refers to, without counting an attempt. Anything unknown, expired,
 * of another purpose, or (with `siteKey`) issued for another site answers 410 challenge_expired.
 */
export async function resolveProof(
  env: Env,
  purpose: EmailedChallengeInput["purpose"],
  proof: ChallengeProof,
  options: { siteKey: string | null; now: number },
): Promise<ResolvedProof> {
  const { now } = options;
  let record: ChallengeRecord | null;
  let code: string | null = null;
  if (proof.token) {
    record = await findChallenge(env, proof.token, purpose, now);
    // A token is a proof only where it was mailed as a link; other tokens never left the server.
    if (record && record.data.link !== true) record = null;
  } else {
    if (!proof.email && !proof.code) throw new AppError("invalid_request", { fields: { token: "Send token, or email and code" } });
    const email = normaliseEmail(proof.email);
    if (!email) throw new AppError("invalid_request", { fields: { email: proof.email ? "Not a valid email address" : "Required" } });
    if (!proof.code) throw new AppError("invalid_request", { fields: { code: "Required" } });
    code = cleanCode(proof.code);
    const id = await getChallengeRef(env, purpose, emailDigest(env, email));
    record = id ? await getChallenge(env, id) : null;
    if (record && (record.purpose !== purpose || record.email !== email || record.code_hmac === null)) record = null;
  }
  if (!record || record.expires_at <= now) throw new AppError("challenge_expired");
  if (options.siteKey !== null && record.site_key !== options.siteKey) throw new AppError("challenge_expired");
  const codeExpiresAt = typeof record.data.code_expires_at === "number" ? record.data.code_expires_at : record.expires_at;
  const expiresAt = code === null ? record.expires_at : codeExpiresAt;
  if (expiresAt <= now) throw new AppError("challenge_expired");
  return { record, code, expiresAt };
}

/**
 * Verifies a resolved proof in the owner's object (attempt limits, single use). For a link the record
 * was found by SHA-256 of the presented token, so holding the token is the proof: it is checked as a
 * code-less challenge. Challenges of unknown or inactive accounts never verify (see verifyChallenge).
 */
export async function verifyProof(env: Env, proof: ResolvedProof, options: { consume: boolean; now: number }): Promise<void> {
  if (proof.code === null) await verifyChallenge(env, { ...proof.record, code_hmac: null }, null, options);
  else await verifyChallenge(env, proof.record, proof.code, options);
}

/** Removes a used challenge's KV record and email pointer (the owner's object already marked it consumed). */
export async function retireChallenge(env: Env, record: ChallengeRecord): Promise<void> {
  await deleteChallenge(env, record.id);
  await deleteChallengeRef(env, record.purpose, emailDigest(env, record.email), record.id);
}

/**
 * The base URL an emailed link may use (a site setting or the config default, validated): https only
 * (http too in development), no credentials. Links are never built from the request's Host or
 * X-Forwarded-* headers. Null when there is nothing usable.
 */
export function usableLinkBase(base: string | null | undefined, config: Config): string | null {
  if (!base) return null;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && !(config.isDevelopment && url.protocol === "http:")) return null;
  if (url.username || url.password) return null;
  return url.toString();
}

/** `base` (from usableLinkBase) with `?token=…` (kept alongside any query the app's URL already has). */
export function buildEmailLink(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set("token", token);
  return url.toString();
}

/** A greeting name for mail templates: display name, else name, else nothing. */
export function mailName(user: { displayName: string | null; name: string }): string | undefined {
  const name = (user.displayName || user.name || "").trim();
  return name ? name.slice(0, 200) : undefined;
}

/** What the reset and onboarding services need from a request. */
export interface FlowContext {
  env: Env;
  config: Config;
  site: ResolvedSite;
  meta: RequestMeta;
  now: number;
  /** Runs work after the answer (mail), so its duration cannot tell whether an account exists. */
  defer: (work: Promise<unknown>) => void;
}

/**
 * Verifies a proof and writes a failure audit row when the owner's object refuses it (wrong code,
 * used up, locked), then rethrows. The row targets the account only when there is one.
 */
export async function verifyProofAudited(ctx: FlowContext, proof: ResolvedProof, action: string, consume: boolean): Promise<void> {
  try {
    await verifyProof(ctx.env, proof, { consume, now: ctx.now });
  } catch (err) {
    if (err instanceof AppError) {
      await recordAudit(
        createDb(ctx.env.DB),
        {
          actor: { type: "anonymous" },
          action,
          target: proof.record.user_id ? { type: "user", id: proof.record.user_id } : undefined,
          siteKey: ctx.site.site_key,
          outcome: "failure",
          details: { reason: err.code, via: proofVia(proof), email: maskEmail(proof.record.email) },
        },
        ctx.meta,
      );
    }
    throw err;
  }
}

/** How the user proved the challenge, for audit rows. */
export function proofVia(proof: ResolvedProof): "link" | "email_code" {
  return proof.code === null ? "link" : "email_code";
}

/**
 * The check step of an emailed flow: finds and verifies a proof without using it up (wrong codes
 * count). `siteKey`: the site the challenge must have been issued for (null: any).
 */
export async function checkEmailedProof(
  ctx: FlowContext,
  purpose: EmailedChallengeInput["purpose"],
  proof: ChallengeProof,
  siteKey: string | null,
  action: string,
): Promise<{ email: string; expires_at: string }> {
  await takeFlowLimit(ctx.env, ipLimiterKey(ctx.meta.ip), VERIFY_PER_IP);
  const resolved = await resolveProof(ctx.env, purpose, proof, { siteKey, now: ctx.now });
  await verifyProofAudited(ctx, resolved, action, false);
  return { email: maskEmail(resolved.record.email), expires_at: new Date(resolved.expiresAt).toISOString() };
}

/**
 * The first half of a complete step that sets a password: finds the proof, applies the password
 * rules, verifies and consumes the proof (of two parallel completes one wins), then hashes the
 * password. The caller writes it conditionally and settles with settleProofWrite.
 */
export async function consumeProofForPassword(
  ctx: FlowContext,
  purpose: EmailedChallengeInput["purpose"],
  proof: ChallengeProof,
  password: string,
  options: { siteKey: string | null; field: string; action: string },
): Promise<{ resolved: ResolvedProof; userId: string; passwordHash: string }> {
  await takeFlowLimit(ctx.env, ipLimiterKey(ctx.meta.ip), VERIFY_PER_IP);
  const resolved = await resolveProof(ctx.env, purpose, proof, { siteKey: options.siteKey, now: ctx.now });
  // Rules before consuming: a rejected password must not burn the user's link or code.
  assertNewPassword(password, ctx.site.policy.password_min_length, options.field);
  await verifyProofAudited(ctx, resolved, options.action, true);
  const passwordHash = await hashPassword(password, { scrypt: ctx.config.scrypt, pepper: ctx.env.PASSWORD_PEPPER });
  return { resolved, userId: resolved.record.user_id!, passwordHash };
}

/**
 * After the conditional write of a complete step: when it changed no row (the account was changed,
 * disabled or deleted since the mail went out) the challenge is retired and the answer is 410.
 */
export async function settleProofWrite(env: Env, resolved: ResolvedProof, changes: number | undefined): Promise<void> {
  if ((changes ?? 0) > 0) return;
  await retireChallenge(env, resolved.record);
  throw new AppError("challenge_expired");
}

/** Applies the password rules with the site's minimum length; 400 with the problem's code otherwise. */
export function assertNewPassword(password: string, minLength: number, field: string): void {
  const problem = checkPasswordRules(password, minLength);
  if (!problem) return;
  const message =
    problem === "password_too_short" ? `At least ${Math.max(8, minLength)} characters` : problem === "password_too_long" ? "At most 256 characters" : "Too common; choose another";
  throw new AppError(problem, { fields: { [field]: message } });
}
