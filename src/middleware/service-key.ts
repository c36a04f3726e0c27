import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../lib/types";
import { validationHook } from "../routes/common";
import type { ServiceCallContext } from "../services/service-calls";
import { type ServiceCall, authorizeServiceCall, screenServiceKey } from "../services/service-auth";
import type { ServiceScope } from "../services/service-keys";
import { createDb } from "../store/db";

declare module "../lib/types" {
  interface AppVariables {
    /** Set by requireServiceKey: the screened key and the scope; the route authorises it with authorizeServiceCall. */
    serviceCall: ServiceCall;
  }
}

/**
 * Guards a service route. Only the `X-Service-Key` header counts (a key in the query string would
 * end up in logs and browser history). The checks that need no storage happen here (every kind of
 * bad key → the same 401); the key's row is looked up by the route's authorizeServiceCall in the
 * same D1 statement as the route's own read (401 invalid_service_key, 403 scope_denied), so a call
 * costs one round trip. A route that answers successfully without having authorised the key is a
 * bug: it becomes a 500 here instead of a response.
 */
export function requireServiceKey(scope: ServiceScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = screenServiceKey(c.env.SERVICE_BOOTSTRAP_KEY, c.req.header("X-Service-Key"));
    if (!credential) throw new AppError("invalid_service_key");
    const call: ServiceCall = { scope, credential, principal: null };
    c.set("serviceCall", call);
    await next();
    if (call.principal === null && c.res.status < 400) throw new Error(`service route ${c.req.path} answered without authorising its key`);
  };
}

/**
 * The validation hook of service routes: a request that fails validation is answered 400 only after
 * its key passed (401/403 first), as when the key was checked before validation.
 */
export async function serviceValidationHook(result: Parameters<typeof validationHook>[0], c: Context<AppEnv>): Promise<undefined> {
  if (!result.success) await authorizeServiceCall(createDb(c.env.DB), c.var.serviceCall, null);
  await validationHook(result, c);
  return undefined;
}

/** What the service calls need from the request: its meta and ctx.waitUntil. */
export function serviceCallContext(c: Context<AppEnv>): ServiceCallContext {
  return { meta: c.var.meta, defer: (work) => c.executionCtx.waitUntil(work) };
}
