import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import type { LimitSubject } from "../../store/limits";

export type { LimitSubject } from "../../store/limits";

/** 429 rate_limited with Retry-After (at least 1 s) and `retry_after` in the body. */
export function rateLimited(retryAfterSeconds: number): AppError {
  const wait = Math.max(1, retryAfterSeconds);
  return new AppError("rate_limited", { extra: { retry_after: wait }, headers: { "Retry-After": String(wait) } });
}

/**
 * Counts one use of `bucket` for `subject`: at most `limit` per `windowSeconds`, else 429
 * rate_limited with Retry-After. Called before any expensive work (hashing, mail).
 */
export async function takeLimit(ctx: Ctx, subject: LimitSubject, bucket: string, limit: number, windowSeconds: number): Promise<void> {
  const result = await ctx.store.limits.take(subject, bucket, limit, windowSeconds, ctx.now);
  if (!result.allowed) throw rateLimited(result.retryAfterSeconds);
}
