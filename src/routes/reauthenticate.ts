import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../middleware/app-env";
import { requireUserSession } from "../middleware/session";
import { type ReauthProof, reauthenticate } from "../services/sessions/recent-auth";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { PasskeyAssertionSchema } from "./passkey-schemas";

const reauthRoute = createRoute({
  method: "post",
  path: "/api/auth_reauthenticate",
  tags: ["Staff"],
  summary: "Confirms it is still the user: a fresh proof for this session",
  description:
    "Before sensitive account changes (adding a passkey needs a proof within 10 minutes). Send exactly one of `password`; `code` (a TOTP or " +
    "recovery code, for users with TOTP); `passkey` (an assertion with user verification, made with options from auth_passkey_login_options). " +
    "The session's `authenticated_at` (auth_me) becomes now. Wrong proofs: 401 `invalid_credentials` / `invalid_code`, the `passkey_*` codes, " +
    "403 `passkey_user_verification_required` for a passkey that did not verify the user; 5 failures → 429 `rate_limited` with a growing Retry-After. " +
    "Users without a password or TOTP sign in again instead.",
  middleware: [requireUserSession] as const,
  request: {
    body: jsonBody(
      z.object({
        password: z.string().min(1).max(1024).optional(),
        code: z.string().min(1).max(64).optional(),
        passkey: PasskeyAssertionSchema.optional(),
      }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), authenticated_at: z.string() })),
    ...errorResponses(400, 401, 403, 404, 413, 415, 429, 503),
  },
});

export const reauthenticateRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(reauthRoute, async (c) => {
  const body = c.req.valid("json");
  const given = [body.password, body.code, body.passkey].filter((v) => v !== undefined).length;
  if (given !== 1) throw new AppError("invalid_request", { message: "Send exactly one of password, code and passkey.", fields: { password: "Send exactly one of password, code and passkey" } });
  const proof: ReauthProof =
    body.password !== undefined ? { kind: "password", password: body.password } : body.code !== undefined ? { kind: "code", code: body.code } : { kind: "passkey", passkey: body.passkey };
  const auth = c.var.auth;
  const at = await reauthenticate(c.var.ctx, { userId: auth.principalId, sessionId: auth.sessionId, siteKey: auth.siteKey, proof });
  return c.json({ ok: true as const, authenticated_at: new Date(at).toISOString() }, 200);
});
