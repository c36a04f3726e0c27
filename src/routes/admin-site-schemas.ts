import { z } from "@hono/zod-openapi";
import { normaliseEmail } from "../lib/email";
import { PolicyFieldsSchema, PolicySchema } from "../lib/site-policy";

export { PolicyFieldsSchema, PolicySchema };

// Validation of site records and policies. Origins and URLs are what links in mails and CORS answers
// are built from, so they are checked strictly: https only (plain http only for localhost during
// development), no credentials, origins exact.

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function isLocalhost(url: URL): boolean {
  return url.hostname === "localhost";
}

/** `https://host[:port]` or `http://localhost[:port]`, exactly as the browser sends it in Origin. */
export function isExactOrigin(value: string): boolean {
  const url = parseUrl(value);
  if (!url || url.username || url.password) return false;
  if (!(url.protocol === "https:" || (url.protocol === "http:" && isLocalhost(url)))) return false;
  return url.origin === value;
}

/** An https URL (or http://localhost) without credentials. */
export function isAppUrl(value: string): boolean {
  const url = parseUrl(value);
  if (!url || url.username || url.password) return false;
  return url.protocol === "https:" || (url.protocol === "http:" && isLocalhost(url));
}

export const NewSiteKeyField = z.string().regex(/^[a-z0-9_-]{3,64}$/, "3–64 characters: a-z, 0-9, _ and -").openapi({ example: "billing" });
/** Existing keys are looked up, not created: the same pattern request handling accepts. */
export const SiteKeyRef = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "Invalid site_key");

const SiteName = z.string().trim().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]*$/u, "Control characters are not allowed");
const SiteStatus = z.enum(["active", "inactive"]);
const AllowedOrigins = z
  .array(z.string().max(300).refine(isExactOrigin, "Expected an exact origin: https://host[:port] (http only for localhost), no path or trailing slash"))
  .max(50)
  .transform((list) => [...new Set(list)]);
const AppUrl = z.string().max(2048).refine(isAppUrl, "Expected an https URL (http only for localhost)").nullable();

const SafeText = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\u0000-\u001f\u007f<>"]*$/u, "Control characters, < > and \" are not allowed");

/** Branding: a closed set of fields, each checked (they end up in mails and the login screens). */
export const BrandingSchema = z
  .strictObject({
    display_name: SafeText(100).optional(),
    logo_url: z.string().max(2048).refine((v) => parseUrl(v)?.protocol === "https:", "Expected an https URL").optional(),
    primary_color: z.string().regex(/^#[0-9a-fA-F]{6}$/, "Expected #rrggbb").optional(),
    support_email: z.string().max(254).refine((v) => normaliseEmail(v) !== null, "Invalid email address").optional(),
    from_name: SafeText(100).optional(),
  })
  .openapi("Branding");

export const SiteSchema = z
  .object({
    site_key: z.string(),
    name: z.string(),
    status: SiteStatus,
    allowed_origins: z.array(z.string()),
    reset_url: z.string().nullable(),
    onboarding_url: z.string().nullable(),
    branding: z.record(z.string(), z.string()),
    policy: PolicySchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Site");

/** The fields site_create and site_update share. */
export const SiteFieldsShape = {
  status: SiteStatus.optional(),
  allowed_origins: AllowedOrigins.optional(),
  reset_url: AppUrl.optional(),
  onboarding_url: AppUrl.optional(),
  branding: BrandingSchema.optional(),
  policy: PolicyFieldsSchema.optional(),
};

export { SiteName };
