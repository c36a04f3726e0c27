import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { SERVICE_SCOPES, createServiceKey, listServiceKeys, revokeServiceKey } from "../services/keys/service-keys";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { EmptyOkSchema } from "./schemas";

const ServiceKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.enum(SERVICE_SCOPES)),
    created_by: z.string().nullable(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi("ServiceKey");

const createKeyRoute = createRoute({
  method: "post",
  path: "/api/admin/service_key_create",
  tags: ["Admin"],
  summary: "Creates a service key (the secret is shown once)",
  description:
    `For a backend that calls the service routes with \`X-Service-Key\`. \`scopes\`: one or more of ${SERVICE_SCOPES.join(", ")}. ` +
    "The answer holds the secret; Auth2 keeps only its SHA-256 and can never show it again.",
  request: { body: jsonBody(z.object({ name: z.string().trim().min(1).max(100), scopes: z.array(z.enum(SERVICE_SCOPES)).min(1).max(SERVICE_SCOPES.length) })) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), service_key: ServiceKeySchema, secret: z.string() })), ...errorResponses(400, 401, 403, 413, 415) },
});

const listKeysRoute = createRoute({
  method: "get",
  path: "/api/admin/service_key_list",
  tags: ["Admin"],
  summary: "Lists service keys",
  description: "Every key, newest first, revoked ones included (with revoked_at). Never a secret or hash.",
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), items: z.array(ServiceKeySchema) })), ...errorResponses(401, 403) },
});

const revokeKeyRoute = createRoute({
  method: "post",
  path: "/api/admin/service_key_revoke",
  tags: ["Admin"],
  summary: "Revokes a service key",
  description: "The next request with the key fails (401). Unknown id → 404; revoking twice changes nothing.",
  request: { body: jsonBody(z.object({ id: z.string().min(1).max(64) })) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...errorResponses(400, 401, 403, 404, 415) },
});

export const adminServiceKeyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createKeyRoute, async (c) => {
    const body = c.req.valid("json");
    const actor = { type: "admin" as const, id: c.var.auth.principalId };
    const { key, secret } = await createServiceKey(c.var.ctx, actor, { name: body.name, scopes: body.scopes, createdBy: c.var.auth.principalId });
    return c.json({ ok: true as const, service_key: key, secret }, 200);
  })
  .openapi(listKeysRoute, async (c) => c.json({ ok: true as const, items: await listServiceKeys(c.var.ctx) }, 200))
  .openapi(revokeKeyRoute, async (c) => {
    await revokeServiceKey(c.var.ctx, { type: "admin", id: c.var.auth.principalId }, c.req.valid("json").id);
    return c.json({ ok: true as const }, 200);
  });
