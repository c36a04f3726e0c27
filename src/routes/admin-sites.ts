import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { createSite, deleteSite, listSites, updateSite } from "../services/sites/registry";
import { NewSiteKeyField, PolicyFieldsSchema, SiteFieldsShape, SiteKeyRef, SiteName, SiteSchema } from "./admin-site-schemas";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { EmptyOkSchema } from "./schemas";

const SiteOk = z.object({ ok: z.literal(true), site: SiteSchema });
const writeErrors = errorResponses(400, 401, 403, 404, 409, 413, 415);

const createSiteRoute = createRoute({
  method: "post",
  path: "/api/admin/site_create",
  tags: ["Admin"],
  summary: "Registers a site (app) with its policy",
  description:
    "`site_key` (`[a-z0-9_-]{3,64}`, unique: 409 `site_key_taken`) or one is generated. `allowed_origins`: exact origins for CORS " +
    "(https, or http://localhost[:port]). `reset_url`/`onboarding_url`: the app screens mailed links point to (https; http only for localhost). " +
    "`branding`: display_name, logo_url (https), primary_color (#rrggbb), support_email, from_name. `policy`: any policy field; missing ones take " +
    "the configured defaults. Applies from the next request.",
  request: { body: jsonBody(z.object({ site_key: NewSiteKeyField.optional(), name: SiteName, ...SiteFieldsShape })) },
  responses: { 200: jsonResponse(SiteOk), ...writeErrors },
});

const updateSiteRoute = createRoute({
  method: "post",
  path: "/api/admin/site_update",
  tags: ["Admin"],
  summary: "Changes a site's fields",
  description: "Send `site_key` and the fields to change (`branding` and `allowed_origins` are replaced as a whole; `policy` fields merge). Applies from the next request of that site.",
  request: { body: jsonBody(z.object({ site_key: SiteKeyRef, name: SiteName.optional(), ...SiteFieldsShape })) },
  responses: { 200: jsonResponse(SiteOk), ...writeErrors },
});

const listSitesRoute = createRoute({
  method: "get",
  path: "/api/admin/site_list",
  tags: ["Admin"],
  summary: "Lists every registered site with its policy",
  description: "Ordered by site_key.",
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), items: z.array(SiteSchema) })), ...errorResponses(401, 403) },
});

const deleteSiteRoute = createRoute({
  method: "post",
  path: "/api/admin/site_delete",
  tags: ["Admin"],
  summary: "Deletes a site and its policy",
  description: "Users stay (they are global). Requests with this site_key then get the default policy (or 403 unknown_site in strict registry mode).",
  request: { body: jsonBody(z.object({ site_key: SiteKeyRef })) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...writeErrors },
});

const policyUpdateRoute = createRoute({
  method: "post",
  path: "/api/admin/policy_update",
  tags: ["Admin"],
  summary: "Changes a site's policy",
  description:
    "Send `site_key` and any policy fields: login_mode (password | email_otp | password_or_otp), reset_mode (link | otp | both | disabled), " +
    "twofa_mode (off | optional | required), allow_self_registration, password_min_length (8–256), session_ttl_seconds (300 s – 90 days), " +
    "idle_timeout_seconds (60 s – 90 days, not above the session TTL). Unknown fields are refused. Applies from the next request of that site.",
  request: { body: jsonBody(PolicyFieldsSchema.extend({ site_key: SiteKeyRef })) },
  responses: { 200: jsonResponse(SiteOk), ...writeErrors },
});

type SiteOut = z.infer<typeof SiteSchema>;
const out = (site: unknown) => site as SiteOut;

export const adminSiteRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createSiteRoute, async (c) => {
    const site = await createSite(c.var.ctx, c.var.auth.principalId, c.req.valid("json"));
    return c.json({ ok: true as const, site: out(site) }, 200);
  })
  .openapi(updateSiteRoute, async (c) => {
    const { site_key, ...fields } = c.req.valid("json");
    const site = await updateSite(c.var.ctx, c.var.auth.principalId, site_key, fields);
    return c.json({ ok: true as const, site: out(site) }, 200);
  })
  .openapi(listSitesRoute, async (c) => {
    const items = await listSites(c.var.ctx);
    return c.json({ ok: true as const, items: items.map(out) }, 200);
  })
  .openapi(deleteSiteRoute, async (c) => {
    await deleteSite(c.var.ctx, c.var.auth.principalId, c.req.valid("json").site_key);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(policyUpdateRoute, async (c) => {
    const { site_key, ...policy } = c.req.valid("json");
    const site = await updateSite(c.var.ctx, c.var.auth.principalId, site_key, { policy }, "site.policy_update");
    return c.json({ ok: true as const, site: out(site) }, 200);
  });
