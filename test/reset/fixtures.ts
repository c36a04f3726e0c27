import { env } from "cloudflare:test";
import { hashPassword, verifyPassword } from "../../src/crypto/password-hash";
import { sha256Hex } from "../../src/crypto/hmac";
import { findUserById } from "../../src/store/users";
import { call, config, db, freshIp } from "../helpers";

// Helpers shared by the reset and onboarding suites. Storage lives for a whole test file, so every
// test takes its own client address (per-IP limits) and its own users.

export { freshIp } from "../helpers";

export interface Client {
  ip: string;
  post(path: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  form(path: string, body: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

/** A client with its own address. */
export function client(ip = freshIp()): Client {
  return {
    ip,
    post: (path, body, headers = {}) => call(path, { json: body, headers: { "CF-Connecting-IP": ip, ...headers } }),
    form: (path, body, headers = {}) => call(path, { form: body, headers: { "CF-Connecting-IP": ip, ...headers } }),
  };
}

export const hashOptions = () => ({ scrypt: config().scrypt, pepper: env.PASSWORD_PEPPER });

export function hashed(password: string): Promise<string> {
  return hashPassword(password, hashOptions());
}

/** Whether the user's stored hash verifies `password`. */
export async function passwordMatches(userId: string, password: string): Promise<boolean> {
  const user = await findUserById(db(), userId);
  return user?.passwordHash ? verifyPassword(password, user.passwordHash, hashOptions()) : false;
}

export { auditRows } from "../helpers";

/** The KV record key of a challenge token. */
export const challengeKey = (token: string) => `challenge:${sha256Hex(token)}`;

/** Every challenge KV key (records and email pointers) currently stored. */
export async function challengeKeys(): Promise<string[]> {
  const list = await env.CHALLENGES.list({ prefix: "challenge" });
  return list.keys.map((k) => k.name);
}

export { wrongCode } from "../helpers";
