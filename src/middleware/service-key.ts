import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors";
import { validationHook } from "../routes/common";
import { type ServiceCall, authorizeServiceCall, screenServiceKey } from "../services/keys/service-auth";
import type { ServiceScope } from "../services/keys/service-keys";
import type { AppEnv } from "./app-env";

declare module "./app-env" {
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
    const credential = screenServiceKey(c.var.ctx.secrets.bootstrapServiceKey, c.req.header("X-Service-Key"));
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
  if (!result.success) await authorizeServiceCall(c.var.ctx, c.var.serviceCall, null);
  await validationHook(result, c);
  return undefined;
}
