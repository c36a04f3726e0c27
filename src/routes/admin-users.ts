import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { resendOnboarding } from "../services/users/onboarding";
import { createUser, listUsers, updateUserByAdmin } from "../services/users/registry";
import { deleteUser, disableUser } from "../services/users/status";
import { CursorField, EmailField, LimitField, NameField, OptionalSiteKey, PasswordField, ProfileFields, UserIdField, UserStatusField } from "./admin-schemas";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { EmptyOkSchema, UserSchema, formBoolean } from "./schemas";

const UserOk = z.object({ ok: z.literal(true), user: UserSchema });
const writeErrors = errorResponses(400, 401, 403, 404, 409, 413, 415);

const createUserRoute = createRoute({
  method: "post",
  path: "/api/admin/user_create",
  tags: ["Admin"],
  summary: "Creates a pending user",
  description:
    "Registers a staff member: the email is normalised (trimmed, lower-cased) and must be unique (409 `email_taken`). The user is `pending` with no " +
    "password until onboarding. `send_onboarding: true` mails a 10-minute onboarding code (branding and link of `site_key` when given). " +
    "Fields such as `role` or `is_admin` are ignored.",
  request: {
    body: jsonBody(z.object({ email: EmailField, name: NameField, ...ProfileFields, send_onboarding: formBoolean.optional(), site_key: OptionalSiteKey })),
  },
  responses: { 200: jsonResponse(UserOk), ...writeErrors, ...errorResponses(429) },
});

const updateUserRoute = createRoute({
  method: "post",
  path: "/api/admin/user_update",
  tags: ["Admin"],
  summary: "Changes a user's profile, email, status or password",
  description:
    "Send `auth_user_id` and only the fields to change. A new email must be unique (409 `email_taken`) and is marked unverified. A new `password` " +
    "must pass the password rules. Changing `password` or `status` ends every session of the user at once.",
  request: {
    body: jsonBody(
      z.object({ auth_user_id: UserIdField, email: EmailField.optional(), name: NameField.optional(), ...ProfileFields, status: UserStatusField.optional(), password: PasswordField.optional() }),
    ),
  },
  responses: { 200: jsonResponse(UserOk), ...writeErrors },
});

const listUsersRoute = createRoute({
  method: "get",
  path: "/api/admin/user_list",
  tags: ["Admin"],
  summary: "Lists users, newest first",
  description:
    "`q` finds users whose email, name, or name after its first space (surname) starts with it (case-insensitive; `%` and `_` are literal); " +
    "a `q` starting with `@` also finds users whose email domain starts with it (`@example` finds ann@example.com). " +
    "`status` filters. Cursor pagination: pass `next_cursor` back as `cursor`; " +
    "the order is stable (created_at, then id) and users created between pages never make a row repeat or go missing. `limit` 1–100 (default 50).",
  request: { query: z.object({ q: z.string().max(100).optional(), status: UserStatusField.optional(), cursor: CursorField, limit: LimitField }) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), items: z.array(UserSchema), next_cursor: z.string().nullable() })), ...errorResponses(400, 401, 403) },
});

const UserRef = z.object({ auth_user_id: UserIdField });

const disableUserRoute = createRoute({
  method: "post",
  path: "/api/admin/user_disable",
  tags: ["Admin"],
  summary: "Disables a user",
  description: "The user can no longer log in; every session ends at once and their API keys stop verifying (`owner_inactive`). Re-enable with user_update status `active`.",
  request: { body: jsonBody(UserRef) },
  responses: { 200: jsonResponse(UserOk), ...writeErrors },
});

const deleteUserRoute = createRoute({
  method: "post",
  path: "/api/admin/user_delete",
  tags: ["Admin"],
  summary: "Deletes a user",
  description: "Removes the user, their sessions, API keys and avatar. Audit rows about them are kept. Cannot be undone.",
  request: { body: jsonBody(UserRef) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...writeErrors },
});

const resendRoute = createRoute({
  method: "post",
  path: "/api/admin/user_onboarding_resend",
  tags: ["Admin"],
  summary: "Sends a pending user a new onboarding code",
  description: "By `auth_user_id` or `email`. Only for `pending` users (409 otherwise). The previous code stops working. 429 `resend_too_soon` with `retry_after` within 60 s of the last one.",
  request: {
    body: jsonBody(
      z
        .object({ auth_user_id: UserIdField.optional(), email: EmailField.optional(), site_key: OptionalSiteKey })
        .refine((v) => v.auth_user_id !== undefined || v.email !== undefined, { message: "auth_user_id or email is required", path: ["auth_user_id"] }),
    ),
  },
  responses: { 200: jsonResponse(EmptyOkSchema), ...writeErrors, ...errorResponses(429) },
});

export const adminUserRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createUserRoute, async (c) => {
    const user = await createUser(c.var.ctx, c.var.auth.principalId, c.req.valid("json"));
    return c.json({ ok: true as const, user }, 200);
  })
  .openapi(updateUserRoute, async (c) => {
    const user = await updateUserByAdmin(c.var.ctx, c.var.auth.principalId, c.req.valid("json"));
    return c.json({ ok: true as const, user }, 200);
  })
  .openapi(listUsersRoute, async (c) => {
    const page = await listUsers(c.var.ctx, c.req.valid("query"));
    return c.json({ ok: true as const, ...page }, 200);
  })
  .openapi(disableUserRoute, async (c) => {
    const user = await disableUser(c.var.ctx, c.var.auth.principalId, c.req.valid("json").auth_user_id);
    return c.json({ ok: true as const, user }, 200);
  })
  .openapi(deleteUserRoute, async (c) => {
    await deleteUser(c.var.ctx, c.var.auth.principalId, c.req.valid("json").auth_user_id);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(resendRoute, async (c) => {
    await resendOnboarding(c.var.ctx, c.var.auth.principalId, c.req.valid("json"));
    return c.json({ ok: true as const }, 200);
  });
