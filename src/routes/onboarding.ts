import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { siteContext } from "../middleware/site";
import { checkOnboarding, completeOnboarding, requestOnboarding } from "../services/users/onboarding";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { ChallengeValidSchema, CodeField, EmailField, RequestBodySchema, SentIfExistsSchema, TokenField } from "./flow-schemas";
import { UserSchema } from "./schemas";
import { SiteKeyField } from "./site-info";

const ProofSchema = z.object({
  site_key: SiteKeyField.optional(),
  email: EmailField.optional(),
  code: CodeField.optional(),
  token: TokenField.optional(),
});

const requestRoute = createRoute({
  method: "post",
  path: "/api/auth_onboarding_request",
  tags: ["App"],
  summary: "Mails a first-time setup code to an admin-created (pending) account",
  description:
    "The \"set up your account\" screen's resend. Always answers 202 `sent_if_exists`, identically for every address; a code " +
    "(10 minutes; plus a link to the site's onboarding_url when configured) goes only to a pending account. Within 60 s of the " +
    "previous code nothing is resent, silently. Limits: 3 requests per address per hour and a per-IP cap (429 `rate_limited`).",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(RequestBodySchema) },
  responses: { 202: jsonResponse(SentIfExistsSchema, "Accepted (whether or not the address has a pending account)"), ...errorResponses(400, 403, 413, 415, 429) },
});

const checkRoute = createRoute({
  method: "post",
  path: "/api/auth_onboarding_check",
  tags: ["App"],
  summary: "Checks an onboarding code (or the link's token) without using it",
  description:
    "Lets the setup screen ask for a password only with a live code. Send `email` and `code`, or `token` from the emailed link. " +
    "Wrong codes count (5 per code, 10 per account per hour): 401 `invalid_code` with `attempts_remaining`; 410 `challenge_expired`.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(ProofSchema) },
  responses: { 200: jsonResponse(ChallengeValidSchema), ...errorResponses(400, 401, 403, 410, 413, 415, 429) },
});

const completeRoute = createRoute({
  method: "post",
  path: "/api/auth_onboarding_complete",
  tags: ["App"],
  summary: "Sets the first password of a pending account and activates it",
  description:
    "Finishes setup: as check, plus `password` (8..256 characters, at least the site's minimum, not a common password). The " +
    "account becomes active with a verified email, a welcome email goes out, and no session is issued: the user signs in next. " +
    "The code works once; an active account cannot be onboarded again (410). A rejected password does not use up the code.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(ProofSchema.extend({ password: z.string().max(4096) })) },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), status: z.literal("activated"), user: UserSchema }).openapi("Activated")),
    ...errorResponses(400, 401, 403, 410, 413, 415, 429),
  },
});

export const onboardingRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(requestRoute, async (c) => {
    await requestOnboarding(c.var.ctx, c.var.site, c.req.valid("json").email);
    return c.json({ ok: true as const, status: "sent_if_exists" as const }, 202);
  })
  .openapi(checkRoute, async (c) => {
    const result = await checkOnboarding(c.var.ctx, c.var.site, c.req.valid("json"));
    return c.json({ ok: true as const, valid: true as const, ...result }, 200);
  })
  .openapi(completeRoute, async (c) => {
    const body = c.req.valid("json");
    const user = await completeOnboarding(c.var.ctx, c.var.site, body, body.password);
    return c.json({ ok: true as const, status: "activated" as const, user }, 200);
  });
