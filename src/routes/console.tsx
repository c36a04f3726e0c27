import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../middleware/app-env";
import { notFound } from "../middleware/errors";
import { CONSOLE_ASSETS } from "../console/assets";
import { ConsolePage } from "../console/page";
import { CONSOLE_CSP, setPageHeaders } from "../portal/security-headers";
import { validationHook } from "./common";

/**
 * The admin console: GET /admin/ (one page; the script signs in with the admin API and keeps the
 * CSRF token in memory) and its two files. Same headers as the portal, but the page is never stored.
 */
export const consoleRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

consoleRoutes.openAPIRegistry.registerPath({
  method: "get",
  path: "/admin/",
  tags: ["Operations"],
  summary: "Admin console (HTML)",
  description:
    "Browser console for admins: users, sites and policies, service keys, the audit log, the admin's own password and TOTP. " +
    "Uses the Admin API with the `__Host-auth2_admin` cookie and an `X-CSRF-Token` header. Access: none for the page; the API needs an admin session.",
  responses: { 200: { description: "The console page", content: { "text/html": { schema: z.string() } } } },
});

consoleRoutes.get("/admin", (c) => c.redirect("/admin/", 301));
consoleRoutes.get("/admin/", async (c) => {
  const res = await c.html(ConsolePage({ defaultPolicy: c.var.ctx.config.defaultPolicy }));
  setPageHeaders(res.headers, CONSOLE_CSP);
  // Admin pages stay out of every cache (shared or browser back/forward).
  res.headers.set("Cache-Control", "no-store");
  return res;
});

consoleRoutes.get("/admin/assets/:file", (c) => {
  const file = c.req.param("file");
  const asset = Object.hasOwn(CONSOLE_ASSETS, file) ? CONSOLE_ASSETS[file] : undefined;
  if (!asset) return notFound(c);
  return c.body(asset.body, 200, { "Content-Type": asset.type, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" });
});
