import type { Env } from "../env";
import { generateId } from "../crypto/random";
import type { MailMessage, MailRequest } from "../mail/types";

export type { MailRequest } from "../mail/types";
export type { MailTemplate, MailTemplateData } from "../mail/templates";

/** A new mail id (`mail_<24 hex>`): the queue message's, the outbox row's and the mail_log row's. */
export function newMailId(): string {
  return `mail_${generateId(12)}`;
}

/**
 * Puts one mail on the queue; the consumer (src/mail/consumer.ts) renders and sends it. Returns the
 * message id, which makes delivery idempotent and names the mail_log row. `template` must be one of
 * the registered templates and `data` must fit it (see src/mail/templates/index.ts). Flows record the
 * mail in the outbox first (services/mail-outbox.ts) and pass its id, so a lost send is sent again.
 */
export async function enqueueMail(env: Env, mail: MailRequest, id = newMailId()): Promise<string> {
  await env.MAIL_QUEUE.send({ id, ...mail } as MailMessage, { contentType: "json" });
  return id;
}

/** Puts several mails on the queue in one call (at most 100 messages and 256 KB per call). */
export async function enqueueMailBatch(env: Env, messages: readonly MailMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await env.MAIL_QUEUE.sendBatch(messages.map((body) => ({ body, contentType: "json" as const })));
}
