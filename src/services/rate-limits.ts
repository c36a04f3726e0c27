import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { ipv6Prefix64 } from "../lib/ip";

/** Limiter object for a key such as `ip:203.0.113.10`, `register-email:<digest>`, `site:demo`. */
export function limiterStub(env: Env, key: string) {
  return env.LIMITER.get(env.LIMITER.idFromName(key));
}

/** IPv6 addresses are limited per /64 (one customer's network); IPv4 per address. */
export function ipLimiterKey(ip: string): string {
  const prefix = ipv6Prefix64(ip);
  return prefix ? `ip6:${prefix}::/64` : `ip:${ip.trim()}`;
}

/**
 * Counts one use of `bucket` on limiter `key`: at most `limit` per `windowSeconds`, else 429
 * rate_limited with Retry-After. Called before any expensive work (hashing, mail).
 */
export async function takeLimit(env: Env, key: string, bucket: string, limit: number, windowSeconds: number): Promise<void> {
  const result = await limiterStub(env, key).take(bucket, limit, windowSeconds, Date.now());
  if (!result.allowed) {
    throw new AppError("rate_limited", {
      extra: { retry_after: result.retryAfterSeconds },
      headers: { "Retry-After": String(result.retryAfterSeconds) },
    });
  }
}
