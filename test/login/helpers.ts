import { env, runInDurableObject } from "cloudflare:test";
import { shardStub } from "../../src/store/limits";
import { Secret, TOTP } from "otpauth";
import { readConfig } from "../../src/env";
import { hmacHex } from "../../src/crypto/hmac";
import { hashPassword } from "../../src/crypto/password-hash";
import { encryptTotpSecret } from "../../src/crypto/totp-secret";
import type { UserRow } from "../../src/store/users";
import { call, json } from "../helpers";
import { seedUser } from "../sessions/fixtures";

export const PASSWORD = "correct horse battery staple";

export { captureMail } from "../mail-capture";

export async function passwordHash(password = PASSWORD): Promise<string> {
  const config = readConfig(env);
  return hashPassword(password, { scrypt: config.scrypt, pepper: env.PASSWORD_PEPPER });
}

export async function seedPasswordUser(overrides: Partial<UserRow> = {}, password = PASSWORD): Promise<UserRow> {
  return seedUser({ passwordHash: await passwordHash(password), ...overrides });
}

/** A user with TOTP on (secret sealed like enrolment does) and the given recovery codes. */
export async function seedTotpUser(overrides: Partial<UserRow> = {}, recovery: string[] = []) {
  const id = overrides.id ?? crypto.randomUUID();
  const secret = new Secret({ size: 20 }).base32;
  const hashes = recovery.map((c) => hmacHex(env.CODE_HMAC_KEY!, `recovery:${id}:${c.toLowerCase().replace(/[\s-]/g, "")}`));
  const user = await seedPasswordUser({
    id,
    totpSecretEnc: await encryptTotpSecret(env.TOTP_ENCRYPTION_KEY, secret, id),
    totpEnabledAt: Date.now(),
    recoveryCodes: JSON.stringify(hashes),
    ...overrides,
  });
  return { user, secret };
}

export function totpCode(secret: string, at = Date.now()): string {
  return new TOTP({ algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
}

export { wrongCode } from "../helpers";

export function login(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call("/api/auth_login", { json: body, headers });
}

export async function verify(token: string, code: string, headers: Record<string, string> = {}) {
  return call("/api/auth_factor_verify", { json: { challenge_token: token, code }, headers });
}

export async function me(token: string) {
  return call("/api/auth_me", { headers: { Authorization: `Bearer ${token}` } });
}

export { auditRows } from "../helpers";

/** A limiter key's stored state, read from its shard of the fixed Limiter pool (store/limits.ts). */
export async function limiterState(key: string) {
  return runInDurableObject(shardStub(env, key), (_i, state) => {
    const row = state.storage.sql.exec<{ state: string }>("SELECT state FROM limits WHERE key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.state) as { failures: number[]; lockedUntil: number; hits: Record<string, number[]> }) : undefined;
  });
}

export async function sessionRows(userId: string) {
  const stub = env.USER_STATE.get(env.USER_STATE.idFromName(userId));
  return runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT * FROM sessions").toArray());
}

export { call, json };
