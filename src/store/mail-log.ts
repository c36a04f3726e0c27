import { and, eq, ne, or, sql } from "drizzle-orm";
import { type Db, schema } from "./db";
import { outboxDelete } from "./mail-outbox";

/*
 * mail_log: one row per queue message id. Statuses:
 *   queued   an attempt failed with a retryable error; the queue will deliver the message again
 *   sending  an attempt is in flight (or crashed mid-send); the lease in updated_at stops a parallel duplicate
 *   sent     the provider accepted the mail (final)
 *   failed   permanent failure: unknown template, bad data or recipient, provider 4xx (final)
 *   dead     retries exhausted; the dead-letter consumer recorded it (final)
 * Never stored: the data (codes, tokens, links), the subject or the body.
 */

const t = schema.mailLog;

export type MailStatus = "queued" | "sending" | "sent" | "failed" | "dead";

export interface MailIdentity {
  id: string;
  template: string;
  recipient: string;
  siteKey: string | null;
}

export type Claim = { kind: "claimed"; attempts: number } | { kind: "done"; status: MailStatus } | { kind: "busy"; retryInSeconds: number };

/**
 * Takes the right to send one message, in one statement: a new id, a `queued` row, or a `sending`
 * row whose lease ran out (its worker died mid-send) becomes `sending` with attempts + 1. Anything
 * else is final (`done`) or another attempt holds the lease (`busy`). The same batch deletes the
 * mail's outbox row whatever the claim says: the queue holds the message now, and its retries (or
 * the final status here) take over from the outbox sweep.
 */
export async function claimMailDelivery(db: Db, mail: MailIdentity, provider: string, now: number, leaseMs: number): Promise<Claim> {
  const [rows] = await db.batch([
    db
      .insert(t)
      .values({ id: mail.id, template: mail.template, recipient: mail.recipient, siteKey: mail.siteKey, status: "sending", provider, attempts: 1, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: t.id,
        set: { status: "sending", provider, attempts: sql`${t.attempts} + 1`, updatedAt: now },
        setWhere: or(eq(t.status, "queued"), and(eq(t.status, "sending"), sql`${t.updatedAt} <= ${now - leaseMs}`)),
      })
      .returning({ attempts: t.attempts }),
    outboxDelete(db, mail.id),
  ]);
  if (rows[0]) return { kind: "claimed", attempts: rows[0].attempts };
  const row = await findMailLog(db, mail.id);
  if (!row) return { kind: "busy", retryInSeconds: 1 };
  if (row.status === "sending") return { kind: "busy", retryInSeconds: Math.max(1, Math.ceil((row.updatedAt + leaseMs - now) / 1000)) };
  return { kind: "done", status: row.status };
}

export async function findMailLog(db: Db, id: string) {
  const rows = await db.select().from(t).where(eq(t.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function markMailSent(db: Db, id: string, provider: string, providerMessageId: string | null, now: number): Promise<void> {
  await db.update(t).set({ status: "sent", provider, providerMessageId, updatedAt: now }).where(eq(t.id, id));
}

/** A retryable failure: back to `queued` (only from our own `sending` claim) with the reason. */
export async function markMailRetry(db: Db, id: string, error: string, now: number): Promise<void> {
  await db.update(t).set({ status: "queued", lastError: error, updatedAt: now }).where(and(eq(t.id, id), eq(t.status, "sending")));
}

/**
 * A permanent failure. The row may not exist yet (a message rejected before any attempt). A sent mail
 * stays sent. The outbox row goes in the same batch: the sweep must not re-enqueue a mail refused for good.
 */
export async function markMailFailed(db: Db, mail: MailIdentity, provider: string | null, error: string, now: number): Promise<void> {
  await db.batch([
    db
      .insert(t)
      .values({ ...mail, status: "failed", provider, attempts: 0, lastError: error, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: t.id, set: { status: "failed", lastError: error, updatedAt: now }, setWhere: ne(t.status, "sent") }),
    outboxDelete(db, mail.id),
  ]);
}

/** Retries exhausted (dead-letter queue). Keeps the last real error; a sent mail stays sent. */
export async function markMailDead(db: Db, mail: MailIdentity, now: number): Promise<void> {
  await db
    .insert(t)
    .values({ ...mail, status: "dead", provider: null, attempts: 0, lastError: "dead_lettered", createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: t.id, set: { status: "dead", updatedAt: now }, setWhere: ne(t.status, "sent") });
}
