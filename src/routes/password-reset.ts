import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { siteContext } from "../middleware/site";
import { checkPasswordReset, completePasswordReset, requestPasswordReset } from "../services/users/password-reset";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { ChallengeValidSchema, CodeField, EmailField, RequestBodySchema, SentIfExistsSchema, TokenField } from "./flow-schemas";
import { SiteKeyField } from "./site-info";

const ProofSchema = z.object({
  site_key: SiteKeyField.optional(),
  token: TokenField.optional(),
  email: EmailField.optional(),
  code: CodeField.optional(),
});

const requestRoute = createRoute({
  method: "post",
  path: "/api/auth_password_reset_request",
  tags: ["App"],
  summary: "Mails a password-reset link and/or code",
  description:
    "The forgot-password screen. Always answers 202 `sent_if_exists`, identically for unknown, pending, disabled and active " +
    "addresses; only an active account is mailed. Per the site's `reset_mode`: `link` mails `reset_url?token=…` (30 minutes), " +
    "`otp` a 6-digit code (10 minutes), `both` the two, `disabled` answers 403 `reset_disabled`. A new request kills the previous " +
    "link/code; nothing about the account changes until complete. Limits: 3 requests per address per hour, and a per-IP cap " +
    "(429 `rate_limited` + Retry-After). Links are built from the site's configured reset_url only, never from request headers.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(RequestBodySchema) },
  responses: { 202: jsonResponse(SentIfExistsSchema, "Accepted (whether or not the address has an account)"), ...errorResponses(400, 403, 413, 415, 429) },
});

const checkRoute = createRoute({
  method: "post",
  path: "/api/auth_password_reset_check",
  tags: ["App"],
  summary: "Checks a reset link's token, or an email + code, without using it",
  description:
    "Lets the reset screen show the new-password form only for a live link or code. Send `token` (from the link), or `email` " +
    "and `code`. Does not consume it, but a wrong code counts toward the limits (5 per code, 10 per account per hour): " +
    "401 `invalid_code` with `attempts_remaining`; 410 `challenge_expired` when unknown, used, expired or replaced.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(ProofSchema) },
  responses: { 200: jsonResponse(ChallengeValidSchema), ...errorResponses(400, 401, 403, 410, 413, 415, 429) },
});

const completeRoute = createRoute({
  method: "post",
  path: "/api/auth_password_reset_complete",
  tags: ["App"],
  summary: "Sets a new password with a reset link's token or an email + code",
  description:
    "Finishes a reset: as check, plus `new_password` (8..256 characters, at least the site's minimum, not a common password). " +
    "The link/code works once (of two parallel completes one succeeds), every session of the user ends, a \"your password was " +
    "changed\" email goes out, and no session is issued: the user signs in again (with their second factor, which a reset never " +
    "changes). A rejected password does not use up the link or code.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(ProofSchema.extend({ new_password: z.string().max(4096) })) },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), status: z.literal("password_reset") }).openapi("PasswordReset")),
    ...errorResponses(400, 401, 403, 410, 413, 415, 429),
  },
});

export const passwordResetRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(requestRoute, async (c) => {
    await requestPasswordReset(c.var.ctx, c.var.site, c.req.valid("json").email);
    return c.json({ ok: true as const, status: "sent_if_exists" as const }, 202);
  })
  .openapi(checkRoute, async (c) => {
    const result = await checkPasswordReset(c.var.ctx, c.var.site, c.req.valid("json"));
    return c.json({ ok: true as const, valid: true as const, ...result }, 200);
  })
  .openapi(completeRoute, async (c) => {
    const body = c.req.valid("json");
    await completePasswordReset(c.var.ctx, c.var.site, body, body.new_password);
    return c.json({ ok: true as const, status: "password_reset" as const }, 200);
  });
