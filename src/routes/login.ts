import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../middleware/app-env";
import { assertOriginAllowed } from "../middleware/origin";
import { siteContext } from "../middleware/site";
import { openLoginChallenge, resendLoginFactor, verifyLoginFactor } from "../services/login/factors";
import { signIn } from "../services/login/sign-in";
import { takeFactorCap } from "../services/limits/login";
import { assertSiteActive, resolveSite } from "../services/sites/resolve";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { ChallengeSchema, SignInResponseSchema, authenticatedBody, factorRequiredBody } from "./session-issue";
import { PasskeyAssertionSchema } from "./passkey-schemas";
import { SiteKeyField } from "./site-info";

const LoginBody = z.object({
  site_key: SiteKeyField.optional(),
  email: z.string().min(1).max(320).openapi({ example: "jane.doe@example.com" }),
  password: z.string().max(1024).optional().openapi({ description: "Omitted for passwordless (email_otp) sign-in" }),
});

const ChallengeTokenField = z.string().min(1).max(128).openapi({ description: "challenge.token from auth_login (or the last auth_factor_challenge)" });

const loginRoute = createRoute({
  method: "post",
  path: "/api/auth_login",
  tags: ["App"],
  summary: "Signs a user in with the site's login mode",
  description:
    "Login screens and app backends. The site's policy decides the flow: `password`, `email_otp` (passwordless: omit the password; a code is mailed) " +
    "or `password_or_otp` (password given → password; omitted → emailed code); `twofa_mode` decides whether a second factor follows. " +
    "Answers `status: \"authenticated\"` with a session (token in the body for `Authorization: Bearer`, and the `__Host-auth2_session` cookie) " +
    "or `status: \"factor_required\"` with a challenge for auth_factor_verify. Unknown, wrong, pending and disabled accounts all answer the same 401 " +
    "`invalid_credentials`. 5 failures per email in 15 minutes → 429 `rate_limited` with a growing Retry-After; 10 → locked for 15 minutes. " +
    "Per-address and per-site caps apply too.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(LoginBody) },
  responses: { 200: jsonResponse(SignInResponseSchema), ...errorResponses(400, 401, 403, 413, 415, 429) },
});

const factorChallengeRoute = createRoute({
  method: "post",
  path: "/api/auth_factor_challenge",
  tags: ["App"],
  summary: "Sends a new code for a sign-in challenge, or switches its factor",
  description:
    "\"Send me a new code\" and \"use another method\" on the second-step screen. Issues a new challenge (new token; the old token and code stop working). " +
    "`factor` switches between `email_otp` and `totp` where the sign-in offers both (users with TOTP may fall back to an emailed code). " +
    "`passkey` (where offered) issues new passkey options (each set works once). One emailed code per 60 s: 429 `resend_too_soon` with `retry_after`.",
  request: {
    body: jsonBody(
      z.object({ challenge_token: ChallengeTokenField, factor: z.enum(["email_otp", "totp", "passkey"]).optional(), site_key: SiteKeyField.optional() }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), challenge: ChallengeSchema })),
    ...errorResponses(400, 403, 410, 413, 415, 429),
  },
});

const factorVerifyRoute = createRoute({
  method: "post",
  path: "/api/auth_factor_verify",
  tags: ["App"],
  summary: "Completes a sign-in challenge with its code",
  description:
    "The second-step screen. `code`: the 6-digit emailed code, or for `totp` challenges a TOTP code or a one-time recovery code. " +
    "Success starts a session (a brand-new token) or, for passwordless sign-in of a TOTP user, answers the next challenge. " +
    "Wrong code: 401 `invalid_code` with `attempts_remaining` (5 per challenge); expired, used or exhausted: 410 `challenge_expired`; " +
    "10 wrong codes per account per hour: 429 `rate_limited`. Where the challenge offers `passkey`, send `passkey` (the assertion for " +
    "`challenge.passkey`) instead of `code`: a failed assertion costs an attempt like a wrong code and answers its `passkey_*` code with " +
    "`attempts_remaining`; each assertion options set works once (ask auth_factor_challenge with `factor: \"passkey\"` for new ones).",
  request: {
    body: jsonBody(
      z.object({
        challenge_token: ChallengeTokenField,
        code: z.string().min(1).max(64).optional().openapi({ description: "The emailed code, or for `totp` challenges a TOTP or recovery code. Send this or `passkey`." }),
        passkey: PasskeyAssertionSchema.optional().openapi({
          description: "Where `challenge.choices` includes `passkey`: the assertion made with `challenge.passkey` (JSON bodies only). Send this or `code`.",
        }),
        site_key: SiteKeyField.optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(SignInResponseSchema), ...errorResponses(400, 401, 403, 404, 410, 413, 415, 429) },
});

/** The site_key a factor request names (optional; when given it must be the challenge's). */
function namedSiteKey(c: Context<AppEnv>, fromBody: string | undefined): string | null {
  const key = fromBody || c.req.header("X-Site-Key")?.trim();
  return key ? key : null;
}

/** Finds the challenge and its site, and applies the same site and origin checks as auth_login. */
async function factorInput(c: Context<AppEnv>, token: string, siteKey: string | undefined) {
  const ctx = c.var.ctx;
  await takeFactorCap(ctx);
  const record = await openLoginChallenge(ctx, token, namedSiteKey(c, siteKey));
  const site = await resolveSite(ctx, record.site_key);
  assertSiteActive(site);
  c.set("site", site);
  assertOriginAllowed(c, site.allowed_origins);
  return { record, site };
}

export const loginRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(loginRoute, async (c) => {
    const site = c.var.site;
    assertOriginAllowed(c, site.allowed_origins);
    const body = c.req.valid("json");
    const result = await signIn(c.var.ctx, { site, email: body.email, password: body.password });
    return c.json(result.status === "authenticated" ? authenticatedBody(c, result.started) : factorRequiredBody(result.challenge), 200);
  })
  .openapi(factorChallengeRoute, async (c) => {
    const body = c.req.valid("json");
    const input = await factorInput(c, body.challenge_token, body.site_key);
    const challenge = await resendLoginFactor(c.var.ctx, input, body.factor);
    return c.json({ ok: true as const, challenge }, 200);
  })
  .openapi(factorVerifyRoute, async (c) => {
    const body = c.req.valid("json");
    const input = await factorInput(c, body.challenge_token, body.site_key);
    if ((body.code === undefined) === (body.passkey === undefined)) {
      throw new AppError("invalid_request", { message: "Send code or passkey.", fields: { code: "Send exactly one of code and passkey" } });
    }
    const proof = body.passkey !== undefined ? ({ kind: "passkey", passkey: body.passkey } as const) : ({ kind: "code", code: body.code! } as const);
    const result = await verifyLoginFactor(c.var.ctx, input, proof);
    return c.json(result.status === "authenticated" ? authenticatedBody(c, result.started) : factorRequiredBody(result.challenge), 200);
  });
