import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { parseClientAddress } from "../lib/ip";

/** Limiter object for a key such as `ip:203.0.113.10`, `register-email:<digest>`, `site:demo`. */
export function limiterStub(env: Env, key: string) {
  return env.LIMITER.get(env.LIMITER.idFromName(key));
}

/**
 * IPv6 addresses are limited per /64 (one customer's network); IPv4 per address, including the IPv4
 * inside a mapped or compatible IPv6 address (src/lib/ip.ts): one client, one bucket.
 */
export function ipLimiterKey(ip: string): string {
  const address = parseClientAddress(ip);
  if (address?.kind === "ipv6") return `ip6:${address.prefix64}::/64`;
  return `ip:${address?.address ?? ip.trim().toLowerCase()}`;
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
