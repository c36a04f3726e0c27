import type { Env } from "../env";
import { readConfig } from "../env";
import { createDb } from "../store/db";
import { pruneAudit } from "./audit";
import { sweepMailOutbox } from "./mail-sweep";

/** The cron triggers in wrangler.toml `[triggers]`. */
export const OUTBOX_SWEEP_CRON = "* * * * *";
export const AUDIT_PRUNE_CRON = "17 3 * * *";

/**
 * The scheduled handler's work, by trigger: every minute the mail outbox sweep; any other trigger is
 * the daily audit prune (so it keeps running if an operator moves its time in wrangler.toml).
 */
export async function runScheduledJob(cron: string, env: Env, now: number): Promise<void> {
  if (cron === OUTBOX_SWEEP_CRON) await sweepMailOutbox(env, now);
  else await pruneAudit(createDb(env.DB), readConfig(env).auditRetentionDays, now);
}
