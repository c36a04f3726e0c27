import type { Ctx } from "../../context";
import { generateId } from "../../crypto/random";
import type { MailMessage, MailRequest } from "../../mail/types";

export type { MailRequest } from "../../mail/types";
export type { MailTemplate, MailTemplateData } from "../../mail/templates";

/** A new mail id (`mail_<24 hex>`): the queue message's, the outbox row's and the mail_log row's. */
export function newMailId(): string {
  return `mail_${generateId(12)}`;
}

/**
 * Puts one mail on the queue; the consumer (src/mail/consumer.ts) renders and sends it. Returns the
 * message id, which makes delivery idempotent and names the mail_log row. `template` must be one of
 * the registered templates and `data` must fit it (see src/mail/templates/index.ts). Flows record the
 * mail in the outbox first (mail/outbox.ts) and pass its id, so a lost send is sent again.
 */
export async function enqueueMail(ctx: Ctx, mail: MailRequest, id = newMailId()): Promise<string> {
  await ctx.store.mail.enqueue({ id, ...mail } as MailMessage);
  return id;
}

/** Puts several mails on the queue in one call (at most 100 messages and 256 KB per call). */
export async function enqueueMailBatch(ctx: Ctx, messages: readonly MailMessage[]): Promise<void> {
  await ctx.store.mail.enqueueBatch(messages);
}
