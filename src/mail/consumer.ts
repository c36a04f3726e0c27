import type { Env } from "../env";
import type { MailMessage } from "./types";

/**
 * Queue consumer for mail. Until templates and providers exist (mail issue), messages are kept on
 * the queue with a delay so that none is lost; they are delivered once the consumer can render them.
 */
export async function consumeMailBatch(batch: MessageBatch<unknown>, _env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const body = msg.body as Partial<MailMessage>;
    console.warn(JSON.stringify({ level: "warn", mail_id: body.id, template: body.template, note: "no mail consumer yet; retrying later" }));
    msg.retry({ delaySeconds: 300 });
  }
}
