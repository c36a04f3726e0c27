import type { SitePolicy } from "./lib/site-policy";

// The parsed configuration every service sees (ctx.config). Built once per env object by
// readConfig (src/env.ts, read only by the context builder); vars that are missing or bad have
// already fallen back to safe defaults here.

export interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

export interface Config {
  environment: string;
  /** ENVIRONMENT=development AND the request is addressed to this machine (see withoutDevelopmentMode). */
  isDevelopment: boolean;
  publicBaseUrl: string;
  siteRegistryMode: "fallback" | "strict";
  defaultPolicy: SitePolicy;
  defaultResetUrl: string;
  defaultOnboardingUrl: string;
  scrypt: ScryptParams;
  mailProvider: string;
  mailFrom: string;
  mailFromName: string;
  /** Reply-To for mails of sites without a support_email in their branding. */
  mailReplyTo: string | null;
  /** Postmark message stream. */
  postmarkMessageStream: string;
  mailRetryBaseSeconds: number;
  adminRequireTotp: boolean;
  auditRetentionDays: number;
  /** The WebAuthn relying party (services/passkeys/relying-party.ts checks the RP ID before use). */
  webauthn: { rpId: string; rpName: string };
  /** The bench build's floor routes under /__bench. */
  benchRoutes: boolean;
}
