import type { Ctx } from "../../context";
import { hashPassword } from "../../crypto/password-hash";
import { maskEmail, normaliseEmail } from "../../lib/email";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import { recordAudit } from "../audit/record";
import { VERIFY_PER_IP, clientAddress, takeFlowLimit } from "../limits/flows";
import { assertNewPassword, hashOptions } from "../users/passwords";
import { type ChallengePurpose, type ChallengeRecord, type IssuedChallenge, findChallenge, issueChallenge, verifyChallenge } from "./challenges";

// Challenges that travel by email (password reset, onboarding): a link carrying the challenge token
// and/or a 6-digit code the user types with their email address. The token finds the record by its
// SHA-256; the email + code form goes through the email pointer (store/challenges.ts). Attempts and
// single use are decided in the owner's accounting (challenges.ts).

export type EmailedPurpose = Extract<ChallengePurpose, "reset" | "onboarding">;

export interface EmailedChallengeInput {
  purpose: EmailedPurpose;
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
}

/** Issues the challenge (killing the previous one of this purpose for the owner) and, with a code, the email pointer. */
export async function issueEmailedChallenge(ctx: Ctx, input: EmailedChallengeInput): Promise<IssuedChallenge> {
  const data: Record<string, unknown> = { link: input.link };
  if (input.withCode && input.codeTtlSeconds !== undefined && input.codeTtlSeconds < input.ttlSeconds) {
    data.code_expires_at = ctx.now + input.codeTtlSeconds * 1000;
  }
  const issued = await issueChallenge(ctx, {
    purpose: input.purpose,
    owner: input.owner,
    userId: input.userId,
    siteKey: input.siteKey,
    email: input.email,
    ttlSeconds: input.ttlSeconds,
    withCode: input.withCode,
    enforceCooldown: input.enforceCooldown,
    data,
  });
  if (input.withCode) await ctx.store.challenges.putRef(input.purpose, input.email, issued.record.id, input.ttlSeconds);
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
export async function resolveProof(ctx: Ctx, purpose: EmailedPurpose, proof: ChallengeProof, siteKey: string | null): Promise<ResolvedProof> {
  const { now } = ctx;
  let record: ChallengeRecord | null;
  let code: string | null = null;
  if (proof.token) {
    record = await findChallenge(ctx, proof.token, purpose);
    // A token is a proof only where it was mailed as a link; other tokens never left the server.
    if (record && record.data.link !== true) record = null;
  } else {
    if (!proof.email && !proof.code) throw new AppError("invalid_request", { fields: { token: "Send token, or email and code" } });
    const email = normaliseEmail(proof.email);
    if (!email) throw new AppError("invalid_request", { fields: { email: proof.email ? "Not a valid email address" : "Required" } });
    if (!proof.code) throw new AppError("invalid_request", { fields: { code: "Required" } });
    code = cleanCode(proof.code);
    const id = await ctx.store.challenges.getRef(purpose, email);
    record = id ? await ctx.store.challenges.getRecord(id) : null;
    if (record && (record.purpose !== purpose || record.email !== email || record.code_hmac === null)) record = null;
  }
  if (!record || record.expires_at <= now) throw new AppError("challenge_expired");
  if (siteKey !== null && record.site_key !== siteKey) throw new AppError("challenge_expired");
  const codeExpiresAt = typeof record.data.code_expires_at === "number" ? record.data.code_expires_at : record.expires_at;
  const expiresAt = code === null ? record.expires_at : codeExpiresAt;
  if (expiresAt <= now) throw new AppError("challenge_expired");
  return { record, code, expiresAt };
}

/**
 * Verifies a resolved proof in the owner's accounting (attempt limits, single use). For a link the
 * record was found by SHA-256 of the presented token, so holding the token is the proof: it is
 * checked as a code-less challenge. Challenges of unknown or inactive accounts never verify.
 */
export async function verifyProof(ctx: Ctx, proof: ResolvedProof, consume: boolean): Promise<void> {
  if (proof.code === null) await verifyChallenge(ctx, { ...proof.record, code_hmac: null }, null, { consume });
  else await verifyChallenge(ctx, proof.record, proof.code, { consume });
}

/** Removes a used challenge's KV record and email pointer (its accounting already marked it consumed). */
export async function retireChallenge(ctx: Ctx, record: ChallengeRecord): Promise<void> {
  await ctx.store.challenges.deleteRecord(record.id);
  await ctx.store.challenges.deleteRef(record.purpose, record.email, record.id);
}

/** How the user proved the challenge, for audit rows. */
export function proofVia(proof: ResolvedProof): "link" | "email_code" {
  return proof.code === null ? "link" : "email_code";
}

/**
 * Verifies a proof and writes a failure audit row when its accounting refuses it (wrong code, used
 * up, locked), then rethrows. The row targets the account only when there is one.
 */
export async function verifyProofAudited(ctx: Ctx, site: ResolvedSite, proof: ResolvedProof, action: string, consume: boolean): Promise<void> {
  try {
    await verifyProof(ctx, proof, consume);
  } catch (err) {
    if (err instanceof AppError) {
      await recordAudit(ctx, {
        actor: { type: "anonymous" },
        action,
        target: proof.record.user_id ? { type: "user", id: proof.record.user_id } : undefined,
        siteKey: site.site_key,
        outcome: "failure",
        details: { reason: err.code, via: proofVia(proof), email: maskEmail(proof.record.email) },
      });
    }
    throw err;
  }
}

/**
 * The check step of an emailed flow: finds and verifies a proof without using it up (wrong codes
 * count). `siteKey`: the site the challenge must have been issued for (null: any).
 */
export async function checkEmailedProof(
  ctx: Ctx,
  site: ResolvedSite,
  purpose: EmailedPurpose,
  proof: ChallengeProof,
  siteKey: string | null,
  action: string,
): Promise<{ email: string; expires_at: string }> {
  await takeFlowLimit(ctx, clientAddress(ctx), VERIFY_PER_IP);
  const resolved = await resolveProof(ctx, purpose, proof, siteKey);
  await verifyProofAudited(ctx, site, resolved, action, false);
  return { email: maskEmail(resolved.record.email), expires_at: new Date(resolved.expiresAt).toISOString() };
}

/**
 * The first half of a complete step that sets a password: finds the proof, applies the password
 * rules, verifies and consumes the proof (of two parallel completes one wins), then hashes the
 * password. The caller writes it conditionally and settles with settleProofWrite.
 */
export async function consumeProofForPassword(
  ctx: Ctx,
  site: ResolvedSite,
  purpose: EmailedPurpose,
  proof: ChallengeProof,
  password: string,
  options: { siteKey: string | null; field: string; action: string },
): Promise<{ resolved: ResolvedProof; userId: string; passwordHash: string }> {
  await takeFlowLimit(ctx, clientAddress(ctx), VERIFY_PER_IP);
  const resolved = await resolveProof(ctx, purpose, proof, options.siteKey);
  // Rules before consuming: a rejected password must not burn the user's link or code.
  assertNewPassword(password, site.policy.password_min_length, options.field);
  await verifyProofAudited(ctx, site, resolved, options.action, true);
  const passwordHash = await hashPassword(password, hashOptions(ctx));
  return { resolved, userId: resolved.record.user_id!, passwordHash };
}

/**
 * After the conditional write of a complete step: when it changed no row (the account was changed,
 * disabled or deleted since the mail went out) the challenge is retired and the answer is 410.
 */
export async function settleProofWrite(ctx: Ctx, resolved: ResolvedProof, changes: number | undefined): Promise<void> {
  if ((changes ?? 0) > 0) return;
  await retireChallenge(ctx, resolved.record);
  throw new AppError("challenge_expired");
}
