import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { requireUserSession } from "../middleware/session";
import { MAX_ACTIVE_API_KEYS, createApiKey, listApiKeys, revokeApiKey } from "../services/keys/api-keys";
import { ApiKeySchema } from "./api-key-schema";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { EmptyOkSchema, formInt } from "./schemas";

const ACCESS =
  "Acts only on the signed-in user's own keys: a `user_id` in the body is ignored. Access: Staff (user session: Bearer token or cookie).";

const createKeyRoute = createRoute({
  method: "post",
  path: "/api/auth_api_keys_create",
  tags: ["Staff"],
  summary: "Create an API key for the signed-in user",
  description:
    "For scripts and integrations acting as the user: backends check the key with `auth_api_key_verify`. The `secret` " +
    `(\`a2k_…\`) is shown only in this answer; Auth2 keeps only its SHA-256. At most ${MAX_ACTIVE_API_KEYS} active keys ` +
    "(409 `api_key_limit_reached`). `scopes` are app-defined names stored with the key and reported on verify; " +
    `\`expires_in_days\` (1 to 3650) is optional (no expiry without it). ${ACCESS}`,
  middleware: [requireUserSession] as const,
  request: {
    body: jsonBody(
      z.object({
        name: z.string().max(400),
        scopes: z.array(z.string().max(64)).max(20).optional(),
        expires_in_days: formInt.nullable().optional(),
      }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), key: ApiKeySchema, secret: z.string().openapi({ description: "Shown once" }) })),
    ...errorResponses(400, 401, 403, 409, 413, 415),
  },
});

const listKeysRoute = createRoute({
  method: "get",
  path: "/api/auth_api_keys_list",
  tags: ["Staff"],
  summary: "List the signed-in user's API keys",
  description: `Unrevoked keys (expired ones included), newest first. Never a secret or hash. ${ACCESS}`,
  middleware: [requireUserSession] as const,
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), keys: z.array(ApiKeySchema) })),
    ...errorResponses(401),
  },
});

const revokeKeyRoute = createRoute({
  method: "post",
  path: "/api/auth_api_keys_revoke",
  tags: ["Staff"],
  summary: "Revoke one of the signed-in user's API keys",
  description: `The key fails verification on the next call. Another user's key id (or an unknown one) → 404 \`not_found\`. ${ACCESS}`,
  middleware: [requireUserSession] as const,
  request: { body: jsonBody(z.object({ id: z.string().min(1).max(64) })) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...errorResponses(400, 401, 403, 404, 413, 415) },
});

export const apiKeyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createKeyRoute, async (c) => {
    const body = c.req.valid("json");
    const made = await createApiKey(c.var.ctx, c.var.auth.principalId, body);
    return c.json({ ok: true as const, key: made.key, secret: made.secret }, 200);
  })
  .openapi(listKeysRoute, async (c) => {
    return c.json({ ok: true as const, keys: await listApiKeys(c.var.ctx, c.var.auth.principalId) }, 200);
  })
  .openapi(revokeKeyRoute, async (c) => {
    await revokeApiKey(c.var.ctx, c.var.auth.principalId, c.req.valid("json").id);
    return c.json({ ok: true as const }, 200);
  });
