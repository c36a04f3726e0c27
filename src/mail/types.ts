/** A queued mail: the queue message body. `id` makes delivery idempotent. */
export interface MailMessage {
  id: string;
  template: string;
  to: string;
  site_key: string | null;
  data: Record<string, unknown>;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}
