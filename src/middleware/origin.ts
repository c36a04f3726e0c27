import type { Context } from "hono";
import { AppError } from "../lib/errors";
import type { AppEnv } from "./app-env";

/**
 * Browser requests that sign in or act on a cookie must come from Auth2 itself or from an origin the
 * site lists exactly. A browser sends Origin on every cross-origin POST; without one, a request that
 * says `Sec-Fetch-Site: cross-site` is refused too, and `Origin: null` (sandboxed frames, file://)
 * never passes. Requests without either header (server-side clients) are not browser-driven.
 */
export function assertOriginAllowed(c: Context<AppEnv>, allowedOrigins: readonly string[]): void {
  const origin = c.req.header("Origin");
  const fetchSite = c.req.header("Sec-Fetch-Site");
  if (origin === undefined || origin === "") {
    if (fetchSite === "cross-site") throw new AppError("origin_not_allowed");
    return;
  }
  if (origin === "null") throw new AppError("origin_not_allowed");
  if (origin === new URL(c.var.ctx.config.publicBaseUrl).origin) return;
  if (!allowedOrigins.includes(origin)) throw new AppError("origin_not_allowed");
}
