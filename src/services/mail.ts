import type { Env } from "../env";
import { generateId } from "../crypto/random";
import type { MailMessage, MailRequest } from "../mail/types";

export type { MailRequest } from "../mail/types";
export type { MailTemplate, MailTemplateData } from "../mail/templates";

/**
 * Puts one mail on the queue; the consumer (src/mail/consumer.ts) renders and sends it. Returns the
 * message id, which makes delivery idempotent and names the mail_log row. `template` must be one of
 * the registered templates and `data` must fit it (see src/mail/templates/index.ts).
 */
export async function enqueueMail(env: Env, mail: MailRequest): Promise<string> {
  const id = `mail_${generateId(12)}`;
  await env.MAIL_QUEUE.send({ id, ...mail } as MailMessage, { contentType: "json" });
  return id;
}
