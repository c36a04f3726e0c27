import type { Env } from "../env";
import type { MailMessage } from "../mail/types";
import type { Db } from "./db";
import { type OutboxItem, insertOutboxMail, listOutboxMail } from "./dev-outbox";
import { type Claim, type MailIdentity, claimMailDelivery, findMailLog, markMailDead, markMailFailed, markMailRetry, markMailSent } from "./mail-log";
import { type NewOutboxRow, type OutboxRow, deleteDecoysBefore, findOutboxRow, listDueOutboxRows, markOutboxSwept, outboxInsert, outboxInsertIfChanged } from "./mail-outbox";

// Everything mail touches in storage: the queue (MAIL_QUEUE), the sealed outbox of owed mail
// (mail_outbox), the delivery log (mail_log) and the development outbox (dev_outbox).

export interface MailStore {
  /** Puts one message on the queue (a JSON body; the consumer renders and sends it). */
  enqueue(message: MailMessage): Promise<void>;
  /** Puts several on the queue in one call (at most 100 messages and 256 KB). */
  enqueueBatch(messages: readonly MailMessage[]): Promise<void>;
  outbox: {
    insert(row: NewOutboxRow): ReturnType<typeof outboxInsert>;
    /** Written only if the batch's preceding conditional write changed a row. */
    insertIfChanged(row: NewOutboxRow): ReturnType<typeof outboxInsertIfChanged>;
    listDue(cutoff: number, limit: number): Promise<OutboxRow[]>;
    markSwept(ids: readonly string[], now: number): Promise<void>;
    deleteDecoysBefore(cutoff: number): Promise<number>;
    find(id: string): Promise<OutboxRow | null>;
  };
  log: {
    /** Takes the right to send one message (and drops its outbox row), in one batch. */
    claim(mail: MailIdentity, provider: string, now: number, leaseMs: number): Promise<Claim>;
    find(id: string): ReturnType<typeof findMailLog>;
    markSent(id: string, provider: string, providerMessageId: string | null, now: number): Promise<void>;
    markRetry(id: string, error: string, now: number): Promise<void>;
    markFailed(mail: MailIdentity, provider: string | null, error: string, now: number): Promise<void>;
    markDead(mail: MailIdentity, now: number): Promise<void>;
  };
  devOutbox: {
    insert(item: OutboxItem): Promise<void>;
    list(options: { to?: string | null; limit: number }): Promise<OutboxItem[]>;
  };
}

export function createMailStore(env: Env, db: Db): MailStore {
  return {
    async enqueue(message) {
      await env.MAIL_QUEUE.send(message, { contentType: "json" });
    },
    async enqueueBatch(messages) {
      if (messages.length > 0) await env.MAIL_QUEUE.sendBatch(messages.map((body) => ({ body, contentType: "json" as const })));
    },
    outbox: {
      insert: (row) => outboxInsert(db, row),
      insertIfChanged: (row) => outboxInsertIfChanged(db, row),
      listDue: (cutoff, limit) => listDueOutboxRows(db, cutoff, limit),
      markSwept: (ids, now) => markOutboxSwept(db, ids, now),
      deleteDecoysBefore: (cutoff) => deleteDecoysBefore(db, cutoff),
      find: (id) => findOutboxRow(db, id),
    },
    log: {
      claim: (mail, provider, now, leaseMs) => claimMailDelivery(db, mail, provider, now, leaseMs),
      find: (id) => findMailLog(db, id),
      markSent: (id, provider, providerMessageId, now) => markMailSent(db, id, provider, providerMessageId, now),
      markRetry: (id, error, now) => markMailRetry(db, id, error, now),
      markFailed: (mail, provider, error, now) => markMailFailed(db, mail, provider, error, now),
      markDead: (mail, now) => markMailDead(db, mail, now),
    },
    devOutbox: {
      insert: (item) => insertOutboxMail(db, item),
      list: (options) => listOutboxMail(db, options),
    },
  };
}
