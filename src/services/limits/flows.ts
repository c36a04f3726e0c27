import type { Ctx } from "../../context";
import type { LimitSubject } from "../../store/limits";
import { takeLimit } from "./take";

// Sliding-window caps for the emailed account flows (password reset, onboarding), counted in the
// Limiter shards so parallel requests cannot slip past a count. Keys never hold an address in
// clear (store/limits.ts).

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

/** Takes one from the limiter for `subject`; 429 rate_limited with Retry-After when the cap is reached. */
export async function takeFlowLimit(ctx: Ctx, subject: LimitSubject, limit: FlowLimit): Promise<void> {
  await takeLimit(ctx, subject, limit.bucket, limit.limit, limit.windowSeconds);
}

/** The per-address subject of the client making the request. */
export const clientAddress = (ctx: Ctx): LimitSubject => ({ kind: "ip", ip: ctx.meta.ip });
