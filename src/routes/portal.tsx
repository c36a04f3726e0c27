import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../middleware/app-env";
import { notFound } from "../middleware/errors";
import { OWN_ASSETS, VENDOR_ASSETS, VENDOR_PREFIX } from "../portal/assets";
import type { OpenApiLike } from "../portal/endpoints";
import { groupEndpoints, listEndpoints } from "../portal/endpoints";
import { GuidePage } from "../portal/guide-page";
import { ReferencePage } from "../portal/reference-page";
import { PORTAL_CSP, setPageHeaders } from "../portal/security-headers";
import { validationHook } from "./common";

/** Anything that can produce the app's OpenAPI document in-process (the root OpenAPIHono app). */
export interface OpenApiSource {
  getOpenAPI31Document: OpenAPIHono<AppEnv>["getOpenAPI31Document"];
}

const DOC_CONFIG = { openapi: "3.1.0", info: { title: "Auth2", version: "1.0.0" } };

function htmlPage(description: string) {
  return { 200: { description, content: { "text/html": { schema: z.string() } } } };
}

async function respondHtml(c: Context<AppEnv>, page: ReturnType<typeof GuidePage>, csp: string): Promise<Response> {
  const res = await c.html(page);
  setPageHeaders(res.headers, csp);
  return res;
}

/**
 * The developer portal: GET /docs (getting started + the generated endpoint list), GET
 * /docs/reference (Swagger UI), and the files those pages load, all served by this Worker.
 */
export function createPortalRoutes(source: OpenApiSource) {
  const portal = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  portal.openAPIRegistry.registerPath({
    method: "get",
    path: "/docs",
    tags: ["Operations"],
    summary: "Developer portal: Getting Started and the complete endpoint list",
    description:
      "HTML guide for connecting an app to Auth2: core and service APIs, integration rules, the site registry, hardening " +
      "tips, examples, and every route of this document listed by access kind. Access: none.",
    responses: htmlPage("The getting-started page"),
  });
  portal.openAPIRegistry.registerPath({
    method: "get",
    path: "/docs/reference",
    tags: ["Operations"],
    summary: "Interactive API reference (Swagger UI)",
    description: "Request and response schemas of every route, with try-it against this instance. Access: none.",
    responses: htmlPage("The reference page"),
  });

  portal.get("/docs", async (c) => {
    // Built from the live document on each request, so routes added anywhere in the app appear here.
    const doc = source.getOpenAPI31Document(DOC_CONFIG) as OpenApiLike;
    const endpoints = listEndpoints(doc);
    const page = GuidePage({
      origin: c.var.ctx.config.publicBaseUrl,
      registryMode: c.var.ctx.config.siteRegistryMode,
      groups: groupEndpoints(endpoints),
      total: endpoints.length,
    });
    return respondHtml(c, page, PORTAL_CSP);
  });
  portal.get("/docs/", (c) => c.redirect("/docs", 301));
  portal.get("/docs/reference", (c) => respondHtml(c, ReferencePage(), PORTAL_CSP));

  portal.get("/docs/assets/:file", (c) => {
    const asset = Object.hasOwn(OWN_ASSETS, c.req.param("file")) ? OWN_ASSETS[c.req.param("file")] : undefined;
    if (!asset) return notFound(c);
    return c.body(asset.body, 200, { "Content-Type": asset.type, "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff" });
  });

  portal.get(`${VENDOR_PREFIX}:file`, async (c) => {
    const file = c.req.param("file");
    const type = Object.hasOwn(VENDOR_ASSETS, file) ? VENDOR_ASSETS[file] : undefined;
    if (!type) return notFound(c);
    const conditional = new Headers();
    const etag = c.req.header("If-None-Match");
    if (etag) conditional.set("If-None-Match", etag);
    const res = await c.env.ASSETS.fetch(new Request(new URL(`/${file}`, c.req.url), { headers: conditional }));
    if (res.status !== 200 && res.status !== 304) return notFound(c);
    const headers = new Headers({ "Content-Type": type, "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" });
    const tag = res.headers.get("ETag");
    if (tag) headers.set("ETag", tag);
    return new Response(res.status === 304 ? null : res.body, { status: res.status, headers });
  });

  return portal;
}
