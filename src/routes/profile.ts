import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { requireUserSession } from "../middleware/session";
import { assertOnlyProfileFields, updateOwnProfile } from "../services/users/profile";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { UserSchema } from "./schemas";

const field = (max: number, description: string) => z.string().max(max * 4).nullable().optional().openapi({ description });

const profileUpdateRoute = createRoute({
  method: "post",
  path: "/api/auth_profile_update",
  tags: ["Staff"],
  summary: "Change the signed-in user's own profile",
  description:
    "For an app's \"my profile\" screen. Send any of `name`, `display_name`, `phone`, `job_title`, `department`, `locale`, " +
    "`timezone`; values are trimmed, an empty string or null clears an optional field. Every other member (`email`, `status`, " +
    "`role`, `password`, ids, anything unknown) → 400 `field_not_allowed` and nothing changes (`site_key` is ignored). Returns " +
    "the canonical user; sessions see the change at once. Access: Staff (user session: Bearer token or cookie).",
  middleware: [requireUserSession] as const,
  request: {
    body: jsonBody(
      z.object({
        name: field(100, "1 to 100 characters"),
        display_name: field(100, "At most 100 characters"),
        phone: field(32, "Digits, spaces and + ( ) . / - (at most 32)"),
        job_title: field(100, "At most 100 characters"),
        department: field(100, "At most 100 characters"),
        locale: field(35, "BCP 47 language tag, e.g. de-CH"),
        timezone: field(64, "IANA time zone, e.g. Europe/Berlin"),
      }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), user: UserSchema })),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

export const profileRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(profileUpdateRoute, async (c) => {
  // The validator drops unknown members, so the check runs on the body exactly as the client sent it.
  assertOnlyProfileFields(c.var.body);
  const user = await updateOwnProfile(c.var.ctx, c.var.auth.principalId, c.req.valid("json"));
  return c.json({ ok: true as const, user }, 200);
});
