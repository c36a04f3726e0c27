import type { MiddlewareHandler } from "hono";
import { createContext } from "../context";
import { generateId } from "../crypto/random";
import { AppError } from "../lib/errors";
import { internalRequestId } from "../lib/internal-requests";
import { canonicalIp } from "../lib/ip";
import { productionProblems } from "../production-check";
import type { AppEnv } from "./app-env";
import { errorResponse } from "./errors";

const REFERRER_FREE = /^\/api\/auth_(password_reset|onboarding)_/;

/**
 * Builds the request context (c.var.ctx: storage ports, config, secrets, meta, clock, defer) once per
 * request, gives every request an id (X-Request-Id), and puts the security headers on every response.
 * The only middleware that builds what services use; everything after it reads c.var.ctx.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = internalRequestId(c.req.raw) ?? generateId(12);
  c.set("requestId", requestId);
  // Only Cloudflare's own header is trusted: X-Forwarded-For is set by the client and means nothing.
  // One spelling per client (an IPv4-mapped IPv6 address is its IPv4 address): audit rows, sessions
  // and limiter keys all see the same address however the edge wrote it.
  const ip = canonicalIp(c.req.header("CF-Connecting-IP")?.trim() || "0.0.0.0");
  const meta = { requestId, ip, userAgent: (c.req.header("User-Agent") ?? "").slice(0, 512) };
  let waitUntil: ((work: Promise<unknown>) => void) | null = null;
  try {
    const executionCtx = c.executionCtx;
    waitUntil = (work) => executionCtx.waitUntil(work);
  } catch {
    // The app driven without an execution context (never in production): deferred work just runs on.
  }
  c.set("ctx", createContext(c.env, { meta, waitUntil }));
  c.set("body", {});
  // Production mode with a missing secret or a development value: refuse everything (the log line
  // written once per isolate names what is wrong; the client learns only that it is not configured).
  if (productionProblems(c.env).length > 0) c.res = errorResponse(c, new AppError("not_configured"));
  else await next();
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
