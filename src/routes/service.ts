import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { requireServiceKey, serviceValidationHook } from "../middleware/service-key";
import { mintFirebaseTokenForService, resolveUserForService, verifyApiKeyForService } from "../services/keys/service-calls";
import { toIdentity } from "../services/users/identity";
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
    const result = await verifyApiKeyForService(c.var.ctx, c.var.serviceCall, c.req.valid("json").api_key);
    if (result.valid) return c.json({ ok: true as const, valid: true as const, key: result.key, user: result.user }, 200);
    return c.json({ ok: true as const, valid: false as const, reason: result.reason }, 200);
  },
);

serviceRoutes.openapi(
  userResolveRoute,
  async (c) => {
    const user = await resolveUserForService(c.var.ctx, c.var.serviceCall, c.req.valid("json"));
    return c.json({ ok: true as const, user: toIdentity(user, c.var.ctx.config.publicBaseUrl) }, 200);
  },
);

serviceRoutes.openapi(
  firebaseTokenRoute,
  async (c) => {
    const minted = await mintFirebaseTokenForService(c.var.ctx, c.var.serviceCall, c.req.valid("json"));
    return c.json({ ok: true as const, ...minted }, 200);
  },
);
