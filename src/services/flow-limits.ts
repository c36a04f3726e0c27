import type { Env } from "../env";
import { takeLimit } from "./rate-limits";
import { emailDigest } from "./secrets";

// Sliding-window caps for the emailed account flows (password reset, onboarding), counted in the
// Limiter Durable Object (services/rate-limits.ts) so parallel requests cannot slip past a count.
// Keys never hold an address in clear: emails are HMAC digests, IPv6 clients are grouped by /64.

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

export function emailLimitKey(env: Env, email: string): string {
  return `flow-email:${emailDigest(env, email)}`;
}

/** Takes one from the limiter under `key`; 429 rate_limited with Retry-After when the cap is reached. */
export async function takeFlowLimit(env: Env, key: string, limit: FlowLimit): Promise<void> {
  await takeLimit(env, key, limit.bucket, limit.limit, limit.windowSeconds);
}
