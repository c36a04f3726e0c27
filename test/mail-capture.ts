import { env } from "cloudflare:test";
import { type MockInstance, vi } from "vitest";

/**
 * Captures every mail the Worker puts on MAIL_QUEUE during a test, by spying on the producer binding
 * (the same object the Worker's handlers receive). The messages still go to the real queue. Reading
 * the queued message gives the exact code and link the consumer will render, without waiting for a
 * batch. Call `captureMail()` in beforeEach; `restore()` is done by vi.restoreAllMocks().
 */
export interface QueuedMail {
  id: string;
  template: string;
  to: string;
  site_key: string | null;
  data: Record<string, any>;
}

export interface MailCapture {
  /** Every mail queued since capture started (oldest first). */
  all(): QueuedMail[];
  /** Mails to an address (compared case-insensitively), optionally of one template. */
  to(address: string, template?: string): QueuedMail[];
  /** The newest mail to `address` of `template`; throws when there is none. */
  last(address: string, template: string): QueuedMail;
  clear(): void;
  spy: MockInstance;
}

export function captureMail(): MailCapture {
  const spy = vi.spyOn(env.MAIL_QUEUE, "send");
  const all = () => spy.mock.calls.map((call) => call[0] as QueuedMail);
  const to = (address: string, template?: string) =>
    all().filter((m) => m.to.toLowerCase() === address.toLowerCase() && (template === undefined || m.template === template));
  return {
    all,
    to,
    last(address, template) {
      const mails = to(address, template);
      if (mails.length === 0) throw new Error(`no ${template} mail to ${address} was queued`);
      return mails[mails.length - 1]!;
    },
    clear: () => spy.mockClear(),
    spy,
  };
}

/** The `token` query parameter of an emailed link. */
export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get("token");
  if (!token) throw new Error("link has no token");
  return token;
}
