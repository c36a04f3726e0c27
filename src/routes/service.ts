import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../lib/types";
import { requireServiceKey, serviceActor } from "../middleware/service-key";
import { verifyApiKey } from "../services/api-keys";
import { recordAudit } from "../services/audit";
import { checkClaims, mintFirebaseToken } from "../services/firebase";
import { toIdentity } from "../services/identity";
import { resolveUserReference } from "../services/user-resolve";
import { createDb } from "../store/db";
import { ApiKeySchema } from "./api-key-schema";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
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

export const serviceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

serviceRoutes.openAPIRegistry.registerComponent("securitySchemes", "ServiceKey", {
  type: "apiKey",
  in: "header",
  name: "X-Service-Key",
  description: "A service key (`a2s_…`) with the route's scope.",
});

serviceRoutes.openapi(apiKeyVerifyRoute, async (c) => {
  const db = createDb(c.env.DB);
  const result = await verifyApiKey(db, c.var.config.publicBaseUrl, c.req.valid("json").api_key);
  const target = result.valid ? result.key.id : result.keyId;
  await recordAudit(
    db,
    {
      actor: serviceActor(c.var.serviceKey),
      action: "service.api_key_verify",
      target: target ? { type: "user_api_key", id: target } : undefined,
      outcome: result.valid ? "success" : "failure",
      details: result.valid ? { user_id: result.user.auth_user_id } : { reason: result.reason, user_id: result.userId },
    },
    c.var.meta,
  );
  if (result.valid) return c.json({ ok: true as const, valid: true as const, key: result.key, user: result.user }, 200);
  return c.json({ ok: true as const, valid: false as const, reason: result.reason }, 200);
});

serviceRoutes.openapi(userResolveRoute, async (c) => {
  const db = createDb(c.env.DB);
  const actor = serviceActor(c.var.serviceKey);
  const ref = c.req.valid("json");
  try {
    const user = await resolveUserReference(db, ref);
    await recordAudit(db, { actor, action: "service.user_resolve", target: { type: "user", id: user.id }, details: { by: ref.auth_user_id?.trim() ? "id" : "email" } }, c.var.meta);
    return c.json({ ok: true as const, user: toIdentity(user, c.var.config.publicBaseUrl) }, 200);
  } catch (err) {
    if (err instanceof AppError && err.code === "user_not_found") {
      await recordAudit(db, { actor, action: "service.user_resolve", outcome: "failure", details: { reason: "user_not_found" } }, c.var.meta);
    }
    throw err;
  }
});

serviceRoutes.openapi(firebaseTokenRoute, async (c) => {
  const db = createDb(c.env.DB);
  const body = c.req.valid("json");
  const claims = parseClaims(body.claims);
  const user = await resolveUserReference(db, body);
  if (user.status !== "active") throw new AppError("user_inactive");
  const minted = await mintFirebaseToken(c.env.FIREBASE_SERVICE_ACCOUNT, user.id, claims);
  await recordAudit(
    db,
    {
      actor: serviceActor(c.var.serviceKey),
      action: "service.firebase_custom_token",
      target: { type: "user", id: user.id },
      siteKey: body.site_key?.trim() || null,
      details: { claim_names: claims ? Object.keys(claims) : [], expires_at: minted.expires_at },
    },
    c.var.meta,
  );
  return c.json({ ok: true as const, ...minted }, 200);
});
