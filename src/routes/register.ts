import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import { normaliseEmail } from "../lib/email";
import type { AppEnv } from "../middleware/app-env";
import { siteContext } from "../middleware/site";
import { toIdentity } from "../services/users/identity";
import { registerAccount, startRegistration, verifyRegistration } from "../services/users/registration";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { UserSchema } from "./schemas";
import { SiteKeyField } from "./site-info";

const RegisterBody = z.object({
  site_key: SiteKeyField.optional(),
  email: z.string().max(320),
  password: z.string().max(1024),
  name: z.string().trim().max(200).optional(),
});

const SentSchema = z.object({ ok: z.literal(true), status: z.literal("verification_sent") });

const registerRoute = createRoute({
  method: "post",
  path: "/api/auth_register",
  tags: ["Legacy"],
  summary: "Legacy one-step registration: creates the account (pending) and mails a verification code",
  description:
    "Kept for compatibility; admin-created accounts are preferred. Only where the site's policy has allow_self_registration " +
    "(403 registration_disabled otherwise). Always 202 verification_sent, whether or not the email exists; the account " +
    "becomes active when auth_register_verify gets the right code.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(RegisterBody) },
  responses: { 202: jsonResponse(SentSchema), ...errorResponses(400, 403, 413, 415, 429) },
});

const startRoute = createRoute({
  method: "post",
  path: "/api/auth_register_start",
  tags: ["Legacy"],
  summary: "Starts legacy self-registration: holds the details and mails a code",
  description: "Older registration integrations only. Nothing is created until auth_register_verify gets the right code. Always 202.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(RegisterBody) },
  responses: { 202: jsonResponse(SentSchema), ...errorResponses(400, 403, 413, 415, 429) },
});

const verifyRoute = createRoute({
  method: "post",
  path: "/api/auth_register_verify",
  tags: ["Legacy"],
  summary: "Verifies a legacy registration code and creates or activates the account",
  description: "Older registration integrations only. 401 invalid_code with attempts_remaining; 410 challenge_expired. Issues no session.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(z.object({ site_key: SiteKeyField.optional(), email: z.string().max(320), code: z.string().max(16) })) },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true), status: z.literal("registered"), user: UserSchema })),
    ...errorResponses(400, 401, 403, 410, 413, 415, 429),
  },
});

function emailOf(raw: string): string {
  const email = normaliseEmail(raw);
  if (!email) throw new AppError("invalid_request", { fields: { email: "Invalid email address" } });
  return email;
}

export const registerRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(registerRoute, async (c) => {
    const body = c.req.valid("json");
    await registerAccount(c.var.ctx, c.var.site, emailOf(body.email), { email: body.email, password: body.password, name: body.name ?? "" });
    return c.json({ ok: true as const, status: "verification_sent" as const }, 202);
  })
  .openapi(startRoute, async (c) => {
    const body = c.req.valid("json");
    await startRegistration(c.var.ctx, c.var.site, emailOf(body.email), { email: body.email, password: body.password, name: body.name ?? "" });
    return c.json({ ok: true as const, status: "verification_sent" as const }, 202);
  })
  .openapi(verifyRoute, async (c) => {
    const body = c.req.valid("json");
    const user = await verifyRegistration(c.var.ctx, c.var.site, emailOf(body.email), body.code.trim());
    return c.json({ ok: true as const, status: "registered" as const, user: toIdentity(user, c.var.ctx.config.publicBaseUrl) }, 200);
  });
