import type { MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../lib/types";
import { type ServicePrincipal, type ServiceScope, verifyServiceKey } from "../services/service-keys";
import { createDb } from "../store/db";

declare module "../lib/types" {
  interface AppVariables {
    /** Set by requireServiceKey: the key that authorised this service request. */
    serviceKey: ServicePrincipal;
  }
}

/**
 * Guards a service route. Only the `X-Service-Key` header counts (a key in the query string would
 * end up in logs and browser history). Every kind of bad key gets the same 401 so a caller learns
 * nothing about why; a live key without the route's scope gets 403 scope_denied.
 */
export function requireServiceKey(scope: ServiceScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await verifyServiceKey(createDb(c.env.DB), c.env.SERVICE_BOOTSTRAP_KEY, c.req.header("X-Service-Key"));
    if (!principal) throw new AppError("invalid_service_key");
    if (!principal.scopes.includes(scope)) throw new AppError("scope_denied");
    c.set("serviceKey", principal);
    return next();
  };
}

/** The audit actor for a service request. */
export function serviceActor(principal: ServicePrincipal) {
  return { type: "service" as const, id: principal.id };
}
