/** A rendered mail ready for a provider. */
export interface OutgoingMail {
  /** The queue message id: the provider's idempotency key where it has one. */
  id: string;
  template: string;
  siteKey: string | null;
  to: string;
  from: { email: string; name: string };
  replyTo: string | null;
  subject: string;
  html: string;
  text: string;
}

export interface SendResult {
  providerMessageId: string | null;
}

export interface MailProvider {
  readonly name: string;
  send(mail: OutgoingMail): Promise<SendResult>;
}

/**
 * A failed send. `reason` is built only from our own words, status codes and the provider's error
 * *name* (sanitised): never a provider's free-text message, which may echo the recipient or content.
 */
export class MailSendError extends Error {
  readonly retryable: boolean;
  readonly reason: string;
  readonly retryAfterSeconds: number | undefined;

  constructor(retryable: boolean, reason: string, retryAfterSeconds?: number) {
    super(reason);
    this.name = "MailSendError";
    this.retryable = retryable;
    this.reason = reason.slice(0, 200);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A provider error name/code reduced to [a-z0-9_], so it is safe to store and log. */
export function safeCode(value: unknown): string {
  if (typeof value !== "string" && typeof value !== "number") return "";
  return String(value).toLowerCase().replace(/[^a-z0-9_]+/g, "_").slice(0, 60);
}
