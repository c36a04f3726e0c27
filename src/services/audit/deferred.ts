import type { Ctx } from "../../context";
import type { AuditEntry } from "../../store/audit";
import type { Store } from "../../store";
import { type AuditEvent, buildAuditEntry } from "./record";

/**
 * Audit rows of READ-ONLY service calls (auth_api_key_verify, service/user_resolve), written after
 * the response instead of before it. Anything that changes state keeps its audit row in the same
 * db.batch as the change (auditStatement); this is only for calls whose row records a read.
 *
 * Why: these routes are called by backends on every one of their requests; an awaited INSERT per
 * call cost a D1 round trip (and a commit) on the response path, more than the read itself.
 *
 * How: rows collect in an isolate-wide buffer for FLUSH_DELAY_MS; the request that opened the buffer
 * writes all of them as ONE statement (store.audit.insertMany: one round trip, one commit) from a timer in its own
 * request context, and hands that flush to ctx.waitUntil, so the runtime keeps the context (and the
 * isolate) alive until the rows are written. Rows that join later ride along in that flush: their
 * own requests need not wait. A full buffer (MAX_BATCH_ROWS) is closed and the next row opens a new one.
 *
 * Guarantee: every row is written before the waitUntil of the request that opened its buffer ends
 * (typically a few ms after the response), unless D1 keeps failing: a failed write (atomic, so
 * nothing of it was written) is retried after RETRY_DELAYS_MS, then written row by row, and a row
 * that still fails is reported with console.error (action, request id; never details). Lost only
 * if D1 keeps refusing it or the isolate dies before the flush (as with a crash in the middle of
 * an awaited write).
 */
export const FLUSH_DELAY_MS = 4;
export const MAX_BATCH_ROWS = 50;
export const RETRY_DELAYS_MS = [50, 250, 1000] as const;

interface PendingBatch {
  store: Store;
  entries: AuditEntry[];
}

let open: PendingBatch | null = null;
let unwritten = 0;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function reportLost(entries: readonly AuditEntry[], err: unknown): void {
  console.error(
    JSON.stringify({
      event: "audit_write_failed",
      rows: entries.length,
      actions: [...new Set(entries.map((e) => e.action))],
      request_ids: entries.map((e) => e.requestId),
      error: err instanceof Error ? err.message : String(err),
    }),
  );
}

/**
 * Writes the batch, retrying after RETRY_DELAYS_MS (a failed batch is atomic: nothing of it was
 * written, so a retry cannot duplicate). If it still fails, each row is tried on its own, so one
 * bad row cannot take the others with it; what fails then is reported.
 */
async function writeWithRetry(batch: PendingBatch): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await batch.store.audit.insertMany(batch.entries);
      return;
    } catch (err) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) break;
      await sleep(delay);
    }
  }
  for (const entry of batch.entries) {
    try {
      await batch.store.audit.insertMany([entry]);
    } catch (err) {
      reportLost([entry], err);
    }
  }
}

async function flushLater(batch: PendingBatch): Promise<void> {
  await sleep(FLUSH_DELAY_MS);
  if (open === batch) open = null;
  try {
    await writeWithRetry(batch);
  } finally {
    unwritten -= batch.entries.length;
  }
}

/** Records an audit row for a read-only call after the response (see above). */
export function deferAudit(ctx: Ctx, event: AuditEvent): void {
  const entry = buildAuditEntry(event, ctx.meta, ctx.now);
  unwritten++;
  if (open && open.store === ctx.store && open.entries.length < MAX_BATCH_ROWS) {
    open.entries.push(entry);
    return;
  }
  const batch: PendingBatch = { store: ctx.store, entries: [entry] };
  open = batch;
  ctx.defer(flushLater(batch), "audit_flush");
}

/** Rows handed to deferAudit in this isolate and not yet written (or given up on): tests wait for 0. */
export function unwrittenAuditRows(): number {
  return unwritten;
}
