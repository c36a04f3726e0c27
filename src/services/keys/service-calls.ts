import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import type { IdentityRow } from "../../store/users";
import { deferAudit } from "../audit/deferred";
import { recordAudit } from "../audit/record";
import { type UserReference, referenceKind, userReferenceLookup } from "../users/resolve";
import { type ApiKeyVerification, apiKeyLookup, judgeApiKey } from "./api-keys";
import { checkClaims, mintFirebaseToken } from "./firebase";
import { type ServiceCall, authorizeServiceCall } from "./service-auth";
import type { ServicePrincipal } from "./service-keys";

// The service calls backends make. The read-only ones (auth_api_key_verify, service/user_resolve)
// are called on every request of theirs: ONE D1 round trip each (the service-key check and the
// route's read in one statement, see authorizeServiceCall) and an audit row written right after the
// response (audit/deferred.ts). Minting a Firebase token is recorded before the token is handed out.

export function serviceActor(principal: ServicePrincipal) {
  return { type: "service" as const, id: principal.id };
}

/** auth_api_key_verify: valid:true with the key and its owner, or valid:false with the reason. Audited either way. */
export async function verifyApiKeyForService(ctx: Ctx, call: ServiceCall, presented: string): Promise<ApiKeyVerification> {
  const { principal, result } = await authorizeServiceCall(ctx, call, () => apiKeyLookup(ctx, presented));
  const verification = await judgeApiKey(ctx, result);
  const target = verification.valid ? verification.key.id : verification.keyId;
  deferAudit(ctx, {
    actor: serviceActor(principal),
    action: "service.api_key_verify",
    target: target ? { type: "user_api_key", id: target } : undefined,
    outcome: verification.valid ? "success" : "failure",
    details: verification.valid ? { user_id: verification.user.auth_user_id } : { reason: verification.reason, user_id: verification.userId },
  });
  return verification;
}

/** service/user_resolve: the user (any status) or 404 user_not_found. Audited either way. */
export async function resolveUserForService(ctx: Ctx, call: ServiceCall, ref: UserReference): Promise<IdentityRow> {
  const { principal, result: user } = await authorizeServiceCall(ctx, call, () => userReferenceLookup(ctx, ref));
  const actor = serviceActor(principal);
  if (!user) {
    deferAudit(ctx, { actor, action: "service.user_resolve", outcome: "failure", details: { reason: "user_not_found" } });
    throw new AppError("user_not_found");
  }
  deferAudit(ctx, { actor, action: "service.user_resolve", target: { type: "user", id: user.id }, details: { by: referenceKind(ref) } });
  return user;
}

function parseClaims(raw: Record<string, unknown> | string | undefined): Record<string, unknown> | undefined {
  if (typeof raw !== "string") return checkClaims(raw);
  if (raw.trim() === "") return undefined;
  try {
    return checkClaims(JSON.parse(raw));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("invalid_request", { fields: { claims: "Not valid JSON" } });
  }
}

export interface FirebaseTokenInput extends UserReference {
  claims?: Record<string, unknown> | string | undefined;
  site_key?: string | undefined;
}

/** firebase_custom_token: a custom token whose uid is the auth_user_id of an active user. */
export async function mintFirebaseTokenForService(ctx: Ctx, call: ServiceCall, input: FirebaseTokenInput): Promise<{ token: string; uid: string; expires_at: string }> {
  let claims: Record<string, unknown> | undefined;
  // Claims and the user reference are checked inside the read builder: a bad request is answered only after the key passed.
  const { principal, result: user } = await authorizeServiceCall(ctx, call, () => {
    claims = parseClaims(input.claims);
    return userReferenceLookup(ctx, input);
  });
  if (!user) throw new AppError("user_not_found");
  if (user.status !== "active") throw new AppError("user_inactive");
  const minted = await mintFirebaseToken(ctx.secrets.firebaseServiceAccount, user.id, claims, ctx.now);
  // Minting is recorded before the token is handed out.
  await recordAudit(ctx, {
    actor: serviceActor(principal),
    action: "service.firebase_custom_token",
    target: { type: "user", id: user.id },
    siteKey: input.site_key?.trim() || null,
    details: { claim_names: claims ? Object.keys(claims) : [], expires_at: minted.expires_at },
  });
  return minted;
}
