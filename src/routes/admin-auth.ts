import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { changeAdminPassword, loginAdmin, logoutAdmin } from "../services/admin/accounts";
import { adminCsrfToken } from "../services/admin/csrf";
import { confirmAdminTotp, disableAdminTotp, startAdminTotpEnrollment } from "../services/admin/totp";
import { AdminSchema, PasswordField } from "./admin-schemas";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { clearSessionCookie, setSessionCookie } from "./cookies";
import { EmptyOkSchema, SessionSchema } from "./schemas";

const CsrfToken = z.string().openapi({ description: "Send as the X-CSRF-Token header on cookie-authenticated admin POSTs (the console does)" });

const TotpCode = z.string().regex(/^\d{6}$/, "Expected a 6-digit code");

const loginRoute = createRoute({
  method: "post",
  path: "/api/admin/login",
  tags: ["Admin"],
  summary: "Signs an admin in (email + password, + TOTP when enrolled)",
  description:
    "Starts an admin session: the token is returned and set as the `__Host-auth2_admin` cookie (SameSite=Strict). Sessions last at most 12 h " +
    "and end after 30 min without use. Unknown email, wrong password and disabled admins get the same 401; after 3 failures per email " +
    "(or 10 per address) answers are 429 with a growing Retry-After, 5 failures lock the email for 30 min. When the admin has TOTP enrolled, " +
    "`totp` is required (401 `totp_required` once the password is proven). With `ADMIN_REQUIRE_TOTP` on, an admin without TOTP gets a " +
    "session that can only enrol (`totp_enrollment_required: true`).",
  request: { body: jsonBody(z.object({ email: z.string().min(1).max(320), password: PasswordField, totp: TotpCode.optional() })) },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), admin: AdminSchema, session: SessionSchema, totp_enrollment_required: z.boolean(), csrf_token: CsrfToken })),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

const meRoute = createRoute({
  method: "get",
  path: "/api/admin/me",
  tags: ["Admin"],
  summary: "Returns the signed-in admin",
  description: "Console bootstrap and session check. Answered from the admin's Durable Object (no database read).",
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), admin: AdminSchema, session: z.object({ id: z.string(), expires_at: z.string(), factors: z.array(z.string()) }), csrf_token: CsrfToken })), ...errorResponses(401) },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/api/admin/logout",
  tags: ["Admin"],
  summary: "Ends the current admin session",
  description: "The token fails on the very next request; the cookie is cleared.",
  request: { body: jsonBody(z.object({})) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...errorResponses(400, 401, 403, 415) },
});

const changePasswordRoute = createRoute({
  method: "post",
  path: "/api/admin/change_password",
  tags: ["Admin"],
  summary: "Changes the signed-in admin's password",
  description: "Needs the current password; the new one must pass the password rules. Every other session of this admin ends; this one stays.",
  request: { body: jsonBody(z.object({ current_password: PasswordField, new_password: PasswordField })) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...errorResponses(400, 401, 403, 415, 429) },
});

const totpEnrollRoute = createRoute({
  method: "post",
  path: "/api/admin/totp_enroll",
  tags: ["Admin"],
  summary: "Starts TOTP enrolment for the signed-in admin",
  description: "Returns a new secret and its otpauth:// URL (show as a QR code). Nothing changes for login until admin/totp_confirm. 409 when TOTP is already on.",
  request: { body: jsonBody(z.object({})) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), otpauth_url: z.string(), secret: z.string() })), ...errorResponses(401, 403, 409, 415) },
});

const totpConfirmRoute = createRoute({
  method: "post",
  path: "/api/admin/totp_confirm",
  tags: ["Admin"],
  summary: "Confirms TOTP enrolment with a first code",
  description: "Enables TOTP; from now on admin/login needs `totp`. Every session of this admin ends and a new one (factors password + totp) is returned and set as the cookie.",
  request: { body: jsonBody(z.object({ code: TotpCode })) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), session: SessionSchema, csrf_token: CsrfToken })), ...errorResponses(400, 401, 403, 409, 415, 429) },
});

const totpDisableRoute = createRoute({
  method: "post",
  path: "/api/admin/totp_disable",
  tags: ["Admin"],
  summary: "Turns TOTP off for the signed-in admin",
  description: "Needs the current password and a current code. Refused (403) while ADMIN_REQUIRE_TOTP is on.",
  request: { body: jsonBody(z.object({ password: PasswordField, code: TotpCode })) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...errorResponses(400, 401, 403, 409, 415, 429) },
});

type AdminOut = z.infer<typeof AdminSchema>;

// Three groups, guarded in app.ts: login (public); what an admin may do before TOTP enrolment
// (session guard only); and the rest (session and factor guards, like every other admin route).

export const adminLoginRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(loginRoute, async (c) => {
  const ctx = c.var.ctx;
  const result = await loginAdmin(ctx, c.req.valid("json"));
  setSessionCookie(c, "admin", result.session.token, result.session.ttlSeconds);
  return c.json(
    {
      ok: true as const,
      admin: result.admin,
      session: { token: result.session.token, expires_at: result.session.expires_at },
      totp_enrollment_required: result.totpEnrollmentRequired,
      csrf_token: adminCsrfToken(ctx, result.session.id),
    },
    200,
  );
});

export const adminEnrolmentRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(meRoute, (c) => {
    const auth = c.var.auth;
    return c.json(
      {
        ok: true as const,
        admin: auth.identity as unknown as AdminOut,
        session: { id: auth.sessionId, expires_at: new Date(auth.expiresAt).toISOString(), factors: auth.factors },
        csrf_token: adminCsrfToken(c.var.ctx, auth.sessionId),
      },
      200,
    );
  })
  .openapi(logoutRoute, async (c) => {
    await logoutAdmin(c.var.ctx, c.var.auth);
    clearSessionCookie(c, "admin");
    return c.json({ ok: true as const }, 200);
  })
  .openapi(totpEnrollRoute, async (c) => {
    const out = await startAdminTotpEnrollment(c.var.ctx, c.var.auth.principalId);
    return c.json({ ok: true as const, ...out }, 200);
  })
  .openapi(totpConfirmRoute, async (c) => {
    const session = await confirmAdminTotp(c.var.ctx, c.var.auth.principalId, c.req.valid("json").code);
    setSessionCookie(c, "admin", session.token, session.ttlSeconds);
    return c.json({ ok: true as const, session: { token: session.token, expires_at: session.expires_at }, csrf_token: adminCsrfToken(c.var.ctx, session.id) }, 200);
  });

export const adminAccountRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(changePasswordRoute, async (c) => {
    const body = c.req.valid("json");
    const auth = c.var.auth;
    await changeAdminPassword(c.var.ctx, { adminId: auth.principalId, sessionId: auth.sessionId, currentPassword: body.current_password, newPassword: body.new_password });
    return c.json({ ok: true as const }, 200);
  })
  .openapi(totpDisableRoute, async (c) => {
    await disableAdminTotp(c.var.ctx, c.var.auth.principalId, c.req.valid("json"));
    return c.json({ ok: true as const }, 200);
  });
