import { type MailProvider, MailSendError, type OutgoingMail, type SendResult, safeCode } from "./types";

/** Email Service error codes worth trying again (rate limits, service trouble); every other code is permanent. */
const RETRYABLE_CODES = new Set(["E_RATE_LIMIT_EXCEEDED", "E_DAILY_LIMIT_EXCEEDED", "E_INTERNAL_SERVER_ERROR", "E_DELIVERY_FAILED"]);

/**
 * Cloudflare Email Service through the `send_email` binding (`SEND_EMAIL`), with the structured
 * builder form of `send()` (https://developers.cloudflare.com/email-service/api/send-emails/workers-api/).
 * The binding has no idempotency key. Errors are thrown with a string `code` (E_…); one without a
 * code is a runtime or network failure and is retried.
 */
export function cloudflareProvider(binding: SendEmail | undefined): MailProvider {
  return {
    name: "cloudflare",
    async send(mail: OutgoingMail): Promise<SendResult> {
      if (!binding) throw new MailSendError(true, "cloudflare: SEND_EMAIL binding is missing");
      const message: EmailMessageBuilder = {
        from: { email: mail.from.email, name: mail.from.name },
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
      };
      if (mail.replyTo) message.replyTo = mail.replyTo;
      let result: EmailSendResult;
      try {
        result = await binding.send(message);
      } catch (err) {
        const code = err && typeof err === "object" && "code" in err && typeof err.code === "string" ? err.code : "";
        const retryable = !code || RETRYABLE_CODES.has(code);
        throw new MailSendError(retryable, `cloudflare: ${safeCode(code) || "send_failed"}`);
      }
      return { providerMessageId: typeof result?.messageId === "string" ? result.messageId : null };
    },
  };
}
