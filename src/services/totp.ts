import { type Env, readConfig } from "../env";
import { constantTimeEqual, hmacHex } from "../crypto/hmac";
import { verifyPassword } from "../crypto/password-hash";
import { randomBytes } from "../crypto/random";
import { generateTotpSecret, matchTotpStep, totpUri } from "../crypto/totp-code";
import { decryptTotpSecret, encryptTotpSecret } from "../crypto/totp-secret";
import { AppError } from "../lib/errors";
import type { RequestMeta } from "../lib/types";
import type { Db } from "../store/db";
import { type NewUserRow, type UserRow, updateUser } from "../store/users";
import { auditStatement } from "./audit";
import { toIdentity } from "./identity";
import { clearUserVerify, reserveUserVerify } from "./login-limits";
import { codeKey } from "./secrets";
import { refreshIdentity } from "./sessions";
import { userStateStub } from "./user-state";

// TOTP (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step) for users. The secret is sealed with AES-GCM under
// TOTP_ENCRYPTION_KEY (bound to the user id); each time step is accepted once (replay guard in the
// user's Durable Object). Recovery codes: 10, shown once, stored as HMACs, each usable once.

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function recoveryHash(env: Env, userId: string, code: string): string {
  return hmacHex(codeKey(env), `recovery:${userId}:${code}`);
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

async function readSecret(env: Env, user: UserRow): Promise<string | null> {
  if (!user.totpSecretEnc) return null;
  // A ciphertext that does not open (moved from another row, other key) simply never verifies.
  return decryptTotpSecret(env.TOTP_ENCRYPTION_KEY, user.totpSecretEnc, user.id).catch(() => null);
}

/** Checks a 6-digit TOTP code against the secret and burns its time step; false for wrong or replayed codes. */
async function acceptTotpCode(env: Env, user: UserRow, code: string, now: number): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const secret = await readSecret(env, user);
  if (!secret) return false;
  const step = matchTotpStep(secret, code, now);
  return step !== null && userStateStub(env, user.id).acceptTotpStep(step);
}

/** Uses up one recovery code; false when it is not one of the user's or was used before. */
async function acceptRecoveryCode(env: Env, user: UserRow, code: string, now: number): Promise<boolean> {
  const normalised = normaliseRecoveryCode(code);
  if (!/^[a-z0-9]{10}$/.test(normalised) || !user.recoveryCodes) return false;
  const hash = recoveryHash(env, user.id, normalised);
  let stored: string[];
  try {
    stored = JSON.parse(user.recoveryCodes) as string[];
  } catch {
    return false;
  }
  if (!stored.some((h) => constantTimeEqual(h, hash))) return false;
  return userStateStub(env, user.id).consumeRecoveryCode(hash, now);
}

/** A TOTP code or a recovery code for an enrolled user: which one it was, or null. */
export async function acceptSecondFactorCode(env: Env, user: UserRow, code: string, now: number): Promise<"totp" | "recovery_code" | null> {
  if (user.totpEnabledAt == null) return null;
  if (await acceptTotpCode(env, user, code.trim(), now)) return "totp";
  if (await acceptRecoveryCode(env, user, code, now)) return "recovery_code";
  return null;
}

async function saveTotpChange(env: Env, db: Db, user: UserRow, patch: Partial<NewUserRow>, action: string, meta: RequestMeta, siteKey: string): Promise<UserRow> {
  const updated = { ...user, ...patch } as UserRow;
  await db.batch([
    updateUser(db, user.id, patch),
    auditStatement(db, { actor: { type: "user", id: user.id }, action, target: { type: "user", id: user.id }, siteKey }, meta),
  ]);
  await refreshIdentity(env, "user", user.id, toIdentity(updated, readConfig(env).publicBaseUrl));
  return updated;
}

/** Starts enrolment: a new secret, sealed at rest, not active until confirmed with a code. */
export async function enrolTotp(env: Env, db: Db, user: UserRow, meta: RequestMeta, siteKey: string, now: number) {
  if (user.totpEnabledAt != null) throw new AppError("conflict", { message: "Two-step verification is already on. Turn it off first." });
  const secret = generateTotpSecret();
  const sealed = await encryptTotpSecret(env.TOTP_ENCRYPTION_KEY, secret, user.id);
  await userStateStub(env, user.id).resetTotpState();
  await saveTotpChange(env, db, user, { totpSecretEnc: sealed, recoveryCodes: null, updatedAt: now }, "totp.enrol_started", meta, siteKey);
  const otpauthUrl = totpUri(secret, user.email, readConfig(env).mailFromName);
  return { otpauth_url: otpauthUrl, secret };
}

/** Confirms enrolment with a valid code; returns the 10 recovery codes (only their HMACs are kept). */
export async function confirmTotp(env: Env, db: Db, user: UserRow, code: string, meta: RequestMeta, siteKey: string, now: number): Promise<string[]> {
  if (user.totpEnabledAt != null) throw new AppError("conflict", { message: "Two-step verification is already on." });
  if (!user.totpSecretEnc) throw new AppError("conflict", { message: "Start enrolment first." });
  await reserveUserVerify(env, user.id, now);
  if (!(await acceptTotpCode(env, user, code.trim(), now))) throw new AppError("invalid_code");
  await clearUserVerify(env, user.id);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const hashes = codes.map((c) => recoveryHash(env, user.id, normaliseRecoveryCode(c)));
  await saveTotpChange(env, db, user, { totpEnabledAt: now, recoveryCodes: JSON.stringify(hashes), updatedAt: now }, "totp.enabled", meta, siteKey);
  return codes;
}

/** Turns TOTP off after a valid TOTP/recovery code or the account password. */
export async function disableTotp(
  env: Env,
  db: Db,
  user: UserRow,
  proof: { code?: string | undefined; password?: string | undefined },
  meta: RequestMeta,
  siteKey: string,
  now: number,
): Promise<void> {
  if (user.totpEnabledAt == null && !user.totpSecretEnc) throw new AppError("conflict", { message: "Two-step verification is not on." });
  await reserveUserVerify(env, user.id, now);
  if (proof.code !== undefined) {
    const ok = user.totpEnabledAt == null ? await acceptTotpCode(env, user, proof.code.trim(), now) : (await acceptSecondFactorCode(env, user, proof.code, now)) !== null;
    if (!ok) throw new AppError("invalid_code");
  } else {
    const config = readConfig(env);
    const ok = user.passwordHash ? await verifyPassword(proof.password ?? "", user.passwordHash, { scrypt: config.scrypt, pepper: env.PASSWORD_PEPPER }) : false;
    if (!ok) throw new AppError("invalid_credentials", { message: "The password is incorrect." });
  }
  await clearUserVerify(env, user.id);
  await saveTotpChange(env, db, user, { totpSecretEnc: null, totpEnabledAt: null, recoveryCodes: null, updatedAt: now }, "totp.disabled", meta, siteKey);
  await userStateStub(env, user.id).resetTotpState();
}
