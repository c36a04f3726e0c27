import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { emailDigest } from "./secrets";

// Sliding-window caps for the emailed account flows (password reset, onboarding), counted in the
// Limiter Durable Object so parallel requests cannot slip past a count. Keys never hold an address
// in clear: emails are HMAC digests, IPv6 clients are grouped by their /64.

export interface FlowLimit {
  bucket: string;
  limit: number;
  windowSeconds: number;
}

/** Per normalised email (known or not, so the answer reveals nothing): 3 mails an hour. */
export const RESET_REQUEST_PER_EMAIL: FlowLimit = { bucket: "reset_request", limit: 3, windowSeconds: 3600 };
export const ONBOARDING_REQUEST_PER_EMAIL: FlowLimit = { bucket: "onboarding_request", limit: 3, windowSeconds: 3600 };
/** Per client address: requests that may send mail. */
export const REQUEST_PER_IP: FlowLimit = { bucket: "mail_request", limit: 30, windowSeconds: 3600 };
/** Per client address: check/complete attempts (codes are also capped per challenge and per account). */
export const VERIFY_PER_IP: FlowLimit = { bucket: "verify", limit: 60, windowSeconds: 600 };

/** The address a per-IP limit counts: IPv4 as is, IPv6 by its /64 prefix (one subscriber's block). */
export function ipLimitKey(ip: string): string {
  if (!ip.includes(":")) return `flow-ip:${ip}`;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = Math.max(0, 8 - headGroups.length - tailGroups.length);
  const groups = ip.includes("::") ? [...headGroups, ...Array(missing).fill("0"), ...tailGroups] : headGroups;
  const prefix = groups.slice(0, 4).map((g) => (g.replace(/^0+/, "") || "0")).join(":");
  return `flow-ip:${prefix}::/64`;
}

export function emailLimitKey(env: Env, email: string): string {
  return `flow-email:${emailDigest(env, email)}`;
}

/** Takes one from the limiter under `key`; 429 rate_limited with Retry-After when the cap is reached. */
export async function takeFlowLimit(env: Env, key: string, limit: FlowLimit, now: number): Promise<void> {
  const stub = env.LIMITER.get(env.LIMITER.idFromName(key));
  const result = await stub.take(limit.bucket, limit.limit, limit.windowSeconds, now);
  if (!result.allowed) {
    throw new AppError("rate_limited", {
      extra: { retry_after: result.retryAfterSeconds },
      headers: { "Retry-After": String(result.retryAfterSeconds) },
    });
  }
}
