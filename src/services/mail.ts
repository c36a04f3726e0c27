import type { Env } from "../env";
import { generateId } from "../crypto/random";
import type { MailMessage } from "../mail/types";

/** Puts one mail on the queue; the consumer renders and sends it. Returns the message id. */
export async function enqueueMail(env: Env, mail: Omit<MailMessage, "id">): Promise<string> {
  const id = `mail_${generateId(12)}`;
  await env.MAIL_QUEUE.send({ id, ...mail } satisfies MailMessage, { contentType: "json" });
  return id;
}
