import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { AppError } from "../lib/errors";
import { isAdminSessionCurrent } from "../services/admin/accounts";
import { isAdminCsrfTokenValid } from "../services/admin/csrf";
import { ADMIN_COOKIE, type PrincipalKind, USER_COOKIE, authenticateSession } from "../services/sessions/sessions";
import { resolveSite } from "../services/sites/resolve";
import type { AppEnv } from "./app-env";
import { assertOriginAllowed } from "./origin";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The session token a request presents: `Authorization: Bearer …` first, else the cookie. */
export function presentedToken(c: Context<AppEnv>, kind: PrincipalKind): { token: string; via: "bearer" | "cookie" } | null {
  const header = c.req.header("Authorization");
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
    return m ? { token: m[1]!, via: "bearer" } : null;
  }
  const cookie = getCookie(c, kind === "admin" ? ADMIN_COOKIE : USER_COOKIE);
  return cookie ? { token: cookie, via: "cookie" } : null;
}

/**
 * Cookie-authenticated writes must come from Auth2 itself or from an origin the session's site
 * allows (middleware/origin.ts). Bearer requests are not exposed to CSRF (a browser never adds the
 * header by itself).
 */
async function assertCookieOriginAllowed(c: Context<AppEnv>, siteKey: string): Promise<void> {
  const origin = c.req.header("Origin");
  const needsSite = origin !== undefined && origin !== "" && origin !== "null" && origin !== new URL(c.var.ctx.config.publicBaseUrl).origin;
  const site = needsSite ? await resolveSite(c.var.ctx, siteKey).catch(() => null) : null;
  assertOriginAllowed(c, site?.allowed_origins ?? []);
}

/** The site a request names: body `site_key`, else query `site_key` (GET), else `X-Site-Key`; null when none. */
export function namedSiteKey(c: Context<AppEnv>): string | null {
  const fromBody = c.var.body?.site_key;
  const raw = typeof fromBody === "string" && fromBody !== "" ? fromBody : (c.req.query("site_key") || c.req.header("X-Site-Key") || "");
  const key = raw.trim();
  return key === "" ? null : key;
}

/**
 * auth_me in strict registry mode: the caller must name its site, so a session can only ever be
 * checked for the site it was issued to (400 before anything about the token is said).
 */
export const requireNamedSiteInStrictMode: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.ctx.config.siteRegistryMode === "strict" && namedSiteKey(c) === null) {
    throw new AppError("invalid_request", { message: "site_key is required.", fields: { site_key: "Required" } });
  }
  return next();
};

/**
 * Guards a route with a session of `kind`: 401 unauthenticated without a live one. A user session is
 * bound to the site it was issued for: when the request names a site (site_key / X-Site-Key), a
 * session of another site answers the same 401 as an unknown token, so one app cannot replay its
 * users' tokens against another.
 */
export function requireSession(kind: PrincipalKind): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = presentedToken(c, kind);
    const ctx = c.var.ctx;
    const result = presented ? await authenticateSession(ctx, presented.token, kind) : null;
    if (!presented || !result) throw new AppError("unauthenticated");
    if (kind === "user") {
      const named = namedSiteKey(c);
      if (named !== null && named !== result.session.site_key) throw new AppError("unauthenticated");
    }
    if (kind === "admin" && !(await isAdminSessionCurrent(ctx, result.principalId, result.session.created_at))) {
      throw new AppError("unauthenticated");
    }
    if (presented.via === "cookie" && !SAFE_METHODS.has(c.req.method)) {
      await assertCookieOriginAllowed(c, result.session.site_key);
      // Admin cookie writes also need the session's CSRF token: a second line behind SameSite=Strict
      // and the Origin check (a same-site sibling page or a browser without Origin cannot supply it).
      if (kind === "admin" && !isAdminCsrfTokenValid(ctx, result.session.id, c.req.header("X-CSRF-Token"))) {
        throw new AppError("csrf_token_invalid");
      }
    }
    c.set("auth", {
      kind,
      principalId: result.principalId,
      sessionId: result.session.id,
      siteKey: result.session.site_key,
      factors: result.session.factors,
      createdAt: result.session.created_at,
      authenticatedAt: result.session.authenticated_at,
      expiresAt: result.session.expires_at,
      identity: result.identity,
      token: presented.token,
      via: presented.via,
    });
    return next();
  };
}

export const requireUserSession = requireSession("user");
export const requireAdminSession = requireSession("admin");
