import type { Ctx } from "./context";
import { pruneAudit } from "./services/audit/record";
import { sweepMailOutbox } from "./services/mail/sweep";

/** The cron triggers in wrangler.toml `[triggers]`. */
export const OUTBOX_SWEEP_CRON = "* * * * *";
export const AUDIT_PRUNE_CRON = "17 3 * * *";

/**
 * The scheduled handler's work, by trigger: every minute the mail outbox sweep and a touch of every
 * Limiter shard (so the fixed pool stays warm: no sign-in finds a cold shard another did not);
 * any other trigger is the daily audit prune (so it keeps running if an operator moves its time).
 */
export async function runScheduledJob(ctx: Ctx, cron: string): Promise<void> {
  if (cron === OUTBOX_SWEEP_CRON) {
    await Promise.all([sweepMailOutbox(ctx), ctx.store.limits.pingShards()]);
  } else {
    await pruneAudit(ctx);
  }
}
