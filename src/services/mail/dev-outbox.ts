import type { Ctx } from "../../context";
import type { OutboxItem } from "../../store/dev-outbox";

export type { OutboxItem } from "../../store/dev-outbox";

/** The development outbox (MAIL_PROVIDER=log), newest first, optionally for one normalised recipient. */
export function listDevOutbox(ctx: Ctx, options: { to: string | null; limit: number }): Promise<OutboxItem[]> {
  return ctx.store.mail.devOutbox.list(options);
}
