import type { Ctx } from "../../context";
import { utf8 } from "../../crypto/encoding";
import { openText, sealText } from "../../crypto/sealed-text";
import { maskEmail } from "../../lib/email";
import type { MailMessage, MailRequest } from "../../mail/types";
import type { NewOutboxRow, OutboxRow } from "../../store/mail-outbox";
import { enqueueMail, newMailId } from "./enqueue";

// The transactional outbox. A flow that owes a mail seals it into a mail_outbox row and writes that
// row BEFORE it answers, in the same D1 batch as the audit row it writes anyway (one round trip);
// after the answer the message goes to the queue as before. The consumer deletes the row when it
// claims the mail id, and the per-minute sweep (mail/sweep.ts) re-enqueues rows the queue never
// delivered, under the same id, so a mail is neither lost with a dying Worker nor sent twice.
//
// Enumeration: flows that must look alike for every address (reset, onboarding, sign-in code) write
// a decoy row where no mail is owed: the same statement, the same template column, a sealed payload
// of exactly the same size (see paddedSize). The sweep deletes decoys; they never reach the queue.

/** HKDF info: the outbox key is derived from CODE_HMAC_KEY for this use alone. */
const OUTBOX_KEY_INFO = "auth2 mail-outbox v1";
/**
 * Room for the greeting name, the only account-dependent field of any template's data: at most 200
 * UTF-16 units (mailName), each at most 6 bytes as JSON (`\uXXXX`), plus `,"name":""`.
 */
const NAME_ROOM_BYTES = 1280;
const PAD_STEP_BYTES = 4096;

export interface OwedMail {
  readonly id: string;
  /** The mail to queue; null for a decoy (never sent). */
  readonly mail: MailRequest | null;
  readonly row: NewOutboxRow;
}

/**
 * The sealed plaintext's size: computed from the mail without its name, plus room for any name, in
 * 4 KiB steps. A decoy built from the request (same address, site and link base; stand-in code and
 * token of the real lengths; no name) therefore pads to exactly the size of the real mail.
 */
function paddedSize(mail: MailRequest): number {
  const { name: _name, ...rest } = mail.data as Record<string, unknown>;
  const base = utf8(JSON.stringify({ to: mail.to, data: rest })).length;
  return Math.ceil((base + NAME_ROOM_BYTES) / PAD_STEP_BYTES) * PAD_STEP_BYTES;
}

async function seal(ctx: Ctx, mail: MailRequest, decoy: boolean): Promise<OwedMail> {
  const id = newMailId();
  // Mail data holds live codes and links: sealed, with the mail id as associated data.
  const payload = await sealText(ctx.secrets.codeKey(), OUTBOX_KEY_INFO, id, JSON.stringify({ to: mail.to, data: mail.data }), paddedSize(mail));
  return {
    id,
    mail: decoy ? null : mail,
    row: { id, template: mail.template, recipient: maskEmail(mail.to), siteKey: mail.site_key, decoy, payload, createdAt: ctx.now },
  };
}

/** Seals a mail into its outbox row (nothing is written yet: put owedMailStatement in the flow's batch). */
export function prepareMail(ctx: Ctx, mail: MailRequest): Promise<OwedMail> {
  return seal(ctx, mail, false);
}

/**
 * A decoy row shaped like `mail` (build it exactly as the real mail would be, from the request, with
 * a stand-in code/token and no name): written where an address gets no mail, so the statement and
 * its size do not tell whether the account exists. Never queued.
 */
export function prepareDecoy(ctx: Ctx, mail: MailRequest): Promise<OwedMail> {
  return seal(ctx, mail, true);
}

export function owedMailStatement(ctx: Ctx, owed: OwedMail) {
  return ctx.store.mail.outbox.insert(owed.row);
}

/** For a batch after a conditional write and its auditStatementIfChanged: owed only if the change committed. */
export function owedMailStatementIfChanged(ctx: Ctx, owed: OwedMail) {
  return ctx.store.mail.outbox.insertIfChanged(owed.row);
}

/**
 * Queues a recorded mail under its own id. Never rejects: the row is committed, so a failed send is
 * the sweep's to repeat; the log line names the mail id only (never data, links or the address).
 */
export async function queueOwedMail(ctx: Ctx, owed: OwedMail): Promise<void> {
  if (!owed.mail) return;
  try {
    await enqueueMail(ctx, owed.mail, owed.id);
  } catch (err) {
    console.error(
      JSON.stringify({ level: "error", event: "mail_enqueue_failed", mail_id: owed.id, template: owed.mail.template, request_id: ctx.meta.requestId, error: err instanceof Error ? err.name : "error" }),
    );
  }
}

/** Queues a recorded mail after the answer. */
export function deferOwedMail(ctx: Ctx, owed: OwedMail): void {
  ctx.defer(queueOwedMail(ctx, owed), "mail_enqueue");
}

/**
 * For mail without an enumeration concern (notices, admin-initiated onboarding): records the row on
 * its own, then queues it — after the answer when `defer` is given, else before returning.
 */
export async function sendMail(ctx: Ctx, mail: MailRequest, options: { afterAnswer: boolean }): Promise<string> {
  const owed = await prepareMail(ctx, mail);
  await owedMailStatement(ctx, owed);
  if (options.afterAnswer) deferOwedMail(ctx, owed);
  else await queueOwedMail(ctx, owed);
  return owed.id;
}

/** The queue message a row was sealed from (the sweep); throws when it does not open under the current key. */
export async function openOwedMail(ctx: Ctx, row: OutboxRow): Promise<MailMessage> {
  const text = await openText(ctx.secrets.codeKey(), OUTBOX_KEY_INFO, row.id, row.payload);
  const { to, data } = JSON.parse(text) as { to: string; data: unknown };
  return { id: row.id, template: row.template, to, site_key: row.siteKey, data } as MailMessage;
}
