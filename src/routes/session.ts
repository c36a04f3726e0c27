import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { requireNamedSiteInStrictMode, requireUserSession } from "../middleware/session";
import { logoutUser } from "../services/sessions/logout";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { clearSessionCookie } from "./cookies";
import { EmptyOkSchema, SessionInfoSchema, UserSchema, formBoolean } from "./schemas";

const meRoute = createRoute({
  method: "get",
  path: "/api/auth_me",
  tags: ["App"],
  summary: "Returns the signed-in user and their session",
  description:
    "Session checks and profile bootstrap after login. Send `Authorization: Bearer <token>` or the `__Host-auth2_session` cookie, " +
    "and your site key (`X-Site-Key` header or `site_key` query parameter): a session issued for another site then answers the same 401 " +
    "as an unknown token, so a token one app received cannot be replayed against another. With SITE_REGISTRY_MODE=strict the site key " +
    "is required (400 without it). Answered from the user's Durable Object alone (no database read); a disabled, deleted or logged-out user fails at once.",
  middleware: [requireNamedSiteInStrictMode, requireUserSession] as const,
  request: { query: z.object({ site_key: z.string().max(64).optional().openapi({ description: "Your site key (or the X-Site-Key header)" }) }) },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), user: UserSchema, session: SessionInfoSchema })),
    ...errorResponses(400, 401),
  },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/api/auth_logout",
  tags: ["App"],
  summary: "Ends the current session (or, with all: true, every session of the user)",
  description: "Signing users out of Auth2-backed flows. The token fails on the very next request.",
  middleware: [requireUserSession] as const,
  request: { body: jsonBody(z.object({ all: formBoolean.optional() })) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...errorResponses(400, 401, 403) },
});

export const sessionRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(meRoute, (c) => {
    const auth = c.var.auth;
    return c.json(
      {
        ok: true as const,
        user: auth.identity as unknown as z.infer<typeof UserSchema>,
        session: {
          id: auth.sessionId,
          site_key: auth.siteKey,
          created_at: new Date(auth.createdAt).toISOString(),
          expires_at: new Date(auth.expiresAt).toISOString(),
          factors: auth.factors,
          authenticated_at: new Date(auth.authenticatedAt).toISOString(),
        },
      },
      200,
    );
  })
  .openapi(logoutRoute, async (c) => {
    await logoutUser(c.var.ctx, c.var.auth, c.req.valid("json").all === true);
    clearSessionCookie(c, "user");
    return c.json({ ok: true as const }, 200);
  });
