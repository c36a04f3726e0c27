import { formatAddress } from "./address";
import { httpError, postJson } from "./http";
import { type MailProvider, MailSendError, type OutgoingMail, type SendResult } from "./types";

export const POSTMARK_URL = "https://api.postmarkapp.com/email";

/**
 * Postmark (POST /email, https://postmarkapp.com/developer/api/email-api). Postmark has no
 * idempotency key, so the message id travels as Metadata for tracing only. Open and link tracking
 * are off: link tracking would rewrite reset links through a tracking host.
 */
export function postmarkProvider(serverToken: string | undefined, messageStream: string | undefined): MailProvider {
  return {
    name: "postmark",
    async send(mail: OutgoingMail): Promise<SendResult> {
      if (!serverToken) throw new MailSendError(true, "postmark: POSTMARK_API_KEY is not set");
      const body: Record<string, unknown> = {
        From: formatAddress(mail.from.email, mail.from.name),
        To: mail.to,
        Subject: mail.subject,
        HtmlBody: mail.html,
        TextBody: mail.text,
        Tag: mail.template,
        TrackOpens: false,
        TrackLinks: "None",
        Metadata: { mail_id: mail.id },
        MessageStream: messageStream || "outbound",
      };
      if (mail.replyTo) body.ReplyTo = mail.replyTo;
      const answer = await postJson("postmark", POSTMARK_URL, { "X-Postmark-Server-Token": serverToken }, body);
      const errorCode = typeof answer.body.ErrorCode === "number" ? answer.body.ErrorCode : 0;
      if (answer.status >= 200 && answer.status < 300 && errorCode === 0) {
        return { providerMessageId: typeof answer.body.MessageID === "string" ? answer.body.MessageID : null };
      }
      // Postmark puts its reason in ErrorCode (e.g. 300 invalid request, 406 inactive recipient).
      throw httpError("postmark", answer, errorCode ? `error_${errorCode}` : "");
    },
  };
}
