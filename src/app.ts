import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./middleware/app-env";
import { parseBody } from "./middleware/body";
import { appCors } from "./middleware/cors";
import { notFound, onError } from "./middleware/errors";
import { requestContext } from "./middleware/request-context";
import { apiKeyRoutes } from "./routes/api-keys";
import { AVATAR_UPLOAD_PATH, avatarRoutes } from "./routes/avatar";
import { benchRoutes } from "./routes/bench";
import { devOutboxRoutes } from "./routes/dev-outbox";
import { validationHook } from "./routes/common";
import { guardRoutes } from "./routes/groups";
import { requireAdminFactors } from "./middleware/admin";
import { requireAdminSession } from "./middleware/session";
import { healthRoutes } from "./routes/health";
import { loginRoutes } from "./routes/login";
import { adminAuditRoutes } from "./routes/admin-audit";
import { adminAccountRoutes, adminEnrolmentRoutes, adminLoginRoutes } from "./routes/admin-auth";
import { adminServiceKeyRoutes } from "./routes/admin-service-keys";
import { adminSiteRoutes } from "./routes/admin-sites";
import { adminUserRoutes } from "./routes/admin-users";
import { adminUserSessionRoutes } from "./routes/admin-user-sessions";
import { adminUserPasskeyRoutes } from "./routes/admin-user-passkeys";
import { passkeyLoginRoutes } from "./routes/passkey-login";
import { passkeyRoutes } from "./routes/passkeys";
import { reauthenticateRoutes } from "./routes/reauthenticate";
import { legacyApiRoutes } from "./routes/legacy-api";
import { onboardingRoutes } from "./routes/onboarding";
import { passwordResetRoutes } from "./routes/password-reset";
import { registerRoutes } from "./routes/register";
import { profileRoutes } from "./routes/profile";
import { serviceRoutes } from "./routes/service";
import { sessionRoutes } from "./routes/session";
import { consoleRoutes } from "./routes/console";
import { createPortalRoutes } from "./routes/portal";
import { siteInfoRoutes } from "./routes/site-info";
import { totpRoutes } from "./routes/totp";

/** Paths of the routes documented as Staff or Admin: they take JSON bodies only. */
function listJsonOnlyPaths(app: OpenAPIHono<AppEnv>): ReadonlySet<string> {
  const paths = new Set<string>();
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== "route") continue;
    const tags = def.route.tags ?? [];
    if (tags.includes("Staff") || tags.includes("Admin")) paths.add(def.route.path);
  }
  return paths;
}

/** Builds the app: middleware, then every route group in one list. */
export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound);

  app.use("*", requestContext);
  // Per-site CORS for the app and staff routes (before body parsing, so 413/415 answers carry it too).
  // auth_api_key_verify is a Service route under the same prefix: backends only, so no CORS grant.
  app.use("/api/auth_*", async (c, next) => (c.req.path === "/api/auth_api_key_verify" ? next() : appCors(c, next)));
  // App, service and legacy routes also take form posts (older PHP clients). Staff and Admin routes
  // take JSON only: a form is what a cross-site page can post without a preflight, and these act on
  // a session cookie. Which routes those are comes from their OpenAPI tags, so a new Staff route is
  // JSON-only without anyone remembering to say so. The avatar upload reads its own (multipart) body.
  const parseJsonOnly = parseBody({ allowForm: false });
  const parseJsonOrForm = parseBody({ allowForm: true });
  let jsonOnlyPaths: ReadonlySet<string> | null = null;
  app.use("/api/*", async (c, next) => {
    if (c.req.path === AVATAR_UPLOAD_PATH) return next();
    jsonOnlyPaths ??= listJsonOnlyPaths(app);
    const jsonOnly = c.req.path.startsWith("/api/admin/") || jsonOnlyPaths.has(c.req.path);
    return (jsonOnly ? parseJsonOnly : parseJsonOrForm)(c, next);
  });

  app.route("/", healthRoutes);
  app.route("/", siteInfoRoutes);
  app.route("/", serviceRoutes);
  app.route("/", profileRoutes);
  app.route("/", avatarRoutes);
  app.route("/", apiKeyRoutes);
  app.route("/", sessionRoutes);
  app.route("/", passwordResetRoutes);
  app.route("/", onboardingRoutes);
  app.route("/", loginRoutes);
  app.route("/", totpRoutes);
  app.route("/", passkeyLoginRoutes);
  app.route("/", passkeyRoutes);
  app.route("/", reauthenticateRoutes);
  // Admin API: login is public; what an admin may do before TOTP enrolment needs only the session;
  // everything else needs the session and, with ADMIN_REQUIRE_TOTP, the TOTP factor.
  app.route("/", adminLoginRoutes);
  app.route("/", guardRoutes([adminEnrolmentRoutes], requireAdminSession));
  app.route(
    "/",
    guardRoutes(
      [adminAccountRoutes, adminUserRoutes, adminUserSessionRoutes, adminUserPasskeyRoutes, adminSiteRoutes, adminAuditRoutes, adminServiceKeyRoutes],
      requireAdminSession,
      requireAdminFactors,
    ),
  );
  app.route("/", consoleRoutes);
  app.route("/", registerRoutes);
  // The consolidated legacy wrapper answers each action with the direct route's own handler.
  app.route("/", legacyApiRoutes((request, c) => app.fetch(request, c.env, c.executionCtx)));
  app.route("/", devOutboxRoutes);
  app.route("/", createPortalRoutes(app));
  app.use("/__bench/*", async (c, next) => (c.var.ctx.config.benchRoutes ? next() : notFound(c)));
  app.route("/__bench", benchRoutes);

  app.doc31("/api/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Auth2",
      version: "1.0.0",
      description:
        "Central identity provider. Every /api route is also served with a `.php` suffix (e.g. /api/auth_login.php). " +
        "App, service and legacy routes accept application/json or application/x-www-form-urlencoded bodies.",
    },
    servers: [{ url: c.var.ctx.config.publicBaseUrl }],
  }));
  return app;
}
