import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { POLICY_FIELDS } from "../lib/site-policy";
import type { AppEnv } from "../middleware/app-env";
import { siteContext } from "../middleware/site";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";

export const SiteKeyField = z.string().min(1).max(64).openapi({ example: "demo", description: "Body field or X-Site-Key header" });

const SiteInfoSchema = z
  .object({
    ok: z.literal(true),
    site: z.object({
      site_key: z.string(),
      registered: z.boolean(),
      name: z.string(),
      branding: z.record(z.string(), z.string()),
      login_mode: POLICY_FIELDS.login_mode.schema,
      reset_mode: POLICY_FIELDS.reset_mode.schema,
      twofa_mode: POLICY_FIELDS.twofa_mode.schema,
      allow_self_registration: z.boolean(),
      password_min_length: z.number().int(),
    }),
  })
  .openapi("SiteInfo");

const siteInfoRoute = createRoute({
  method: "post",
  path: "/api/auth_site_info",
  tags: ["App"],
  summary: "What a login screen needs to know about its site",
  description:
    "Resolves the site_key the way every app route does (registered site → saved policy; unknown → default policy, " +
    "or 403 unknown_site in strict mode; inactive → 403 site_inactive) and returns the public part: branding and which " +
    "fields the login, reset and registration screens should show. Access: App.",
  middleware: [siteContext({ requireActive: true })] as const,
  request: { body: jsonBody(z.object({ site_key: SiteKeyField.optional() })) },
  responses: { 200: jsonResponse(SiteInfoSchema), ...errorResponses(400, 403, 413, 415) },
});

export const siteInfoRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(siteInfoRoute, (c) => {
  const site = c.var.site;
  const branding: Record<string, string> = {};
  for (const [k, v] of Object.entries(site.branding)) if (typeof v === "string") branding[k] = v;
  return c.json(
    {
      ok: true as const,
      site: {
        site_key: site.site_key,
        registered: site.registered,
        name: site.name,
        branding,
        login_mode: site.policy.login_mode,
        reset_mode: site.policy.reset_mode,
        twofa_mode: site.policy.twofa_mode,
        allow_self_registration: site.policy.allow_self_registration,
        password_min_length: site.policy.password_min_length,
      },
    },
    200,
  );
});
