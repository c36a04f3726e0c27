import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { type MockInstance, vi } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import type { MailMessage } from "../../src/mail/types";
import { AUDIT_PRUNE_CRON, OUTBOX_SWEEP_CRON } from "../../src/scheduled";
import { schema } from "../../src/store/db";
import type { OutboxRow } from "../../src/store/mail-outbox";
import { db } from "../helpers";

// The outbox under test. "The Worker dies after its answer" is a MAIL_QUEUE producer whose send()
// resolves without sending (the message the flow meant to queue is kept for the test): the flow's
// own work before the answer is real, the queue send in waitUntil never happens. The sweep is the
// Worker's real scheduled handler, driven like the platform's cron.

export interface LostSends {
  /** The messages the dying Worker never got onto the queue, oldest first. */
  lost: MailMessage[];
  restore(): void;
}

/** From now on every MAIL_QUEUE.send (the flows' send after the answer) is lost; sendBatch (the sweep) still works. */
export function loseQueueSends(): LostSends {
  const lost: MailMessage[] = [];
  const spy = vi.spyOn(env.MAIL_QUEUE, "send").mockImplementation(async (body: unknown) => {
    lost.push(body as MailMessage);
    return {} as QueueSendResponse; // the caller sees a send that "worked"; nothing reached the queue
  });
  return { lost, restore: () => spy.mockRestore() };
}

/** Runs the Worker's scheduled handler for `cron` at the current (possibly faked) time. */
export async function runCron(cron: string, overrides: Partial<Env> = {}): Promise<void> {
  const ctx = createExecutionContext();
  const scheduled = worker.scheduled as unknown as (c: ScheduledController, e: Env, x: ExecutionContext) => Promise<void>;
  await scheduled(createScheduledController({ scheduledTime: Date.now(), cron }), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
}

/** The per-minute outbox sweep. */
export const runSweep = (overrides: Partial<Env> = {}) => runCron(OUTBOX_SWEEP_CRON, overrides);
/** The daily audit prune. */
export const runDailyPrune = () => runCron(AUDIT_PRUNE_CRON);

/** Watches the sweep's sendBatch calls (the messages it re-enqueued) without changing them. */
export function watchRequeues(): MockInstance {
  return vi.spyOn(env.MAIL_QUEUE, "sendBatch");
}

/** The bodies of every sendBatch call a spy saw. */
export function requeuedIds(spy: MockInstance): string[] {
  return spy.mock.calls.flatMap((call) => (call[0] as { body: MailMessage }[]).map((m) => m.body.id));
}

/** Every outbox row, oldest first. */
export async function outboxRows(): Promise<OutboxRow[]> {
  return db().select().from(schema.mailOutbox).orderBy(schema.mailOutbox.createdAt);
}

/** One outbox row by mail id, or null. */
export async function outboxRow(id: string): Promise<OutboxRow | null> {
  const rows = await db().select().from(schema.mailOutbox).where(eq(schema.mailOutbox.id, id));
  return rows[0] ?? null;
}

/** Outbox rows written at or after `since` (ms), oldest first. */
export async function outboxRowsSince(since: number): Promise<OutboxRow[]> {
  return (await outboxRows()).filter((r) => r.createdAt >= since);
}
