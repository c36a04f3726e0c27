import type { Ctx } from "../context";
import { maskEmail, normaliseEmail } from "../lib/email";
import { SITE_KEY_PATTERN } from "../services/sites/resolve";
import type { MailIdentity } from "../store/mail-log";
import { resolveMailBranding } from "./branding";
import { selectMailProvider } from "./providers";
import { MailSendError, type OutgoingMail } from "./providers/types";
import { isMailTemplate, renderMail } from "./templates";
import type { QueuedMail } from "./types";

/** How long a `sending` claim blocks a parallel delivery of the same id (longer than a provider call may take). */
export const SEND_LEASE_MS = 60_000;
const RETRY_BASE_SECONDS = 15;
const RETRY_MAX_SECONDS = 15 * 60;
const MAIL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Exponential backoff for attempt n (1-based, the queue's msg.attempts): 15 s, 30 s, 60 s … capped at
 * 15 min, plus up to 20 % jitter so a provider outage does not end in one synchronised burst. A
 * provider's Retry-After wins when it asks for longer (capped at an hour). The base is the config's
 * MAIL_RETRY_BASE_SECONDS (15 by default; the bench shortens it to see a whole outage in seconds).
 */
export function mailRetryDelaySeconds(attempts: number, retryAfterSeconds?: number, baseSeconds = RETRY_BASE_SECONDS): number {
  const exp = Math.min(RETRY_MAX_SECONDS, baseSeconds * 2 ** Math.max(0, Math.min(attempts, 20) - 1));
  const delay = exp + Math.floor(Math.random() * exp * 0.2);
  return retryAfterSeconds !== undefined ? Math.max(delay, Math.min(retryAfterSeconds, 3600)) : delay;
}

/** One JSON log line. Only ids, template names, statuses and our own error reasons: never data, links or bodies. */
function log(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "info") console.log(line);
  else if (level === "warn") console.warn(line);
  else console.error(line);
}

/** The identity part of a queue body, if the body has a usable id (otherwise nothing can be recorded). */
function readIdentity(body: unknown): (MailIdentity & { to: unknown; data: unknown; template: string }) | null {
  if (!body || typeof body !== "object") return null;
  const b = body as Partial<QueuedMail>;
  if (typeof b.id !== "string" || !MAIL_ID.test(b.id)) return null;
  const template = typeof b.template === "string" ? b.template.replace(/[^a-z0-9_]/gi, "").slice(0, 64) : "";
  const recipient = normaliseEmail(b.to);
  const siteKey = typeof b.site_key === "string" && SITE_KEY_PATTERN.test(b.site_key) ? b.site_key : null;
  return { id: b.id, template: template || "unknown", recipient: recipient ?? "(invalid)", siteKey, to: b.to, data: b.data };
}

/** Queue consumer for `auth2-mail`: renders and sends each message once (one context per batch). */
export async function consumeMailBatch(ctx: Ctx, batch: MessageBatch<unknown>): Promise<void> {
  await Promise.all(batch.messages.map((msg) => deliverMessage(ctx, msg)));
}

async function deliverMessage(ctx: Ctx, msg: Message<unknown>): Promise<void> {
  const log_ = ctx.store.mail.log;
  const mail = readIdentity(msg.body);
  if (!mail) {
    log("error", "mail_rejected", { queue_message_id: msg.id, error: "invalid_message" });
    msg.ack();
    return;
  }
  const base = { mail_id: mail.id, template: mail.template, attempt: msg.attempts };
  try {
    const permanent = mail.recipient === "(invalid)" ? "invalid_recipient" : !isMailTemplate(mail.template) ? "unknown_template" : null;
    if (permanent) {
      await log_.markFailed(mail, null, permanent, Date.now());
      log("error", "mail_failed", { ...base, error: permanent });
      msg.ack();
      return;
    }

    const provider = selectMailProvider(ctx);
    const claim = await log_.claim(mail, provider.name, Date.now(), SEND_LEASE_MS);
    if (claim.kind === "done") {
      log("info", "mail_duplicate", { ...base, status: claim.status });
      msg.ack();
      return;
    }
    if (claim.kind === "busy") {
      msg.retry({ delaySeconds: claim.retryInSeconds });
      return;
    }

    const site = mail.siteKey ? await ctx.store.sites.find(mail.siteKey) : null;
    const branding = resolveMailBranding(site?.branding ?? null, ctx.config);
    const rendered = renderMail(mail.template, mail.data, branding);
    if (!rendered.ok) {
      await log_.markFailed(mail, provider.name, rendered.error, Date.now());
      log("error", "mail_failed", { ...base, error: rendered.error });
      msg.ack();
      return;
    }

    const config = ctx.config;
    const outgoing: OutgoingMail = {
      id: mail.id,
      template: mail.template,
      siteKey: mail.siteKey,
      to: mail.recipient,
      from: { email: config.mailFrom, name: branding.fromName },
      replyTo: branding.supportEmail,
      ...rendered.mail,
    };

    let providerMessageId: string | null;
    try {
      ({ providerMessageId } = await provider.send(outgoing));
    } catch (err) {
      // Anything but our own MailSendError (a D1 error in the log provider, a bug) is worth another try.
      const e = err instanceof MailSendError ? err : new MailSendError(true, `${provider.name}: unexpected_${err instanceof Error ? err.name : "error"}`);
      if (e.retryable) {
        await log_.markRetry(mail.id, e.reason, Date.now());
        const delaySeconds = mailRetryDelaySeconds(msg.attempts, e.retryAfterSeconds, config.mailRetryBaseSeconds);
        log("warn", "mail_retry", { ...base, provider: provider.name, error: e.reason, delay_seconds: delaySeconds });
        msg.retry({ delaySeconds });
      } else {
        await log_.markFailed(mail, provider.name, e.reason, Date.now());
        log("error", "mail_failed", { ...base, provider: provider.name, error: e.reason });
        msg.ack();
      }
      return;
    }

    try {
      await log_.markSent(mail.id, provider.name, providerMessageId, Date.now());
    } catch (err) {
      // The provider has the mail: acking beats sending it twice. The row stays `sending` for an operator to see.
      log("error", "mail_sent_unrecorded", { ...base, provider: provider.name, error: err instanceof Error ? err.name : "error" });
    }
    log("info", "mail_sent", { ...base, provider: provider.name, to: maskEmail(mail.recipient) });
    msg.ack();
  } catch (err) {
    // Storage trouble before or after the send decision: let the queue bring the message back.
    const delaySeconds = mailRetryDelaySeconds(msg.attempts, undefined, ctx.config.mailRetryBaseSeconds);
    log("error", "mail_error", { ...base, error: err instanceof Error ? err.name : "error", delay_seconds: delaySeconds });
    msg.retry({ delaySeconds });
  }
}

/**
 * Consumer for the dead-letter queue (`auth2-mail-dlq`): a message lands here after the main queue's
 * max_retries. It is recorded as `dead` (keeping the last real error) and acked, never sent.
 */
export async function consumeDeadMailBatch(ctx: Ctx, batch: MessageBatch<unknown>): Promise<void> {
  for (const msg of batch.messages) {
    const mail = readIdentity(msg.body);
    if (!mail) {
      log("error", "mail_dead", { queue_message_id: msg.id, error: "invalid_message" });
      msg.ack();
      continue;
    }
    try {
      await ctx.store.mail.log.markDead(mail, Date.now());
      log("error", "mail_dead", { mail_id: mail.id, template: mail.template });
      msg.ack();
    } catch (err) {
      log("error", "mail_error", { mail_id: mail.id, error: err instanceof Error ? err.name : "error" });
      msg.retry({ delaySeconds: 30 });
    }
  }
}
