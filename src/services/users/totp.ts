import type { Ctx } from "../../context";
import { constantTimeEqual, hmacHex } from "../../crypto/hmac";
import { verifyPassword } from "../../crypto/password-hash";
import { randomBytes } from "../../crypto/random";
import { generateTotpSecret, matchTotpStep, totpUri } from "../../crypto/totp-code";
import { decryptTotpSecret, encryptTotpSecret } from "../../crypto/totp-secret";
import { AppError } from "../../lib/errors";
import type { NewUserRow, UserRow } from "../../store/users";
import { auditStatement } from "../audit/record";
import { clearUserVerify, reserveUserVerify } from "../limits/login";
import { refreshIdentity, userPrincipal } from "../sessions/sessions";
import { toIdentity } from "./identity";
import { hashOptions } from "./passwords";

// TOTP (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step) for users. The secret is sealed with AES-GCM under
// TOTP_ENCRYPTION_KEY (bound to the user id); each time step is accepted once (replay guard in the
// user's Durable Object). Recovery codes: 10, shown once, stored as HMACs, each usable once.

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function recoveryHash(ctx: Ctx, userId: string, code: string): string {
  return hmacHex(ctx.secrets.codeKey(), `recovery:${userId}:${code}`);
}

/** "ABCDE-fghjk" and "abcde fghjk" are the same code. */
function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, "");
}

function generateRecoveryCode(): string {
  const bytes = randomBytes(20);
  let out = "";
  for (const b of bytes) {
    if (b >= 248) continue; // 248 = 8 × 31: keeps every character equally likely
    out += RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length];
    if (out.length === 10) break;
  }
  return out.length === 10 ? `${out.slice(0, 5)}-${out.slice(5)}` : generateRecoveryCode();
}

async function readSecret(ctx: Ctx, user: UserRow): Promise<string | null> {
  if (!user.totpSecretEnc) return null;
  // A ciphertext that does not open (moved from another row, other key) simply never verifies.
  return decryptTotpSecret(ctx.secrets.totpKey, user.totpSecretEnc, user.id).catch(() => null);
}

/** Checks a 6-digit TOTP code against the secret and burns its time step; false for wrong or replayed codes. */
async function acceptTotpCode(ctx: Ctx, user: UserRow, code: string): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const secret = await readSecret(ctx, user);
  if (!secret) return false;
  const step = matchTotpStep(secret, code, ctx.now);
  return step !== null && ctx.store.totp.acceptStep(userPrincipal(user.id), step);
}

/** Uses up one recovery code; false when it is not one of the user's or was used before. */
async function acceptRecoveryCode(ctx: Ctx, user: UserRow, code: string): Promise<boolean> {
  const normalised = normaliseRecoveryCode(code);
  if (!/^[a-z0-9]{10}$/.test(normalised) || !user.recoveryCodes) return false;
  const hash = recoveryHash(ctx, user.id, normalised);
  let stored: string[];
  try {
    stored = JSON.parse(user.recoveryCodes) as string[];
  } catch {
    return false;
  }
  if (!stored.some((h) => constantTimeEqual(h, hash))) return false;
  return ctx.store.totp.consumeRecoveryCode(userPrincipal(user.id), hash, ctx.now);
}

/** A TOTP code or a recovery code for an enrolled user: which one it was, or null. */
export async function acceptSecondFactorCode(ctx: Ctx, user: UserRow, code: string): Promise<"totp" | "recovery_code" | null> {
  if (user.totpEnabledAt == null) return null;
  if (await acceptTotpCode(ctx, user, code.trim())) return "totp";
  if (await acceptRecoveryCode(ctx, user, code)) return "recovery_code";
  return null;
}

async function saveTotpChange(ctx: Ctx, user: UserRow, patch: Partial<NewUserRow>, action: string, siteKey: string): Promise<UserRow> {
  const updated = { ...user, ...patch } as UserRow;
  await ctx.store.batch([
    ctx.store.users.update(user.id, patch),
    auditStatement(ctx, { actor: { type: "user", id: user.id }, action, target: { type: "user", id: user.id }, siteKey }),
  ]);
  await refreshIdentity(ctx, userPrincipal(user.id), toIdentity(updated, ctx.config.publicBaseUrl));
  return updated;
}

/** The signed-in user's row (the session's snapshot holds no secrets, so the TOTP routes read D1). */
async function loadActiveUser(ctx: Ctx, userId: string): Promise<UserRow> {
  const user = await ctx.store.users.findById(userId);
  if (!user || user.status !== "active") throw new AppError("unauthenticated");
  return user;
}

/** Starts enrolment: a new secret, sealed at rest, not active until confirmed with a code. */
export async function enrolTotp(ctx: Ctx, userId: string, siteKey: string) {
  const user = await loadActiveUser(ctx, userId);
  if (user.totpEnabledAt != null) throw new AppError("conflict", { message: "Two-step verification is already on. Turn it off first." });
  const secret = generateTotpSecret();
  const sealed = await encryptTotpSecret(ctx.secrets.totpKey, secret, user.id);
  await ctx.store.totp.reset(userPrincipal(user.id));
  await saveTotpChange(ctx, user, { totpSecretEnc: sealed, recoveryCodes: null, updatedAt: ctx.now }, "totp.enrol_started", siteKey);
  const otpauthUrl = totpUri(secret, user.email, ctx.config.mailFromName);
  return { otpauth_url: otpauthUrl, secret };
}

/** Confirms enrolment with a valid code; returns the 10 recovery codes (only their HMACs are kept). */
export async function confirmTotp(ctx: Ctx, userId: string, code: string, siteKey: string): Promise<string[]> {
  const user = await loadActiveUser(ctx, userId);
  if (user.totpEnabledAt != null) throw new AppError("conflict", { message: "Two-step verification is already on." });
  if (!user.totpSecretEnc) throw new AppError("conflict", { message: "Start enrolment first." });
  await reserveUserVerify(ctx, user.id);
  if (!(await acceptTotpCode(ctx, user, code.trim()))) throw new AppError("invalid_code");
  await clearUserVerify(ctx, user.id);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const hashes = codes.map((c) => recoveryHash(ctx, user.id, normaliseRecoveryCode(c)));
  await saveTotpChange(ctx, user, { totpEnabledAt: ctx.now, recoveryCodes: JSON.stringify(hashes), updatedAt: ctx.now }, "totp.enabled", siteKey);
  return codes;
}

/** Turns TOTP off after a valid TOTP/recovery code or the account password. */
export async function disableTotp(ctx: Ctx, userId: string, proof: { code?: string | undefined; password?: string | undefined }, siteKey: string): Promise<void> {
  const user = await loadActiveUser(ctx, userId);
  if (user.totpEnabledAt == null && !user.totpSecretEnc) throw new AppError("conflict", { message: "Two-step verification is not on." });
  await reserveUserVerify(ctx, user.id);
  if (proof.code !== undefined) {
    const ok = user.totpEnabledAt == null ? await acceptTotpCode(ctx, user, proof.code.trim()) : (await acceptSecondFactorCode(ctx, user, proof.code)) !== null;
    if (!ok) throw new AppError("invalid_code");
  } else {
    const ok = user.passwordHash ? await verifyPassword(proof.password ?? "", user.passwordHash, hashOptions(ctx)) : false;
    if (!ok) throw new AppError("invalid_credentials", { message: "The password is incorrect." });
  }
  await clearUserVerify(ctx, user.id);
  await saveTotpChange(ctx, user, { totpSecretEnc: null, totpEnabledAt: null, recoveryCodes: null, updatedAt: ctx.now }, "totp.disabled", siteKey);
  await ctx.store.totp.reset(userPrincipal(user.id));
}
