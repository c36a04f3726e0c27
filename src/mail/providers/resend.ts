import { formatAddress } from "./address";
import { httpError, postJson } from "./http";
import { type MailProvider, MailSendError, type OutgoingMail, type SendResult } from "./types";

export const RESEND_URL = "https://api.resend.com/emails";

/**
 * Resend (POST /emails, https://resend.com/docs/api-reference/emails/send-email). The queue message
 * id goes in the Idempotency-Key header: Resend answers a repeated key (24 h) with the first
 * result instead of sending again, which closes the crash-between-send-and-record window.
 */
export function resendProvider(apiKey: string | undefined): MailProvider {
  return {
    name: "resend",
    async send(mail: OutgoingMail): Promise<SendResult> {
      // A missing key is a deployment mistake, not a bad message: retry so a fixed deploy still delivers.
      if (!apiKey) throw new MailSendError(true, "resend: RESEND_API_KEY is not set");
      const body: Record<string, unknown> = {
        from: formatAddress(mail.from.email, mail.from.name),
        to: [mail.to],
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        tags: [{ name: "template", value: mail.template }],
      };
      if (mail.replyTo) body.reply_to = mail.replyTo;
      const answer = await postJson("resend", RESEND_URL, { Authorization: `Bearer ${apiKey}`, "Idempotency-Key": mail.id }, body);
      if (answer.status >= 200 && answer.status < 300) {
        return { providerMessageId: typeof answer.body.id === "string" ? answer.body.id : null };
      }
      // 409 concurrent_idempotent_requests: the same key is still being processed; try again later.
      const concurrent = answer.status === 409 && answer.body.name === "concurrent_idempotent_requests";
      throw httpError("resend", answer, answer.body.name, concurrent);
    },
  };
}
