import type { MiddlewareHandler } from "hono";
import { readConfig } from "../env";
import { generateId } from "../crypto/random";
import { internalRequestId } from "../lib/internal-requests";
import type { AppEnv } from "../lib/types";

const REFERRER_FREE = /^\/api\/auth_(password_reset|onboarding)_/;

/**
 * Gives every request an id (X-Request-Id), the parsed config and the client's address, and puts
 * the security headers on every response.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = internalRequestId(c.req.raw) ?? generateId(12);
  c.set("requestId", requestId);
  c.set("config", readConfig(c.env));
  // Only Cloudflare's own header is trusted: X-Forwarded-For is set by the client and means nothing.
  const ip = c.req.header("CF-Connecting-IP")?.trim() || "0.0.0.0";
  c.set("meta", { requestId, ip, userAgent: (c.req.header("User-Agent") ?? "").slice(0, 512) });
  c.set("body", {});
  await next();
  const h = c.res.headers;
  h.set("X-Request-Id", requestId);
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  h.set("X-Frame-Options", "DENY");
  if (!h.has("Content-Security-Policy")) h.set("Content-Security-Policy", "frame-ancestors 'none'");
  if (!h.has("Referrer-Policy")) {
    h.set("Referrer-Policy", REFERRER_FREE.test(c.req.path) ? "no-referrer" : "strict-origin-when-cross-origin");
  }
  if (c.req.path.startsWith("/api/") && !h.has("Cache-Control")) h.set("Cache-Control", "no-store");
};
