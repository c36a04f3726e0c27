import type { Ctx } from "../../context";
import { normaliseEmail } from "../../lib/email";
import type { MailMessage } from "../../mail/types";
import type { OutboxRow } from "../../store/mail-outbox";
import { enqueueMailBatch } from "./enqueue";
import { openOwedMail } from "./outbox";

// The outbox sweep (cron "* * * * *"): sends what the queue never got. A row still in mail_outbox
// OUTBOX_GRACE_MS after it was written (or after its last re-enqueue) was never claimed by the
// consumer — the Worker died before its send, or the send failed — so it is opened and enqueued again
// under the same mail id. If the first message did arrive after all, mail_log's claim says "done" and
// it is not sent twice. Decoy rows are deleted. Rows older than OUTBOX_MAX_AGE_MS (every code and
// link in them has expired) and rows that no longer open are dropped and recorded `failed`.

/** How long a row may wait for the queue before the sweep sends it again (the queue delivers in about a second). */
export const OUTBOX_GRACE_MS = 60_000;
/** After this a row is dropped: reset links live 30 minutes, codes 10. */
export const OUTBOX_MAX_AGE_MS = 60 * 60_000;
const PAGE_ROWS = 100;
const MAX_PAGES = 10;
/** Messages per sendBatch call: 50 of at most ~4 KB stay under the queue's 256 KB per call. */
const SEND_CHUNK = 50;

export interface SweepReport {
  requeued: number;
  dropped: number;
  decoys_deleted: number;
  failed_sends: number;
}

export async function sweepMailOutbox(ctx: Ctx): Promise<SweepReport> {
  const { now } = ctx;
  const outbox = ctx.store.mail.outbox;
  const cutoff = now - OUTBOX_GRACE_MS;
  const report: SweepReport = { requeued: 0, dropped: 0, decoys_deleted: await outbox.deleteDecoysBefore(cutoff), failed_sends: 0 };
  for (let page = 0; page < MAX_PAGES; page++) {
    // Each page leaves its rows re-enqueued (swept_at = now) or deleted, so the next page finds new ones.
    const rows = await outbox.listDue(cutoff, PAGE_ROWS);
    const messages: MailMessage[] = [];
    for (const row of rows) {
      const message = row.createdAt <= now - OUTBOX_MAX_AGE_MS ? await dropRow(ctx, row, "outbox_expired") : await openOrDrop(ctx, row);
      if (message) messages.push(message);
      else report.dropped += 1;
    }
    for (let i = 0; i < messages.length; i += SEND_CHUNK) {
      const chunk = messages.slice(i, i + SEND_CHUNK);
      try {
        await enqueueMailBatch(ctx, chunk);
        report.requeued += chunk.length;
      } catch (err) {
        // Counted as an attempt all the same: the next sweep after the grace period tries again.
        report.failed_sends += chunk.length;
        log("error", "mail_outbox_requeue_failed", { mail_ids: chunk.map((m) => m.id), error: err instanceof Error ? err.name : "error" });
      }
    }
    await outbox.markSwept(
      messages.map((m) => m.id),
      now,
    );
    if (rows.length < PAGE_ROWS) break;
  }
  if (report.requeued || report.dropped || report.failed_sends) log("warn", "mail_outbox_swept", { ...report });
  return report;
}

async function openOrDrop(ctx: Ctx, row: OutboxRow): Promise<MailMessage | null> {
  try {
    return await openOwedMail(ctx, row);
  } catch {
    // Sealed under another CODE_HMAC_KEY (rotated) or damaged: it can never be sent.
    return dropRow(ctx, row, "outbox_unreadable");
  }
}

async function dropRow(ctx: Ctx, row: OutboxRow, reason: string): Promise<null> {
  const to = await openOwedMail(ctx, row).then((m) => normaliseEmail(m.to), () => null);
  // markFailed deletes the outbox row in the same batch; a mail already sent stays `sent`.
  await ctx.store.mail.log.markFailed({ id: row.id, template: row.template, recipient: to ?? "(invalid)", siteKey: row.siteKey }, null, reason, ctx.now);
  log("error", "mail_outbox_dropped", { mail_id: row.id, template: row.template, error: reason, attempts: row.attempts });
  return null;
}

/** One JSON log line: ids, templates, counts and our own reasons only (never data, links or addresses). */
function log(level: "warn" | "error", event: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "warn") console.warn(line);
  else console.error(line);
}
