import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { listUserSessions, revokeUserSessions } from "../services/sessions/user-sessions";
import { UserIdField } from "./admin-schemas";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";

const AdminSessionSchema = z
  .object({
    id: z.string(),
    site_key: z.string(),
    created_at: z.string().openapi({ format: "date-time" }),
    last_seen_at: z.string().openapi({ format: "date-time", description: "Recorded at most once a minute (every quarter of the idle timeout when that is shorter)" }),
    expires_at: z.string().openapi({ format: "date-time", description: "The absolute end of the session" }),
    idle_expires_at: z.string().openapi({ format: "date-time", description: "When it ends if it is not used again" }),
    ip: z.string(),
    user_agent: z.string(),
    factors: z.array(z.string()),
  })
  .openapi("AdminUserSession");

const listRoute = createRoute({
  method: "get",
  path: "/api/admin/user_sessions_list",
  tags: ["Admin"],
  summary: "Lists a user's live sessions",
  description: "Every live session of the user (all sites), oldest first, with where and how it was started. 404 `user_not_found` for an unknown id.",
  request: { query: z.object({ auth_user_id: UserIdField }) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), sessions: z.array(AdminSessionSchema) })), ...errorResponses(400, 401, 403, 404) },
});

const revokeRoute = createRoute({
  method: "post",
  path: "/api/admin/user_sessions_revoke",
  tags: ["Admin"],
  summary: "Ends one or all of a user's sessions without disabling the account",
  description:
    "With `session_id`: that session (404 `session_not_found` when it is not live); without: every session of the user. The tokens fail on " +
    "the very next request; the account, its password and its API keys stay as they are (use user_disable to lock the account). Audited as " +
    "`user.sessions_revoke` with the number ended.",
  request: { body: jsonBody(z.object({ auth_user_id: UserIdField, session_id: z.string().min(1).max(64).optional() })) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), revoked: z.number().int() })), ...errorResponses(400, 401, 403, 404, 413, 415) },
});

export const adminUserSessionRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listRoute, async (c) => {
    const sessions = await listUserSessions(c.var.ctx, c.req.valid("query").auth_user_id);
    return c.json({ ok: true as const, sessions }, 200);
  })
  .openapi(revokeRoute, async (c) => {
    const revoked = await revokeUserSessions(c.var.ctx, c.var.auth.principalId, c.req.valid("json"));
    return c.json({ ok: true as const, revoked }, 200);
  });
