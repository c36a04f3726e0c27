import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../middleware/app-env";
import { requireUserSession } from "../middleware/session";
import { confirmTotp, disableTotp, enrolTotp } from "../services/users/totp";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { EmptyOkSchema } from "./schemas";

const enrolRoute = createRoute({
  method: "post",
  path: "/api/auth_totp_enroll",
  tags: ["Staff"],
  summary: "Starts TOTP enrolment for the signed-in user",
  description:
    "Account security screens. Returns an `otpauth://` URL (show it as a QR code) and the base32 secret (for manual entry). " +
    "Nothing changes for sign-in until auth_totp_confirm succeeds; a second call replaces an unconfirmed secret. 409 `conflict` when TOTP is already on.",
  middleware: [requireUserSession] as const,
  request: { body: { content: { "application/json": { schema: z.object({}) } }, required: false } },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), otpauth_url: z.string(), secret: z.string() })),
    ...errorResponses(401, 403, 409),
  },
});

const confirmRoute = createRoute({
  method: "post",
  path: "/api/auth_totp_confirm",
  tags: ["Staff"],
  summary: "Turns TOTP on with a first valid code; returns 10 recovery codes once",
  description:
    "After scanning the QR code. Each recovery code works once in place of a TOTP code; only their hashes are kept, so show them now. " +
    "401 `invalid_code` for a wrong code; 5 failures → 429 `rate_limited` with a growing Retry-After.",
  middleware: [requireUserSession] as const,
  request: { body: jsonBody(z.object({ code: z.string().min(1).max(16) })) },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), recovery_codes: z.array(z.string()) })),
    ...errorResponses(400, 401, 403, 409, 429),
  },
});

const disableRoute = createRoute({
  method: "post",
  path: "/api/auth_totp_disable",
  tags: ["Staff"],
  summary: "Turns TOTP off (needs a TOTP or recovery code, or the password)",
  description:
    "Account security screens. Send `code` (TOTP or recovery code) or `password`. Wrong proof: 401 `invalid_code` / `invalid_credentials`; " +
    "5 failures → 429 `rate_limited`. Recovery codes are discarded.",
  middleware: [requireUserSession] as const,
  request: { body: jsonBody(z.object({ code: z.string().min(1).max(16).optional(), password: z.string().min(1).max(1024).optional() })) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...errorResponses(400, 401, 403, 409, 429) },
});

export const totpRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(enrolRoute, async (c) => {
    const result = await enrolTotp(c.var.ctx, c.var.auth.principalId, c.var.auth.siteKey);
    return c.json({ ok: true as const, ...result }, 200);
  })
  .openapi(confirmRoute, async (c) => {
    const codes = await confirmTotp(c.var.ctx, c.var.auth.principalId, c.req.valid("json").code, c.var.auth.siteKey);
    return c.json({ ok: true as const, recovery_codes: codes }, 200);
  })
  .openapi(disableRoute, async (c) => {
    const body = c.req.valid("json");
    if (body.code === undefined && body.password === undefined) {
      throw new AppError("invalid_request", { message: "Send code or password.", fields: { code: "code or password is required" } });
    }
    await disableTotp(c.var.ctx, c.var.auth.principalId, body, c.var.auth.siteKey);
    return c.json({ ok: true as const }, 200);
  });
