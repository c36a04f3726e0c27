import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { isOriginRegistered, resolveSite } from "../services/sites/resolve";

const ALLOW_METHODS = "GET, POST, OPTIONS";
const ALLOW_HEADERS = "Content-Type, Authorization, X-Site-Key";
const EXPOSE_HEADERS = "X-Request-Id, Retry-After";

function appendVary(headers: Headers, value: string): void {
  const current = headers.get("Vary");
  const have = new Set((current ?? "").split(",").map((v) => v.trim().toLowerCase()).filter(Boolean));
  const add = value.split(",").map((v) => v.trim()).filter((v) => !have.has(v.toLowerCase()));
  if (add.length) headers.set("Vary", [current, ...add].filter(Boolean).join(", "));
}

/** The origins of the site a request belongs to: the resolved site, the session's site, or the named site_key. */
async function allowedOrigins(c: Context<AppEnv>): Promise<readonly string[]> {
  const site = c.get("site") as AppEnv["Variables"]["site"] | undefined;
  if (site) return site.allowed_origins;
  const auth = c.get("auth") as AppEnv["Variables"]["auth"] | undefined;
  const fromBody = c.get("body")?.site_key;
  const siteKey = auth?.siteKey ?? (typeof fromBody === "string" && fromBody ? fromBody : c.req.header("X-Site-Key")?.trim());
  if (!siteKey) return [];
  const resolved = await resolveSite(c.var.ctx, siteKey).catch(() => null);
  return resolved?.status === "active" ? resolved.allowed_origins : [];
}

/**
 * CORS for the app routes, per site: Access-Control-Allow-Origin is sent only for an exact entry of
 * the site's allowed_origins (never reflected from the request, never `null`), with credentials.
 * A preflight carries neither body nor X-Site-Key value, so it is answered for origins some active
 * site lists; the real request is then checked against its own site.
 */
export const appCors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header("Origin");
  const usable = origin !== undefined && origin !== "" && origin !== "null";
  if (c.req.method === "OPTIONS") {
    const res = c.body(null, 204);
    appendVary(res.headers, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    if (usable && (await isOriginRegistered(c.var.ctx, origin))) {
      res.headers.set("Access-Control-Allow-Origin", origin);
      res.headers.set("Access-Control-Allow-Credentials", "true");
      res.headers.set("Access-Control-Allow-Methods", ALLOW_METHODS);
      res.headers.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
      res.headers.set("Access-Control-Max-Age", "600");
    }
    return res;
  }
  await next();
  appendVary(c.res.headers, "Origin");
  if (!usable) return;
  if ((await allowedOrigins(c)).includes(origin)) {
    c.res.headers.set("Access-Control-Allow-Origin", origin);
    c.res.headers.set("Access-Control-Allow-Credentials", "true");
    c.res.headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
  }
};
