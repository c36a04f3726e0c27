import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { assertOriginAllowed } from "../middleware/origin";
import { siteContext } from "../middleware/site";
import { finishPasskeySignIn, startPasskeySignIn } from "../services/passkeys/sign-in";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { PasskeyAssertionSchema, PasskeyRequestOptionsSchema } from "./passkey-schemas";
import { SignInResponseSchema, authenticatedBody, factorRequiredBody } from "./session-issue";
import { SiteKeyField } from "./site-info";

// Signing in with a passkey (App): options, then the browser's assertion → the same answer as auth_login.

const optionsRoute = createRoute({
  method: "post",
  path: "/api/auth_passkey_login_options",
  tags: ["App"],
  summary: "Starts a passkey sign-in: request options for the browser",
  description:
    "Sign-in screens (\"Sign in with a passkey\"). Without `email`: a discoverable sign-in, `allowCredentials` empty, the authenticator offers " +
    "the user's passkeys (also for conditional UI / autofill: `startAuthentication({ optionsJSON, useBrowserAutofill: true })`). With `email`: " +
    "that account's passkeys, and an answer of the same shape for every address (unknown, without passkeys or inactive addresses get stand-in " +
    "credentials that never verify). Each set of options works once, for 5 minutes. Throttled like auth_login (per client, per site; a locked " +
    "email stays locked): 429 `rate_limited`. 403 `passkeys_disabled` where the site's passkey_mode is off. Browser pages must run on Auth2's " +
    "origin or a registered origin of the site on the RP ID's registrable domain (docs/login.md).",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(z.object({ site_key: SiteKeyField.optional(), email: z.string().min(1).max(320).optional().openapi({ example: "jane.doe@example.com" }) })) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), options: PasskeyRequestOptionsSchema })), ...errorResponses(400, 403, 413, 415, 429, 503) },
});

const verifyRoute = createRoute({
  method: "post",
  path: "/api/auth_passkey_login_verify",
  tags: ["App"],
  summary: "Finishes a passkey sign-in: verifies the assertion, starts a session",
  description:
    "`credential`: what startAuthentication resolved to. Answers like auth_login: `status: \"authenticated\"` (session token and cookie, user) or, " +
    "for a passkey without user verification on a site whose twofa_mode asks for a second factor, `status: \"factor_required\"` with a TOTP or " +
    "emailed-code challenge for auth_factor_verify. A passkey with user verification (PIN, biometrics) is multi-factor and satisfies " +
    "twofa_mode `required`. Errors: 400 `passkey_invalid`, `passkey_challenge_invalid` (expired, used, another site's), `passkey_origin_invalid`; " +
    "404 `passkey_not_found` (unknown or removed credential, or not the account the email named); 403 `passkey_counter_regressed` (possibly " +
    "cloned: refused and flagged), `user_inactive`; 429 `rate_limited`.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(z.object({ site_key: SiteKeyField.optional(), credential: PasskeyAssertionSchema })) },
  responses: { 200: jsonResponse(SignInResponseSchema), ...errorResponses(400, 403, 404, 413, 415, 429, 503) },
});

export const passkeyLoginRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(optionsRoute, async (c) => {
    const site = c.var.site;
    assertOriginAllowed(c, site.allowed_origins);
    const options = await startPasskeySignIn(c.var.ctx, { site, email: c.req.valid("json").email });
    return c.json({ ok: true as const, options }, 200);
  })
  .openapi(verifyRoute, async (c) => {
    const site = c.var.site;
    assertOriginAllowed(c, site.allowed_origins);
    const result = await finishPasskeySignIn(c.var.ctx, { site, response: c.req.valid("json").credential });
    return c.json(result.status === "authenticated" ? authenticatedBody(c, result.started) : factorRequiredBody(result.challenge), 200);
  });
