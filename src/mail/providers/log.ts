import type { MailStore } from "../../store/mail";
import { type MailProvider, MailSendError, type OutgoingMail, type SendResult } from "./types";

/**
 * Development provider: stores the rendered mail in `dev_outbox` (shown at GET /dev/outbox) instead
 * of sending it. Outside development it refuses: the outbox holds codes and links in clear, and a
 * production deployment left on `log` must show up as undelivered mail, not as a table of secrets.
 */
export function logProvider(outbox: MailStore["devOutbox"], isDevelopment: boolean): MailProvider {
  return {
    name: "log",
    async send(mail: OutgoingMail): Promise<SendResult> {
      if (!isDevelopment) throw new MailSendError(true, "log: MAIL_PROVIDER=log only works when ENVIRONMENT=development");
      await outbox.insert({
        id: mail.id,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        template: mail.template,
        site_key: mail.siteKey,
        created_at: Date.now(),
      });
      return { providerMessageId: mail.id };
    },
  };
}
