import type { Config } from "../config";
import { normaliseEmail } from "../lib/email";
import type { Branding } from "../lib/types";
import { safeLink, singleLine } from "./templates/escape";

/** Branding as the templates use it: every value checked, defaults filled in. */
export interface MailBranding {
  displayName: string;
  logoUrl: string | null;
  primaryColor: string;
  supportEmail: string | null;
  fromName: string;
}

export const DEFAULT_PRIMARY_COLOR = "#2563eb";
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * Turns a site's stored branding (admin input, so untrusted) into values that are safe in a mail:
 * a colour only as #rgb/#rrggbb (it lands in a style attribute), a logo only as an https URL, a
 * support address only if it is one plausible email, names on one line. Unknown sites (null) get
 * the deployment's defaults from MAIL_FROM_NAME / MAIL_REPLY_TO.
 */
export function resolveMailBranding(branding: Branding | null, config: Config): MailBranding {
  const fallbackName = singleLine(config.mailFromName, 80) || "Auth2";
  const b = branding ?? {};
  const displayName = (typeof b.display_name === "string" && singleLine(b.display_name, 80)) || fallbackName;
  const fromName = (typeof b.from_name === "string" && cleanFromName(b.from_name)) || cleanFromName(displayName) || fallbackName;
  return {
    displayName,
    logoUrl: typeof b.logo_url === "string" ? safeLink(b.logo_url, { httpsOnly: true }) : null,
    primaryColor: typeof b.primary_color === "string" && HEX_COLOR.test(b.primary_color.trim()) ? b.primary_color.trim() : DEFAULT_PRIMARY_COLOR,
    supportEmail: (typeof b.support_email === "string" && normaliseEmail(b.support_email)) || normaliseEmail(config.mailReplyTo) || null,
    fromName,
  };
}

/** A display name for the From header: no quotes, angle brackets, backslashes or line breaks. */
export function cleanFromName(value: string): string {
  return singleLine(value.replace(/["<>\\]/g, ""), 64);
}
