import type { MailTemplate, MailTemplateData } from "./templates";

/** What a caller asks for: one known template with that template's data (a type error otherwise). */
export type MailRequest = {
  [K in MailTemplate]: { template: K; to: string; site_key: string | null; data: MailTemplateData[K] };
}[MailTemplate];

/** A queued mail: the queue message body. `id` makes delivery idempotent. */
export type MailMessage = MailRequest & { id: string };

/** A queue body as the consumer receives it: JSON from the queue, so nothing about it is trusted. */
export interface QueuedMail {
  id: string;
  template: string;
  to: string;
  site_key: string | null;
  data: unknown;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}
