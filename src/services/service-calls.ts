import { AppError } from "../lib/errors";
import type { RequestMeta } from "../lib/types";
import type { Db } from "../store/db";
import type { IdentityRow } from "../store/users";
import { type ApiKeyVerification, apiKeyLookup, judgeApiKey } from "./api-keys";
import { type Defer, deferAudit } from "./audit-deferred";
import { type ServiceCall, authorizeServiceCall } from "./service-auth";
import type { ServicePrincipal } from "./service-keys";
import { type UserReference, referenceKind, userReferenceLookup } from "./user-resolve";

/**
 * The read-only service calls backends make on every request of theirs. Each is ONE D1 round trip
 * (the service-key check and the route's read in one statement, see authorizeServiceCall) and an audit
 * row written right after the response (audit-deferred.ts).
 */
export interface ServiceCallContext {
  meta: RequestMeta | null;
  /** ctx.waitUntil: keeps the runtime alive until the audit row is written. */
  defer: Defer;
}

export function serviceActor(principal: ServicePrincipal) {
  return { type: "service" as const, id: principal.id };
}

/** auth_api_key_verify: valid:true with the key and its owner, or valid:false with the reason. Audited either way. */
export async function verifyApiKeyForService(
  db: Db,
  call: ServiceCall,
  publicBaseUrl: string,
  presented: string,
  context: ServiceCallContext,
  now = Date.now(),
): Promise<ApiKeyVerification> {
  const { principal, result } = await authorizeServiceCall(db, call, () => apiKeyLookup(presented), now);
  const verification = await judgeApiKey(db, publicBaseUrl, result, now);
  const target = verification.valid ? verification.key.id : verification.keyId;
  deferAudit(
    db,
    {
      actor: serviceActor(principal),
      action: "service.api_key_verify",
      target: target ? { type: "user_api_key", id: target } : undefined,
      outcome: verification.valid ? "success" : "failure",
      details: verification.valid ? { user_id: verification.user.auth_user_id } : { reason: verification.reason, user_id: verification.userId },
    },
    context.meta,
    context.defer,
    now,
  );
  return verification;
}

/** service/user_resolve: the user (any status) or 404 user_not_found. Audited either way. */
export async function resolveUserForService(db: Db, call: ServiceCall, ref: UserReference, context: ServiceCallContext, now = Date.now()): Promise<IdentityRow> {
  const { principal, result } = await authorizeServiceCall(db, call, () => userReferenceLookup(ref), now);
  const user = result;
  const actor = serviceActor(principal);
  if (!user) {
    deferAudit(db, { actor, action: "service.user_resolve", outcome: "failure", details: { reason: "user_not_found" } }, context.meta, context.defer, now);
    throw new AppError("user_not_found");
  }
  deferAudit(db, { actor, action: "service.user_resolve", target: { type: "user", id: user.id }, details: { by: referenceKind(ref) } }, context.meta, context.defer, now);
  return user;
}
