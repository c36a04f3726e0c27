import type { Config } from "../../config";

// What goes into a mail besides its template: the links it carries and the greeting name.

/**
 * The base URL an emailed link may use (a site setting or the config default, validated): https only
 * (http too in development), no credentials. Links are never built from the request's Host or
 * X-Forwarded-* headers. Null when there is nothing usable.
 */
export function usableLinkBase(base: string | null | undefined, config: Config): string | null {
  if (!base) return null;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && !(config.isDevelopment && url.protocol === "http:")) return null;
  if (url.username || url.password) return null;
  return url.toString();
}

/** `base` (from usableLinkBase) with `?token=…` (kept alongside any query the app's URL already has). */
export function buildEmailLink(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set("token", token);
  return url.toString();
}

/** A greeting name for mail templates: display name, else name, else nothing. */
export function mailName(user: { displayName: string | null; name: string }): string | undefined {
  const name = (user.displayName || user.name || "").trim();
  return name ? name.slice(0, 200) : undefined;
}
