import type { Ctx } from "../../context";
import { cloudflareProvider } from "./cloudflare";
import { logProvider } from "./log";
import { postmarkProvider } from "./postmark";
import { resendProvider } from "./resend";
import { type MailProvider, MailSendError } from "./types";

export const MAIL_PROVIDERS = ["log", "resend", "postmark", "cloudflare"] as const;

/** The provider MAIL_PROVIDER names. An unknown name sends nothing and fails every attempt (retryable: fix the config). */
export function selectMailProvider(ctx: Ctx): MailProvider {
  const { config, secrets } = ctx;
  switch (config.mailProvider) {
    case "log":
      return logProvider(ctx.store.mail.devOutbox, config.isDevelopment);
    case "resend":
      return resendProvider(secrets.mail.resendApiKey);
    case "postmark":
      return postmarkProvider(secrets.mail.postmarkApiKey, config.postmarkMessageStream);
    case "cloudflare":
      return cloudflareProvider(secrets.mail.sendEmail);
    default:
      return {
        name: "unknown",
        send: async () => {
          throw new MailSendError(true, "config: MAIL_PROVIDER is not one of log, resend, postmark, cloudflare");
        },
      };
  }
}
