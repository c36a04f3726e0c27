import { env } from "cloudflare:test";
import { type MockInstance, vi } from "vitest";

/**
 * Captures the mail the Worker puts on MAIL_QUEUE (the Worker and the tests share `env`), so tests
 * read the codes and links exactly as queued, without waiting for a batch; the messages still go to
 * the real queue. Call `captureMail()` in the test (or beforeEach); `restore()` (or
 * vi.restoreAllMocks()) after.
 */
export interface QueuedMail {
  id: string;
  template: string;
  to: string;
  site_key: string | null;
  // Read by tests as the template's fields (code, link, expires_minutes, name…).
  data: Record<string, any>;
}

export interface MailCapture {
  /** Every mail queued since capture started, oldest first. */
  messages(): QueuedMail[];
  /** Same as messages(). */
  all(): QueuedMail[];
  /** Mails to an address (compared case-insensitively), optionally of one template, oldest first. */
  to(address: string, template?: string): QueuedMail[];
  /** The newest mail to `to` (optionally of one template), or undefined. */
  last(to: string, template?: string): QueuedMail | undefined;
  /** The newest mail to `to` of `template`; throws when there is none. */
  latest(to: string, template: string): QueuedMail;
  /** The code in the newest mail to `to`. */
  code(to: string, template?: string): string;
  /** Every mail queued since capture started (same as messages()). */
  readonly sent: QueuedMail[];
  /** The code in the newest sign-in code mail to `to`. */
  lastCode(to: string): string;
  /** Forgets what was captured so far. */
  clear(): void;
  restore(): void;
  spy: MockInstance;
}

export function captureMail(): MailCapture {
  const spy = vi.spyOn(env.MAIL_QUEUE, "send");
  const messages = () => spy.mock.calls.map((call) => call[0] as QueuedMail);
  const to = (address: string, template?: string) =>
    messages().filter((m) => m.to.toLowerCase() === address.toLowerCase() && (template === undefined || m.template === template));
  const last = (address: string, template?: string) => to(address, template).at(-1);
  return {
    messages,
    all: messages,
    get sent() {
      return messages();
    },
    lastCode: (address) => {
      const code = last(address, "login_code")?.data.code;
      if (typeof code !== "string") throw new Error(`no code mailed to ${address}`);
      return code;
    },
    to,
    last,
    latest(address, template) {
      const mail = last(address, template);
      if (!mail) throw new Error(`no ${template} mail to ${address} was queued`);
      return mail;
    },
    code(address, template) {
      const code = last(address, template)?.data.code;
      if (typeof code !== "string") throw new Error(`no code mailed to ${address}`);
      return code;
    },
    clear: () => spy.mockClear(),
    restore: () => spy.mockRestore(),
    spy,
  };
}

/** The `token` query parameter of an emailed link. */
export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get("token");
  if (!token) throw new Error("link has no token");
  return token;
}
