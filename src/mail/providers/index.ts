import type { Env } from "../../env";
import { readConfig } from "../../env";
import { createDb } from "../../store/db";
import { cloudflareProvider } from "./cloudflare";
import { logProvider } from "./log";
import { postmarkProvider } from "./postmark";
import { resendProvider } from "./resend";
import { type MailProvider, MailSendError } from "./types";

export const MAIL_PROVIDERS = ["log", "resend", "postmark", "cloudflare"] as const;

/** The provider MAIL_PROVIDER names. An unknown name sends nothing and fails every attempt (retryable: fix the config). */
export function selectMailProvider(env: Env): MailProvider {
  const config = readConfig(env);
  switch (config.mailProvider) {
    case "log":
      return logProvider(createDb(env.DB), config.isDevelopment);
    case "resend":
      return resendProvider(env.RESEND_API_KEY);
    case "postmark":
      return postmarkProvider(env.POSTMARK_API_KEY, env.POSTMARK_MESSAGE_STREAM);
    case "cloudflare":
      return cloudflareProvider(env.SEND_EMAIL);
    default:
      return {
        name: "unknown",
        send: async () => {
          throw new MailSendError(true, "config: MAIL_PROVIDER is not one of log, resend, postmark, cloudflare");
        },
      };
  }
}
