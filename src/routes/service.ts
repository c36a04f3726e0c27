import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../lib/types";
import { requireServiceKey, serviceCallContext, serviceValidationHook } from "../middleware/service-key";
import { recordAudit } from "../services/audit";
import { checkClaims, mintFirebaseToken } from "../services/firebase";
import { toIdentity } from "../services/identity";
import { authorizeServiceCall } from "../services/service-auth";
import { resolveUserForService, serviceActor, verifyApiKeyForService } from "../services/service-calls";
import { userReferenceLookup } from "../services/user-resolve";
import { createDb } from "../store/db";
import { ApiKeySchema } from "./api-key-schema";
import { errorResponses, jsonBody, jsonResponse } from "./common";
import { UserSchema } from "./schemas";

const SERVICE_SECURITY = [{ ServiceKey: [] }];
const ACCESS = "Access: Service (`X-Service-Key` header with the scope named here; a key in the query string is ignored).";

const UserReferenceFields = {
  auth_user_id: z.string().max(128).optional().openapi({ description: "Give this or email" }),
  email: z.string().max(320).optional().openapi({ description: "Give this or auth_user_id; normalised before lookup" }),
};

const apiKeyVerifyRoute = createRoute({
  method: "post",
  path: "/api/auth_api_key_verify",
  tags: ["Service"],
  summary: "Check a user's API key and learn whose it is",
  description:
    "For backends that accept Auth2 API keys (`a2k_…`) from their callers. Answers `valid:true` with the key's metadata " +
    "and the owner's canonical identity, or `valid:false` with `reason` (`unknown`, `revoked`, `expired`, `owner_inactive`). " +
    "Revocation is visible on the next call. `last_used_at` is updated at most once a minute. Every call is audited. " +
    `Scope: \`api_key_verify\`. ${ACCESS}`,
  security: SERVICE_SECURITY,
  middleware: [requireServiceKey("api_key_verify")] as const,
  request: { body: jsonBody(z.object({ api_key: z.string().min(1).max(512) })) },
  responses: {
    200: jsonResponse(
      z.union([
        z.object({ ok: z.literal(true), valid: z.literal(true), key: ApiKeySchema, user: UserSchema }),
        z.object({ ok: z.literal(true), valid: z.literal(false), reason: z.enum(["unknown", "revoked", "expired", "owner_inactive"]) }),
      ]),
    ),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

const userResolveRoute = createRoute({
  method: "post",
  path: "/api/service/user_resolve",
  tags: ["Service"],
  summary: "Look up a user's canonical identity by id or email",
  description:
    "Give exactly one of `auth_user_id` or `email`. Answers the canonical identity (any status: check `status`), or 404 " +
    `\`user_not_found\`. Every call is audited. Scope: \`user_resolve\`. ${ACCESS}`,
  security: SERVICE_SECURITY,
  middleware: [requireServiceKey("user_resolve")] as const,
  request: { body: jsonBody(z.object(UserReferenceFields)) },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), user: UserSchema })),
    ...errorResponses(400, 401, 403, 404, 413, 415),
  },
});

const firebaseTokenRoute = createRoute({
  method: "post",
  path: "/api/firebase_custom_token",
  tags: ["Service"],
  summary: "Mint a Firebase custom token for an active user",
  description:
    "Signs an RS256 custom token with the configured Firebase service account (`uid` = auth_user_id, valid one hour) that " +
    "a client exchanges with Firebase Auth (`signInWithCustomToken`). Optional `claims`: an object (in a form post, its JSON " +
    "text) of at most 1000 bytes without reserved names (acr, amr, at_hash, aud, auth_time, azp, cnf, c_hash, exp, iat, iss, " +
    "jti, nbf, nonce, firebase). Only active users (403 `user_inactive`); 503 `firebase_not_configured` without a service " +
    `account. Every mint is audited. Scope: \`firebase_token\`. ${ACCESS}`,
  security: SERVICE_SECURITY,
  middleware: [requireServiceKey("firebase_token")] as const,
  request: {
    body: jsonBody(
      z.object({
        ...UserReferenceFields,
        claims: z.union([z.record(z.string(), z.unknown()), z.string().max(4096)]).optional(),
        site_key: z.string().max(64).optional().openapi({ description: "The app asking (recorded in the audit row)" }),
      }),
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({
        ok: z.literal(true),
        token: z.string(),
        uid: z.string(),
        expires_at: z.string(),
      }),
    ),
    ...errorResponses(400, 401, 403, 404, 413, 415, 503),
  },
});

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

// Every route here is a service route: its validation answers 400 only after the key passed.
export const serviceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: serviceValidationHook });

serviceRoutes.openAPIRegistry.registerComponent("securitySchemes", "ServiceKey", {
  type: "apiKey",
  in: "header",
  name: "X-Service-Key",
  description: "A service key (`a2s_…`) with the route's scope.",
});

serviceRoutes.openapi(
  apiKeyVerifyRoute,
  async (c) => {
    const db = createDb(c.env.DB);
    const call = c.var.serviceCall;
    const result = await verifyApiKeyForService(db, call, c.var.config.publicBaseUrl, c.req.valid("json").api_key, serviceCallContext(c));
    if (result.valid) return c.json({ ok: true as const, valid: true as const, key: result.key, user: result.user }, 200);
    return c.json({ ok: true as const, valid: false as const, reason: result.reason }, 200);
  },
);

serviceRoutes.openapi(
  userResolveRoute,
  async (c) => {
    const user = await resolveUserForService(createDb(c.env.DB), c.var.serviceCall, c.req.valid("json"), serviceCallContext(c));
    return c.json({ ok: true as const, user: toIdentity(user, c.var.config.publicBaseUrl) }, 200);
  },
);

serviceRoutes.openapi(
  firebaseTokenRoute,
  async (c) => {
    const db = createDb(c.env.DB);
    const body = c.req.valid("json");
    let claims: Record<string, unknown> | undefined;
    // Claims and the user reference are checked inside the read builder: a bad request is answered only after the key passed.
    const { principal, result: user } = await authorizeServiceCall(db, c.var.serviceCall, () => {
      claims = parseClaims(body.claims);
      return userReferenceLookup(body);
    });
    if (!user) throw new AppError("user_not_found");
    if (user.status !== "active") throw new AppError("user_inactive");
    const minted = await mintFirebaseToken(c.env.FIREBASE_SERVICE_ACCOUNT, user.id, claims);
    // Minting is recorded before the token is handed out.
    await recordAudit(
      db,
      {
        actor: serviceActor(principal),
        action: "service.firebase_custom_token",
        target: { type: "user", id: user.id },
        siteKey: body.site_key?.trim() || null,
        details: { claim_names: claims ? Object.keys(claims) : [], expires_at: minted.expires_at },
      },
      c.var.meta,
    );
    return c.json({ ok: true as const, ...minted }, 200);
  },
);
