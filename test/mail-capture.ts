import { env } from "cloudflare:test";
import { vi } from "vitest";
import type { MailMessage } from "../src/mail/types";

/**
 * Captures the mail the Worker puts on MAIL_QUEUE (the Worker and the tests share `env`), so tests
 * read the codes and links exactly as queued. Call in the test (or beforeEach); `restore()` after.
 */
export function captureMail() {
  const spy = vi.spyOn(env.MAIL_QUEUE, "send");
  const messages = () => spy.mock.calls.map((call) => call[0] as MailMessage);
  return {
    messages,
    /** The newest mail to `to` (optionally of one template). */
    last(to: string, template?: string): MailMessage | undefined {
      return messages().filter((m) => m.to === to && (!template || m.template === template)).at(-1);
    },
    /** The code in the newest mail to `to`. */
    code(to: string, template?: string): string {
      const data = this.last(to, template)?.data as { code?: unknown } | undefined;
      const code = data?.code;
      if (typeof code !== "string") throw new Error(`no code mailed to ${to}`);
      return code;
    },
    restore: () => spy.mockRestore(),
  };
}
