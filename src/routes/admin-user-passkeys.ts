import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { deleteUserPasskeys, listUserPasskeys } from "../services/passkeys/manage";
import { UserIdField } from "./admin-schemas";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { PasskeyIdField, PasskeySchema } from "./passkey-schemas";

const listRoute = createRoute({
  method: "get",
  path: "/api/admin/user_passkeys_list",
  tags: ["Admin"],
  summary: "Lists a user's passkeys",
  description: "Every passkey of the user, oldest first: name, created, last used, provider, backed-up state, and `flagged_at` for one refused after a counter regression. 404 `user_not_found` for an unknown id.",
  request: { query: z.object({ auth_user_id: UserIdField }) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), passkeys: z.array(PasskeySchema) })), ...errorResponses(400, 401, 403, 404) },
});

const deleteRoute = createRoute({
  method: "post",
  path: "/api/admin/user_passkeys_delete",
  tags: ["Admin"],
  summary: "Removes one or all of a user's passkeys",
  description:
    "With `passkey_id`: that passkey (404 `passkey_not_found` when the user has no such passkey); without: every passkey of the user (a lost " +
    "device). They stop working at once; sessions and the account stay as they are. Audited as `user.passkeys_delete`.",
  request: { body: jsonBody(z.object({ auth_user_id: UserIdField, passkey_id: PasskeyIdField.optional() })) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), deleted: z.number().int() })), ...errorResponses(400, 401, 403, 404, 413, 415) },
});

export const adminUserPasskeyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listRoute, async (c) => {
    const passkeys = await listUserPasskeys(c.var.ctx, c.req.valid("query").auth_user_id);
    return c.json({ ok: true as const, passkeys }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    const deleted = await deleteUserPasskeys(c.var.ctx, c.var.auth.principalId, c.req.valid("json"));
    return c.json({ ok: true as const, deleted }, 200);
  });
