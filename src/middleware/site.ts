import type { MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors";
import { assertSiteActive, resolveSite } from "../services/sites/resolve";
import type { AppEnv } from "./app-env";

/**
 * Resolves `site_key` (body field, else X-Site-Key header) into `c.var.site`. `requireActive`
 * (login-type routes) refuses inactive sites with 403 site_inactive.
 */
export function siteContext(options: { requireActive: boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const fromBody = c.var.body.site_key;
    const raw = typeof fromBody === "string" && fromBody !== "" ? fromBody : (c.req.header("X-Site-Key") ?? "");
    const siteKey = raw.trim();
    if (!siteKey) {
      throw new AppError("invalid_request", { message: "site_key is required.", fields: { site_key: "Required" } });
    }
    if (siteKey.length > 64) {
      throw new AppError("invalid_request", { fields: { site_key: "At most 64 characters" } });
    }
    const site = await resolveSite(c.var.ctx, siteKey);
    if (options.requireActive) assertSiteActive(site);
    c.set("site", site);
    return next();
  };
}
