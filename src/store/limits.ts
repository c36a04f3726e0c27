import type { Env } from "../env";
import type { FailurePolicy, FailureState, TakeResult } from "../durable/limiter";
import { emailDigest } from "../crypto/email-digest";
import { sha256Hex } from "../crypto/hmac";
import { parseClientAddress } from "../lib/ip";

// Limiter keys and where they live. Services name WHAT is limited (a LimitSubject); this module turns
// it into a key and picks the key's shard: one object of a fixed pool of SHARD_COUNT Limiter objects,
// chosen by a digest of the key (src/durable/limiter.ts says why). No key holds an address in clear:
// emails are HMAC digests under CODE_HMAC_KEY, IPv6 clients are grouped by /64. The keys (one row
// each in its shard; docs/storage.md lists them):
//   ip:<IPv4> / ip6:<prefix>::/64   per client address (buckets login, factor, mail_request, verify, register)
//   login-site:<site_key>           sign-in attempts per site
//   login-email:<digest>            sign-in failures per normalised email, existing or not
//   login-mail:<owner>              one emailed sign-in code per account (or unknown address) per 60 s
//   flow-email:<digest>             reset and onboarding requests per email
//   register-email:<digest>         legacy self-registration per email
//   user-verify:<user id>           failed code/password checks on a signed-in user's TOTP routes
//   admin-login-email:<digest>, admin-login-ip:… / admin-login-ip6:…, admin-reauth:<admin id>

/** The pool size. Changing it moves every key to another shard (counts start afresh). */
export const SHARD_COUNT = 64;

export type LimitSubject =
  | { kind: "ip"; ip: string }
  | { kind: "login-site"; siteKey: string }
  | { kind: "login-email"; email: string }
  | { kind: "login-mail"; owner: string }
  | { kind: "flow-email"; email: string }
  | { kind: "register-email"; email: string }
  | { kind: "user-verify"; userId: string }
  | { kind: "admin-login-email"; email: string }
  | { kind: "admin-login-ip"; ip: string }
  | { kind: "admin-reauth"; adminId: string };

/** IPv6 by /64, IPv4 by address (also the IPv4 inside a mapped or compatible IPv6 address). */
export function ipKey(ip: string): string {
  const address = parseClientAddress(ip);
  if (address?.kind === "ipv6") return `ip6:${address.prefix64}::/64`;
  return `ip:${address?.address ?? ip.trim().toLowerCase()}`;
}

export function limitKey(subject: LimitSubject, codeKey: () => string): string {
  switch (subject.kind) {
    case "ip":
      return ipKey(subject.ip);
    case "login-site":
      return `login-site:${subject.siteKey}`;
    case "login-email":
      return `login-email:${emailDigest(codeKey(), subject.email)}`;
    case "login-mail":
      return `login-mail:${subject.owner}`;
    case "flow-email":
      return `flow-email:${emailDigest(codeKey(), subject.email)}`;
    case "register-email":
      return `register-email:${emailDigest(codeKey(), subject.email)}`;
    case "user-verify":
      return `user-verify:${subject.userId}`;
    case "admin-login-email":
      return `admin-login-email:${emailDigest(codeKey(), subject.email)}`;
    case "admin-login-ip":
      return `admin-login-${ipKey(subject.ip)}`;
    case "admin-reauth":
      return `admin-reauth:${subject.adminId}`;
  }
}

/** The shard (object name) that holds a key or a challenge owner. */
export function shardName(key: string): string {
  return `shard:${parseInt(sha256Hex(key).slice(0, 8), 16) % SHARD_COUNT}`;
}

export function shardStub(env: Env, key: string) {
  return env.LIMITER.get(env.LIMITER.idFromName(shardName(key)));
}

export interface LimitsStore {
  /** Counts one use of `bucket`: at most `limit` per `windowSeconds`. */
  take(subject: LimitSubject, bucket: string, limit: number, windowSeconds: number, now: number): Promise<TakeResult>;
  checkFailures(subject: LimitSubject, policy: FailurePolicy, now: number): Promise<FailureState>;
  recordFailure(subject: LimitSubject, policy: FailurePolicy, now: number): Promise<FailureState>;
  reserveFailure(subject: LimitSubject, policy: FailurePolicy, now: number): Promise<FailureState & { lockedNow: boolean }>;
  clearFailures(subject: LimitSubject): Promise<void>;
  /** Touches every shard (the per-minute scheduled run keeps the pool warm). */
  pingShards(): Promise<void>;
}

export function createLimitsStore(env: Env, codeKey: () => string): LimitsStore {
  const at = (subject: LimitSubject) => {
    const key = limitKey(subject, codeKey);
    return { key, stub: shardStub(env, key) };
  };
  return {
    take(subject, bucket, limit, windowSeconds, now) {
      const { key, stub } = at(subject);
      return stub.take(key, bucket, limit, windowSeconds, now);
    },
    checkFailures(subject, policy, now) {
      const { key, stub } = at(subject);
      return stub.checkFailures(key, policy, now);
    },
    recordFailure(subject, policy, now) {
      const { key, stub } = at(subject);
      return stub.recordFailure(key, policy, now);
    },
    reserveFailure(subject, policy, now) {
      const { key, stub } = at(subject);
      return stub.reserveFailure(key, policy, now);
    },
    async clearFailures(subject) {
      const { key, stub } = at(subject);
      await stub.clearFailures(key);
    },
    async pingShards() {
      await Promise.all(Array.from({ length: SHARD_COUNT }, (_, n) => env.LIMITER.get(env.LIMITER.idFromName(`shard:${n}`)).ping()));
    },
  };
}
